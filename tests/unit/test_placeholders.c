/*
 * The placeholder map and its streaming restorer (proxy/net/placeholders.c):
 * numbering per label, the same value the same placeholder, and restoring
 * that gives the same bytes however the stream is cut (every split in two,
 * one byte at a time), with look-alikes left as they are.
 */
#include <stdlib.h>

#include "placeholders.h"

#include "test.h"

typedef struct sink {
    char buf[4096];
    size_t len;
} sink_t;

static int to_sink(void *ud, const char *data, size_t len)
{
    sink_t *s = ud;

    if (s->len + len > sizeof(s->buf) - 1) {
        return -1;
    }
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    s->buf[s->len] = '\0';
    return 0;
}

static char *issue(veil__phmap_t *m, const char *label, const char *v)
{
    static char out[128];
    long n = veil__ph_issue(m, label, v, strlen(v), out, sizeof(out));

    return n < 0 ? NULL : out;
}

TEST(numbering)
{
    veil__phmap_t *m = veil__ph_new();

    CHECK_STR(issue(m, "EMAIL", "jane@example.com"), "[EMAIL_1]");
    CHECK_STR(issue(m, "EMAIL", "joe@example.org"), "[EMAIL_2]");
    CHECK_STR(issue(m, "CREDIT_CARD", "4111 1111 1111 1111"), "[CREDIT_CARD_1]");
    CHECK_STR(issue(m, "EMAIL", "jane@example.com"), "[EMAIL_1]");
    CHECK_EQ(veil__ph_count(m), 3);
    /* A label that could not be read back is refused. */
    CHECK(issue(m, "email", "x") == NULL);
    CHECK(issue(m, "", "x") == NULL);
    CHECK(issue(m, "1ABC", "x") == NULL);
    char small[6];
    CHECK_EQ(veil__ph_issue(m, "EMAIL", "a@b.co", 6, small, sizeof(small)), -1);
    veil__ph_free(m);
}

/* Restores <in> fed in pieces of <step> bytes (0: split once at <cut>). */
static void restore(const veil__phmap_t *m, const char *in, size_t step, size_t cut, sink_t *out,
                    veil__ph_restorer_t *r)
{
    size_t len = strlen(in), i;

    out->len = 0;
    out->buf[0] = '\0';
    veil__ph_restorer_init(r, m);
    if (step == 0) {
        CHECK_EQ(veil__ph_restore(r, in, cut, to_sink, out), 0);
        CHECK_EQ(veil__ph_restore(r, in + cut, len - cut, to_sink, out), 0);
    } else {
        for (i = 0; i < len; i += step) {
            size_t n = len - i < step ? len - i : step;
            CHECK_EQ(veil__ph_restore(r, in + i, n, to_sink, out), 0);
        }
    }
    CHECK_EQ(veil__ph_restore_finish(r, to_sink, out), 0);
}

TEST(restore_any_split)
{
    veil__phmap_t *m = veil__ph_new();
    veil__ph_restorer_t r;
    sink_t out;

    issue(m, "EMAIL", "jane@example.com");
    issue(m, "CREDIT_CARD", "4111 1111 1111 1111");
    issue(m, "EMAIL", "joe@example.org");
    /* An SSE stream as an LLM API sends it, with look-alikes: a label
       without a number, a number with a leading zero, an unknown number,
       lower case, a second '[' before one, brackets in code. */
    const char *in =
        "data: {\"delta\":\"Write to [EMAIL_1] or [EMAIL_2]; card [CREDIT_CARD_1].\"}\n\n"
        "data: {\"delta\":\"[EMAIL] [EMAIL_01] [EMAIL_3] [email_1] [[EMAIL_2]] a[0]=[\"}\n\n"
        "data: [DONE]\n\n[EMAIL_";
    const char *want =
        "data: {\"delta\":\"Write to jane@example.com or joe@example.org; card "
        "4111 1111 1111 1111.\"}\n\n"
        "data: {\"delta\":\"[EMAIL] [EMAIL_01] [EMAIL_3] [email_1] [joe@example.org] a[0]=[\"}\n\n"
        "data: [DONE]\n\n[EMAIL_";
    size_t len = strlen(in);

    for (size_t cut = 0; cut <= len; cut++) {
        restore(m, in, 0, cut, &out, &r);
        CHECK_STR(out.buf, want);
        CHECK_EQ(r.restored, 4);
        CHECK_EQ(r.unknown, 1); /* [EMAIL_3]: shaped, not issued */
    }
    for (size_t step = 1; step <= 7; step++) {
        restore(m, in, step, 0, &out, &r);
        CHECK_STR(out.buf, want);
    }
    veil__ph_free(m);
}

TEST(long_runs_pass)
{
    veil__ph_restorer_t r;
    sink_t out;
    char in[300];

    /* A '[' followed by more placeholder bytes than a placeholder has. */
    in[0] = '[';
    memset(in + 1, 'A', 200);
    memcpy(in + 201, "_1]", 4);
    restore(NULL, in, 1, 0, &out, &r);
    CHECK_STR(out.buf, in);
    CHECK_EQ(r.restored, 0);
}

int main(void)
{
    RUN(numbering);
    RUN(restore_any_split);
    RUN(long_runs_pass);
    TEST_MAIN_END;
}
