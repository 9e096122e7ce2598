// Generators of labeled values: every PII value is valid under its public
// rules (check digits computed, not copied), every "checksum_fail" value
// fails them, and the other hard negatives are shaped like the real thing.

import * as C from './checksums.mjs';
import { int, pick, chance, digits, digitsNZ, pad, chars, weighted, hex, rand,
         UPPER, LOWER, DIGITS, ALNUM, randomBytes } from './rng.mjs';

// ---------------------------------------------------------------- cards

const CARD_BRANDS = [
    // [weight, brand, prefix generator, lengths]
    [22, 'visa', () => '4', [16, 16, 16, 16, 13, 19]],
    [12, 'mastercard', () => String(int(51, 55)), [16]],
    [8, 'mastercard2', () => String(int(2221, 2720)), [16]],
    [10, 'amex', () => pick(['34', '37']), [15]],
    [8, 'discover', () => pick(['6011', String(int(644, 649)), '65']), [16, 16, 16, 19]],
    [6, 'jcb', () => String(int(3528, 3589)), [16]],
    [6, 'diners', () => pick(['36', '38', String(int(300, 305))]), [14]],
    [6, 'unionpay', () => '62' + pick(['2', '4', '5', '6', '8']), [16, 16, 17, 18, 19]],
    [8, 'maestro', () => pick(['5018', '5020', '5038', '5893', '6304', '6759', '6761', '6762', '6763']), [16, 16, 19, 13, 12]],
];

export function cardDigits(brandName) {
    const entry = brandName
        ? CARD_BRANDS.find((b) => b[1] === brandName)
        : weighted(CARD_BRANDS.map((b) => [b[0], b]));
    const [, brand, prefixGen, lengths] = entry;
    const len = pick(lengths);
    let body = prefixGen();
    while (body.length < len - 1) body += int(0, 9);
    return { brand, digits: body + C.luhnCheckDigit(body) };
}

function groupsFor(len, brand) {
    if (brand === 'amex' || len === 15) return [4, 6, 5];
    if (len === 14) return [4, 6, 4];
    if (len === 16) return [4, 4, 4, 4];
    if (len === 19) return [4, 4, 4, 4, 3];
    return null;
}

export function formatGroups(d, groups, sep) {
    const out = [];
    let i = 0;
    for (const g of groups) { out.push(d.slice(i, i + g)); i += g; }
    return out.join(sep);
}

// Famous test numbers show up in real logs; a few are mixed in.
const WELL_KNOWN_CARDS = ['4111111111111111', '4242424242424242', '5555555555554444',
    '378282246310005', '6011111111111117', '3530111333300000', '5105105105105100',
    '4012888888881881', '371449635398431', '2223003122003222'];

export function creditCard(style) {
    let { brand, digits: d } = chance(0.04) ? { brand: '', digits: pick(WELL_KNOWN_CARDS) } : cardDigits();
    const groups = groupsFor(d.length, brand);
    style = style || weighted([[50, 'compact'], [35, 'spaced'], [15, 'dashed']]);
    if (!groups || style === 'compact') return d;
    return formatGroups(d, groups, style === 'spaced' ? ' ' : '-');
}

// A 16-digit number with a card prefix that fails Luhn.
export function luhnFail16(style) {
    let d;
    do {
        const { digits: good } = cardDigits(pick(['visa', 'mastercard', 'mastercard2', 'discover', 'jcb', 'unionpay', 'maestro']));
        const body = good.slice(0, 15).padEnd(15, '0');
        const bad = (+C.luhnCheckDigit(body) + int(1, 9)) % 10;
        d = body + bad;
    } while (C.luhnValid(d) || d.length !== 16);
    style = style || weighted([[55, 'compact'], [30, 'spaced'], [15, 'dashed']]);
    if (style === 'compact') return d;
    return formatGroups(d, [4, 4, 4, 4], style === 'spaced' ? ' ' : '-');
}

export function maskedCard() {
    const last4 = digits(4);
    const bin = cardDigits('visa').digits.slice(0, 6);
    return pick([
        `**** **** **** ${last4}`, `${bin}******${last4}`, `XXXX-XXXX-XXXX-${last4}`,
        `************${last4}`, `${bin}XXXXXX${last4}`, `•••• •••• •••• ${last4}`,
        `xxxx xxxx xxxx ${last4}`, `${bin.slice(0, 4)} **** **** ${last4}`,
    ]);
}

// ---------------------------------------------------------------- IBAN

// country: [length, BBAN structure] (n digits, a upper letters, c upper alnum).
export const IBAN_SPECS = {
    AD: [24, '8n12c'], AE: [23, '19n'], AL: [28, '8n16c'], AT: [20, '16n'], AZ: [28, '4a20c'],
    BA: [20, '16n'], BE: [16, '12n'], BG: [22, '4a6n8c'], BH: [22, '4a14c'], BR: [29, '23n1a1c'],
    BY: [28, '4c4n16c'], CH: [21, '5n12c'], CR: [22, '18n'], CY: [28, '8n16c'], CZ: [24, '20n'],
    DE: [22, '18n'], DK: [18, '14n'], DO: [28, '4a20n'], EE: [20, '16n'], EG: [29, '25n'],
    ES: [24, '20n'], FI: [18, '14n'], FO: [18, '14n'], FR: [27, '10n11c2n'], GB: [22, '4a14n'],
    GE: [22, '2a16n'], GI: [23, '4a15c'], GL: [18, '14n'], GR: [27, '7n16c'], GT: [28, '24c'],
    HR: [21, '17n'], HU: [28, '24n'], IE: [22, '4a14n'], IL: [23, '19n'], IQ: [23, '4a15n'],
    IS: [26, '22n'], IT: [27, '1a10n12c'], JO: [30, '4a4n18c'], KW: [30, '4a22c'], KZ: [20, '3n13c'],
    LB: [28, '4n20c'], LI: [21, '5n12c'], LT: [20, '16n'], LU: [20, '3n13c'], LV: [21, '4a13c'],
    MC: [27, '10n11c2n'], MD: [24, '20c'], ME: [22, '18n'], MK: [19, '3n10c2n'], MR: [27, '23n'],
    MT: [31, '4a5n18c'], MU: [30, '4a19n3a'], NL: [18, '4a10n'], NO: [15, '11n'], PK: [24, '4a16c'],
    PL: [28, '24n'], PS: [29, '4a21c'], PT: [25, '21n'], QA: [29, '4a21c'], RO: [24, '4a16c'],
    RS: [22, '18n'], SA: [24, '2n18c'], SC: [31, '4a20n3a'], SE: [24, '20n'], SI: [19, '15n'],
    SK: [24, '20n'], SM: [27, '1a10n12c'], TL: [23, '19n'], TN: [24, '20n'], TR: [26, '5n1n16c'],
    UA: [29, '6n19c'], VA: [22, '18n'], VG: [24, '4a16n'], XK: [20, '16n'],
};

function bbanFromSpec(spec) {
    let out = '';
    for (const [, n, t] of spec.matchAll(/(\d+)([nac])/g)) {
        const alpha = t === 'n' ? DIGITS : t === 'a' ? UPPER : UPPER + DIGITS + DIGITS;
        out += chars(+n, alpha);
    }
    return out;
}

export function ibanCompact(country) {
    country = country || pick(Object.keys(IBAN_SPECS));
    const [len, spec] = IBAN_SPECS[country];
    const bban = bbanFromSpec(spec);
    const iban = country + C.ibanCheckDigits(country, bban) + bban;
    if (iban.length !== len || !C.ibanValid(iban)) throw new Error('iban gen ' + country);
    return iban;
}

export function groupIban(s) { return s.replace(/(.{4})/g, '$1 ').trim(); }

export function iban(country, style) {
    const s = ibanCompact(country);
    style = style || (chance(0.45) ? 'grouped' : 'compact');
    return style === 'grouped' ? groupIban(s) : s;
}

export function ibanBad(country, style) {
    const good = ibanCompact(country);
    let bad;
    do {
        bad = good.slice(0, 2) + pad(int(2, 98), 2) + good.slice(4);
    } while (C.ibanValid(bad));
    style = style || (chance(0.4) ? 'grouped' : 'compact');
    return style === 'grouped' ? groupIban(bad) : bad;
}

// ---------------------------------------------------------------- US ids

export function ssnParts() {
    let a, g, s;
    do {
        a = pad(int(1, 899), 3); g = pad(int(1, 99), 2); s = pad(int(1, 9999), 4);
    } while (!C.ssnValid(a, g, s));
    return [a, g, s];
}

export function ssn(style) {
    const [a, g, s] = ssnParts();
    style = style || 'dashed';
    if (style === 'bare') return a + g + s;
    if (style === 'spaced') return `${a} ${g} ${s}`;
    return `${a}-${g}-${s}`;
}

// An SSN-shaped value that breaks one of the SSA rules and is not an ITIN.
export function ssnInvalid() {
    const [a, g, s] = ssnParts();
    const kind = pick(['area000', 'area666', 'area9xx', 'group00', 'serial0000']);
    switch (kind) {
    case 'area000': return `000-${g}-${s}`;
    case 'area666': return `666-${g}-${s}`;
    case 'area9xx': {
        let gg;
        do { gg = pad(int(1, 99), 2); } while (C.itinGroupValid(gg));
        return `9${digits(2)}-${gg}-${s}`;
    }
    case 'group00': return `${a}-00-${s}`;
    default: return `${a}-${g}-0000`;
    }
}

export function itin() {
    let g;
    do { g = pad(int(50, 99), 2); } while (!C.itinGroupValid(g));
    return `9${digits(2)}-${g}-${pad(int(1, 9999), 4)}`;
}

const ABA_PREFIXES = [];
for (let p = 1; p <= 12; p++) ABA_PREFIXES.push(pad(p, 2));
for (let p = 21; p <= 32; p++) ABA_PREFIXES.push(pad(p, 2));
for (let p = 61; p <= 72; p++) ABA_PREFIXES.push(pad(p, 2));
ABA_PREFIXES.push('80');

export function aba() {
    const body = pick(ABA_PREFIXES) + digits(6);
    const d = body + C.abaCheckDigit(body);
    if (!C.abaValid(d) || !C.abaPrefixValid(d)) throw new Error('aba');
    return d;
}

// Valid Fed prefix, bad ABA checksum; also fails Luhn and the BSN 11-test so
// that no other 9-digit validator accepts it either.
export function abaBad() {
    let d;
    do {
        const body = pick(ABA_PREFIXES) + digits(6);
        d = body + ((+C.abaCheckDigit(body) + int(1, 9)) % 10);
    } while (C.abaValid(d) || C.luhnValid(d) || C.bsnValid(d));
    return d;
}

// ---------------------------------------------------------------- other ids

const NINO_FIRST = 'ABCEGHJKLMNOPRSTWXYZ';
const NINO_SECOND = 'ABCEGHJKLMNPRSTWXYZ';
export function ukNino() {
    let p;
    do { p = pick(NINO_FIRST) + pick(NINO_SECOND); } while (['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(p));
    const d = digits(6);
    const suf = pick('ABCD');
    return chance(0.5) ? `${p}${d}${suf}` : `${p} ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4)} ${suf}`;
}

export function ukNhs() {
    let body, c;
    do { body = String(int(4, 9)) + digits(8); c = C.nhsCheckDigit(body); } while (c === null);
    const n = body + c;
    return chance(0.6) ? `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` : n;
}

export function caSin() {
    const body = String(pick([1, 2, 3, 4, 5, 6, 7, 9])) + digits(7);
    const n = body + C.luhnCheckDigit(body);
    return pick([`${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`, `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`, n]);
}

export function esDni() {
    const n = int(1000000, 99999999);
    return pad(n, 8) + C.esLetter(n);
}

export function esNie() {
    const p = int(0, 2);
    const n = digits(7);
    return 'XYZ'[p] + n + C.esLetter(+(String(p) + n));
}

const CF_MONTHS = 'ABCDEHLMPRST';
const CF_PLACES = ['H501', 'F205', 'L219', 'F839', 'G273', 'A944', 'D612', 'L736', 'C351', 'A662', 'E506', 'B157'];
export function itFiscalCode(surname, name, female) {
    const cons = (s) => s.toUpperCase().normalize('NFD').replace(/[^A-Z]/g, '').replace(/[AEIOU]/g, '');
    const vows = (s) => s.toUpperCase().normalize('NFD').replace(/[^A-Z]/g, '').replace(/[^AEIOU]/g, '');
    const three = (s) => (cons(s) + vows(s) + 'XXX').slice(0, 3);
    let nameCode = cons(name).length >= 4 ? cons(name)[0] + cons(name)[2] + cons(name)[3] : three(name);
    const day = int(1, 28) + (female ? 40 : 0);
    const body = three(surname) + nameCode + pad(int(40, 99), 2) + pick(CF_MONTHS) + pad(day, 2) + pick(CF_PLACES);
    return body + C.cfCheckChar(body);
}

export function frNir() {
    const body = String(int(1, 2)) + pad(int(40, 99), 2) + pad(int(1, 12), 2) + pad(pick([int(1, 19), int(21, 95)]), 2)
        + pad(int(1, 990), 3) + pad(int(1, 999), 3);
    const key = C.nirKey(body);
    const n = body + key;
    return chance(0.5) ? n : `${n[0]} ${n.slice(1, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7, 10)} ${n.slice(10, 13)} ${n.slice(13)}`;
}

export function nlBsn() {
    let d;
    do { d = String(int(1, 9)) + digits(8); } while (!C.bsnValid(d));
    return chance(0.25) ? `${d.slice(0, 4)}.${d.slice(4, 6)}.${d.slice(6)}` : d;
}

export function brCpf() {
    let b;
    do { b = digits(9); } while (/^(\d)\1+$/.test(b));
    const n = b + C.cpfCheckDigits(b);
    return chance(0.8) ? `${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6, 9)}-${n.slice(9)}` : n;
}

export function inAadhaar() {
    const body = String(int(2, 9)) + digits(10);
    const n = body + C.verhoeffCheckDigit(body);
    if (!C.verhoeffValid(n)) throw new Error('aadhaar');
    return chance(0.7) ? `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}` : n;
}

const CN_AREAS = ['110101', '110105', '310104', '310115', '440106', '440305', '330106', '510107', '320102', '420106'];
export function cnResidentId() {
    const y = int(1950, 2004), m = int(1, 12), d = int(1, 28);
    const body = pick(CN_AREAS) + y + pad(m, 2) + pad(d, 2) + digits(3);
    return body + C.cnIdCheck(body);
}

// ---------------------------------------------------------------- network

export function ipv4(kind) {
    kind = kind || weighted([[70, 'public'], [20, 'private'], [10, 'doc']]);
    if (kind === 'private') {
        return pick([
            () => `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`,
            () => `192.168.${int(0, 255)}.${int(1, 254)}`,
            () => `172.${int(16, 31)}.${int(0, 255)}.${int(1, 254)}`,
        ])();
    }
    if (kind === 'doc') {
        return `${pick(['192.0.2', '198.51.100', '203.0.113'])}.${int(1, 254)}`;
    }
    let a;
    do { a = int(1, 223); } while ([10, 127, 172, 192, 0, 100, 169].includes(a));
    return `${a}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
}

function h16() { return int(0, 0xffff).toString(16); }

export function ipv6(kind) {
    kind = kind || weighted([[25, 'full'], [35, 'compressed'], [12, 'upper'], [14, 'linklocal'], [14, 'mapped']]);
    const groups = [pick(['2001', '2a00', '2a02', '2600', '2604', '2406', '2001', '2c0f', '2800', '2409'])];
    if (groups[0] === '2001') groups.push(pick(['db8', '4860', '67c', '1890', '470', int(0x200, 0xfff).toString(16)]));
    while (groups.length < 8) groups.push(h16());
    switch (kind) {
    case 'full': return groups.map((g) => g.padStart(4, '0')).join(':');
    case 'compressed':
    case 'upper': {
        // Zero a run of 2..4 groups and compress it per RFC 5952.
        const start = int(2, 5), n = int(2, 8 - start);
        for (let i = start; i < start + n; i++) groups[i] = '0';
        const s = groups.slice(0, start).join(':') + '::' + groups.slice(start + n).join(':');
        return kind === 'upper' ? s.toUpperCase() : s;
    }
    case 'linklocal': {
        const mac = [int(0, 255) & 0xfc | 0x02, int(0, 255), int(0, 255), int(0, 255), int(0, 255), int(0, 255)];
        const g = (a, b) => ((a << 8) | b).toString(16);
        return `fe80::${g(mac[0], mac[1])}:${g(mac[2], 0xff)}:${g(0xfe, mac[3])}:${g(mac[4], mac[5])}`;
    }
    default:
        return `::ffff:${ipv4(pick(['public', 'doc', 'private']))}`;
    }
}

export function macAddress() {
    const b = Array.from({ length: 6 }, () => int(0, 255).toString(16).padStart(2, '0'));
    b[0] = (parseInt(b[0], 16) & 0xfe).toString(16).padStart(2, '0');
    return pick([
        () => b.join(':').toUpperCase(), () => b.join(':'), () => b.join('-').toUpperCase(),
        () => b.join('-'), () => `${b[0]}${b[1]}.${b[2]}${b[3]}.${b[4]}${b[5]}`,
    ])();
}

// ---------------------------------------------------------------- credentials

const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export function jwt(claims) {
    const header = { alg: pick(['HS256', 'RS256', 'ES256', 'HS512']), typ: 'JWT' };
    if (chance(0.3)) header.kid = hex(16);
    const now = 1714000000 + int(0, 20000000);
    const payload = claims || { sub: String(int(1000, 999999)), iat: now, exp: now + 3600, scope: pick(['read', 'read write', 'admin']) };
    const sigLen = header.alg.startsWith('HS') ? (header.alg === 'HS512' ? 64 : 32) : (header.alg === 'ES256' ? 64 : 256);
    return `${b64url(Buffer.from(JSON.stringify(header)))}.${b64url(Buffer.from(JSON.stringify(payload)))}.${b64url(randomBytes(sigLen))}`;
}

export function awsAccessKeyId() {
    return pick(['AKIA', 'AKIA', 'AKIA', 'ASIA']) + chars(16, UPPER + '234567');
}

export function githubToken() {
    const body = chars(30, ALNUM);
    const tok = pick(['ghp_', 'ghp_', 'ghp_', 'gho_', 'ghs_', 'ghu_']) + body + C.base62(C.crc32(body), 6);
    return tok;
}

export function slackToken() {
    const t = pick(['xoxb', 'xoxb', 'xoxp', 'xoxa', 'xoxs']);
    if (t === 'xoxp') return `xoxp-${digitsNZ(12)}-${digitsNZ(12)}-${digitsNZ(13)}-${hex(32)}`;
    return `${t}-${digitsNZ(12)}-${digitsNZ(13)}-${chars(24, ALNUM)}`;
}

export function stripeKey() {
    return pick(['sk_live_', 'sk_live_', 'sk_live_', 'rk_live_']) + chars(pick([24, 24, 99]), ALNUM);
}

export function opaqueToken() {
    return pick([
        () => chars(40, ALNUM),
        () => hex(64),
        () => b64url(randomBytes(int(24, 48))),
        () => `${chars(8, LOWER + DIGITS)}.${chars(32, ALNUM)}`,
    ])();
}

export function password() {
    return pick([
        () => `${pick(['Summer', 'Winter', 'Autumn', 'Blue', 'Tiger', 'Coffee', 'Monkey', 'Dragon'])}${int(2015, 2026)}${pick(['!', '#', '$', '?', ''])}`,
        () => chars(int(10, 20), ALNUM + '!#$%*-_'),
        () => `${pick(['correct', 'purple', 'silent', 'rocket'])}-${pick(['horse', 'banana', 'river', 'moon'])}-${pick(['battery', 'staple', 'lamp', 'cloud'])}`,
    ])();
}

export function privateKey() {
    const kind = weighted([[40, 'RSA PRIVATE KEY'], [35, 'PRIVATE KEY'], [15, 'EC PRIVATE KEY'], [10, 'OPENSSH PRIVATE KEY']]);
    const size = kind.startsWith('EC') ? 121 : kind.startsWith('OPENSSH') ? int(380, 420) : int(600, 1190);
    const b64 = randomBytes(size).toString('base64');
    const lines = b64.match(/.{1,64}/g);
    return `-----BEGIN ${kind}-----\n${lines.join('\n')}\n-----END ${kind}-----`;
}

// ---------------------------------------------------------------- phones

function nanp() {
    let area;
    do { area = `${int(2, 9)}${int(0, 8)}${int(0, 9)}`; } while (/^.11$/.test(area));
    let ex;
    do { ex = `${int(2, 9)}${digits(2)}`; } while (/^.11$/.test(ex));
    return [area, ex, digits(4)];
}

export const PHONE_COUNTRIES = ['US', 'CA', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'IN', 'BR', 'AU', 'JP', 'MX'];

export function phone(country, opts = {}) {
    country = country || pick(PHONE_COUNTRIES);
    const e164 = opts.e164;
    switch (country) {
    case 'US': case 'CA': {
        const [a, e, l] = nanp();
        if (e164) return `+1${a}${e}${l}`;
        if (opts.bare) return `${a}${e}${l}`;
        return weighted([
            [30, `(${a}) ${e}-${l}`], [20, `${a}-${e}-${l}`], [5, `${a}.${e}.${l}`],
            [10, `+1 ${a} ${e} ${l}`], [15, `+1${a}${e}${l}`], [8, `+1 (${a}) ${e}-${l}`],
            [5, `1-${a}-${e}-${l}`], [5, `+1-${a}-${e}-${l}`],
        ]);
    }
    case 'GB': {
        const kind = pick(['london', 'mobile', 'mobile', 'geo']);
        if (kind === 'london') {
            const n = pick(['7', '3', '8']) + digits(3), m = digits(4);
            if (e164) return `+4420${n}${m}`;
            return weighted([[40, `020 ${n} ${m}`], [40, `+44 20 ${n} ${m}`], [10, `+44 (0)20 ${n} ${m}`], [10, `(020) ${n} ${m}`]]);
        }
        if (kind === 'mobile') {
            const p = '7' + pick(['4', '5', '7', '8', '9']) + digits(2), r = digits(6);
            if (e164) return `+44${p}${r}`;
            return weighted([[40, `0${p} ${r}`], [30, `+44 ${p} ${r}`], [15, `+44${p}${r}`], [15, `0${p} ${r.slice(0, 3)} ${r.slice(3)}`]]);
        }
        const area = pick(['161', '121', '131', '141', '113', '117', '114', '151']);
        const r = digits(7);
        if (e164) return `+44${area}${r}`;
        return weighted([[50, `0${area} ${r.slice(0, 3)} ${r.slice(3)}`], [50, `+44 ${area} ${r.slice(0, 3)} ${r.slice(3)}`]]);
    }
    case 'DE': {
        if (chance(0.5)) {
            const p = pick(['151', '152', '157', '160', '162', '170', '171', '172', '175', '176', '177', '178', '179']);
            const r = digits(p.startsWith('15') ? 8 : pick([7, 8]));
            if (e164) return `+49${p}${r}`;
            return weighted([[35, `0${p} ${r}`], [35, `+49 ${p} ${r}`], [10, `0${p}/${r}`], [10, `+49${p}${r}`], [10, `0${p}-${r}`]]);
        }
        const area = pick(['30', '40', '89', '69', '221', '211', '711', '341', '351', '511']);
        const r = digits(area.length === 2 ? pick([7, 8]) : 7);
        if (e164) return `+49${area}${r}`;
        return weighted([[35, `0${area} ${r}`], [30, `+49 ${area} ${r}`], [15, `+49 (0)${area} ${r}`], [10, `0${area}/${r}`], [10, `0${area}-${r}`]]);
    }
    case 'FR': {
        const first = pick(['1', '2', '3', '4', '5', '6', '6', '7', '9']);
        const pairs = [digits(2), digits(2), digits(2), digits(2)];
        if (e164) return `+33${first}${pairs.join('')}`;
        return weighted([
            [35, `0${first} ${pairs.join(' ')}`], [30, `+33 ${first} ${pairs.join(' ')}`], [10, `+33${first}${pairs.join('')}`],
            [10, `0${first}.${pairs.join('.')}`], [10, `0${first}${pairs.join('')}`], [5, `+33 (0)${first} ${pairs.join(' ')}`],
        ]);
    }
    case 'ES': {
        if (chance(0.65)) {
            const n = pick(['6', '7']) + digits(8);
            if (e164) return `+34${n}`;
            return weighted([[35, `+34 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`], [25, `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`],
                [20, `${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}`], [10, `+34${n}`], [10, `+34 ${n}`]]);
        }
        const n = '9' + pick(['1', '3', '5', '6']) + digits(7);
        if (e164) return `+34${n}`;
        return weighted([[50, `${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5, 7)} ${n.slice(7)}`], [50, `+34 ${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5, 7)} ${n.slice(7)}`]]);
    }
    case 'IT': {
        if (chance(0.5)) {
            const p = '3' + pick(['20', '27', '28', '29', '30', '31', '33', '34', '35', '38', '39', '40', '47', '48', '49', '66', '68', '88', '91', '92']);
            const r = digits(7);
            if (e164) return `+39${p}${r}`;
            return weighted([[35, `+39 ${p} ${r.slice(0, 3)} ${r.slice(3)}`], [35, `${p} ${r.slice(0, 3)} ${r.slice(3)}`], [15, `+39${p}${r}`], [15, `${p} ${r}`]]);
        }
        const area = pick(['06', '02', '011', '055', '081', '051']);
        const r = digits(area.length === 2 ? 8 : 7);
        const g = area.length === 2 ? `${r.slice(0, 4)} ${r.slice(4)}` : `${r.slice(0, 3)} ${r.slice(3)}`;
        if (e164) return `+39${area}${r}`;
        return weighted([[50, `+39 ${area} ${g}`], [50, `${area} ${g}`]]);
    }
    case 'NL': {
        if (chance(0.6)) {
            const r = digits(8);
            if (e164) return `+316${r}`;
            return weighted([[35, `06 ${r}`], [20, `06-${r}`], [30, `+31 6 ${r}`], [15, `+316${r}`]]);
        }
        const area = pick(['20', '10', '70', '30', '40', '50']);
        const r = digits(7);
        if (e164) return `+31${area}${r}`;
        return weighted([[50, `0${area} ${r.slice(0, 3)} ${r.slice(3)}`], [30, `+31 ${area} ${r.slice(0, 3)} ${r.slice(3)}`], [20, `0${area}-${r}`]]);
    }
    case 'IN': {
        const n = pick(['6', '7', '8', '9']) + digits(9);
        if (e164) return `+91${n}`;
        return weighted([[40, `+91 ${n.slice(0, 5)} ${n.slice(5)}`], [20, `${n.slice(0, 5)} ${n.slice(5)}`], [20, `+91-${n}`], [20, `+91${n}`]]);
    }
    case 'BR': {
        const ddd = pick(['11', '21', '31', '41', '51', '61', '71', '81', '85', '19', '27', '48']);
        const mobile = chance(0.7);
        const r = mobile ? '9' + int(6, 9) + digits(7) : String(int(2, 5)) + digits(7);
        const fmt = mobile ? `${r.slice(0, 5)}-${r.slice(5)}` : `${r.slice(0, 4)}-${r.slice(4)}`;
        if (e164) return `+55${ddd}${r}`;
        return weighted([[40, `(${ddd}) ${fmt}`], [30, `+55 ${ddd} ${fmt}`], [15, `+55 (${ddd}) ${fmt}`], [15, `+55${ddd}${r}`]]);
    }
    case 'AU': {
        if (chance(0.55)) {
            const r = '4' + digits(8);
            if (e164) return `+61${r}`;
            return weighted([[40, `0${r.slice(0, 3)} ${r.slice(3, 6)} ${r.slice(6)}`], [35, `+61 ${r.slice(0, 3)} ${r.slice(3, 6)} ${r.slice(6)}`], [25, `+61${r}`]]);
        }
        const area = pick(['2', '3', '7', '8']);
        const r = String(int(3, 9)) + digits(7);
        if (e164) return `+61${area}${r}`;
        return weighted([[35, `+61 ${area} ${r.slice(0, 4)} ${r.slice(4)}`], [35, `(0${area}) ${r.slice(0, 4)} ${r.slice(4)}`], [30, `0${area} ${r.slice(0, 4)} ${r.slice(4)}`]]);
    }
    case 'JP': {
        const kind = pick(['tokyo', 'mobile', 'mobile', 'other']);
        if (kind === 'mobile') {
            const p = pick(['90', '80', '70']), a = digits(4), b = digits(4);
            if (e164) return `+81${p}${a}${b}`;
            return weighted([[50, `0${p}-${a}-${b}`], [25, `+81 ${p}-${a}-${b}`], [15, `+81 ${p} ${a} ${b}`], [10, `+81${p}${a}${b}`]]);
        }
        if (kind === 'tokyo') {
            const p = pick(['3', '6']), a = digits(4), b = digits(4);
            if (e164) return `+81${p}${a}${b}`;
            return weighted([[60, `0${p}-${a}-${b}`], [40, `+81 ${p}-${a}-${b}`]]);
        }
        const p = pick(['45', '52', '92', '11', '75']), a = digits(3), b = digits(4);
        if (e164) return `+81${p}${a}${b}`;
        return weighted([[70, `0${p}-${a}-${b}`], [30, `+81 ${p}-${a}-${b}`]]);
    }
    case 'MX': {
        const area = pick(['55', '33', '81']);
        const a = digits(4), b = digits(4);
        if (e164) return `+52${area}${a}${b}`;
        return weighted([[40, `+52 ${area} ${a} ${b}`], [25, `${area} ${a} ${b}`], [10, `+52 1 ${area} ${a} ${b}`], [10, `(${area}) ${a} ${b}`], [15, `+52${area}${a}${b}`]]);
    }
    default:
        throw new Error('phone country ' + country);
    }
}

// ---------------------------------------------------------------- dates

const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function birthDate(style) {
    const y = int(1940, 2006), m = int(1, 12), d = int(1, 28);
    style = style || pick(['iso', 'iso', 'us', 'eu', 'eu_dot', 'long']);
    switch (style) {
    case 'ja': return `${y}年${m}月${d}日`;
    case 'iso': return `${y}-${pad(m, 2)}-${pad(d, 2)}`;
    case 'us': return `${pad(m, 2)}/${pad(d, 2)}/${y}`;
    case 'eu': return `${pad(d, 2)}/${pad(m, 2)}/${y}`;
    case 'eu_dot': return `${pad(d, 2)}.${pad(m, 2)}.${y}`;
    default: return `${MONTHS_EN[m - 1]} ${d}, ${y}`;
    }
}

// ---------------------------------------------------------------- hard negatives

export function isoTimestamp() {
    const y = int(2023, 2026), mo = int(1, 12), d = int(1, 28), h = int(0, 23), mi = int(0, 59), s = int(0, 59);
    const base = `${y}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`;
    return pick([`${base}Z`, `${base}.${digits(3)}Z`, `${base}+00:00`, `${base}.${digits(6)}+02:00`, `${base}-05:00`,
        `${base.replace('T', ' ')}`, `${base.replace('T', ' ')}.${digits(3)}`]);
}

export function epochSeconds() { return String(int(1672531200, 1798761600)); }
export function epochMillis() { return String(int(1672531200, 1798761600)) + digits(3); }

export function uuid() {
    const v = pick(['4', '4', '4', '7', '1']);
    return `${hex(8)}-${hex(4)}-${v}${hex(3)}-${pick('89ab')}${hex(3)}-${hex(12)}`;
}

export function orderId() {
    return pick([
        () => `ORD-${int(2023, 2026)}-${pad(int(1, 999999), 6)}`,
        () => `#${int(1001, 99999)}`,
        () => `${digits(3)}-${digits(7)}-${digits(7)}`, // marketplace style 3-7-7
        () => `SO${digitsNZ(8)}`,
        () => `ord_${chars(14, ALNUM)}`,
        () => `${pick(['A', 'B', 'W', 'R'])}${digitsNZ(6)}-${int(1, 9)}`,
        () => `PO-${pad(int(1, 99999), 5)}`,
    ])();
}

export function chromeVersion() {
    return pick([
        `Chrome/${int(110, 131)}.0.0.0`, `Chrome/${int(110, 131)}.0.${int(4000, 6800)}.${int(10, 250)}`,
        `Firefox/${int(110, 133)}.0`, `Edg/${int(110, 131)}.0.${int(1500, 2900)}.${int(10, 99)}`,
        `Version/${int(15, 18)}.${int(0, 6)}.${int(1, 9)}`, `OPR/${int(90, 115)}.0.${int(4000, 5500)}.${int(10, 99)}`,
    ]);
}

export function fourPartVersion() {
    return `${int(1, 12)}.${int(0, 20)}.${int(0, 40)}.${int(0, 9999)}`;
}

export function semver() {
    return pick([
        `${int(0, 9)}.${int(0, 30)}.${int(0, 40)}`, `v${int(0, 9)}.${int(0, 30)}.${int(0, 40)}`,
        `${int(1, 5)}.${int(0, 12)}.${int(0, 9)}-${pick(['beta', 'rc', 'alpha'])}.${int(1, 9)}`,
    ]);
}

export function price() {
    const v = int(1, 4999) + int(0, 99) / 100;
    return pick([
        v.toFixed(2), `$${v.toFixed(2)}`, `€${v.toFixed(2).replace('.', ',')}`, `£${v.toFixed(2)}`,
        `${v.toFixed(2)} EUR`, `R$ ${v.toFixed(2).replace('.', ',')}`, `¥${int(100, 99999)}`, `USD ${v.toFixed(2)}`,
    ]);
}

export function sku() {
    return pick([
        () => `SKU-${chars(3, UPPER)}-${digits(5)}`, () => `${chars(2, UPPER)}${digits(4)}-${chars(2, UPPER)}-${pick(['S', 'M', 'L', 'XL'])}`,
        () => `B0${chars(8, UPPER + DIGITS)}`, () => `${chars(3, UPPER)}-${digits(3)}-${digits(2)}`,
    ])();
}

// UPS 1Z with its mod-10 check digit; FedEx 12 digits; USPS 20-22 digits.
export function trackingNumber() {
    return pick([
        () => {
            const body = chars(6, UPPER + DIGITS) + pick(['01', '02', '03', '12', '13', '42']) + digits(7);
            let s = 0;
            for (let i = 0; i < body.length; i++) {
                const ch = body[i];
                const v = /\d/.test(ch) ? +ch : ((ch.charCodeAt(0) - 63) % 10);
                s += (i % 2 === 1) ? v * 2 : v;
            }
            return `1Z${body}${(10 - (s % 10)) % 10}`;
        },
        () => {
            let d;
            do { d = digitsNZ(12); } while (/^(5018|5020|5038|5893|6304|6759|676[1-3])/.test(d) && C.luhnValid(d));
            return d;
        },
        () => pick(['9400', '9205', '9270', '9361']) + digits(int(16, 18)),
        () => `${chars(2, UPPER)}${digits(9)}${pick(['US', 'GB', 'DE', 'FR', 'CN'])}`,
    ])();
}

export function hexHash() {
    return pick([() => hex(40), () => hex(64), () => hex(32), () => hex(7), () => hex(12)])();
}

export function base64Blob() {
    return randomBytes(int(18, 120)).toString('base64');
}

export function isbn() {
    if (chance(0.25)) {
        // ISBN-10: weights 10..2, check digit mod 11 (X for 10).
        const body = String(int(0, 1)) + digits(8);
        let s = 0;
        for (let i = 0; i < 9; i++) s += (10 - i) * (+body[i]);
        const c = (11 - (s % 11)) % 11;
        const n = body + (c === 10 ? 'X' : String(c));
        return pick([`${n[0]}-${n.slice(1, 4)}-${n.slice(4, 9)}-${n[9]}`, `ISBN ${n[0]}-${n.slice(1, 4)}-${n.slice(4, 9)}-${n[9]}`, `ISBN-10 ${n}`]);
    }
    const prefix = pick(['978', '979']);
    const body = prefix + digits(9);
    let s = 0;
    for (let i = 0; i < 12; i++) s += (+body[i]) * (i % 2 ? 3 : 1);
    const n = body + ((10 - (s % 10)) % 10);
    return pick([n, `${n.slice(0, 3)}-${n[3]}-${n.slice(4, 7)}-${n.slice(7, 12)}-${n[12]}`, `ISBN ${n}`,
        `${n.slice(0, 3)}-${n.slice(3, 5)}-${n.slice(5, 9)}-${n.slice(9, 12)}-${n[12]}`]);
}

export function invoiceNumber() {
    return pick([
        () => `INV-${int(2023, 2026)}-${pad(int(1, 99999), 5)}`, () => `F${int(2023, 2026)}/${pad(int(1, 9999), 5)}`,
        () => `in_${chars(24, ALNUM)}`, () => `RE-${digits(6)}`, () => `${int(2023, 2026)}${pad(int(1, 12), 2)}-${pad(int(1, 9999), 4)}`,
    ])();
}

export function zipCode(country) {
    switch (country || pick(['US', 'GB', 'DE', 'FR', 'NL', 'BR', 'JP', 'IN', 'AU', 'ES', 'IT', 'MX'])) {
    case 'US': return chance(0.8) ? digits(5) : `${digits(5)}-${digits(4)}`;
    case 'GB': return `${pick(['SW1A', 'EC1A', 'W1A', 'M1', 'B33', 'CR2', 'LS1', 'G2'])} ${int(1, 9)}${chars(2, 'ABDEFGHJLNPQRSTUWXYZ')}`;
    case 'NL': return `${int(1000, 9999)} ${chars(2, 'ABCDEFGHJKLMNPRSTVWXZ')}`;
    case 'BR': return `${digits(5)}-${digits(3)}`;
    case 'JP': return `${digits(3)}-${digits(4)}`;
    case 'IN': return `${int(1, 8)}${digits(5)}`;
    case 'AU': return String(int(2000, 7999));
    default: return pad(int(1000, 95999), 5);
    }
}

export function coordinates() {
    const lat = (rand() * 140 - 70).toFixed(int(4, 6)), lon = (rand() * 340 - 170).toFixed(int(4, 6));
    return pick([`${lat},${lon}`, `${lat}, ${lon}`]);
}

export function requestId() {
    return pick([
        () => `req_${chars(14, ALNUM)}`, () => uuid(), () => hex(32), () => `${hex(8)}-${hex(4)}`,
        () => `Root=1-${hex(8)}-${hex(24)}`, () => chars(20, UPPER + DIGITS),
    ])();
}

export function gitCommit() { return hex(40); }
