// Checks a written corpus against its labels, without faker: every label
// lies inside its record, labels do not overlap, and the labeled bytes,
// once the record's encoding is undone (JSON escapes, percent-encoding,
// full-width forms, separators), are a valid value of their type by its
// specification, while checksum hard negatives fail their checksum.
//
//   node verify.mjs ../seed-a
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import net from 'node:net';
import * as id from './lib/ids.mjs';
import { githubTokenValid } from './lib/secrets.mjs';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node verify.mjs CORPUS_DIR');
  process.exit(2);
}

const labels = zlib.gunzipSync(fs.readFileSync(path.join(dir, 'labels.jsonl.gz'))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
const files = {};
for (const l of labels) files[l.file] ??= zlib.gunzipSync(fs.readFileSync(path.join(dir, `${l.file}.gz`)));

function decode(file, raw, type) {
  let s = raw;
  if (file.endsWith('.jsonl')) {
    // A span inside a JSON string: undo the string escapes.
    s = JSON.parse(`"${s.replace(/(^|[^\\])"/g, '$1\\"')}"`);
  }
  // CSV doubles quotes inside quoted fields; logfmt escapes them.
  if (file === 'csv.txt') s = s.replace(/""/g, '"');
  if (file === 'logs.txt') s = s.replace(/\\"/g, '"');
  // A zone id such as %12 is not an escape; in a URI its '%' is %25.
  // A percent-encoded address has its colons encoded as %3A.
  if (type === 'ipv6' && !/%3A/i.test(s)) s = s.replace('%25', '%');
  else if (/%[0-9A-Fa-f]{2}/.test(s)) {
    try {
      s = decodeURIComponent(file === 'form.txt' ? s.replace(/\+/g, ' ') : s);
    } catch {
      /* not percent-encoded after all */
    }
  } else if (file === 'form.txt') s = s.replace(/\+/g, ' ');
  return s.normalize('NFKC');
}

const strip = (s) => s.replace(/[\s\-.()\/\u00a0\u202f\u2009\u3000]/g, '');

const b64json = (part) => JSON.parse(Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));

const CHECK = {
  credit_card: (v) => { const d = strip(v); return /^\d{12,19}$/.test(d) && id.luhnValid(d); },
  iban: (v) => id.ibanValid(strip(v).toUpperCase()),
  us_ssn: (v) => id.ssnValid(strip(v)),
  us_itin: (v) => /^9\d{2}(5\d|6[0-5]|7\d|8[0-8]|9[0-2]|9[4-9])\d{4}$/.test(strip(v)),
  us_bank_routing: (v) => id.abaValid(strip(v)),
  uk_nino: (v) => /^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/.test(strip(v).toUpperCase()),
  uk_nhs: (v) => { const d = strip(v); return /^\d{10}$/.test(d) && id.nhsCheckDigit(d.slice(0, 9)) === d[9]; },
  ca_sin: (v) => { const d = strip(v); return /^\d{9}$/.test(d) && id.luhnValid(d); },
  es_dni: (v) => { const d = strip(v).toUpperCase(); return /^\d{8}[A-Z]$/.test(d) && id.dniLetter(d.slice(0, 8)) === d[8]; },
  es_nie: (v) => { const d = strip(v).toUpperCase(); return /^[XYZ]\d{7}[A-Z]$/.test(d) && id.dniLetter('XYZ'.indexOf(d[0]) + d.slice(1, 8)) === d[8]; },
  it_fiscal_code: (v) => { const d = v.toUpperCase(); return /^[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]$/.test(d) && id.cfCheckChar(d.slice(0, 15)) === d[15]; },
  fr_nir: (v) => { const d = strip(v).toUpperCase(); return /^[12]\d{4}(\d{2}|2A|2B)\d{8}$/.test(d) && id.nirKey(d.slice(0, 13)) === d.slice(13); },
  nl_bsn: (v) => id.bsnValid(strip(v)),
  br_cpf: (v) => id.cpfValid(strip(v)),
  in_aadhaar: (v) => { const d = strip(v); return /^[2-9]\d{11}$/.test(d) && id.verhoeffValid(d); },
  cn_resident_id: (v) => /^\d{17}[\dX]$/.test(v) && id.cnCheckChar(v.slice(0, 17)) === v[17],
  email: (v) => /^("[^"]+"|[^\s@"]+)@[^\s@]+\.[^\s@]+$/.test(v),
  // E.164 allows at most 15 digits after the country code's '+' (or the
  // 00 international prefix); a trunk '(0)' is not dialled.
  phone: (v) => { const d = v.replace('(0)', '').replace(/^\(?(\+|00)/, '').replace(/\D/g, ''); return d.length >= 8 && d.length <= 15; },
  ipv4: (v) => net.isIPv4(v),
  ipv6: (v) => net.isIPv6(v),
  mac_address: (v) => /^([0-9a-f]{2}([:-])[0-9a-f]{2}(\2[0-9a-f]{2}){4}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})$/i.test(v),
  jwt: (v) => { const p = v.split('.'); return p.length === 3 && typeof b64json(p[0]).alg === 'string' && typeof b64json(p[1]) === 'object'; },
  github_token: (v) => githubTokenValid(v) || /^github_pat_\w{22}_\w{59}$/.test(v),
  npm_token: (v) => githubTokenValid(v),
  aws_access_key_id: (v) => /^(AKIA|ASIA)[A-Z2-7]{16}$/.test(v),
  private_key: (v) => /^-----BEGIN ([A-Z ]+)-----\n[\s\S]+\n-----END \1-----$/.test(v),
  slack_token: (v) => /^xox[bp]-\d+-\d+(-\d+)?-[0-9A-Za-z]+$|^xapp-1-/.test(v),
  stripe_key: (v) => /^(sk|rk)_(live|test)_[0-9A-Za-z]{24,99}$/.test(v),
  openai_api_key: (v) => v.startsWith('sk-') && v.includes('T3BlbkFJ'),
  anthropic_api_key: (v) => /^sk-ant-(api03|admin01)-[\w-]{93}AA$/.test(v),
  google_api_key: (v) => /^AIza[\w-]{35}$/.test(v),
  gitlab_token: (v) => /^(glpat|gldt|glrt)-[\w-]{20}$/.test(v),
  pypi_token: (v) => v.startsWith('pypi-AgEIcHlwaS5vcmc'),
  sendgrid_api_key: (v) => /^SG\.[\w-]{22}\.[\w-]{43}$/.test(v),
  twilio_api_key: (v) => /^SK[0-9a-f]{32}$/.test(v),
  aws_secret_access_key: (v) => /^[A-Za-z0-9+/]{40}$/.test(v),
  slack_webhook: (v) => /^T[A-Z0-9]{8,10}\/B[A-Z0-9]{8,10}\/[A-Za-z0-9]{24}$/.test(v),
  password: (v) => v.length >= 6,
  url_credentials: (v) => v.includes(':') && !v.includes('@'),
  person_name: (v) => v.trim() === v && v.length > 0 && !/[@\d]/.test(v),
  address: (v) => /\d/.test(v),
  date_of_birth: (v) => /\d/.test(v),
};

const NEG_CHECK = {
  card_luhn_fail: (v) => !id.luhnValid(strip(v)),
  iban_bad_check: (v) => !id.ibanValid(strip(v).toUpperCase()),
  ssn_invalid: (v) => !id.ssnValid(strip(v)),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(v),
};

let errors = 0;
const fail = (msg) => {
  if (errors++ < 20) console.error(msg);
};
const checked = {};
for (const [i, rec] of labels.entries()) {
  const buf = files[rec.file];
  if (rec.offset + rec.length > buf.length) fail(`record ${i} runs past the end of ${rec.file}`);
  const spans = [...rec.pii.map((p) => [p[1], p[2], p[0], true]), ...rec.neg.map((n) => [n[1], n[2], n[0], false])].sort((a, b) => a[0] - b[0]);
  let end = 0;
  for (const [s, n, t, isPii] of spans) {
    if (s < end) fail(`record ${i} (${rec.kind}): labels overlap at ${s}`);
    end = s + n;
    if (s < 0 || s + n > rec.length) {
      fail(`record ${i} (${rec.kind}): label ${t} outside the record`);
      continue;
    }
    const raw = buf.subarray(rec.offset + s, rec.offset + s + n).toString('utf8');
    let v;
    try {
      v = decode(rec.file, raw, t);
    } catch (e) {
      fail(`record ${i} (${rec.kind}): ${t} does not decode: ${e.message}`);
      continue;
    }
    const check = isPii ? CHECK[t] : NEG_CHECK[t];
    if (isPii && !check) fail(`no check for type ${t}`);
    if (!check) continue;
    checked[t] = (checked[t] || 0) + 1;
    // Shapes only: never print a value.
    if (!check(v)) fail(`record ${i} (${rec.kind}): ${isPii ? '' : 'negative '}${t} fails its check: ${raw.replace(/\d/g, '9').replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A')}`);
  }
  for (const p of rec.pii) {
    // The optional context: "text" (running text) or "key" (a name under a
    // key that says it is a name).
    if (p.length > 3 && !(p[3] === 'text' || (p[3] === 'key' && p[0] === 'person_name'))) fail(`record ${i} (${rec.kind}): bad context ${p[3]} for ${p[0]}`);
  }
  if (rec.clean !== (rec.pii.length === 0)) fail(`record ${i}: clean flag disagrees with its labels`);
}
const total = Object.values(checked).reduce((a, b) => a + b, 0);
if (errors) {
  console.error(`verify: ${errors} problems in ${labels.length} records`);
  process.exit(1);
}
console.log(`verify: ${labels.length} records, ${total} labeled values checked against their specification: ok`);
