#!/usr/bin/env python3
"""mk-sip-pcaps.py - build pcaps/sip-malformed.pcap and pcaps/sip-sessions.pcap.

sip-malformed.pcap holds one malformed SIP message per defect, each on its own
flow (UDP unless marked TCP), plus clean traffic that must stay quiet, so every
anomaly line of pcaps/sip-malformed.expected names one defect on one flow. The
CASES table says which events each flow must raise; the expected file was
checked against it by hand (and tshark -Y sip counts the same messages).

sip-sessions.pcap: three short SIP flows, analysed with sip.max_sessions=2
(pcaps/sip-sessions.args), so the third flow raises sip.max_sessions.

    python3 tests/tools/mk-sip-pcaps.py [OUTDIR]   (default: pcaps/)
    python3 tests/tools/mk-sip-pcaps.py --check LOGDIR/eve.json
        compares the anomalies of an analysed sip-malformed.pcap with CASES
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import PcapWriter, eth, ipv4, ipv6, udp, tcp, PROTO_TCP  # noqa: E402

CLI, SRV = "198.18.0.1", "198.18.0.2"
CLI6, SRV6 = "fd00:198:18::1", "fd00:198:18::2"

SDP_A = ("v=0\r\no=alice 2890844526 2890844526 IN IP4 198.18.0.1\r\ns=-\r\n"
         "c=IN IP4 198.18.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n")
SDP_B = ("v=0\r\no=mallory 1 1 IN IP4 198.18.0.66\r\ns=-\r\n"
         "c=IN IP4 198.18.0.66\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n")


def msg(start, headers, body="", cl=True, ctype=None):
    """A SIP message: start line, header lines (list), optional body."""
    h = list(headers)
    if body and ctype is None:
        ctype = "application/sdp"
    if ctype:
        h.append("Content-Type: " + ctype)
    if cl:
        h.append("Content-Length: %d" % len(body.encode("latin-1")))
    return (start + "\r\n" + "".join(x + "\r\n" for x in h) + "\r\n" + body).encode("latin-1")


def std(method="OPTIONS", cseq=1, cid="c1@198.18.0.1", branch="z9hG4bK1", extra=(), skip=()):
    h = ["Via: SIP/2.0/UDP 198.18.0.1:5060;branch=%s" % branch,
         "Max-Forwards: 70",
         "To: <sip:bob@example.com>",
         "From: \"Alice\" <sip:alice@example.org>;tag=1928301774",
         "Call-ID: " + cid,
         "CSeq: %d %s" % (cseq, method),
         "Contact: <sip:alice@198.18.0.1>"]
    h = [x for x in h if x.split(":")[0] not in skip]
    return h + list(extra)


def req(method="OPTIONS", uri="sip:bob@example.com", **kw):
    body = kw.pop("body", "")
    cl = kw.pop("cl", True)
    ctype = kw.pop("ctype", None)
    line = kw.pop("line", None) or "%s %s SIP/2.0" % (method, uri)
    return msg(line, std(method, **kw), body, cl, ctype)


def resp(code, reason, method="INVITE", cid="c1@198.18.0.1", extra=(), body=""):
    h = ["Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK1",
         "To: <sip:bob@example.com>;tag=8321234356",
         "From: \"Alice\" <sip:alice@example.org>;tag=1928301774",
         "Call-ID: " + cid, "CSeq: 1 " + method] + list(extra)
    return msg("SIP/2.0 %s %s" % (code, reason), h, body)


AUTH = ('Authorization: Digest username="alice", realm="example.org", nonce="abc", '
        'uri="sip:bob@example.com", response="0123456789abcdef0123456789abcdef"')

# (client port, transport, [(direction, payload), ...], events the flow must raise: exactly these)
# libosip2 rejects many of these messages too (sip.osip_parse_failed): where it
# does, that is listed; where it accepts a defect (a missing empty line, a bad
# CSeq), only our own check names it.
# direction 0: client -> server, 1: server -> client. TCP payloads are one segment each.
CASES = [
    (40000, "udp", [(0, req("INVITE", body=SDP_A)), (1, resp(180, "Ringing")), (1, resp(200, "OK", body=SDP_A)),
                    (0, req("ACK", cseq=1))], []),
    (40001, "udp", [(0, req(line="OPTIONS  SIP/2.0"))], ["sip.empty_request_uri", "sip.osip_parse_failed"]),
    (40002, "udp", [(0, req(uri="sip:" + "a" * 300 + "@example.com"))], ["sip.bad_uri"]),
    (40003, "udp", [(0, req(cid=""))], ["sip.empty_call_id"]),
    (40004, "udp", [(0, req(cid="x" * 300))], ["sip.bad_call_id"]),
    (40005, "udp", [(0, req(cseq=4294967296))], ["sip.bad_cseq_num"]),
    (40006, "udp", [(0, req("OPTIONSOPTIONSOPTIONSX"))], ["sip.bad_cseq_name"]),
    (40007, "udp", [(0, req(skip=("From",), extra=("From:",)))], ["sip.empty_from"]),
    (40008, "udp", [(0, req(skip=("From",), extra=("From: <sip:" + "f" * 260 + "@example.org>;tag=1",)))],
     ["sip.bad_from"]),
    (40009, "udp", [(0, req(skip=("To",), extra=("To: ",)))], ["sip.empty_to"]),
    (40010, "udp", [(0, req(skip=("To",), extra=("t: <sip:" + "t" * 260 + "@example.com>",)))], ["sip.bad_to"]),
    (40011, "udp", [(0, req(skip=("Via",), extra=("Via:",)))], ["sip.empty_via"]),
    (40012, "udp", [(0, req(extra=["Via: SIP/2.0/UDP proxy%d.example.com;branch=z9hG4bK%d" % (i, i)
                                   for i in range(30)]))], ["sip.bad_via"]),
    (40013, "udp", [(0, req("INVITE", skip=("Contact",), body=SDP_A))], ["sip.empty_contact"]),
    (40014, "udp", [(0, req(skip=("Contact",), extra=("Contact: <sip:" + "m" * 260 + "@198.18.0.1>",)))],
     ["sip.bad_contact"]),
    (40015, "udp", [(0, req(cl=False, extra=("Content-Length: -5",)))], ["sip.bad_content_len"]),
    (40016, "udp", [(0, req() + req(cseq=2))], ["sip.multi_msgs"]),
    (40017, "udp", [(0, req(cl=False, extra=("Content-Length: 100",), ctype="text/plain") + b"short body")],
     ["sip.mismatch_content_len", "sip.osip_parse_failed"]),
    (40018, "udp", [(0, req("OPTIONS", line="OPTIONS sip:bob@example.com SIP/2.0", cseq=1) .replace(
        b"CSeq: 1 OPTIONS", b"CSeq: 1 OPT(ONS"))], ["sip.invalid_cseq_name"]),
    (40019, "udp", [(0, req("INVITE", extra=(AUTH,), body=SDP_A))], ["sip.auth_invite_replay_attack"]),
    (40020, "udp", [(0, req("INVITE", body=SDP_A)), (1, resp(180, "Ringing")), (0, req("INVITE", body=SDP_B))],
     ["sip.auth_invite_diff_session"]),
    (40021, "udp", [(1, resp("20", "OK"))], ["sip.bad_status_code"]),
    (40022, "udp", [(0, req(body="hello", ctype=""))], ["sip.missing_content_type"]),
    (40023, "udp", [(0, req(line="OPTIONS sip:bob@example.com SIP/3.0"))], ["sip.invalid_version"]),
    (40024, "udp", [(0, req(line="OPTIONS sip:bob@example.com SIP/2.0", method="BYE"))], ["sip.mismatch_method"]),
    (40025, "udp", [(0, req("OPT<ONS"))], ["sip.unknown_method", "sip.invalid_cseq_name"]),
    (40026, "udp", [(0, req("INVITE", cid="d%d" % i, body=SDP_A)) for i in range(5)],
     ["sip.max_dialogs_in_a_session"]),
    (40027, "udp", [(0, req(extra=("Call-ID: second",)))], ["sip.duplicate_header", "sip.osip_parse_failed"]),
    (40028, "udp", [(0, req(skip=("CSeq",)))], ["sip.missing_header"]),
    (40029, "udp", [(0, req(extra=("l: 0",)))], ["sip.multiple_content_length", "sip.duplicate_header", "sip.osip_parse_failed"]),
    (40030, "udp", [(0, req(extra=("X(Bad): 1",)))], ["sip.bad_header_name"]),
    (40031, "udp", [(0, req(extra=("this line has no colon",)))], ["sip.malformed_header_line", "sip.osip_parse_failed"]),
    (40032, "udp", [(0, req(uri="sip:bo|b@example.com"))], ["sip.bad_request_uri_char"]),
    (40033, "udp", [(0, req(uri="sip:bob@example.com; lr"))], ["sip.request_uri_lws", "sip.osip_parse_failed"]),
    (40034, "udp", [(0, req(uri="<sip:bob@example.com>"))], ["sip.request_uri_brackets"]),
    (40035, "udp", [(0, req(uri="sip:bob@example.com?Route=%3Csip:evil%3E"))], ["sip.request_uri_headers"]),
    (40036, "udp", [(0, req(line="OPTIONS sip:bob@example.com SIP/2.0  "))], ["sip.request_line_spaces", "sip.osip_parse_failed"]),
    (40037, "udp", [(0, req(skip=("Max-Forwards",), extra=("Max-Forwards: 300",)))], ["sip.bad_max_forwards"]),
    (40038, "udp", [(0, req(extra=("Expires: 99999999999",)))], ["sip.bad_expires"]),
    (40039, "udp", [(1, resp(503, "Service Unavailable", extra=("Retry-After: 949302838503028349",)))],
     ["sip.bad_retry_after"]),
    (40040, "udp", [(1, resp(799, "Odd"))], ["sip.status_code_range"]),
    (40041, "udp", [(0, req(skip=("To",), extra=('To: "Watson <sip:watson@example.com>',)))],
     ["sip.unterminated_quote", "sip.osip_parse_failed"]),
    (40042, "udp", [(0, req(extra=("X-Nul: a\0b",)))], ["sip.nul_byte", "sip.osip_parse_failed"]),
    (40043, "udp", [(0, req()), (0, b"\x16\x03junk\r\n" + req(cseq=2))], ["sip.junk_before_message"]),
    (40057, "udp", [(0, b"\x00\x01garbage\r\n" + req())], ["sip.junk_before_message"]),  # on a new flow
    (40044, "udp", [(0, req(skip=("From",), extra=("From: \"x' OR '1'='1\" <sip:alice@example.org>;tag=9",)))],
     ["sip.sql_injection"]),
    (40045, "udp", [(0, req(extra=("User-Agent: <script>alert(document.cookie)</script>",)))],
     ["sip.script_injection"]),
    (40046, "udp", [(0, req(extra=("Content-Type: a/b", "Content-Type: c/d")))], ["sip.osip_parse_failed"]),
    (40047, "udp", [(0, req(skip=("To",), extra=("To: Watson, Thomas <sip:watson@example.com>",)))],
     ["sip.bad_display_name", "sip.osip_parse_failed"]),
    (40048, "udp", [(0, req(skip=("To",), extra=('To: "Watson" < sip:watson@example.com >',)))],
     ["sip.bad_name_addr", "sip.osip_parse_failed"]),
    (40049, "udp", [(0, req(skip=("Contact",), extra=("Contact: sip:a@198.18.0.1?Route=%3Csip:evil%3E",)))],
     ["sip.unbracketed_uri_headers"]),
    (40050, "udp", [(0, req(skip=("Contact",), extra=("Contact: <sip:a@198.18.0.1>;;;",)))],
     ["sip.empty_header_param", "sip.osip_parse_failed"]),
    (40051, "udp", [(0, req(extra=("Date: Fri, 01 Jan 2010 16:00:00 EST",)))], ["sip.bad_date"]),
    (40052, "udp", [(0, req(extra=["X-H%d: %d" % (i, i) for i in range(300)]))], ["sip.header_cap"]),
    (40053, "udp", [(0, req()[:-2])], ["sip.headers_unterminated"]),
    # not SIP: SSDP on the SIP port
    (40054, "udp", [(0, b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
                        b"MX: 1\r\nST: ssdp:all\r\n\r\n")], []),
    # TCP: clean REGISTER and 401 in their own segments, then three messages in one segment
    (40055, "tcp", [(0, req("REGISTER", uri="sip:example.com")),
                    (1, resp(401, "Unauthorized", method="REGISTER",
                             extra=('WWW-Authenticate: Digest realm="example.org", nonce="n1"',))),
                    (0, req("REGISTER", uri="sip:example.com", cseq=2) + req("OPTIONS", cseq=3) +
                     req("OPTIONS", cseq=4))], []),
    # TCP: a malformed message after a clean one in the same segment
    (40056, "tcp", [(0, req() + req(line="OPTIONS <sip:bob@example.com> SIP/2.0", cseq=2))],
     ["sip.request_uri_brackets"]),
]


def add_udp(w, sport, dport, payload, v6, d):
    s, t = (CLI6, SRV6) if v6 else (CLI, SRV)
    if d:
        s, t, sport, dport = t, s, dport, sport
    seg = udp(sport, dport, payload, s, t)
    w.add(eth(ipv6(s, t, seg) if v6 else ipv4(s, t, seg)))


def add_tcp_flow(w, cport, items):
    seq = {0: 1000, 1: 5000}
    port = {0: cport, 1: 5060}
    addr = {0: CLI, 1: SRV}

    def seg(d, flags, payload=b""):
        s, t = addr[d], addr[1 - d]
        w.add(eth(ipv4(s, t, tcp(port[d], port[1 - d], seq[d], seq[1 - d], flags, payload, src=s, dst=t),
                       proto=PROTO_TCP)))
        seq[d] += len(payload) + (1 if ("S" in flags or "F" in flags) else 0)

    seg(0, "S")
    seq[1] -= 0
    w.add(eth(ipv4(SRV, CLI, tcp(5060, cport, seq[1], seq[0], "SA", src=SRV, dst=CLI), proto=PROTO_TCP)))
    seq[1] += 1
    seg(0, "A")
    for d, payload in items:
        seg(d, "PA", payload)
    seg(0, "FA")
    seg(1, "FA")
    seg(0, "A")


def check(eve_path):
    """Compare the anomaly events per client port in an eve.json with CASES."""
    import json
    got = {}
    for line in open(eve_path, encoding="utf-8"):
        ev = json.loads(line)
        if ev["event_type"] != "anomaly":
            continue
        port = ev["src_port"] if ev["src_port"] != 5060 else ev["dest_port"]
        got.setdefault(port, set()).add(ev["anomaly"]["event"])
    bad = 0
    for cport, _proto, _items, events in CASES:
        want = set(events)
        if got.get(cport, set()) != want:
            print("port %d: want %s got %s" % (cport, sorted(want), sorted(got.get(cport, set()))))
            bad += 1
    extra = set(got) - {c[0] for c in CASES}
    for port in sorted(extra):
        print("port %d: unexpected %s" % (port, sorted(got[port])))
        bad += 1
    print("%d cases, %d differ" % (len(CASES), bad))
    return 1 if bad else 0


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--check":
        sys.exit(check(sys.argv[2]))
    out = sys.argv[1] if len(sys.argv) > 1 else "pcaps"
    w = PcapWriter(os.path.join(out, "sip-malformed.pcap"))
    for cport, proto, items, _events in CASES:
        if proto == "udp":
            for d, payload in items:
                add_udp(w, cport, 5060, payload, False, d)
        else:
            add_tcp_flow(w, cport, items)
    # IPv6: a clean MESSAGE and its 200
    add_udp(w, 40100, 5060, req("MESSAGE", body="hi", ctype="text/plain"), True, 0)
    add_udp(w, 40100, 5060, resp(200, "OK", method="MESSAGE"), True, 1)
    w.close()

    w = PcapWriter(os.path.join(out, "sip-sessions.pcap"))
    for i in range(3):
        add_udp(w, 41000 + i, 5060, req(cid="s%d" % i), False, 0)
    w.close()


if __name__ == "__main__":
    main()
