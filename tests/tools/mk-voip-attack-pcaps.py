#!/usr/bin/env python3
"""mk-voip-attack-pcaps.py - build pcaps/voip-attacks.pcap: one scenario per
rule of rules/voip-attacks.rules, each from its own attacker address so the
by_src / by_dst thresholds of different scenarios never share a tracker.

pcaps/voip-attacks.args loads the rules with
    HOME_NET    = 198.18.10.0/24   (the site; EXTERNAL_NET is !$HOME_NET)
    SIP_SERVERS = 198.18.10.1      (the PBX / registrar)
Attackers live in 198.19.0.0/16 (external). Every scenario starts 200 s
after the previous one (longer than any rule's window except the xbits
expiry, which the toll-fraud scenario relies on).

The expected alert count of every rule, by construction (Suricata's
threshold semantics: "type both, count C, seconds S" alerts once when the
C-th match arrives within a window of S seconds that starts at the first
match, and not again in that window):

  9100001-9100009 scanner user agents: S1 sends one OPTIONS per user agent,
      nine messages from one source: each rule matches exactly one message
      (no user agent contains another's pattern; "smap" only as a prefix).
      9 OPTIONS < 20, so the sweep rule stays quiet. -> 1 each
  9100020 OPTIONS sweep (by_src, 20 in 60 s): S2 sends 25 OPTIONS to 25
      home hosts in 24 s: alert at the 20th, none for 21-25 -> 1;
      S4c (OPTIONS flood, 110 in 10.9 s from one source) also passes 20
      OPTIONS in 60 s -> 1 more. Total 2.
  9100021 404 enumeration (by_dst, 10 in 60 s): S3 svwar-style REGISTERs for
      extensions 100-111, 12 x 404 to one host in 12 s -> 1
  9100022 403 enumeration (by_dst, 10 in 60 s): S3b 12 x 403 to INVITEs -> 1;
      S5c's 12 x 403 to REGISTERs (the 9100042 case) also count -> 1 more.
      Total 2.
  9100030 REGISTER flood (to SIP_SERVERS, by_src, 50 in 10 s): S4 60
      REGISTERs at 0.15 s spacing (8.85 s) -> 1
  9100031 INVITE flood (same, INVITE): S4b 60 INVITEs in 8.85 s -> 1
  9100032 OPTIONS flood (100 in 10 s): S4c 110 OPTIONS at 0.1 s -> 1
  9100040 digest brute force, 401 (from SIP_SERVERS, by_dst, 20 in 60 s):
      S5 25 REGISTERs with wrong credentials, 25 x 401 in 24 s -> 1
  9100041 same with 407: S5b 25 INVITEs, 25 x 407 -> 1 (25 INVITEs < 50)
  9100042 403 after credentials on REGISTER (by_dst, 10 in 60 s): S5c 12 x
      403 with CSeq REGISTER -> 1
  9100050 registration accepted: noalert, sets xbit tollgate.sip.registered
      on the client (ip_dst of the 200): no alert line, shown by 9100060.
  9100060 international INVITE from an unregistered external source: S6
      198.19.6.6 registers (200 OK, xbit set) then sends 5 international
      INVITEs -> 0 for it; 198.19.6.7 never registered sends 1 -> 1
  9100061 international burst (by_src, 5 in 300 s): S6's registered
      client sends 5 in 4 s -> 1 (the unregistered one sends 1 -> 0)
  9100070 ghost call (EXTERNAL -> HOME, INVITE to a bare IP, by_src, 3 in
      60 s): S7 three INVITEs to sip:100@198.18.10.77..79 -> 1
Checked against the output: each threshold alert lands on the packet the
arithmetic predicts (S2's 20th OPTIONS is packet 29, S3's 10th 404 packet
54, S4's 50th REGISTER packet 132, S4c's 20th and 100th OPTIONS packets 222
and 302, S5's 20th 401 packet 352, S6's 5th INVITE packet 443, S7's 3rd
INVITE packet 447), and 9100060 fired only once after the xbits fix
(before it, "set track ip_dst" and "isnotset track ip_src" used different
keys and the registered client alerted on all 5 INVITEs).
The attackers' INVITE URIs in the other scenarios name a host
(pbx.example.test) and a short extension, so neither the international nor
the ghost-call pattern matches them.

Every message of a scenario uses one UDP flow per (attacker, target) pair,
one Call-ID per flow with rising CSeq numbers, so the SIP decoder sees
well-formed traffic (no anomaly records) and the dialog caps are not hit.

It also writes pcaps/sipvicious-scan.pcap (see build_svmap) for the ET
rules test, tests/scripts/et-voip-rules.sh.

    python3 tests/tools/mk-voip-attack-pcaps.py [OUTDIR]   (default: pcaps/)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import PcapWriter, eth, ipv4, udp  # noqa: E402

PBX = "198.18.10.1"
T0 = 1700000000.0


def sip(start, headers, body=""):
    h = list(headers)
    if body:
        h.append("Content-Type: application/sdp")
    h.append("Content-Length: %d" % len(body))
    return (start + "\r\n" + "".join(x + "\r\n" for x in h) + "\r\n" + body).encode("latin-1")


class Flow:
    """One UDP flow between a client and a server port 5060."""

    def __init__(self, w, cli, srv, cport, ua=None):
        self.w, self.cli, self.srv, self.cport, self.ua = w, cli, srv, cport, ua
        self.cid = "%s-%d@%s" % (cli.replace(".", ""), cport, cli)
        self.cseq = 0

    def _send(self, src, dst, sport, dport, payload, ts):
        self.w.add(eth(ipv4(src, dst, udp(sport, dport, payload, src, dst))), ts)

    def request(self, method, uri, ts, extra=()):
        self.cseq += 1
        h = ["Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%d%d" % (self.cli, self.cport, self.cport, self.cseq),
             "Max-Forwards: 70",
             "From: <sip:attacker@%s>;tag=%d" % (self.cli, self.cport),
             "To: <%s>" % uri,
             "Call-ID: " + self.cid,
             "CSeq: %d %s" % (self.cseq, method),
             "Contact: <sip:attacker@%s:%d>" % (self.cli, self.cport)]
        if self.ua:
            h.append("User-Agent: " + self.ua)
        h += list(extra)
        self._send(self.cli, self.srv, self.cport, 5060, sip("%s %s SIP/2.0" % (method, uri), h), ts)
        self.last = (method, uri)

    def response(self, code, reason, ts, extra=()):
        method, uri = self.last
        h = ["Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%d%d" % (self.cli, self.cport, self.cport, self.cseq),
             "From: <sip:attacker@%s>;tag=%d" % (self.cli, self.cport),
             "To: <%s>;tag=srv%d" % (uri, self.cseq),
             "Call-ID: " + self.cid,
             "CSeq: %d %s" % (self.cseq, method),
             "Server: tollgate-test-pbx"] + list(extra)
        self._send(self.srv, self.cli, 5060, self.cport, sip("SIP/2.0 %d %s" % (code, reason), h), ts)


def build(path):
    w = PcapWriter(path)
    t = T0

    # S1: scanner user agents, one OPTIONS each (9100001-9100009)
    uas = ["friendly-scanner", "sipvicious 0.3.4", "sipcli/v1.8", "sip-scan/1.0", "VaxSIPUserAgent/3.1",
           "sundayddr", "iWar 0.1", "SIVuS 1.09", "smap 0.6.0"]
    for i, ua in enumerate(uas):
        Flow(w, "198.19.1.1", PBX, 40001 + i, ua).request("OPTIONS", "sip:100@pbx.example.test", t + i)

    # S2: OPTIONS sweep of 25 home hosts from one source (9100020)
    t += 200
    for i in range(25):
        Flow(w, "198.19.2.2", "198.18.10.%d" % (100 + i), 40100 + i).request(
            "OPTIONS", "sip:100@198.18.10.%d" % (100 + i), t + i)

    # S3: extension enumeration, 12 REGISTERs answered 404 (9100021)
    t += 200
    f = Flow(w, "198.19.3.3", PBX, 40200)
    for i in range(12):
        f.request("REGISTER", "sip:pbx.example.test", t + i, ["Expires: 3600"])
        f.response(404, "Not Found", t + i + 0.01)

    # S3b: 12 INVITEs answered 403 (9100022)
    t += 200
    f = Flow(w, "198.19.3.4", PBX, 40201)
    for i in range(12):
        f.request("INVITE", "sip:%d@pbx.example.test" % (100 + i), t + i)
        f.response(403, "Forbidden", t + i + 0.01)

    # S4: REGISTER flood, 60 in 8.85 s (9100030)
    t += 200
    f = Flow(w, "198.19.4.4", PBX, 40300)
    for i in range(60):
        f.request("REGISTER", "sip:pbx.example.test", t + i * 0.15, ["Expires: 3600"])

    # S4b: INVITE flood, 60 in 8.85 s (9100031)
    t += 200
    f = Flow(w, "198.19.4.5", PBX, 40301)
    for i in range(60):
        f.request("INVITE", "sip:200@pbx.example.test", t + i * 0.15)

    # S4c: OPTIONS flood, 110 in 10.9 s (9100032, and 9100020 once)
    t += 200
    f = Flow(w, "198.19.4.6", PBX, 40302)
    for i in range(110):
        f.request("OPTIONS", "sip:pbx.example.test", t + i * 0.1)

    # S5: digest brute force, 25 REGISTERs with credentials, 25 x 401 (9100040)
    t += 200
    f = Flow(w, "198.19.5.5", PBX, 40400)
    for i in range(25):
        f.request("REGISTER", "sip:pbx.example.test", t + i,
                  ['Authorization: Digest username="100", realm="pbx", nonce="n%d", uri="sip:pbx.example.test", '
                   'response="%032x"' % (i, i)])
        f.response(401, "Unauthorized", t + i + 0.01, ['WWW-Authenticate: Digest realm="pbx", nonce="n%d"' % (i + 1)])

    # S5b: 25 INVITEs challenged with 407 (9100041)
    t += 200
    f = Flow(w, "198.19.5.6", PBX, 40401)
    for i in range(25):
        f.request("INVITE", "sip:%d@pbx.example.test" % (300 + i), t + i)
        f.response(407, "Proxy Authentication Required", t + i + 0.01,
                   ['Proxy-Authenticate: Digest realm="pbx", nonce="p%d"' % i])

    # S5c: 12 REGISTERs answered 403 (9100042, and 9100022 once)
    t += 200
    f = Flow(w, "198.19.5.7", PBX, 40402)
    for i in range(12):
        f.request("REGISTER", "sip:pbx.example.test", t + i, ["Expires: 3600"])
        f.response(403, "Forbidden", t + i + 0.01)

    # S6: toll fraud. 198.19.6.6 registers (9100050 sets the xbit), then
    # dials 5 international numbers in 4 s (9100061; 9100060 stays quiet).
    # 198.19.6.7 never registered dials one (9100060).
    t += 200
    f = Flow(w, "198.19.6.6", PBX, 40500)
    f.request("REGISTER", "sip:pbx.example.test", t, ["Expires: 3600"])
    f.response(200, "OK", t + 0.01, ["Contact: <sip:attacker@198.19.6.6:40500>;expires=3600"])
    for i in range(5):
        f.request("INVITE", "sip:00441632960%03d@pbx.example.test" % i, t + 10 + i)
    Flow(w, "198.19.6.7", PBX, 40501).request("INVITE", "sip:011441632960999@pbx.example.test", t + 20)

    # S7: ghost calls, INVITEs to the bare IPs of three phones (9100070)
    t += 200
    for i in range(3):
        Flow(w, "198.19.7.7", "198.18.10.%d" % (77 + i), 40600 + i).request(
            "INVITE", "sip:100@198.18.10.%d" % (77 + i), t + i)
    w.close()


def build_svmap(path):
    """pcaps/sipvicious-scan.pcap: what SIPVicious svmap sends, for the ET
    scanner rules (tests/scripts/et-voip-rules.sh says what must fire).
    198.19.8.8 sends 12 OPTIONS to the PBX's port 5060 one second apart
    (t = 0..11 s), then 3 more at t = 130..132 s, each with svmap's
    From: "sipvicious"<sip:100@1.1.1.1> and User-Agent: friendly-scanner."""
    w = PcapWriter(path)
    f = Flow(w, "198.19.8.8", PBX, 5060, "friendly-scanner")
    times = [T0 + i for i in range(12)] + [T0 + 130 + i for i in range(3)]
    for i, t in enumerate(times):
        f.cseq += 1
        h = ["Via: SIP/2.0/UDP 198.19.8.8:5060;branch=z9hG4bK-%d;rport" % (3723431 + i),
             "Max-Forwards: 70",
             "To: \"sipvicious\"<sip:100@1.1.1.1>",
             "From: \"sipvicious\"<sip:100@1.1.1.1>;tag=6137366338353939313363340131303939303035323737",
             "User-Agent: friendly-scanner",
             "Call-ID: 1234567890%02d" % i,
             "Contact: sip:100@198.19.8.8:5060",
             "CSeq: 1 OPTIONS",
             "Accept: application/sdp"]
        f._send(f.cli, f.srv, 5060, 5060, sip("OPTIONS sip:100@198.18.10.1 SIP/2.0", h), t)
    w.close()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "pcaps")
    build(os.path.join(out, "voip-attacks.pcap"))
    build_svmap(os.path.join(out, "sipvicious-scan.pcap"))


if __name__ == "__main__":
    main()
