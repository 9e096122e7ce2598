/*
 * The catalog of built-in detectors. Patterns are the "core patterns": the
 * engine runs them (PCRE2 JIT, anchored) on candidates the prefilter found,
 * and the benchmark feeds the same strings to Hyperscan and to a naive
 * PCRE2 scan, so they avoid lookaround and backreferences.
 */
#include <stdio.h>
#include <string.h>

#include "catalog.h"

#define GDPR VEIL_REG_GDPR
#define CCPA VEIL_REG_CCPA
#define PCI VEIL_REG_PCI_DSS
#define HIPAA VEIL_REG_HIPAA
#define GLBA VEIL_REG_GLBA

#define HEX "[0-9A-Fa-f]"
#define H4 HEX "{1,4}"
#define IPV4_OCTET "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"
#define IPV4 "(?:" IPV4_OCTET "\\.){3}" IPV4_OCTET

/* clang-format off */
const veil_detector_info_t veil__catalog[VEIL_D__COUNT] = {
    [VEIL_D_EMAIL] = {
        "email", "EMAIL", VEIL_CAT_CONTACT, GDPR | CCPA | HIPAA, NULL,
        "(?:\"[^\"\\r\\n\\x00]{1,64}\"|(?:[A-Za-z0-9._%+'~!#&-]|[\\xc3-\\xdf][\\x80-\\xbf])+)(?:@|%40)"
        "[A-Za-z0-9\\x80-\\xff](?:[A-Za-z0-9\\x80-\\xff-]*[A-Za-z0-9\\x80-\\xff])?"
        "(?:\\.[A-Za-z0-9\\x80-\\xff](?:[A-Za-z0-9\\x80-\\xff-]*[A-Za-z0-9\\x80-\\xff])?)*"
        "\\.[A-Za-z]{2,24}\\b",
        "email,e-mail,mail,contact",
        "jane.doe+news@example.com",
        "high: the address structure is unambiguous; %40-encoded forms too"},
    [VEIL_D_PHONE] = {
        "phone", "PHONE", VEIL_CAT_CONTACT, GDPR | CCPA | HIPAA, "phone",
        "(?:(?:\\+|00)[1-9]\\d{0,2}[ .-]?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{1,5}(?:[ .-]?\\d{1,5}){1,5}"
        "|\\(00[1-9]\\d{0,2}\\)[ .-]?\\d{1,5}(?:[ .-]?\\d{1,5}){1,5}"
        "|\\(0?\\d{2,4}\\)[ .-]?\\d{3,5}[ .-]?\\d{3,5}"
        "|0\\d{1,5}(?:[ ./-]\\d{2,8}){1,4}"
        "|1[ .-]?\\(?[2-9]\\d{2}\\)?[ .-]?\\d{3}[ .-]\\d{4}"
        "|[1-9]\\d{1,4}(?:[ .-]\\d{2,8}){1,4}"
        "|0\\d{11}|\\d{9,11})\\b",
        "phone,tel,telephone,mobil,cell,call,fax,whatsapp,telefon,telefono,rappeler,"
        "appeler,rappelez,joindre,numéro,rufnummer,telefonnummer,telefoonnummer,handynummer,"
        "anrufen,rückfragen,llamar,llámame,"
        "llámenme,llamenme,chiamare,chiamami,richiamatemi,contattarmi,bellen,bel me,"
        "bereiken,ligar,liguem,celular,número,teléfono,téléphone,portable,móvil,"
        "handy,contact,kontakt,contatto,contato,reach me,sms,電話,連絡先",
        "+1 415-555-2671",
        "high: E.164 with a known country code and length; medium: a national "
        "format of US/CA, GB, DE, FR, ES, IT, NL, PT, IN, BR, AU, JP or MX; "
        "a context word raises either one level; bare digit runs need one"},
    [VEIL_D_CREDIT_CARD] = {
        "credit_card", "CREDIT_CARD", VEIL_CAT_FINANCIAL, PCI | GLBA | CCPA,
        "card",
        "\\b(?:\\d{4}[ .-]?){2,4}\\d{4}(?:[ .-]?\\d{1,3})?\\b|\\b\\d{4}[ .-]?\\d{6}[ .-]?\\d{4,5}\\b",
        "card,credit,debit,visa,mastercard,amex,cc,pan,payment",
        "4111 1111 1111 1111",
        "high: Luhn, issuer prefix and length all valid"},
    [VEIL_D_IBAN] = {
        "iban", "IBAN", VEIL_CAT_FINANCIAL, GDPR | GLBA, "iban",
        "\\b[A-Za-z]{2}\\d{2}(?:[ -]?[A-Za-z0-9]{4}){2,7}(?:[ -]?[A-Za-z0-9]{1,4})?\\b",
        "iban,account,bank,konto,compte,cuenta,conto,rekening",
        "DE89 3704 0044 0532 0130 00",
        "high: ISO 13616 mod-97 and the country's length"},
    [VEIL_D_US_BANK_ROUTING] = {
        "us_bank_routing", "US_BANK_ROUTING", VEIL_CAT_FINANCIAL, GLBA, "aba",
        "\\b(?:0\\d|1[0-2]|2[1-9]|3[0-2]|6[1-9]|7[0-2]|80)\\d{7}\\b",
        "routing,aba,rtn,transit,bank,ach,wire",
        "021000021",
        "high with a context word (checksum and Federal Reserve prefix valid); "
        "low without: one random 9-digit number in twenty passes"},
    [VEIL_D_US_SSN] = {
        "us_ssn", "US_SSN", VEIL_CAT_GOVERNMENT_ID, GDPR | CCPA | HIPAA | GLBA,
        "us_ssn",
        "\\b\\d{3}-\\d{2}-\\d{4}\\b|\\b\\d{3} \\d{2} \\d{4}\\b|\\b\\d{9}\\b",
        "ssn,social security,social sec,ss#,ss #,taxpayer,tin,tax id,tax_id,taxid",
        "536-22-8901",
        "medium: AAA-GG-SSSS with valid area, group and serial; high with a "
        "context word; 9 bare digits need a context word (medium)"},
    [VEIL_D_US_ITIN] = {
        "us_itin", "US_ITIN", VEIL_CAT_GOVERNMENT_ID, GDPR | CCPA | GLBA,
        "us_itin",
        "\\b9\\d{2}[- ]?[5-9]\\d[- ]?\\d{4}\\b",
        "itin,taxpayer,tax id,tin",
        "912-70-1234",
        "medium: 9XX-GG-SSSS with an ITIN group; high with a context word"},
    [VEIL_D_UK_NINO] = {
        "uk_nino", "UK_NINO", VEIL_CAT_GOVERNMENT_ID, GDPR, "uk_nino",
        "\\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\\d{2} ?\\d{2} ?\\d{2} ?[A-D]\\b",
        "nino,national insurance,ni number,ni no",
        "AB 12 34 56 C",
        "medium: valid prefix and suffix letters; high with a context word"},
    [VEIL_D_UK_NHS] = {
        "uk_nhs", "UK_NHS", VEIL_CAT_HEALTH, GDPR | HIPAA, "uk_nhs",
        "\\b\\d{3}[ -]?\\d{3}[ -]?\\d{4}\\b",
        "nhs,health service,patient",
        "943 476 5919",
        "medium: 3-3-4 with a valid mod-11 check; high with a context word; "
        "10 bare digits need a context word"},
    [VEIL_D_CA_SIN] = {
        "ca_sin", "CA_SIN", VEIL_CAT_GOVERNMENT_ID, GDPR, "ca_sin",
        "\\b\\d{3}[ -]?\\d{3}[ -]?\\d{3}\\b",
        "sin,social insurance,insurance number,nas",
        "130 692 544",
        "high with a context word and a valid Luhn check; low without"},
    [VEIL_D_ES_DNI] = {
        "es_dni", "ES_DNI", VEIL_CAT_GOVERNMENT_ID, GDPR, "es_dni",
        "\\b\\d{8}[- ]?[A-HJ-NP-TV-Z]\\b",
        "dni,nif,documento",
        "12345678Z",
        "high: the check letter matches"},
    [VEIL_D_ES_NIE] = {
        "es_nie", "ES_NIE", VEIL_CAT_GOVERNMENT_ID, GDPR, "es_nie",
        "\\b[XYZ][- ]?\\d{7}[- ]?[A-HJ-NP-TV-Z]\\b",
        "nie,extranjero",
        "X1234567L",
        "high: the check letter matches"},
    [VEIL_D_IT_FISCAL_CODE] = {
        "it_fiscal_code", "IT_FISCAL_CODE", VEIL_CAT_GOVERNMENT_ID, GDPR,
        "it_fiscal",
        "\\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z]"
        "[0-9LMNPQRSTUV]{3}[A-Z]\\b",
        "codice fiscale,fiscal code,cf",
        "RSSMRA85T10A562S",
        "high: the check character matches"},
    [VEIL_D_FR_NIR] = {
        "fr_nir", "FR_NIR", VEIL_CAT_GOVERNMENT_ID, GDPR | HIPAA, "fr_nir",
        "\\b[12378] ?\\d{2} ?\\d{2} ?(?:\\d{2}|2[AB]) ?\\d{3} ?\\d{3} ?\\d{2}\\b",
        "nir,sécurité sociale,securite sociale,insee,numéro de sécu,secu",
        "2 55 08 14 168 025 38",
        "high: grouped digits with the 97-complement key and a context word; medium with one of the two; 15 bare digits need a context word"},
    [VEIL_D_NL_BSN] = {
        "nl_bsn", "NL_BSN", VEIL_CAT_GOVERNMENT_ID, GDPR, "nl_bsn",
        "\\b\\d{9}\\b|\\b\\d{4}\\.\\d{2}\\.\\d{3}\\b",
        "bsn,burgerservicenummer,sofinummer,sofi",
        "111222333",
        "high with a context word and a valid 11-test; low without"},
    [VEIL_D_BR_CPF] = {
        "br_cpf", "BR_CPF", VEIL_CAT_GOVERNMENT_ID, GDPR, "br_cpf",
        "\\b\\d{3}\\.?\\d{3}\\.?\\d{3}-?\\d{2}\\b",
        "cpf,cadastro",
        "123.456.789-09",
        "high: 000.000.000-00 with valid check digits; bare digits need a "
        "context word"},
    [VEIL_D_IN_AADHAAR] = {
        "in_aadhaar", "IN_AADHAAR", VEIL_CAT_GOVERNMENT_ID, GDPR, "verhoeff",
        "\\b[2-9]\\d{3}[ -]?\\d{4}[ -]?\\d{4}\\b",
        "aadhaar,aadhar,uidai,uid",
        "2345 6789 0124",
        "medium: 4-4-4 with a valid Verhoeff check; high with a context word; "
        "12 bare digits need a context word"},
    [VEIL_D_CN_RESIDENT_ID] = {
        "cn_resident_id", "CN_RESIDENT_ID", VEIL_CAT_GOVERNMENT_ID, GDPR,
        "cn_id",
        "\\b[1-8]\\d{5}(?:19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])"
        "\\d{3}[0-9Xx]\\b",
        "身份证,resident id,id card,shenfenzheng",
        "11010519491231002X",
        "high: ISO 7064 MOD 11-2 and a real birth date"},
    [VEIL_D_IPV4] = {
        "ipv4", "IPV4", VEIL_CAT_NETWORK, GDPR, "ipv4",
        "\\b" IPV4 "\\b",
        "ip,addr,address,client,remote,host,from",
        "203.0.113.42",
        "medium; high with a context word; versions (Chrome/124.0.0.0, v1.2.3.4) "
        "are not addresses"},
    [VEIL_D_IPV6] = {
        "ipv6", "IPV6", VEIL_CAT_NETWORK, GDPR, "ipv6",
        "(?:(?:" H4 ":){7}" H4 "|(?:" H4 ":){1,7}:|(?:" H4 ":){1,6}:" H4
        "|(?:" H4 ":){1,5}(?::" H4 "){1,2}|(?:" H4 ":){1,4}(?::" H4 "){1,3}"
        "|(?:" H4 ":){1,3}(?::" H4 "){1,4}|(?:" H4 ":){1,2}(?::" H4 "){1,5}"
        "|" H4 ":(?::" H4 "){1,6}|:(?:(?::" H4 "){1,7}|:)"
        "|(?:" H4 ":){1,6}:?" IPV4 "|(?:" H4 ":){1,5}(?::" H4 "){1,4}:" IPV4
        "|::(?:" H4 ":){0,5}" IPV4 ")"
        "(?:%[0-9A-Za-z._-]{1,32})?",
        "ip,addr,address,client,remote,host,from",
        "2001:db8::8a2e:370:7334",
        "medium: every RFC 4291/5952 form; high with a context word"},
    [VEIL_D_MAC_ADDRESS] = {
        "mac_address", "MAC_ADDRESS", VEIL_CAT_NETWORK, GDPR, "mac",
        "\\b" HEX "{2}(?:[:-]" HEX "{2}){5}\\b|\\b" HEX "{4}\\." HEX "{4}\\." HEX
        "{4}\\b",
        "mac,hwaddr,ether,device",
        "00:1A:2B:3C:4D:5E",
        "medium; high with a context word"},
    [VEIL_D_JWT] = {
        "jwt", "JWT", VEIL_CAT_CREDENTIALS, GDPR, "jwt",
        "\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{8,}",
        "token,jwt,bearer,authorization",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl",
        "high: the header decodes to JSON with alg"},
    [VEIL_D_AWS_ACCESS_KEY_ID] = {
        "aws_access_key_id", "AWS_ACCESS_KEY_ID", VEIL_CAT_CREDENTIALS, 0, NULL,
        "\\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)"
        "[A-Z2-7]{16}\\b",
        "aws,access key,key id",
        "AKIAIOSFODNN7EXAMPLE",
        "high: a known key-type prefix and 16 base-32 characters"},
    [VEIL_D_GITHUB_TOKEN] = {
        "github_token", "GITHUB_TOKEN", VEIL_CAT_CREDENTIALS, 0, "github_token",
        "\\bgh[pousr]_[A-Za-z0-9]{36}\\b|\\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\\b",
        "github,token",
        "ghp_ followed by 36 base62 characters",
        "high: the embedded CRC32 matches (fine-grained tokens: structure)"},
    [VEIL_D_SLACK_TOKEN] = {
        "slack_token", "SLACK_TOKEN", VEIL_CAT_CREDENTIALS, 0, NULL,
        "\\bxox[abposre]-[0-9]{6,15}-[0-9A-Za-z-]{8,100}\\b",
        "slack,token",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "high: the xox?- prefix and numeric workspace part"},
    [VEIL_D_STRIPE_KEY] = {
        "stripe_key", "STRIPE_KEY", VEIL_CAT_CREDENTIALS, PCI, NULL,
        "\\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,247}\\b",
        "stripe,secret key,api key",
        "sk_live_ followed by 24 alphanumerics",
        "high: a secret or restricted key prefix"},
    [VEIL_D_BEARER_TOKEN] = {
        "bearer_token", "BEARER_TOKEN", VEIL_CAT_CREDENTIALS, 0, NULL,
        "\\b[Bb]earer [A-Za-z0-9._~+/-]{8,4096}=*",
        "authorization,bearer,token",
        "Authorization: Bearer 8f1c2d3e4f5a6b7c",
        "high: the token after the Bearer scheme (the scheme itself is kept)"},
    [VEIL_D_URL_CREDENTIALS] = {
        "url_credentials", "URL_CREDENTIALS", VEIL_CAT_CREDENTIALS, 0, NULL,
        "\\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\\s:/?#@]{0,128}:[^\\s/?#@]{1,128}@",
        "url,uri,dsn,connection",
        "https://admin:s3cret@db.example.com/",
        "high: the user:password part of a URL"},
    [VEIL_D_PRIVATE_KEY] = {
        "private_key", "PRIVATE_KEY", VEIL_CAT_CREDENTIALS, 0, NULL,
        "-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----",
        "key,pem",
        "-----BEGIN PRIVATE KEY----- ... -----END PRIVATE KEY-----",
        "high: the whole PEM block, header to footer"},
    [VEIL_D_DATE_OF_BIRTH] = {
        "date_of_birth", "DATE_OF_BIRTH", VEIL_CAT_DEMOGRAPHIC, GDPR | CCPA | HIPAA,
        "date",
        "\\b(?:19|20)\\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\\d|3[01])\\b"
        "|\\b(?:0?[1-9]|[12]\\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)\\d{2}\\b"
        "|\\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\\d|3[01])/(?:19|20)\\d{2}\\b",
        "born,birth,dob,d.o.b,birthday,birthdate,geboren,geburtsdatum,geburtstag,geb.,"
        "nato il,nata il,nacido el,nacida el,nací el,naci el,nasceu,nascido,nasci em,"
        "naissance,né le,née le,生年月日,出生日期,生まれ,誕生日,nacimiento,nascita,"
        "geboortedatum,nascimento",
        "1985-03-14",
        "high under a birth-like key; medium for a real date within 40 bytes "
        "after a birth keyword; never without one"},
    [VEIL_D_PERSON_NAME] = {
        "person_name", "PERSON_NAME", VEIL_CAT_DEMOGRAPHIC, GDPR | CCPA | HIPAA,
        NULL, NULL,
        "name,first_name,last_name,full_name,surname,given_name",
        "the value of a name-like field",
        "medium: the value of a name-like JSON or form field; in text, a name with a title, "
        "a label, a greeting, a sign-off or a surname beside it"},
    [VEIL_D_SECRET_FIELD] = {
        "secret_field", "SECRET", VEIL_CAT_CREDENTIALS, 0, NULL, NULL,
        "password,secret,token,api_key,private_key,client_secret",
        "the value of a password-like field",
        "high: the value of a password-, secret- or token-like field"},
    [VEIL_D_NATIONAL_ID] = {
        "national_id", "NATIONAL_ID", VEIL_CAT_GOVERNMENT_ID, GDPR | CCPA, NULL, NULL,
        "national_id,tax_id,id_number,passport_number,document_number",
        "the value of an id-number-like field",
        "high: the value of a national id, tax id, passport or document number field "
        "whose country-specific detector did not claim it"},

    /* ---- identifiers with a published validator (validators_ids.c) ---- */
    [VEIL_D_US_PASSPORT] = {
        "us_passport", "US_PASSPORT", VEIL_CAT_GOVERNMENT_ID, GDPR | CCPA, "us_passport",
        "\\b(?:[A-Za-z]\\d{8}|\\d{9})\\b",
        "passport",
        "A12345678",
        "medium with a context word; never without one: no check digit is published"},
    [VEIL_D_US_DRIVERS_LICENSE] = {
        "us_drivers_license", "US_DRIVERS_LICENSE", VEIL_CAT_GOVERNMENT_ID, GDPR | CCPA,
        "us_driver_licence",
        "\\b[A-Za-z0-9*]{1,4}(?:[ -]?[A-Za-z0-9*]{1,14}){1,4}\\b",
        "driver's license,drivers license,driver license,driver's licence,driving license,"
        "license number,licence number,license no,dl number,dl no,dl#,dln",
        "D1234567",
        "medium with a context word and a state's format; never without one"},
    [VEIL_D_US_NPI] = {
        "us_npi", "US_NPI", VEIL_CAT_HEALTH, HIPAA, "us_npi",
        "\\b[12]\\d{9}\\b",
        "npi,national provider,provider id,provider number,prescriber",
        "1234567893",
        "high with a context word and the Luhn check over 80840; never without one "
        "(epoch seconds are ten digits too)"},
    [VEIL_D_US_DEA] = {
        "us_dea", "US_DEA", VEIL_CAT_HEALTH, HIPAA, "us_dea",
        "\\b[A-Za-z][A-Za-z9]\\d{7}\\b",
        "dea,dea number,dea no,dea#,registration number,prescriber",
        "AB1234563",
        "high with a context word, a registrant-type letter and the check digit; "
        "low without"},
    [VEIL_D_US_MBI] = {
        "us_mbi", "US_MBI", VEIL_CAT_HEALTH, HIPAA | CCPA, "us_mbi",
        "\\b[1-9][A-Za-z][A-Za-z0-9]\\d-?[A-Za-z][A-Za-z0-9]\\d-?[A-Za-z]{2}\\d{2}\\b",
        "mbi,medicare,beneficiary",
        "1EG4-TE5-MK73",
        "medium: the MBI's character rules at all 11 places; high with a context word"},
    [VEIL_D_US_EIN] = {
        "us_ein", "US_EIN", VEIL_CAT_GOVERNMENT_ID, GLBA | CCPA, "us_ein",
        "\\b\\d{2}-\\d{7}\\b",
        "ein,employer identification,fein,federal tax,tax id,taxpayer id,tin",
        "12-3456789",
        "high with a context word and an IRS-assigned prefix; never without one"},
    [VEIL_D_UK_PASSPORT] = {
        "uk_passport", "UK_PASSPORT", VEIL_CAT_GOVERNMENT_ID, GDPR, "uk_passport",
        "\\b\\d{9}\\b",
        "passport",
        "925076473",
        "medium with a context word; never without one: nine digits and no check digit"},
    [VEIL_D_UK_DRIVING_LICENCE] = {
        "uk_driving_licence", "UK_DRIVING_LICENCE", VEIL_CAT_GOVERNMENT_ID, GDPR,
        "uk_driving_licence",
        "\\b[A-Za-z][A-Za-z9]{4} ?\\d{6} ?[A-Za-z][A-Za-z9]\\d[A-Za-z0-9]{2}\\b",
        "driving licence,driving license,licence number,licence no,dvla,driver number",
        "MORGA753116SM9IJ",
        "medium: a surname, a real birth date and initials in DVLA's layout; high with "
        "a context word"},
    [VEIL_D_UK_POSTCODE] = {
        "uk_postcode", "UK_POSTCODE", VEIL_CAT_CONTACT, GDPR, "uk_postcode",
        "\\b[A-Za-z]{1,2}\\d[A-Za-z0-9]? ?\\d[A-Za-z]{2}\\b",
        "postcode,post code,postal code,address,street,road,lane,avenue,london,flat,"
        "house,uk,united kingdom,england,scotland,wales",
        "SW1A 1AA",
        "medium with a context word (an address, a street, a postcode label) and a "
        "real postcode area; never without one"},
    [VEIL_D_DE_STEUER_ID] = {
        "de_steuer_id", "DE_STEUER_ID", VEIL_CAT_GOVERNMENT_ID, GDPR, "de_steuer_id",
        "\\b\\d{2} ?\\d{3} ?\\d{3} ?\\d{3}\\b",
        "steuer-id,steuerid,steuer id,steueridentifikationsnummer,identifikationsnummer,"
        "idnr,steuernummer,tax id,tin",
        "86095742719",
        "high with a context word, ISO 7064 MOD 11,10 and the digit-repetition rule; "
        "low without"},
    [VEIL_D_DE_ID_DOCUMENT] = {
        "de_id_document", "DE_ID_DOCUMENT", VEIL_CAT_GOVERNMENT_ID, GDPR, "de_id_document",
        "\\b[CFGHJKLMNPRTVWXYZcfghjklmnprtvwxyz0-9]{9}\\d\\b",
        "personalausweis,ausweis,ausweisnummer,reisepass,passnummer,passport,"
        "dokumentennummer,document number,id card",
        "T220001293",
        "high with a context word and the ICAO 9303 check digit; low without"},
    [VEIL_D_DE_RVNR] = {
        "de_rvnr", "DE_RVNR", VEIL_CAT_GOVERNMENT_ID, GDPR, "de_rvnr",
        "\\b\\d{2} ?\\d{6} ?[A-Za-z] ?\\d{2} ?\\d\\b",
        "rentenversicherungsnummer,versicherungsnummer,rvnr,rv-nummer,"
        "sozialversicherungsnummer,svnr,sv-nummer",
        "15070649C103",
        "medium: a real birth date, a letter and the check digit; high with a context word"},
    [VEIL_D_PL_PESEL] = {
        "pl_pesel", "PL_PESEL", VEIL_CAT_GOVERNMENT_ID, GDPR, "pl_pesel",
        "\\b\\d{11}\\b",
        "pesel",
        "44051401359",
        "high with a context word, a real birth date and the check digit; low without"},
    [VEIL_D_SE_PERSONNUMMER] = {
        "se_personnummer", "SE_PERSONNUMMER", VEIL_CAT_GOVERNMENT_ID, GDPR,
        "se_personnummer",
        "\\b(?:\\d{2})?\\d{6}[-+]?\\d{4}\\b",
        "personnummer,personnr,samordningsnummer,person number",
        "811218-9876",
        "medium: YYMMDD-NNNC with a real date and Luhn; high with a context word; "
        "digits without the separator need one"},
    [VEIL_D_FI_HETU] = {
        "fi_hetu", "FI_HETU", VEIL_CAT_GOVERNMENT_ID, GDPR, "fi_hetu",
        "\\b\\d{6}[-+A-FU-Ya-fu-y]\\d{3}[0-9A-Ya-y]\\b",
        "henkilötunnus,hetu,sotu,personal identity code,personbeteckning",
        "131052-308T",
        "medium: a real date, a century sign and the mod-31 check; high with a context word"},
    [VEIL_D_ES_PASSPORT] = {
        "es_passport", "ES_PASSPORT", VEIL_CAT_GOVERNMENT_ID, GDPR, "es_passport",
        "\\b[A-Za-z]{2,3}\\d{6}\\b",
        "pasaporte,passport",
        "PAA123456",
        "medium with a context word; never without one: no check digit"},
    [VEIL_D_IT_PASSPORT] = {
        "it_passport", "IT_PASSPORT", VEIL_CAT_GOVERNMENT_ID, GDPR, "it_passport",
        "\\b[A-Za-z]{2}\\d{7}\\b",
        "passaporto,passport",
        "YA1234567",
        "medium with a context word; never without one: no check digit"},
    [VEIL_D_IT_PARTITA_IVA] = {
        "it_partita_iva", "IT_PARTITA_IVA", VEIL_CAT_FINANCIAL, GDPR, "it_partita_iva",
        "\\b\\d{11}\\b",
        "partita iva,p.iva,p. iva,piva,p.i.,vat number,vat no,numero iva",
        "06363391001",
        "high with a context word, a provincial office code and Luhn; never without one"},
    [VEIL_D_AU_TFN] = {
        "au_tfn", "AU_TFN", VEIL_CAT_GOVERNMENT_ID, GDPR, "au_tfn",
        "\\b\\d{3}[ -]?\\d{3}[ -]?\\d{3}\\b",
        "tfn,tax file number,tax file",
        "123 456 782",
        "high with a context word and the weighted mod-11 check; never without one"},
    [VEIL_D_AU_ABN] = {
        "au_abn", "AU_ABN", VEIL_CAT_FINANCIAL, GDPR, "au_abn",
        "\\b\\d{2} ?\\d{3} ?\\d{3} ?\\d{3}\\b",
        "abn,australian business number,business number",
        "51 824 753 556",
        "medium: 2-3-3-3 with the mod-89 check; high with a context word; bare digits "
        "need one"},
    [VEIL_D_AU_MEDICARE] = {
        "au_medicare", "AU_MEDICARE", VEIL_CAT_HEALTH, GDPR | HIPAA, "au_medicare",
        "\\b[2-6]\\d{3} ?\\d{5} ?\\d(?:[ -]?\\d)?\\b",
        "medicare",
        "2123 45670 1",
        "high with a context word and the check digit; never without one"},
    [VEIL_D_IN_PAN] = {
        "in_pan", "IN_PAN", VEIL_CAT_GOVERNMENT_ID, GDPR, "in_pan",
        "\\b[A-Za-z]{3}[ABCFGHJLPTabcfghjlpt][A-Za-z]\\d{4}[A-Za-z]\\b",
        "pan,permanent account number,income tax,pan card,pan no",
        "AAAPL1234C",
        "medium: five letters with a holder-status letter, four digits, a letter; high "
        "with a context word"},
    [VEIL_D_KR_RRN] = {
        "kr_rrn", "KR_RRN", VEIL_CAT_GOVERNMENT_ID, GDPR, "kr_rrn",
        "\\b\\d{6}-?\\d{7}\\b",
        "주민등록번호,주민번호,resident registration,rrn,jumin",
        "900101-1234568",
        "medium: YYMMDD-SNNNNNC with a real date and the check digit; high with a context "
        "word; numbers from October 2020 (no check digit) and bare digits need one"},
    [VEIL_D_SG_NRIC] = {
        "sg_nric", "SG_NRIC", VEIL_CAT_GOVERNMENT_ID, GDPR, "sg_nric",
        "\\b[STFGMstfgm]\\d{7}[A-Za-z]\\b",
        "nric,fin,ic number,identity card,ic no",
        "S1234567D",
        "medium: the prefix and the check letter; high with a context word"},
    [VEIL_D_ZA_ID] = {
        "za_id", "ZA_ID", VEIL_CAT_GOVERNMENT_ID, GDPR, "za_id",
        "\\b\\d{6} ?\\d{4} ?\\d ?\\d ?\\d\\b",
        "id number,identity number,id no,rsa id,south african id,sa id",
        "8001015009087",
        "high with a context word, a real birth date, the citizenship digit and Luhn; "
        "low without"},
    [VEIL_D_TR_TCKN] = {
        "tr_tckn", "TR_TCKN", VEIL_CAT_GOVERNMENT_ID, GDPR, "tr_tckn",
        "\\b[1-9]\\d{10}\\b",
        "tc kimlik,kimlik no,kimlik numarası,tckn,t.c. kimlik,tc no,vatandaşlık",
        "10000000146",
        "high with a context word and both check digits; low without"},

    /* ---- finance and devices (validators_finance.c) ---- */
    [VEIL_D_SWIFT_BIC] = {
        "swift_bic", "SWIFT_BIC", VEIL_CAT_FINANCIAL, GLBA, "bic",
        "\\b[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\\b",
        "bic,swift,swift code,swift/bic,bank identifier",
        "DEUTDEFF500",
        "high with a context word, an ISO 3166 country and ISO 9362's location rules; "
        "never without one (upper-case words fit the shape)"},
    [VEIL_D_ETHEREUM_ADDRESS] = {
        "ethereum_address", "ETHEREUM_ADDRESS", VEIL_CAT_FINANCIAL, GDPR, "eth_address",
        "\\b0x[0-9A-Fa-f]{40}\\b",
        "eth,ethereum,wallet,address,erc20,metamask",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "high: mixed case that passes EIP-55; medium for one case with a context word"},
    [VEIL_D_IMEI] = {
        "imei", "IMEI", VEIL_CAT_NETWORK, GDPR, "imei",
        "\\b\\d{2}[- /]?\\d{6}[- /]?\\d{6}[- /]?\\d\\b|\\b\\d{6}[- /]\\d{2}[- /]\\d{6}[- /]\\d\\b",
        "imei,device id,handset",
        "49-015420-323751-8",
        "high with a context word and Luhn; never without one"},
    [VEIL_D_VIN] = {
        "vin", "VIN", VEIL_CAT_GOVERNMENT_ID, GDPR, "vin",
        "\\b[A-HJ-NPR-Za-hj-npr-z0-9]{17}\\b",
        "vin,vehicle identification,chassis,fahrgestellnummer,vehicle",
        "1M8GDM9AXKP042788",
        "high: the 49 CFR 565 check digit; with a context word, medium for the ISO 3779 "
        "shape alone (VINs outside North America need not carry the check digit)"},

    /* ---- detectors decided by the format alone ---- */
    [VEIL_D_IN_GSTIN] = {
        "in_gstin", "IN_GSTIN", VEIL_CAT_FINANCIAL, GDPR, "in_gstin",
        "\\b\\d{2}[A-Za-z]{5}\\d{4}[A-Za-z][1-9A-Za-z][A-Za-z0-9]{2}\\b",
        NULL,
        "27AAPFU0939F1ZV",
        "high: a state code, a PAN and the mod-36 check character"},
    [VEIL_D_BITCOIN_ADDRESS] = {
        "bitcoin_address", "BITCOIN_ADDRESS", VEIL_CAT_FINANCIAL, GDPR, "btc_address",
        "\\b(?:[123mn][1-9A-HJ-NP-Za-km-z]{25,34}|(?:bc|tb)1[02-9ac-hj-np-z]{6,87}"
        "|(?:BC|TB)1[02-9AC-HJ-NP-Z]{6,87})\\b",
        NULL,
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "high: the Base58Check, Bech32 or Bech32m checksum"},

    /* ---- secret token formats (validators_secrets.c) ---- */
    [VEIL_D_OPENAI_API_KEY] = {
        "openai_api_key", "OPENAI_API_KEY", VEIL_CAT_CREDENTIALS, 0, "openai_key",
        "sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,100}T3BlbkFJ[A-Za-z0-9_-]{20,100}",
        NULL,
        "sk-proj- followed by 74 characters, T3BlbkFJ and 74 more",
        "high: the prefix and the T3BlbkFJ marker"},
    [VEIL_D_ANTHROPIC_API_KEY] = {
        "anthropic_api_key", "ANTHROPIC_API_KEY", VEIL_CAT_CREDENTIALS, 0, "anthropic_key",
        "sk-ant-[a-z]+\\d\\d-[A-Za-z0-9_-]{80,120}AA",
        NULL,
        "sk-ant-api03- followed by 93 characters and AA",
        "high: the sk-ant- prefix, a versioned kind and the AA ending"},
    [VEIL_D_GOOGLE_API_KEY] = {
        "google_api_key", "GOOGLE_API_KEY", VEIL_CAT_CREDENTIALS, 0, "google_api_key",
        "AIza[A-Za-z0-9_-]{35}",
        NULL,
        "AIza followed by 35 characters",
        "high: the AIza prefix and the length"},
    [VEIL_D_GITLAB_TOKEN] = {
        "gitlab_token", "GITLAB_TOKEN", VEIL_CAT_CREDENTIALS, 0, "gitlab_token",
        "gl(?:pat|dt|rt|cbt|ptt|ft|imt|oas|soat|agent|ffct)-[A-Za-z0-9_.-]{20,310}",
        NULL,
        "glpat- followed by 20 characters",
        "high: a documented GitLab token prefix and body"},
    [VEIL_D_NPM_TOKEN] = {
        "npm_token", "NPM_TOKEN", VEIL_CAT_CREDENTIALS, 0, "npm_token",
        "npm_[A-Za-z0-9]{36}\\b",
        NULL,
        "npm_ followed by 36 letters and digits",
        "high: the embedded CRC-32 matches"},
    [VEIL_D_PYPI_TOKEN] = {
        "pypi_token", "PYPI_TOKEN", VEIL_CAT_CREDENTIALS, 0, "pypi_token",
        "pypi-Ag[A-Za-z0-9_-]{48,1000}",
        NULL,
        "pypi-AgEIcHlwaS5vcmc followed by the macaroon",
        "high: the pypi- prefix and a pypi.org macaroon header"},
    [VEIL_D_SENDGRID_API_KEY] = {
        "sendgrid_api_key", "SENDGRID_API_KEY", VEIL_CAT_CREDENTIALS, 0, "sendgrid_key",
        "SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}",
        NULL,
        "SG. followed by 22 characters, a dot and 43 more",
        "high: the SG. prefix and both parts' lengths"},
    [VEIL_D_TWILIO_API_KEY] = {
        "twilio_api_key", "TWILIO_API_KEY", VEIL_CAT_CREDENTIALS, 0, "twilio_sid",
        "\\bSK[0-9a-f]{32}\\b",
        NULL,
        "SK followed by 32 lower-case hex digits",
        "high: an API key SID (SK...), which names the key whose secret sits next to it; "
        "account SIDs (AC...) are identifiers, not secrets, and are left alone"},
    [VEIL_D_SLACK_WEBHOOK] = {
        "slack_webhook", "SLACK_WEBHOOK", VEIL_CAT_CREDENTIALS, 0, "slack_webhook",
        "T[A-Z0-9]{8,12}(?:/[A-Za-z0-9]{1,64}){2,4}",
        NULL,
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "high: the webhook URL carries its own secret; the workspace, bot and secret "
        "after https://hooks.slack.com/services/ go, the host and path stay"},

    /* ---- judged by structure in names.c and addresses.c ---- */
    [VEIL_D_ADDRESS] = {
        "address", "ADDRESS", VEIL_CAT_CONTACT, GDPR | CCPA | HIPAA, NULL, NULL, NULL,
        "1600 Pennsylvania Avenue NW, Washington, DC 20500",
        "medium: a house number, a street name and a street-type word in the order of "
        "the US, UK, DE, FR, ES, IT or NL, with the postcode and town that follow; or "
        "the whole value of an address field that has a number, letters and a space"},
};
/* clang-format on */

size_t veil_catalog_count(void)
{
    return VEIL_D__COUNT;
}

const veil_detector_info_t *veil_catalog_get(size_t index)
{
    return index < VEIL_D__COUNT ? &veil__catalog[index] : NULL;
}

int veil_catalog_find(const char *id)
{
    for (int i = 0; i < VEIL_D__COUNT; i++) {
        if (strcmp(veil__catalog[i].id, id) == 0) {
            return i;
        }
    }
    return -1;
}

const char *veil_category_name(veil_category_t category)
{
    static const char *const names[VEIL_CAT__COUNT] = {
        "contact", "financial", "government_id", "health", "credentials", "network", "demographic",
    };
    return (unsigned)category < VEIL_CAT__COUNT ? names[category] : "unknown";
}

char *veil_regulations_format(unsigned regulations, char *buf, size_t size)
{
    static const char *const names[] = {"gdpr", "ccpa", "pci_dss", "hipaa", "glba"};
    size_t used = 0;

    if (size == 0) {
        return buf;
    }
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (regulations & (1u << i)) {
            int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", names[i]);
            if (n < 0 || (size_t)n >= size - used) {
                break;
            }
            used += (size_t)n;
        }
    }
    return buf;
}
