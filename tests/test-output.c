/* test-output.c - unit tests for the log outputs (sensor/output.c): fast.log
 * format, EVE alert/flow records, sensor_id stamping. */
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../sensor/config.h"
#include "../sensor/output.h"
#include "test.h"

static const struct output_alert test_alert = {
    .action = "alert", .gid = 1, .sid = 2100003, .rev = 1, .msg = "SIP From header too long",
    .classtype = "attempted-admin", .category = "Attempted Administrator Privilege Gain", .priority = 1,
};

TEST(fast_format)
{
    char line[512];
    uint64_t ts = 1704164645ull * TG_NS_PER_SEC + 123456789ull;
    int n = output_fast_format(line, sizeof line, ts, &test_alert, "UDP", "198.18.0.1", 5060, "198.18.0.2", 5061);
    CHECK_STR(line, "01/02/2024-03:04:05.123456  [**] [1:2100003:1] SIP From header too long [**] "
                    "[Classification: Attempted Administrator Privilege Gain] [Priority: 1] "
                    "{UDP} 198.18.0.1:5060 -> 198.18.0.2:5061\n");
    CHECK_EQ_U(n, strlen(line));
    struct output_alert d = test_alert;
    d.action = "drop";
    d.category = NULL;
    d.classtype = NULL;
    d.priority = 3;
    output_fast_format(line, sizeof line, ts, &d, "TCP", "fd00:198:18::1", 1, "fd00:198:18::2", 2);
    CHECK_STR(line, "01/02/2024-03:04:05.123456  [wDrop] [**] [1:2100003:1] SIP From header too long [**] "
                    "[Classification: (null)] [Priority: 3] {TCP} fd00:198:18::1:1 -> fd00:198:18::2:2\n");
    d.blocked = true;
    output_fast_format(line, sizeof line, ts, &d, "TCP", "a", 1, "b", 2);
    CHECK(strncmp(line, "01/02/2024-03:04:05.123456  [Drop] [**]", 39) == 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strdup(buf);
}

TEST(eve_alert_and_flow)
{
    char dir[64], path[128], err[256] = "";
    snprintf(dir, sizeof dir, "/tmp/tg-test-output-%d", (int)getpid());
    struct config *cfg = config_new();
    config_set(cfg, "sensor_id=edge \"1\"");
    config_set(cfg, "output.payload-excerpt=4");
    struct stats st = {0};
    struct output *o = output_open(dir, cfg, &st, err, sizeof err);
    CHECK(o != NULL);
    if (!o)
        return;
    CHECK_STR(output_sensor_id(o), "edge \"1\"");
    output_begin_run(o, "analyze", "t.pcap", 0);
    struct flow f;
    memset(&f, 0, sizeof f);
    f.id = 99;
    f.proto = IPPROTO_NUM_ICMP;
    f.addr[0].family = f.addr[1].family = 4;
    f.addr[0].b[0] = 198, f.addr[0].b[1] = 18, f.addr[0].b[3] = 1;
    f.addr[1].b[0] = 198, f.addr[1].b[1] = 18, f.addr[1].b[3] = 2;
    f.icmp_type = 8;
    f.start_ns = 1704164645ull * TG_NS_PER_SEC;
    f.last_ns = f.start_ns + 3 * TG_NS_PER_SEC;
    struct packet p;
    memset(&p, 0, sizeof p);
    p.num = 7;
    p.ts_ns = f.start_ns;
    p.ip_version = 4;
    p.src = f.addr[0];
    p.dst = f.addr[1];
    p.l4_proto = IPPROTO_NUM_ICMP;
    p.icmp_type = 8;
    p.flags = PKT_HAS_L4;
    p.payload = (const uint8_t *)"ping\x01payload";
    p.payload_len = 12;
    p.flow = &f;
    output_alert(o, &test_alert, &p, NULL);
    CHECK(f.alerted);
    /* Two-step form with an extra object and the caller's own excerpt. */
    struct output_alert a2 = test_alert;
    a2.sid = 2100004;
    a2.payload = (const uint8_t *)"INVITE sip:x";
    a2.payload_len = 12;
    struct json *j = output_alert_begin(o, &a2, &p, "sip");
    json_open_object(j, "sip");
    json_str(j, "method", "INVITE");
    json_close_object(j);
    output_alert_finish(o, &a2, &p, "sip");
    f.end_reason = FLOW_END_TIMEOUT;
    output_flow(o, &f, NULL);
    output_end_run(o, 0, &st);
    output_close(o);
    config_free(cfg);

    snprintf(path, sizeof path, "%s/eve.json", dir);
    char *eve = slurp(path);
    CHECK_STR(eve,
              "{\"timestamp\":\"2024-01-02T03:04:05.000000+0000\",\"flow_id\":99,\"sensor_id\":\"edge \\\"1\\\"\","
              "\"pcap_cnt\":7,\"event_type\":\"alert\",\"src_ip\":\"198.18.0.1\",\"dest_ip\":\"198.18.0.2\","
              "\"proto\":\"ICMP\",\"icmp_type\":8,\"icmp_code\":0,\"direction\":\"to_server\","
              "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":2100003,\"rev\":1,"
              "\"signature\":\"SIP From header too long\",\"category\":\"Attempted Administrator Privilege Gain\","
              "\"severity\":1},\"payload_printable\":\"ping\"}\n"
              "{\"timestamp\":\"2024-01-02T03:04:05.000000+0000\",\"flow_id\":99,\"sensor_id\":\"edge \\\"1\\\"\","
              "\"pcap_cnt\":7,\"event_type\":\"alert\",\"src_ip\":\"198.18.0.1\",\"dest_ip\":\"198.18.0.2\","
              "\"proto\":\"ICMP\",\"icmp_type\":8,\"icmp_code\":0,\"app_proto\":\"sip\",\"direction\":\"to_server\","
              "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":2100004,\"rev\":1,"
              "\"signature\":\"SIP From header too long\",\"category\":\"Attempted Administrator Privilege Gain\","
              "\"severity\":1},\"payload_printable\":\"INVI\",\"sip\":{\"method\":\"INVITE\"}}\n"
              "{\"timestamp\":\"2024-01-02T03:04:08.000000+0000\",\"flow_id\":99,\"sensor_id\":\"edge \\\"1\\\"\","
              "\"event_type\":\"flow\",\"src_ip\":\"198.18.0.1\",\"dest_ip\":\"198.18.0.2\",\"proto\":\"ICMP\","
              "\"icmp_type\":8,\"icmp_code\":0,\"flow\":{\"pkts_toserver\":0,\"pkts_toclient\":0,"
              "\"bytes_toserver\":0,\"bytes_toclient\":0,\"start\":\"2024-01-02T03:04:05.000000+0000\","
              "\"end\":\"2024-01-02T03:04:08.000000+0000\",\"age\":3,\"state\":\"new\",\"reason\":\"timeout\","
              "\"alerted\":true}}\n");
    free(eve);
    snprintf(path, sizeof path, "%s/fast.log", dir);
    char *fast = slurp(path);
    CHECK_STR(fast, "01/02/2024-03:04:05.000000  [**] [1:2100003:1] SIP From header too long [**] "
                    "[Classification: Attempted Administrator Privilege Gain] [Priority: 1] "
                    "{ICMP} 198.18.0.1:8 -> 198.18.0.2:0\n"
                    "01/02/2024-03:04:05.000000  [**] [1:2100004:1] SIP From header too long [**] "
                    "[Classification: Attempted Administrator Privilege Gain] [Priority: 1] "
                    "{ICMP} 198.18.0.1:8 -> 198.18.0.2:0\n");
    free(fast);
    snprintf(path, sizeof path, "%s/tollgate.db", dir);
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    sqlite3_stmt *q;
    CHECK(sqlite3_prepare_v2(db, "SELECT group_concat(sid || ' ' || proto || ' ' || src_port || '/' || dest_port || ' '"
                                 " || CAST(payload AS TEXT) || ' ' || flow_id || ' ' || sensor_id, ';') FROM"
                                 " (SELECT * FROM alerts ORDER BY id)", -1, &q, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(q) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(q, 0),
              "2100003 ICMP 8/0 ping 99 edge \"1\";2100004 ICMP 8/0 INVI 99 edge \"1\"");
    sqlite3_finalize(q);
    sqlite3_close(db);
    CHECK_EQ_U(st.c[STAT_OUTPUT_ALERTS], 2);
    CHECK_EQ_U(st.c[STAT_OUTPUT_EVE_RECORDS], 3);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ERRORS], 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

TEST(write_errors_counted_not_fatal)
{
    /* eve.json on a full disk: the run goes on, the failure is counted. */
    char dir[64], link[128], err[256] = "";
    snprintf(dir, sizeof dir, "/tmp/tg-test-output-full-%d", (int)getpid());
    CHECK(mkdir(dir, 0755) == 0);
    snprintf(link, sizeof link, "%s/eve.json", dir);
    CHECK(symlink("/dev/full", link) == 0);
    struct stats st = {0};
    struct output *o = output_open(dir, NULL, &st, err, sizeof err);
    CHECK(o != NULL);
    if (o) {
        output_begin_run(o, "analyze", "t.pcap", 0);
        struct flow f;
        memset(&f, 0, sizeof f);
        f.id = 1;
        f.proto = IPPROTO_NUM_UDP;
        for (int i = 0; i < 200; i++) /* more than stdio buffers */
            output_flow(o, &f, NULL);
        output_end_run(o, 0, &st);
        output_close(o);
    }
    CHECK(st.c[STAT_OUTPUT_FILE_ERRORS] >= 1);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ERRORS], 0);
    CHECK(st.c[STAT_OUTPUT_DB_ROWS] >= 200); /* the store still got every flow */
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

TEST_MAIN(T(fast_format), T(eve_alert_and_flow), T(write_errors_counted_not_fatal))
