// A record is one line of one corpus file plus its labels. Templates call
// P() for each PII value and N() for each hard negative they put in the line;
// finish() computes the raw form of every value as it appears in the line
// and checks that it is really there.

import { jsonEncode, jsonStringContent } from './encode.mjs';

export const PII_TYPES = new Set(['credit_card', 'iban', 'us_ssn', 'us_itin', 'email', 'phone', 'ipv4', 'ipv6',
    'mac_address', 'us_bank_routing', 'uk_nino', 'uk_nhs', 'ca_sin', 'es_dni', 'es_nie', 'it_fiscal_code', 'fr_nir',
    'nl_bsn', 'br_cpf', 'in_aadhaar', 'cn_resident_id', 'jwt', 'aws_access_key_id', 'github_token', 'slack_token',
    'stripe_key', 'bearer_token', 'url_credentials', 'private_key', 'date_of_birth', 'person_name', 'secret_field']);

export const NEG_TYPES = new Set(['checksum_fail', 'order_id', 'uuid', 'timestamp', 'epoch', 'version', 'price', 'sku',
    'tracking_number', 'hash', 'masked_card', 'base64', 'isbn', 'invoice_number', 'zip_code', 'quantity',
    'coordinates', 'http_status', 'latency', 'request_id', 'semver', 'filename']);

let cur = null;

export function begin(file, kind) {
    cur = { file, kind, values: [], enc: null };
}

// enc: how the value is written: 'plain' (as is), or a pre-encoded raw string.
export function P(type, value, raw) {
    if (!PII_TYPES.has(type)) throw new Error('unknown PII type ' + type);
    if (cur.kind === 'clean') throw new Error('PII in a clean record');
    cur.values.push({ type, value: String(value), raw, neg: false });
    return value;
}

export function N(type, value, raw) {
    if (!NEG_TYPES.has(type)) throw new Error('unknown negative type ' + type);
    cur.values.push({ type, value: String(value), raw, neg: true });
    return value;
}

const ALNUM = /[A-Za-z0-9]/;

// Every occurrence of <needle> in <hay> (Buffers) that is not glued to an
// ASCII letter or digit on a side where the value itself starts/ends with one.
// The harness uses the same rule.
export function occurrences(hay, needle) {
    const out = [];
    if (needle.length === 0) return out;
    const first = String.fromCharCode(needle[0]), last = String.fromCharCode(needle[needle.length - 1]);
    let i = hay.indexOf(needle);
    while (i !== -1) {
        const before = i > 0 ? String.fromCharCode(hay[i - 1]) : '';
        const after = i + needle.length < hay.length ? String.fromCharCode(hay[i + needle.length]) : '';
        // An escape right before the value ends the previous character, so it
        // is a boundary: %AF in an encoded form, \u00e9 or \n in JSON strings.
        const back = hay.subarray(Math.max(0, i - 6), i).toString('latin1');
        const escaped = /%[0-9A-Fa-f]{2}$/.test(back) || /\\u[0-9A-Fa-f]{4}$/.test(back) || /\\[nrt]$/.test(back);
        const okStart = escaped || !(ALNUM.test(first) && before && ALNUM.test(before));
        const okEnd = !(ALNUM.test(last) && after && ALNUM.test(after));
        if (okStart && okEnd) out.push([i, i + needle.length]);
        i = hay.indexOf(needle, i + 1);
    }
    return out;
}

// Build the line. For JSON records <doc> is an object and <style> the encoder
// style; string values are labeled in their escaped form.
export function finishJson(doc, style) {
    for (const v of cur.values) {
        if (v.raw === undefined) v.raw = jsonStringContent(v.value, style);
    }
    return finish(jsonEncode(doc, style));
}

export function finish(line) {
    const rec = cur;
    cur = null;
    if (line.includes('\n') || line.includes('\r')) throw new Error('newline inside a record: ' + rec.file);
    if (rec.file === 'json.jsonl') JSON.parse(line);
    const buf = Buffer.from(line, 'utf8');
    const values = [];
    const seen = new Set();
    const piiSpans = [];
    for (const v of rec.values) {
        const raw = v.raw === undefined ? v.value : v.raw;
        const key = (v.neg ? 'n:' : 'p:') + v.type + '\0' + raw;
        if (seen.has(key)) continue;
        seen.add(key);
        const occ = occurrences(buf, Buffer.from(raw, 'utf8'));
        if (occ.length === 0) throw new Error(`label not found in line (${rec.file} ${v.type})`);
        if (!v.neg) piiSpans.push(...occ);
        values.push({ type: v.type, value: raw, neg: v.neg, occ });
    }
    // A PII occurrence strictly inside another PII value (a first name inside
    // the email address) is covered by that value; it is not counted on its own.
    for (const v of values) {
        if (v.neg) continue;
        const own = v.occ.filter(([a, b]) => !piiSpans.some(([c, d]) => c <= a && b <= d && (d - c) > (b - a)));
        if (own.length === 0) return null;
    }
    // A negative must not share bytes with a PII value: it would be "touched"
    // by a correct redaction of the PII. Such a line is rejected and redrawn.
    for (const v of values) {
        if (!v.neg) continue;
        for (const [a, b] of v.occ) {
            for (const [c, d] of piiSpans) {
                if (a < d && c < b) return null;
            }
        }
    }
    if (rec.kind === 'pii' && !values.some((v) => !v.neg)) throw new Error('pii record without PII');
    if (rec.kind === 'negative' && (values.length === 0 || values.some((v) => !v.neg))) throw new Error('bad negative record');
    return {
        file: rec.file, kind: rec.kind, line,
        values: values.map((v) => (v.neg ? { type: v.type, value: v.value, neg: true } : { type: v.type, value: v.value })),
    };
}
