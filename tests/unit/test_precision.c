/*
 * Precision of the engine (issue 10): values that look like personal data
 * and are not, each with a near case that still is. Placeholders and masks
 * under sensitive keys, versions that look like addresses, the unspecified
 * IPv6 address, date-times, numbers glued to words by percent-encoded
 * text, credentials in URLs and after an auth scheme. Every case runs
 * whole, byte by byte and in random pieces on every SIMD level
 * (engine_harness.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "veil/scan.h"
#include "veil/transform.h"

#include "engine_harness.h"

static veil_engine_t *E;

#define TXT(lit, exp) SCAN_E(E, VEIL_FMT_TEXT, lit, exp)
#define JS(lit, exp) SCAN_E(E, VEIL_FMT_JSON, lit, exp)
#define JLABEL(lit, exp) REDACT_E(E, VEIL_FMT_JSON, VEIL_ACT_LABEL, lit, exp)

/* A value that is already a placeholder or a mask is no finding: the forms
   of Rails' filter_parameters ([FILTERED]), Apple's unified log
   (<private>), PCI DSS masked card numbers (first six, last four), and
   veil's own outputs (labels, hashes, numbered placeholders, masks). */
TEST(placeholders_json)
{
    JS("{\"password\":\"[FILTERED]\"}", "");
    JS("{\"password\":\"<private>\"}", "");
    JS("{\"password\":\"***REDACTED***\"}", "");
    JS("{\"api_key\":\"[PII REMOVED]\"}", "");
    JS("{\"api_key\":\"HIDDEN_DUE_TO_SECURITY_REASONS\"}", "");
    JS("{\"ssn\":\"***-**-****\"}", "");
    JS("{\"ssn\":\"XXX-XX-1234\"}", "");
    JS("{\"card_number\":\"**** **** **** 1111\"}", "");
    JS("{\"card_number\":\"411111******1111\"}", "");
    JS("{\"card_number\":\"\\u2022\\u2022\\u2022\\u2022 4242\"}", "");
    JS("{\"email\":\"[EMAIL]\"}", "");
    JS("{\"email\":\"[EMAIL:1f2e3d4c5b6a7988]\"}", "");
    JS("{\"email\":\"[EMAIL_2]\"}", "");
    JS("{\"email\":\"****.***@*******.***\"}", "");
    JS("{\"phone\":\"null\"}", "");
    JS("{\"phone\":\"(none)\"}", "");
    /* Still findings: a real value, a bare word a password may be, more
       digits than a masked card shows, a mask with letters in it. */
    JS("{\"password\":\"hunter2\"}", "secret_field@13+7HF");
    JS("{\"password\":\"secret\"}", "secret_field@13+6HF");
    JS("{\"password\":\"[secret]\"}", "");
    JS("{\"card_number\":\"4111 11** **** 1111 2222\"}", "credit_card@16+24HF");
    JS("{\"password\":\"ab***cd\"}", "secret_field@13+7HF");
    JS("{\"password\":\"**\"}", "secret_field@13+2HF");
}

TEST(placeholders_text)
{
    TXT("user_id=3979&password=%2A%2A%2A%2A&card=%2A%2A%2A%2A+%2A%2A%2A%2A", "");
    TXT("user_id=3&password=%5Bredacted%5D&x=1", "");
    TXT("user_id=3&password=%3Chidden%3E&x=1", "");
    TXT("user_id=3&password=XXXXXXXX&x=1", "");
    TXT("WARN worker: Field ssn=[PII REMOVED] omitted (request_id=7)", "");
    TXT("msg=\"Field ssn=***-**-**** omitted\"", "");
    TXT("password: [REDACTED]", "");
    TXT("{\"password\": \"<hidden>\"} sent", "");
    /* The same keys with values. */
    TXT("user_id=3&password=hunter2&x=1", "secret_field@19+7HF");
    TXT("Field ssn=[PII REMOVED omitted", "us_ssn@10+4HF");
    TXT("password: hunter2", "secret_field@10+7HF");
}

/* "::" is the unspecified address (RFC 4291 2.5.2): a listener on every
   address, no one's. An address has a group with a digit. */
TEST(ipv6_unspecified)
{
    TXT("sshd[812]: Server listening on :: port 22.", "");
    TXT("Server listening on 2001:db8::7 port 22.", "ipv6@20+11M");
    TXT("use Abc::Def or dead::beef", "");
}

/* A dotted quad is a version after a product token or a version word,
   and an address under a key that names one, whatever is before it. */
TEST(ipv4_versions)
{
    JS("{\"firmware\":\"5.9.20.214\",\"checksum\":\"07D3A0\"}", "");
    JS("{\"release\":\"2.25.43.18\"}", "");
    JS("{\"version\":\"3.1\",\"client_ip\":\"10.1.2.3\"}", "ipv4@30+8H");
    TXT("app version=4.1 ip=203.0.113.9 ok", "ipv4@19+11H");
    TXT("app version 4.1.0.2 ok", "");
    TXT("Chrome/124.0.0.0 Safari", "");
}

/* An ISO 8601 date-time with a space for the T (RFC 3339 5.6, SQL) is a
   timestamp, not a phone number. */
TEST(datetime_space)
{
    JS("{\"status\":\"cancelled\",\"placedAt\":\"2021-07-08 17:42:23\"}", "");
    TXT("2026-11-06 00:39:18;order", "");
    TXT("call me on 020 7946 0958 today", "phone@11+13H");
}

/* Percent-encoded text: '+' is a space, and the hex digits of an escape
   are no part of the number after it. */
TEST(percent_encoded_text)
{
    TXT("message=The+book+has+ISBN+9788337628340.+Thanks", "");
    TXT("message=on+Windows+10.0.17763.669.+Thanks", "");
    TXT("message=order+504863897737.+Bank", "");
    TXT("q=Contact%3A%20Dylano%2C%2006-49543137%2C%20ok", "phone@27+11H");
    TXT("message=Mi+telefono+%2B34+612+345+678", "");
    TXT("tel: +34 612 345 678", "phone@5+15H");
}

/* Numbers after '#' are order and ticket numbers. */
TEST(hash_numbers)
{
    TXT("telefone: pedido #5416225711 ainda", "");
    TXT("telefone: 5416225711 ainda", "phone@10+10H");
}

/* A phone match cut inside a longer '-'-joined number is part of it. */
TEST(cut_numbers)
{
    TXT("telefono: 393428113309. Il codice regalo 4213-4850-9183-7 viene", "");
}

/* RFC 3986 3.2.1: userinfo may have an empty user (redis://:password@).
   In percent-encoded text the URL's delimiters are escapes too. */
TEST(url_credentials)
{
    JS("{\"database_url\":\"redis://:K4cs5BUTQowLT@prod.example.com:6379/0\"}",
       "url_credentials@25+14H");
    TXT("message=Our+connection+string+is+mysql%3A%2F%2Fdeploy%3ACWifR87NlzDQa2aP%40db.example."
        "com%3A3306",
        "url_credentials@47+25H");
    TXT("message=my+new+email+is+jo%2Btag%40example.com+pls", "email@24+22H");
}

/* RFC 9110 11.4: the auth scheme before a credential is no secret. */
TEST(auth_scheme)
{
    JS("{\"headers\":{\"Authorization\":\"Bearer eyJhbGciOiJIUzI1NiJ9."
       "eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl\"}}",
       "jwt@36+57HF");
    JS("{\"Authorization\":\"Basic dXNlcjpwYXNz\"}", "secret_field@24+12HF");
    JS("{\"Authorization\":\"Bearer\\u0020abc\"}", "secret_field@18+15HF");
    TXT("{\"Authorization\": \"Token 0123456789abcdef\"}", "secret_field@25+16HF");
    JLABEL("{\"Authorization\":\"Basic dXNlcjpwYXNz\"}", "{\"Authorization\":\"Basic [SECRET]\"}");
}

/* POSIX PWD is the working directory (sudo's log line), not a password. */
TEST(pwd_directory)
{
    TXT("sudo: deploy : TTY=pts/0 ; PWD=/srv ; USER=root ; COMMAND=/bin/ls", "");
    TXT("login user=bob pwd=hunter2 ok", "secret_field@19+7HF");
}

int main(void)
{
    char err[256];
    E = veil_engine_new(NULL, err, sizeof(err));
    if (E == NULL) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(placeholders_json);
    RUN(placeholders_text);
    RUN(ipv6_unspecified);
    RUN(ipv4_versions);
    RUN(datetime_space);
    RUN(percent_encoded_text);
    RUN(hash_numbers);
    RUN(cut_numbers);
    RUN(url_credentials);
    RUN(auth_scheme);
    RUN(pwd_directory);
    veil_engine_free(E);
    TEST_MAIN_END;
}
