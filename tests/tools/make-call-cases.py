#!/usr/bin/env python3
"""make-call-cases.py OUT.pcap - a capture of call-tracker cases a sipp run cannot easily make.

Timeline (seconds from 1700000000 exactly, microsecond timestamps):
  call "auth-fork": UAC 198.18.30.1:5060 -> proxy 198.18.30.2:5060
    0.000 INVITE cseq 1 (SDP: media at 198.18.30.51:4000)   0.010 407   0.011 ACK
    1.000 INVITE cseq 2 with Proxy-Authorization            1.005 100
    1.100 180 tag x                                          1.150 183 tag y (SDP 198.18.30.61:5000)
    1.400 486 tag x (one branch busy)                        1.500 200 tag y (SDP 198.18.30.61:5000)
    1.510 ACK
    1.520 .. 2.500 RTP 50 packets each way between 198.18.30.51:4000 and 198.18.30.61:5000
          (neither is a signalling host)
    3.000 BYE from the callee, sent from the proxy's other port 5070   3.001 200
    -> answered, status 200, setup 1500 ms, talk 1.500 s, hangup callee, 1 challenge, 2 forks, rtp 50/50
  call "cancel": 198.18.30.1:5060 -> 198.18.30.2:5060
    4.000 INVITE   4.100 180 tag c   4.900 CANCEL (from the UAC's port 5062)   4.901 200 (CANCEL)
    4.902 487      4.903 ACK
    -> cancelled, status 487, setup 902 ms
  registration: 5.000 REGISTER from 198.18.30.1:5060 (Expires 600)  5.001 401
                5.100 REGISTER with Authorization (CSeq 2)          5.101 200
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import PcapWriter, eth, ipv4, udp  # noqa: E402

BASE = 1700000000
UAC, PROXY = "198.18.30.1", "198.18.30.2"
MEDIA_A, MEDIA_B = "198.18.30.51", "198.18.30.61"


def sdp(ip, port):
    return (f"v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
            f"m=audio {port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n").encode()


def sip(start, cid, ftag, ttag, cseq, meth, body=b"", extra="", frm="alice", to="bob"):
    h = (f"{start}\r\nVia: SIP/2.0/UDP {UAC}:5060;branch=z9hG4bK-{cid}-{cseq}-{meth}\r\n"
         f"From: \"Alice\" <sip:{frm}@example.test>;tag={ftag}\r\n"
         f"To: <sip:{to}@example.test>{';tag=' + ttag if ttag else ''}\r\n"
         f"Call-ID: {cid}\r\nCSeq: {cseq} {meth}\r\nMax-Forwards: 70\r\n{extra}")
    if meth == "INVITE":
        h += f"Contact: <sip:{frm}@{UAC}:5060>\r\n"
    if body:
        h += "Content-Type: application/sdp\r\n"
    h += f"Content-Length: {len(body)}\r\n\r\n"
    return h.encode() + body


def main():
    w = PcapWriter(sys.argv[1])

    def send(t_ms, src, sport, dst, dport, payload):
        us = int(round(t_ms * 1000))
        w.add(eth(ipv4(src, dst, udp(sport, dport, payload, src, dst))), ts=(BASE + us // 1000000, us % 1000000))

    inv = "INVITE sip:bob@example.test SIP/2.0"
    cid = "auth-fork@198.18.30.1"
    send(0, UAC, 5060, PROXY, 5060, sip(inv, cid, "a1", None, 1, "INVITE", sdp(MEDIA_A, 4000)))
    send(10, PROXY, 5060, UAC, 5060, sip("SIP/2.0 407 Proxy Authentication Required", cid, "a1", "p", 1, "INVITE",
                                         extra='Proxy-Authenticate: Digest realm="example.test", nonce="abc"\r\n'))
    send(11, UAC, 5060, PROXY, 5060, sip("ACK sip:bob@example.test SIP/2.0", cid, "a1", "p", 1, "ACK"))
    auth = ('Proxy-Authorization: Digest username="alice", realm="example.test", nonce="abc", '
            'uri="sip:bob@example.test", response="0123456789abcdef0123456789abcdef"\r\nUser-Agent: cases-uac\r\n')
    send(1000, UAC, 5060, PROXY, 5060, sip(inv, cid, "a1", None, 2, "INVITE", sdp(MEDIA_A, 4000), auth))
    send(1005, PROXY, 5060, UAC, 5060, sip("SIP/2.0 100 Trying", cid, "a1", None, 2, "INVITE"))
    send(1100, PROXY, 5060, UAC, 5060, sip("SIP/2.0 180 Ringing", cid, "a1", "x", 2, "INVITE"))
    send(1150, PROXY, 5060, UAC, 5060, sip("SIP/2.0 183 Session Progress", cid, "a1", "y", 2, "INVITE", sdp(MEDIA_B, 5000)))
    send(1400, PROXY, 5060, UAC, 5060, sip("SIP/2.0 486 Busy Here", cid, "a1", "x", 2, "INVITE"))
    send(1500, PROXY, 5060, UAC, 5060, sip("SIP/2.0 200 OK", cid, "a1", "y", 2, "INVITE", sdp(MEDIA_B, 5000),
                                           "Server: cases-uas\r\n"))
    send(1510, UAC, 5060, PROXY, 5060, sip("ACK sip:bob@example.test SIP/2.0", cid, "a1", "y", 2, "ACK"))
    for i in range(50):
        t = 1520 + 20 * i
        rtp = struct.pack("!BBHII", 0x80, 8, 1000 + i, 160 * i, 0x11111111) + bytes(160)
        send(t, MEDIA_A, 4000, MEDIA_B, 5000, rtp)
        rtp = struct.pack("!BBHII", 0x80, 8, 2000 + i, 160 * i, 0x22222222) + bytes(160)
        send(t + 5, MEDIA_B, 5000, MEDIA_A, 4000, rtp)
    # the callee hangs up; its BYE leaves the proxy from another port
    send(3000, PROXY, 5070, UAC, 5060, sip("BYE sip:alice@198.18.30.1 SIP/2.0", cid, "y", "a1", 1, "BYE",
                                           frm="bob", to="alice"))
    send(3001, UAC, 5060, PROXY, 5070, sip("SIP/2.0 200 OK", cid, "y", "a1", 1, "BYE", frm="bob", to="alice"))

    cid = "cancel@198.18.30.1"
    send(4000, UAC, 5060, PROXY, 5060, sip(inv, cid, "c1", None, 1, "INVITE", sdp(MEDIA_A, 4002)))
    send(4100, PROXY, 5060, UAC, 5060, sip("SIP/2.0 180 Ringing", cid, "c1", "c", 1, "INVITE"))
    send(4900, UAC, 5062, PROXY, 5060, sip("CANCEL sip:bob@example.test SIP/2.0", cid, "c1", None, 1, "CANCEL"))
    send(4901, PROXY, 5060, UAC, 5062, sip("SIP/2.0 200 OK", cid, "c1", "c", 1, "CANCEL"))
    send(4902, PROXY, 5060, UAC, 5060, sip("SIP/2.0 487 Request Terminated", cid, "c1", "c", 1, "INVITE"))
    send(4903, UAC, 5060, PROXY, 5060, sip("ACK sip:bob@example.test SIP/2.0", cid, "c1", "c", 1, "ACK"))

    cid = "reg@198.18.30.1"
    reg = "REGISTER sip:example.test SIP/2.0"
    ex = "Contact: <sip:alice@198.18.30.1:5060>\r\nExpires: 600\r\nUser-Agent: cases-uac\r\n"
    send(5000, UAC, 5060, PROXY, 5060, sip(reg, cid, "r1", None, 1, "REGISTER", extra=ex, to="alice"))
    send(5001, PROXY, 5060, UAC, 5060, sip("SIP/2.0 401 Unauthorized", cid, "r1", "s", 1, "REGISTER", to="alice",
                                           extra='WWW-Authenticate: Digest realm="example.test", nonce="n"\r\n'))
    send(5100, UAC, 5060, PROXY, 5060, sip(reg, cid, "r1", None, 2, "REGISTER", to="alice",
                                           extra=ex + 'Authorization: Digest username="alice", realm="example.test", '
                                           'nonce="n", uri="sip:example.test", response="00"\r\n'))
    send(5101, PROXY, 5060, UAC, 5060, sip("SIP/2.0 200 OK", cid, "r1", "s", 2, "REGISTER", to="alice",
                                           extra="Contact: <sip:alice@198.18.30.1:5060>;expires=600\r\n"))
    w.close()


if __name__ == "__main__":
    main()
