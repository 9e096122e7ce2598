/*
 * Unit tests for the form walker (application/x-www-form-urlencoded bodies
 * and query strings): percent-decoding, '+' as a space, sensitive fields,
 * pairs on several lines, broken escapes, and values split anywhere
 * (also inside %XX). Every case is scanned whole, byte by byte and in
 * random pieces; all cuts must agree.
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

#define FS(lit, exp) SCAN_E(E, VEIL_FMT_FORM, lit, exp)
#define FMASK(lit, exp) REDACT_E(E, VEIL_FMT_FORM, VEIL_ACT_MASK, lit, exp)
#define FLABEL(lit, exp) REDACT_E(E, VEIL_FMT_FORM, VEIL_ACT_LABEL, lit, exp)

TEST(decoding)
{
    /* %40 decodes to '@' in a value under an innocent key */
    FS("q=jane%40example.com&page=2", "email@2+18H");
    FLABEL("q=jane%40example.com&page=2", "q=[EMAIL]&page=2");
    FS("q=jane%40example.com", "email@2+18H");
    /* '+' is a space: a card in groups */
    FS("note=4111+1111+1111+1111&x=1", "credit_card@5+19H");
    FMASK("note=4111+1111+1111+1111&x=1", "note=****+****+****+1111&x=1");
    FS("msg=call+me+at+%2B44+20+7946+0958+please", "phone@15+18H");
    FLABEL("msg=call+me+at+%2B44+20+7946+0958+please", "msg=call+me+at+[PHONE]+please");
    /* an encoded URL with credentials */
    FS("redirect=https%3A%2F%2Fadmin%3As3cret%40db.example.com%2Fapp", "url_credentials@23+14H");
    FLABEL("redirect=https%3A%2F%2Fadmin%3As3cret%40db.example.com%2Fapp",
           "redirect=https%3A%2F%2F[URL_CREDENTIALS]%40db.example.com%2Fapp");
    /* IPv6 with encoded colons */
    FS("ip=2001%3Adb8%3A%3A1&x=1", "ipv6@3+17H");
    /* keys are scanned as well */
    FS("jane%40example.com=1", "email@0+18H");
}

TEST(sensitive_fields)
{
    FS("password=hunter2&remember=1", "secret_field@9+7HF");
    FMASK("password=hunter2&remember=1", "password=*******&remember=1");
    FS("email=not+an+address&x=1", "email@6+14HF");
    FS("ssn=536-22-8901", "us_ssn@4+11HF");
    FS("card_number=4111&cvc=123", "credit_card@12+4HF secret_field@21+3HF");
    FS("cardNumber=x&card-number=y", "credit_card@11+1HF credit_card@25+1HF");
    FS("first_name=Jane&last_name=Doe&name=Jane+Doe&name=Widget+Pro+2",
       "person_name@11+4MF person_name@26+3MF person_name@35+8MF");
    FLABEL("first_name=Jane&last_name=Doe&name=Jane+Doe&name=Widget+Pro+2",
           "first_name=[PERSON_NAME]&last_name=[PERSON_NAME]&name=[PERSON_NAME]&name=Widget+Pro+2");
    FS("dob=16%2F01%2F1975&phone=07856+003678", "date_of_birth@4+14HF phone@25+12HF");
    FS("client_secret=abc%26def&api_key=k", "secret_field@14+9HF secret_field@32+1HF");
    /* an encoded key name is decoded before it is judged */
    FS("%70assword=x1&%65mail=a", "secret_field@11+2HF email@22+1HF");
    FS("password=&email=", "");
    FS("routing_number=081900307&account_number=2164884787",
       "us_bank_routing@15+9H secret_field@40+10HF");
    FS("iban=ES3130830691548111940679&bic=BNPAFRPP", "iban@5+24HF");
}

TEST(structure)
{
    /* pairs end at '&' or a line break; empty pairs and keys are fine */
    FS("a=1&&=2&b&c==3\nemail=b%40example.com\r\nphone=%2B1+415-555-2671",
       "email@21+15HF phone@44+17HF");
    /* a value without '=' is a key: still scanned */
    FS("jane@example.com&x", "email@0+16H");
    /* broken escapes are kept as they are */
    FS("bad=%zz%4&trail=%", "");
    FS("q=%4jane%40example.com", "email@3+19H");
    FS("q=%g0jane@example.com", "email@3+18H");
    FLABEL("bad=%zz%4&q=jane%40example.com&trail=%", "bad=%zz%4&q=[EMAIL]&trail=%");
    /* a long value of escapes */
    FS("x=%41%41%41%41%41%41%41%41%41%41&email=x%40example.com", "email@39+15HF");
    FS("", "");
    FS("&&&", "");
}

/* %XX that opens a finding (regression: the safe offset ran past an open
   %XX). */
TEST(escape_first_findings)
{
    FS("x=%34111111111111111&y=1", "credit_card@2+18H");
    FS("q=%6Aane%40example.com", "email@2+20H");
}

TEST(pct_split)
{
    FS("x=%34111111111111111&y=1", "credit_card@2+18H");
    FMASK("x=%34111111111111111&y=1", "x=**************1111&y=1");
    FS("msg=call+me+at+%2B44+20+7946+0958+please", "phone@15+18H");
    FS("bad=%zz%4&trail=%", "");
    FS("q=%4jane%40example.com", "email@3+19H");
}

/* A PEM block in a value stays inside it (regression). */
/* Two levels of percent-encoding: %25 followed by two hex digits (plain
   or encoded again) is one character, and the finding covers all of its
   raw bytes. A third level is not read; a %25 not followed by hex digits
   is a '%'. */
TEST(two_levels)
{
    FS("c=jane%2540example.org&x=1", "email@2+20H");
    FLABEL("c=jane%2540example.org&x=1", "c=[EMAIL]&x=1");
    FS("a=4111%25201111%25201111%25201111", "credit_card@2+31H");
    FMASK("a=4111%25201111%25201111%25201111", "a=***************************1111");
    FS("b=123%252D45%252D6789", "us_ssn@2+19M");
    FLABEL("d=%252B1%2520415%2520555%25200100&e=1", "d=[PHONE]&e=1");
    /* each hex digit itself encoded: %25%34%30 is '@' */
    FLABEL("g=jane%25%34%30example.org", "g=[EMAIL]");
    /* not a second level: kept as decoded once */
    FLABEL("e=100%25&f=%25zz&h=%25+4&i=%252", "e=100%25&f=%25zz&h=%25+4&i=%252");
    FS("e=100%25&f=%25zz&h=%25+4&i=%252", "");
    /* a third level is not read by the walker (the text layer reads %40
       in an address, and %20 between digit groups, itself, so these are
       found all the same) */
    FS("k=jane%252540example.org", "email@2+22H");
    FS("k=4111%2525201111%2525201111%2525201111", "credit_card@2+37H");
    FS("k=4111%25252F1111%25252F1111%25252F1111", "");
    /* keys too */
    FS("pass%2577ord=x1", "secret_field@13+2HF");
}

TEST(pem_in_value)
{
    FS("k=-----BEGIN RSA PRIVATE KEY-----AAAA-----ENDAAAA&x=jane@example.com",
       "private_key@2+47H email@52+16H");
    FLABEL("k=-----BEGIN RSA PRIVATE KEY-----AAAA-----ENDAAAA&x=jane@example.com",
           "k=[PRIVATE_KEY]&x=[EMAIL]");
}

int main(void)
{
    char err[256];
    E = veil_engine_new(NULL, err, sizeof(err));
    if (E == NULL) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(decoding);
    RUN(sensitive_fields);
    RUN(structure);
    RUN(escape_first_findings);
    RUN(pct_split);
    RUN(two_levels);
    RUN(pem_in_value);
    veil_engine_free(E);
    TEST_MAIN_END;
}
