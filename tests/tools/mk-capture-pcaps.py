#!/usr/bin/env python3
"""mk-capture-pcaps.py [OUTDIR] - the captures that test the file reader.

Writes into OUTDIR (default pcaps/):
  capture-truncated.pcap      5 good records, the 6th cut in half
  capture-badlen.pcap         4 good records, the 5th claims 1 GiB, then more
  capture-nsec.pcap           nanosecond-magic pcap with exact ns timestamps
  capture-swapped.pcap        big-endian (byte-swapped) microsecond pcap
  capture-pcapng.pcapng       pcapng, two Ethernet interfaces (one per tap
                              direction, us and ns resolution) plus name
                              resolution and statistics blocks to skip
  capture-pcapng-mixed.pcapng pcapng whose second interface is raw IP, which
                              libpcap cannot read in the same file
  capture-pcapng-snaplen.pcapng  pcapng whose second interface has another
                              snapshot length, which libpcap cannot read either
  capture-split-first.pcap    first half of a TCP and a UDP flow...
  capture-split.pcap          ...and the second half (capture-split.args
                              puts the first file before it on the command line)
Addresses are from 198.18.0.0/15.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (DLT_EN10MB, DLT_RAW, PROTO_TCP, PcapWriter, PcapngWriter,  # noqa: E402
                     eth, ipv4, tcp, udp)

A, B = "198.18.1.1", "198.18.1.2"
T0 = 1700000000


def u(src, dst, sport, dport, payload):
    return eth(ipv4(src, dst, udp(sport, dport, payload, src, dst)))


def t(src, dst, sport, dport, seq, ack, flags, payload=b""):
    return eth(ipv4(src, dst, tcp(sport, dport, seq, ack, flags, payload, src=src, dst=dst), proto=PROTO_TCP))


def udp_exchange(n_req, n_resp):
    """Datagrams of one UDP flow A:40000 -> B:9999, requests then replies."""
    out = [u(A, B, 40000, 9999, b"request %d" % i) for i in range(n_req)]
    out += [u(B, A, 9999, 40000, b"reply %d" % i) for i in range(n_resp)]
    return out


def tcp_session():
    """A:41000 -> B:8080: handshake, one request, one response, FIN both ways."""
    c, s = 1000, 5000
    req, resp = b"GET / HTTP/1.0\r\n\r\n", b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"
    return [
        t(A, B, 41000, 8080, c, 0, "S"),
        t(B, A, 8080, 41000, s, c + 1, "SA"),
        t(A, B, 41000, 8080, c + 1, s + 1, "A"),
        t(A, B, 41000, 8080, c + 1, s + 1, "PA", req),
        t(B, A, 8080, 41000, s + 1, c + 1 + len(req), "PA", resp),
        t(A, B, 41000, 8080, c + 1 + len(req), s + 1 + len(resp), "FA"),
        t(B, A, 8080, 41000, s + 1 + len(resp), c + 2 + len(req), "FA"),
        t(A, B, 41000, 8080, c + 2 + len(req), s + 2 + len(resp), "A"),
    ]


def truncated(path):
    w = PcapWriter(path)
    frames = udp_exchange(3, 3)
    for f in frames[:5]:
        w.add(f)
    last = frames[5]
    w.f.write(struct.pack("<IIII", T0 + 1, 0, len(last), len(last)))
    w.f.write(last[: len(last) // 2])
    w.close()


def badlen(path):
    w = PcapWriter(path)
    frames = udp_exchange(3, 3)
    for f in frames[:4]:
        w.add(f)
    # A record header claiming 1 GiB: beyond any snap length libpcap accepts.
    w.f.write(struct.pack("<IIII", T0 + 1, 0, 1 << 30, 1 << 30))
    for f in frames[4:]:
        w.add(f)
    w.close()


def nsec(path):
    w = PcapWriter(path, nano=True)
    # Fractions above 999999 would be whole seconds if read as microseconds.
    w.add(u(A, B, 40000, 9999, b"one"), ts=(T0, 123456789))
    w.add(u(B, A, 9999, 40000, b"two"), ts=(T0, 987654321))
    w.add(u(A, B, 40000, 9999, b"three"), ts=(T0 + 1, 5))
    w.close()


def swapped(path):
    """Big-endian headers, as a big-endian machine writes them."""
    with open(path, "wb") as f:
        f.write(struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, DLT_EN10MB))
        for i, frame in enumerate(udp_exchange(2, 2)):
            f.write(struct.pack(">IIII", T0 + 2, 250000 + i, len(frame), len(frame)) + frame)


def pcapng(path):
    w = PcapngWriter(path, comment="tollgate capture test")
    back = w.add_interface(DLT_EN10MB, tsresol=9)
    # Name resolution block (type 4): one IPv4 record, then end of records.
    name = b"b.example\0"
    nrb = struct.pack("<HH", 1, 4 + len(name)) + bytes([198, 18, 1, 2]) + name
    nrb += b"\0" * ((-len(nrb)) % 4) + struct.pack("<HH", 0, 0)
    w.add_block(4, nrb)
    for i, f in enumerate(tcp_session()):
        to_server = f[26:30] == bytes([198, 18, 1, 1])
        ts = (T0, 1000000 + i * 1000) if to_server else (T0, (1000000 + i * 1000) * 1000 + 7)
        w.add(f, ts=ts, iface=0 if to_server else back)
    # Interface statistics block (type 5) for interface 0: no options.
    w.add_block(5, struct.pack("<III", 0, 0, 0))
    w.close()


def pcapng_mixed(path):
    w = PcapngWriter(path)
    for f in udp_exchange(2, 1):
        w.add(f)
    raw = w.add_interface(DLT_RAW)
    w.add(ipv4(A, B, udp(40000, 9999, b"raw ip", A, B)), iface=raw)
    w.add(udp_exchange(1, 0)[0])
    w.close()


def pcapng_snaplen(path):
    w = PcapngWriter(path)
    for f in udp_exchange(1, 1):
        w.add(f)
    short = w.add_interface(DLT_EN10MB, snaplen=1500)
    w.add(udp_exchange(1, 0)[0], iface=short)
    w.close()


def split(first, second):
    frames = tcp_session()
    dgrams = udp_exchange(4, 4)
    # Interleave so both flows are open when the first file ends.
    mixed = []
    for i in range(max(len(frames), len(dgrams))):
        if i < len(frames):
            mixed.append(frames[i])
        if i < len(dgrams):
            mixed.append(dgrams[i])
    half = len(mixed) // 2
    w1, w2 = PcapWriter(first), PcapWriter(second)
    w2.t = w1.t + 0.001 * half  # the second file continues the clock
    for f in mixed[:half]:
        w1.add(f)
    for f in mixed[half:]:
        w2.add(f)
    w1.close()
    w2.close()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "pcaps"
    os.makedirs(out, exist_ok=True)
    truncated(os.path.join(out, "capture-truncated.pcap"))
    badlen(os.path.join(out, "capture-badlen.pcap"))
    nsec(os.path.join(out, "capture-nsec.pcap"))
    swapped(os.path.join(out, "capture-swapped.pcap"))
    pcapng(os.path.join(out, "capture-pcapng.pcapng"))
    pcapng_mixed(os.path.join(out, "capture-pcapng-mixed.pcapng"))
    pcapng_snaplen(os.path.join(out, "capture-pcapng-snaplen.pcapng"))
    split(os.path.join(out, "capture-split-first.pcap"), os.path.join(out, "capture-split.pcap"))
    with open(os.path.join(out, "capture-split.args"), "w") as f:
        f.write("pcaps/capture-split-first.pcap\n")


if __name__ == "__main__":
    main()
