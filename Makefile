# tollgate - build, dependencies, tests, demo, fuzzing, benchmarks, install.
#
#   make          build/tollgate (optimised)
#   make deps     install missing Debian packages (root) or say which
#   make test     deps, then the whole suite optimised and under ASan+UBSan
#   make demo     deps, build, analyse the bundled capture, print a report
#   make fuzz     run every fuzz target for FUZZ_SECONDS each
#   make bench    throughput against a bare libpcap loop (ratios)

CC       ?= gcc
BUILD    ?= build
OPT      ?= -O2
SAN      ?=
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share
MANDIR   ?= $(DATADIR)/man
# A system install (PREFIX=/usr) keeps its configuration in /etc and its
# unit where systemd looks for packaged units; anything else stays under PREFIX.
ifeq ($(PREFIX),/usr)
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
else
SYSCONFDIR ?= $(PREFIX)/etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
endif
FUZZ_SECONDS ?= 60

PKG_LIBS := libpcap sqlite3
CPPFLAGS += -D_GNU_SOURCE -Isensor -Idecoders -Irules -Ireports
CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -fno-strict-aliasing
LDLIBS   += -lpcap -lnetfilter_queue -lnfnetlink -lsqlite3 -losipparser2 -losip2 -lpcre2-8 -lm -lpthread
# Hyperscan (Debian libhyperscan-dev, amd64) backs the rule prefilter when
# pkg-config finds it; without it the build uses the portable Aho-Corasick
# matcher only. HYPERSCAN=no builds without it even when it is installed.
HYPERSCAN ?= auto
TG_HS := off
ifneq ($(HYPERSCAN),no)
ifeq ($(shell pkg-config --exists libhs 2>/dev/null && echo yes),yes)
TG_HS    := on
CPPFLAGS += -DTG_HAVE_HYPERSCAN $(shell pkg-config --cflags libhs)
LDLIBS   += $(shell pkg-config --libs libhs)
endif
endif


ifneq ($(FUZZ),)
CFLAGS  += -fsanitize=fuzzer-no-link
endif
ifneq ($(SAN),)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

SRC      := $(wildcard sensor/*.c decoders/*.c rules/*.c reports/*.c)
LIB_SRC  := $(filter-out sensor/main.c,$(SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test-*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz-*.c)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

.PHONY: all deps test check check-asan check-fuzz fuzzers demo fuzz bench install clean

all: $(BUILD)/tollgate $(TEST_BIN) $(TOOL_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# The files that test TG_HAVE_HYPERSCAN are rebuilt when it flips (the
# library was installed or HYPERSCAN=no given): a stamp per state.
$(BUILD)/rules/mpm-hs.o $(BUILD)/lto/rules/mpm-hs.o $(BUILD)/tests/test-mpm.o: $(BUILD)/hyperscan-$(TG_HS)
$(BUILD)/hyperscan-%:
	@mkdir -p $(BUILD)
	@rm -f $(BUILD)/hyperscan-*
	@touch $@

$(BUILD)/libtollgate.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The sensor binary is linked with link-time optimisation: the per-packet
# helpers of one file (ring slots, flow prefetches, counters) inline into
# the loops of another, 3-4% of `make bench`. It gets objects of its own
# under $(BUILD)/lto; tests and tools link the plain library. Not with
# clang (its LTO needs a linker plugin), nor in sanitizer or fuzz builds;
# LTO=no turns it off.
LTO ?= $(if $(SAN)$(FUZZ),no,$(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1)),no,yes))
ifeq ($(LTO),yes)
LTO_OBJ := $(SRC:%.c=$(BUILD)/lto/%.o)
$(BUILD)/lto/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -flto=auto -MMD -MP -c $< -o $@

$(BUILD)/tollgate: $(LTO_OBJ)
	$(CC) $(CFLAGS) -flto=auto $(LDFLAGS) -o $@ $^ $(LDLIBS)
else
$(BUILD)/tollgate: $(BUILD)/sensor/main.o $(BUILD)/libtollgate.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
endif

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libtollgate.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(BUILD)/libtollgate.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

deps:
	@sh tests/deps.sh

# The optimised suite, then the same suite under ASan+UBSan (clang), then
# every fuzz target over its seed corpus.
test: deps
	@mkdir -p build && rm -f build/totals
	$(MAKE) check TOTALS=$(CURDIR)/build/totals
	$(MAKE) check-asan TOTALS=$(CURDIR)/build/totals
	$(MAKE) check-fuzz TOTALS=$(CURDIR)/build/totals
	@sh tests/total.sh build/totals

check: all
	sh tests/run.sh $(BUILD)

check-asan:
	$(MAKE) BUILD=build-asan CC=clang SAN=1 OPT=-O1 all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		sh tests/run.sh build-asan

FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/%)
$(BUILD)/fuzz-%: $(BUILD)/tests/fuzz/fuzz-%.o $(BUILD)/libtollgate.a
	$(CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

fuzzers: $(FUZZ_BIN)

check-fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang SAN=1 FUZZ=1 OPT=-O1 fuzzers
	sh tests/fuzz/run.sh regress build-fuzz

fuzz: deps
	$(MAKE) BUILD=build-fuzz CC=clang SAN=1 FUZZ=1 OPT=-O1 fuzzers
	sh tests/fuzz/run.sh fuzz build-fuzz $(FUZZ_SECONDS)

demo: deps
	$(MAKE) all
	sh tests/demo.sh $(BUILD)

bench: deps
	$(MAKE) all
	sh tests/bench.sh $(BUILD)

# Binary, shipped rules, sample config (also as the live config when there is
# none yet), man page and systemd template unit, with paths filled in.
INSTALL_SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g'
install: $(BUILD)/tollgate
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/tollgate/rules $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/tollgate
	install -m 0755 $(BUILD)/tollgate $(DESTDIR)$(BINDIR)/tollgate
	for f in rules/*.rules rules/*.config; do \
		if [ -e "$$f" ]; then install -m 0644 "$$f" $(DESTDIR)$(DATADIR)/tollgate/rules/ || exit 1; fi; \
	done
	install -m 0644 sensor/tollgate.conf.sample $(DESTDIR)$(DATADIR)/tollgate/tollgate.conf.sample
	[ -e $(DESTDIR)$(SYSCONFDIR)/tollgate/tollgate.conf ] || \
		install -m 0644 sensor/tollgate.conf.sample $(DESTDIR)$(SYSCONFDIR)/tollgate/tollgate.conf
	$(INSTALL_SUBST) sensor/tollgate.8 >$(DESTDIR)$(MANDIR)/man8/tollgate.8
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/tollgate.8
	$(INSTALL_SUBST) sensor/tollgate@.service.in >$(DESTDIR)$(UNITDIR)/tollgate@.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/tollgate@.service

clean:
	rm -rf build build-asan build-fuzz
