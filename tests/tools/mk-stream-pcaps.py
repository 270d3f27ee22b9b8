#!/usr/bin/env python3
"""mk-stream-pcaps.py [OUTDIR] - write the TCP reassembly test captures.

Each capture is one SIP-over-TCP session (198.18.0.1 -> 198.18.0.2:5060)
built segment by segment so the reassembly paths are exercised on real
packet bytes: out-of-order segments with a conflicting overlap and an exact
retransmission, a segment the sensor never saw (the receiver ACKs past it),
sequence numbers wrapping at 2^32 followed by a RST, a SYN/ACK that does
not acknowledge the SYN, and 20 KB cut into random segments, some sent again
with other boundaries, shuffled (stream-shuffle, no .expected: only its
reassembled bytes are checked).

Beside each NAME.pcap it writes NAME.streams: what tests/tools/stream-dump
must print for it, derived here from the bytes each end really sent and the
first-wins policy, not from the sensor's output. The NAME.expected files
(sensor summaries) were checked against tshark's sequence analysis.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import PcapWriter, eth, ipv4, tcp, PROTO_TCP  # noqa: E402

CLI, SRV = "198.18.0.1", "198.18.0.2"
CPORT, SPORT = 40000, 5060

INVITE = (
    b"INVITE sip:bob@198.18.0.2 SIP/2.0\r\n"
    b"Via: SIP/2.0/TCP 198.18.0.1:40000;branch=z9hG4bK-stream1\r\n"
    b"From: <sip:alice@198.18.0.1>;tag=a1\r\n"
    b"To: <sip:bob@198.18.0.2>\r\n"
    b"Call-ID: stream-test@198.18.0.1\r\n"
    b"CSeq: 1 INVITE\r\n"
    b"Contact: <sip:alice@198.18.0.1:40000;transport=tcp>\r\n"
    b"Max-Forwards: 70\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)
TRYING = (
    b"SIP/2.0 100 Trying\r\n"
    b"Via: SIP/2.0/TCP 198.18.0.1:40000;branch=z9hG4bK-stream1\r\n"
    b"From: <sip:alice@198.18.0.1>;tag=a1\r\n"
    b"To: <sip:bob@198.18.0.2>\r\n"
    b"Call-ID: stream-test@198.18.0.1\r\n"
    b"CSeq: 1 INVITE\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)


def escape(data):
    """The text form of tests/tools/stream-dump.c."""
    out = []
    for c in data:
        if c == 13:
            out.append("\\r")
        elif c == 10:
            out.append("\\n\n")
        elif c == 92:
            out.append("\\\\")
        elif c < 0x20 or c >= 0x7F:
            out.append("\\x%02x" % c)
        else:
            out.append(chr(c))
    return "".join(out)


def streams(path, client, server, gaps_at=(), eof=(True, True)):
    """Write the expected dump: client and server bytes, with [GAP] before
    the client byte offsets in gaps_at."""
    lines = []
    for d, (data, end) in enumerate(((client, eof[0]), (server, eof[1]))):
        if not data:
            continue
        cuts = [0] + [g for g in gaps_at if d == 0] + [len(data)]
        text = ""
        for i in range(len(cuts) - 1):
            if i:
                if text and not text.endswith("\n"):
                    text += "\n"
                text += "[GAP]\n"
            text += escape(data[cuts[i]:cuts[i + 1]])
        if not text.endswith("\n"):
            text += "\n"
        lines.append("stream %s:%d > %s:%d dir %d bytes=%d gaps=%d eof=%d\n" % (
            CLI, CPORT, SRV, SPORT, d, len(data), len(cuts) - 2 if d == 0 else 0, 1 if end else 0))
        lines.append(text)
    with open(path, "w") as f:
        f.write("".join(lines))


class Session:
    """Both ends of one TCP connection; seq numbers are absolute."""

    def __init__(self, w, cisn, sisn):
        self.w, self.cisn, self.sisn = w, cisn, sisn

    def c(self, flags, off, ack_off, data=b"", raw_ack=None):
        """Client segment at client stream offset off, acking server offset ack_off."""
        ack = raw_ack if raw_ack is not None else self.sisn + 1 + ack_off
        seq = self.cisn + (0 if "S" in flags else 1 + off)
        seg = tcp(CPORT, SPORT, seq, ack if "A" in flags else 0, flags, data, src=CLI, dst=SRV)
        self.w.add(eth(ipv4(CLI, SRV, seg, proto=PROTO_TCP)))

    def s(self, flags, off, ack_off, data=b"", raw_ack=None):
        ack = raw_ack if raw_ack is not None else self.cisn + 1 + ack_off
        seq = self.sisn + (0 if "S" in flags else 1 + off)
        seg = tcp(SPORT, CPORT, seq, ack if "A" in flags else 0, flags, data, src=SRV, dst=CLI)
        self.w.add(eth(ipv4(SRV, CLI, seg, proto=PROTO_TCP), src=b"\x02\0\0\0\0\x02", dst=b"\x02\0\0\0\0\x01"))

    def handshake(self):
        self.c("S", 0, 0)
        self.s("SA", 0, 0)
        self.c("A", 0, 0)


def ooo_overlap(path):
    """INVITE in four pieces A B C D sent as C, B' (B plus 10 bytes over C
    that differ), D, A, then the first half of A again."""
    w = PcapWriter(path)
    t = Session(w, 0x1000, 0x8000)
    t.handshake()                                             # 1-3
    b, c = 130, 200                                           # B = [b, c), C starts at c
    n = len(INVITE)
    forged = INVITE[b:c] + b"X" * 10                          # B plus 10 rewritten bytes of C
    t.c("PA", c, 0, INVITE[c:n - 40])                         # 4 C: ahead of a hole
    t.c("PA", b, 0, forged)                                   # 5 B': fills B, conflicts on C
    t.c("PA", n - 40, 0, INVITE[n - 40:])                     # 6 D
    t.c("PA", 0, 0, INVITE[:b])                               # 7 A: everything delivers
    t.c("PA", 0, 0, INVITE[:60])                              # 8 exact retransmission
    t.s("A", 0, n)                                            # 9
    t.s("PA", 0, n, TRYING)                                   # 10
    t.c("A", n, len(TRYING))                                  # 11
    t.c("FA", n, len(TRYING))                                 # 12
    t.s("FA", len(TRYING), n + 1)                             # 13
    t.c("A", n + 1, len(TRYING) + 1)                          # 14
    w.close()
    # first wins: the rewritten bytes of packet 5 never show
    streams(path.replace(".pcap", ".streams"), INVITE, TRYING)


def gap(path):
    """The sensor misses the middle of the INVITE; the server ACKs past it."""
    w = PcapWriter(path)
    t = Session(w, 0x20000, 0x90000)
    t.handshake()                                             # 1-3
    n = len(INVITE)
    t.c("PA", 0, 0, INVITE[:100])                             # 4
    # INVITE[100:180] is sent but not captured
    t.c("PA", 180, 0, INVITE[180:])                           # 5 queued
    t.s("A", 0, 100)                                          # 6 acks the piece seen
    t.s("A", 0, n)                                            # 7 acks past the hole: gap
    t.s("PA", 0, n, TRYING)                                   # 8
    t.c("FA", n, len(TRYING))                                 # 9
    t.s("FA", len(TRYING), n + 1)                             # 10
    t.c("A", n + 1, len(TRYING) + 1)                          # 11
    w.close()
    streams(path.replace(".pcap", ".streams"), INVITE[:100] + INVITE[180:], TRYING, gaps_at=(100,))


def wrap_rst(path):
    """Client sequence numbers wrap at 2^32 inside the INVITE; out of order
    across the wrap; the server resets the connection."""
    w = PcapWriter(path)
    t = Session(w, 0xFFFFFFFF - 100, 0x7FFFFFF0)             # data wraps after 100 bytes
    t.handshake()                                             # 1-3
    t.c("PA", 150, 0, INVITE[150:])                           # 4 past the wrap, queued
    t.c("PA", 0, 0, INVITE[:150])                             # 5 straddles 2^32
    t.s("A", 0, len(INVITE))                                  # 6
    t.s("RA", 0, len(INVITE))                                 # 7
    w.close()
    streams(path.replace(".pcap", ".streams"), INVITE, b"")


def synack_wrong_ack(path):
    """A SYN/ACK that acknowledges the wrong number (forged), then the real one."""
    w = PcapWriter(path)
    t = Session(w, 0x3000, 0xA000)
    t.c("S", 0, 0)                                            # 1
    seg = tcp(SPORT, CPORT, 0xDEAD0000, 0x12345678, "SA", src=SRV, dst=CLI)
    w.add(eth(ipv4(SRV, CLI, seg, proto=PROTO_TCP), src=b"\x02\0\0\0\0\x02", dst=b"\x02\0\0\0\0\x01"))  # 2
    t.s("SA", 0, 0)                                           # 3
    t.c("A", 0, 0)                                            # 4
    t.c("PA", 0, 0, INVITE)                                   # 5
    t.s("PA", 0, len(INVITE), TRYING)                         # 6
    t.c("FA", len(INVITE), len(TRYING))                       # 7
    t.s("FA", len(TRYING), len(INVITE) + 1)                   # 8
    t.c("A", len(INVITE) + 1, len(TRYING) + 1)                # 9
    w.close()
    streams(path.replace(".pcap", ".streams"), INVITE, TRYING)


def shuffle(path):
    """20 KB of SIP messages cut into random segments, some sent twice with
    other boundaries (same bytes), reordered within a window of 8, and
    acknowledged only at the end: reassembly must give back exactly the
    bytes sent, with no gap and no overlap event."""
    rnd = random.Random(4242)
    w = PcapWriter(path)
    t = Session(w, 0x5000, 0xB000)
    t.handshake()
    data = b""
    i = 0
    while len(data) < 20000:
        i += 1
        data += INVITE.replace(b"CSeq: 1 ", b"CSeq: %d " % i)
    segs = []
    off = 0
    while off < len(data):
        n = rnd.randint(1, 1400)
        segs.append((off, data[off:off + n]))
        if rnd.random() < 0.2:  # a retransmission cut differently
            a = max(0, off - rnd.randint(0, 300))
            segs.append((a, data[a:off + n + rnd.randint(0, 300)]))
        off += n
    for k in range(0, len(segs), 8):
        chunk = segs[k:k + 8]
        rnd.shuffle(chunk)
        for o, d in chunk:
            t.c("PA", o, 0, d)
    t.s("A", 0, len(data))
    t.c("FA", len(data), 0)
    t.s("FA", 0, len(data) + 1)
    t.c("A", len(data) + 1, 1)
    w.close()
    streams(path.replace(".pcap", ".streams"), data, b"")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "pcaps")
    os.makedirs(out, exist_ok=True)
    ooo_overlap(os.path.join(out, "stream-ooo-overlap.pcap"))
    gap(os.path.join(out, "stream-gap.pcap"))
    wrap_rst(os.path.join(out, "stream-wrap-rst.pcap"))
    synack_wrong_ack(os.path.join(out, "stream-synack-wrong-ack.pcap"))
    shuffle(os.path.join(out, "stream-shuffle.pcap"))


if __name__ == "__main__":
    main()
