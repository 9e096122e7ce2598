/*
 * veil_config as a library: loading from strings, diagnostics, ${VAR},
 * suggestions, routing, consent, compiled policies, and the holder that
 * swaps configs while readers keep theirs.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "veil/config.h"
#include "veil/settings.h"
#include "../../config/config_int.h"

typedef struct {
    char msgs[8][512];
    int n;
} diags_t;

static void collect(void *ud, veil_diag_level_t level, const char *msg)
{
    diags_t *d = ud;
    (void)level;
    if (d->n < 8) {
        snprintf(d->msgs[d->n++], sizeof(d->msgs[0]), "%s", msg);
    }
}

static veil_config_t *load(const char *yaml, diags_t *d)
{
    memset(d, 0, sizeof(*d));
    return veil_config_load_string("t.yaml", yaml, strlen(yaml), 0, collect, d);
}

static const veil_route_t *route(const veil_config_t *c, const char *method, const char *host,
                                 const char *path, const char *ct)
{
    veil_route_request_t q = {method, strlen(method),
                              host,   strlen(host),
                              path,   strlen(path),
                              ct,     ct ? strlen(ct) : 0,
                              NULL,   0,
                              NULL,   NULL,
                              0};
    return veil_config_route_match(c, &q);
}

TEST(suggestions)
{
    static const char *const keys[] = {"mode", "detectors", "min_confidence", "actions"};
    CHECK_EQ(veil__levenshtein("mode", "mdoe"), 1);
    CHECK_EQ(veil__levenshtein("kitten", "sitting"), 3);
    CHECK_EQ(veil__levenshtein("", "abc"), 3);
    CHECK_STR(veil__suggest("mdoe", keys, 4), "mode");
    CHECK_STR(veil__suggest("min_confidense", keys, 4), "min_confidence");
    CHECK(veil__suggest("zzzz", keys, 4) == NULL);
    CHECK(veil__suggest("dt", keys, 4) == NULL);
}

TEST(errors_collected_with_positions)
{
    diags_t d;
    veil_config_t *c = load("listeners:\n  - adress: 1.2.3.4:80\nroutes:\n  - polcy: x\n", &d);
    CHECK(c == NULL);
    CHECK_EQ(d.n, 2);
    CHECK_STR(d.msgs[0], "t.yaml:2:5: listeners[0].adress: unknown key (did you mean 'address'?)");
    CHECK_STR(d.msgs[1], "t.yaml:4:5: routes[0].polcy: unknown key (did you mean 'policy'?)");
}

TEST(env_substitution)
{
    diags_t d;
    setenv("VEIL_T_PORT", "9123", 1);
    setenv("VEIL_T_EMPTY", "", 1);
    unsetenv("VEIL_T_UNSET");
    veil_config_t *c = load("upstreams:\n"
                            "  - name: a\n    url: http://h:${VEIL_T_PORT}\n"
                            "  - name: b\n    url: http://h:${VEIL_T_UNSET:-81}\n"
                            "  - name: c\n    url: http://h:${VEIL_T_EMPTY:-82}\n"
                            "  - name: $${x}\n    url: http://h:83\n",
                            &d);
    CHECK(c != NULL);
    if (c) {
        CHECK_EQ(veil_config_upstream(c, 0)->port, 9123);
        CHECK_EQ(veil_config_upstream(c, 1)->port, 81);
        CHECK_EQ(veil_config_upstream(c, 2)->port, 82);
        CHECK_STR(veil_config_upstream(c, 3)->name, "${x}");
    }
    veil_config_release(c);
    c = load("upstreams:\n  - name: a\n    url: http://h:${VEIL_T_PORT\n", &d);
    CHECK(c == NULL);
    CHECK_STR(d.msgs[0], "t.yaml:3:10: ${}: unterminated ${ in value");
    c = load("upstreams:\n  - name: a\n    url: http://h:${9X}\n", &d);
    CHECK(c == NULL);
    CHECK_STR(d.msgs[0], "t.yaml:3:10: ${}: invalid environment variable name in ${...}");
}

static const char *routes_yaml =
    "upstreams:\n"
    "  - {name: api, url: 'http://127.0.0.1:9000'}\n"
    "  - {name: files, url: 'https://files.example.com'}\n"
    "policies:\n"
    "  strict: {request: {mode: block}}\n"
    "  lenient: {consent: {on_gpc: strict, on_dnt: default}}\n"
    "routes:\n"
    "  - {name: wild, match: {host: '*.example.com', path_prefix: /files/}, upstream: files}\n"
    "  - {name: v2, match: {path_regex: '^/v2/[a-z]+$', methods: [PUT, PATCH]},"
    " policy: strict}\n"
    "  - {name: json, match: {content_type: 'application/*', host: api.local}, policy: lenient,"
    " purpose: analytics}\n";

TEST(routing)
{
    diags_t d;
    veil_config_t *c = load(routes_yaml, &d);
    CHECK(c != NULL);
    if (c == NULL) {
        return;
    }
    CHECK_STR(route(c, "GET", "a.example.com", "/files/x", NULL)->name, "wild");
    CHECK_STR(route(c, "GET", "A.B.EXAMPLE.COM:8443", "/files/x", NULL)->name, "wild");
    CHECK_STR(route(c, "GET", "a.example.com.", "/files/", NULL)->name, "wild");
    CHECK_STR(route(c, "GET", "example.com", "/files/x", NULL)->name, "default");
    CHECK_STR(route(c, "GET", "a.example.com", "/file", NULL)->name, "default");
    CHECK_EQ(route(c, "GET", "a.example.com", "/files/x", NULL)->upstream->port, 443);
    CHECK_STR(route(c, "PUT", "x", "/v2/users", NULL)->name, "v2");
    CHECK_STR(route(c, "PUT", "x", "/v2/users/1", NULL)->name, "default");
    CHECK_STR(route(c, "GET", "x", "/v2/users", NULL)->name, "default");
    CHECK_STR(route(c, "POST", "api.local", "/", "application/json; charset=utf-8")->name, "json");
    CHECK_STR(route(c, "POST", "api.local:80", "/", " Application/Problem+JSON")->name, "json");
    CHECK_STR(route(c, "POST", "api.local", "/", "text/plain")->name, "default");
    CHECK_STR(route(c, "POST", "api.local", "/", NULL)->name, "default");
    CHECK_STR(route(c, "POST", "api.local", "/", "application/json")->purpose, "analytics");
    const veil_route_t *def = route(c, "GET", "", "/", NULL);
    CHECK_STR(def->policy->name, "default");
    CHECK_STR(def->upstream->name, "api");

    const veil_policy_t *len = veil_config_policy(c, "lenient");
    CHECK_STR(veil_policy_for_consent(len, 0, 0)->name, "lenient");
    CHECK_STR(veil_policy_for_consent(len, 1, 0)->name, "strict");
    CHECK_STR(veil_policy_for_consent(len, 1, 1)->name, "strict");
    CHECK_STR(veil_policy_for_consent(len, 0, 1)->name, "default");
    const veil_policy_t *strict = veil_config_policy(c, "strict");
    CHECK_EQ(strict->dir[VEIL_DIR_REQUEST].mode, VEIL_MODE_BLOCK);
    CHECK_EQ(strict->dir[VEIL_DIR_RESPONSE].mode, VEIL_MODE_OBSERVE);
    CHECK_EQ(strict->dir[VEIL_DIR_REQUEST].block_status, 403);
    /* Identical directions share one engine. */
    CHECK_EQ(veil_config_engine_count(c), 1);
    veil_config_release(c);
}

TEST(policy_tables)
{
    diags_t d;
    setenv("VEIL_T_KEY", "0123456789abcdef0123456789abcdef", 1);
    veil_config_t *c =
        load("detectors:\n  disable: [ipv6]\n  custom:\n"
             "    - {id: emp, pattern: 'EMP-\\d{6}', category: demographic}\n"
             "policies:\n  p:\n    request:\n      mode: block\n"
             "      detectors: [financial, contact, emp, ipv6]\n"
             "      block: [pci_dss]\n      min_confidence: high\n"
             "      actions: {default: label, contact: hash, email: drop, gdpr: mask}\n"
             "      hash_key: k\n"
             "keys:\n  k: {env: VEIL_T_KEY}\n",
             &d);
    CHECK(c != NULL);
    if (c == NULL) {
        fprintf(stderr, "%s\n", d.msgs[0]);
        return;
    }
    const veil_policy_dir_t *pd = &veil_config_policy(c, "p")->dir[VEIL_DIR_REQUEST];
    int email = veil_engine_find(pd->engine, "email"),
        phone = veil_engine_find(pd->engine, "phone");
    int card = veil_engine_find(pd->engine, "credit_card"),
        iban = veil_engine_find(pd->engine, "iban");
    int emp = veil_engine_find(pd->engine, "emp");
    CHECK(email >= 0 && phone >= 0 && card >= 0 && iban >= 0 && emp >= 0);
    if (email < 0 || phone < 0 || card < 0 || iban < 0 || emp < 0) {
        veil_config_release(c);
        return;
    }
    /* id beats category beats regulation beats default. */
    CHECK_EQ(pd->actions[email], VEIL_ACT_DROP);
    CHECK_EQ(pd->actions[phone], VEIL_ACT_HASH);
    CHECK_EQ(pd->actions[iban], VEIL_ACT_MASK);  /* gdpr */
    CHECK_EQ(pd->actions[card], VEIL_ACT_LABEL); /* default */
    CHECK_EQ(pd->actions[emp], VEIL_ACT_LABEL);
    CHECK_EQ(pd->blocks[card], 1);
    CHECK_EQ(pd->blocks[iban], 0);
    CHECK_EQ(pd->blocks[email], 0);
    CHECK_EQ(pd->min_confidence, VEIL_CONF_HIGH);
    CHECK(pd->key != NULL && pd->key->len > 0);
    /* ipv6 is disabled globally: a policy cannot enable it back. */
    CHECK_EQ(veil_config_engine_count(c), 2);
    veil_config_release(c);
}

/* Readers take the config while a writer swaps; each reader's config
   stays whole until it releases it (ASan would see a use after free). */
typedef struct {
    veil_config_holder_t *h;
    int stop;
    long reads;
} swap_t;

static void *reader(void *arg)
{
    swap_t *s = arg;
    while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
        veil_config_t *c = veil_config_holder_get(s->h);
        const veil_route_t *r = route(c, "GET", "", "/", NULL);
        if (r->policy == NULL || strcmp(r->upstream->name, "api") != 0) {
            abort();
        }
        veil_config_release(c);
        __atomic_add_fetch(&s->reads, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

TEST(holder_swaps)
{
    diags_t d;
    veil_config_t *c = load(routes_yaml, &d);
    CHECK(c != NULL);
    veil_config_holder_t *h = veil_config_holder_new(c);
    swap_t s = {h, 0, 0};
    pthread_t t;
    veil_config_t *held = veil_config_holder_get(h);
    uint64_t gen = veil_config_holder_generation(h);
    pthread_create(&t, NULL, reader, &s);
    for (int i = 0; i < 20; i++) {
        /* Each swap lands while the reader is reading: loads are quick
           (engines come from the cache), so wait for a read between. */
        long before = __atomic_load_n(&s.reads, __ATOMIC_ACQUIRE);
        veil_config_holder_swap(h, load(routes_yaml, &d));
        while (__atomic_load_n(&s.reads, __ATOMIC_ACQUIRE) < before + 2) {
            sched_yield();
        }
    }
    __atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    CHECK(s.reads > 0);
    CHECK_EQ(veil_config_holder_generation(h), gen + 20);
    /* The config taken before the swaps is still whole. */
    CHECK_STR(veil_config_route(held, 0)->name, "wild");
    veil_config_t *now = veil_config_holder_get(h);
    CHECK(now != held);
    veil_config_release(now);
    veil_config_release(held);

    /* A bad file is counted and the current config stays. */
    FILE *f = fopen("holder-bad.yaml", "w");
    fputs("routes: [ {polcy: x} ]\n", f);
    fclose(f);
    veil_config_t *before = veil_config_holder_get(h);
    CHECK_EQ(veil_config_holder_reload(h, "holder-bad.yaml", NULL, NULL), -1);
    veil_config_t *after = veil_config_holder_get(h);
    CHECK(before == after);
    uint64_t ok, failed;
    veil_config_holder_counts(h, &ok, &failed);
    CHECK_EQ(ok, 0);
    CHECK_EQ(failed, 1);
    f = fopen("holder-bad.yaml", "w");
    fputs("routes: [ {policy: default, name: r1} ]\n", f);
    fclose(f);
    CHECK_EQ(veil_config_holder_reload(h, "holder-bad.yaml", NULL, NULL), 0);
    veil_config_release(after);
    after = veil_config_holder_get(h);
    CHECK_STR(veil_config_route(after, 0)->name, "r1");
    veil_config_release(after);
    veil_config_release(before);
    veil_config_holder_counts(h, &ok, &failed);
    CHECK_EQ(ok, 1);

    veil_config_stamp_t st = {0};
    CHECK_EQ(veil_config_stamp_changed(&st, "holder-bad.yaml"), 1);
    CHECK_EQ(veil_config_stamp_changed(&st, "holder-bad.yaml"), 0);
    f = fopen("holder-bad.yaml", "a");
    fputs("# more\n", f);
    fclose(f);
    CHECK_EQ(veil_config_stamp_changed(&st, "holder-bad.yaml"), 1);
    remove("holder-bad.yaml");
    CHECK_EQ(veil_config_stamp_changed(&st, "holder-bad.yaml"), 1);
    veil_config_holder_free(h);
}

/* Reload under load: readers run whole "requests" (route, consent,
   scan with the policy's engine and actions, block decision) while the
   configs are reloaded from files, alternating observe and block. Each
   request must see one config from start to end, and both behaviours
   must be seen. */
typedef struct {
    veil_config_holder_t *h;
    int stop;
    long requests, blocked, observed, torn;
} load_t;

static void count_block(void *ud, const veil_finding_t *f)
{
    int *b = ((void **)ud)[0];
    const veil_policy_dir_t *pd = ((void **)ud)[1];
    if (pd->blocks[f->detector]) {
        *b = 1;
    }
}

static int discard(void *ud, const char *data, size_t len)
{
    (void)ud, (void)data, (void)len;
    return 0;
}

static void *load_reader(void *arg)
{
    load_t *l = arg;
    static const char body[] = "{\"card\":\"4111 1111 1111 1111\"}";
    while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
        veil_config_t *c = veil_config_holder_get(l->h);
        const veil_route_t *r = route(c, "POST", "pay.example.com", "/v1/pay", "application/json");
        const veil_policy_t *p = veil_policy_for_consent(r->policy, 0, 0);
        const veil_policy_dir_t *pd = &p->dir[VEIL_DIR_REQUEST];
        int blocked = 0;
        void *ud[2] = {&blocked, (void *)pd};
        veil_redactor_options_t ro = {0};
        ro.format = VEIL_FMT_JSON;
        ro.action_by_detector = pd->actions;
        ro.write = discard;
        ro.on_finding = count_block;
        ro.finding_ud = ud;
        veil_redactor_t *red = veil_redactor_new(pd->engine, &ro);
        veil_redactor_feed(red, body, sizeof(body) - 1);
        veil_redactor_finish(red);
        veil_redactor_free(red);
        /* The route's name says which file this config came from. */
        int want = strcmp(r->name, "blocking") == 0;
        if (blocked != want || (strcmp(r->name, "blocking") && strcmp(r->name, "observing"))) {
            __atomic_fetch_add(&l->torn, 1, __ATOMIC_RELAXED);
        }
        __atomic_fetch_add(blocked ? &l->blocked : &l->observed, 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&l->requests, 1, __ATOMIC_RELAXED);
        veil_config_release(c);
    }
    return NULL;
}

TEST(reload_under_load)
{
    static const char *const files[2] = {
        "routes: [{name: observing, match: {path_prefix: /v1/}, policy: p}]\n"
        "policies: {p: {request: {mode: observe}}}\n",
        "routes: [{name: blocking, match: {path_prefix: /v1/}, policy: p}]\n"
        "policies: {p: {request: {mode: block, block: [pci_dss]}}}\n"};
    diags_t d;
    veil_config_t *c = load(files[0], &d);
    load_t l = {veil_config_holder_new(c), 0, 0, 0, 0, 0};
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        pthread_create(&t[i], NULL, load_reader, &l);
    }
    int reloads = 0;
    for (int i = 1; i <= 40; i++) {
        FILE *f = fopen("load-test.yaml", "w");
        fputs(files[i % 2], f);
        fclose(f);
        reloads += veil_config_holder_reload(l.h, "load-test.yaml", NULL, NULL) == 0;
        /* Let some requests run on each config. */
        long before = __atomic_load_n(&l.requests, __ATOMIC_RELAXED);
        while (__atomic_load_n(&l.requests, __ATOMIC_RELAXED) < before + 20) {
            sched_yield();
        }
    }
    __atomic_store_n(&l.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
    }
    CHECK_EQ(reloads, 40);
    CHECK_EQ(l.torn, 0);
    CHECK(l.blocked > 0);
    CHECK(l.observed > 0);
    CHECK_EQ(l.blocked + l.observed, l.requests);
    fprintf(stderr, "reload under load: %ld requests, %ld blocked, %ld observed, %d reloads\n",
            l.requests, l.blocked, l.observed, reloads);
    remove("load-test.yaml");
    veil_config_holder_free(l.h);
}

static const veil_field_rule_t *rule(const veil_policy_dir_t *pd, veil_field_where_t w,
                                     const char *name)
{
    return veil_policy_field_rule(pd, w, name, strlen(name));
}

TEST(field_rules)
{
    diags_t d;
    veil_config_t *c = load("policies:\n  default:\n    request:\n      fields:\n"
                            "        - {json: '$.user.card', action: drop}\n"
                            "        - {json: \"$.items[*].iban\", action: label}\n"
                            "        - {json: \"$['odd key'].*\", action: mask}\n"
                            "        - {key: '(?i)^(password|otp)$', action: drop}\n"
                            "        - {form: card_no, action: label}\n"
                            "        - {header: X-Api-Key, action: drop}\n"
                            "        - {query: token, action: hash}\n"
                            "      hash_key: k\n"
                            "      body_log: {allow: [order_id, '$.items[*].sku']}\n"
                            "keys: {k: {env: VEIL_T_KEY}}\n",
                            &d);
    CHECK(c != NULL);
    if (c == NULL) {
        fprintf(stderr, "%s\n", d.msgs[0]);
        return;
    }
    const veil_policy_dir_t *pd = &veil_config_policy(c, "default")->dir[VEIL_DIR_REQUEST];
    const veil_field_rule_t *r;
    CHECK_EQ(pd->nfields, 7);
    CHECK((r = rule(pd, VEIL_FIELD_JSON, "$.user.card")) && r->action == VEIL_ACT_DROP);
    CHECK(rule(pd, VEIL_FIELD_JSON, "$.user.card.x") == NULL);
    CHECK(rule(pd, VEIL_FIELD_JSON, "$.user") == NULL);
    CHECK((r = rule(pd, VEIL_FIELD_JSON, "$.items[12].iban")) && r->action == VEIL_ACT_LABEL);
    CHECK(rule(pd, VEIL_FIELD_JSON, "$.items.iban") == NULL);
    /* .key and ['key'] name the same key. */
    CHECK((r = rule(pd, VEIL_FIELD_JSON, "$.odd key.anything")) && r->action == VEIL_ACT_MASK);
    CHECK((r = rule(pd, VEIL_FIELD_JSON, "$['odd key'].anything")) && r->action == VEIL_ACT_MASK);
    CHECK((r = rule(pd, VEIL_FIELD_JSON, "$.a[0].Password")) && r->action == VEIL_ACT_DROP);
    CHECK((r = rule(pd, VEIL_FIELD_FORM, "otp")) && r->action == VEIL_ACT_DROP);
    CHECK((r = rule(pd, VEIL_FIELD_FORM, "card_no")) && r->action == VEIL_ACT_LABEL);
    CHECK(rule(pd, VEIL_FIELD_FORM, "card_no2") == NULL);
    CHECK((r = rule(pd, VEIL_FIELD_HEADER, "x-api-key")) && r->action == VEIL_ACT_DROP);
    CHECK(rule(pd, VEIL_FIELD_HEADER, "x-api-keys") == NULL);
    CHECK((r = rule(pd, VEIL_FIELD_QUERY, "token")) && r->action == VEIL_ACT_HASH);
    CHECK(rule(pd, VEIL_FIELD_QUERY, "Token") == NULL);
    CHECK(rule(pd, VEIL_FIELD_QUERY, "password") == NULL); /* key patterns: bodies only */
    CHECK((r = rule(pd, VEIL_FIELD_HEADER, "x-api-key")) && r->keep == 0);

    CHECK_EQ(pd->body_log, VEIL_BODY_LOG_ALLOWLIST);
    CHECK_EQ(veil_policy_body_field_allowed(pd, "$.order_id", 10), 1);
    CHECK_EQ(veil_policy_body_field_allowed(pd, "$.x[1].order_id", 15), 1);
    CHECK_EQ(veil_policy_body_field_allowed(pd, "$.items[0].sku", 14), 1);
    CHECK_EQ(veil_policy_body_field_allowed(pd, "$.items[0].name", 15), 0);
    CHECK_EQ(veil_policy_body_field_allowed(pd, "order_id", 8), 1); /* a form field */
    const veil_policy_dir_t *resp = &veil_config_policy(c, "default")->dir[VEIL_DIR_RESPONSE];
    CHECK_EQ(veil_policy_body_field_allowed(resp, "$.anything", 10), 1);

    CHECK_EQ(veil_json_path_match("$.a.*", "$.a[3]", 6), 1);
    CHECK_EQ(veil_json_path_match("$.a.*", "$.a", 3), 0);
    CHECK_EQ(veil_json_path_match("$[*]", "$[0]", 4), 1);
    CHECK_EQ(veil_json_path_match("$.a", "$.a[", 4), 0);
    veil_config_release(c);
}

/* action keep: header rules only; the rule keeps a value that looks like
   a credential in the log (proxy/net/access_log.c). */
TEST(keep_headers)
{
    diags_t d;
    veil_config_t *c = load("policies:\n  default:\n    request:\n      fields:\n"
                            "        - {header: X-Request-Id, action: keep}\n"
                            "        - {header: X-Ref, action: label}\n"
                            "    response:\n      fields:\n"
                            "        - {header: ETag, action: keep}\n",
                            &d);
    CHECK(c != NULL);
    if (c == NULL) {
        fprintf(stderr, "%s\n", d.msgs[0]);
        return;
    }
    const veil_policy_dir_t *rq = &veil_config_policy(c, "default")->dir[VEIL_DIR_REQUEST];
    const veil_policy_dir_t *rs = &veil_config_policy(c, "default")->dir[VEIL_DIR_RESPONSE];
    const veil_field_rule_t *r;
    CHECK((r = rule(rq, VEIL_FIELD_HEADER, "x-request-id")) && r->keep == 1);
    CHECK((r = rule(rq, VEIL_FIELD_HEADER, "X-Ref")) && r->keep == 0 &&
          r->action == VEIL_ACT_LABEL);
    CHECK((r = rule(rs, VEIL_FIELD_HEADER, "etag")) && r->keep == 1);
    CHECK(rule(rq, VEIL_FIELD_HEADER, "etag") == NULL);
    veil_config_release(c);

    static const char *const wrong[] = {"json: '$.a'", "key: '^a$'", "form: a", "query: a"};
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        char yaml[256];
        snprintf(yaml, sizeof(yaml),
                 "policies:\n  default:\n    request:\n      fields:\n"
                 "        - {%s, action: keep}\n",
                 wrong[i]);
        c = load(yaml, &d);
        CHECK(c == NULL);
        CHECK(d.n >= 1 && strstr(d.msgs[0], "keep applies to header rules only") != NULL);
        veil_config_release(c);
    }
}

TEST(restart_needed)
{
    diags_t d;
    char what[64] = "";
    veil_config_t *a = load("listeners: [{address: '127.0.0.1:8000'}]\n", &d);
    veil_config_t *b = load("listeners: [{address: '127.0.0.1:8001'}]\nroutes: [{name: x}]\n", &d);
    veil_config_t *c = load("listeners: [{address: '127.0.0.1:8000'}]\nserver: {workers: 3}\n", &d);
    veil_config_t *e = load("listeners: [{address: '127.0.0.1:8000'}]\nroutes: [{name: y}]\n", &d);
    CHECK(a && b && c && e);
    if (a && b && c && e) {
        CHECK_EQ(veil_config_needs_restart(a, b, what, sizeof(what)), 1);
        CHECK_STR(what, "listeners[0].address");
        CHECK_EQ(veil_config_needs_restart(a, c, what, sizeof(what)), 1);
        CHECK_STR(what, "server.workers");
        CHECK_EQ(veil_config_needs_restart(a, e, what, sizeof(what)), 0);
    }
    veil_config_release(a);
    veil_config_release(b);
    veil_config_release(c);
    veil_config_release(e);
}

TEST(default_config)
{
    veil_config_t *c = veil_config_load_default(NULL, NULL);
    CHECK(c != NULL);
    if (c == NULL) {
        return;
    }
    CHECK_STR(veil_config_listener(c, 0)->host, "127.0.0.1");
    CHECK_EQ(veil_config_listener(c, 0)->port, 8000);
    CHECK_EQ(veil_config_upstream(c, 0)->port, 8080);
    CHECK_EQ(veil_config_server(c)->max_header_bytes, 16384);
    CHECK_EQ(veil_config_server(c)->keepalive_timeout_ms, 75000);
    CHECK_EQ(veil_config_access_log(c)->body_limit, 65536);
    CHECK_EQ(veil_config_policy_count(c), 1);
    CHECK(strstr(veil_config_default_yaml(), "policies:") != NULL);
    veil_config_release(veil_config_acquire(c));
    veil_config_release(c);
}

TEST(settings_grammar)
{
    /* One grammar for files and flags (include/veil/settings.h). */
    const veil_setting_t *ht = veil_setting_by_flag("--header-timeout");
    const veil_setting_t *mb = veil_setting_by_key("server.max_body_size");
    const veil_setting_t *ri = veil_setting_by_flag("--upstream-resolve-interval");
    const veil_setting_t *in = veil_setting_by_flag("--inspect");
    char err[128], buf[64];
    uint64_t v = 0;

    CHECK(ht != NULL && mb != NULL && ri != NULL && in != NULL);
    if (!ht || !mb || !ri || !in) {
        return;
    }
    CHECK(ht == veil_setting_by_key("server.header_timeout"));
    CHECK(veil_setting_by_flag("--no-such-flag") == NULL);
    CHECK(veil_setting_by_key("server.no_such_key") == NULL);
    CHECK_EQ(veil_setting_parse(ht, "1h", &v, err, sizeof(err)), 0);
    CHECK_EQ(v, 3600000);
    CHECK_EQ(veil_setting_parse(ht, "1.5s", &v, err, sizeof(err)), 0);
    CHECK_EQ(v, 1500);
    CHECK_EQ(veil_setting_parse(ht, "5", &v, err, sizeof(err)), 0); /* bare: seconds */
    CHECK_EQ(v, 5000);
    CHECK_EQ(veil_setting_parse(ht, "250ms", &v, err, sizeof(err)), 0);
    CHECK_EQ(v, 250);
    CHECK_EQ(veil_setting_parse(ht, "0", &v, err, sizeof(err)), -1); /* no 0: not an off switch */
    CHECK_STR(err, "out of range (1 to 86400000 ms)");
    CHECK_EQ(veil_setting_parse(ri, "0", &v, err, sizeof(err)), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(veil_setting_parse(ht, "1y", &v, err, sizeof(err)), -1);
    CHECK_STR(err, "expected a duration (500ms, 5s, 2m, 1h)");
    CHECK_EQ(veil_setting_parse(ht, "1e9", &v, err, sizeof(err)), -1);
    CHECK_EQ(veil_setting_parse(ht, "-1s", &v, err, sizeof(err)), -1);
    CHECK_EQ(veil_setting_parse(mb, "10m", &v, err, sizeof(err)), 0);
    CHECK_EQ(v, 10485760);
    CHECK_EQ(veil_setting_parse(mb, "0", &v, err, sizeof(err)), 0);
    CHECK_EQ(veil_setting_parse(mb, "1.5m", &v, err, sizeof(err)), -1);
    CHECK_EQ(veil_setting_parse(in, "off", &v, err, sizeof(err)), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(veil_setting_parse(in, "true", &v, err, sizeof(err)), 0);
    CHECK_EQ(v, 1);
    CHECK_EQ(veil_setting_parse(in, "yes", &v, err, sizeof(err)), -1);
    /* Formatting writes the largest unit that divides exactly. */
    uint64_t ms = 90000;
    CHECK_STR(veil_setting_format(ht, &ms, buf, sizeof(buf)), "90s");
    ms = 7200000;
    CHECK_STR(veil_setting_format(ht, &ms, buf, sizeof(buf)), "2h");
    CHECK_STR(veil_setting_format(mb, &(uint64_t){3 << 20}, buf, sizeof(buf)), "3m");
    /* Every default parses with its own setting's grammar. */
    for (size_t i = 0; i < veil_settings_count(); i++) {
        const veil_setting_t *st = veil_setting_at(i);
        CHECK_EQ(veil_setting_parse(st, st->def, &v, err, sizeof(err)), 0);
        CHECK(st->doc != NULL && st->doc[0] != '\0');
    }
}

TEST(overrides_win_over_the_file)
{
    diags_t d = {0};
    const char *yaml = "upstreams: [{name: a, url: 'http://127.0.0.1:81', connect_timeout: 2s},"
                       " {name: b, url: 'http://127.0.0.1:82'}]\n"
                       "server: {header_timeout: 10s, max_body_size: 100}\n";
    veil_setting_override_t ov[] = {
        {veil_setting_by_flag("--header-timeout"), "1h"},
        {veil_setting_by_flag("--upstream"), "https://example.com"},
        {veil_setting_by_flag("--connect-timeout"), "700ms"},
        {veil_setting_by_flag("--listen"), "[::1]:9000"},
        {veil_setting_by_flag("--admin"), "off"},
        {veil_setting_by_flag("--max-body-size"), "0"},
    };
    veil_config_load_options_t o = {0, ov, sizeof(ov) / sizeof(ov[0]), collect, &d};
    char path[] = "/tmp/veil-ov-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, yaml, strlen(yaml)) == (ssize_t)strlen(yaml));
    close(fd);
    veil_config_t *c = veil_config_load(path, &o);
    unlink(path);
    CHECK(c != NULL);
    if (c == NULL) {
        return;
    }
    CHECK_EQ(veil_config_server(c)->header_timeout_ms, 3600000);
    CHECK_EQ(veil_config_server(c)->max_body_size, 0);
    CHECK_STR(veil_config_upstream(c, 0)->host, "example.com");
    CHECK_EQ(veil_config_upstream(c, 0)->port, 443);
    CHECK_EQ(veil_config_upstream(c, 0)->tls, 1);
    CHECK_EQ(veil_config_upstream(c, 0)->connect_timeout_ms, 700);
    CHECK_EQ(veil_config_upstream(c, 1)->port, 82); /* flags set the first only */
    CHECK_EQ(veil_config_upstream(c, 1)->connect_timeout_ms, 5000);
    CHECK_STR(veil_config_listener(c, 0)->host, "::1");
    CHECK_EQ(veil_config_listener(c, 0)->port, 9000);
    CHECK_STR(veil_config_admin(c)->listen, "off");
    veil_config_release(c);

    /* Without a file: the embedded default, overridden. */
    c = veil_config_load(NULL, &o);
    CHECK(c != NULL);
    if (c != NULL) {
        CHECK_EQ(veil_config_server(c)->header_timeout_ms, 3600000);
        CHECK_STR(veil_config_upstream(c, 0)->host, "example.com");
        veil_config_release(c);
    }
}

TEST(rejects_without_crash)
{
    diags_t d;
    const char *bad[] = {"",
                         "~",
                         "- a\n- b\n",
                         "a: &x 1\nb: *x\n",
                         "--- {}\n--- {}\n",
                         "tests: [{body: x, expect: {}}]\n",
                         "routes: {}\n",
                         "policies: []\n",
                         "server: {workers: -1}\n",
                         "server: {max_header_bytes: 1g}\n",
                         "access_log: {body_limit: 12q}\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        veil_config_t *c = load(bad[i], &d);
        if (i < 1) {
            CHECK(c != NULL); /* empty: every default */
        } else {
            CHECK(c == NULL);
            CHECK(d.n >= 1);
        }
        veil_config_release(c);
    }
}

/* A load that asks for an engine another config (alive or just gone)
   was built with gets that very engine, not a new compile; a different
   detector set gets its own. */
TEST(engines_shared_across_loads)
{
    diags_t d = {0};
    const char *a = "version: 1\npolicies:\n  default:\n    request: {min_confidence: high}\n";
    const char *b = "version: 1\npolicies:\n  default:\n    request: {min_confidence: high}\n"
                    "    response: {detectors: [email]}\n";
    veil_config_t *c1 = load(a, &d), *c2 = load(a, &d), *c3 = load(b, &d);
    CHECK(c1 != NULL && c2 != NULL && c3 != NULL);
    if (c1 && c2 && c3) {
        const veil_policy_t *p1 = veil_config_policy_at(c1, 0), *p2 = veil_config_policy_at(c2, 0),
                            *p3 = veil_config_policy_at(c3, 0);
        CHECK(p1->dir[0].engine == p2->dir[0].engine);
        CHECK(p1->dir[0].engine == p3->dir[0].engine);
        CHECK(p3->dir[1].engine != p3->dir[0].engine);
        CHECK(veil_engine_detector_count(p3->dir[1].engine) > 0);
    }
    const veil_engine_t *e1 = c1 ? veil_config_policy_at(c1, 0)->dir[0].engine : NULL;
    veil_config_release(c1);
    veil_config_release(c2);
    veil_config_release(c3);
    /* Released by every config, kept idle for the next load. */
    veil_config_t *c4 = load(a, &d);
    CHECK(c4 != NULL && veil_config_policy_at(c4, 0)->dir[0].engine == e1);
    veil_config_release(c4);
}

int main(void)
{
    RUN(suggestions);
    RUN(errors_collected_with_positions);
    RUN(env_substitution);
    RUN(routing);
    RUN(policy_tables);
    RUN(holder_swaps);
    RUN(reload_under_load);
    RUN(field_rules);
    RUN(keep_headers);
    RUN(restart_needed);
    RUN(default_config);
    RUN(settings_grammar);
    RUN(overrides_win_over_the_file);
    RUN(rejects_without_crash);
    RUN(engines_shared_across_loads);
    TEST_MAIN_END;
}
