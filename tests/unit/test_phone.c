/*
 * Unit tests for phone numbers written the ways the national numbering
 * plans and ITU-T E.123/E.164 allow, in running text, in form bodies
 * scanned as text (percent-encoded, '+' for a space) and with the spaces
 * people type between digit groups (U+00A0, U+2009). Each case is scanned
 * alone and after a line of padding, whole, byte by byte and in random
 * pieces on every SIMD level (engine_harness.h); all must agree.
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

#define T(lit, exp) harness_padded(__LINE__, E, (lit), sizeof(lit) - 1, (exp))

/* A '+', a country code and the national number (E.164) is a phone
   number, even when its digits pass Luhn as a 13-digit Visa card: no card
   number is written after a '+'. */
TEST(e164_not_card)
{
    T("Telefonnummer auf +4917715725942.", "phone@18+14H");
    T("customer(phone: \\\"+4915179357947\\\") {", "phone@18+14H");
    T("unter +4915736928826 zur", "phone@6+14H");
    /* the same digits without the '+' are a card; a card after a '+' that
       is no E.164 number of a known country stays one */
    T("card 4915179357947 ok", "credit_card@5+13H");
    T("card +4111111111111111 ok", "credit_card@6+16H");
}

/* Form bodies scanned as text: a plus sign is written %2B, a space '+'
   or %20. A %2B after an escape is judged by the character the escape
   stands for: after a space, a punctuation mark or a kana or kanji
   (Japanese is written without spaces) it starts the number; after a
   letter it is part of a word (an e-mail address's +tag). */
TEST(percent_encoded_plus)
{
    /* は (E3 81 AF) before the plus */
    T("msg=%E6%97%A5%E4%B8%AD%E3%81%AF%2B818082734407%E3%81%BE%E3%81%A7", "phone@31+15H");
    T("a%E3%81%AF%2b81-6-5928-6727%e3%80%81", "phone@10+17H");
    T("%E3%81%AF%2B81+3+5327+5988%E3%80%81%E3%83%A1", "phone@9+17H");
    /* %20 (a space) before the plus */
    T("Podem%20me%20ligar%20no%20%2B55-71-97343-7856%20ou", "phone@26+19H");
    T("%20no%20%2B351235284390%20ou%20", "phone@8+15H");
    T("tel%C3%A9fono%20a%20%2B34%20760%20589%20147.%20Un", "phone@20+23H");
    T("Collet%2C%20%2B33%205%2014%2092%2021%2089%2C%20m", "phone@12+29H");
    /* é (C3 A9, two bytes: a Latin letter) before it: a word's +tag */
    T("jo%C3%A9%2B2024%40example.com", "email@0+29H");
    T("jo%2Btag%40example.com", "email@0+22H");
}

/* A form body's '+' (a space) before a parenthesised group is a space
   between the groups of one number: the country code, the area code in
   parentheses (E.123) or the trunk zero "(0)" that is not dialled. */
TEST(form_space_before_parenthesis)
{
    T("Hettinger%2C+%2B1+%28305%29+935-7786%2C+m", "phone@13+23H");
    T("bereiken+op+0031+%280%2910+804+3222+of+via", "phone@12+23H");
    T("num%C3%A9ro+%3A+0033+%280%296+93+17+32+18.+Bonne", "phone@16+25H");
    T("telefone+para+%2B55+%2861%29+2454-5701.+Abra", "phone@14+24H");
    T("telefone+para+%2B55+(61)+2454-5701.+Abra", "phone@14+20H");
    /* arithmetic stays what it was */
    T("x 5+(3*4) y", "");
}

/* No country code starts with 0 (E.164): a '+' before 00 is a form
   body's space, and 00 the international prefix. */
TEST(plus_before_international_prefix)
{
    T("Tel.+0049+159+01297422%2c+nathan", "phone@5+17H");
}

/* An area code in parentheses (E.123) before a German mobile number of
   eleven digits after the trunk zero, and the international prefix 00 in
   parentheses: the whole number is found, not its first groups. */
TEST(parentheses)
{
    T("Telefon (0172) 30532103 x", "phone@8+15H");
    T("phone=\"(0178) 07112123\", amount", "phone@7+15H");
    T("(0159) 29281236", "phone@0+15M");
    T("Ll\xc3\xa1menme al (0034) 739 533 984 por", "phone@13+18H");
    /* U+2009 thin spaces between the groups */
    T("al (0034) 95\xe2\x80\x89"
      "608\xe2\x80\x89"
      "60\xe2\x80\x89"
      "50 por",
      "phone@3+25H");
    /* U+00A0 no-break space after the parenthesis */
    T("Tel. (0172)\xc2\xa0"
      "30532103 x",
      "phone@5+16H");
}

/* Dots between the groups of a national number with its trunk zero, an
   Italian mobile number (3, ten digits) and, next to a word saying phone,
   a Portuguese geographic one (2, nine digits). */
TEST(dotted)
{
    T("steht 0221.220099 zur", "phone@6+11M");
    T("number to 07974.072830. The", "phone@10+12M");
    T("\"0163.79976936\"", "phone@1+13M");
    T("q=0173.7005975&type", "phone@2+12M");
    T("to 06.6446.8132\" iban", "phone@3+12M");
    T("97655;Diogene;Micheletti;395.050.5642;134.22", "phone@25+12M");
    T("Telefone: 253.424.763", "phone@10+11H");
    /* not phones: an amount, a date, a decimal, a version, CPF-shaped
       digits, a number cut out of a longer one */
    T("total 253.424.763 EUR", "");
    T("on 01.02.2024 x", "");
    T("id 0221.22 x", "");
    T("v 0.12.345 x", "");
    T("ref 012.345.678-91 x", "");
    T("ref 0123.456.789 x", "");
    T("x 1012-0123.456.789-09306Z", "");
}

/* Milan (02) and Rome (06): two-digit area codes, eight digits in all,
   with the spaces people type (U+2009, U+00A0, a space). */
TEST(italy_short)
{
    T("Richiamatemi al 06\xe2\x80\x89"
      "4396\xe2\x80\x89"
      "92 dopo",
      "phone@16+14H");
    T("Zucca;06\xc2\xa0"
      "2335\xc2\xa0"
      "81;2023-04-11",
      "phone@6+12M");
    T("\"query\": \"02 2327 55\", \"x\"", "phone@10+10M");
    /* a date, and another code, are not */
    T("on 05 03 1990 x", "");
    T("on 05 2024 12 x", "");
    T("n 04 4396 92 x", "");
}

/* Words that say phone: "SMS" (a text message goes to a phone number,
   3GPP TS 23.040), and words of a phrase joined by a form body's '+'. */
TEST(context)
{
    T("Sending SMS verification to 01790402842 mac=3c", "phone@28+11H");
    T("Sending SMS verification to 218 152 489 (trace", "phone@28+11H");
    T("Sending SMS verification to 48983466024 mac", "phone@28+11H");
    T("credit+union.+You+can+reach+me+at+7739400319+or+a", "phone@34+10H");
    T("here.+You+can+reach+me+at+07895549965+or+esm", "phone@26+11H");
    /* "sms" is a word of its own, and a bare number needs one */
    T("smsc 01790402842 x", "");
    T("order+7739400319+or", "");
}

/* Nine bare digits next to a word saying phone: a PT geographic number
   (2) and an IT geographic number with its leading 0, as well as the
   mobile numbers (6-9) already taken. */
TEST(nine_digits)
{
    T("Contatto: Genziano Zotti, 011513772, genziano", "person_name@10+14M phone@26+9H");
    T("Contato: Marta Monteiro, 250520333, marta", "person_name@9+14M phone@25+9H");
    T("order 011513772 shipped", "");
    T("Contatto: 001513772", "");
    T("Contato: 150520333", "");
}

/* A percent-encoded e-mail address's local part does not reach back
   across a kana, a kanji or the ideographic space or comma of the
   Japanese text before it (three-byte UTF-8 characters), as in text that
   is not percent-encoded: the phone number before it stays a phone. */
TEST(email_after_japanese)
{
    T("%E3%80%80080-2445-9514%E3%80%80yui.sato%40nifty.com+", "phone@9+13M email@31+20H");
    T("%E3%81%AF%2B81+3+5327+5988%E3%80%81%E3%83%A1%E3%83%AB%E3%81%AFaoi%40example.jp",
      "phone@9+17H email@62+16H");
    T("%e3%83%ab%e3%81%afemi_kato98%40soylent.ne.jp%e3%81%a7", "email@18+26H");
    /* a Latin letter (two bytes) is part of it */
    T("jos%C3%A9.garc%C3%ADa%40example.com", "email@0+35H");
}

/* Eight digits or fewer are a phone number only written international
   ('+' or 00 and a country code whose national numbers are that short)
   or with a trunk 0 (Milan's 02): the handler asks nothing more of the
   others (an access log's status and size, a date). */
TEST(eight_digits_or_fewer)
{
    T("ring +43 123456 now", "phone@5+10H");
    T("ring 0043 123456 now", "phone@5+11H");
    T("office 02 2327 55 today", "phone@7+10M");
    T("\"GET / HTTP/1.1\" 502 75591 \"-\"", "");
    T("phone: 2026-12-03", "");
}

/* What the redacted text looks like: the whole number is one label. */
TEST(redacted)
{
    REDACT_E(E, VEIL_FMT_TEXT, VEIL_ACT_LABEL, "Telefonnummer auf +4917715725942.",
             "Telefonnummer auf [PHONE].");
}

int main(void)
{
    char err[256];
    E = veil_engine_new(NULL, err, sizeof(err));
    if (!E) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(e164_not_card);
    RUN(percent_encoded_plus);
    RUN(form_space_before_parenthesis);
    RUN(plus_before_international_prefix);
    RUN(parentheses);
    RUN(dotted);
    RUN(italy_short);
    RUN(context);
    RUN(nine_digits);
    RUN(email_after_japanese);
    RUN(eight_digits_or_fewer);
    RUN(redacted);
    veil_engine_free(E);
    TEST_MAIN_END;
}
