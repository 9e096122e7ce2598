// Checksummed identifiers, written from their published specifications
// (cited at each function). Each maker returns the canonical value; the
// layout people type is chosen by the caller (see groups()).

// ---- ISO/IEC 7812-1 Annex B: the Luhn formula ----------------------------

export function luhnCheckDigit(payload) {
  let sum = 0;
  let dbl = true;
  for (let i = payload.length - 1; i >= 0; i--) {
    let d = payload.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return String((10 - (sum % 10)) % 10);
}

export function luhnValid(num) {
  return /^\d+$/.test(num) && luhnCheckDigit(num.slice(0, -1)) === num.slice(-1);
}

// Issuer identification number ranges and lengths as the brands publish
// them (Visa, Mastercard incl. the 2-series, American Express, Discover
// incl. 644-649 and 622126-622925, JCB 3528-3589, Diners Club
// International 36 and 300-305, UnionPay 62, Maestro, Mir 2200-2204).
export const CARD_BRANDS = {
  visa: { w: 40, iin: () => ['4'], lengths: [16, 16, 16, 16, 13, 19] },
  mastercard: { w: 25, iin: (r) => [r.chance(0.7) ? String(r.int(51, 55)) : String(r.int(2221, 2720))], lengths: [16] },
  amex: { w: 10, iin: (r) => [r.pick(['34', '37'])], lengths: [15] },
  discover: { w: 6, iin: (r) => [r.weighted([[5, '6011'], [2, String(r.int(644, 649))], [3, '65'], [1, String(r.int(622126, 622925))]])], lengths: [16, 16, 16, 19] },
  jcb: { w: 5, iin: (r) => [String(r.int(3528, 3589))], lengths: [16] },
  diners: { w: 4, iin: (r) => [r.chance(0.6) ? '36' : String(r.int(300, 305))], lengths: [14] },
  unionpay: { w: 4, iin: (r) => ['62' + r.pick(['2', '4', '5', '8'])], lengths: [16, 16, 19] },
  maestro: { w: 3, iin: (r) => [r.pick(['5018', '5020', '5038', '5893', '6304', '6759', '6761', '6762', '6763'])], lengths: [16, 18, 19] },
  mir: { w: 3, iin: (r) => [String(r.int(2200, 2204))], lengths: [16] },
};

export function cardNumber(r, brand = null) {
  const name = brand || r.weighted(Object.entries(CARD_BRANDS).map(([k, v]) => [v.w, k]));
  const b = CARD_BRANDS[name];
  const prefix = b.iin(r)[0];
  const len = r.pick(b.lengths);
  const payload = prefix + r.digits(len - prefix.length - 1);
  return { brand: name, number: payload + luhnCheckDigit(payload) };
}

// A card-shaped number with a brand prefix and length whose Luhn check
// fails (the hard negative).
export function cardNumberBadLuhn(r) {
  const { brand, number } = cardNumber(r);
  const good = number.slice(-1);
  let bad = good;
  while (bad === good) bad = String(r.int(0, 9));
  return { brand, number: number.slice(0, -1) + bad };
}

// How the digits are grouped when printed: 4-4-4-4 (and 4-4-4-4-3 for 19
// digits), American Express 4-6-5, Diners 4-6-4.
export function cardGroups(number) {
  const n = number.length;
  if (n === 15) return [4, 6, 5];
  if (n === 14) return [4, 6, 4];
  const g = [];
  for (let i = 0; i < n; i += 4) g.push(Math.min(4, n - i));
  return g;
}

export function groups(value, sizes, sep) {
  const out = [];
  let i = 0;
  for (const s of sizes) {
    out.push(value.slice(i, i + s));
    i += s;
  }
  if (i < value.length) out.push(value.slice(i));
  return out.filter((x) => x.length).join(sep);
}

// ---- ISO 13616: IBAN -----------------------------------------------------

// BBAN structures from the SWIFT IBAN registry: n digits, a upper-case
// letters, c upper-case alphanumerics. Bank codes are drawn from real
// institutions where the BBAN starts with letters.
export const IBAN_FORMATS = {
  AD: '4n4n12c', AE: '3n16n', AT: '5n11n', BA: '3n3n8n2n', BE: '3n7n2n', BG: '4a4n2n8c',
  BH: '4a14c', BR: '8n5n10n1a1c', CH: '5n12c', CR: '4n14n', CY: '3n5n16c', CZ: '4n6n10n',
  DE: '8n10n', DK: '4n9n1n', EE: '2n2n11n1n', ES: '4n4n1n1n10n', FI: '3n11n', FR: '5n5n11c2n',
  GB: '4a6n8n', GE: '2a16n', GI: '4a15c', GR: '3n4n16c', HR: '7n10n', HU: '3n4n1n15n1n',
  IE: '4a6n8n', IL: '3n3n13n', IS: '4n2n6n10n', IT: '1a5n5n12c', KW: '4a22c', KZ: '3n13c',
  LI: '5n12c', LT: '5n11n', LU: '3n13c', LV: '4a13c', MC: '5n5n11c2n', MT: '4a5n18c',
  NL: '4a10n', NO: '4n6n1n', PK: '4a16c', PL: '8n16n', PT: '4n4n11n2n', QA: '4a21c',
  RO: '4a16c', RS: '3n13n2n', SA: '2n18c', SE: '3n16n1n', SI: '5n8n2n', SK: '4n6n10n',
  SM: '1a5n5n12c', TN: '2n3n13n2n', TR: '5n1n16c', UA: '6n19c', VG: '4a16n', XK: '4n10n2n',
};

const BANK_LETTERS = {
  GB: ['NWBK', 'BARC', 'HBUK', 'LOYD', 'MIDL', 'NAIA', 'SRLG', 'MONZ'],
  IE: ['AIBK', 'BOFI', 'IPBS'],
  NL: ['ABNA', 'RABO', 'INGB', 'TRIO', 'SNSB', 'KNAB', 'BUNQ', 'ASNB'],
  RO: ['RNCB', 'BTRL', 'BRDE', 'INGB'],
  LV: ['HABA', 'UNLA', 'PARX'],
  BG: ['BNBG', 'UNCR', 'STSA'],
  MT: ['MALT', 'VALL'],
  PK: ['SCBL', 'HABB'],
  KW: ['CBKU', 'NBOK'],
  QA: ['DOHB', 'QNBA'],
  BH: ['NBOB', 'BBKU'],
  GI: ['NWBK'],
  VG: ['VPVG'],
};

export function ibanLength(country) {
  const spec = IBAN_FORMATS[country];
  let n = 4;
  for (const m of spec.matchAll(/(\d+)([nac])/g)) n += Number(m[1]);
  return n;
}

function mod97(numericText) {
  let rem = 0;
  for (const ch of numericText) rem = (rem * 10 + (ch.charCodeAt(0) - 48)) % 97;
  return rem;
}

function ibanNumeric(s) {
  let out = '';
  for (const ch of s) out += /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
  return out;
}

export function ibanCheckDigits(country, bban) {
  const rem = mod97(ibanNumeric(bban + country + '00'));
  return String(98 - rem).padStart(2, '0');
}

export function ibanValid(iban) {
  const s = iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s)) return false;
  const c = s.slice(0, 2);
  if (!IBAN_FORMATS[c] || ibanLength(c) !== s.length) return false;
  return mod97(ibanNumeric(s.slice(4) + s.slice(0, 4))) === 1;
}

export function bban(r, country) {
  const spec = IBAN_FORMATS[country];
  let out = '';
  let first = true;
  for (const m of spec.matchAll(/(\d+)([nac])/g)) {
    const n = Number(m[1]);
    if (m[2] === 'n') out += r.digits(n);
    else if (m[2] === 'a') {
      out += first && n === 4 && BANK_LETTERS[country] ? r.pick(BANK_LETTERS[country]) : r.upper(n);
    } else {
      // Alphanumeric fields are mostly digits in practice.
      let s = '';
      for (let i = 0; i < n; i++) s += r.chance(0.15) ? r.upper(1) : r.digits(1);
      out += s;
    }
    first = false;
  }
  return out;
}

export const IBAN_COUNTRY_WEIGHTS = [
  [14, 'DE'], [10, 'FR'], [9, 'ES'], [9, 'IT'], [9, 'NL'], [8, 'GB'], [5, 'BE'], [4, 'AT'],
  [4, 'CH'], [5, 'PT'], [3, 'IE'], [3, 'PL'], [2, 'SE'], [2, 'DK'], [2, 'FI'], [2, 'NO'],
  [2, 'LU'], [1, 'GR'], [1, 'CZ'], [1, 'HU'], [1, 'RO'], [1, 'BR'], [1, 'SA'], [1, 'AE'],
  [1, 'TR'], [1, 'MT'], [1, 'HR'], [1, 'SI'], [1, 'SK'], [1, 'BG'], [1, 'LT'], [1, 'LV'],
  [1, 'EE'], [1, 'IS'], [1, 'CY'], [1, 'LI'], [1, 'MC'], [1, 'SM'], [1, 'KW'], [1, 'QA'],
  [1, 'IL'], [1, 'UA'], [1, 'XK'], [1, 'BA'], [1, 'RS'], [1, 'GE'], [1, 'KZ'], [1, 'TN'],
  [1, 'PK'], [1, 'VG'], [1, 'AD'], [1, 'GI'], [1, 'CR'], [1, 'BH'],
];

export function iban(r, country = null) {
  const c = country || r.weighted(IBAN_COUNTRY_WEIGHTS);
  const b = bban(r, c);
  return c + ibanCheckDigits(c, b) + b;
}

export function ibanBadCheck(r, country = null) {
  const good = iban(r, country);
  const ok = good.slice(2, 4);
  let bad = ok;
  while (bad === ok) bad = String(r.int(2, 98)).padStart(2, '0');
  return good.slice(0, 2) + bad + good.slice(4);
}

// The "paper format" of ISO 13616: groups of four separated by spaces.
export function ibanPrint(s, sep = ' ') {
  return s.match(/.{1,4}/g).join(sep);
}

// ---- ABA routing transit number (3-7-1 check) ----------------------------

export function abaCheckDigit(eight) {
  const d = [...eight].map(Number);
  const sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5]);
  return String((10 - (sum % 10)) % 10);
}

export function abaValid(s) {
  if (!/^\d{9}$/.test(s)) return false;
  const d = [...s].map(Number);
  return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 === 0;
}

// The first two digits: 01-12 Federal Reserve districts, 21-32 thrifts,
// 61-72 electronic transactions.
export function abaRouting(r) {
  const pp = r.weighted([[7, () => r.int(1, 12)], [2, () => r.int(21, 32)], [1, () => r.int(61, 72)]])();
  const eight = String(pp).padStart(2, '0') + r.digits(6);
  return eight + abaCheckDigit(eight);
}

// ---- US SSN (SSA: area not 000, 666 or 900-999; group not 00; serial not 0000)

export function ssn(r) {
  let area;
  do area = r.int(1, 899); while (area === 666);
  const group = r.int(1, 99);
  const serial = r.int(1, 9999);
  return String(area).padStart(3, '0') + String(group).padStart(2, '0') + String(serial).padStart(4, '0');
}

export function ssnValid(s) {
  if (!/^\d{9}$/.test(s)) return false;
  const a = s.slice(0, 3);
  return a !== '000' && a !== '666' && a[0] !== '9' && s.slice(3, 5) !== '00' && s.slice(5) !== '0000';
}

// Invalid SSNs: area 000, 666 or 9xx (with a group that is not an ITIN
// group, so the value is no valid ITIN either), or group 00, or serial 0000.
export function ssnInvalid(r) {
  const kind = r.pick(['000', '666', '9xx', 'group00', 'serial0000']);
  const g = () => String(r.int(1, 99)).padStart(2, '0');
  const s = () => String(r.int(1, 9999)).padStart(4, '0');
  const okArea = () => {
    let a;
    do a = r.int(1, 899); while (a === 666);
    return String(a).padStart(3, '0');
  };
  switch (kind) {
    case '000': return '000' + g() + s();
    case '666': return '666' + g() + s();
    case '9xx': return '9' + r.digits(2) + String(r.pick([r.int(1, 49), r.int(66, 69), 89, 93])).padStart(2, '0') + s();
    case 'group00': return okArea() + '00' + s();
    default: return okArea() + g() + '0000';
  }
}

// ---- US ITIN (IRS: 9XX-GG-XXXX, group 50-65, 70-88, 90-92, 94-99) --------

export function itin(r) {
  const group = r.pick([r.int(50, 65), r.int(70, 88), r.int(90, 92), r.int(94, 99)]);
  return '9' + r.digits(2) + String(group) + String(r.int(0, 9999)).padStart(4, '0');
}

// ---- UK National Insurance number (HMRC NIM39110) ------------------------

export function nino(r) {
  const first = 'ABCEGHJKLMNOPRSTWXYZ';
  const second = 'ABCEGHJKLMNPRSTWXYZ';
  const banned = ['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'];
  let p;
  do p = r.pick([...first]) + r.pick([...second]); while (banned.includes(p));
  return p + r.digits(6) + r.pick(['A', 'B', 'C', 'D']);
}

// ---- NHS number (NHS Data Dictionary: modulus 11, weights 10..2) ----------

export function nhsCheckDigit(nine) {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (nine.charCodeAt(i) - 48) * (10 - i);
  const c = 11 - (sum % 11);
  if (c === 11) return '0';
  if (c === 10) return null;
  return String(c);
}

export function nhsNumber(r) {
  for (;;) {
    const nine = r.pick(['4', '6', '7']) + r.digits(8);
    const c = nhsCheckDigit(nine);
    if (c !== null) return nine + c;
  }
}

// ---- Canadian SIN (Luhn; first digit 0 and 8 are not issued to people) --

export function caSin(r) {
  const payload = String(r.pick([1, 2, 3, 4, 5, 6, 7, 9])) + r.digits(7);
  return payload + luhnCheckDigit(payload);
}

// ---- Spanish DNI and NIE (Ministerio del Interior: the number mod 23) ----

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

export function dniLetter(num) {
  return DNI_LETTERS[Number(num) % 23];
}

export function esDni(r) {
  const n = String(r.int(100000, 99999999)).padStart(8, '0');
  return n + dniLetter(n);
}

export function esNie(r) {
  const p = r.pick(['X', 'Y', 'Z']);
  const n = r.digits(7);
  return p + n + dniLetter(String('XYZ'.indexOf(p)) + n);
}

// ---- Italian codice fiscale (DM 23/12/1976) ------------------------------

const CF_ODD = {
  0: 1, 1: 0, 2: 5, 3: 7, 4: 9, 5: 13, 6: 15, 7: 17, 8: 19, 9: 21,
  A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18,
  N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
};

export function cfCheckChar(fifteen) {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = fifteen[i];
    if (i % 2 === 0) sum += CF_ODD[ch];
    else sum += /\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 65;
  }
  return String.fromCharCode(65 + (sum % 26));
}

function cfLetters(word) {
  return word.toUpperCase().normalize('NFD').replace(/[^A-Z]/g, '');
}

function cfSurname(s) {
  const w = cfLetters(s);
  const cons = w.replace(/[AEIOU]/g, '');
  const vows = w.replace(/[^AEIOU]/g, '');
  return (cons + vows + 'XXX').slice(0, 3);
}

function cfName(s) {
  const w = cfLetters(s);
  const cons = w.replace(/[AEIOU]/g, '');
  const vows = w.replace(/[^AEIOU]/g, '');
  if (cons.length >= 4) return cons[0] + cons[2] + cons[3];
  return (cons + vows + 'XXX').slice(0, 3);
}

// Cadastral codes of real municipalities (Belfiore codes), and Z-codes of
// foreign countries of birth.
const CF_PLACES = ['H501', 'F205', 'F839', 'L219', 'G273', 'D612', 'A944', 'L736', 'C351', 'E506', 'L424', 'B157', 'G224', 'A662', 'Z404', 'Z112', 'Z110'];

export function itFiscalCode(r, { surname, name, female, year, month, day }) {
  const months = 'ABCDEHLMPRST';
  const dd = String(day + (female ? 40 : 0)).padStart(2, '0');
  const body = cfSurname(surname) + cfName(name) + String(year % 100).padStart(2, '0') + months[month - 1] + dd + r.pick(CF_PLACES);
  return body + cfCheckChar(body);
}

// ---- French NIR (numéro de sécurité sociale; key = 97 - NIR mod 97) ------

export function nirKey(thirteen) {
  const n = BigInt(thirteen.replace('2A', '19').replace('2B', '18'));
  return String(97n - (n % 97n)).padStart(2, '0');
}

export function frNir(r, { female, year, month }) {
  const dept = r.weighted([[80, () => String(r.pick([r.int(1, 19), r.int(21, 95)])).padStart(2, '0')], [3, () => r.pick(['2A', '2B'])], [6, () => '99'], [4, () => 'overseas']])();
  let place;
  if (dept === 'overseas') place = String(r.int(971, 976)) + r.digits(2);
  else place = dept + String(r.int(1, 999)).padStart(3, '0');
  const body = (female ? '2' : '1') + String(year % 100).padStart(2, '0') + String(month).padStart(2, '0') + place + String(r.int(1, 999)).padStart(3, '0');
  return body + nirKey(body);
}

// Printed as 1 85 05 78 006 084 36.
export function nirPrint(nir, sep = ' ') {
  return [nir.slice(0, 1), nir.slice(1, 3), nir.slice(3, 5), nir.slice(5, 7), nir.slice(7, 10), nir.slice(10, 13), nir.slice(13)].join(sep);
}

// ---- Dutch BSN (the 11-proof: 9a+8b+...+2h-1i divisible by 11) -----------

export function bsnValid(s) {
  if (!/^\d{9}$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (s.charCodeAt(i) - 48) * (9 - i);
  sum -= s.charCodeAt(8) - 48;
  return sum % 11 === 0 && s !== '000000000';
}

export function nlBsn(r) {
  for (;;) {
    const eight = String(r.int(1, 6)) + r.digits(7);
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += (eight.charCodeAt(i) - 48) * (9 - i);
    const last = sum % 11;
    if (last <= 9) return eight + String(last);
  }
}

// ---- Brazilian CPF (Receita Federal: two mod-11 check digits) ------------

export function cpfCheckDigits(nine) {
  const d = [...nine].map(Number);
  let s = 0;
  for (let i = 0; i < 9; i++) s += d[i] * (10 - i);
  let r = s % 11;
  const d10 = r < 2 ? 0 : 11 - r;
  s = 0;
  for (let i = 0; i < 9; i++) s += d[i] * (11 - i);
  s += d10 * 2;
  r = s % 11;
  const d11 = r < 2 ? 0 : 11 - r;
  return `${d10}${d11}`;
}

export function cpfValid(s) {
  const d = s.replace(/\D/g, '');
  return d.length === 11 && !/^(\d)\1{10}$/.test(d) && cpfCheckDigits(d.slice(0, 9)) === d.slice(9);
}

export function brCpf(r) {
  let nine;
  do nine = r.digits(9); while (/^(\d)\1{8}$/.test(nine));
  return nine + cpfCheckDigits(nine);
}

export const cpfPrint = (c) => `${c.slice(0, 3)}.${c.slice(3, 6)}.${c.slice(6, 9)}-${c.slice(9)}`;

// ---- Aadhaar (UIDAI: 12 digits, first 2-9, Verhoeff check digit) ---------

const VD = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VP = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VINV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

export function verhoeffCheckDigit(payload) {
  let c = 0;
  const rev = [...payload].reverse().map(Number);
  for (let i = 0; i < rev.length; i++) c = VD[c][VP[(i + 1) % 8][rev[i]]];
  return String(VINV[c]);
}

export function verhoeffValid(s) {
  let c = 0;
  const rev = [...s].reverse().map(Number);
  for (let i = 0; i < rev.length; i++) c = VD[c][VP[i % 8][rev[i]]];
  return c === 0;
}

export function aadhaar(r) {
  const payload = String(r.int(2, 9)) + r.digits(10);
  return payload + verhoeffCheckDigit(payload);
}

// ---- Chinese resident identity number (GB 11643-1999, ISO 7064 MOD 11-2)

const CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

export function cnCheckChar(seventeen) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (seventeen.charCodeAt(i) - 48) * CN_WEIGHTS[i];
  return '10X98765432'[sum % 11];
}

// Administrative division codes (GB/T 2260) of real districts.
const CN_REGIONS = ['110101', '110105', '110108', '310101', '310115', '440106', '440305', '510104', '330106', '320102', '420102', '610113', '120101', '500103', '210102', '370102'];

export function cnResidentId(r, { year, month, day, female }) {
  let seq = r.int(0, 99) * 10 + r.int(0, 4) * 2 + (female ? 0 : 1);
  const body = r.pick(CN_REGIONS) + String(year) + String(month).padStart(2, '0') + String(day).padStart(2, '0') + String(seq).padStart(3, '0');
  return body + cnCheckChar(body);
}

// ---- ISBN-13 (a hard negative: EAN-13 check digit) ----------------------

export function isbn13(r) {
  const body = r.pick(['978', '979']) + r.digits(9);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (body.charCodeAt(i) - 48) * (i % 2 ? 3 : 1);
  return body + String((10 - (sum % 10)) % 10);
}

export function isbn10(r) {
  const body = r.digits(9);
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (body.charCodeAt(i) - 48) * (10 - i);
  const c = (11 - (sum % 11)) % 11;
  return body + (c === 10 ? 'X' : String(c));
}
