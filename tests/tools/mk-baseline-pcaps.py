#!/usr/bin/env python3
"""mk-baseline-pcaps.py - build the captures of tests/scripts/baseline.sh.

One small "site": a PBX (pbx.site.test, 198.18.20.1) and desk phones in
198.18.20.0/24 running two firmware builds. Each phone registers (401 digest
challenge, then REGISTER with credentials, 200 OK), the PBX pings phones with
OPTIONS, phones call each other through the PBX (INVITE with SDP, 100, 180,
200 with SDP, ACK, BYE, 200) and some calls are refused (486 Busy Here, ACK).

    baseline-learn.pcap   clean traffic, seed 1 (learn on this one)
    baseline-clean.pcap   clean traffic of the same site, seed 2: other phones,
                          users, Call-IDs, branches, tags, nonces, SDP ports
    baseline-attack.pcap  one clean call plus one anomaly per message (ATTACKS
                          below says which baseline rule each must trigger)

    python3 tests/tools/mk-baseline-pcaps.py [OUTDIR]   (default: pcaps/)
    python3 tests/tools/mk-baseline-pcaps.py --list     the rule each attack raises
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import PcapWriter, eth, ipv4, udp  # noqa: E402

PBX = "198.18.20.1"
DOMAIN = "pbx.site.test"
REALM = "site.test"
UAS = ["Acme-Phone/4.2.1", "Yealink SIP-T46S 66.86.0.15"]
SERVER = "Acme-PBX/3.1"
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY"
# Display names; the two clean captures draw from alternate halves, with
# similar lengths, as a real site's second day would.
NAMES = ["Alice Martin", "Bruno Keller", "Chloe Durand", "David Novak", "Emma Lindqvist",
         "Farid Haddad", "Grace Okafor", "Hugo Lambert", "Ines Moreau", "Jonas Berger",
         "Karin Olsen", "Liam Fischer", "Maya Rossi", "Noah Petit", "Olga Ivanova",
         "Pavel Horak", "Rosa Almeida", "Sven Larsson", "Tara Quinn", "Ugo Bianchi",
         "Vera Kowalski", "Walid Mansour", "Xenia Pappas", "Yusuf Demir"]


class Site:
    def __init__(self, seed, nphones, ncalls, nbusy):
        self.r = random.Random(seed)
        hosts = self.r.sample(range(10, 250), nphones)
        exts = self.r.sample(range(1000, 1100), nphones)
        names = NAMES[seed % 2::2]
        self.phones = [{"ip": "198.18.20.%d" % h, "ext": str(e), "name": names[i % len(names)],
                        "ua": UAS[i % 2]} for i, (h, e) in enumerate(zip(hosts, exts))]
        self.ncalls, self.nbusy = ncalls, nbusy

    def hexs(self, n):
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def tag(self):
        return str(self.r.randrange(10**8, 10**10))

    def branch(self):
        return "z9hG4bK" + self.hexs(self.r.randrange(10, 14))


def msg(start, headers, body=""):
    h = list(headers)
    if body:
        h.append("Content-Type: application/sdp")
    h.append("Content-Length: %d" % len(body))
    return (start + "\r\n" + "".join(x + "\r\n" for x in h) + "\r\n" + body).encode("latin-1")


def sdp(s, ip, user):
    sess = s.r.randrange(10**6, 10**9)
    return ("v=0\r\no=%s %d %d IN IP4 %s\r\ns=call\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n" % (user, sess, sess, ip, ip,
                                                                     2 * s.r.randrange(5000, 15000)))


def naddr(p, host=DOMAIN):
    return '"%s" <sip:%s@%s>' % (p["name"], p["ext"], host)


class Out:
    def __init__(self, path):
        self.w = PcapWriter(path)

    def send(self, src, dst, data, sport=5060, dport=5060):
        self.w.add(eth(ipv4(src, dst, udp(sport, dport, data))))


def reply(code, reason, req_h, to_tag, extra=(), body=""):
    """A response copying Via/From/To/Call-ID/CSeq of a request's header dict."""
    to = req_h["To"] if to_tag is None else "%s;tag=%s" % (req_h["To"], to_tag)
    h = ["Via: " + req_h["Via"], "From: " + req_h["From"], "To: " + to,
         "Call-ID: " + req_h["Call-ID"], "CSeq: " + req_h["CSeq"]]
    return msg("SIP/2.0 %d %s" % (code, reason), h + list(extra), body)


def hdr_dict(lines):
    return dict(x.split(": ", 1) for x in lines)


def register(s, o, p):
    cid = "%s@%s" % (s.hexs(16), p["ip"])
    ftag = s.tag()
    base = {"From": "%s;tag=%s" % (naddr(p), ftag), "To": naddr(p), "Call-ID": cid}
    for cseq, auth in ((1, False), (2, True)):
        h = {"Via": "SIP/2.0/UDP %s:5060;branch=%s;rport" % (p["ip"], s.branch()), "CSeq": "%d REGISTER" % cseq}
        h.update(base)
        lines = ["Via: " + h["Via"], "Max-Forwards: 70", "From: " + h["From"], "To: " + h["To"],
                 "Call-ID: " + cid, "CSeq: " + h["CSeq"],
                 "Contact: <sip:%s@%s:5060>;expires=3600" % (p["ext"], p["ip"])]
        if auth:
            lines.append('Authorization: Digest username="%s", realm="%s", nonce="%s", uri="sip:%s", '
                         'response="%s", algorithm=MD5' % (p["ext"], REALM, nonce, DOMAIN, s.hexs(32)))
        lines += ["User-Agent: " + p["ua"], "Allow: " + ALLOW]
        o.send(p["ip"], PBX, msg("REGISTER sip:%s SIP/2.0" % DOMAIN, lines))
        if not auth:
            nonce = s.hexs(32)
            o.send(PBX, p["ip"], reply(401, "Unauthorized", h, s.tag(), [
                'WWW-Authenticate: Digest realm="%s", nonce="%s", algorithm=MD5' % (REALM, nonce),
                "Server: " + SERVER]))
        else:
            o.send(PBX, p["ip"], reply(200, "OK", h, s.tag(), [
                "Contact: <sip:%s@%s:5060>;expires=3600" % (p["ext"], p["ip"]), "Server: " + SERVER]))


def options(s, o, p):
    h = {"Via": "SIP/2.0/UDP %s:5060;branch=%s" % (PBX, s.branch()),
         "From": '"PBX" <sip:pbx@%s>;tag=%s' % (DOMAIN, s.tag()),
         "To": "<sip:%s@%s:5060>" % (p["ext"], p["ip"]),
         "Call-ID": "%s@%s" % (s.hexs(16), PBX), "CSeq": "%d OPTIONS" % s.r.randrange(1, 900)}
    o.send(PBX, p["ip"], msg("OPTIONS sip:%s@%s:5060 SIP/2.0" % (p["ext"], p["ip"]), [
        "Via: " + h["Via"], "Max-Forwards: 70", "From: " + h["From"], "To: " + h["To"],
        "Call-ID: " + h["Call-ID"], "CSeq: " + h["CSeq"], "Contact: <sip:pbx@%s:5060>" % PBX,
        "User-Agent: " + SERVER, "Accept: application/sdp"]))
    o.send(p["ip"], PBX, reply(200, "OK", h, s.tag(), ["Allow: " + ALLOW, "User-Agent: " + p["ua"]]))


def call(s, o, a, b, busy, invite_extra=(), invite_drop=(), mutate=None):
    """a calls b through the PBX (the PBX answers for b). mutate(lines) may
    change the INVITE's header lines (attacks)."""
    cid = "%s@%s" % (s.hexs(20), a["ip"])
    h = {"Via": "SIP/2.0/UDP %s:5060;branch=%s;rport" % (a["ip"], s.branch()),
         "From": "%s;tag=%s" % (naddr(a), s.tag()), "To": "<sip:%s@%s>" % (b["ext"], DOMAIN),
         "Call-ID": cid, "CSeq": "%d INVITE" % s.r.randrange(1, 50)}
    ruri = "sip:%s@%s" % (b["ext"], DOMAIN)
    lines = ["Via: " + h["Via"], "Max-Forwards: 70", "From: " + h["From"], "To: " + h["To"],
             "Call-ID: " + cid, "CSeq: " + h["CSeq"], "Contact: <sip:%s@%s:5060>" % (a["ext"], a["ip"]),
             "User-Agent: " + a["ua"], "Allow: " + ALLOW, "Supported: replaces, timer"]
    lines = [x for x in lines if x.split(":")[0] not in invite_drop] + list(invite_extra)
    if mutate:
        lines = mutate(lines)
    o.send(a["ip"], PBX, msg("INVITE %s SIP/2.0" % ruri, lines, sdp(s, a["ip"], a["ext"])))
    if mutate or invite_drop or invite_extra:
        return  # an attack: the PBX does not answer
    o.send(PBX, a["ip"], reply(100, "Trying", h, None, ["Server: " + SERVER]))
    totag = s.tag()
    cseq = int(h["CSeq"].split()[0])
    if busy:
        o.send(PBX, a["ip"], reply(486, "Busy Here", h, totag, ["Server: " + SERVER]))
        o.send(a["ip"], PBX, msg("ACK %s SIP/2.0" % ruri, [
            "Via: " + h["Via"], "Max-Forwards: 70", "From: " + h["From"], "To: %s;tag=%s" % (h["To"], totag),
            "Call-ID: " + cid, "CSeq: %d ACK" % cseq, "User-Agent: " + a["ua"]]))
        return
    o.send(PBX, a["ip"], reply(180, "Ringing", h, totag, ["Contact: <sip:%s@%s:5060>" % (b["ext"], PBX),
                                                         "Server: " + SERVER]))
    o.send(PBX, a["ip"], reply(200, "OK", h, totag, ["Contact: <sip:%s@%s:5060>" % (b["ext"], PBX),
                                                    "Server: " + SERVER, "Allow: " + ALLOW],
                               sdp(s, PBX, "pbx")))
    dlg = ["Max-Forwards: 70", "From: " + h["From"], "To: %s;tag=%s" % (h["To"], totag), "Call-ID: " + cid]
    target = "sip:%s@%s:5060" % (b["ext"], PBX)
    o.send(a["ip"], PBX, msg("ACK %s SIP/2.0" % target, [
        "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (a["ip"], s.branch())] + dlg + [
        "CSeq: %d ACK" % cseq, "User-Agent: " + a["ua"]]))
    bye = {"Via": "SIP/2.0/UDP %s:5060;branch=%s;rport" % (a["ip"], s.branch()), "From": h["From"],
           "To": "%s;tag=%s" % (h["To"], totag), "Call-ID": cid, "CSeq": "%d BYE" % (cseq + 1)}
    o.send(a["ip"], PBX, msg("BYE %s SIP/2.0" % target, ["Via: " + bye["Via"]] + dlg + [
        "CSeq: " + bye["CSeq"], "User-Agent: " + a["ua"]]))
    resp = "SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\nServer: %s\r\n" \
           "Content-Length: 0\r\n\r\n" % (bye["Via"], bye["From"], bye["To"], cid, bye["CSeq"], SERVER)
    o.send(PBX, a["ip"], resp.encode())


def clean(path, seed):
    s = Site(seed, nphones=10, ncalls=14, nbusy=3)
    o = Out(path)
    for p in s.phones:
        register(s, o, p)
    for p in s.phones:
        options(s, o, p)
    for i in range(s.ncalls):
        a, b = s.r.sample(s.phones, 2)
        call(s, o, a, b, busy=i < s.nbusy)
    o.w.close()


def _replace(name, value):
    return lambda lines: [("%s: %s" % (name, value)) if x.split(":")[0] == name else x for x in lines]


# (what the message does, the baseline rule message it must raise with the
# limit numbers dropped). Each attack raises exactly that one rule.
ATTACKS = [
    ("INVITE with a 300-byte From display name", "INVITE sip.from longer than"),
    ("INVITE whose To holds a quote (SQL injection probe)", "INVITE sip.to unlearned character"),
    ("INVITE whose Call-ID holds a control byte", "INVITE sip.call_id unlearned character"),
    ("INVITE with the Call-ID header twice", "INVITE repeated Call-ID"),
    ("REGISTER without Max-Forwards", "REGISTER missing Max-Forwards"),
    ("REGISTER with a 300-byte digest response", "REGISTER sip.header:Authorization longer than"),
    ("OPTIONS from a scanner's User-Agent", "OPTIONS sip.user_agent unlearned value"),
    ("BYE with an overlong Via branch", "BYE sip.via longer than"),
    ("a request method the site never uses", "sip.method unlearned value"),
    ("a response without CSeq", "response missing CSeq"),
]


def attack(path):
    s = Site(3, nphones=4, ncalls=1, nbusy=0)
    o = Out(path)
    a, b = s.phones[0], s.phones[1]
    call(s, o, a, b, busy=False)  # clean: must stay quiet
    call(s, o, a, b, False, mutate=_replace("From", '"%s" <sip:%s@%s>;tag=1' % ("A" * 300, a["ext"], DOMAIN)))
    call(s, o, a, b, False, mutate=_replace("To", "<sip:%s'or'1@%s>" % (b["ext"], DOMAIN)))
    call(s, o, a, b, False, mutate=_replace("Call-ID", "%s\x01@%s" % (s.hexs(19), a["ip"])))
    call(s, o, a, b, False, invite_extra=["Call-ID: %s@%s" % (s.hexs(20), a["ip"])])
    # REGISTER without Max-Forwards
    o.send(a["ip"], PBX, msg("REGISTER sip:%s SIP/2.0" % DOMAIN, [
        "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (a["ip"], s.branch()),
        "From: %s;tag=%s" % (naddr(a), s.tag()), "To: " + naddr(a), "Call-ID: %s@%s" % (s.hexs(16), a["ip"]),
        "CSeq: 1 REGISTER", "Contact: <sip:%s@%s:5060>;expires=3600" % (a["ext"], a["ip"]),
        "User-Agent: " + a["ua"], "Allow: " + ALLOW]))
    # REGISTER whose Authorization overflows (a digest response of 300 hex digits)
    o.send(a["ip"], PBX, msg("REGISTER sip:%s SIP/2.0" % DOMAIN, [
        "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (a["ip"], s.branch()), "Max-Forwards: 70",
        "From: %s;tag=%s" % (naddr(a), s.tag()), "To: " + naddr(a), "Call-ID: %s@%s" % (s.hexs(16), a["ip"]),
        "CSeq: 2 REGISTER", "Contact: <sip:%s@%s:5060>;expires=3600" % (a["ext"], a["ip"]),
        'Authorization: Digest username="%s", realm="%s", nonce="%s", uri="sip:%s", response="%s", '
        'algorithm=MD5' % (a["ext"], REALM, s.hexs(32), DOMAIN, s.hexs(300)),
        "User-Agent: " + a["ua"], "Allow: " + ALLOW]))
    # OPTIONS from a scanner (same length class and bytes as the PBX's pings)
    o.send("198.18.21.66", a["ip"], msg("OPTIONS sip:%s@%s:5060 SIP/2.0" % (a["ext"], a["ip"]), [
        "Via: SIP/2.0/UDP 198.18.20.1:5060;branch=%s" % s.branch(), "Max-Forwards: 70",
        'From: "PBX" <sip:pbx@%s>;tag=%s' % (DOMAIN, s.tag()), "To: <sip:%s@%s:5060>" % (a["ext"], a["ip"]),
        "Call-ID: %s@%s" % (s.hexs(16), PBX), "CSeq: 1 OPTIONS", "Contact: <sip:pbx@%s:5060>" % PBX,
        "User-Agent: sipcli/v1.8", "Accept: application/sdp"]))
    # BYE with an overlong branch
    o.send(a["ip"], PBX, msg("BYE sip:%s@%s:5060 SIP/2.0" % (b["ext"], PBX), [
        "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK%s;rport" % (a["ip"], "9" * 200), "Max-Forwards: 70",
        "From: %s;tag=%s" % (naddr(a), s.tag()), "To: <sip:%s@%s>;tag=%s" % (b["ext"], DOMAIN, s.tag()),
        "Call-ID: %s@%s" % (s.hexs(20), a["ip"]), "CSeq: 2 BYE", "User-Agent: " + a["ua"]]))
    # an unknown method, otherwise a well-formed request
    o.send(a["ip"], PBX, msg("PUBLISH sip:%s@%s SIP/2.0" % (a["ext"], DOMAIN), [
        "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (a["ip"], s.branch()), "Max-Forwards: 70",
        "From: %s;tag=%s" % (naddr(a), s.tag()), "To: " + naddr(a), "Call-ID: %s@%s" % (s.hexs(16), a["ip"]),
        "CSeq: 1 PUBLISH", "User-Agent: " + a["ua"]]))
    # a response without CSeq
    o.send(PBX, a["ip"], msg("SIP/2.0 200 OK", [
        "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (a["ip"], s.branch()),
        "From: %s;tag=%s" % (naddr(a), s.tag()), "To: %s;tag=%s" % (naddr(a), s.tag()),
        "Call-ID: %s@%s" % (s.hexs(16), a["ip"]), "Server: " + SERVER]))
    o.w.close()


def main():
    if sys.argv[1:] == ["--list"]:  # the expected rule of each attack, for baseline.sh
        for _, rule in ATTACKS:
            print(rule)
        return
    out = sys.argv[1] if len(sys.argv) > 1 else "pcaps"
    clean(os.path.join(out, "baseline-learn.pcap"), 1)
    clean(os.path.join(out, "baseline-clean.pcap"), 2)
    attack(os.path.join(out, "baseline-attack.pcap"))


if __name__ == "__main__":
    main()
