/*
 * Unit tests of the report's JSON reader (proxy/observe/report_json.c): values,
 * escapes (surrogate pairs, lone surrogates, \u0000), depth limit, and
 * the errors that must be refused with the offset.
 */
#include <stdlib.h>
#include <string.h>

#include "report_json.h"
#include "test.h"

static int parse(const char *s, veil__jv_t *v, char *err)
{
    return veil__json_parse(s, strlen(s), v, err, 128);
}


TEST(values)
{
    veil__jv_t v;
    char err[128];
    const veil__jv_t *a;

    CHECK_EQ(parse(" {\"a\": [1, -2.5e1, true, false, null, \"x\"], \"b\": {}} ", &v, err), 0);
    CHECK_EQ(v.type, VEIL__J_OBJ);
    CHECK_EQ(v.n, 2);
    a = veil__json_get(&v, "a");
    CHECK(a != NULL && a->type == VEIL__J_ARR && a->n == 6);
    CHECK(a->items[0].num == 1);
    CHECK(a->items[1].num == -25);
    CHECK_EQ(a->items[2].type, VEIL__J_BOOL);
    CHECK(a->items[2].num == 1);
    CHECK(a->items[3].num == 0);
    CHECK_EQ(a->items[4].type, VEIL__J_NULL);
    CHECK_STR(a->items[5].str, "x");
    CHECK_EQ(veil__json_get(&v, "b")->type, VEIL__J_OBJ);
    CHECK(veil__json_get(&v, "c") == NULL);
    CHECK(veil__json_num(&v, "a", 7) == 7); /* not a number */
    CHECK_STR(veil__json_str(&v, "b", "dflt"), "dflt");
    veil__json_free(&v);
}


TEST(escapes)
{
    veil__jv_t v;
    char err[128];

    CHECK_EQ(parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\"", &v, err), 0);
    CHECK_STR(v.str, "a\"b\\c/d\n\t\xc3\xa9\xf0\x9f\x98\x80");
    veil__json_free(&v);
    /* A lone surrogate and \u0000 become U+FFFD: no cut C string. */
    CHECK_EQ(parse("\"x\\udc00y\\u0000z\"", &v, err), 0);
    CHECK_STR(v.str, "x\xef\xbf\xbdy\xef\xbf\xbdz");
    veil__json_free(&v);
}


TEST(errors)
{
    static const struct {
        const char *in;
        const char *err;
    } cases[] = {
        {"", "invalid JSON near byte 0"},        {"{\"a\":1,}", "invalid JSON near byte 7"},
        {"[1 2]", "invalid JSON near byte 3"},   {"{\"a\" 1}", "invalid JSON near byte 5"},
        {"\"abc", "invalid JSON near byte 4"},   {"\"a\x01\"", "invalid JSON near byte 3"},
        {"\"\\x\"", "invalid JSON near byte 3"}, {"\"\\u12g4\"", "invalid JSON near byte 6"},
        {"tru", "invalid JSON near byte 0"},     {"{} x", "invalid JSON near byte 3"},
        {"-", "invalid JSON near byte 1"},       {"1.2.3", "invalid JSON near byte 5"},
    };
    char deep[200];
    veil__jv_t v;
    char err[128];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_EQ(parse(cases[i].in, &v, err), -1);
        CHECK_STR(err, cases[i].err);
        CHECK_EQ(v.type, VEIL__J_NULL);
    }
    /* 32 levels are fine, 33 are not. */
    memset(deep, '[', 32);
    memset(deep + 32, ']', 32);
    deep[64] = '\0';
    CHECK_EQ(parse(deep, &v, err), 0);
    veil__json_free(&v);
    memset(deep, '[', 33);
    memset(deep + 33, ']', 33);
    deep[66] = '\0';
    CHECK_EQ(parse(deep, &v, err), -1);
}


int main(void)
{
    RUN(values);
    RUN(escapes);
    RUN(errors);
    TEST_MAIN_END;
}
