// Slots of the free-text templates: {name} in a template is replaced by
// the labeled pieces SLOTS[name](ctx) returns.
import * as id from './ids.mjs';
import * as net from './net.mjs';
import * as sec from './secrets.mjs';
import * as N from './negatives.mjs';
import { person as newPerson, title } from './people.mjs';
import { pii, neg } from './seg.mjs';
import * as V from './values.mjs';

const P = (t) => (c) => V.national(c.r, t, c.person);

export const SLOTS = {
  full: (c) => pii('person_name', c.person.full),
  first: (c) => pii('person_name', c.person.first),
  last: (c) => pii('person_name', c.person.last),
  tlast: (c) => {
    if (c.lang === 'ja') return [pii('person_name', c.person.last), '様'];
    return [title(c.r, c.lang, c.person.female), ' ', pii('person_name', c.person.last)];
  },
  tfull: (c) => {
    if (c.lang === 'ja') return [pii('person_name', c.person.full), '様'];
    return [title(c.r, c.lang, c.person.female), ' ', pii('person_name', c.person.full)];
  },
  other: (c) => pii('person_name', newPerson(c.r, c.loc).full),
  agent: (c) => pii('person_name', newPerson(c.r, c.loc).first),
  email: (c) => pii('email', V.emailFor(c.r, c.lang, c.person)),
  phone: (c) => pii('phone', V.phoneFor(c.r, c.lang, c.r.chance(0.85) ? c.loc.phone : null)),
  card: (c) => pii('credit_card', V.cardText(c.r, c.lang)),
  iban: (c) => pii('iban', V.ibanText(c.r, c.lang)),
  dob: (c) => pii('date_of_birth', V.dobText(c)),
  addr: (c) => pii('address', V.addressFor(c.r, c.locKey).line),
  ssn: P('us_ssn'), itin: P('us_itin'), nino: P('uk_nino'), nhs: P('uk_nhs'), sin: P('ca_sin'),
  dni: P('es_dni'), nie: P('es_nie'), cf: P('it_fiscal_code'), nir: P('fr_nir'), bsn: P('nl_bsn'),
  cpf: P('br_cpf'), aadhaar: P('in_aadhaar'), cnid: P('cn_resident_id'),
  ip: (c) => pii('ipv4', net.ipv4(c.r)),
  ip6: (c) => pii('ipv6', net.ipv6(c.r)),
  mac: (c) => pii('mac_address', net.mac(c.r)),
  // Addresses with a port or a prefix length: only the address is
  // labeled. A zone id is part of a scoped address's text (RFC 4007
  // section 11) and is labeled with it.
  ipport: (c) => [pii('ipv4', net.ipv4(c.r)), `:${c.r.pick([80, 443, 8080, 8443, 5432, 3306, 6379, 22, c.r.int(1024, 65535)])}`],
  ip6port: (c) => ['[', pii('ipv6', net.ipv6(c.r)), `]:${c.r.pick([80, 443, 8080, 8443, 22, c.r.int(1024, 65535)])}`],
  ipcidr: (c) => [pii('ipv4', net.ipv4(c.r)), `/${c.r.pick([8, 16, 22, 24, 24, 24, 28, 32])}`],
  ip6cidr: (c) => [pii('ipv6', net.ipv6(c.r)), `/${c.r.pick([48, 56, 64, 64, 64, 128])}`],
  // In a URI the '%' of the zone id is percent-encoded (RFC 6874).
  ip6zoneurl: (c) => ['[', pii('ipv6', `${net.linkLocalV6(c.r)}%25${c.r.pick(['eth0', 'en0', 'wlan0'])}`), `]:${c.r.pick([80, 8080, 8443])}`],
  ip6zone: (c) => pii('ipv6', `${net.linkLocalV6(c.r)}%${c.r.pick(['eth0', 'en0', 'wlan0', 'enp3s0', '3', '12'])}`),
  routing: (c) => pii('us_bank_routing', id.abaRouting(c.r)),
  secret: (c) => { const k = V.credential(c.r); return pii(k.type, k.value); },
  jwt: (c) => pii('jwt', sec.jwt(c.r)),
  urlcred: (c) => {
    const u = net.urlWithCredentials(c.r, { user: c.r.pick(['admin', 'app', 'deploy', c.person.asciiFirst, 'svc_orders', 'root']), password: c.r.pick([c.r.alnum(16), `${c.r.pick(['Summer', 'Winter', 'Hunter', 'Dragon'])}${c.r.int(2019, 2026)}!`, c.r.b64url(24)]) });
    return [u.prefix, pii('url_credentials', u.userinfo), u.suffix];
  },
  pem: (c) => pii('private_key', sec.privateKeyPem(c.r).lines.join('\n')),

  order: (c) => neg('order_id', N.orderId(c.r)),
  track: (c) => neg('tracking_number', N.tracking(c.r)),
  sku: (c) => neg('sku', N.sku(c.r)),
  price: (c) => neg('price', N.price(c.r)),
  uuid: (c) => neg('uuid', N.uuid(c.r)),
  isbn: (c) => neg('isbn', N.isbn(c.r)),
  ver: (c) => neg('version', N.version(c.r)),
  ver4: (c) => neg('ipv4_like_version', N.ipv4LikeVersion(c.r)),
  winver: (c) => neg('ipv4_like_version', N.windowsBuild(c.r)),
  hash: (c) => neg('hash', N.hash(c.r)),
  git: (c) => neg('git_sha', N.gitSha(c.r)),
  masked: (c) => neg('masked_card', N.maskedCard(c.r)),
  redacted: (c) => neg('redacted', N.redacted(c.r)),
  ts: (c) => neg('timestamp', N.timestamp(c.r)),
  epoch: (c) => (c.r.chance(0.5) ? neg('epoch_s', N.epochSeconds(c.r)) : neg('epoch_ms', N.epochMillis(c.r))),
  date: (c) => neg('date_other', N.otherDate(c.r, c.lang)),
  math: (c) => neg('math_measure', N.mathOrMeasure(c.r)),
  badcard: (c) => neg('card_luhn_fail', N.luhnFailCard(c.r)),
  badiban: (c) => neg('iban_bad_check', N.badIban(c.r)),
  badssn: (c) => neg('ssn_invalid', N.invalidSsn(c.r)),
  product: (c) => neg('product_name', N.productName(c.r, c.loc.faker)),
  trace: (c) => neg('trace_id', N.traceId(c.r)),
};

// Marks every labeled piece as written in running text (not the value of
// a field), so that the scorer can report recall in free text apart.
function inText(x) {
  if (Array.isArray(x)) return x.map(inText);
  if (x && typeof x === 'object' && x.t) return { ...x, ctx: 'text' };
  return x;
}

// Replaces every {slot} of a template; a literal "\n" stays a newline.
export function fill(template, ctx) {
  const out = [];
  let last = 0;
  for (const m of template.matchAll(/\{([a-z0-9]+)\}/g)) {
    out.push(template.slice(last, m.index));
    const f = SLOTS[m[1]];
    if (!f) throw new Error(`unknown slot ${m[1]} in ${template}`);
    out.push(inText(f(ctx)));
    last = m.index + m[0].length;
  }
  out.push(template.slice(last));
  return out;
}
