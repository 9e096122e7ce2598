// Per-locale people, built with @faker-js/faker (seeded) plus the phone,
// bank and national-id conventions of the person's country.

import {
    fakerEN_US, fakerEN_GB, fakerDE, fakerFR, fakerES, fakerIT, fakerNL, fakerPT_BR,
    fakerEN_IN, fakerEN_AU, fakerJA, fakerES_MX, fakerEN_CA, fakerZH_CN,
} from '@faker-js/faker';
import * as V from './values.mjs';
import { pick, chance, int, weighted, chars, LOWER, DIGITS } from './rng.mjs';

export const LOCALES = {
    en_US: { faker: fakerEN_US, country: 'US', lang: 'en', ibanCountry: null, ids: ['us_ssn'] },
    en_GB: { faker: fakerEN_GB, country: 'GB', lang: 'en', ibanCountry: 'GB', ids: ['uk_nino', 'uk_nhs'] },
    de: { faker: fakerDE, country: 'DE', lang: 'de', ibanCountry: 'DE', ids: [] },
    fr: { faker: fakerFR, country: 'FR', lang: 'fr', ibanCountry: 'FR', ids: ['fr_nir'] },
    es: { faker: fakerES, country: 'ES', lang: 'es', ibanCountry: 'ES', ids: ['es_dni', 'es_nie'] },
    it: { faker: fakerIT, country: 'IT', lang: 'it', ibanCountry: 'IT', ids: ['it_fiscal_code'] },
    nl: { faker: fakerNL, country: 'NL', lang: 'nl', ibanCountry: 'NL', ids: ['nl_bsn'] },
    pt_BR: { faker: fakerPT_BR, country: 'BR', lang: 'pt', ibanCountry: 'BR', ids: ['br_cpf'] },
    en_IN: { faker: fakerEN_IN, country: 'IN', lang: 'en', ibanCountry: null, ids: ['in_aadhaar'] },
    en_AU: { faker: fakerEN_AU, country: 'AU', lang: 'en', ibanCountry: null, ids: [] },
    ja: { faker: fakerJA, country: 'JP', lang: 'ja', ibanCountry: null, ids: [] },
    es_MX: { faker: fakerES_MX, country: 'MX', lang: 'es', ibanCountry: null, ids: [] },
    en_CA: { faker: fakerEN_CA, country: 'CA', lang: 'en', ibanCountry: null, ids: ['ca_sin'] },
    zh_CN: { faker: fakerZH_CN, country: 'CN', lang: 'en', ibanCountry: null, ids: ['cn_resident_id'] },
};

export const LOCALE_WEIGHTS = [
    [22, 'en_US'], [10, 'en_GB'], [9, 'de'], [8, 'fr'], [7, 'es'], [6, 'it'], [6, 'nl'], [7, 'pt_BR'],
    [6, 'en_IN'], [5, 'en_AU'], [5, 'ja'], [5, 'es_MX'], [3, 'en_CA'], [2, 'zh_CN'],
];

export function seedFakers(seed) {
    let i = 0;
    for (const l of Object.values(LOCALES)) l.faker.seed(seed + 7919 * (i++));
}

const EU_IBAN = ['DE', 'FR', 'ES', 'IT', 'NL', 'BE', 'AT', 'PT', 'IE', 'PL', 'SE', 'DK', 'FI', 'CH', 'LU', 'GB', 'NO', 'CZ', 'GR'];

const ascii = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ß/g, 'ss').replace(/[^A-Za-z0-9]/g, '');

const MAIL_DOMAINS = {
    US: ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'hotmail.com', 'aol.com', 'proton.me'],
    CA: ['gmail.com', 'outlook.com', 'shaw.ca', 'rogers.com'],
    GB: ['gmail.com', 'btinternet.com', 'outlook.com', 'yahoo.co.uk', 'hotmail.co.uk'],
    DE: ['gmx.de', 'web.de', 't-online.de', 'gmail.com', 'posteo.de'],
    FR: ['orange.fr', 'free.fr', 'gmail.com', 'laposte.net', 'sfr.fr'],
    ES: ['gmail.com', 'hotmail.es', 'yahoo.es', 'telefonica.net'],
    IT: ['libero.it', 'gmail.com', 'virgilio.it', 'tiscali.it'],
    NL: ['ziggo.nl', 'kpnmail.nl', 'gmail.com', 'hotmail.nl'],
    BR: ['gmail.com', 'uol.com.br', 'bol.com.br', 'hotmail.com'],
    IN: ['gmail.com', 'rediffmail.com', 'yahoo.co.in'],
    AU: ['gmail.com', 'bigpond.com', 'optusnet.com.au'],
    JP: ['docomo.ne.jp', 'ezweb.ne.jp', 'gmail.com', 'yahoo.co.jp', 'i.softbank.jp'],
    MX: ['gmail.com', 'hotmail.com', 'prodigy.net.mx'],
    CN: ['qq.com', '163.com', 'gmail.com'],
};

const CORP_DOMAINS = ['acme.io', 'example.com', 'mail.example.org', 'eng.corp.initech.com', 'sales.globex.co.uk',
    'umbrella-corp.de', 'hooli.xyz', 'piedpiper.com', 'stark-industries.fr', 'wayne-ent.com.br', 'mx.contoso.com',
    'team.vandelay.nl', 'staff.tyrell.co.jp', 'ops.soylent.com.au', 'in.wonka.co.in'];

function emailFor(first, last, country) {
    const f = ascii(first).toLowerCase() || chars(5, LOWER);
    const l = ascii(last).toLowerCase() || chars(6, LOWER);
    const local = weighted([
        [25, `${f}.${l}`], [15, `${f}${l}`], [10, `${f[0]}${l}`], [10, `${f}_${l}`], [10, `${f}${int(1, 99)}`],
        [8, `${f}.${l}${int(70, 99)}`], [6, `${l}.${f}`], [6, `${f}-${l}`], [5, chars(int(5, 9), LOWER + DIGITS)],
        [5, `${f[0].toUpperCase()}${f.slice(1)}.${l[0].toUpperCase()}${l.slice(1)}`],
    ]);
    const plus = chance(0.12) ? `+${pick(['news', 'shop', 'amazon', 'test', 'billing', 'work', 'spam', 'promo2024'])}` : '';
    const domain = chance(0.25) ? pick(CORP_DOMAINS) : pick(MAIL_DOMAINS[country] || MAIL_DOMAINS.US);
    let e = `${local}${plus}@${domain}`;
    if (chance(0.03)) e = e.toUpperCase();
    return e;
}

// How people of each locale write a date of birth.
const DOB_STYLE = {
    en_US: ['us', 'us', 'long', 'iso'], en_CA: ['iso', 'long', 'us'], en_GB: ['eu', 'eu', 'iso'], en_AU: ['eu', 'iso'],
    en_IN: ['eu', 'iso'], de: ['eu_dot', 'eu_dot', 'iso'], fr: ['eu', 'eu', 'iso'], es: ['eu', 'iso'], es_MX: ['eu', 'iso'],
    it: ['eu', 'iso'], nl: ['eu', 'iso'], pt_BR: ['eu', 'iso'], ja: ['ja', 'iso'], zh_CN: ['iso'],
};

export function person(localeName) {
    localeName = localeName || weighted(LOCALE_WEIGHTS);
    const L = LOCALES[localeName];
    const f = L.faker;
    const sex = pick(['female', 'male']);
    const first = f.person.firstName(sex);
    const last = f.person.lastName(sex);
    const fullName = localeName === 'ja' || localeName === 'zh_CN' ? `${last} ${first}` : `${first} ${last}`;
    const p = {
        locale: localeName, country: L.country, lang: L.lang, sex,
        first, last, fullName,
        email: emailFor(first, last, L.country),
        phone: V.phone(L.country === 'CN' ? 'US' : L.country),
        phoneE164: V.phone(L.country === 'CN' ? 'US' : L.country, { e164: true }),
        city: f.location.city(),
        street: f.location.streetAddress(),
        zip: f.location.zipCode(),
        dob: V.birthDate(DOB_STYLE[localeName] ? pick(DOB_STYLE[localeName]) : undefined),
        dobIso: V.birthDate('iso'),
        iban: V.iban(L.ibanCountry || pick(EU_IBAN)),
        card: V.creditCard(),
    };
    p.nationalId = () => {
        const kinds = L.ids.length ? L.ids : ['us_ssn'];
        const kind = pick(kinds);
        return [kind, nationalIdValue(kind, p)];
    };
    return p;
}

export function nationalIdValue(kind, p) {
    switch (kind) {
    case 'us_ssn': return V.ssn(chance(0.9) ? 'dashed' : 'bare');
    case 'us_itin': return V.itin();
    case 'uk_nino': return V.ukNino();
    case 'uk_nhs': return V.ukNhs();
    case 'ca_sin': return V.caSin();
    case 'es_dni': return V.esDni();
    case 'es_nie': return V.esNie();
    case 'it_fiscal_code': return V.itFiscalCode(p ? p.last : 'Rossi', p ? p.first : 'Mario', p ? p.sex === 'female' : false);
    case 'fr_nir': return V.frNir();
    case 'nl_bsn': return V.nlBsn();
    case 'br_cpf': return V.brCpf();
    case 'in_aadhaar': return V.inAadhaar();
    case 'cn_resident_id': return V.cnResidentId();
    default: throw new Error(kind);
    }
}

// Words people write before their id number, per id type.
export const ID_WORDS = {
    us_ssn: ['SSN', 'social security number', 'SSN#', 'Social Security No.'],
    us_itin: ['ITIN', 'taxpayer id (ITIN)'],
    uk_nino: ['National Insurance number', 'NI number', 'NINO'],
    uk_nhs: ['NHS number', 'NHS no.'],
    ca_sin: ['SIN', 'social insurance number'],
    es_dni: ['DNI', 'mi DNI es', 'NIF'],
    es_nie: ['NIE', 'mi NIE es'],
    it_fiscal_code: ['codice fiscale', 'C.F.', 'CF'],
    fr_nir: ['numéro de sécurité sociale', 'NIR', 'n° de sécu'],
    nl_bsn: ['BSN', 'burgerservicenummer'],
    br_cpf: ['CPF', 'meu CPF é'],
    in_aadhaar: ['Aadhaar', 'Aadhaar no.', 'UID'],
    cn_resident_id: ['身份证号', 'resident ID', 'ID card no.'],
};
