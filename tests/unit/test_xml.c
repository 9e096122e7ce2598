/*
 * Unit tests for the XML walker (XML 1.0, SOAP): element and attribute
 * names as keys (local names, the prefix dropped), entities and character
 * references decoded with findings over their raw bytes, CDATA sections,
 * comments and processing instructions scanned as text, the DOCTYPE never
 * expanded (the billion laughs stay linear), mixed content, malformed
 * input read on, the depth limit, and field rules by path. Every case is
 * scanned whole, byte by byte and in random pieces; all cuts must agree.
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

#define XS(lit, exp) SCAN_E(E, VEIL_FMT_XML, lit, exp)
#define XLABEL(lit, exp) REDACT_E(E, VEIL_FMT_XML, VEIL_ACT_LABEL, lit, exp)
#define XMASK(lit, exp) REDACT_E(E, VEIL_FMT_XML, VEIL_ACT_MASK, lit, exp)

#define X1                                                                     \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                             \
    "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\">\n" \
    " <soap:Body>\n"                                                           \
    "  <m:Login xmlns:m=\"http://example.org/auth\">\n"                        \
    "   <m:User>jdoe</m:User>\n"                                               \
    "   <m:Password>hunter2</m:Password>\n"                                    \
    "  </m:Login>\n"                                                           \
    " </soap:Body>\n"                                                          \
    "</soap:Envelope>\n"

TEST(elements_as_keys)
{
    /* A SOAP request: the local name "Password" is the key. */
    XS(X1, "secret_field@207+7HF");
    XLABEL(X1, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\">\n"
               " <soap:Body>\n"
               "  <m:Login xmlns:m=\"http://example.org/auth\">\n"
               "   <m:User>jdoe</m:User>\n"
               "   <m:Password>[SECRET]</m:Password>\n"
               "  </m:Login>\n"
               " </soap:Body>\n"
               "</soap:Envelope>\n");
    /* Space around a value is no part of it; space alone is no value. */
    XS("<a>\n  <password>\n  </password>\n  <password>  s3cret \n </password>\n</a>",
       "secret_field@45+6HF");
    /* A namespace prefix that reads as a key is a prefix, not a key. */
    XS("<a xmlns:ssn=\"urn:ssn\" xmlns=\"urn:x\"><ssn:pin>4321</ssn:pin></a>",
       "secret_field@46+4HF");
    /* Empty elements hold nothing. */
    XS("<password/><password></password><email />", "");
}

#define X2 \
    "<user id=\"7\" email=\"jane@example.com\" password='p&amp;ss' note=\"call +1 415-555-2671\"/>"

TEST(attributes_as_keys)
{
    XS(X2, "email@20+16HF secret_field@48+8HF phone@69+15H");
    XLABEL(X2, "<user id=\"7\" email=\"[EMAIL]\" password='[SECRET]' note=\"call [PHONE]\"/>");
    /* Entities in a value, an unquoted value (lenient), a stray quote
       before a name, stray '&'s in text. */
    XS("<r><u mail='jane&#x40;example.com' pwd=s3cret x=y/><a \"jane@example.org\"/>"
       "<p>Tom & Jerry &amp jane@example.net&amp;</p></r>",
       "email@12+21HF secret_field@39+6HF email@55+16H email@94+16H");
}

#define X3 "<note>mail jane&#64;example.com or john&#x40;example.org, &lt;a@example.net&gt;</note>"

TEST(entities)
{
    /* Character references and the predefined entities are decoded; a
       finding covers the raw bytes, references included. */
    XS(X3, "email@11+20H email@35+21H email@62+13H");
    XLABEL(X3, "<note>mail [EMAIL] or [EMAIL], &lt;[EMAIL]&gt;</note>");
    XMASK("<note>jane&#64;example.com</note>", "<note>****************.***</note>");
    /* References XML forbids or does not define stay as they are. */
    XS("<note>a&#0;b&#xD800;c&#1114112;&#x;&#;&undefined;&toolongentityname;</note>", "");
    XS("<password>&#x70;&#97;ss</password>", "secret_field@10+13HF");
}

#define X4 \
    "<doc><note><![CDATA[<jane@example.com>]]></note><password><![CDATA[p<a>ss]]]]></password></doc>"

TEST(cdata)
{
    /* CDATA is taken raw: markup in it is text. */
    XS(X4, "email@21+16H secret_field@67+8HF");
    XLABEL(
        X4,
        "<doc><note><![CDATA[<[EMAIL]>]]></note><password><![CDATA[[SECRET]]]></password></doc>");
    /* Text and CDATA next to each other are values of their own. */
    XS("<password>ab<![CDATA[cd]]>ef</password>",
       "secret_field@10+2HF secret_field@21+2HF secret_field@26+2HF");
}

#define X5 "<doc><!-- contact jane@example.com --><?audit by=john@example.org?><a>x</a></doc>"

TEST(comments_and_pis)
{
    /* Not part of the document's data, but PII all the same: text. */
    XS(X5, "email@18+16H email@49+16H");
    XLABEL(X5, "<doc><!-- contact [EMAIL] --><?audit by=[EMAIL]?><a>x</a></doc>");
    /* "--" and '>' inside a comment do not end it early. */
    XS("<a><!-- a > b - c -- d --><password>x</password></a>", "secret_field@36+1HF");
}

#define X6                                                                     \
    "<!DOCTYPE lolz [\n"                                                       \
    " <!ENTITY lol \"lol\">\n"                                                 \
    " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n" \
    " <!-- a \"quote in a comment -->\n"                                       \
    " <!ENTITY mail \"jane@example.com\">\n"                                   \
    "]>\n"                                                                     \
    "<lolz><email>&mail;</email><p>&lol2;</p></lolz>"

TEST(doctype_not_expanded)
{
    /* The DOCTYPE is scanned as text and nothing in it is used: &mail;
       stays a reference (the key still makes it a field), &lol2; stays
       six bytes. */
    XS(X6, "email@155+16H email@190+6HF");
    XLABEL(X6, "<!DOCTYPE lolz [\n"
               " <!ENTITY lol \"lol\">\n"
               " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
               " <!-- a \"quote in a comment -->\n"
               " <!ENTITY mail \"[EMAIL]\">\n"
               "]>\n"
               "<lolz><email>[EMAIL]</email><p>&lol2;</p></lolz>");
    /* A DOCTYPE with an external ID: nothing is fetched. */
    XS("<!DOCTYPE a SYSTEM \"http://example.org/a.dtd\"><a><pin>1</pin></a>",
       "secret_field@54+1HF");
}

/* The billion laughs: ten levels of ten references, and a body of many
   references to the last. Redacted, the output is the input: linear. */
TEST(billion_laughs_linear)
{
    size_t cap = 1 << 20, n = 0;
    char *in = malloc(cap);
    n += (size_t)snprintf(in + n, cap - n,
                          "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
                          " <!ENTITY lol \"lol\">\n");
    for (int lvl = 1; lvl <= 9; lvl++) {
        n += (size_t)snprintf(in + n, cap - n, " <!ENTITY lol%d \"", lvl);
        for (int k = 0; k < 10; k++) {
            n += (lvl == 1) ? (size_t)snprintf(in + n, cap - n, "&lol;")
                            : (size_t)snprintf(in + n, cap - n, "&lol%d;", lvl - 1);
        }
        n += (size_t)snprintf(in + n, cap - n, "\">\n");
    }
    n += (size_t)snprintf(in + n, cap - n, "]>\n<lolz>");
    while (n + 64 < cap - 64) {
        n += (size_t)snprintf(in + n, cap - n, "&lol9;");
    }
    n += (size_t)snprintf(in + n, cap - n, "</lolz>");
    CHECK_STR(scan_str(__LINE__, E, VEIL_FMT_XML, in, n), "");
    veil_redactor_options_t o = {0};
    size_t olen = 0;
    int bad = 0;
    o.format = VEIL_FMT_XML;
    o.action = VEIL_ACT_LABEL;
    char *out = redact_cut(E, &o, in, n, CUT_WHOLE, &olen, &bad);
    CHECK_EQ(bad, 0);
    CHECK_EQ(olen, n);
    CHECK(out != NULL && memcmp(out, in, n) == 0);
    free(out);
    free(in);
}

TEST(mixed_content)
{
    XS("<p>Call <b>Jane</b> on phone +1 415-555-2671 today</p>", "phone@29+15H");
    /* "name": a person's, or a thing's by its element. */
    XS("<customer><name>Jane Doe</name></customer><product><name>Jane Doe</name></product>"
       "<item name=\"Jane Doe\"/><person name=\"Jane Doe\"/>",
       "person_name@16+8MF person_name@119+8MF");
}

TEST(malformed)
{
    /* A '<' that opens nothing is text; the document goes on. */
    XS("<note>a < b jane@example.com</note><password>x1</password>",
       "email@12+16H secret_field@45+2HF");
    /* An end tag that matches nothing is ignored; one that matches an
       outer element closes the inner ones. */
    XS("<a><password>p1</b></password><email>e</email></a>", "secret_field@13+2HF email@37+1HF");
    XS("<a><b><password>p2</a><c>jane@example.com</c>", "secret_field@16+2HF email@25+16H");
    /* Cut short: what was read counts. */
    XS("<password>hunt", "secret_field@10+4HF");
    XS("<user email=\"jane@exa", "email@13+8HF");
    XS("<a>jane@example.com &#6", "email@3+16H");
    XS("<a><![CDATA[x]", "");
    XS("<", "");
    XS("<!", "");
    XS("<!-- jane@example.com", "email@5+16H");
    /* Not XML at all: text. */
    XS("just text, jane@example.com", "email@11+16H");
    XS("<!ELEMENT jane@example.com><password>x</password>", "email@10+16H secret_field@37+1HF");
}

TEST(depth_limit)
{
    /* 1000 open elements are read; past them the rest is text (the key
       is lost, the address in the text is still found). */
    size_t cap = 8000, n = 0;
    char *in = malloc(cap);
    char expect[64];
    for (int k = 0; k < 999; k++) {
        n += (size_t)snprintf(in + n, cap - n, "<a>");
    }
    size_t at = n + 10;
    n += (size_t)snprintf(in + n, cap - n, "<password>x</password>");
    snprintf(expect, sizeof(expect), "secret_field@%zu+1HF", at);
    CHECK_STR(scan_str(__LINE__, E, VEIL_FMT_XML, in, n), expect);
    n = 0;
    for (int k = 0; k < 1000; k++) {
        n += (size_t)snprintf(in + n, cap - n, "<a>");
    }
    n += (size_t)snprintf(in + n, cap - n, "<password>x</password> jane@example.com");
    snprintf(expect, sizeof(expect), "email@%zu+16H", n - 16);
    CHECK_STR(scan_str(__LINE__, E, VEIL_FMT_XML, in, n), expect);
    free(in);
}

static int rules(void *ud, int place, const char *path, size_t len)
{
    static const char *const drop[] = {"$.Envelope.Body.Login.User", "$.user.id", "$"};
    (void)ud;
    if (place != VEIL_PLACE_JSON) {
        return -1;
    }
    for (size_t k = 0; k < sizeof(drop) / sizeof(drop[0]); k++) {
        if (strlen(drop[k]) == len && memcmp(drop[k], path, len) == 0) {
            return VEIL_ACT_DROP;
        }
    }
    return -1;
}

TEST(field_rules)
{
    /* Paths of local names from the root; attributes as a step. */
    veil_redactor_options_t o = {0};
    o.format = VEIL_FMT_XML;
    o.action = VEIL_ACT_LABEL;
    o.field_action = rules;
    /* A rule for $ takes what is no element's or attribute's value:
       processing instructions (the XML declaration too), comments, text
       outside the root (a body allowlist drops them all). */
    CHECK_STR(redact_opts_str(__LINE__, E, &o, X1, sizeof(X1) - 1),
              "<?"
              "?>\n"
              "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\">\n"
              " <soap:Body>\n"
              "  <m:Login xmlns:m=\"http://example.org/auth\">\n"
              "   <m:User></m:User>\n"
              "   <m:Password>[SECRET]</m:Password>\n"
              "  </m:Login>\n"
              " </soap:Body>\n"
              "</soap:Envelope>\n");
    CHECK_STR(redact_opts_str(__LINE__, E, &o, X2, sizeof(X2) - 1),
              "<user id=\"\" email=\"[EMAIL]\" password='[SECRET]' note=\"call [PHONE]\"/>");
    CHECK_STR(redact_opts_str(__LINE__, E, &o,
                              "junk<a>x<!-- jdoe --></a><!DOCTYPE z [<!ENTITY e 'x'>]>", 55),
              "<a>x<!----></a><!DOCTYPE>");
}

int main(void)
{
    char err[256];
    E = veil_engine_new(NULL, err, sizeof(err));
    if (E == NULL) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(elements_as_keys);
    RUN(attributes_as_keys);
    RUN(entities);
    RUN(cdata);
    RUN(comments_and_pis);
    RUN(doctype_not_expanded);
    RUN(billion_laughs_linear);
    RUN(mixed_content);
    RUN(malformed);
    RUN(depth_limit);
    RUN(field_rules);
    veil_engine_free(E);
    TEST_MAIN_END;
}
