#!/usr/bin/env python3
"""make-g711-pcap.py OUT.pcap [SECONDS [4|6]] - a G.711 A-law RTP stream for sipp's play_pcap_audio.

20 ms frames (160 samples at 8000 Hz, payload type 8), a 440 Hz tone
encoded with the G.711 A-law rule, marker bit on the first packet. sipp
re-addresses the packets to the negotiated media address, so the addresses
here (198.18.0.0/15, fd00:198:18::/48) only need to be valid, but sipp
plays IPv4 packets only to IPv4 peers and IPv6 ones to IPv6 peers."""
import math
import struct
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from pcapgen import PcapWriter, eth, ipv4, ipv6, udp  # noqa: E402


def alaw(sample):
    """ITU-T G.711 A-law encoding of a 16-bit linear sample."""
    sign = 0x80 if sample >= 0 else 0
    if sample < 0:
        sample = -sample - 1
    sample = min(sample, 32635) >> 3  # 13-bit magnitude
    if sample < 32:
        code = sample >> 1
    else:
        seg = sample.bit_length() - 5
        code = (seg << 4) | ((sample >> seg) & 0x0F)
    return (code | sign) ^ 0x55


def main():
    out = sys.argv[1]
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    v6 = len(sys.argv) > 3 and sys.argv[3] == "6"
    src, dst = ("fd00:198:18:20::1", "fd00:198:18:20::2") if v6 else ("198.18.20.1", "198.18.20.2")
    ip = ipv6 if v6 else ipv4
    w = PcapWriter(out)
    ssrc, seq0, ts0 = 0x7A6C2B10, 31000, 160000
    t = 1700000000.0
    n = int(secs * 50)
    for i in range(n):
        pcm = bytes(alaw(int(8000 * math.sin(2 * math.pi * 440 * (i * 160 + k) / 8000))) for k in range(160))
        rtp = struct.pack("!BBHII", 0x80, 8 | (0x80 if i == 0 else 0), (seq0 + i) & 0xFFFF,
                          ts0 + 160 * i, ssrc) + pcm
        w.add(eth(ip(src, dst, udp(6000, 6002, rtp, src, dst))),
              ts=t + 0.02 * i)
    w.close()


if __name__ == "__main__":
    main()
