/*
 * Unit tests of the counters (proxy/observe/stats.c) and their renderers
 * (proxy/observe/stats_render.c): exact sums over shards, bucket edges, exact
 * JSON and Prometheus lines, label escaping, and concurrent updates
 * summed while a reader reads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "veil/stats.h"
#include "veil/tokens.h"
#include "test.h"

static veil_stats_t *make(unsigned shards)
{
    veil_stats_t *s = veil_stats_new(shards, 4);

    veil_stats_route(s, "api");
    veil_stats_route(s, "a\"b\\c\nd");
    return s;
}


static int has_line(const veil_jbuf_t *b, const char *line)
{
    size_t n = strlen(line);
    const char *p = b->data, *end = b->data + b->len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (len == n && memcmp(p, line, n) == 0) {
            return 1;
        }
        p += len + 1;
    }
    fprintf(stderr, "missing line: %s\n", line);
    return 0;
}


static int contains(const veil_jbuf_t *b, const char *s)
{
    if (memmem(b->data, b->len, s, strlen(s)) != NULL) {
        return 1;
    }
    fprintf(stderr, "missing: %s\n", s);
    return 0;
}


TEST(methods_and_tables)
{
    CHECK_EQ(veil_stats_method("GET", 3), VEIL_STATS_M_GET);
    CHECK_EQ(veil_stats_method("PATCH", 5), VEIL_STATS_M_PATCH);
    CHECK_EQ(veil_stats_method("get", 3), VEIL_STATS_M_OTHER);
    CHECK_EQ(veil_stats_method("GETX", 4), VEIL_STATS_M_OTHER);
    CHECK_EQ(veil_stats_method("GE", 2), VEIL_STATS_M_OTHER);
    CHECK_STR(veil_stats_table_name(VEIL_STATS_T_REJECT,
                                    veil_stats_table_index(VEIL_STATS_T_REJECT, "cl_te_conflict")),
              "cl_te_conflict");
    CHECK_STR(veil_stats_table_name(VEIL_STATS_T_REJECT,
                                    veil_stats_table_index(VEIL_STATS_T_REJECT, "no such reason")),
              "other");
    CHECK_STR(
        veil_stats_table_name(VEIL_STATS_T_SKIP, veil_stats_table_index(VEIL_STATS_T_SKIP, NULL)),
        "other");
    CHECK_STR(
        veil_stats_table_name(VEIL_STATS_T_UPSTREAM,
                              veil_stats_table_index(VEIL_STATS_T_UPSTREAM, "upstream_timeout")),
        "upstream_timeout");
    CHECK_EQ(veil_stats_new(0, 1) == NULL, 1);
    CHECK_EQ(veil_stats_new(1, 0) == NULL, 1);
    CHECK_EQ(veil_stats_new(1, VEIL_STATS_MAX_ROUTES + 1) == NULL, 1);
}


TEST(sums_over_shards)
{
    veil_stats_t *s = make(2);
    veil_stats_shard_t *a = veil_stats_shard(s, 0), *b = veil_stats_shard(s, 1);
    veil_stats_shard_t *m = veil_stats_shard(s, VEIL_STATS_SHARD_MAIN);
    veil_stats_snapshot_t sn;
    int email = veil_catalog_find("email");
    size_t ndet = veil_catalog_count();
    size_t rej = veil_stats_table_index(VEIL_STATS_T_REJECT, "bare_lf");
    size_t nskip = veil_stats_table_count(VEIL_STATS_T_SKIP);

    CHECK(veil_stats_shard(s, 2) == NULL);
    veil_stats_finding(a, 0, VEIL_STATS_LOC_REQ_BODY, (unsigned)email, VEIL_STATS_ACT_OBSERVE, 2);
    veil_stats_finding(b, 0, VEIL_STATS_LOC_REQ_BODY, (unsigned)email, VEIL_STATS_ACT_OBSERVE, 3);
    /* Out of range: ignored (route 5 is past the 4 routes and the
       overflow route). */
    veil_stats_finding(b, 5, VEIL_STATS_LOC_REQ_BODY, 0, 0, 1);
    veil_stats_finding(b, 0, VEIL_STATS_LOC_REQ_BODY, 0xffff, 0, 1);
    veil_stats_finding(b, 0, VEIL_STATS_LOC__COUNT, 0, 0, 1);
    veil_stats_finding(b, 0, 0, (unsigned)(ndet + VEIL_STATS_MAX_CUSTOM), 0, 1);
    veil_stats_finding(b, 0, 0, 0, VEIL_STATS_ACT__COUNT, 1);
    veil_stats_rejected(a, "bare_lf");
    veil_stats_rejected(m, "bare_lf");
    veil_stats_not_inspected(a, 1, VEIL_STATS_DIR_RESPONSE, "binary");
    veil_stats_reload(m, VEIL_STATS_RELOAD_FAILED);
    veil_stats_inspected(a, 0, VEIL_STATS_DIR_REQUEST, 100);
    veil_stats_inspected(b, 0, VEIL_STATS_DIR_REQUEST, 23);

    CHECK_EQ(veil_stats_snapshot(s, &sn), 0);
    CHECK_EQ(
        sn.findings[((0 * VEIL_STATS_LOC__COUNT + VEIL_STATS_LOC_REQ_BODY) * ndet + (size_t)email) *
                    VEIL_STATS_ACT__COUNT],
        5);
    {
        uint64_t t = 0;

        for (size_t i = 0; i < 2 * VEIL_STATS_LOC__COUNT * ndet * VEIL_STATS_ACT__COUNT; i++) {
            t += sn.findings[i];
        }
        CHECK_EQ(t, 5);
    }
    CHECK_EQ(sn.rejected[rej], 2);
    CHECK_EQ(sn.skipped[(1 * 2 + 1) * nskip + veil_stats_table_index(VEIL_STATS_T_SKIP, "binary")],
             1);
    CHECK_EQ(sn.reloads[VEIL_STATS_RELOAD_FAILED], 1);
    CHECK_EQ(sn.reloads[VEIL_STATS_RELOAD_OK], 0);
    CHECK_EQ(sn.inspected[0], 123);
    veil_stats_snapshot_dispose(&sn);
    veil_stats_free(s);
}


TEST(histogram_edges)
{
    veil_stats_t *s = make(1);
    veil_stats_shard_t *a = veil_stats_shard(s, 0);
    veil_stats_snapshot_t sn;
    veil_jbuf_t b;

    /* le is inclusive: 0.5 ms exactly is in the first bucket, one
       nanosecond more is in the second; 61 s is only in +Inf. */
    veil_stats_request(a, 0, VEIL_STATS_M_GET, 200, 500000, 400000, UINT64_MAX);
    veil_stats_request(a, 0, VEIL_STATS_M_GET, 204, 500001, UINT64_MAX, 100);
    veil_stats_request(a, 0, VEIL_STATS_M_POST, 0, 61000000000ull, UINT64_MAX, UINT64_MAX);
    CHECK_EQ(veil_stats_snapshot(s, &sn), 0);
    veil_jbuf_init(&b, 1 << 20);
    CHECK_EQ(veil_stats_prometheus(&sn, &b), 0);
    CHECK(has_line(&b, "veil_request_duration_seconds_bucket{route=\"api\",le=\"0.0005\"} 1"));
    CHECK(has_line(&b, "veil_request_duration_seconds_bucket{route=\"api\",le=\"0.001\"} 2"));
    CHECK(has_line(&b, "veil_request_duration_seconds_bucket{route=\"api\",le=\"60\"} 2"));
    CHECK(has_line(&b, "veil_request_duration_seconds_bucket{route=\"api\",le=\"+Inf\"} 3"));
    CHECK(has_line(&b, "veil_request_duration_seconds_count{route=\"api\"} 3"));
    CHECK(has_line(&b, "veil_request_duration_seconds_sum{route=\"api\"} 61.001000001"));
    CHECK(has_line(&b, "veil_upstream_duration_seconds_count{route=\"api\"} 1"));
    CHECK(has_line(&b, "veil_upstream_duration_seconds_sum{route=\"api\"} 0.000400000"));
    CHECK(has_line(&b, "veil_added_latency_seconds_bucket{route=\"api\",le=\"0.0005\"} 1"));
    CHECK(has_line(&b, "veil_added_latency_seconds_count{route=\"api\"} 1"));
    CHECK(has_line(&b, "veil_requests_total{route=\"api\",method=\"GET\",code=\"2xx\"} 2"));
    CHECK(has_line(&b, "veil_requests_total{route=\"api\",method=\"POST\",code=\"none\"} 1"));
    /* The second route has empty histograms, still complete. */
    CHECK(has_line(&b, "veil_request_duration_seconds_count{route=\"a\\\"b\\\\c\\nd\"} 0"));
    veil_jbuf_dispose(&b);

    veil_jbuf_init(&b, 1 << 20);
    CHECK_EQ(veil_stats_json(&sn, &b), 0);
    CHECK(contains(&b, "{\"route\":\"api\",\"kind\":\"total\",\"count\":3,"
                       "\"sum_seconds\":61.001000001,\"le\":[0.0005,0.001,0.0025,"
                       "0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5,5,10,30,60],"
                       "\"cumulative\":[1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,3]}"));
    CHECK(contains(&b, "\"requests\":[{\"route\":\"api\",\"method\":\"GET\","
                       "\"code\":\"2xx\",\"count\":2},{\"route\":\"api\","
                       "\"method\":\"POST\",\"code\":\"none\",\"count\":1}]"));
    veil_jbuf_dispose(&b);
    veil_stats_snapshot_dispose(&sn);
    veil_stats_free(s);
}


TEST(render_every_family)
{
    veil_stats_t *s = make(2);
    veil_stats_shard_t *a = veil_stats_shard(s, 0), *b1 = veil_stats_shard(s, 1);
    veil_stats_snapshot_t sn;
    veil_jbuf_t b;
    int email = veil_catalog_find("email"), card = veil_catalog_find("credit_card");

    veil_stats_finding(a, 0, VEIL_STATS_LOC_REQ_BODY, (unsigned)email, VEIL_STATS_ACT_OBSERVE, 3);
    veil_stats_finding(b1, 1, VEIL_STATS_LOC_RSP_HEADERS, (unsigned)card, VEIL_STATS_ACT_MASK, 1);
    veil_stats_not_inspected(a, 0, VEIL_STATS_DIR_RESPONSE, "over_limit");
    veil_stats_rejected(b1, "cl_te_conflict");
    veil_stats_rejected(b1, "something new");
    veil_stats_blocked(a, 0, VEIL_CAT_FINANCIAL);
    veil_stats_upstream_error(a, 0, "upstream_connect_timeout");
    veil_stats_inspected(a, 0, VEIL_STATS_DIR_RESPONSE, 4096);
    veil_stats_set_config(s, "sha256:0123abcd", 1795000000.5);
    CHECK_EQ(veil_stats_snapshot(s, &sn), 0);

    veil_jbuf_init(&b, 1 << 20);
    CHECK_EQ(veil_stats_prometheus(&sn, &b), 0);
    CHECK(has_line(&b, "# HELP veil_findings_total Personal data found, by route, "
                       "direction, location, detector, category and action "
                       "taken. Never a value."));
    CHECK(has_line(&b, "# TYPE veil_findings_total counter"));
    CHECK(has_line(&b, "veil_findings_total{route=\"api\",direction=\"request\","
                       "location=\"body\",detector=\"email\",category=\"contact\","
                       "action=\"observe\"} 3"));
    CHECK(has_line(&b, "veil_findings_total{route=\"a\\\"b\\\\c\\nd\","
                       "direction=\"response\",location=\"headers\","
                       "detector=\"credit_card\",category=\"financial\","
                       "action=\"mask\"} 1"));
    CHECK(has_line(&b, "veil_bodies_not_inspected_total{route=\"api\","
                       "direction=\"response\",reason=\"over_limit\"} 1"));
    CHECK(has_line(&b, "veil_requests_rejected_total{reason=\"cl_te_conflict\"} 1"));
    CHECK(has_line(&b, "veil_requests_rejected_total{reason=\"other\"} 1"));
    CHECK(has_line(&b, "veil_requests_blocked_total{route=\"api\",category=\"financial\"} 1"));
    CHECK(has_line(&b, "veil_upstream_errors_total{route=\"api\","
                       "kind=\"upstream_connect_timeout\"} 1"));
    CHECK(has_line(&b, "veil_inspected_bytes_total{route=\"api\",direction=\"response\"} 4096"));
    CHECK(has_line(&b, "veil_inspected_bytes_total{route=\"api\",direction=\"request\"} 0"));
    CHECK(has_line(&b, "veil_config_reloads_total{result=\"ok\"} 0"));
    CHECK(has_line(&b, "veil_config_info{id=\"sha256:0123abcd\"} 1"));
    CHECK(has_line(&b, "veil_config_load_time_seconds 1795000000.500"));
    veil_jbuf_dispose(&b);

    veil_jbuf_init(&b, 1 << 20);
    CHECK_EQ(veil_stats_json(&sn, &b), 0);
    CHECK(contains(&b, "\"config\":{\"id\":\"sha256:0123abcd\",\"loaded_at\":1795000000.500}"));
    CHECK(contains(&b, "\"routes\":[\"api\",\"a\\\"b\\\\c\\nd\"]"));
    CHECK(contains(&b, "\"totals\":{\"requests\":0,\"findings\":4,"
                       "\"inspected_bytes\":4096,\"not_inspected\":1,"
                       "\"rejected\":2,\"blocked\":1,\"upstream_errors\":1}"));
    CHECK(contains(&b, "{\"route\":\"api\",\"direction\":\"request\","
                       "\"location\":\"body\",\"detector\":\"email\","
                       "\"category\":\"contact\",\"action\":\"observe\",\"count\":3}"));
    CHECK(contains(&b, "\"detectors\":[{\"id\":\"email\",\"category\":\"contact\","
                       "\"regulations\":\"gdpr,ccpa,hipaa\",\"count\":3},"
                       "{\"id\":\"credit_card\",\"category\":\"financial\","
                       "\"regulations\":\"ccpa,pci_dss,glba\",\"count\":1}]"));
    CHECK(contains(&b, "\"rejected\":[{\"reason\":\"cl_te_conflict\",\"count\":1},"
                       "{\"reason\":\"other\",\"count\":1}]"));
    CHECK(contains(&b, "\"reloads\":{\"ok\":0,\"failed\":0}"));
    veil_jbuf_dispose(&b);
    veil_stats_snapshot_dispose(&sn);
    veil_stats_free(s);
}


TEST(routes_and_custom_detectors)
{
    veil_stats_t *s = veil_stats_new(1, 2);
    veil_stats_shard_t *a = veil_stats_shard(s, 0);
    veil_custom_detector_t c1[] = {
        {"employee_id", VEIL_CAT_GOVERNMENT_ID, VEIL_REG_GDPR, "EMP-[0-9]{6}", NULL, NULL, 0,
         VEIL_CONF_HIGH},
    };
    veil_custom_detector_t c2[] = {
        {"badge", VEIL_CAT_CREDENTIALS, VEIL_REG_HIPAA, "BDG-[0-9]{4}", NULL, NULL, 0,
         VEIL_CONF_HIGH},
        {"employee_id", VEIL_CAT_GOVERNMENT_ID, VEIL_REG_GDPR, "EMP-[0-9]{6}", NULL, NULL, 0,
         VEIL_CONF_HIGH},
    };
    veil_engine_options_t o1 = {0}, o2 = {0};
    veil_engine_t *e1, *e2;
    char err[256];
    uint16_t m1[200], m2[200];
    size_t C = veil_catalog_count();
    veil_stats_snapshot_t sn;
    veil_jbuf_t b;

    CHECK_EQ(veil_stats_route(s, "one"), 0);
    CHECK_EQ(veil_stats_route(s, "two"), 1);
    CHECK_EQ(veil_stats_route(s, "one"), 0);
    /* Past the capacity: one overflow route named "other". */
    CHECK_EQ(veil_stats_route(s, "three"), 2);
    CHECK_EQ(veil_stats_route(s, "four"), 2);
    CHECK_EQ(veil_stats_route(s, "other"), 2);

    o1.custom = c1;
    o1.custom_count = 1;
    o2.custom = c2;
    o2.custom_count = 2;
    e1 = veil_engine_new(&o1, err, sizeof(err));
    e2 = veil_engine_new(&o2, err, sizeof(err));
    CHECK(e1 != NULL && e2 != NULL);
    CHECK_EQ(veil_stats_map_engine(s, e1, m1, C + 2), 0);
    CHECK_EQ(m1[0], 0);
    CHECK_EQ(m1[C - 1], C - 1);
    CHECK_EQ(m1[C], C);          /* employee_id: the first custom slot */
    CHECK_EQ(m1[C + 1], 0xffff); /* past the engine's detectors */
    CHECK_EQ(veil_stats_map_engine(s, e2, m2, C + 2), 0);
    CHECK_EQ(m2[C], C + 1); /* badge: new */
    CHECK_EQ(m2[C + 1], C); /* employee_id: the same slot again */
    veil_engine_free(e1);   /* ids were copied */
    veil_engine_free(e2);

    veil_stats_finding(a, 1, VEIL_STATS_LOC_REQ_BODY, m1[C], 0, 2);
    veil_stats_finding(a, 1, VEIL_STATS_LOC_REQ_BODY, m2[C + 1], 0, 3);
    veil_stats_finding(a, 0, VEIL_STATS_LOC_RSP_BODY, m2[C], 0, 1);
    CHECK_EQ(veil_stats_snapshot(s, &sn), 0);
    CHECK_EQ(sn.nroutes, 3);
    CHECK_STR(sn.routes[2], "other");
    CHECK_EQ(sn.ndet, C + 2);
    veil_jbuf_init(&b, 1 << 20);
    CHECK_EQ(veil_stats_prometheus(&sn, &b), 0);
    CHECK(has_line(&b, "veil_findings_total{route=\"two\",direction=\"request\","
                       "location=\"body\",detector=\"employee_id\","
                       "category=\"government_id\",action=\"observe\"} 5"));
    CHECK(has_line(&b, "veil_findings_total{route=\"one\",direction=\"response\","
                       "location=\"body\",detector=\"badge\","
                       "category=\"credentials\",action=\"observe\"} 1"));
    veil_jbuf_dispose(&b);
    veil_jbuf_init(&b, 1 << 20);
    CHECK_EQ(veil_stats_json(&sn, &b), 0);
    CHECK(contains(&b, "\"detectors\":[{\"id\":\"employee_id\",\"category\":"
                       "\"government_id\",\"regulations\":\"gdpr\",\"count\":5},"
                       "{\"id\":\"badge\",\"category\":\"credentials\","
                       "\"regulations\":\"hipaa\",\"count\":1}]"));
    veil_jbuf_dispose(&b);
    veil_stats_snapshot_dispose(&sn);
    veil_stats_free(s);
}


static int fixed_json(void *ud, veil_jbuf_t *out)
{
    return veil_jbuf_cstr(out, ud);
}


TEST(flag_values_and_config_id)
{
    uint64_t v = 7;
    veil_stats_t *s = make(1);
    veil_stats_snapshot_t sn;

    CHECK_EQ(veil_stats_parse_bytes("0", &v), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(veil_stats_parse_bytes("4k", &v), 0);
    CHECK_EQ(v, 4096);
    CHECK_EQ(veil_stats_parse_bytes("100m", &v), 0);
    CHECK_EQ(v, 100ull << 20);
    CHECK_EQ(veil_stats_parse_bytes("2G", &v), 0);
    CHECK_EQ(v, 2ull << 30);
    CHECK_EQ(veil_stats_parse_bytes("-1", &v), -1);
    CHECK_EQ(veil_stats_parse_bytes("4kb", &v), -1);
    CHECK_EQ(veil_stats_parse_bytes("", &v), -1);
    CHECK_EQ(veil_stats_parse_bytes("99999999999999999999", &v), -1);
    CHECK_EQ(veil_stats_parse_secs("90", &v), 0);
    CHECK_EQ(v, 90);
    CHECK_EQ(veil_stats_parse_secs("2s", &v), 0);
    CHECK_EQ(v, 2);
    CHECK_EQ(veil_stats_parse_secs("5m", &v), 0);
    CHECK_EQ(v, 300);
    CHECK_EQ(veil_stats_parse_secs("1h", &v), 0);
    CHECK_EQ(v, 3600);
    CHECK_EQ(veil_stats_parse_secs("7d", &v), 0);
    CHECK_EQ(v, 604800);
    CHECK_EQ(veil_stats_parse_secs("1w", &v), -1);
    CHECK_EQ(veil_stats_parse_secs("1.5h", &v), -1);
    CHECK_EQ(veil_stats_parse_secs(" 1", &v), -1);

    /* sha256("{}") = 44136fa355b3678a1146ad16f7e8649e94fb4fc2... */
    veil_stats_config_id(s, fixed_json, "{}");
    CHECK_EQ(veil_stats_snapshot(s, &sn), 0);
    CHECK_STR(sn.config_id, "sha256:44136fa355b3");
    CHECK(sn.config_time > 1.7e9);
    veil_stats_snapshot_dispose(&sn);
    veil_stats_free(s);
}


static veil_stats_t *reg_stats;
static const veil_detector_info_t reg_info[3] = {
    {.id = "cust_a", .category = VEIL_CAT_HEALTH, .regulations = VEIL_REG_HIPAA},
    {.id = "cust_b", .category = VEIL_CAT_FINANCIAL, .regulations = VEIL_REG_GLBA},
    {.id = "cust_c", .category = VEIL_CAT_CONTACT, .regulations = VEIL_REG_GDPR},
};
static int reg_slots[4][3], reg_routes[4][2];

static void *registrar(void *p)
{
    int t = (int)(long)p;

    /* Every thread asks for the same names in a different order. */
    for (int k = 0; k < 1000; k++) {
        for (int j = 0; j < 3; j++) {
            int i = (j + t) % 3;

            reg_slots[t][i] = veil_stats_detector(
                reg_stats, (unsigned)(veil_catalog_count() + 5 + (size_t)i), &reg_info[i]);
        }
        reg_routes[t][0] = veil_stats_route(reg_stats, t % 2 ? "r1" : "r2");
        reg_routes[t][1] = veil_stats_route(reg_stats, t % 2 ? "r2" : "r1");
    }
    return NULL;
}


TEST(lookups_without_lock)
{
    pthread_t th[4];
    size_t C = veil_catalog_count();
    veil_stats_snapshot_t sn;

    reg_stats = veil_stats_new(1, 2);
    CHECK_EQ(veil_stats_detector(reg_stats, 3, NULL), 3); /* a built-in */
    CHECK_EQ(veil_stats_detector(reg_stats, (unsigned)C, NULL), -1);
    for (long t = 0; t < 4; t++) {
        pthread_create(&th[t], NULL, registrar, (void *)t);
    }
    for (int t = 0; t < 4; t++) {
        pthread_join(th[t], NULL);
    }
    /* One slot per id and one index per name, whoever came first. */
    for (int t = 1; t < 4; t++) {
        for (int i = 0; i < 3; i++) {
            CHECK_EQ(reg_slots[t][i], reg_slots[0][i]);
        }
    }
    CHECK(reg_slots[0][0] >= (int)C && reg_slots[0][0] < (int)C + 3);
    CHECK(reg_slots[0][0] != reg_slots[0][1] && reg_slots[0][1] != reg_slots[0][2] &&
          reg_slots[0][0] != reg_slots[0][2]);
    CHECK_EQ(reg_routes[0][0], reg_routes[1][1]);
    CHECK_EQ(reg_routes[0][1], reg_routes[1][0]);
    CHECK(reg_routes[0][0] != reg_routes[0][1]);
    CHECK_EQ(veil_stats_route(reg_stats, "r3"), 2);
    CHECK_EQ(veil_stats_snapshot(reg_stats, &sn), 0);
    CHECK_EQ(sn.nroutes, 3);
    CHECK_EQ(sn.ndet, C + 3);
    CHECK_STR(sn.det[reg_slots[0][1]].id, "cust_b");
    CHECK_EQ(sn.det[reg_slots[0][1]].category, VEIL_CAT_FINANCIAL);
    veil_stats_snapshot_dispose(&sn);
    CHECK(veil_stats_of(veil_stats_shard(reg_stats, 0)) == reg_stats);
    veil_stats_free(reg_stats);
}


#define THREADS 4
#define PER_THREAD 200000

struct worker_arg {
    veil_stats_t *s;
    int id;
};

static void *worker(void *p)
{
    struct worker_arg *w = p;
    veil_stats_shard_t *sh = veil_stats_shard(w->s, w->id);

    for (int i = 0; i < PER_THREAD; i++) {
        veil_stats_finding(sh, 0, VEIL_STATS_LOC_REQ_BODY, 0, VEIL_STATS_ACT_OBSERVE, 1);
        veil_stats_inspected(sh, 0, VEIL_STATS_DIR_REQUEST, 7);
    }
    return NULL;
}

static void *main_shard_worker(void *p)
{
    veil_stats_shard_t *sh = veil_stats_shard(p, VEIL_STATS_SHARD_MAIN);

    for (int i = 0; i < PER_THREAD; i++) {
        veil_stats_reload(sh, VEIL_STATS_RELOAD_OK);
    }
    return NULL;
}


TEST(concurrent_updates_and_reads)
{
    veil_stats_t *s = make(THREADS);
    pthread_t t[THREADS + 2];
    struct worker_arg args[THREADS];
    veil_stats_snapshot_t sn;
    uint64_t last = 0;
    int monotonic = 1;

    for (int i = 0; i < THREADS; i++) {
        args[i].s = s;
        args[i].id = i;
        pthread_create(&t[i], NULL, worker, &args[i]);
    }
    /* Two threads share the main shard: its adds must be atomic. */
    pthread_create(&t[THREADS], NULL, main_shard_worker, s);
    pthread_create(&t[THREADS + 1], NULL, main_shard_worker, s);
    for (int k = 0; k < 50; k++) {
        if (veil_stats_snapshot(s, &sn) == 0) {
            monotonic &=
                sn.findings[VEIL_STATS_LOC_REQ_BODY * sn.ndet * VEIL_STATS_ACT__COUNT] >= last;
            last = sn.findings[VEIL_STATS_LOC_REQ_BODY * sn.ndet * VEIL_STATS_ACT__COUNT];
            veil_stats_snapshot_dispose(&sn);
        }
    }
    for (int i = 0; i < THREADS + 2; i++) {
        pthread_join(t[i], NULL);
    }
    CHECK(monotonic);
    CHECK_EQ(veil_stats_snapshot(s, &sn), 0);
    CHECK_EQ(sn.findings[VEIL_STATS_LOC_REQ_BODY * sn.ndet * VEIL_STATS_ACT__COUNT],
             THREADS * PER_THREAD);
    CHECK_EQ(sn.inspected[0], 7ull * THREADS * PER_THREAD);
    CHECK_EQ(sn.reloads[VEIL_STATS_RELOAD_OK], 2 * PER_THREAD);
    veil_stats_snapshot_dispose(&sn);
    veil_stats_free(s);
}


/* Token counters: what a worker's veil_token_stats_t held goes to its
   shard under the key ids of the ring of that pass (a reload that gives
   slot 1 another id counts under the new id), summed over shards, and
   the worker's struct is empty again. */
TEST(token_counters)
{
    veil_stats_t *s = make(2);
    veil_stats_shard_t *a = veil_stats_shard(s, 0), *b = veil_stats_shard(s, 1);
    veil_stats_shard_t *m = veil_stats_shard(s, VEIL_STATS_SHARD_MAIN);
    veil_hash_key_t k1, k9;
    const veil_hash_key_t *keys[2] = {&k1, &k9};
    veil_token_ring_t *r1, *r2;
    veil_token_stats_t *st = calloc(1, sizeof(*st)), zero;
    unsigned email = veil_token_stat_type("email"), card = veil_token_stat_type("credit_card");
    veil_stats_snapshot_t sn;
    veil_jbuf_t out;
    char err[128];

    memset(&k1, 0, sizeof(k1));
    memset(&k9, 0, sizeof(k9));
    memset(&zero, 0, sizeof(zero));
    k1.id = "k2024";
    k1.slot = 1;
    k1.len = 32;
    k1.state = VEIL_KEY_ACTIVE;
    k9 = k1;
    k9.id = "k2023";
    k9.slot = 9;
    k9.state = VEIL_KEY_DECRYPT_ONLY;
    r1 = veil_token_ring_new(keys, 2, err, sizeof(err));
    k1.id = "k2025"; /* the same slot under another id: after a reload */
    r2 = veil_token_ring_new(keys, 1, err, sizeof(err));
    CHECK(r1 != NULL && r2 != NULL && st != NULL);

    st->issued[email][1][VEIL_TOKEN_KIND_TAGGED] = 3;
    st->issued[card][1][VEIL_TOKEN_KIND_FPE] = 2;
    st->fpe_refused[email][VEIL_FPE_REFUSED_DOMAIN] = 1;
    st->kept = 4;
    veil_stats_tokens(a, r1, st);
    CHECK(memcmp(st, &zero, sizeof(zero)) == 0);
    st->issued[email][1][VEIL_TOKEN_KIND_TAGGED] = 2;
    st->reversed[card][9][VEIL_TOKEN_RESTORED] = 5;
    st->reversed[card][0][VEIL_TOKEN_UNKNOWN_KEY] = 1;
    st->reversed[email][9][VEIL_TOKEN_NOT_ALLOWED] = 7;
    veil_stats_tokens(b, r1, st);
    st->issued[email][1][VEIL_TOKEN_KIND_TAGGED] = 1;
    veil_stats_tokens(m, r2, st);
    veil_stats_placeholders(a, 0, 3, 4, 1);
    veil_stats_placeholders(b, 0, 1, 0, 0);
    veil_stats_detokenize_request(m, "billing", 200);
    veil_stats_detokenize_request(m, "billing", 200);
    veil_stats_detokenize_request(m, "billing", 429);
    veil_stats_detokenize_request(m, NULL, 401);
    veil_stats_detokenize_request(m, "billing", 299); /* other */

    CHECK_EQ(veil_stats_snapshot(s, &sn), 0);
    veil_jbuf_init(&out, 1 << 22);
    CHECK_EQ(veil_stats_prometheus(&sn, &out), 0);
    CHECK(has_line(&out, "# TYPE veil_tokens_issued_total counter"));
    CHECK(
        has_line(&out, "veil_tokens_issued_total{type=\"email\",key=\"k2024\",kind=\"tagged\"} 5"));
    CHECK(
        has_line(&out, "veil_tokens_issued_total{type=\"email\",key=\"k2025\",kind=\"tagged\"} 1"));
    CHECK(has_line(&out,
                   "veil_tokens_issued_total{type=\"credit_card\",key=\"k2024\",kind=\"fpe\"} 2"));
    CHECK(has_line(
        &out,
        "veil_detokenizations_total{type=\"credit_card\",key=\"k2023\",outcome=\"restored\"} 5"));
    CHECK(has_line(
        &out,
        "veil_detokenizations_total{type=\"credit_card\",key=\"none\",outcome=\"unknown_key\"} 1"));
    CHECK(has_line(
        &out,
        "veil_detokenizations_total{type=\"email\",key=\"k2023\",outcome=\"not_allowed\"} 7"));
    CHECK(has_line(&out, "veil_fpe_refused_total{type=\"email\",reason=\"domain_too_small\"} 1"));
    CHECK(has_line(&out, "veil_tokens_kept_total 4"));
    CHECK(has_line(&out, "veil_placeholders_issued_total{route=\"api\"} 4"));
    CHECK(has_line(&out, "veil_placeholders_restored_total{route=\"api\"} 4"));
    CHECK(has_line(&out, "veil_placeholders_not_restored_total{route=\"api\"} 1"));
    CHECK(has_line(&out, "veil_detokenize_requests_total{caller=\"billing\",status=\"200\"} 2"));
    CHECK(has_line(&out, "veil_detokenize_requests_total{caller=\"billing\",status=\"429\"} 1"));
    CHECK(has_line(&out, "veil_detokenize_requests_total{caller=\"billing\",status=\"other\"} 1"));
    CHECK(has_line(&out, "veil_detokenize_requests_total{caller=\"none\",status=\"401\"} 1"));
    /* Nothing is written for a series that is zero. */
    CHECK(memmem(out.data, out.len, "kind=\"fpe\"} 0", 13) == NULL);
    veil_jbuf_reset(&out);
    CHECK_EQ(veil_stats_json(&sn, &out), 0);
    CHECK(contains(&out, "\"tokens\":{\"issued\":[{\"type\":\"email\",\"key\":\"k2024\","
                         "\"kind\":\"tagged\",\"count\":5},"));
    CHECK(contains(&out, "\"fpe_refused\":[{\"type\":\"email\",\"reason\":"
                         "\"domain_too_small\",\"count\":1}],\"kept\":4}"));
    CHECK(contains(&out, "\"placeholders\":[{\"route\":\"api\",\"issued\":4,\"restored\":4,"
                         "\"not_restored\":1}]"));
    CHECK(contains(&out, "{\"caller\":\"none\",\"status\":\"401\",\"count\":1}"));
    veil_jbuf_dispose(&out);
    veil_stats_snapshot_dispose(&sn);
    veil_token_ring_free(r1);
    veil_token_ring_free(r2);
    free(st);
    veil_stats_free(s);
}


/* More key ids than the table holds share "other": bounded labels. */
TEST(token_key_ids_bounded)
{
    veil_stats_t *s = make(1);
    veil_stats_shard_t *a = veil_stats_shard(s, 0);
    veil_token_stats_t *st = calloc(1, sizeof(*st));
    unsigned email = veil_token_stat_type("email");
    veil_stats_snapshot_t sn;
    veil_jbuf_t out;
    char err[128], id[32];

    CHECK(st != NULL);
    for (int i = 0; i < VEIL_STATS_TOKEN_KEYS + 3; i++) {
        veil_hash_key_t k;
        const veil_hash_key_t *kp = &k;
        veil_token_ring_t *r;

        memset(&k, 0, sizeof(k));
        snprintf(id, sizeof(id), "k%d", i);
        k.id = id;
        k.slot = 1;
        k.len = 32;
        k.state = VEIL_KEY_ACTIVE;
        r = veil_token_ring_new(&kp, 1, err, sizeof(err));
        CHECK(r != NULL);
        st->issued[email][1][VEIL_TOKEN_KIND_TAGGED] = 1;
        veil_stats_tokens(a, r, st);
        veil_token_ring_free(r);
    }
    CHECK_EQ(veil_stats_snapshot(s, &sn), 0);
    veil_jbuf_init(&out, 1 << 22);
    CHECK_EQ(veil_stats_prometheus(&sn, &out), 0);
    snprintf(id, sizeof(id), "k%d", VEIL_STATS_TOKEN_KEYS - 1);
    CHECK(contains(&out, id));
    CHECK(
        has_line(&out, "veil_tokens_issued_total{type=\"email\",key=\"other\",kind=\"tagged\"} 3"));
    veil_jbuf_dispose(&out);
    veil_stats_snapshot_dispose(&sn);
    free(st);
    veil_stats_free(s);
}


int main(void)
{
    RUN(methods_and_tables);
    RUN(sums_over_shards);
    RUN(histogram_edges);
    RUN(render_every_family);
    RUN(routes_and_custom_detectors);
    RUN(flag_values_and_config_id);
    RUN(lookups_without_lock);
    RUN(concurrent_updates_and_reads);
    RUN(token_counters);
    RUN(token_key_ids_bounded);
    TEST_MAIN_END;
}
