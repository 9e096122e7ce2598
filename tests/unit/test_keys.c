/*
 * Credential names (detectors/cred_names.c, veil_name_is_credential) and
 * the key classes the engine gives JSON and form keys (keys.c).
 *
 * The names are those real APIs use, each with where it is used: header
 * names from the HTTP RFCs and the API documentation of AWS, Azure, GCP,
 * Stripe, GitHub, Slack and others; JSON keys from OAuth 2.0 (RFC 6749),
 * OpenID Connect Discovery, the AWS STS and Secrets Manager responses, the
 * GCP service account key file, OpenAI usage objects, web framework form
 * fields; the translations from localised login forms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "test.h"
#include "veil/credentials.h"

typedef struct {
    const char *name;
    int credential;
    const char *source;
} case_t;

/* clang-format off */
static const case_t cases[] = {
    /* Header names that carry credentials. */
    {"Authorization", 1, "RFC 9110 11.6.2"},
    {"Proxy-Authorization", 1, "RFC 9110 11.7.2"},
    {"Authentication", 1, "non-standard, seen in place of Authorization"},
    {"Cookie", 1, "RFC 6265"},
    {"Cookie2", 1, "RFC 2965"},
    {"Set-Cookie", 1, "RFC 6265"},
    {"Set-Cookie2", 1, "RFC 2965"},
    {"X-API-Key", 1, "AWS API Gateway"},
    {"api-key", 1, "Azure OpenAI"},
    {"apikey", 1, "Supabase, Kong key-auth"},
    {"X-Functions-Key", 1, "Azure Functions"},
    {"Ocp-Apim-Subscription-Key", 1, "Azure API Management"},
    {"x-goog-api-key", 1, "Google Cloud APIs"},
    {"X-Auth", 1, "brief: leaked before"},
    {"X-Pass", 1, "brief: leaked before"},
    {"X-Pwd", 1, "brief: leaked before"},
    {"X-Credentials", 1, "brief: leaked before"},
    {"X-Auth-Token", 1, "OpenStack Keystone"},
    {"X-Subject-Token", 1, "OpenStack Keystone"},
    {"X-Amz-Security-Token", 1, "AWS Signature Version 4"},
    {"X-Amz-Signature", 1, "AWS SigV4 presigned URL"},
    {"X-Amz-Credential", 1, "AWS SigV4 presigned URL"},
    {"X-Hub-Signature-256", 1, "GitHub webhooks"},
    {"X-Hub-Signature", 1, "GitHub webhooks"},
    {"Stripe-Signature", 1, "Stripe webhooks"},
    {"X-Slack-Signature", 1, "Slack request signing"},
    {"X-Twilio-Signature", 1, "Twilio webhooks"},
    {"X-Shopify-Hmac-Sha256", 1, "Shopify webhooks"},
    {"X-CSRF-Token", 1, "Rails, Laravel"},
    {"X-XSRF-TOKEN", 1, "Angular HttpClient"},
    {"X-CSRFToken", 1, "Django"},
    {"X-Vault-Token", 1, "HashiCorp Vault"},
    {"PRIVATE-TOKEN", 1, "GitLab API"},
    {"X-Gitlab-Token", 1, "GitLab webhooks"},
    {"DD-API-KEY", 1, "Datadog"},
    {"DD-APPLICATION-KEY", 1, "Datadog"},
    {"aeg-sas-key", 1, "Azure Event Grid"},
    {"aeg-sas-token", 1, "Azure Event Grid"},
    {"x-ms-encryption-key", 1, "Azure Blob customer-provided key"},
    {"X-RapidAPI-Key", 1, "RapidAPI"},
    {"X-Session-Id", 1, "common session header"},
    {"X-Access-Token", 1, "common"},
    {"X-ZUMO-AUTH", 1, "Azure App Service authentication"},
    {"X-Signature-Ed25519", 1, "Discord interactions"},
    {"Signature", 1, "RFC 9421"},

    /* JSON keys and form fields that hold credentials. */
    {"auth", 1, "brief: leaked before"},
    {"password", 1, "login forms"},
    {"passwd", 1, "Unix, login forms"},
    {"pwd", 1, "login forms"},
    {"pass", 1, "login forms"},
    {"passphrase", 1, "key files"},
    {"passcode", 1, "login forms"},
    {"secret", 1, "common"},
    {"token", 1, "common"},
    {"client_secret", 1, "RFC 6749 2.3.1"},
    {"access_token", 1, "RFC 6749 5.1"},
    {"refresh_token", 1, "RFC 6749 5.1"},
    {"id_token", 1, "OpenID Connect Core 3.1.3.3"},
    {"idToken", 1, "Firebase Auth REST"},
    {"api_key", 1, "common"},
    {"apiKey", 1, "Firebase config"},
    {"secret_key", 1, "common"},
    {"SecretAccessKey", 1, "AWS STS Credentials"},
    {"SessionToken", 1, "AWS STS Credentials"},
    {"aws_secret_access_key", 1, "AWS CLI credentials file"},
    {"aws_session_token", 1, "AWS CLI credentials file"},
    {"private_key", 1, "GCP service account key file"},
    {"webhook_secret", 1, "common"},
    {"signing_secret", 1, "Slack app credentials"},
    {"authToken", 1, "Twilio SDKs"},
    {"auth_token", 1, "Twilio"},
    {"sessionid", 1, "Django session cookie"},
    {"JSESSIONID", 1, "Java servlet session cookie"},
    {"PHPSESSID", 1, "PHP session cookie"},
    {"ASP.NET_SessionId", 1, "ASP.NET session cookie"},
    {"session_id", 1, "common"},
    {"sessionId", 1, "common"},
    {"session_token", 1, "common"},
    {"sessionKey", 1, "common"},
    {"sessionkey", 1, "compound"},
    {"csrf_token", 1, "Flask-WTF"},
    {"_csrf", 1, "Express csurf"},
    {"csrfmiddlewaretoken", 1, "Django forms"},
    {"authenticity_token", 1, "Rails forms"},
    {"__RequestVerificationToken", 1, "ASP.NET MVC forms"},
    {"oauth_token", 1, "RFC 5849"},
    {"oauth_token_secret", 1, "RFC 5849"},
    {"oauth_signature", 1, "RFC 5849"},
    {"oauth_consumer_key", 1, "RFC 5849"},
    {"sig", 1, "Azure SAS query parameter"},
    {"signature", 1, "common"},
    {"credentials", 1, "common"},
    {"creds", 1, "common"},
    {"userPassword", 1, "LDAP attribute"},
    {"newPassword", 1, "password change forms"},
    {"confirm_password", 1, "sign-up forms"},
    {"old_password", 1, "password change forms"},
    {"db_password", 1, "configuration"},
    {"smtppassword", 1, "configuration"},
    {"SecretString", 1, "AWS Secrets Manager GetSecretValue"},
    {"key", 1, "Google APIs ?key="},
    {"license_key", 1, "software licensing"},
    {"device_token", 1, "APNs"},
    {"hashed_token", 1, "GitHub API"},
    {"passwords", 1, "plural"},
    {"stripeApiKey", 1, "compound"},
    {"xapikey", 1, "x-api-key without separators"},

    /* Translations. */
    {"Passwort", 1, "de"},
    {"Kennwort", 1, "de"},
    {"neuesPasswort", 1, "de"},
    {"passwort_wiederholen", 1, "de"},
    {"Schl\xc3\xbcssel", 1, "de Schlüssel"},
    {"mot_de_passe", 1, "fr"},
    {"motDePasse", 1, "fr"},
    {"mdp", 1, "fr"},
    {"jeton", 1, "fr"},
    {"cl\xc3\xa9", 1, "fr clé"},
    {"cle_api", 1, "fr"},
    {"contrase\xc3\xb1" "a", 1, "es contraseña"},
    {"Contrase\xc3\xb1" "a", 1, "es Contraseña"},
    {"CONTRASE\xc3\x91" "A", 1, "es CONTRASEÑA"},
    {"nueva_contrase\xc3\xb1" "a", 1, "es nueva_contraseña"},
    {"contrasena", 1, "es, ASCII"},
    {"clave", 1, "es"},
    {"senha", 1, "pt"},
    {"nova_senha", 1, "pt"},
    {"palavra-passe", 1, "pt-PT"},
    {"chave", 1, "pt"},
    {"wachtwoord", 1, "nl"},
    {"sleutel", 1, "nl"},
    {"parola", 1, "tr"},
    {"parola_d'ordine", 1, "it"},
    {"chiave", 1, "it"},
    {"\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\x89", 1, "ja パスワード"},
    {"\xe6\x96\xb0\xe3\x81\x97\xe3\x81\x84\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc"
     "\xe3\x83\x89", 1, "ja 新しいパスワード"},
    {"\xe6\x9a\x97\xe8\xa8\xbc\xe7\x95\xaa\xe5\x8f\xb7", 1, "ja 暗証番号"},
    {"\xe5\xaf\x86\xe7\xa0\x81", 1, "zh-Hans 密码"},
    {"\xe7\xa1\xae\xe8\xae\xa4\xe5\xaf\x86\xe7\xa0\x81", 1, "zh-Hans 确认密码"},
    {"\xe5\xaf\x86\xe7\xa2\xbc", 1, "zh-Hant 密碼"},
    {"\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c", 1, "ru пароль"},
    {"\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c", 1, "ru Пароль"},
    {"has\xc5\x82o", 1, "pl hasło"},
    {"HAS\xc5\x81O", 1, "pl HASŁO"},
    {"haslo", 1, "pl, ASCII"},
    {"\xc5\x9f" "ifre", 1, "tr şifre"},
    {"\xc5\x9e\xc4\xb0" "FRE", 1, "tr ŞİFRE"},
    {"sifre", 1, "tr, ASCII"},
    {"l\xc3\xb6senord", 1, "sv lösenord"},
    {"L\xc3\x96SENORD", 1, "sv LÖSENORD"},
    {"\xeb\xb9\x84\xeb\xb0\x80\xeb\xb2\x88\xed\x98\xb8", 1, "ko 비밀번호"},

    /* Header names that carry no credential. */
    {"Accept", 0, "RFC 9110"},
    {"Content-Type", 0, "RFC 9110"},
    {"Content-Length", 0, "RFC 9110"},
    {"Host", 0, "RFC 9110"},
    {"User-Agent", 0, "RFC 9110"},
    {"X-Request-Id", 0, "request ids"},
    {"X-Correlation-Id", 0, "request ids"},
    {"traceparent", 0, "W3C Trace Context"},
    {"tracestate", 0, "W3C Trace Context"},
    {"ETag", 0, "RFC 9110"},
    {"If-None-Match", 0, "RFC 9110"},
    {"Keep-Alive", 0, "RFC 9112"},
    {"Cache-Control", 0, "RFC 9111"},
    {"Sec-Fetch-Site", 0, "Fetch Metadata"},
    {"Sec-CH-UA", 0, "User-Agent Client Hints"},
    {"Sec-WebSocket-Key", 0, "RFC 6455 4.1: a public nonce"},
    {"Sec-WebSocket-Accept", 0, "RFC 6455"},
    {"Idempotency-Key", 0, "Stripe, IETF draft: a request identifier"},
    {"X-Idempotency-Key", 0, "a request identifier"},
    {"WWW-Authenticate", 0, "RFC 9110: a challenge"},
    {"Proxy-Authenticate", 0, "RFC 9110: a challenge"},
    {"X-GitHub-Event", 0, "GitHub webhooks"},
    {"X-GitHub-Delivery", 0, "GitHub webhooks"},
    {"X-GitHub-Hook-ID", 0, "GitHub webhooks"},
    {"X-Slack-Request-Timestamp", 0, "Slack request signing"},
    {"X-Signature-Timestamp", 0, "Discord interactions"},
    {"Stripe-Version", 0, "Stripe"},
    {"X-Amz-Date", 0, "AWS SigV4"},
    {"X-Amz-Content-Sha256", 0, "AWS SigV4"},
    {"X-Amz-SignedHeaders", 0, "AWS SigV4 presigned URL"},
    {"X-Amz-Algorithm", 0, "AWS SigV4 presigned URL"},
    {"X-Amz-Expires", 0, "AWS SigV4 presigned URL"},
    {"x-amz-server-side-encryption-aws-kms-key-id", 0, "Amazon S3: a key ARN"},
    {"X-OAuth-Scopes", 0, "GitHub API"},
    {"X-Accepted-OAuth-Scopes", 0, "GitHub API"},
    {"x-ms-client-request-id", 0, "Azure"},
    {"x-ms-version", 0, "Azure Storage"},
    {"Signature-Input", 0, "RFC 9421"},
    {"X-RateLimit-Remaining", 0, "GitHub API"},
    {"CF-Access-Client-Id", 0, "Cloudflare Access"},
    {"X-Forwarded-For", 0, "de facto"},

    /* JSON keys and form fields that carry no credential. */
    {"token_type", 0, "RFC 6749 5.1"},
    {"expires_in", 0, "RFC 6749 5.1"},
    {"token_endpoint", 0, "OpenID Connect Discovery"},
    {"authorization_endpoint", 0, "OpenID Connect Discovery"},
    {"auth_uri", 0, "GCP service account key file"},
    {"token_uri", 0, "GCP service account key file"},
    {"auth_provider_x509_cert_url", 0, "GCP service account key file"},
    {"private_key_id", 0, "GCP service account key file: a key's id"},
    {"client_id", 0, "RFC 6749"},
    {"AccessKeyId", 0, "AWS STS Credentials: an identifier"},
    {"key_id", 0, "an identifier"},
    {"kid", 0, "RFC 7517"},
    {"public_key", 0, "WebAuthn, JWK"},
    {"publishable_key", 0, "Stripe: meant to be public"},
    {"primary_key", 0, "databases"},
    {"sort_key", 0, "Amazon DynamoDB"},
    {"partition_key", 0, "Amazon DynamoDB, Azure Cosmos DB"},
    {"idempotency_key", 0, "Stripe"},
    {"cache_key", 0, "CDNs"},
    {"routing_key", 0, "AMQP"},
    {"ExclusiveStartKey", 0, "Amazon DynamoDB: a cursor"},
    {"LastEvaluatedKey", 0, "Amazon DynamoDB: a cursor"},
    {"KeyName", 0, "Amazon EC2: a key pair's name"},
    {"SecretId", 0, "AWS Secrets Manager: a name or ARN"},
    {"secret_name", 0, "a name"},
    {"password_hint", 0, "a hint"},
    {"password_expires_at", 0, "a date"},
    {"passwordless", 0, "a login method"},
    {"session_timeout", 0, "a duration"},
    {"sessions", 0, "a count (analytics)"},
    {"session", 0, "analytics events: a visit, not a login"},
    {"cookie_consent", 0, "a consent flag"},
    {"SignatureVersion", 0, "AWS Query API"},
    {"SignatureMethod", 0, "AWS Query API"},
    {"next_page_token", 0, "Google APIs: a cursor"},
    {"nextPageToken", 0, "Google APIs: a cursor"},
    {"pageToken", 0, "Google APIs: a cursor"},
    {"continuation_token", 0, "a cursor"},
    {"ContinuationToken", 0, "Amazon S3 ListObjectsV2"},
    {"NextContinuationToken", 0, "Amazon S3 ListObjectsV2"},
    {"NextToken", 0, "AWS APIs: a cursor"},
    {"syncToken", 0, "Google Calendar: a cursor"},
    {"$skiptoken", 0, "OData, Microsoft Graph: a cursor"},
    {"$deltatoken", 0, "Microsoft Graph: a cursor"},
    {"cursor", 0, "Slack, Stripe pagination"},
    {"max_tokens", 0, "OpenAI: a count"},
    {"prompt_tokens", 0, "OpenAI usage"},
    {"completion_tokens", 0, "OpenAI usage"},
    {"total_tokens", 0, "OpenAI usage"},
    {"tokenizer_version", 0, "model metadata"},
    {"author", 0, "GitHub commits"},
    {"authority", 0, "OIDC, URLs"},
    {"author_association", 0, "GitHub API"},
    {"authored_at", 0, "a date"},
    {"is_authenticated", 0, "a flag"},
    {"authorized", 0, "a flag"},
    {"passenger", 0, "airline APIs"},
    {"passenger_name", 0, "airline APIs"},
    {"passport", 0, "a national id, not a secret"},
    {"passport_number", 0, "a national id, not a secret"},
    {"compass_heading", 0, "device sensors"},
    {"bypass", 0, "a flag"},
    {"bypass_cache", 0, "a flag"},
    {"keyword", 0, "search"},
    {"keywords", 0, "search"},
    {"keyboard_layout", 0, "device settings"},
    {"monkey", 0, "a word"},
    {"turkey", 0, "a word"},
    {"hockey_team", 0, "a word"},
    {"secretary", 0, "a job title"},
    {"signal", 0, "a word"},
    {"signup_date", 0, "a date"},
    {"design", 0, "a word"},
    {"credit_limit", 0, "an amount"},
    {"creditor", 0, "a party"},
    {"credits", 0, "an amount"},
    {"tokens", 0, "a count (LLM APIs)"},
    {"description", 0, "common"},
    {"created_at", 0, "common"},
    {"name", 0, "common"},
    {"email", 0, "contact data, not a credential"},
    {"id", 0, "common"},
    {"amount", 0, "common"},
    {"content", 0, "common"},
    {"pass_rate", 0, "test reports"},
    {"passage", 0, "a word"},
    {"cookbook", 0, "a word"},
    {"mot_cl\xc3\xa9", 0, "fr mot-clé: keyword"},
    {"palabra_clave", 0, "es keyword"},
    {"parola_chiave", 0, "it keyword"},
    {"palavra_chave", 0, "pt keyword"},
    {"Schl\xc3\xbcsselwort", 0, "de keyword"},
    {"sleutelwoord", 0, "nl keyword"},
};
/* clang-format on */

TEST(names_from_real_apis)
{
    size_t ncred = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const case_t *c = &cases[i];
        int got = veil_name_is_credential(c->name, strlen(c->name));
        if (got != c->credential) {
            fprintf(stderr, "  %s (%s): got %d, expected %d\n", c->name, c->source, got,
                    c->credential);
        }
        CHECK_EQ(got, c->credential);
        ncred += c->credential;
    }
    /* The list itself: large enough on both sides. */
    CHECK(ncred >= 100);
    CHECK(sizeof(cases) / sizeof(cases[0]) - ncred >= 100);
}

/* The name is read with its length: no terminator is needed, and bytes
   after it are not read (the copy sits at the end of an exact buffer). */
TEST(length_bounds_the_name)
{
    static const char *const names[] = {"password", "X-Functions-Key", "monkey", "a", ""};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t n = strlen(names[i]);
        char *copy = malloc(n ? n : 1);
        memcpy(copy, names[i], n);
        CHECK_EQ(veil_name_is_credential(copy, n), i < 2);
        free(copy);
    }
    CHECK_EQ(veil_name_is_credential("passwordX", 8), 1);
    CHECK_EQ(veil_name_is_credential("keyboard", 3), 1);
}

/* Names longer than 128 bytes: the last 128 are judged. */
TEST(long_names)
{
    char name[400];
    memset(name, 'a', sizeof(name));
    memcpy(name + sizeof(name) - 9, "_password", 9);
    CHECK_EQ(veil_name_is_credential(name, sizeof(name)), 1);
    memcpy(name + sizeof(name) - 9, "_quantity", 9);
    CHECK_EQ(veil_name_is_credential(name, sizeof(name)), 0);
    /* As many words as 128 bytes can hold, the credential word last. */
    for (size_t i = 0; i < sizeof(name); i += 2) {
        name[i] = 'k';
        name[i + 1] = '_';
    }
    memcpy(name + sizeof(name) - 8, "password", 8);
    CHECK_EQ(veil_name_is_credential(name, sizeof(name)), 1);
    memcpy(name + sizeof(name) - 8, "x1y2z3w4", 8);
    CHECK_EQ(veil_name_is_credential(name, sizeof(name)), 0);
}

/* Bytes that are no UTF-8 and separators alone are judged without harm. */
TEST(odd_bytes)
{
    CHECK_EQ(veil_name_is_credential("\xff\xfe\xc3", 3), 0);
    CHECK_EQ(veil_name_is_credential("---", 3), 0);
    CHECK_EQ(veil_name_is_credential("\xd0", 1), 0);
    CHECK_EQ(veil_name_is_credential("x\xc3password", 10), 1);
    CHECK_EQ(veil_name_is_credential("12345678", 8), 0);
}

/* The first pass (an automaton over probes of the credential words) only
   lets names through to the judge: it must never turn away a name the
   judge would call a credential. Every name of the list above, and
   compounds of their words in every case and separator. */
TEST(first_pass_never_hides)
{
    static const char *const parts[] = {
        "api",        "key",     "Token", "SECRET",   "pass", "word",       "x",
        "auth",       "session", "id",    "Passwort", "sig",  "hmac",       "cookie",
        "cred",       "csrf",    "page",  "primary",  "type", "contrasena", "losenord",
        "wachtwoord", "mdp",     "cle",   "jeton",    "2",    "",
    };
    static const char *const seps[] = {"", "_", "-", ".", " "};
    size_t n = sizeof(parts) / sizeof(parts[0]), checked = 0;
    char name[128];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = strlen(cases[i].name);
        if (veil__credential_judge(cases[i].name, len, 0)) {
            CHECK(veil__cred_may_hold(cases[i].name, len));
        }
    }
    for (size_t a = 0; a < n; a++) {
        for (size_t b = 0; b < n; b++) {
            for (size_t c = 0; c < n; c++) {
                for (size_t s = 0; s < sizeof(seps) / sizeof(seps[0]); s++) {
                    int len = snprintf(name, sizeof(name), "%s%s%s%s%s", parts[a], seps[s],
                                       parts[b], seps[s], parts[c]);
                    if (veil__credential_judge(name, (size_t)len, 0) &&
                        !veil__cred_may_hold(name, (size_t)len)) {
                        fprintf(stderr, "  first pass hides %s\n", name);
                        CHECK(0);
                    }
                    checked++;
                }
            }
        }
    }
    CHECK(checked > 90000);
}

/* key=value in prose and log lines: one ambiguous word alone is no
   credential there ("cache set key=...", "pass=3 fail=0"). */
TEST(prose_keys)
{
    static const struct {
        const char *key;
        int strict, prose;
    } k[] = {
        {"key", 1, 0},  {"keys", 1, 0},    {"pass", 1, 0},     {"auth", 1, 0},
        {"cred", 1, 0}, {"api_key", 1, 1}, {"password", 1, 1}, {"token", 1, 1},
        {"sig", 1, 1},  {"X-Auth", 1, 1},  {"monkey", 0, 0},   {"secret", 1, 1},
    };
    for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        size_t n = strlen(k[i].key);
        CHECK_EQ(veil__credential_name(k[i].key, n, 0), k[i].strict);
        CHECK_EQ(veil__credential_name(k[i].key, n, 1), k[i].prose);
        CHECK_EQ(veil__key_class_prose(k[i].key, n), k[i].prose ? VEIL_D_SECRET_FIELD : -1);
    }
}

/* The engine's key classes: credential names are secret fields; the other
   classes are unchanged. */
TEST(key_classes)
{
    static const struct {
        const char *key;
        int cls;
    } k[] = {
        {"password", VEIL_D_SECRET_FIELD},
        {"auth", VEIL_D_SECRET_FIELD},
        {"Passwort", VEIL_D_SECRET_FIELD},
        {"contrase\xc3\xb1"
         "a",
         VEIL_D_SECRET_FIELD},
        {"client_secret", VEIL_D_SECRET_FIELD},
        {"pin", VEIL_D_SECRET_FIELD},
        {"cvv", VEIL_D_SECRET_FIELD},
        {"account_number", VEIL_D_SECRET_FIELD},
        {"email", VEIL_D_EMAIL},
        {"billing_email", VEIL_D_EMAIL},
        {"cardNumber", VEIL_D_CREDIT_CARD},
        {"passport_number", VEIL_D_NATIONAL_ID},
        {"passport", VEIL_D_NATIONAL_ID},
        {"phone", VEIL_D_PHONE},
        {"first_name", VEIL_D_PERSON_NAME},
        {"next_page_token", -1},
        {"token_type", -1},
        {"created_at", -1},
        {"monkey", -1},
        {"id", -1},
    };
    for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        int got = veil__key_class(k[i].key, strlen(k[i].key));
        if (got != k[i].cls) {
            fprintf(stderr, "  %s: got %d, expected %d\n", k[i].key, got, k[i].cls);
        }
        CHECK_EQ(got, k[i].cls);
    }
}

/* Context words: each detector's words are found in its run among the
   words of their first byte (engine.c indexes them so; context_mask()
   looks only there), and the catalog's words fit the index. A word the
   run missed would lose its detector's context everywhere. */
TEST(context_word_runs)
{
    char err[256];
    veil_engine_t *e = veil_engine_new(NULL, err, sizeof(err));
    CHECK(e != NULL);
    CHECK_EQ(e->ctx_runs_ok, 1);
    size_t words = 0;
    for (int d = 0; d < VEIL_D__COUNT && d < 64; d++) {
        for (size_t k = 0; k < e->ncontext[d]; k++) {
            const char *w = e->context[d][k].word;
            unsigned char c = (unsigned char)w[0];
            size_t r = e->ctx_run_index[c] +
                       (size_t)__builtin_popcountll(e->context_first[c] & ((1ull << d) - 1));
            int seen = 0;
            CHECK(r < e->ctx_run_index[c + 1]);
            for (size_t j = e->ctx_run_start[r]; j < e->ctx_run_start[r + 1]; j++) {
                CHECK_EQ(e->ctx_words[j].detector, d);
                seen |= e->ctx_words[j].word == w;
            }
            CHECK(seen);
            words++;
        }
    }
    CHECK(words > 100);
    CHECK_EQ(e->ctx_run_start[e->ctx_run_index[256]], words);
    veil_engine_free(e);
}

/* veil__thing_key(): the keys of objects whose "name" is no person's, in
   any case and with separators and digits, and nothing else (a hash
   table since 2026-12-07: a list entry its build misplaced would fail). */
TEST(thing_keys)
{
    static const char *const things[] = {
        "product", "item",         "items",        "article",   "sku",      "plan",     "category",
        "company", "organization", "organisation", "org",       "brand",    "merchant", "store",
        "shop",    "app",          "application",  "service",   "team",     "project",  "file",
        "repo",    "repository",   "bucket",       "city",      "country",  "region",   "device",
        "tag",     "tags",         "label",        "labels",    "event",    "campaign", "products",
        "variant", "variants",     "collection",   "feature",   "features", "role",     "roles",
        "group",   "groups",       "channel",      "workspace", "database", "table",    "model",
        "package", "course",       "venue",        "location",  "bank",     "employer"};
    char buf[40];
    for (size_t k = 0; k < sizeof(things) / sizeof(things[0]); k++) {
        size_t n = strlen(things[k]);
        CHECK(veil__thing_key(things[k], n));
        /* folded: "Product_2", "PRODUCT-" */
        snprintf(buf, sizeof(buf), "%c%s_2", things[k][0] - 32, things[k] + 1);
        CHECK(veil__thing_key(buf, strlen(buf)));
        for (size_t j = 0; j < n; j++) {
            buf[j] = (char)(things[k][j] - 32);
        }
        buf[n] = '-';
        CHECK(veil__thing_key(buf, n + 1));
        /* one letter more or less is another key */
        CHECK(!veil__thing_key(things[k], n - 1) || strcmp(things[k], "items") == 0 ||
              strcmp(things[k], "tags") == 0 || strcmp(things[k], "labels") == 0 ||
              strcmp(things[k], "products") == 0 || strcmp(things[k], "variants") == 0 ||
              strcmp(things[k], "features") == 0 || strcmp(things[k], "roles") == 0 ||
              strcmp(things[k], "groups") == 0);
        snprintf(buf, sizeof(buf), "%sx", things[k]);
        CHECK(!veil__thing_key(buf, n + 1));
    }
    static const char *const people[] = {"",        "user",  "reactions", "customer", "author",
                                         "contact", "owner", "profile",   "data",     "x"};
    for (size_t k = 0; k < sizeof(people) / sizeof(people[0]); k++) {
        CHECK(!veil__thing_key(people[k], strlen(people[k])));
    }
}

int main(void)
{
    veil__keys_init();
    RUN(names_from_real_apis);
    RUN(length_bounds_the_name);
    RUN(first_pass_never_hides);
    RUN(long_names);
    RUN(odd_bytes);
    RUN(prose_keys);
    RUN(key_classes);
    RUN(context_word_runs);
    RUN(thing_keys);
    TEST_MAIN_END;
}
