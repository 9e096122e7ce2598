// PII values as labeled pieces, typed the way people in a locale type
// them. ctx: {r, locKey, loc, person}.
import * as id from './ids.mjs';
import * as net from './net.mjs';
import * as sec from './secrets.mjs';
import { phone as phoneText, PHONE_COUNTRIES_BY_LANG } from './phones.mjs';
import { address as addressOf, ADDRESS_COUNTRIES, dateText, LOCALES, person as newPerson } from './people.mjs';
import { pii, fullWidth, NBSP, THIN, NNBSP } from './seg.mjs';

const digitSep = (r, lang) => r.weighted([[10, ' '], [4, '-'], [3, ''], [1, NBSP], [1, THIN], [lang === 'fr' ? 2 : 0.3, NNBSP], [0.5, '.']]);

export function cardText(r, lang, number = null) {
  const n = number || id.cardNumber(r).number;
  const sep = digitSep(r, lang);
  let s = id.groups(n, id.cardGroups(n), sep);
  if (lang === 'ja' && r.chance(0.3)) s = fullWidth(s, '-');
  return s;
}

export const IBAN_BY_LANG = {
  de: [[6, 'DE'], [2, 'AT'], [2, 'CH'], [1, 'LI']], fr: [[6, 'FR'], [2, 'BE'], [1, 'LU'], [1, 'MC']],
  es: [[1, 'ES']], it: [[6, 'IT'], [1, 'SM']], nl: [[6, 'NL'], [2, 'BE']], pt: [[5, 'PT'], [2, 'BR']],
  en: [[4, 'GB'], [2, 'IE'], [1, 'MT']],
};

export function ibanText(r, lang) {
  const country = r.chance(0.75) && IBAN_BY_LANG[lang] ? r.weighted(IBAN_BY_LANG[lang]) : null;
  const s = id.iban(r, country);
  return r.weighted([
    [5, () => id.ibanPrint(s)], [4, () => s], [0.4, () => s.toLowerCase()], [0.5, () => id.ibanPrint(s, NBSP)], [0.4, () => id.ibanPrint(s, '-')],
  ])();
}

export function phoneFor(r, lang, country = null) {
  const c = country || r.weighted(PHONE_COUNTRIES_BY_LANG[lang] || PHONE_COUNTRIES_BY_LANG.en);
  let s = phoneText(r, c);
  if (lang === 'ja' && r.chance(0.25)) s = fullWidth(s, '-+()');
  return s;
}

export function emailFor(r, lang, p) {
  let s = net.email(r, lang, p);
  if (lang === 'ja' && r.chance(0.15)) s = s.replace('@', '\uff20');
  return s;
}

const ADDRESS_BY_LOC = { en_US: 'US', en_GB: 'GB', de: 'DE', fr: 'FR', es: 'ES', it: 'IT', nl: 'NL' };

export function addressFor(r, locKey) {
  return addressOf(r, ADDRESS_BY_LOC[locKey] || r.pick(ADDRESS_COUNTRIES));
}

const fmt3 = (s, sep) => `${s.slice(0, 3)}${sep}${s.slice(3, 5)}${sep}${s.slice(5)}`;

// National identifiers, formatted.
export const NATIONAL = {
  us_ssn: (r) => { const s = id.ssn(r); return r.weighted([[7, () => fmt3(s, '-')], [2, () => fmt3(s, ' ')], [2, () => s]])(); },
  us_itin: (r) => { const s = id.itin(r); return r.weighted([[8, () => fmt3(s, '-')], [1, () => fmt3(s, ' ')], [1, () => s]])(); },
  uk_nino: (r) => { const s = id.nino(r); return r.weighted([[5, () => `${s.slice(0, 2)} ${s.slice(2, 4)} ${s.slice(4, 6)} ${s.slice(6, 8)} ${s[8]}`], [4, () => s], [1, () => s.toLowerCase()]])(); },
  uk_nhs: (r) => { const s = id.nhsNumber(r); return r.weighted([[6, () => `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6)}`], [2, () => s], [1, () => `${s.slice(0, 3)}-${s.slice(3, 6)}-${s.slice(6)}`]])(); },
  ca_sin: (r) => { const s = id.caSin(r); return r.weighted([[5, () => `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6)}`], [3, () => `${s.slice(0, 3)}-${s.slice(3, 6)}-${s.slice(6)}`], [2, () => s]])(); },
  es_dni: (r) => { const s = id.esDni(r); return r.weighted([[6, () => s], [2, () => `${s.slice(0, 8)}-${s[8]}`], [1, () => `${s.slice(0, 2)}.${s.slice(2, 5)}.${s.slice(5, 8)}-${s[8]}`], [1, () => `${s.slice(0, 8)} ${s[8]}`]])(); },
  es_nie: (r) => { const s = id.esNie(r); return r.weighted([[6, () => s], [3, () => `${s[0]}-${s.slice(1, 8)}-${s[8]}`], [1, () => `${s[0]} ${s.slice(1, 8)} ${s[8]}`]])(); },
  it_fiscal_code: (r, p) => {
    const d = p.dob;
    const s = id.itFiscalCode(r, { surname: p.last, name: p.first, female: p.female, year: d.year, month: d.month, day: d.day });
    return r.chance(0.06) ? s.toLowerCase() : s;
  },
  fr_nir: (r, p) => { const s = id.frNir(r, { female: p.female, year: p.dob.year, month: p.dob.month }); return r.weighted([[5, () => id.nirPrint(s)], [3, () => s], [1, () => id.nirPrint(s, NNBSP)], [1, () => `${s.slice(0, 13)} ${s.slice(13)}`]])(); },
  nl_bsn: (r) => { const s = id.nlBsn(r); return r.weighted([[6, () => s], [2, () => `${s.slice(0, 4)}.${s.slice(4, 6)}.${s.slice(6)}`], [2, () => `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6)}`]])(); },
  br_cpf: (r) => { const s = id.brCpf(r); return r.weighted([[7, () => id.cpfPrint(s)], [2, () => s], [1, () => `${s.slice(0, 9)}-${s.slice(9)}`]])(); },
  in_aadhaar: (r) => { const s = id.aadhaar(r); return r.weighted([[6, () => `${s.slice(0, 4)} ${s.slice(4, 8)} ${s.slice(8)}`], [2, () => s], [1, () => `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`], [1, () => `${s.slice(0, 4)}${NBSP}${s.slice(4, 8)}${NBSP}${s.slice(8)}`]])(); },
  cn_resident_id: (r, p) => id.cnResidentId(r, { year: p.dob.year, month: p.dob.month, day: p.dob.day, female: p.female }),
};

// The identifiers that go with each locale.
export const NATIONAL_BY_LOC = {
  en_US: [[8, 'us_ssn'], [2, 'us_itin']], en_GB: [[5, 'uk_nino'], [4, 'uk_nhs']], de: [], fr: [[1, 'fr_nir']],
  es: [[6, 'es_dni'], [3, 'es_nie']], it: [[1, 'it_fiscal_code']], nl: [[1, 'nl_bsn']], pt_BR: [[1, 'br_cpf']], pt_PT: [], ja: [],
};

export function national(r, type, p) {
  return pii(type, NATIONAL[type](r, p));
}

// Credentials: [type, value].
export const CREDENTIALS = {
  aws_access_key_id: (r) => sec.awsAccessKeyId(r),
  aws_secret_access_key: (r) => sec.awsSecretAccessKey(r),
  github_token: (r) => sec.githubAnyToken(r),
  slack_token: (r) => sec.slackToken(r),
  stripe_key: (r) => sec.stripeKey(r),
  openai_api_key: (r) => sec.openaiKey(r),
  anthropic_api_key: (r) => sec.anthropicKey(r),
  google_api_key: (r) => sec.googleApiKey(r),
  gitlab_token: (r) => sec.gitlabToken(r),
  npm_token: (r) => sec.npmToken(r),
  pypi_token: (r) => sec.pypiToken(r),
  sendgrid_api_key: (r) => sec.sendgridKey(r),
  twilio_api_key: (r) => sec.twilioApiKey(r),
};

// Key names under which each credential is usually stored.
export const CREDENTIAL_KEYS = {
  aws_access_key_id: ['aws_access_key_id', 'AWS_ACCESS_KEY_ID', 'accessKeyId'],
  aws_secret_access_key: ['aws_secret_access_key', 'AWS_SECRET_ACCESS_KEY', 'secretAccessKey'],
  github_token: ['GITHUB_TOKEN', 'github_token', 'GH_TOKEN'],
  slack_token: ['SLACK_BOT_TOKEN', 'slack_token', 'botToken'],
  stripe_key: ['STRIPE_SECRET_KEY', 'stripe_secret', 'stripeKey'],
  openai_api_key: ['OPENAI_API_KEY', 'openai_key', 'openaiApiKey'],
  anthropic_api_key: ['ANTHROPIC_API_KEY', 'anthropic_key', 'x-api-key'],
  google_api_key: ['GOOGLE_API_KEY', 'maps_api_key', 'key'],
  gitlab_token: ['GITLAB_TOKEN', 'PRIVATE-TOKEN', 'gitlab_pat'],
  npm_token: ['NPM_TOKEN', '_authToken', 'npm_token'],
  pypi_token: ['PYPI_TOKEN', 'TWINE_PASSWORD', 'pypi_api_token'],
  sendgrid_api_key: ['SENDGRID_API_KEY', 'sendgrid_key', 'apiKey'],
  twilio_api_key: ['TWILIO_API_KEY', 'twilio_key_sid', 'apiKeySid'],
};

export const CREDENTIAL_WEIGHTS = [
  [3, 'aws_access_key_id'], [2, 'aws_secret_access_key'], [3, 'github_token'], [3, 'slack_token'], [3, 'stripe_key'],
  [3, 'openai_api_key'], [2, 'anthropic_api_key'], [2, 'google_api_key'], [2, 'gitlab_token'], [2, 'npm_token'],
  [1, 'pypi_token'], [2, 'sendgrid_api_key'], [2, 'twilio_api_key'],
];

export function credential(r, type = null) {
  const t = type || r.weighted(CREDENTIAL_WEIGHTS);
  return { type: t, value: CREDENTIALS[t](r) };
}

export function makeCtx(r, locKey) {
  const loc = LOCALES[locKey];
  return { r, locKey, loc, lang: loc.lang, person: newPerson(r, loc) };
}

export function dobText(ctx, p = ctx.person) {
  return dateText(ctx.r, ctx.locKey, p.dob);
}

export { cardText as card };
