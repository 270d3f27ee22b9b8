/* rule-classify.c - classification (classtype -> description, priority) and reference-type tables. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rule.h"

/* Built-in copies of rules/classification.config and rules/reference.config
 * (tests/test-rule-parser.c checks that they agree with the shipped files). */
static const char rule_classify_default_classes[] =
    "config classification: not-suspicious,Not Suspicious Traffic,3\n"
    "config classification: unknown,Unknown Traffic,3\n"
    "config classification: bad-unknown,Potentially Bad Traffic, 2\n"
    "config classification: attempted-recon,Attempted Information Leak,2\n"
    "config classification: successful-recon-limited,Information Leak,2\n"
    "config classification: successful-recon-largescale,Large Scale Information Leak,2\n"
    "config classification: attempted-dos,Attempted Denial of Service,2\n"
    "config classification: successful-dos,Denial of Service,2\n"
    "config classification: attempted-user,Attempted User Privilege Gain,1\n"
    "config classification: unsuccessful-user,Unsuccessful User Privilege Gain,1\n"
    "config classification: successful-user,Successful User Privilege Gain,1\n"
    "config classification: attempted-admin,Attempted Administrator Privilege Gain,1\n"
    "config classification: successful-admin,Successful Administrator Privilege Gain,1\n"
    "config classification: rpc-portmap-decode,Decode of an RPC Query,2\n"
    "config classification: shellcode-detect,Executable code was detected,1\n"
    "config classification: string-detect,A suspicious string was detected,3\n"
    "config classification: suspicious-filename-detect,A suspicious filename was detected,2\n"
    "config classification: suspicious-login,An attempted login using a suspicious username was detected,2\n"
    "config classification: system-call-detect,A system call was detected,2\n"
    "config classification: tcp-connection,A TCP connection was detected,4\n"
    "config classification: trojan-activity,A Network Trojan was detected, 1\n"
    "config classification: unusual-client-port-connection,A client was using an unusual port,2\n"
    "config classification: network-scan,Detection of a Network Scan,3\n"
    "config classification: denial-of-service,Detection of a Denial of Service Attack,2\n"
    "config classification: non-standard-protocol,Detection of a non-standard protocol or event,2\n"
    "config classification: protocol-command-decode,Generic Protocol Command Decode,3\n"
    "config classification: web-application-activity,access to a potentially vulnerable web application,2\n"
    "config classification: web-application-attack,Web Application Attack,1\n"
    "config classification: misc-activity,Misc activity,3\n"
    "config classification: misc-attack,Misc Attack,2\n"
    "config classification: icmp-event,Generic ICMP event,3\n"
    "config classification: inappropriate-content,Inappropriate Content was Detected,1\n"
    "config classification: policy-violation,Potential Corporate Privacy Violation,1\n"
    "config classification: default-login-attempt,Attempt to login by a default username and password,2\n"
    "config classification: targeted-activity,Targeted Malicious Activity was Detected,1\n"
    "config classification: exploit-kit,Exploit Kit Activity Detected,1\n"
    "config classification: external-ip-check,Device Retrieving External IP Address Detected,2\n"
    "config classification: domain-c2,Domain Observed Used for C2 Detected,1\n"
    "config classification: pup-activity,Possibly Unwanted Program Detected,2\n"
    "config classification: credential-theft,Successful Credential Theft Detected,1\n"
    "config classification: social-engineering,Possible Social Engineering Attempted,2\n"
    "config classification: coin-mining,Crypto Currency Mining Activity Detected,2\n"
    "config classification: command-and-control,Malware Command and Control Activity Detected,1\n"
    "config classification: sdf,Sensitive Data was Transmitted Across the Network,2\n"
    "config classification: file-format,Known malicious file or file based exploit,1\n"
    "config classification: malware-cnc,Known malware command and control traffic,1\n"
    "config classification: client-side-exploit,Known client side exploit attempt,1\n"
    "config classification: voip-attack,VoIP Attack (tollgate),1\n"
    "config classification: voip-anomaly,VoIP Protocol Anomaly (tollgate),2\n"
    "config classification: toll-fraud,Toll Fraud Attempt (tollgate),1\n"
    "config classification: p2p-activity,Peer-to-peer Activity (tollgate),3\n";

static const char rule_classify_default_refs[] =
    "config reference: bugtraq   http://www.securityfocus.com/bid/\n"
    "config reference: bid       http://www.securityfocus.com/bid/\n"
    "config reference: cve       http://cve.mitre.org/cgi-bin/cvename.cgi?name=\n"
    "config reference: secure    http://www.securityfocus.com/bid/\n"
    "config reference: arachnids http://www.whitehats.com/info/IDS\n"
    "config reference: mcafee    http://vil.nai.com/vil/dispVirus.asp?virus_k=\n"
    "config reference: nessus    http://cgi.nessus.org/plugins/dump.php3?id=\n"
    "config reference: osvdb     http://osvdb.org/show/osvdb/\n"
    "config reference: msb       http://technet.microsoft.com/en-us/security/bulletin/\n"
    "config reference: url       http://\n"
    "config reference: et        http://doc.emergingthreats.net/\n"
    "config reference: etpro     http://doc.emergingthreatspro.com/\n"
    "config reference: telus     http://\n"
    "config reference: exploitdb http://www.exploit-db.com/exploits/\n"
    "config reference: md5       http://\n"
    "config reference: sha1      http://\n"
    "config reference: sha256    http://\n"
    "config reference: rfc       https://www.rfc-editor.org/rfc/rfc\n";

struct rule_class {
    char *name;
    char *desc;
    int prio;
};

struct rule_classify {
    struct rule_class *cls;
    size_t ncls;
    char **refs;
    size_t nrefs;
};

static void classes_clear(struct rule_classify *c)
{
    for (size_t i = 0; i < c->ncls; i++) {
        free(c->cls[i].name);
        free(c->cls[i].desc);
    }
    free(c->cls);
    c->cls = NULL;
    c->ncls = 0;
}

static void refs_clear(struct rule_classify *c)
{
    for (size_t i = 0; i < c->nrefs; i++)
        free(c->refs[i]);
    free(c->refs);
    c->refs = NULL;
    c->nrefs = 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Parse config text; name/lineno in messages. Returns TG_OK or TG_ERROR. */
static int classify_parse_text(struct rule_classify *c, bool classes, const char *name, const char *text,
                               char *err, size_t errlen)
{
    const char *key = classes ? "config classification:" : "config reference:";
    size_t klen = strlen(key);
    const char *p = text;
    unsigned lineno = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        char *line = strndup(p, len);
        if (!line) {
            snprintf(err, errlen, "%s: out of memory", name);
            return TG_ERROR;
        }
        char *t = trim(line);
        int st = TG_OK;
        if (*t && *t != '#') {
            if (strncmp(t, key, klen) != 0) {
                snprintf(err, errlen, "%s:%u: expected '%s'", name, lineno, key);
                st = TG_ERROR;
            } else if (classes) {
                char *f1 = trim(t + klen), *c1 = strchr(f1, ','), *c2 = c1 ? strrchr(c1 + 1, ',') : NULL;
                char *end = NULL;
                long prio = c2 ? strtol(c2 + 1, &end, 10) : 0;
                if (!c1 || !c2 || !end || *trim(end) || prio < 1 || prio > 255) {
                    snprintf(err, errlen, "%s:%u: expected 'name,description,priority'", name, lineno);
                    st = TG_ERROR;
                } else {
                    *c1 = '\0';
                    *c2 = '\0';
                    char *nm = strdup(trim(f1)), *ds = strdup(trim(c1 + 1));
                    struct rule_class *n = nm && ds ? realloc(c->cls, (c->ncls + 1) * sizeof(*n)) : NULL;
                    if (!n) {
                        free(nm);
                        free(ds);
                        snprintf(err, errlen, "%s: out of memory", name);
                        st = TG_ERROR;
                    } else {
                        c->cls = n;
                        n[c->ncls++] = (struct rule_class){.name = nm, .desc = ds, .prio = (int)prio};
                    }
                }
            } else {
                char *f1 = trim(t + klen);
                size_t nl2 = strcspn(f1, " \t");
                if (!nl2 || !f1[nl2]) {
                    snprintf(err, errlen, "%s:%u: expected 'type url'", name, lineno);
                    st = TG_ERROR;
                } else {
                    f1[nl2] = '\0';
                    char *dup = strdup(f1);
                    char **n = dup ? realloc(c->refs, (c->nrefs + 1) * sizeof(*n)) : NULL;
                    if (!n) {
                        free(dup);
                        snprintf(err, errlen, "%s: out of memory", name);
                        st = TG_ERROR;
                    } else {
                        c->refs = n;
                        n[c->nrefs++] = dup;
                    }
                }
            }
        }
        free(line);
        if (st != TG_OK)
            return st;
        p = nl ? nl + 1 : p + len;
    }
    return TG_OK;
}

struct rule_classify *rule_classify_new(void)
{
    struct rule_classify *c = calloc(1, sizeof(*c));
    char err[256];
    if (!c)
        return NULL;
    if (classify_parse_text(c, true, "built-in", rule_classify_default_classes, err, sizeof err) != TG_OK ||
        classify_parse_text(c, false, "built-in", rule_classify_default_refs, err, sizeof err) != TG_OK) {
        rule_classify_free(c);
        return NULL;
    }
    return c;
}

void rule_classify_free(struct rule_classify *c)
{
    if (!c)
        return;
    classes_clear(c);
    refs_clear(c);
    free(c);
}

static char *slurp(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n < cap - 1)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap);
        if (!nb) {
            free(buf);
            buf = NULL;
        } else {
            buf = nb;
        }
    }
    fclose(f);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static int classify_load(struct rule_classify *c, bool classes, const char *path, char *err, size_t errlen)
{
    char *text = slurp(path, err, errlen);
    if (!text)
        return TG_ERROR;
    struct rule_classify fresh = {0};
    int st = classify_parse_text(&fresh, classes, path, text, err, errlen);
    free(text);
    if (st != TG_OK) {
        classes_clear(&fresh);
        refs_clear(&fresh);
        return TG_ERROR;
    }
    if (classes) {
        classes_clear(c);
        c->cls = fresh.cls;
        c->ncls = fresh.ncls;
    } else {
        refs_clear(c);
        c->refs = fresh.refs;
        c->nrefs = fresh.nrefs;
    }
    return TG_OK;
}

int rule_classify_load_classes(struct rule_classify *c, const char *path, char *err, size_t errlen)
{
    return classify_load(c, true, path, err, errlen);
}

int rule_classify_load_refs(struct rule_classify *c, const char *path, char *err, size_t errlen)
{
    return classify_load(c, false, path, err, errlen);
}

bool rule_classify_class(const struct rule_classify *c, const char *name, const char **desc, int *prio)
{
    for (size_t i = 0; i < c->ncls; i++) {
        if (strcmp(c->cls[i].name, name) == 0) {
            if (desc)
                *desc = c->cls[i].desc;
            if (prio)
                *prio = c->cls[i].prio;
            return true;
        }
    }
    return false;
}

bool rule_classify_ref(const struct rule_classify *c, const char *type)
{
    for (size_t i = 0; i < c->nrefs; i++)
        if (strcasecmp(c->refs[i], type) == 0)
            return true;
    return false;
}

size_t rule_classify_nclasses(const struct rule_classify *c)
{
    return c->ncls;
}
