#!/usr/bin/env python3
"""mk-defrag-pcaps.py [OUTDIR] - write the defragmentation test captures.

pcaps/defrag-ipv4-ooo.pcap      SIP over UDP/IPv4, ~3000-byte messages in
                                 1480-byte fragments, out of order, reversed,
                                 and two datagrams interleaved
pcaps/defrag-ipv4-overlap.pcap  a conflicting copy of a fragment ahead of
                                 the genuine one, a retransmitted overlap
                                 with the same bytes, fragroute-style tiny
                                 fragments, and a datagram that never
                                 completes
pcaps/defrag-ipv6.pcap          SIP over UDP/IPv6, hop-by-hop and
                                 destination options before the fragment
                                 header, out of order, a conflicting
                                 overlap, and fragments inside a 6in4
                                 tunnel whose packets are fragmented too

UDP checksums are computed over the bytes tollgate's "first" policy
reassembles (bytes already held win), so a checksum-validating decoder
agrees with the policy. Addresses are from 198.18.0.0/15 and
fd00:198:18::/48. Deterministic: the same bytes every run."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (PROTO_IPV6, PROTO_UDP, PcapWriter, eth, ipv4, ipv6, ipv6_frag_hdr,  # noqa: E402
                     udp)

A4, B4 = "198.18.0.10", "198.18.0.20"
A6, B6 = "fd00:198:18::10", "fd00:198:18::20"
T4A, T4B = "198.18.1.1", "198.18.1.2"  # 6in4 tunnel end points


def sip_invite(n, callid, uri="sip:bob@example.test", size=3000):
    """A SIP INVITE with an SDP body, padded with a header to about size bytes."""
    sdp = ("v=0\r\no=alice 2890844526 2890844526 IN IP4 198.18.0.10\r\ns=-\r\n"
           "c=IN IP4 198.18.0.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 101\r\n"
           "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
           "a=rtpmap:101 telephone-event/8000\r\n")
    head = (f"INVITE {uri} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 198.18.0.10:5060;branch=z9hG4bK{n:08x}\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:alice@example.test>;tag=1928301774\r\n"
            f"To: <{uri}>\r\n"
            f"Call-ID: {callid}\r\n"
            f"CSeq: {n} INVITE\r\n"
            "Contact: <sip:alice@198.18.0.10:5060>\r\n"
            "Content-Type: application/sdp\r\n")
    fixed = len(head) + len("Content-Length: 0000\r\n\r\n") + len(sdp)
    pad = "X-Pad: " + "".join(chr(ord("a") + (i * 7) % 26) for i in range(max(0, size - fixed - 9))) + "\r\n"
    msg = head + pad + f"Content-Length: {len(sdp):4d}\r\n\r\n" + sdp
    return msg.encode()


def sip_ok(n, callid, size=3000):
    """The answer: the INVITE's framing under a status line."""
    return sip_invite(n, callid, size=size).replace(b"INVITE sip:bob@example.test SIP/2.0", b"SIP/2.0 200 OK", 1)


def v4_frags(src, dst, dgram, ident, cuts, proto=PROTO_UDP):
    """IPv4 fragments of a datagram cut at the byte offsets in cuts."""
    bounds = [0] + list(cuts) + [len(dgram)]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        mf = 0x2000 if b < len(dgram) else 0
        out.append(ipv4(src, dst, dgram[a:b], proto=proto, ident=ident, flags_frag=mf | (a // 8)))
    return out


def v4_frag(src, dst, data, ident, off, more):
    return ipv4(src, dst, data, proto=PROTO_UDP, ident=ident, flags_frag=(0x2000 if more else 0) | (off // 8))


def v6_frag(src, dst, data, ident, off, more, ext=b"", first_nh=44):
    return ipv6(src, dst, ext + ipv6_frag_hdr(PROTO_UDP, off, more, ident) + data, nh=first_nh)


def v6_frags(src, dst, dgram, ident, cuts, ext=b"", first_nh=44):
    bounds = [0] + list(cuts) + [len(dgram)]
    return [v6_frag(src, dst, dgram[a:b], ident, a, b < len(dgram), ext, first_nh)
            for a, b in zip(bounds, bounds[1:])]


def mk_ooo(path):
    w = PcapWriter(path)
    inv = udp(5060, 5060, sip_invite(1, "ooo-1@198.18.0.10"), A4, B4)
    f = v4_frags(A4, B4, inv, 0x1001, [1480, 2960])
    for i in (2, 0, 1):                       # last first
        w.add(eth(f[i]))
    ok = udp(5060, 5060, sip_ok(1, "ooo-1@198.18.0.10"), B4, A4)
    f = v4_frags(B4, A4, ok, 0x2001, [1480, 2960])
    for i in (2, 1, 0):                       # reversed
        w.add(eth(f[i]))
    # Two INVITEs of another call, fragments interleaved and shuffled.
    x = v4_frags(A4, B4, udp(5062, 5060, sip_invite(2, "ooo-2@198.18.0.10"), A4, B4), 0x1002, [1480, 2960])
    y = v4_frags(A4, B4, udp(5062, 5060, sip_invite(3, "ooo-2@198.18.0.10", size=2200), A4, B4), 0x1003,
                 [1480])
    for frag in (x[1], y[1], x[0], y[0], x[2]):
        w.add(eth(frag))
    w.close()


def mk_overlap(path):
    w = PcapWriter(path)
    # 1. A conflicting copy of the middle fragment arrives before the genuine
    #    one; under "first" the conflicting bytes are reassembled, so the
    #    checksum is computed over them.
    real = sip_invite(1, "ovl-1@198.18.0.10", uri="sip:bob@example.test")
    evil_msg = bytearray(real)
    mid = 1480 - 8                             # payload offset of the middle fragment
    evil_msg[mid + 100:mid + 120] = b"sip:mallory@evil.tst"
    evil_dg = udp(5060, 5060, bytes(evil_msg), A4, B4)
    real_dg = evil_dg[:8] + real              # same UDP header (checksum of the evil version)
    f_real = v4_frags(A4, B4, real_dg, 0x3001, [1480, 2960])
    f_evil = v4_frags(A4, B4, evil_dg, 0x3001, [1480, 2960])
    for frag in (f_real[0], f_evil[1], f_real[1], f_real[2]):
        w.add(eth(frag))
    # 2. A retransmitted fragment overlapping its neighbours with the same bytes.
    dg = udp(5060, 5060, sip_invite(2, "ovl-2@198.18.0.10"), A4, B4)
    w.add(eth(v4_frag(A4, B4, dg[0:1480], 0x3002, 0, True)))
    w.add(eth(v4_frag(A4, B4, dg[1400:2000], 0x3002, 1400, True)))
    w.add(eth(v4_frag(A4, B4, dg[1480:2960], 0x3002, 1480, True)))
    w.add(eth(v4_frag(A4, B4, dg[2960:], 0x3002, 2960, False)))
    # 3. fragroute-style: the first 72 bytes in three 24-byte fragments.
    dg = udp(5060, 5060, sip_invite(3, "ovl-3@198.18.0.10"), A4, B4)
    for off in (24, 0, 48):
        w.add(eth(v4_frag(A4, B4, dg[off:off + 24], 0x3003, off, True)))
    w.add(eth(v4_frag(A4, B4, dg[72:1480], 0x3003, 72, True)))
    w.add(eth(v4_frag(A4, B4, dg[1480:], 0x3003, 1480, False)))
    # 4. A partial overlap with different bytes at the fragment boundary,
    #    from the other side.
    real = sip_ok(4, "ovl-4@198.18.0.10")
    dg = udp(5060, 5060, real, B4, A4)
    f = v4_frags(B4, A4, dg, 0x3004, [1480, 2960])
    w.add(eth(f[0]))
    w.add(eth(v4_frag(B4, A4, b"Z" * 16 + dg[1480:1496], 0x3004, 1464, True)))  # [1464,1480) differs
    w.add(eth(f[1]))
    w.add(eth(f[2]))
    # 5. Never completes: the last fragment is missing.
    dg = udp(5060, 5060, sip_invite(5, "ovl-5@198.18.0.10"), A4, B4)
    f = v4_frags(A4, B4, dg, 0x3005, [1480, 2960])
    w.add(eth(f[0]))
    w.add(eth(f[1]))
    w.close()


def hbh_dst(next_hdr=44):
    """Hop-by-hop (PadN) then destination options (PadN), chained to next_hdr."""
    hbh = struct.pack("!BBBB4x", 60, 0, 1, 4)
    dst = struct.pack("!BBBB12x", next_hdr, 1, 1, 12)
    return hbh + dst


def mk_ipv6(path):
    w = PcapWriter(path)
    ext = hbh_dst()
    # 1. INVITE with extension headers before the fragment header, shuffled.
    dg = udp(5060, 5060, sip_invite(1, "v6-1@fd00:198:18::10"), A6, B6)
    f = v6_frags(A6, B6, dg, 0x6001, [1232, 2464], ext=ext, first_nh=0)
    for i in (1, 2, 0):
        w.add(eth(f[i]))
    # 2. The answer without extension headers, reversed.
    dg = udp(5060, 5060, sip_ok(1, "v6-1@fd00:198:18::10"), B6, A6)
    f = v6_frags(B6, A6, dg, 0x6002, [1232, 2464])
    for i in (2, 1, 0):
        w.add(eth(f[i]))
    # 3. A conflicting overlap: the first copy of [1232, 1264) wins.
    real = sip_invite(3, "v6-3@fd00:198:18::10")
    evil_msg = bytearray(real)
    evil_msg[1224:1256] = b"Q" * 32
    evil_dg = udp(5060, 5060, bytes(evil_msg), A6, B6)
    real_dg = evil_dg[:8] + real
    w.add(eth(v6_frag(A6, B6, real_dg[0:1232], 0x6003, 0, True)))
    w.add(eth(v6_frag(A6, B6, evil_dg[1232:1264], 0x6003, 1232, True)))
    w.add(eth(v6_frag(A6, B6, real_dg[1232:2464], 0x6003, 1232, True)))
    w.add(eth(v6_frag(A6, B6, real_dg[2464:], 0x6003, 2464, False)))
    # 4. IPv6 in IPv4 (6in4): the inner datagram is fragmented and the
    #    tunnel fragments the packet carrying the inner first fragment
    #    again; the last outer fragment completes both datagrams.
    dg = udp(5060, 5060, sip_invite(4, "v6-4@fd00:198:18::10"), A6, B6)
    inner = v6_frags(A6, B6, dg, 0x6004, [1232, 2464])
    outer = v4_frags(T4A, T4B, inner[0], 0x4004, [976], proto=PROTO_IPV6)
    w.add(eth(ipv4(T4A, T4B, inner[2], proto=PROTO_IPV6, ident=0x4005)))
    w.add(eth(ipv4(T4A, T4B, inner[1], proto=PROTO_IPV6, ident=0x4006)))
    w.add(eth(outer[1]))
    w.add(eth(outer[0]))
    w.close()


def main():
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "pcaps")
    os.makedirs(out, exist_ok=True)
    mk_ooo(os.path.join(out, "defrag-ipv4-ooo.pcap"))
    mk_overlap(os.path.join(out, "defrag-ipv4-overlap.pcap"))
    mk_ipv6(os.path.join(out, "defrag-ipv6.pcap"))


if __name__ == "__main__":
    main()
