/*
 * Secret token validators (validators_secrets.c). Providers publish
 * formats, not live test tokens, so the tokens here are built from each
 * published description (prefix, alphabet, lengths, and npm's CRC-32 with
 * a test-side implementation), and every check has near misses: one
 * character short or long, a character outside the alphabet, a wrong
 * prefix or marker, and look-alikes that carry no secret.
 */
#include <stdint.h>

#include <openssl/evp.h>

#include "validator_check.h"


static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* <n> pseudo-random characters of <alphabet> (of <k> characters). */
static char *fill(char *out, size_t n, const char *alphabet, size_t k, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        out[i] = alphabet[(seed >> 16) % k];
    }
    out[n] = '\0';
    return out + n;
}

/* A copy of <s> with character <i> replaced by <c>. */
static const char *with(const char *s, size_t i, char c)
{
    static char buf[512];

    snprintf(buf, sizeof(buf), "%s", s);
    buf[i] = c;
    return buf;
}

/* <s> without its last character, and with one more. */
#define LENGTH_EDGES(fn, s)                                        \
    do {                                                           \
        char e_[600];                                              \
        size_t n_ = strlen(s);                                     \
        expect_n(veil__valid_##fn, #fn, (s), n_ - 1, 0, __LINE__); \
        snprintf(e_, sizeof(e_), "%sA", (s));                      \
        INVALID(fn, e_);                                           \
    } while (0)


TEST(openai)
{
    char t[256], *p;

    /* User keys: sk- + 20 + T3BlbkFJ + 20. */
    p = fill(t + 3, 20, b62, 62, 1);
    memcpy(t, "sk-", 3);
    memcpy(p, "T3BlbkFJ", 8);
    fill(p + 8, 20, b62, 62, 2);
    VALID(openai_key, t);
    LENGTH_EDGES(openai_key, t);
    INVALID(openai_key, with(t, 23, 'X')); /* marker broken */
    INVALID(openai_key, with(t, 10, '_')); /* user keys are alnum */
    /* Project keys: sk-proj- + 74 + marker + 74, and 58 + marker + 58. */
    memcpy(t, "sk-proj-", 8);
    p = fill(t + 8, 74, b64url, 64, 3);
    memcpy(p, "T3BlbkFJ", 8);
    fill(p + 8, 74, b64url, 64, 4);
    VALID(openai_key, t);
    INVALID(openai_key, with(t, 40, '.'));
    INVALID(openai_key, with(t, 82, 'x')); /* T3BlbkFJ -> x3BlbkFJ */
    memcpy(t, "sk-svcacct-", 11);
    p = fill(t + 11, 58, b64url, 64, 5);
    memcpy(p, "T3BlbkFJ", 8);
    fill(p + 8, 58, b64url, 64, 6);
    VALID(openai_key, t);
    memcpy(t, "sk-admin-", 9);
    p = fill(t + 9, 58, b64url, 64, 7);
    memcpy(p, "T3BlbkFJ", 8);
    fill(p + 8, 10, b64url, 64, 8); /* too little after it */
    INVALID(openai_key, t);
    /* Look-alikes: a Stripe key, a random sk- run, task identifiers. */
    INVALID(openai_key, "sk_live_4eC39HqLyjWDarjtT1zdp7dc");
    fill(t + 3, 48, b62, 62, 9);
    memcpy(t, "sk-", 3);
    INVALID(openai_key, t);
    INVALID(openai_key, "sk-proj-T3BlbkFJ");
}

TEST(anthropic)
{
    char t[256], *p;

    memcpy(t, "sk-ant-api03-", 13);
    p = fill(t + 13, 93, b64url, 64, 11);
    memcpy(p, "AA", 3);
    VALID(anthropic_key, t);
    CHK(strlen(t) == 108);
    INVALID(anthropic_key, with(t, 107, 'B')); /* must end in AA */
    INVALID(anthropic_key, with(t, 50, '+'));
    INVALID(anthropic_key, with(t, 10, 'x')); /* version digits */
    INVALID(anthropic_key, with(t, 12, '_'));
    memcpy(t, "sk-ant-admin01-", 15);
    p = fill(t + 15, 93, b64url, 64, 12);
    memcpy(p, "AA", 3);
    VALID(anthropic_key, t);
    /* Too short to be a key, and the prefix alone. */
    memcpy(t, "sk-ant-api03-", 13);
    p = fill(t + 13, 40, b64url, 64, 13);
    memcpy(p, "AA", 3);
    INVALID(anthropic_key, t);
    INVALID(anthropic_key, "sk-ant-api03-AA");
    INVALID(anthropic_key, "sk-ant--AA");
}

TEST(google)
{
    char t[64];

    memcpy(t, "AIza", 4);
    fill(t + 4, 35, b64url, 64, 21);
    VALID(google_api_key, t);
    LENGTH_EDGES(google_api_key, t);
    INVALID(google_api_key, with(t, 20, '.'));
    INVALID(google_api_key, with(t, 0, 'a'));
    INVALID(google_api_key, "AIzaSy");
}

TEST(gitlab)
{
    char t[400], *p;

    /* The disabled token the GitLab issue tracker published for scanners. */
    VALID(gitlab_token, "glpat-z_sxgtrfAxKr8q1TPY8Y");
    LENGTH_EDGES(gitlab_token, "glpat-z_sxgtrfAxKr8q1TPY8Y");
    VALID(gitlab_token, "gldt-z_sxgtrfAxKr8q1TPY8Y");
    VALID(gitlab_token, "glrt-z_sxgtrfAxKr8q1TPY8Y");
    INVALID(gitlab_token, "glxyz-z_sxgtrfAxKr8q1TPY8Y");
    INVALID(gitlab_token, "glpat-z_sxgtrfAxKr8q1TPY8.");
    /* Routable: payload.version.check, 37 to 310 after the prefix. */
    memcpy(t, "glpat-", 6);
    p = fill(t + 6, 27, b64url, 64, 31);
    memcpy(p, ".01.", 4);
    fill(p + 4, 9, b62, 36 + 0, 32);
    VALID(gitlab_token, t);
    INVALID(gitlab_token, with(t, 33, '_')); /* no first dot */
    INVALID(gitlab_token, with(t, 36, '-')); /* no second dot */
    memcpy(t, "glpat-", 6);
    p = fill(t + 6, 300, b64url, 64, 33);
    memcpy(p, ".01.", 4);
    fill(p + 4, 9, b62, 36, 34);
    INVALID(gitlab_token, t); /* longer than 310 */
    INVALID(gitlab_token, "glpat-abc.01.def");
}

/* npm token: npm_ + 30 + base62 CRC-32 (test-side CRC, bit by bit). */
static void npm_make(char *out, unsigned seed)
{
    uint32_t crc = 0xFFFFFFFFu;

    memcpy(out, "npm_", 4);
    fill(out + 4, 30, b62, 62, seed);
    for (int i = 4; i < 34; i++) {
        crc ^= (unsigned char)out[i];
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    crc = ~crc;
    for (int i = 39; i >= 34; i--) {
        out[i] = b62[crc % 62];
        crc /= 62;
    }
    out[40] = '\0';
}

TEST(npm)
{
    char t[64];

    for (unsigned seed = 1; seed <= 50; seed++) {
        npm_make(t, seed);
        VALID(npm_token, t);
        INVALID(npm_token, with(t, 4 + seed % 30, t[4 + seed % 30] == 'a' ? 'b' : 'a'));
        INVALID(npm_token, with(t, 39, t[39] == '0' ? '1' : '0'));
    }
    npm_make(t, 99);
    LENGTH_EDGES(npm_token, t);
    INVALID(npm_token, with(t, 3, '-')); /* the old npm- delimiter */
    /* The old UUID-shaped tokens are not this format. */
    INVALID(npm_token, "npm_a3f1c2d4-5b6e-7f80-9a1b-2c3d4e5f6a7b");
}

TEST(pypi)
{
    char t[300], *p;

    p = t + sprintf(t, "pypi-AgEIcHlwaS5vcmc");
    fill(p, 150, b64url, 64, 41);
    VALID(pypi_token, t);
    INVALID(pypi_token, with(t, 60, '.'));
    INVALID(pypi_token, with(t, 9, 'x')); /* not a pypi.org macaroon */
    p = t + sprintf(t, "pypi-AgENdGVzdC5weXBpLm9yZw");
    fill(p, 150, b64url, 64, 42);
    VALID(pypi_token, t);
    /* Too short to hold an identifier and a signature. */
    INVALID(pypi_token, "pypi-AgEIcHlwaS5vcmcABCDEFGH");
    INVALID(pypi_token, "pypi-package-name-1.2.3");
}

TEST(sendgrid)
{
    char t[80];

    memcpy(t, "SG.", 3);
    fill(t + 3, 22, b64url, 64, 51);
    t[25] = '.';
    fill(t + 26, 43, b64url, 64, 52);
    VALID(sendgrid_key, t);
    LENGTH_EDGES(sendgrid_key, t);
    INVALID(sendgrid_key, with(t, 25, '_'));
    INVALID(sendgrid_key, with(t, 2, '-'));
    INVALID(sendgrid_key, "SG.example.com");
}

TEST(twilio)
{
    VALID(twilio_sid, "SK2a6f9b1c0d3e4f5a6b7c8d9e0f1a2b3c");
    VALID(twilio_sid, "AC2a6f9b1c0d3e4f5a6b7c8d9e0f1a2b3c");
    LENGTH_EDGES(twilio_sid, "SK2a6f9b1c0d3e4f5a6b7c8d9e0f1a2b3c");
    INVALID(twilio_sid, "SK2A6F9B1C0D3E4F5A6B7C8D9E0F1A2B3C"); /* upper hex */
    INVALID(twilio_sid, "PN2a6f9b1c0d3e4f5a6b7c8d9e0f1a2b3c"); /* a number SID */
    INVALID(twilio_sid, "SK2a6f9b1c0d3e4f5a6b7c8d9e0f1a2b3g");
    /* The placeholder in Twilio's own examples is all x's; an all-zero
       SID is a placeholder too. */
    INVALID(twilio_sid, "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    INVALID(twilio_sid, "AC00000000000000000000000000000000");
}

TEST(slack_webhook)
{
    /* Slack's documented sample URL, and the same shape with real-looking
       ids. */
    VALID(slack_webhook,
          "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX");
    VALID(slack_webhook,
          "https://hooks.slack.com/services/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");
    LENGTH_EDGES(slack_webhook,
                 "https://hooks.slack.com/services/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");
    INVALID(slack_webhook,
            "http://hooks.slack.com/services/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");
    INVALID(slack_webhook,
            "https://hooks.slack.com/services/X024BE7LD/B01ABCD2EFG/aB3dE5gH7jK9mN1pQ3sT5vW7");
    INVALID(slack_webhook,
            "https://hooks.slack.com/services/T024BE7LD/B01ABCD2EFG/aB3dE5gH7jK9mN1pQ3sT5v-7");
    INVALID(slack_webhook, "https://hooks.slack.com/services/");
    VALID(
        slack_webhook,
        "https://hooks.slack.com/workflows/T024BE7LD/A05ABCDEF12/472925476392372133/aB3dE5gH7jK9mN1pQ3sT5vW7");
    VALID(slack_webhook,
          "https://hooks.slack.com/triggers/T024BE7LD/5123456789012/aB3dE5gH7jK9mN1pQ3sT5vW7");
    INVALID(slack_webhook, "https://hooks.slack.com/triggers/T024BE7LD/5123456789012/short");
    INVALID(slack_webhook, "https://hooks.slack.com/triggers/T024BE7LD//aB3dE5gH7jK9mN1pQ3sT5vW7");
    INVALID(slack_webhook, "https://api.slack.com/messaging/webhooks");
}

TEST(azure_account_key)
{
    unsigned char key[64];
    char b64[100], t[120];

    for (int i = 0; i < 64; i++)
        key[i] = (unsigned char)(i * 73 + 11);
    CHK(EVP_EncodeBlock((unsigned char *)b64, key, 64) == 88);
    snprintf(t, sizeof(t), "AccountKey=%s", b64);
    VALID(azure_account_key, t);
    VALID(azure_account_key, b64);
    t[0] = 'a';
    t[7] = 'k';
    VALID(azure_account_key, t);                    /* the name is case-free */
    INVALID(azure_account_key, with(b64, 85, 'B')); /* bits past 512 */
    INVALID(azure_account_key, with(b64, 40, '-'));
    INVALID(azure_account_key, with(b64, 87, 'A'));
    LENGTH_EDGES(azure_account_key, b64);
    /* A 256-bit Service Bus key is not a storage account key. */
    CHK(EVP_EncodeBlock((unsigned char *)b64, key, 32) == 44);
    snprintf(t, sizeof(t), "AccountKey=%s", b64);
    INVALID(azure_account_key, t);
    INVALID(azure_account_key, "AccountKey=");
}

TEST(gcp)
{
    /* The layout of a downloaded key file (Google Cloud IAM docs). */
    static const char file[] =
        "{\n"
        "  \"type\": \"service_account\",\n"
        "  \"project_id\": \"example-project\",\n"
        "  \"private_key_id\": \"0123456789abcdef0123456789abcdef01234567\",\n"
        "  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n\",\n"
        "  \"client_email\": \"deployer@example-project.iam.gserviceaccount.com\",\n"
        "  \"client_id\": \"123456789012345678901\",\n"
        "  \"token_uri\": \"https://oauth2.googleapis.com/token\"\n"
        "}\n";
    char t[1024];

    VALID(gcp_service_account, file);
    VALID(
        gcp_service_account,
        "{\"client_email\":\"a-b@p.iam.gserviceaccount.com\","
        "\"private_key\":\"-----BEGIN RSA PRIVATE KEY-----\\nAA\\n-----END RSA PRIVATE KEY-----\"}");
    /* No private key member (a "private_key_id" alone is not one). */
    snprintf(t, sizeof(t),
             "{\"private_key_id\": \"-----BEGIN PRIVATE KEY-----\","
             " \"client_email\": \"x@p.iam.gserviceaccount.com\"}");
    INVALID(gcp_service_account, t);
    /* A public key, and an ordinary e-mail address. */
    INVALID(gcp_service_account, "{\"private_key\": \"-----BEGIN PUBLIC KEY-----\", "
                                 "\"client_email\": \"x@p.iam.gserviceaccount.com\"}");
    INVALID(gcp_service_account, "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\", "
                                 "\"client_email\": \"jane@example.com\"}");
    INVALID(gcp_service_account, "{\"private_key\": \"-----BEGIN PRIVATE KEY-----");
    INVALID(gcp_service_account, "\"private_key\"");
    VALID(gcp_sa_email, "deployer@example-project.iam.gserviceaccount.com");
    VALID(gcp_sa_email, "123456789012-compute@developer.gserviceaccount.com");
    INVALID(gcp_sa_email, "Deployer@example-project.iam.gserviceaccount.com");
    INVALID(gcp_sa_email, "@example-project.iam.gserviceaccount.com");
    INVALID(gcp_sa_email, "deployer@gserviceaccount.com");
    INVALID(gcp_sa_email, "deployer@example.iam.gserviceaccount.co");
    INVALID(gcp_sa_email, "deployer@evil.com?x=.gserviceaccount.com");
}

int main(void)
{
    guard_init();
    RUN(openai);
    RUN(anthropic);
    RUN(google);
    RUN(gitlab);
    RUN(npm);
    RUN(pypi);
    RUN(sendgrid);
    RUN(twilio);
    RUN(slack_webhook);
    RUN(azure_account_key);
    RUN(gcp);
    printf("%d checks\n", checks);
    TEST_MAIN_END;
}
