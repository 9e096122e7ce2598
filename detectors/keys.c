/*
 * Sensitive field names. A value under one of these keys is redacted
 * whatever it looks like: a password is a secret even when it is "123456".
 * Keys are compared after folding case and dropping separators, so
 * card_number, cardNumber, card-number and CARD_NUMBER are one key.
 */
#include <string.h>

#include "engine.h"

static int isdig(int c) { return (unsigned)(c - '0') < 10; }
static int isup(int c) { return (unsigned)(c - 'A') < 26; }
static int islo(int c) { return (unsigned)(c - 'a') < 26; }

typedef struct {
    const char *key;
    int detector;
} key_rule_t;

/* Exact keys. */
static const key_rule_t exact[] = {
    {"password", VEIL_D_SECRET_FIELD}, {"passwd", VEIL_D_SECRET_FIELD},
    {"pwd", VEIL_D_SECRET_FIELD}, {"pass", VEIL_D_SECRET_FIELD},
    {"passphrase", VEIL_D_SECRET_FIELD}, {"secret", VEIL_D_SECRET_FIELD},
    {"token", VEIL_D_SECRET_FIELD}, {"apikey", VEIL_D_SECRET_FIELD},
    {"xapikey", VEIL_D_SECRET_FIELD}, {"authorization", VEIL_D_SECRET_FIELD},
    {"proxyauthorization", VEIL_D_SECRET_FIELD}, {"credentials", VEIL_D_SECRET_FIELD},
    {"privatekey", VEIL_D_SECRET_FIELD}, {"pin", VEIL_D_SECRET_FIELD},
    {"cvv", VEIL_D_SECRET_FIELD}, {"cvc", VEIL_D_SECRET_FIELD},
    {"cvv2", VEIL_D_SECRET_FIELD}, {"securitycode", VEIL_D_SECRET_FIELD},
    {"otp", VEIL_D_SECRET_FIELD}, {"cookie", VEIL_D_SECRET_FIELD},
    {"sessionid", VEIL_D_SECRET_FIELD}, {"accesskey", VEIL_D_SECRET_FIELD},
    {"accountnumber", VEIL_D_SECRET_FIELD}, {"bankaccount", VEIL_D_SECRET_FIELD},
    {"bankaccountnumber", VEIL_D_SECRET_FIELD}, {"acctnumber", VEIL_D_SECRET_FIELD},
    {"accountno", VEIL_D_SECRET_FIELD},
    {"cardnumber", VEIL_D_CREDIT_CARD}, {"ccnumber", VEIL_D_CREDIT_CARD},
    {"creditcard", VEIL_D_CREDIT_CARD}, {"creditcardnumber", VEIL_D_CREDIT_CARD},
    {"cardno", VEIL_D_CREDIT_CARD}, {"pan", VEIL_D_CREDIT_CARD},
    {"ccnum", VEIL_D_CREDIT_CARD},
    {"ssn", VEIL_D_US_SSN}, {"socialsecuritynumber", VEIL_D_US_SSN},
    {"iban", VEIL_D_IBAN},
    {"email", VEIL_D_EMAIL}, {"emailaddress", VEIL_D_EMAIL}, {"mail", VEIL_D_EMAIL},
    {"phone", VEIL_D_PHONE}, {"phonenumber", VEIL_D_PHONE}, {"mobile", VEIL_D_PHONE},
    {"mobilenumber", VEIL_D_PHONE}, {"telephone", VEIL_D_PHONE}, {"tel", VEIL_D_PHONE},
    {"cell", VEIL_D_PHONE}, {"cellphone", VEIL_D_PHONE}, {"fax", VEIL_D_PHONE},
    {"msisdn", VEIL_D_PHONE},
    {"dob", VEIL_D_DATE_OF_BIRTH}, {"dateofbirth", VEIL_D_DATE_OF_BIRTH},
    {"birthdate", VEIL_D_DATE_OF_BIRTH}, {"birthday", VEIL_D_DATE_OF_BIRTH},
    {"name", VEIL_D_PERSON_NAME}, {"firstname", VEIL_D_PERSON_NAME},
    {"lastname", VEIL_D_PERSON_NAME}, {"fullname", VEIL_D_PERSON_NAME},
    {"surname", VEIL_D_PERSON_NAME}, {"givenname", VEIL_D_PERSON_NAME},
    {"familyname", VEIL_D_PERSON_NAME}, {"middlename", VEIL_D_PERSON_NAME},
    {"maidenname", VEIL_D_PERSON_NAME}, {"cardholder", VEIL_D_PERSON_NAME},
    {"cardholdername", VEIL_D_PERSON_NAME}, {"holdername", VEIL_D_PERSON_NAME},
    {"accountholder", VEIL_D_PERSON_NAME}, {"accountholdername", VEIL_D_PERSON_NAME},
    {"nombre", VEIL_D_PERSON_NAME}, {"apellido", VEIL_D_PERSON_NAME},
    {"vorname", VEIL_D_PERSON_NAME}, {"nachname", VEIL_D_PERSON_NAME},
    {"nom", VEIL_D_PERSON_NAME}, {"prenom", VEIL_D_PERSON_NAME},
    {"cognome", VEIL_D_PERSON_NAME},
};

/* Keys ending in one of these: userPassword, billing_email, homePhone.
   "token" alone is not among them: page, sync and continuation tokens are
   cursors, not credentials; the credential kinds are listed. */
static const key_rule_t suffixes[] = {
    {"password", VEIL_D_SECRET_FIELD}, {"passwd", VEIL_D_SECRET_FIELD},
    {"secret", VEIL_D_SECRET_FIELD}, {"accesstoken", VEIL_D_SECRET_FIELD},
    {"refreshtoken", VEIL_D_SECRET_FIELD}, {"idtoken", VEIL_D_SECRET_FIELD},
    {"authtoken", VEIL_D_SECRET_FIELD}, {"sessiontoken", VEIL_D_SECRET_FIELD},
    {"apitoken", VEIL_D_SECRET_FIELD}, {"bearertoken", VEIL_D_SECRET_FIELD},
    {"securitytoken", VEIL_D_SECRET_FIELD}, {"oauthtoken", VEIL_D_SECRET_FIELD},
    {"csrftoken", VEIL_D_SECRET_FIELD}, {"xsrftoken", VEIL_D_SECRET_FIELD},
    {"apikey", VEIL_D_SECRET_FIELD}, {"privatekey", VEIL_D_SECRET_FIELD},
    {"secretkey", VEIL_D_SECRET_FIELD}, {"sessionid", VEIL_D_SECRET_FIELD},
    {"secretaccesskey", VEIL_D_SECRET_FIELD}, {"accountnumber", VEIL_D_SECRET_FIELD},
    {"displayname", VEIL_D_PERSON_NAME}, {"holdername", VEIL_D_PERSON_NAME},
    {"beneficiaryname", VEIL_D_PERSON_NAME}, {"customername", VEIL_D_PERSON_NAME},
    {"contactname", VEIL_D_PERSON_NAME}, {"recipientname", VEIL_D_PERSON_NAME},
    {"patientname", VEIL_D_PERSON_NAME}, {"employeename", VEIL_D_PERSON_NAME},
    {"cardnumber", VEIL_D_CREDIT_CARD}, {"ccnumber", VEIL_D_CREDIT_CARD},
    {"ssn", VEIL_D_US_SSN}, {"iban", VEIL_D_IBAN},
    {"email", VEIL_D_EMAIL}, {"emailaddress", VEIL_D_EMAIL},
    {"phone", VEIL_D_PHONE}, {"phonenumber", VEIL_D_PHONE},
    {"mobilenumber", VEIL_D_PHONE},
    {"dateofbirth", VEIL_D_DATE_OF_BIRTH}, {"birthdate", VEIL_D_DATE_OF_BIRTH},
    {"firstname", VEIL_D_PERSON_NAME}, {"lastname", VEIL_D_PERSON_NAME},
    {"fullname", VEIL_D_PERSON_NAME}, {"surname", VEIL_D_PERSON_NAME},
    {"givenname", VEIL_D_PERSON_NAME}, {"familyname", VEIL_D_PERSON_NAME},
};

int veil__key_class(const char *key, size_t len)
{
    char norm[48];
    size_t n = 0;

    for (size_t k = 0; k < len; k++) {
        int c = (unsigned char)key[k];
        if (isup(c)) {
            c |= 0x20;
        } else if (!islo(c) && !isdig(c)) {
            continue;
        }
        if (n == sizeof(norm)) {
            return -1;
        }
        norm[n++] = (char)c;
    }
    if (n == 0) {
        return -1;
    }
    for (size_t k = 0; k < sizeof(exact) / sizeof(exact[0]); k++) {
        if (strlen(exact[k].key) == n && memcmp(exact[k].key, norm, n) == 0) {
            return exact[k].detector;
        }
    }
    for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
        size_t sl = strlen(suffixes[k].key);
        if (sl <= n && memcmp(suffixes[k].key, norm + n - sl, sl) == 0) {
            return suffixes[k].detector;
        }
    }
    return -1;
}

/*
 * veil__name_like(): "name" alone names products, files and hosts as often
 * as people, so its value counts only when it reads like a person's name:
 * two to four words, each starting with a capital (or a non-ASCII letter),
 * made of letters, apostrophes, hyphens and dots, no digits.
 */
int veil__name_like(const char *s, size_t len)
{
    int words = 0, in_word = 0;

    if (len < 3 || len > 80) {
        return 0;
    }
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c == ' ' || c == '+') {
            in_word = 0;
            continue;
        }
        if (k + 2 < len && c == '%' && s[k + 1] == '2' && s[k + 2] == '0') {
            in_word = 0;
            k += 2;
            continue;
        }
        if (isdig(c) || c == '@' || c == '/' || c == '_' || c == ':' || c == '=') {
            return 0;
        }
        if (!in_word) {
            if (!(isup(c) || c >= 0x80)) {
                return 0;
            }
            words++;
            in_word = 1;
        }
    }
    return words >= 2 && words <= 4;
}
