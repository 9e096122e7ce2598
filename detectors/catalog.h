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
    VEIL_D__COUNT
};

extern const veil_detector_info_t veil__catalog[VEIL_D__COUNT];

#endif
