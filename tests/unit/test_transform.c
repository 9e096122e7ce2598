/*
 * Unit tests for the transforms (veil_transform_apply) and hash keys
 * (veil_hash_key_load): exact replacement bytes for mask, label, hash and
 * drop; line breaks kept; bare JSON tokens quoted; HMAC values checked
 * against values computed outside veil (Python hmac); key files refused
 * unless mode 0600 or stricter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "veil/scan.h"
#include "veil/transform.h"

static int det(const char *id)
{
    return veil_catalog_find(id);
}

/* The replacement as a string ("(err N)" on failure). */
static const char *apply(veil_action_t act, const char *id, unsigned flags, const char *raw,
                         const veil_hash_key_t *key)
{
    static char out[1024];
    long n = veil_transform_apply(act, (uint16_t)det(id), flags, raw, strlen(raw), key, out,
                                  sizeof(out) - 1);
    if (n < 0) {
        snprintf(out, sizeof(out), "(err %ld)", n);
        return out;
    }
    out[n] = '\0';
    return out;
}

static veil_hash_key_t key1, key2;

TEST(actions)
{
    CHECK_STR(veil_action_name(VEIL_ACT_MASK), "mask");
    CHECK_STR(veil_action_name(VEIL_ACT_DROP), "drop");
    CHECK_STR(veil_action_name((veil_action_t)99), "unknown");
    CHECK_EQ(veil_action_parse("label"), VEIL_ACT_LABEL);
    CHECK_EQ(veil_action_parse("hash"), VEIL_ACT_HASH);
    CHECK_EQ(veil_action_parse("Mask"), -1);
    CHECK_EQ(veil_action_parse(""), -1);
}

TEST(mask)
{
    /* same length, separators kept */
    CHECK_STR(apply(VEIL_ACT_MASK, "email", 0, "jane.doe+news@example.com", NULL),
              "****.***+****@*******.***");
    CHECK_STR(apply(VEIL_ACT_MASK, "phone", 0, "+1 (415) 555-2671", NULL), "+* (***) ***-****");
    CHECK_STR(apply(VEIL_ACT_MASK, "us_ssn", 0, "536-22-8901", NULL), "***-**-****");
    CHECK_STR(apply(VEIL_ACT_MASK, "ipv6", 0, "2001:db8::1", NULL), "****:***::*");
    CHECK_STR(apply(VEIL_ACT_MASK, "iban", 0, "DE89 3704 0044 0532 0130 00", NULL),
              "**** **** **** **** **** **");
    /* cards keep their last four digits */
    CHECK_STR(apply(VEIL_ACT_MASK, "credit_card", 0, "4111 1111 1111 1234", NULL),
              "**** **** **** 1234");
    CHECK_STR(apply(VEIL_ACT_MASK, "credit_card", 0, "4111-1111-1111-1234", NULL),
              "****-****-****-1234");
    CHECK_STR(apply(VEIL_ACT_MASK, "credit_card", 0, "378282246310005", NULL), "***********0005");
    CHECK_STR(apply(VEIL_ACT_MASK, "credit_card", 0, "4111 1111 1111 1 234", NULL),
              "**** **** **** 1 234");
    /* only cards keep digits */
    CHECK_STR(apply(VEIL_ACT_MASK, "us_bank_routing", 0, "021000021", NULL), "*********");
    /* multi-line values keep their line breaks */
    CHECK_STR(apply(VEIL_ACT_MASK, "private_key", 0, "-----BEGIN X-----\nAB+/\r\nCD\n", NULL),
              "-----***** *-----\n**+/\r\n**\n");
    /* UTF-8: one '*' per byte, so the length is kept */
    CHECK_STR(apply(VEIL_ACT_MASK, "person_name", 0, "Jos\xc3\xa9", NULL), "*****");
    CHECK_STR(apply(VEIL_ACT_MASK, "email", 0, "", NULL), "");
}

/* Only a value that is nothing but a card number keeps its last four
   (regression: a card_number field kept "... cvv 123"). */
TEST(mask_card_field)
{
    CHECK_STR(apply(VEIL_ACT_MASK, "credit_card", VEIL_FIND_FIELD,
                    "4111111111111111 exp 12/27 cvv 123", NULL),
              "**************** *** **/** *** ***");
    CHECK_STR(apply(VEIL_ACT_MASK, "credit_card", VEIL_FIND_FIELD, "4111_key=abc", NULL),
              "************");
    /* fewer than four digits: nothing kept */
    CHECK_STR(apply(VEIL_ACT_MASK, "credit_card", VEIL_FIND_FIELD, "12 3", NULL), "** *");
    CHECK_STR(apply(VEIL_ACT_MASK, "credit_card", VEIL_FIND_FIELD, "4111-1111-1111-1111", NULL),
              "****-****-****-1111");
}

TEST(label_drop)
{
    CHECK_STR(apply(VEIL_ACT_LABEL, "email", 0, "jane@example.com", NULL), "[EMAIL]");
    CHECK_STR(apply(VEIL_ACT_LABEL, "credit_card", 0, "4111111111111111", NULL), "[CREDIT_CARD]");
    CHECK_STR(apply(VEIL_ACT_LABEL, "secret_field", 0, "hunter2", NULL), "[SECRET]");
    /* line breaks of the value follow the label */
    CHECK_STR(apply(VEIL_ACT_LABEL, "private_key", 0, "-----BEGIN\nAB\nCD\n-----END", NULL),
              "[PRIVATE_KEY]\n\n\n");
    CHECK_STR(apply(VEIL_ACT_DROP, "email", 0, "jane@example.com", NULL), "");
    CHECK_STR(apply(VEIL_ACT_DROP, "private_key", 0, "a\nb\nc", NULL), "\n\n");
    /* an index past the catalog: a generic label */
    char out[128];
    long n = veil_transform_apply(VEIL_ACT_LABEL, 999, 0, "x", 1, NULL, out, sizeof(out));
    CHECK_EQ(n, 5);
    CHECK(n == 5 && memcmp(out, "[PII]", 5) == 0);
}

TEST(json_bare)
{
    /* a bare JSON token's replacement is quoted, whatever the action */
    CHECK_STR(apply(VEIL_ACT_MASK, "us_ssn", VEIL_FIND_JSON_BARE, "536228901", NULL),
              "\"*********\"");
    CHECK_STR(apply(VEIL_ACT_MASK, "credit_card", VEIL_FIND_JSON_BARE | VEIL_FIND_FIELD,
                    "4111111111111111", NULL),
              "\"************1111\"");
    CHECK_STR(apply(VEIL_ACT_LABEL, "us_ssn", VEIL_FIND_JSON_BARE, "536228901", NULL),
              "\"[US_SSN]\"");
    CHECK_STR(apply(VEIL_ACT_DROP, "us_ssn", VEIL_FIND_JSON_BARE, "536228901", NULL), "\"\"");
    CHECK_STR(apply(VEIL_ACT_HASH, "us_ssn", VEIL_FIND_JSON_BARE, "536228901", &key1),
              "\"[US_SSN:b04512b1077a1e82]\"");
}

TEST(hash)
{
    /* HMAC-SHA256 with key1, first 8 bytes in hex (values from Python's
       hmac module) */
    CHECK_STR(apply(VEIL_ACT_HASH, "credit_card", 0, "4111111111111111", &key1),
              "[CREDIT_CARD:fd7d567acc8853a8]");
    /* deterministic, and the same card with spaces or dashes gives the same
       token */
    CHECK_STR(apply(VEIL_ACT_HASH, "credit_card", 0, "4111 1111 1111 1111", &key1),
              "[CREDIT_CARD:fd7d567acc8853a8]");
    CHECK_STR(apply(VEIL_ACT_HASH, "credit_card", 0, "4111-1111-1111-1111", &key1),
              "[CREDIT_CARD:fd7d567acc8853a8]");
    /* another key, another token */
    CHECK_STR(apply(VEIL_ACT_HASH, "credit_card", 0, "4111111111111111", &key2),
              "[CREDIT_CARD:9ea6e6552ba12b45]");
    /* e-mail addresses ignore case */
    CHECK_STR(apply(VEIL_ACT_HASH, "email", 0, "jane.doe@example.com", &key1),
              "[EMAIL:9340e5162ae4c8f8]");
    CHECK_STR(apply(VEIL_ACT_HASH, "email", 0, "Jane.Doe@Example.COM", &key1),
              "[EMAIL:9340e5162ae4c8f8]");
    CHECK_STR(apply(VEIL_ACT_HASH, "us_ssn", 0, "536-22-8901", &key1), "[US_SSN:b04512b1077a1e82]");
    /* a secret is hashed as written: separators count */
    const char *a = apply(VEIL_ACT_HASH, "secret_field", 0, "hunter-2", &key1);
    char first[64];
    snprintf(first, sizeof(first), "%s", a);
    CHECK(strcmp(first, apply(VEIL_ACT_HASH, "secret_field", 0, "hunter2", &key1)) != 0);
    CHECK_EQ(strlen(first), strlen("[SECRET:") + 16 + 1);
    /* no key: refused */
    CHECK_STR(apply(VEIL_ACT_HASH, "email", 0, "jane@example.com", NULL), "(err -22)");
    /* line breaks kept after the token */
    CHECK_STR(apply(VEIL_ACT_HASH, "private_key", 0, "-----BEGIN\nAB\n-----END", &key1),
              "[PRIVATE_KEY:4c1cb52b9f59130d]\n\n");
}

TEST(errors)
{
    char out[80];
    /* 64 + 2 * len is the documented bound */
    CHECK_EQ(veil_transform_apply(VEIL_ACT_MASK, 0, 0, "abcdefgh", 8, NULL, out, 79), -ENOSPC);
    CHECK_EQ(veil_transform_apply(VEIL_ACT_MASK, 0, 0, "abcdefgh", 8, NULL, out, 80), 8);
    CHECK_EQ(veil_transform_apply((veil_action_t)7, 0, 0, "abc", 3, NULL, out, sizeof(out)),
             -EINVAL);
}

static const char *write_key(const char *name, const char *content, mode_t mode)
{
    static char path[256];
    snprintf(path, sizeof(path), "/tmp/veil-test-transform-%d-%s", (int)getpid(), name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content)) {
        perror(path);
    }
    if (fd >= 0) {
        close(fd);
    }
    chmod(path, mode);
    return path;
}

TEST(key_load)
{
    veil_hash_key_t k;
    char err[256];
    const char *p;

    /* from the environment */
    setenv("VEIL_TEST_HASH_KEY", "0123456789abcdef0123", 1);
    CHECK_EQ(veil_hash_key_load(&k, NULL, "VEIL_TEST_HASH_KEY", err, sizeof(err)), 0);
    CHECK_EQ(k.len, 20);
    CHECK(memcmp(k.bytes, "0123456789abcdef0123", 20) == 0);
    unsetenv("VEIL_TEST_HASH_KEY");
    CHECK_EQ(veil_hash_key_load(&k, NULL, "VEIL_TEST_HASH_KEY", err, sizeof(err)), -ENOENT);
    setenv("VEIL_TEST_HASH_KEY", "short", 1);
    CHECK_EQ(veil_hash_key_load(&k, NULL, "VEIL_TEST_HASH_KEY", err, sizeof(err)), -EINVAL);
    /* the error never shows the key */
    CHECK(strstr(err, "short") == NULL);
    unsetenv("VEIL_TEST_HASH_KEY");

    /* from a file: 0600 (or stricter) only; a trailing newline is not key */
    p = write_key("ok", "0123456789abcdef0123\n", 0600);
    CHECK_EQ(veil_hash_key_load(&k, p, NULL, err, sizeof(err)), 0);
    CHECK_EQ(k.len, 20);
    CHECK_STR(apply(VEIL_ACT_HASH, "credit_card", 0, "4111111111111111", &k),
              "[CREDIT_CARD:fd7d567acc8853a8]");
    unlink(p);
    p = write_key("ro", "0123456789abcdef0123", 0400);
    CHECK_EQ(veil_hash_key_load(&k, p, NULL, err, sizeof(err)), 0);
    unlink(p);
    p = write_key("644", "0123456789abcdef0123", 0644);
    CHECK_EQ(veil_hash_key_load(&k, p, NULL, err, sizeof(err)), -EPERM);
    CHECK(strstr(err, "0123456789") == NULL);
    CHECK_EQ(k.len, 0);
    unlink(p);
    /* 0640: taken only when root owns the file (a Kubernetes Secret
       volume), include/veil/secret_file.h; tests/tls covers every case. */
    p = write_key("640", "0123456789abcdef0123", 0640);
    CHECK_EQ(veil_hash_key_load(&k, p, NULL, err, sizeof(err)), geteuid() == 0 ? 0 : -EPERM);
    unlink(p);
    p = write_key("604", "0123456789abcdef0123", 0604);
    CHECK_EQ(veil_hash_key_load(&k, p, NULL, err, sizeof(err)), -EPERM);
    unlink(p);
    p = write_key("short", "0123456789\n", 0600);
    CHECK_EQ(veil_hash_key_load(&k, p, NULL, err, sizeof(err)), -EINVAL);
    unlink(p);
    CHECK(veil_hash_key_load(&k, "/nonexistent/veil-key", NULL, err, sizeof(err)) < 0);
    /* 64 bytes is the most */
    char big[80];
    memset(big, 'k', 65);
    big[65] = '\0';
    p = write_key("big", big, 0600);
    CHECK_EQ(veil_hash_key_load(&k, p, NULL, err, sizeof(err)), -EINVAL);
    unlink(p);
    big[64] = '\0';
    p = write_key("64", big, 0600);
    CHECK_EQ(veil_hash_key_load(&k, p, NULL, err, sizeof(err)), 0);
    CHECK_EQ(k.len, 64);
    unlink(p);
}

int main(void)
{
    char err[256];
    setenv("VEIL_TEST_K1", "0123456789abcdef0123", 1);
    setenv("VEIL_TEST_K2", "fedcba9876543210fedc", 1);
    if (veil_hash_key_load(&key1, NULL, "VEIL_TEST_K1", err, sizeof(err)) != 0 ||
        veil_hash_key_load(&key2, NULL, "VEIL_TEST_K2", err, sizeof(err)) != 0) {
        fprintf(stderr, "key: %s\n", err);
        return 1;
    }
    RUN(actions);
    RUN(mask);
    RUN(mask_card_field);
    RUN(label_drop);
    RUN(json_bare);
    RUN(hash);
    RUN(errors);
    RUN(key_load);
    TEST_MAIN_END;
}
