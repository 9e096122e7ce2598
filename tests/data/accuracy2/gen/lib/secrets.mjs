// Credentials in the formats their issuers publish. Values are random;
// none is a live credential.
import { B62 } from './rng.mjs';

let CRC_TABLE = null;

// CRC-32 (ISO-HDLC, the zlib polynomial 0xEDB88320 reflected).
export function crc32(text) {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of Buffer.from(text, 'utf8')) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function base62(n, width) {
  let s = '';
  do {
    s = B62[n % 62] + s;
    n = Math.floor(n / 62);
  } while (n > 0);
  return s.padStart(width, '0');
}

// GitHub's token format (github.blog, 2021-04-05): a prefix, 30 random
// base62 characters and their CRC32 in 6 base62 characters. npm's granular
// tokens (npm_, 2021-09-23) use the same layout.
export function githubToken(r, prefix) {
  const entropy = r.alnum(30);
  return prefix + entropy + base62(crc32(entropy), 6);
}

export function githubTokenValid(tok) {
  const m = /^[a-z]{3}_([A-Za-z0-9]{30})([A-Za-z0-9]{6})$/.exec(tok);
  return !!m && base62(crc32(m[1]), 6) === m[2];
}

export function githubAnyToken(r) {
  if (r.chance(0.2)) {
    // Fine-grained personal access token: github_pat_ 22 + _ + 59.
    return 'github_pat_11' + r.upperAlnum(20) + '_' + r.alnum(59);
  }
  return githubToken(r, r.weighted([[6, 'ghp_'], [2, 'gho_'], [1, 'ghu_'], [1, 'ghs_'], [1, 'ghr_']]));
}

export const npmToken = (r) => githubToken(r, 'npm_');

export function awsAccessKeyId(r) {
  return r.weighted([[7, 'AKIA'], [3, 'ASIA']]) + r.fromAlphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16);
}

export const awsSecretAccessKey = (r) => r.b64(40);

// Slack: bot xoxb-, user xoxp-, app-level xapp-1-.
export function slackToken(r) {
  const k = r.weighted([[5, 'b'], [3, 'p'], [2, 'app']]);
  if (k === 'b') return `xoxb-${r.digits(r.int(10, 13))}-${r.digits(13)}-${r.alnum(24)}`;
  if (k === 'p') return `xoxp-${r.digits(r.int(10, 13))}-${r.digits(r.int(10, 13))}-${r.digits(13)}-${r.hex(32)}`;
  return `xapp-1-A${r.upperAlnum(10)}-${r.digits(13)}-${r.hex(64)}`;
}

// The secret part of a Slack incoming-webhook URL: T…/B…/token.
export const slackWebhookPath = (r) => `T${r.upperAlnum(r.int(8, 10))}/B${r.upperAlnum(r.int(8, 10))}/${r.alnum(24)}`;

export function stripeKey(r) {
  const p = r.weighted([[6, 'sk_live_'], [2, 'rk_live_'], [2, 'sk_test_']]);
  return p + r.alnum(r.chance(0.75) ? 24 : 99);
}

// OpenAI: project keys sk-proj-…T3BlbkFJ… (T3BlbkFJ is base64 of
// "OpenAI"), legacy user keys sk-<20>T3BlbkFJ<20>.
export function openaiKey(r) {
  if (r.chance(0.6)) return 'sk-proj-' + r.b64url(74) + 'T3BlbkFJ' + r.b64url(74);
  if (r.chance(0.3)) return 'sk-svcacct-' + r.b64url(74) + 'T3BlbkFJ' + r.b64url(74);
  return 'sk-' + r.alnum(20) + 'T3BlbkFJ' + r.alnum(20);
}

export function anthropicKey(r) {
  return (r.chance(0.9) ? 'sk-ant-api03-' : 'sk-ant-admin01-') + r.b64url(93) + 'AA';
}

export const googleApiKey = (r) => 'AIza' + r.b64url(35);

export function gitlabToken(r) {
  return r.weighted([[8, 'glpat-'], [1, 'gldt-'], [1, 'glrt-']]) + r.b64url(20);
}

// PyPI API tokens are macaroons: pypi- then base64url of a payload that
// begins with the location "pypi.org".
export const pypiToken = (r) => 'pypi-AgEIcHlwaS5vcmcCJD' + r.b64url(r.int(130, 170));

export const sendgridKey = (r) => 'SG.' + r.b64url(22) + '.' + r.b64url(43);

// Twilio API key SIDs (SK + 32 hex) and auth tokens (32 hex).
export const twilioApiKey = (r) => 'SK' + r.hex(32);
export const twilioAuthToken = (r) => r.hex(32);

// ---- JWT (RFC 7519): base64url(header).base64url(payload).signature -----

export const b64url = (buf) => Buffer.from(buf).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export function jwt(r, claims = {}) {
  const alg = r.weighted([[6, 'HS256'], [0.6, 'RS256'], [2, 'ES256']]);
  const header = r.chance(0.7) ? { alg, typ: 'JWT' } : { typ: 'JWT', alg, kid: r.hex(16) };
  const now = r.int(1700000000, 1760000000);
  const payload = { sub: claims.sub || `usr_${r.alnum(12)}`, iat: now, exp: now + r.pick([900, 3600, 86400]), ...claims };
  if (r.chance(0.25)) payload.iss = r.pick(['https://auth.example.com/', 'https://login.acme.io', 'accounts.shopfront.dev']);
  if (r.chance(0.15)) payload.scope = r.pick(['read:orders', 'openid profile email', 'admin']);
  const sigLen = alg === 'HS256' ? 43 : alg === 'ES256' ? 86 : 342;
  return b64url(JSON.stringify(header)) + '.' + b64url(JSON.stringify(payload)) + '.' + r.b64url(sigLen);
}

// ---- PEM private keys (RFC 7468) -----------------------------------------

function pemBody(der, width = 64) {
  const b = Buffer.from(der).toString('base64');
  return b.match(new RegExp(`.{1,${width}}`, 'g'));
}

const hexBytes = (h) => Buffer.from(h.replace(/\s/g, ''), 'hex');

// Returns {label, lines}: the DER structures are real (PKCS#8 Ed25519,
// SEC 1 P-256, PKCS#1 RSA header) with random key material.
export function privateKeyPem(r) {
  const kind = r.weighted([[4, 'ed25519'], [3, 'ec'], [1, 'rsa'], [2, 'openssh'], [1, 'encrypted']]);
  let label;
  let der;
  let width = 64;
  if (kind === 'ed25519') {
    label = 'PRIVATE KEY';
    der = Buffer.concat([hexBytes('302e020100300506032b657004220420'), r.bytes(32)]);
  } else if (kind === 'ec') {
    label = 'EC PRIVATE KEY';
    der = Buffer.concat([hexBytes('30770201010420'), r.bytes(32), hexBytes('a00a06082a8648ce3d030107a14403420004'), r.bytes(64)]);
  } else if (kind === 'rsa') {
    label = 'RSA PRIVATE KEY';
    der = Buffer.concat([hexBytes('3082013b020100024100'), r.bytes(300)]);
  } else if (kind === 'openssh') {
    label = 'OPENSSH PRIVATE KEY';
    width = 70;
    der = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), hexBytes('000000046e6f6e65000000046e6f6e650000000000000001000000330000000b7373682d65643235353139'), r.bytes(180)]);
  } else {
    label = 'ENCRYPTED PRIVATE KEY';
    der = Buffer.concat([hexBytes('308201'), r.bytes(200)]);
  }
  return { label, lines: [`-----BEGIN ${label}-----`, ...pemBody(der, width), `-----END ${label}-----`] };
}
