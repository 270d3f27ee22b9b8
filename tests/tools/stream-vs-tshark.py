#!/usr/bin/env python3
"""stream-vs-tshark.py STREAM-DUMP PCAP - compare our reassembly with tshark's.

Runs tests/tools/stream-dump --hex (depth unlimited) and tshark's
"follow,tcp,raw" on every TCP stream of PCAP, and compares the bytes of each
direction that both saw without holes (tshark does not mark holes, and a
reused 4-tuple is one flow here but two streams there; those are left out).
After a RST the sensor takes no more data while tshark shows all of it, so
in a stream with a RST ours may be a prefix of tshark's.
Prints one line "ok|FAIL NAME: ..." and exits non-zero on a mismatch."""
import re
import subprocess
import sys


def ours(dump, pcap):
    out = subprocess.run([dump, "--hex", "--set", "stream.depth=0", pcap], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    res = {}
    i = 0
    while i < len(out):
        m = re.match(r"stream (\S+) > (\S+) dir (\d) bytes=(\d+) gaps=(\d+) eof=\d", out[i])
        if not m:
            raise SystemExit(f"FAIL {pcap}: stream-dump printed {out[i]!r}")
        hexs = out[i + 1] if int(m.group(4)) else ""
        i += 2 if int(m.group(4)) else 1
        key = (m.group(1), m.group(2)) if m.group(3) == "0" else (m.group(2), m.group(1))
        res.setdefault(key, []).append((hexs, int(m.group(5))))
    return res


def theirs(pcap):
    rows = subprocess.run(["tshark", "-r", pcap, "-Y", "tcp", "-T", "fields", "-e", "tcp.stream",
                           "-e", "tcp.flags.reset"], check=True, capture_output=True, text=True).stdout
    ids, rst = set(), set()
    for row in rows.splitlines():
        f = row.split("\t")
        if not f[0].isdigit():  # a TCP header quoted inside ICMP
            continue
        ids.add(int(f[0]))
        if len(f) > 1 and f[1] in ("1", "True"):
            rst.add(int(f[0]))
    ids = sorted(ids)
    res = {}
    for start in range(0, len(ids), 50):
        args = ["tshark", "-r", pcap, "-q"]
        for n in ids[start:start + 50]:
            args += ["-z", f"follow,tcp,raw,{n}"]
        text = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        for block in text.split("Follow: tcp,raw")[1:]:
            nodes = re.findall(r"^Node (\d): (\S+)$", block, re.M)
            sid = int(re.search(r"tcp.stream eq (\d+)", block).group(1))
            if len(nodes) != 2:
                continue
            a, b = nodes[0][1], nodes[1][1]
            data = {a: "", b: ""}
            for line in block.splitlines():
                if re.fullmatch(r"\t?[0-9a-f]+", line):
                    data[b if line.startswith("\t") else a] += line.strip()
            for src, dst in ((a, b), (b, a)):
                res.setdefault((src, dst), []).append((data[src], sid in rst))
    return res


def main():
    dump, pcap = sys.argv[1], sys.argv[2]
    name = pcap.rsplit("/", 1)[-1]
    mine, tsh = ours(dump, pcap), theirs(pcap)
    same = skipped = cut = 0
    bad = []
    for key, lst in mine.items():
        other = tsh.get(key, [])
        if len(lst) != 1 or len(other) != 1 or lst[0][1]:
            skipped += 1
            continue
        if lst[0][0] == other[0][0]:
            same += 1
        elif other[0][1] and other[0][0].startswith(lst[0][0]):
            cut += 1
        else:
            bad.append(f"{key[0]} > {key[1]}: ours {len(lst[0][0]) // 2} bytes, tshark {len(other[0][0]) // 2}")
    # directions only tshark has: a link type our decoder does not read, or
    # the second stream of a reused 4-tuple; reported, not judged here
    only = sum(1 for key, lst in tsh.items() if key not in mine and any(d for d, _ in lst))
    if bad:
        print(f"FAIL {name}: " + "; ".join(bad[:5]))
        sys.exit(1)
    print(f"ok   {name}: {same} directions byte-identical with tshark, {cut} cut short by a RST, "
          f"{skipped} not comparable, {only} only in tshark")


if __name__ == "__main__":
    main()
