/*
 * Header values that look like credentials (detectors/cred_values.c,
 * veil_value_looks_secret) and the entropy it measures. The values are
 * the published examples of each format (vendor documentation, RFC and W3C
 * examples, test vectors), or made in their shape.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "veil/credentials.h"

typedef struct {
    const char *value;
    int secret;
    const char *what;
} case_t;

/* clang-format off */
static const case_t cases[] = {
    /* Secrets. */
    {"sk_live_4eC39HqLyjWDarjtT1zdp7dc", 1, "Stripe secret key, the shape of Stripe's docs"},
    {"AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", 1, "Google API key shape"},
    {"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", 1, "GitHub personal access token shape"},
    {"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 1, "AWS secret access key, AWS docs example"},
    {"xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", 1, "Slack bot token shape"},
    {"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwia"
     "WF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
     1, "JWT, the jwt.io example"},
    {"sv=2021-08-06&ss=b&srt=sco&sp=rwdlacupitfx&se=2024-01-01T00:00:00Z&spr=https&"
     "sig=Z%2FRHIX5Xcg0Mq2rqI3OlWTjEg2tYkboXr1P9ZUXDtkk%3D",
     1, "Azure SAS token: its sig"},
    {"Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", 1, "a 40-hex token after a scheme"},
    {"2fd4e1c67a2d28fced849ee1bb76e7391b93eb12", 1, "40 hex digits: SHA-1 sized (RFC 3174 vector)"},
    {"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 1,
     "64 hex digits: SHA-256 sized (FIPS 180-2 vector)"},
    {"dGhlIHNhbXBsZSBub25jZQ==", 1, "base64 with padding (RFC 6455 sample nonce)"},
    {"key=Qm9vdHN0cmFwU2VjcmV0MTIzNDU2Nzg5MA; Path=/", 1, "a secret in a parameter"},
    {"\"33a64df551425fcc55e4d42a148795d9f25f89d4\"", 1,
     "an ETag of 40 hex (MDN example): judged by look; keep ETag to log it"},
    {"Ua1ZOWe9sT6u7lr8hEfjCz9QsxJsRV0zTRk5wT7hbBsbUVBbGoPX8Q==", 1, "CloudFront id shape"},

    /* Not secrets. */
    {"f81d4fae-7dec-11d0-a765-00a0c91e6bf6", 0, "UUID, RFC 9562 example"},
    {"F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6", 0, "UUID, upper case"},
    {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", 0,
     "W3C Trace Context traceparent example"},
    {"4d8a1e0e6c1f4b2fa1b2c3d4e5f60718", 0, "32 hex: nginx $request_id, MD5"},
    {"Root=1-5759e988-bd862e3fe1be46a994272793", 0, "AWS X-Amzn-Trace-Id example"},
    {"\"d41d8cd98f00b204e9800998ecf8427e-2\"", 0, "S3 multipart ETag"},
    {"W/\"5e15153d-120f\"", 0, "weak ETag"},
    {"application/json; charset=utf-8", 0, "Content-Type"},
    {"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", 0,
     "a MIME boundary is random by design"},
    {"multipart/mixed; BOUNDARY=\"gc0p4Jq0M2Yt08jU534c0p\"", 0, "quoted boundary, RFC 2046"},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36",
     0, "User-Agent"},
    {"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", 0,
     "Accept"},
    {"Tue, 15 Nov 1994 08:12:31 GMT", 0, "RFC 9110 date"},
    {"https://www.example.com/products/category/item-12345?page=2", 0, "Referer"},
    {"attachment; filename=\"IMG_20240115_103000123.jpg\"", 0, "Content-Disposition"},
    {"gzip, deflate, br", 0, "Accept-Encoding"},
    {"max-age=31536000; includeSubDomains; preload", 0, "Strict-Transport-Security"},
    {"1.1 abcdef0123456789abcdef0123456789.cloudfront.net (CloudFront)", 0, "Via"},
    {"SomeLongCamelCaseIdentifierValue", 0, "a camelCase word"},
    {"ApplicationGatewayBackendHealth", 0, "a camelCase word"},
    {"2024-01-15T10:30:00.000Z", 0, "a timestamp"},
    {"20240115103000123456789", 0, "digits"},
    {"en-US,en;q=0.9,de;q=0.8", 0, "Accept-Language"},
    {"203.0.113.195, 70.41.3.18, 150.172.238.178", 0, "X-Forwarded-For, MDN example"},
    {"com.example.app/1.2.3 (iPhone; iOS 17.0; Scale/3.00)", 0, "a mobile User-Agent"},
    {"/api/v1/users/12345/orders/67890/items", 0, "a path"},
    {"user-12345-account-67890-region-eu", 1,
     "a dashed id of letters and digits reads as random: '-' is base64url"},
    {"abc123", 0, "short"},
    {"", 0, "empty"},
};
/* clang-format on */

TEST(values)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = veil_value_looks_secret(cases[i].value, strlen(cases[i].value));
        if (got != cases[i].secret) {
            fprintf(stderr, "  %s: got %d\n", cases[i].what, got);
        }
        CHECK_EQ(got, cases[i].secret);
    }
}

/* Random strings in the alphabets of secrets are judged secret nearly
   always: of 2000 base64url strings of 20 characters (the shortest
   judged), fewer than 1 in 100 are missed; of 40, one in a thousand. */
static void random_string(char *out, size_t n, const char *alphabet, uint64_t *seed)
{
    size_t a = strlen(alphabet);
    for (size_t i = 0; i < n; i++) {
        /* xorshift64* */
        *seed ^= *seed >> 12;
        *seed ^= *seed << 25;
        *seed ^= *seed >> 27;
        out[i] = alphabet[((*seed * 0x2545F4914F6CDD1Dull) >> 32) % a];
    }
}

TEST(random_strings)
{
    static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    static const char hex[] = "0123456789abcdef";
    char s[64];
    uint64_t seed = 12345;
    unsigned missed20 = 0, missed40 = 0, missed_hex40 = 0;

    for (int i = 0; i < 2000; i++) {
        random_string(s, 20, b64url, &seed);
        missed20 += !veil_value_looks_secret(s, 20);
        random_string(s, 40, b64url, &seed);
        missed40 += !veil_value_looks_secret(s, 40);
        random_string(s, 40, hex, &seed);
        missed_hex40 += !veil_value_looks_secret(s, 40);
    }
    if (missed20 >= 20 || missed40 > 2 || missed_hex40 >= 20) {
        fprintf(stderr, "  missed: %u of 20, %u of 40, %u hex of 40\n", missed20, missed40,
                missed_hex40);
    }
    CHECK(missed20 < 20);
    CHECK(missed40 <= 2);
    CHECK(missed_hex40 < 20);
    /* ... and at 19 characters, never. */
    random_string(s, 19, b64url, &seed);
    CHECK_EQ(veil_value_looks_secret(s, 19), 0);
}

/* Only <len> bytes are read: the value sits at the end of an exact
   allocation. */
TEST(reads_within_length)
{
    static const char v[] = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    size_t n = sizeof(v) - 1;
    char *copy = malloc(n);
    memcpy(copy, v, n);
    CHECK_EQ(veil_value_looks_secret(copy, n), 1);
    CHECK_EQ(veil_value_looks_secret(copy, 19), 0);
    free(copy);
    copy = malloc(12);
    memcpy(copy, "; boundary=\"", 12);
    CHECK_EQ(veil_value_looks_secret(copy, 12), 0);
    free(copy);
}

TEST(entropy)
{
    CHECK(fabs(veil_shannon_entropy("", 0) - 0.0) < 1e-9);
    CHECK(fabs(veil_shannon_entropy("aaaa", 4) - 0.0) < 1e-9);
    CHECK(fabs(veil_shannon_entropy("ab", 2) - 1.0) < 1e-9);
    CHECK(fabs(veil_shannon_entropy("aabb", 4) - 1.0) < 1e-9);
    CHECK(fabs(veil_shannon_entropy("abcd", 4) - 2.0) < 1e-9);
    CHECK(fabs(veil_shannon_entropy("0123456789abcdef", 16) - 4.0) < 1e-9);
    /* p = 1/4, 3/4: 0.5 + 0.311278 */
    CHECK(fabs(veil_shannon_entropy("abbb", 4) - 0.8112781244591328) < 1e-9);
}

int main(void)
{
    RUN(values);
    RUN(random_strings);
    RUN(reads_within_length);
    RUN(entropy);
    TEST_MAIN_END;
}
