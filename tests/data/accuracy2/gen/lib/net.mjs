// Network identifiers and addresses: IPv4, IPv6 (RFC 4291 section 2.2
// text forms and RFC 5952's canonical form, embedded IPv4, zone ids per
// RFC 4007/6874), MAC addresses (IEEE 802 colon and dash forms, Cisco
// dotted form), e-mail addresses (RFC 5322 dot-atoms, RFC 6531 UTF-8,
// RFC 5890 IDNA) and URLs with user information (RFC 3986 section 3.2.1).
import { domainToASCII } from 'node:url';

// ---- IPv4 ------------------------------------------------------------------

function publicV4(r) {
  for (;;) {
    const a = r.int(1, 223);
    const b = r.int(0, 255);
    if (a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) continue;
    return [a, b, r.int(0, 255), r.int(1, 254)];
  }
}

export function ipv4(r) {
  const q = r.weighted([
    [6, () => publicV4(r)],
    [2, () => [10, r.int(0, 255), r.int(0, 255), r.int(1, 254)]],
    [2, () => [192, 168, r.int(0, 255), r.int(1, 254)]],
    [1, () => [172, r.int(16, 31), r.int(0, 255), r.int(1, 254)]],
    [1, () => r.pick([[192, 0, 2], [198, 51, 100], [203, 0, 113]]).concat([r.int(1, 254)])],
  ])();
  return q.join('.');
}

// ---- IPv6 ------------------------------------------------------------------

function randomGroups(r) {
  const kind = r.weighted([[6, 'global'], [2, 'linklocal'], [1, 'ula'], [1, 'doc']]);
  let g;
  if (kind === 'global') {
    const first = r.pick([0x2001, 0x2a00 + r.int(0, 15), 0x2600 + r.int(0, 15), 0x2400 + r.int(0, 15), 0x2800 + r.int(0, 6), 0x2003, 0x2c0f]);
    g = [first, r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff)];
  } else if (kind === 'doc') {
    g = [0x2001, 0x0db8, r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff)];
  } else if (kind === 'ula') {
    g = [0xfd00 + r.int(0, 0xff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff)];
  } else {
    g = [0xfe80, 0, 0, 0, r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff)];
    // EUI-64 interface ids carry ff:fe in the middle.
    if (r.chance(0.4)) g[5] = (g[5] & 0xff00) | 0xff, g[6] = 0xfe00 | (g[6] & 0xff);
  }
  // Runs of zero groups are common (subnet ids, small host ids).
  const z = r.weighted([[3, 0], [3, 1], [2, 2], [1, 3]]);
  if (kind !== 'linklocal' && z) {
    const start = r.int(2, 6);
    const len = z === 1 ? r.int(2, 4) : z === 2 ? 1 : r.int(3, 5);
    for (let i = start; i < Math.min(8, start + len); i++) g[i] = 0;
    if (r.chance(0.3)) g[7] = r.int(1, 0xff);
  }
  return { kind, g };
}

// RFC 5952: lower case, no leading zeros, the longest run (>= 2) of zero
// groups as "::", the first one on a tie.
function rfc5952(g) {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const h = g.map((x) => x.toString(16));
  if (best < 0) return h.join(':');
  return h.slice(0, best).join(':') + '::' + h.slice(best + bestLen).join(':');
}

function anyZeroRun(g, r) {
  // A valid RFC 4291 form that compresses some run of zeros (maybe not
  // the longest, maybe a single group).
  const runs = [];
  for (let i = 0; i < 8; i++) if (g[i] === 0) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    runs.push([i, j]);
    i = j;
  }
  if (!runs.length) return null;
  const [i, j] = r.pick(runs);
  const h = g.map((x) => x.toString(16));
  return h.slice(0, i).join(':') + '::' + h.slice(j).join(':');
}

// Returns the address text as typed.
export function ipv6(r) {
  const form = r.weighted([[10, 'rfc5952'], [3, 'full'], [2, 'nopad'], [2, 'upper'], [1, 'other_run'], [3, 'v4mapped'], [1, 'nat64'], [1, 'v4suffix']]);
  if (form === 'v4mapped') return (r.chance(0.8) ? '::ffff:' : '::FFFF:') + ipv4(r);
  if (form === 'nat64') return '64:ff9b::' + ipv4(r);
  const { g } = randomGroups(r);
  if (form === 'v4suffix') {
    const h = rfc5952(g.slice(0, 6).concat([1, 1]));
    return h.replace(/:1:1$/, ':') + ipv4(r);
  }
  if (form === 'full') return g.map((x) => x.toString(16).padStart(4, '0')).join(':');
  if (form === 'nopad') return g.map((x) => x.toString(16)).join(':');
  if (form === 'upper') return rfc5952(g).toUpperCase();
  if (form === 'other_run') return anyZeroRun(g, r) || rfc5952(g);
  return rfc5952(g);
}

export function linkLocalV6(r) {
  const g = [0xfe80, 0, 0, 0, r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff), r.int(0, 0xffff)];
  return rfc5952(g);
}

// ---- MAC -------------------------------------------------------------------

const OUIS = ['001a2b', '3c22fb', 'f01898', 'b827eb', '005056', 'dca632', 'a4c361', '00163e', '8c8590', 'f4f5d8', '7c2e0d', '28cfe9', '00e04c', 'ac1f6b', '5c260a', '001b63'];

export function mac(r) {
  const bytes = (r.chance(0.8) ? r.pick(OUIS) : r.hex(2) + r.hex(4)) + r.hex(6);
  const form = r.weighted([[5, 'colon'], [2, 'COLON'], [2, 'DASH'], [1, 'dash'], [2, 'cisco']]);
  const pairs = bytes.match(/../g);
  if (form === 'colon') return pairs.join(':');
  if (form === 'COLON') return pairs.join(':').toUpperCase();
  if (form === 'DASH') return pairs.join('-').toUpperCase();
  if (form === 'dash') return pairs.join('-');
  return bytes.match(/..../g).join('.');
}

// ---- e-mail ----------------------------------------------------------------

export const ROMAJI_SURNAMES = ['sato', 'suzuki', 'takahashi', 'tanaka', 'watanabe', 'ito', 'yamamoto', 'nakamura', 'kobayashi', 'kato', 'yoshida', 'yamada', 'sasaki', 'yamaguchi', 'matsumoto', 'inoue', 'kimura', 'hayashi', 'shimizu', 'mori'];
export const ROMAJI_GIVEN = ['hiroshi', 'yuki', 'haruto', 'yui', 'sakura', 'ren', 'aoi', 'takumi', 'kenji', 'naoko', 'emi', 'daisuke', 'akira', 'mei', 'sota', 'rin', 'kaito', 'hana'];

const DOMAINS = {
  en: ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'proton.me', 'aol.com', 'btinternet.com', 'sky.com', 'comcast.net', 'hotmail.co.uk', 'yahoo.co.uk'],
  de: ['web.de', 'gmx.de', 't-online.de', 'gmx.net', 'freenet.de', 'posteo.de', 'gmail.com', 'outlook.de', 'bluewin.ch', 'gmx.at'],
  fr: ['orange.fr', 'free.fr', 'laposte.net', 'wanadoo.fr', 'sfr.fr', 'gmail.com', 'hotmail.fr', 'yahoo.fr', 'bbox.fr'],
  es: ['gmail.com', 'hotmail.es', 'yahoo.es', 'telefonica.net', 'outlook.es', 'movistar.es', 'prodigy.net.mx'],
  it: ['libero.it', 'virgilio.it', 'tiscali.it', 'alice.it', 'gmail.com', 'hotmail.it', 'yahoo.it', 'pec.it'],
  nl: ['ziggo.nl', 'kpnmail.nl', 'xs4all.nl', 'hetnet.nl', 'gmail.com', 'hotmail.nl', 'live.nl', 'planet.nl'],
  pt: ['sapo.pt', 'gmail.com', 'hotmail.com', 'uol.com.br', 'bol.com.br', 'terra.com.br', 'outlook.pt', 'ig.com.br', 'clix.pt'],
  ja: ['docomo.ne.jp', 'ezweb.ne.jp', 'yahoo.co.jp', 'nifty.com', 'gmail.com', 'i.softbank.jp', 'icloud.com', 'outlook.jp'],
};

const COMPANY_WORDS = ['acme', 'northwind', 'contoso', 'globex', 'initech', 'umbrella', 'hooli', 'vandelay', 'stark', 'wayne', 'tyrell', 'soylent', 'cyberdyne', 'wonka', 'oscorp', 'fabrikam'];
const TLDS = { en: ['com', 'co.uk', 'io', 'org', 'us', 'net'], de: ['de', 'at', 'ch'], fr: ['fr', 'be', 'eu'], es: ['es', 'com.mx', 'cat'], it: ['it', 'eu'], nl: ['nl', 'be'], pt: ['pt', 'com.br'], ja: ['co.jp', 'jp', 'ne.jp'] };

export function asciiFold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ß/g, 'ss').replace(/æ/g, 'ae').replace(/ø/g, 'o').replace(/ł/g, 'l')
    .toLowerCase().replace(/[^a-z0-9]+/g, '');
}

export function companyDomain(r, lang) {
  const base = r.pick(COMPANY_WORDS) + (r.chance(0.3) ? '-' + r.pick(['corp', 'group', 'labs', 'retail', 'bank', 'health']) : '');
  const sub = r.chance(0.35) ? r.pick(['mail.', 'eu.', 'billing.', 'support.', 'hr.', 'dept.', 'us.mail.']) : '';
  return sub + base + '.' + r.pick(TLDS[lang] || TLDS.en);
}

// person: {first, last, asciiFirst, asciiLast}
export function email(r, lang, person) {
  const f = person.asciiFirst || 'user';
  const l = person.asciiLast || r.lower(5);
  let local = r.weighted([
    [6, () => `${f}.${l}`], [3, () => `${f[0]}${l}`], [2, () => `${f}_${l}${r.int(1, 99)}`], [2, () => `${f}${r.int(1950, 2005)}`],
    [1, () => `${l}.${f}`], [1, () => `${f}-${l}`], [1, () => `${f[0]}.${l}`],
  ])();
  // Plus tags (RFC 5233 sub-addressing) and other RFC 5322 atext.
  const extra = r.weighted([[80, null], [8, 'plus'], [3, 'atext'], [2, 'digits'], [2, 'upper'], [0.7, 'quoted']]);
  if (extra === 'plus') local += '+' + r.pick(['news', 'shop', 'amazon', 'work', 'test', 'billing', 'spam', 'newsletter', '2024']);
  else if (extra === 'atext') local = r.pick([`${l}'${f}`, `${f}!${l}`, `${f}#${r.int(1, 9)}`, `_${f}.${l}`, `${f}=${l}`, `${f}~${l}`, `${f}&${l}`]);
  else if (extra === 'digits') local = r.digits(r.int(6, 10));
  // An RFC 5322 quoted-string local part.
  else if (extra === 'quoted') local = `"${f} ${l}"`;
  let domain = r.chance(0.75) ? r.pick(DOMAINS[lang] || DOMAINS.en) : companyDomain(r, lang);
  if (extra === 'upper') {
    local = local.replace(/(^|\.)([a-z])/g, (m, a, b) => a + b.toUpperCase());
    domain = domain.replace(/^[a-z]/, (c) => c.toUpperCase());
  }
  // Internationalised addresses (RFC 6531 local part, IDNA domains, or
  // the domain's A-label form).
  if (lang !== 'ja' && person.first && person.first !== person.asciiFirst && r.chance(0.25)) {
    const uf = person.first.toLowerCase().split(/\s+/)[0];
    const ul = person.last.toLowerCase().split(/\s+/)[0];
    const udom = `${ul.replace(/\s+/g, '')}-${r.pick(['bau', 'design', 'café', 'büro', 'atelier', 'consultoria', 'studio'])}.${r.pick(TLDS[lang] || TLDS.en)}`;
    return r.weighted([
      [3, () => `${uf}.${ul}@${domain}`],
      [2, () => `${f}@${udom}`],
      [2, () => `${f}.${l}@${domainToASCII(udom) || udom}`],
    ])();
  }
  return `${local}@${domain}`;
}

// ---- URLs with credentials -------------------------------------------------

export function urlWithCredentials(r, { user, password }) {
  const scheme = r.weighted([[3, 'https'], [1, 'http'], [3, 'postgres'], [2, 'mysql'], [2, 'redis'], [2, 'mongodb+srv'], [1, 'amqp'], [1, 'ftp'], [1, 'smtp']]);
  const host = r.weighted([
    [3, () => `${r.pick(['db', 'cache', 'mq', 'api', 'files', 'mail'])}.${r.pick(COMPANY_WORDS)}.${r.pick(['internal', 'com', 'io', 'net'])}`],
    [1, () => `${r.pick(['prod', 'staging'])}-${r.lower(6)}.${r.pick(['eu-west-1', 'us-east-1'])}.rds.amazonaws.com`],
    [1, () => `cluster0.${r.lowerAlnum(5)}.mongodb.net`],
  ])();
  const port = { postgres: ':5432', mysql: ':3306', redis: ':6379', amqp: ':5672', smtp: ':587' }[scheme] || '';
  const path = { postgres: '/app', mysql: '/shop', redis: '/0', 'mongodb+srv': '/?retryWrites=true', amqp: '/%2F' }[scheme] || r.pick(['/', '/api/v1/', '/export.csv', '']);
  const userinfo = (scheme === 'redis' && r.chance(0.5) ? '' : encodeURIComponent(user)) + ':' + encodeURIComponent(password).replace(/'/g, '%27');
  return { prefix: `${scheme}://`, userinfo, suffix: `@${host}${port}${path}` };
}
