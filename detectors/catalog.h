/*
 * Internal view of the built-in catalog: detector indexes as an enum in
 * the catalog's order, and the per-detector data the engine needs beyond
 * the public veil_detector_info_t.
 */
#ifndef VEIL_DETECTORS_CATALOG_H
#define VEIL_DETECTORS_CATALOG_H

#include "veil/scan.h"

enum veil__det {
    VEIL_D_EMAIL,
    VEIL_D_PHONE,
    VEIL_D_CREDIT_CARD,
    VEIL_D_IBAN,
    VEIL_D_US_BANK_ROUTING,
    VEIL_D_US_SSN,
    VEIL_D_US_ITIN,
    VEIL_D_UK_NINO,
    VEIL_D_UK_NHS,
    VEIL_D_CA_SIN,
    VEIL_D_ES_DNI,
    VEIL_D_ES_NIE,
    VEIL_D_IT_FISCAL_CODE,
    VEIL_D_FR_NIR,
    VEIL_D_NL_BSN,
    VEIL_D_BR_CPF,
    VEIL_D_IN_AADHAAR,
    VEIL_D_CN_RESIDENT_ID,
    VEIL_D_IPV4,
    VEIL_D_IPV6,
    VEIL_D_MAC_ADDRESS,
    VEIL_D_JWT,
    VEIL_D_AWS_ACCESS_KEY_ID,
    VEIL_D_GITHUB_TOKEN,
    VEIL_D_SLACK_TOKEN,
    VEIL_D_STRIPE_KEY,
    VEIL_D_BEARER_TOKEN,
    VEIL_D_URL_CREDENTIALS,
    VEIL_D_PRIVATE_KEY,
    VEIL_D_DATE_OF_BIRTH,
    VEIL_D_PERSON_NAME,
    VEIL_D_SECRET_FIELD,
    VEIL_D_NATIONAL_ID,
    /* Added with validators_ids.c and validators_finance.c. Detectors
       that consult context words must have an index below 64: context
       lookups are 64-bit masks (engine.h). */
    VEIL_D_US_PASSPORT,
    VEIL_D_US_DRIVERS_LICENSE,
    VEIL_D_US_NPI,
    VEIL_D_US_DEA,
    VEIL_D_US_MBI,
    VEIL_D_US_EIN,
    VEIL_D_UK_PASSPORT,
    VEIL_D_UK_DRIVING_LICENCE,
    VEIL_D_UK_POSTCODE,
    VEIL_D_DE_STEUER_ID,
    VEIL_D_DE_ID_DOCUMENT,
    VEIL_D_DE_RVNR,
    VEIL_D_PL_PESEL,
    VEIL_D_SE_PERSONNUMMER,
    VEIL_D_FI_HETU,
    VEIL_D_ES_PASSPORT,
    VEIL_D_IT_PASSPORT,
    VEIL_D_IT_PARTITA_IVA,
    VEIL_D_AU_TFN,
    VEIL_D_AU_ABN,
    VEIL_D_AU_MEDICARE,
    VEIL_D_IN_PAN,
    VEIL_D_KR_RRN,
    VEIL_D_SG_NRIC,
    VEIL_D_ZA_ID,
    VEIL_D_TR_TCKN,
    VEIL_D_SWIFT_BIC,
    VEIL_D_ETHEREUM_ADDRESS,
    VEIL_D_IMEI,
    VEIL_D_VIN,
    /* From here on, no context words: the format alone decides. */
    VEIL_D_IN_GSTIN,
    VEIL_D_BITCOIN_ADDRESS,
    VEIL_D_OPENAI_API_KEY,
    VEIL_D_ANTHROPIC_API_KEY,
    VEIL_D_GOOGLE_API_KEY,
    VEIL_D_GITLAB_TOKEN,
    VEIL_D_NPM_TOKEN,
    VEIL_D_PYPI_TOKEN,
    VEIL_D_SENDGRID_API_KEY,
    VEIL_D_TWILIO_API_KEY,
    VEIL_D_SLACK_WEBHOOK,
    /* Added with names.c and addresses.c: judged by structure there, no
       pattern and no context words of the engine's kind. */
    VEIL_D_ADDRESS,
    VEIL_D__COUNT
};

_Static_assert(VEIL_D_IN_GSTIN < 64, "detectors with context words need an index below 64");
_Static_assert(VEIL_D__COUNT <= VEIL_CATALOG_MAX, "VEIL_CATALOG_MAX bounds the catalog");

extern const veil_detector_info_t veil__catalog[VEIL_D__COUNT];

#endif
