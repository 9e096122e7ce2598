/*
 * Secret token formats (see validators.h for the contract). Each provider
 * publishes its prefix and, in its documentation or in the pattern it
 * registers with GitHub's secret scanning partner program, the length and
 * alphabet of what follows; a few (npm) add a checksum. The validators
 * check exactly that much: they cannot tell a live token from a revoked
 * one, only a token from a look-alike. Nothing here allocates.
 */
#include "validators.h"

#include <stdint.h>
#include <string.h>


static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}
static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}
static int is_alnum(char c)
{
    return is_digit(c) || is_upper(c) || is_lower(c);
}
static int is_b64url(char c)
{
    return is_alnum(c) || c == '-' || c == '_';
}
static int is_lower_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f');
}

static int starts(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    return len >= n && memcmp(s, prefix, n) == 0;
}

/* Every one of <n> characters at <s> satisfies <ok>. */
static int all(const char *s, size_t n, int (*ok)(char))
{
    for (size_t i = 0; i < n; i++)
        if (!ok(s[i]))
            return 0;
    return 1;
}

/* The position of <needle> in s[0..n), or n. */
static size_t find(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, needle, k) == 0)
            return i;
    return n;
}


/* ---- OpenAI ----------------------------------------------------------- */

/*
 * OpenAI API keys (the openai_api_key pattern OpenAI registered for GitHub
 * secret scanning): "sk-", then for user keys 20 letters and digits,
 * "T3BlbkFJ" (base64 of "OpenAI") and 20 more; for project, service
 * account and admin keys ("sk-proj-", "sk-svcacct-", "sk-admin-") the same
 * marker between two runs of the URL-safe base64 alphabet (58 or 74 long
 * today; 20-100 accepted).
 */
int veil__valid_openai_key(const char *s, size_t len)
{
    static const char *const scoped[] = {"sk-proj-", "sk-svcacct-", "sk-admin-", NULL};
    const char *body;
    size_t n, at;

    for (const char *const *p = scoped; *p != NULL; p++) {
        if (!starts(s, len, *p))
            continue;
        body = s + strlen(*p);
        n = len - strlen(*p);
        at = find(body, n, "T3BlbkFJ");
        return at >= 20 && at <= 100 && n - at - 8 >= 20 && n - at - 8 <= 100 &&
               all(body, n, is_b64url);
    }
    return len == 51 && starts(s, len, "sk-") && all(s + 3, 48, is_alnum) &&
           memcmp(s + 23, "T3BlbkFJ", 8) == 0;
}


/* ---- Anthropic -------------------------------------------------------- */

/*
 * Anthropic API keys (Anthropic's API documentation: keys begin "sk-ant-";
 * the pattern registered for secret scanning): "sk-ant-api03-" or
 * "sk-ant-admin01-" (a kind and a two-digit version), 93 characters of the
 * URL-safe base64 alphabet and "AA". Lengths 80-120 are accepted before the
 * "AA" so that a future version is still caught.
 */
int veil__valid_anthropic_key(const char *s, size_t len)
{
    size_t i = 7, kind;

    if (!starts(s, len, "sk-ant-"))
        return 0;
    kind = i;
    while (i < len && is_lower(s[i]))
        i++;
    if (i == kind || i + 3 > len || !is_digit(s[i]) || !is_digit(s[i + 1]) || s[i + 2] != '-')
        return 0;
    i += 3;
    return len - i >= 82 && len - i <= 122 && all(s + i, len - i, is_b64url) && s[len - 2] == 'A' &&
           s[len - 1] == 'A';
}


/* ---- Google ----------------------------------------------------------- */

/* Google API keys (Google Cloud, "Manage API keys"): "AIza" and 35
   characters of the URL-safe base64 alphabet, 39 in all. */
int veil__valid_google_api_key(const char *s, size_t len)
{
    return len == 39 && starts(s, len, "AIza") && all(s + 4, 35, is_b64url);
}


/* ---- GitLab ----------------------------------------------------------- */

/*
 * GitLab tokens (GitLab docs, "Token prefixes"): glpat- personal, project
 * and group access tokens, gldt- deploy tokens, glrt- runner
 * authentication, glcbt- CI/CD job, glptt- pipeline trigger, glft- feed,
 * glimt- incoming mail, gloas- OAuth application secrets, glsoat- SCIM,
 * glagent- agent for Kubernetes, glffct- feature flags client. After the
 * prefix: 20 characters of the URL-safe base64 alphabet, or (routable
 * tokens, GitLab 17.x) a base64url payload, '.', a version and '.', a check
 * value, 37-310 characters in all.
 */
static int gitlab_body(const char *b, size_t n)
{
    size_t d1, d2;

    if (n == 20)
        return all(b, n, is_b64url);
    if (n < 37 || n > 310)
        return 0;
    d1 = find(b, n, ".");
    if (d1 < 20 || d1 == n || !all(b, d1, is_b64url))
        return 0;
    d2 = d1 + 1 + find(b + d1 + 1, n - d1 - 1, ".");
    if (d2 >= n - 1 || d2 == d1 + 1)
        return 0;
    return all(b + d1 + 1, d2 - d1 - 1, is_alnum) && all(b + d2 + 1, n - d2 - 1, is_alnum);
}

int veil__valid_gitlab_token(const char *s, size_t len)
{
    static const char *const prefixes[] = {
        "glpat-", "gldt-",  "glrt-",   "glcbt-",   "glptt-",  "glft-",
        "glimt-", "gloas-", "glsoat-", "glagent-", "glffct-", NULL,
    };

    for (const char *const *p = prefixes; *p != NULL; p++)
        if (starts(s, len, *p))
            return gitlab_body(s + strlen(*p), len - strlen(*p));
    return 0;
}


/* ---- npm -------------------------------------------------------------- */

/* CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320), bit by
   bit: the input is 30 bytes. */
static uint32_t crc32(const char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;

    for (size_t i = 0; i < n; i++) {
        crc ^= (unsigned char)p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return crc ^ 0xFFFFFFFFu;
}

static int base62_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (is_upper(c))
        return c - 'A' + 10;
    return c - 'a' + 36;
}

/*
 * npm access tokens (GitHub blog, "Announcing npm's new access token
 * format", 2021; the same format as GitHub's tokens): "npm_", 30 random
 * letters and digits, and the CRC-32 of those 30 in six base-62 digits
 * (0-9, A-Z, a-z; most significant first, zero-padded).
 */
int veil__valid_npm_token(const char *s, size_t len)
{
    uint64_t encoded = 0;

    if (len != 40 || !starts(s, len, "npm_") || !all(s + 4, 36, is_alnum))
        return 0;
    for (int i = 34; i < 40; i++)
        encoded = encoded * 62 + (uint64_t)base62_value(s[i]);
    return encoded == crc32(s + 4, 30);
}


/* ---- PyPI ------------------------------------------------------------- */

/*
 * PyPI API tokens (PyPI help, "API tokens"; Warehouse serialises them as
 * version 2 macaroons): "pypi-" and the URL-safe base64 of the macaroon,
 * which starts with the version byte 2 and the location field, "pypi.org"
 * or "test.pypi.org": "AgEIcHlwaS5vcmc" or "AgENdGVzdC5weXBpLm9yZw". A
 * macaroon with its identifier and signature is well over 50 characters.
 */
int veil__valid_pypi_token(const char *s, size_t len)
{
    size_t n = len;

    if (!starts(s, len, "pypi-AgEIcHlwaS5vcmc") && !starts(s, len, "pypi-AgENdGVzdC5weXBpLm9yZw"))
        return 0;
    while (n > 5 && s[n - 1] == '=' && len - n < 2)
        n--;
    return n - 5 >= 50 && n <= 1000 && all(s + 5, n - 5, is_b64url);
}


/* ---- SendGrid --------------------------------------------------------- */

/* SendGrid API keys (Twilio SendGrid docs, "API Keys"): "SG.", a 22
   character key id, '.', a 43 character secret, both URL-safe base64. */
int veil__valid_sendgrid_key(const char *s, size_t len)
{
    return len == 69 && starts(s, len, "SG.") && all(s + 3, 22, is_b64url) && s[25] == '.' &&
           all(s + 26, 43, is_b64url);
}


/* ---- Twilio ----------------------------------------------------------- */

/*
 * Twilio string identifiers (Twilio docs, "What is a SID?"): two letters
 * for the resource and 32 lower-case hex digits. SK is an API key (its
 * secret is shown once), AC the account, whose auth token is the secret
 * that usually sits next to it.
 */
int veil__valid_twilio_sid(const char *s, size_t len)
{
    int distinct = 0;

    if (len != 34 || !(starts(s, len, "SK") || starts(s, len, "AC")) ||
        !all(s + 2, 32, is_lower_hex))
        return 0;
    for (size_t i = 3; i < 34; i++)
        distinct |= s[i] != s[2];
    return distinct;
}


/* ---- Slack webhooks --------------------------------------------------- */

static int slack_id(char c)
{
    return is_upper(c) || is_digit(c);
}

/* The length of a run of <ok> characters at s[i..len). */
static size_t run(const char *s, size_t len, size_t i, int (*ok)(char))
{
    size_t j = i;

    while (j < len && ok(s[j]))
        j++;
    return j - i;
}

/*
 * Slack incoming webhook URLs (Slack API docs, "Sending messages using
 * incoming webhooks"): https://hooks.slack.com/services/ + the workspace
 * (T + id) + '/' + the bot (B + id) + '/' + 24 letters and digits. Workflow
 * webhooks (/workflows/ and /triggers/) carry the team id, further ids and a
 * secret of 24 or more letters and digits.
 */
int veil__valid_slack_webhook(const char *s, size_t len)
{
    static const char host[] = "https://hooks.slack.com/";
    size_t i = sizeof(host) - 1, k;

    if (!starts(s, len, host))
        return 0;
    if (starts(s + i, len - i, "services/")) {
        i += 9;
        if (i >= len || s[i] != 'T' || (k = run(s, len, i + 1, slack_id)) < 8 || k > 12)
            return 0;
        i += 1 + k;
        if (i + 1 >= len || s[i] != '/' || s[i + 1] != 'B' ||
            (k = run(s, len, i + 2, slack_id)) < 8 || k > 12)
            return 0;
        i += 2 + k;
        return i < len && s[i] == '/' && len - i - 1 == 24 && all(s + i + 1, 24, is_alnum);
    }
    if (starts(s + i, len - i, "workflows/"))
        i += 10;
    else if (starts(s + i, len - i, "triggers/"))
        i += 9;
    else
        return 0;
    if (i >= len || s[i] != 'T' || run(s, len, i + 1, slack_id) < 8)
        return 0;
    /* Ids separated by single slashes; the last one is the secret. */
    for (int parts = 0;; parts++) {
        k = run(s, len, i, is_alnum);
        if (k == 0)
            return 0;
        i += k;
        if (i == len)
            return parts >= 2 && k >= 24;
        if (s[i++] != '/')
            return 0;
    }
}


/* ---- Azure storage ---------------------------------------------------- */

static int is_b64(char c)
{
    return is_alnum(c) || c == '+' || c == '/';
}

/*
 * Azure Storage account keys in connection strings (Microsoft Learn,
 * "Configure Azure Storage connection strings"): "AccountKey=" (the setting
 * name is case-insensitive) and the 512-bit key in base64, 86 characters
 * and "==". The prefix may be left out when the caller matched the key
 * alone.
 */
int veil__valid_azure_account_key(const char *s, size_t len)
{
    static const char name[] = "accountkey=";

    if (len == 88 + sizeof(name) - 1) {
        for (size_t i = 0; i < sizeof(name) - 1; i++)
            if ((is_upper(s[i]) ? s[i] - 'A' + 'a' : s[i]) != name[i])
                return 0;
        s += sizeof(name) - 1;
        len = 88;
    }
    return len == 88 && all(s, 86, is_b64) && s[86] == '=' && s[87] == '=' &&
           /* 64 bytes: the last character before "==" holds 4 bits only */
           strchr("AQgw", s[85]) != NULL;
}


/* ---- GCP service account keys ----------------------------------------- */

/*
 * json_string_after(): in the JSON text s[0..len), the string value of the
 * first member named <key> (with its quotes), as an offset and length of
 * the raw text between the quotes. Returns 0 when there is none. Escapes
 * are stepped over, not decoded: the checks below look at plain ASCII.
 */
static int json_string_after(const char *s, size_t len, const char *key, size_t *at, size_t *n)
{
    size_t k = strlen(key), i = 0;

    while (i + k + 2 <= len) {
        size_t j = i + find(s + i, len - i, key);

        if (j + k > len)
            return 0;
        i = j + k;
        if (j == 0 || s[j - 1] != '"' || i >= len || s[i] != '"')
            continue;
        i++;
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
            i++;
        if (i >= len || s[i] != ':')
            continue;
        i++;
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
            i++;
        if (i >= len || s[i] != '"')
            continue;
        *at = ++i;
        while (i < len && s[i] != '"')
            i += s[i] == '\\' ? 2 : 1;
        if (i >= len)
            return 0;
        *n = i - *at;
        return 1;
    }
    return 0;
}

/*
 * A service account e-mail (Google Cloud IAM, "Service accounts"): NAME@
 * PROJECT.iam.gserviceaccount.com for user-managed accounts, or a Google
 * managed one under developer.gserviceaccount.com or
 * appspot.gserviceaccount.com; the local part is letters, digits and '-'.
 */
int veil__valid_gcp_sa_email(const char *s, size_t len)
{
    static const char suffix[] = "gserviceaccount.com";
    size_t at = find(s, len, "@"), k = sizeof(suffix) - 1;

    if (at == 0 || at == len || len - at - 1 <= k)
        return 0;
    for (size_t i = 0; i < at; i++)
        if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '-')
            return 0;
    for (size_t i = at + 1; i < len - k; i++)
        if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '-' && s[i] != '.')
            return 0;
    return s[len - k - 1] == '.' && memcmp(s + len - k, suffix, k) == 0;
}

/*
 * A service account key file (Google Cloud IAM, "Create and delete service
 * account keys": the JSON the console downloads): a "private_key" member
 * holding a PEM private key and a "client_email" member holding a service
 * account address. <s> is the text of the JSON object.
 */
int veil__valid_gcp_service_account(const char *s, size_t len)
{
    size_t at, n;

    if (!json_string_after(s, len, "private_key", &at, &n) || !starts(s + at, n, "-----BEGIN ") ||
        find(s + at, n, "PRIVATE KEY-----") == n)
        return 0;
    return json_string_after(s, len, "client_email", &at, &n) &&
           veil__valid_gcp_sa_email(s + at, n);
}
