// Hard negatives: values that look like personal data and are not. Each
// maker returns the text of one value. Bare digit runs are drawn again
// when they happen to pass a checksum of an identifier of their length
// (Luhn, ABA, 11-proof, NHS mod 11, CPF, Verhoeff), since no detector
// could then tell them from the identifier.
import * as id from './ids.mjs';
import { NBSP, NNBSP } from './seg.mjs';

function passesSomeChecksum(d) {
  const n = d.length;
  if (n >= 12 && n <= 19 && id.luhnValid(d)) return true;
  if (n === 9 && (id.abaValid(d) || id.bsnValid(d) || id.luhnValid(d))) return true;
  if (n === 10 && id.nhsCheckDigit(d.slice(0, 9)) === d[9]) return true;
  if (n === 11 && id.cpfValid(d)) return true;
  if (n === 12 && id.verhoeffValid(d)) return true;
  return false;
}

export function safeDigits(r, n, first = '123456789') {
  for (;;) {
    const d = r.pick([...first]) + r.digits(n - 1);
    if (!passesSomeChecksum(d)) return d;
  }
}

export function uuid(r) {
  const h = r.hex(32);
  const v = '4' + h.slice(13, 16);
  const variant = '89ab'[r.int(0, 3)] + h.slice(17, 20);
  // Some UUIDs carry long digit runs (the last group all digits).
  const last = r.chance(0.2) ? r.digits(12) : h.slice(20, 32);
  const u = `${h.slice(0, 8)}-${h.slice(8, 12)}-${v}-${variant}-${last}`;
  return r.chance(0.1) ? u.toUpperCase() : u;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

export function timestamp(r) {
  const y = r.int(2019, 2026);
  const mo = pad(r.int(1, 12));
  const d = pad(r.int(1, 28));
  const t = `${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}`;
  return r.weighted([
    [4, () => `${y}-${mo}-${d}T${t}Z`],
    [3, () => `${y}-${mo}-${d}T${t}.${r.digits(3)}Z`],
    [2, () => `${y}-${mo}-${d}T${t}${r.pick(['+01:00', '+02:00', '-05:00', '+09:00', '+05:30'])}`],
    [2, () => `${y}-${mo}-${d} ${t}`],
    [1, () => `${y}-${mo}-${d}T${t}.${r.digits(6)}+00:00`],
  ])();
}

export const epochSeconds = (r) => String(r.int(1500000000, 1790000000));
export function epochMillis(r) {
  for (;;) {
    const s = String(r.int(1500000000, 1790000000)) + r.digits(3);
    if (!passesSomeChecksum(s)) return s;
  }
}

export function orderId(r) {
  return r.weighted([
    [3, () => `ORD-${r.int(2019, 2026)}-${safeDigits(r, 6)}`],
    [2, () => `#${safeDigits(r, r.pick([6, 7, 8, 9, 10]))}`],
    [2, () => safeDigits(r, r.pick([8, 9, 10, 11, 12]))],
    [1, () => `INV-${r.int(2019, 2026)}-${r.digits(5)}`],
    [1, () => `${r.upper(2)}${safeDigits(r, 8)}`],
    [1, () => `${r.int(100, 999)}-${safeDigits(r, 7)}-${safeDigits(r, 7)}`],
    [1, () => `PO${r.digits(4)}/${r.int(2019, 2026)}`],
  ])();
}

export function version(r) {
  return r.weighted([
    [3, () => `Chrome/${r.int(100, 131)}.0.${r.int(4000, 6999)}.${r.int(0, 250)}`],
    [2, () => `Chrome/${r.int(100, 131)}.0.0.0`],
    [2, () => `v${r.int(0, 12)}.${r.int(0, 40)}.${r.int(0, 30)}`],
    [1, () => `${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 99)}`],
    [1, () => `Safari/${r.int(530, 620)}.${r.int(1, 40)}`],
    [1, () => `Firefox/${r.int(100, 133)}.0`],
    [1, () => `AppleWebKit/${r.int(530, 620)}.${r.int(1, 40)}.${r.int(1, 20)}`],
    [1, () => `node/${r.int(16, 22)}.${r.int(0, 20)}.${r.int(0, 9)}`],
  ])();
}

// Versions and identifiers with four (or more) dotted numbers, shaped like
// IPv4: browser tokens, Windows builds, v-prefixed and bare versions, OIDs.
export function ipv4LikeVersion(r) {
  return r.weighted([
    [3, () => `Chrome/${r.int(100, 131)}.0.0.0`],
    [1, () => `Edg/${r.int(100, 131)}.0.${r.int(1000, 2999)}.${r.int(10, 99)}`],
    [2, () => windowsBuild(r)],
    [2, () => `v${r.int(1, 9)}.${r.int(0, 30)}.${r.int(0, 99)}.${r.int(0, 255)}`],
    [1, () => `${r.int(1, 9)}.${r.int(0, 30)}.${r.int(0, 99)}.${r.int(0, 255)}`],
    [1, () => `${r.int(1, 4)}.${r.int(0, 9)}.${r.int(0, 9)}.${r.int(1000, 9999)}`],
    [1, () => `1.3.6.1.4.1.${r.int(100, 60000)}`],
    [1, () => `2.16.840.1.${r.int(100000, 119999)}`],
  ])();
}

export function windowsBuild(r) {
  return `10.0.${r.pick([17763, 19041, 19044, 19045, 22000, 22621, 22631, 26100])}.${r.int(1, 5000)}`;
}

export function price(r) {
  const major = r.int(1, 4999);
  const minor = pad(r.int(0, 99));
  const grp = (n, sep) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return r.weighted([
    [3, () => `$${grp(major, ',')}.${minor}`],
    [3, () => `${grp(major, '.')},${minor} €`],
    [2, () => `€${grp(major, ',')}.${minor}`],
    [2, () => `${grp(major * 10 + r.int(0, 9), NBSP)},${minor}${NBSP}€`],
    [1, () => `${grp(major * 10, NNBSP)},${minor} €`],
    [1, () => `£${grp(major, ',')}.${minor}`],
    [1, () => `¥${grp(major * 100, ',')}`],
    [1, () => `R$ ${grp(major, '.')},${minor}`],
    [1, () => `USD ${major}.${minor}`],
  ])();
}

export function priceNumber(r) {
  return `${r.int(1, 4999)}.${pad(r.int(0, 99))}`;
}

export function sku(r) {
  return r.weighted([
    [3, () => `SKU-${r.digits(5)}-${r.pick(['BLK', 'WHT', 'RED', 'NVY', 'GRY'])}-${r.pick(['S', 'M', 'L', 'XL'])}`],
    [2, () => `${r.upper(2)}-${r.digits(4)}-${r.digits(2)}`],
    [2, () => `${r.upper(3)}${r.digits(6)}`],
    [1, () => `${r.digits(3)}.${r.digits(3)}.${r.digits(2)}`],
  ])();
}

export function tracking(r) {
  return r.weighted([
    [3, () => `1Z${r.upperAlnum(6)}${r.digits(10)}`],
    [2, () => `94${safeDigits(r, 20, '0')}`.replace(/(\d{4})(?=\d)/g, r.chance(0.5) ? '$1 ' : '$1')],
    [2, () => safeDigits(r, 12, '5789')],
    [1, () => `${r.upper(2)}${r.digits(9)}${r.pick(['DE', 'GB', 'FR', 'NL', 'JP', 'ES', 'IT'])}`],
    [1, () => `JJD${r.digits(18)}`],
    [1, () => `00${r.digits(18)}`],
  ])();
}

export function hash(r) {
  return r.weighted([[2, () => r.hex(32)], [2, () => r.hex(40)], [3, () => r.hex(64)], [1, () => 'sha256:' + r.hex(64)], [1, () => r.upperHex(32)]])();
}

export const gitSha = (r) => (r.chance(0.5) ? r.hex(40) : r.hex(r.int(7, 12)));

export function maskedCard(r) {
  const last4 = r.digits(4);
  return r.weighted([
    [3, () => `**** **** **** ${last4}`],
    [2, () => `************${last4}`],
    [2, () => `XXXX-XXXX-XXXX-${last4}`],
    [1, () => `•••• ${last4}`],
    [1, () => `${r.pick(['411111', '555555', '400000', '378282'])}******${last4}`],
    [1, () => `xxxx xxxx xxxx ${last4}`],
    [1, () => `****${last4}`],
  ])();
}

export const REDACTED = ['[FILTERED]', '****', '[REDACTED]', '<hidden>', '********', '[redacted]', '***', 'XXXXXXXX', '<redacted>', '[PII REMOVED]', '***-**-****', '[hidden]'];
export const redacted = (r) => r.pick(REDACTED);

export function isbn(r) {
  return r.weighted([
    [3, () => { const s = id.isbn13(r); return `${s.slice(0, 3)}-${s.slice(3, 4)}-${s.slice(4, 7)}-${s.slice(7, 12)}-${s.slice(12)}`; }],
    [2, () => id.isbn13(r)],
    [1, () => { const s = id.isbn10(r); return `${s[0]}-${s.slice(1, 4)}-${s.slice(4, 9)}-${s.slice(9)}`; }],
  ])();
}

// Numbers in arithmetic and measurements, grouped like phone numbers.
export function mathOrMeasure(r) {
  const g3 = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, r.pick([' ', NBSP, NNBSP, ',']));
  return r.weighted([
    [2, () => { const a = r.int(1000, 99999); const b = r.int(10, 999); return `${g3(a)} × ${b} = ${g3(a * b)}`; }],
    [2, () => `${r.int(20, 300)} x ${r.int(20, 300)} x ${r.int(5, 200)} mm`],
    [2, () => `${g3(r.int(1000000, 99999999))} ${r.pick(['bytes', 'km', 'm²', 'rows', 'Einwohner', 'habitants', 'inwoners'])}`],
    [1, () => `(${r.int(10, 99)} + ${r.int(100, 999)}) * ${r.int(1000, 9999)}`],
    [1, () => `${r.int(1, 9)}.${r.digits(4)}e-${r.int(3, 9)}`],
    [1, () => `${r.int(1, 99)},${r.digits(2)} kg`],
  ])();
}

export function luhnFailCard(r) {
  const { number } = id.cardNumberBadLuhn(r);
  return r.weighted([[3, () => id.groups(number, id.cardGroups(number), ' ')], [2, () => number], [1, () => id.groups(number, id.cardGroups(number), '-')]])();
}

export function badIban(r) {
  const s = id.ibanBadCheck(r);
  return r.chance(0.5) ? id.ibanPrint(s) : s;
}

export function invalidSsn(r) {
  const s = id.ssnInvalid(r);
  return r.chance(0.8) ? `${s.slice(0, 3)}-${s.slice(3, 5)}-${s.slice(5)}` : `${s.slice(0, 3)} ${s.slice(3, 5)} ${s.slice(5)}`;
}

// A date that is not anyone's birth date (an order, a delivery, a meeting).
export function otherDate(r, lang = 'en') {
  const y = r.int(2019, 2026);
  const m = r.int(1, 12);
  const d = r.int(1, 28);
  if (lang === 'en') return r.pick([`${pad(m)}/${pad(d)}/${y}`, `${y}-${pad(m)}-${pad(d)}`, `${d} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1]} ${y}`]);
  if (lang === 'de') return `${pad(d)}.${pad(m)}.${y}`;
  if (lang === 'nl') return `${pad(d)}-${pad(m)}-${y}`;
  if (lang === 'ja') return `${y}年${m}月${d}日`;
  return `${pad(d)}/${pad(m)}/${y}`;
}

export function traceId(r) {
  return r.weighted([[2, () => r.hex(32)], [1, () => `${r.hex(16)}`], [1, () => `req_${r.alnum(20)}`], [1, () => `00-${r.hex(32)}-${r.hex(16)}-01`]])();
}

// Product, plan and service names: what a `name` key holds when it is not
// a person.
const PLANS = ['Pro Plan', 'Business Premium', 'Starter', 'Enterprise Annual', 'Team Plan', 'Free Tier', 'Growth', 'Plus Monthly', 'Family Plan', 'Basic'];
const PRODUCTS = ['Aurora Desk Lamp', 'Nimbus Backpack 28L', 'Trail Runner GTX', 'Espresso Machine X2', 'Linen Duvet Cover', 'Wireless Earbuds Pro', 'Ceramic Pour-Over Set', 'Oak Side Table', 'Merino Crew Sweater', 'Smart Thermostat E', 'Yoga Mat 6mm', 'USB-C Hub 7-in-1', 'Cast Iron Skillet 26cm', 'Noise Cancelling Headphones', 'Kindle Paperwhite', 'Jasmine Green Tea 100g'];
const SERVICES = ['checkout-service', 'billing-worker', 'eu-west-1-prod', 'payments-api', 'search-indexer', 'edge-gateway', 'nightly-backup', 'orders-db-replica', 'Marketing Site', 'Customer Portal'];

export function productName(r, faker = null) {
  return r.weighted([[3, () => r.pick(PRODUCTS)], [2, () => r.pick(PLANS)], [2, () => r.pick(SERVICES)], [2, () => (faker ? faker.commerce.productName() : r.pick(PRODUCTS))]])();
}

export { PLANS, PRODUCTS, SERVICES };
