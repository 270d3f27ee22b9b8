/* rule-vars.c - address and port variables ($HOME_NET, $SIP_PORTS, ...) with Suricata's defaults and config overrides. */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "rule.h"

struct rule_var {
    bool port;
    char *name;
    char *value;
};

struct rule_vars {
    struct rule_var *v;
    size_t n, cap;
};

/* Suricata's suricata.yaml defaults, plus tollgate's VoIP variables. */
static const char *const rule_vars_default_addr[][2] = {
    {"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"},
    {"EXTERNAL_NET", "!$HOME_NET"},
    {"HTTP_SERVERS", "$HOME_NET"},
    {"SMTP_SERVERS", "$HOME_NET"},
    {"SQL_SERVERS", "$HOME_NET"},
    {"DNS_SERVERS", "$HOME_NET"},
    {"TELNET_SERVERS", "$HOME_NET"},
    {"AIM_SERVERS", "$EXTERNAL_NET"},
    {"DC_SERVERS", "$HOME_NET"},
    {"DNP3_SERVER", "$HOME_NET"},
    {"DNP3_CLIENT", "$HOME_NET"},
    {"MODBUS_CLIENT", "$HOME_NET"},
    {"MODBUS_SERVER", "$HOME_NET"},
    {"ENIP_CLIENT", "$HOME_NET"},
    {"ENIP_SERVER", "$HOME_NET"},
    {"SIP_SERVERS", "$HOME_NET"},
    {"SIP_PROXIES", "$HOME_NET"},
    {"RTP_SERVERS", "$HOME_NET"},
};

static const char *const rule_vars_default_port[][2] = {
    {"HTTP_PORTS", "80"},
    {"SHELLCODE_PORTS", "!80"},
    {"ORACLE_PORTS", "1521"},
    {"SSH_PORTS", "22"},
    {"DNP3_PORTS", "20000"},
    {"MODBUS_PORTS", "502"},
    {"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
    {"FTP_PORTS", "21"},
    {"GENEVE_PORTS", "6081"},
    {"VXLAN_PORTS", "4789"},
    {"TEREDO_PORTS", "3544"},
    {"SIP_PORTS", "[5060,5061]"},
    {"SIP_TLS_PORTS", "5061"},
    {"RTP_PORTS", "[1024:65535]"},
    {"BITTORRENT_PORTS", "[6881:6889,6969]"},
    {"EDONKEY_PORTS", "[4661,4662,4665,4672]"},
};

int rule_vars_set(struct rule_vars *v, bool port, const char *name, const char *value)
{
    char *nv = strdup(value);
    if (!nv)
        return TG_ERROR;
    for (size_t i = 0; i < v->n; i++) {
        if (v->v[i].port == port && strcmp(v->v[i].name, name) == 0) {
            free(v->v[i].value);
            v->v[i].value = nv;
            return TG_OK;
        }
    }
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 32;
        struct rule_var *p = realloc(v->v, ncap * sizeof(*p));
        if (!p) {
            free(nv);
            return TG_ERROR;
        }
        v->v = p;
        v->cap = ncap;
    }
    char *nn = strdup(name);
    if (!nn) {
        free(nv);
        return TG_ERROR;
    }
    v->v[v->n++] = (struct rule_var){.port = port, .name = nn, .value = nv};
    return TG_OK;
}

const char *rule_vars_get(const struct rule_vars *v, bool port, const char *name)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i].port == port && strcmp(v->v[i].name, name) == 0)
            return v->v[i].value;
    return NULL;
}

struct vars_cb {
    struct rule_vars *v;
    bool port;
    size_t prefix_len;
    int status;
};

static void rule_vars_from_config(const char *key, const char *value, void *arg)
{
    struct vars_cb *cb = arg;
    if (rule_vars_set(cb->v, cb->port, key + cb->prefix_len, value) != TG_OK)
        cb->status = TG_ERROR;
}

struct rule_vars *rule_vars_new(const struct config *cfg)
{
    struct rule_vars *v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    for (size_t i = 0; i < TG_ARRAY_LEN(rule_vars_default_addr); i++)
        if (rule_vars_set(v, false, rule_vars_default_addr[i][0], rule_vars_default_addr[i][1]) != TG_OK)
            goto fail;
    for (size_t i = 0; i < TG_ARRAY_LEN(rule_vars_default_port); i++)
        if (rule_vars_set(v, true, rule_vars_default_port[i][0], rule_vars_default_port[i][1]) != TG_OK)
            goto fail;
    if (cfg) {
        struct vars_cb cb = {.v = v, .port = false, .prefix_len = strlen("vars.address."), .status = TG_OK};
        config_each(cfg, "vars.address.", rule_vars_from_config, &cb);
        cb.port = true;
        cb.prefix_len = strlen("vars.port.");
        config_each(cfg, "vars.port.", rule_vars_from_config, &cb);
        if (cb.status != TG_OK)
            goto fail;
    }
    return v;
fail:
    rule_vars_free(v);
    return NULL;
}

void rule_vars_free(struct rule_vars *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->v[i].name);
        free(v->v[i].value);
    }
    free(v->v);
    free(v);
}
