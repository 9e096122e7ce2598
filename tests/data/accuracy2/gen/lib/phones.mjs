// Telephone numbers by the national numbering plans (ITU-T E.164
// assignments and each regulator's plan: NANPA, Ofcom, BNetzA, ARCEP, CNMC,
// AGCOM, ACM, ANACOM, Anatel, MIC, ACMA, TRAI, IFT), written the ways
// people write them: national format with the trunk prefix, international
// format with +CC or 00CC, and the compact E.164 form. Fictional ranges
// (NANP 555-01xx, Ofcom drama numbers) are avoided.
import { NBSP, NNBSP, THIN } from './seg.mjs';

const US_NPA = ['212', '213', '305', '312', '415', '617', '646', '702', '713', '808', '917', '206', '303', '404', '503', '512', '602', '619', '720', '773', '818', '978', '267', '480'];
const CA_NPA = ['416', '604', '514', '403', '613', '905', '647', '778'];

function nxx(r) {
  for (;;) {
    const s = String(r.int(2, 9)) + r.digits(2);
    if (s[1] === '1' && s[2] === '1') continue;
    if (s === '555') continue;
    return s;
  }
}

// Each plan returns {cc, nsn, natGroups, intlGroups, trunk}: the national
// significant number, its grouping in national and international writing.
const PLANS = {
  US: (r) => {
    const npa = r.chance(0.85) ? r.pick(US_NPA) : r.pick(CA_NPA);
    const nsn = npa + nxx(r) + r.digits(4);
    return { cc: '1', nsn, groups: [3, 3, 4], trunk: '' };
  },
  GB: (r) => r.weighted([
    [5, () => ({ cc: '44', nsn: '7' + r.pick(['4', '5', '7', '8', '9']) + r.digits(8), groups: [4, 6], trunk: '0' })],
    [2, () => ({ cc: '44', nsn: '20' + r.pick(['3', '7', '8']) + r.digits(7), groups: [2, 4, 4], trunk: '0' })],
    [2, () => ({ cc: '44', nsn: r.pick(['161', '121', '113', '141', '117', '131']) + r.int(2, 9) + r.digits(6), groups: [3, 3, 4], trunk: '0' })],
  ])(),
  DE: (r) => r.weighted([
    [5, () => {
      const pre = r.pick(['151', '152', '157', '159', '160', '162', '163', '170', '171', '172', '173', '174', '175', '176', '177', '178', '179']);
      return { cc: '49', nsn: pre + r.digits(pre.startsWith('15') ? 8 : r.int(7, 8)), groups: [3, 8], trunk: '0' };
    }],
    [3, () => {
      const area = r.pick(['30', '89', '40', '69', '221', '211', '711', '341', '351']);
      return { cc: '49', nsn: area + String(r.int(2, 9)) + r.digits(area.length === 2 ? r.int(6, 7) : r.int(5, 6)), groups: [area.length, 9], trunk: '0' };
    }],
  ])(),
  FR: (r) => ({ cc: '33', nsn: r.weighted([[5, '6'], [3, '7'], [2, '1'], [1, '2'], [1, '3'], [1, '4'], [1, '5'], [1, '9']]) + r.digits(8), groups: [1, 2, 2, 2, 2], trunk: '0' }),
  ES: (r) => r.weighted([
    [6, () => ({ cc: '34', nsn: r.pick(['6', '7']) + r.digits(8), groups: [3, 3, 3], trunk: '' })],
    [3, () => ({ cc: '34', nsn: '9' + r.int(1, 8) + r.digits(7), groups: [2, 3, 2, 2], trunk: '' })],
  ])(),
  IT: (r) => r.weighted([
    [6, () => ({ cc: '39', nsn: '3' + r.int(2, 9) + r.digits(8), groups: [3, 3, 4], trunk: '' })],
    [3, () => {
      const area = r.pick(['06', '02', '011', '055', '081', '051']);
      return { cc: '39', nsn: area + r.int(2, 9) + r.digits(r.int(5, 7)), groups: [area.length, 4, 4], trunk: '' };
    }],
  ])(),
  NL: (r) => r.weighted([
    [6, () => ({ cc: '31', nsn: '6' + r.int(1, 5) + r.digits(7), groups: [1, 8], trunk: '0' })],
    [3, () => ({ cc: '31', nsn: r.pick(['20', '10', '70', '30', '40']) + r.int(2, 9) + r.digits(6), groups: [2, 3, 4], trunk: '0' })],
  ])(),
  PT: (r) => r.weighted([
    [6, () => ({ cc: '351', nsn: '9' + r.pick(['1', '2', '3', '6']) + r.digits(7), groups: [3, 3, 3], trunk: '' })],
    [3, () => ({ cc: '351', nsn: '2' + r.pick(['1', '2', '3', '5']) + r.digits(7), groups: [3, 3, 3], trunk: '' })],
  ])(),
  BR: (r) => {
    const ddd = r.pick(['11', '21', '31', '41', '51', '61', '71', '81', '85', '19', '48', '62']);
    if (r.chance(0.75)) return { cc: '55', nsn: ddd + '9' + r.int(6, 9) + r.digits(7), groups: [2, 5, 4], trunk: '', br: true };
    return { cc: '55', nsn: ddd + r.int(2, 5) + r.digits(7), groups: [2, 4, 4], trunk: '', br: true };
  },
  JP: (r) => r.weighted([
    [6, () => ({ cc: '81', nsn: r.pick(['90', '80', '70']) + r.int(1, 9) + r.digits(7), groups: [2, 4, 4], trunk: '0' })],
    [3, () => ({ cc: '81', nsn: r.pick(['3', '6']) + r.int(3, 6) + r.digits(7), groups: [1, 4, 4], trunk: '0' })],
  ])(),
  AU: (r) => r.weighted([
    [5, () => ({ cc: '61', nsn: '4' + r.int(0, 9) + r.digits(7), groups: [3, 3, 3], trunk: '0' })],
    [3, () => ({ cc: '61', nsn: r.pick(['2', '3', '7', '8']) + r.int(3, 9) + r.digits(7), groups: [1, 4, 4], trunk: '0' })],
  ])(),
  IN: (r) => ({ cc: '91', nsn: String(r.int(6, 9)) + r.digits(9), groups: [5, 5], trunk: '0' }),
  MX: (r) => ({ cc: '52', nsn: r.pick(['55', '33', '81']) + r.int(1, 9) + r.digits(7), groups: [2, 4, 4], trunk: '' }),
};

export const PHONE_COUNTRIES_BY_LANG = {
  en: [[6, 'US'], [4, 'GB'], [1, 'AU'], [1, 'IN']],
  de: [[1, 'DE']],
  fr: [[1, 'FR']],
  es: [[5, 'ES'], [1, 'MX']],
  it: [[1, 'IT']],
  nl: [[1, 'NL']],
  pt: [[1, 'PT'], [1, 'BR']],
  ja: [[1, 'JP']],
};

function split(nsn, groups) {
  const out = [];
  let i = 0;
  for (const g of groups) {
    if (i >= nsn.length) break;
    out.push(nsn.slice(i, i + g));
    i += g;
  }
  if (i < nsn.length) out[out.length - 1] += nsn.slice(i);
  return out;
}

function natSep(r, country) {
  if (country === 'FR') return r.weighted([[6, ' '], [2, '.'], [1, ''], [1, '-'], [2, NNBSP], [1, NBSP]]);
  if (country === 'US') return r.weighted([[5, '-'], [2, '.'], [2, ' ']]);
  if (country === 'JP') return r.weighted([[6, '-'], [2, ' ']]);
  return r.weighted([[8, ' '], [2, '-'], [1, '.'], [1, NBSP], [1, THIN]]);
}

// Returns the number as typed.
export function phone(r, country) {
  const p = PLANS[country](r);
  const g = split(p.nsn, p.groups);
  const style = r.weighted([[5, 'national'], [5, 'intl'], [2, 'e164'], [1, 'intl00']]);
  if (style === 'e164') return `+${p.cc}${p.nsn}`;
  const sep = natSep(r, country);
  if (style === 'national') {
    const trunk = p.trunk;
    if (country === 'US') {
      return r.weighted([
        [4, () => `(${g[0]}) ${g[1]}-${g[2]}`], [4, () => g.join(sep)], [1, () => `1-${g.join('-')}`], [1, () => g.join('')],
      ])();
    }
    if (country === 'BR') return r.weighted([[3, () => `(${g[0]}) ${g[1]}-${g[2]}`], [2, () => `${g[0]} ${g[1]}-${g[2]}`], [1, () => g.join('')]])();
    if (country === 'DE' && r.chance(0.3)) return `${trunk}${g[0]}/${g[1]}`;
    if (country === 'DE' && r.chance(0.15)) return `(${trunk}${g[0]}) ${g[1]}`;
    if (country === 'JP' && r.chance(0.15)) return `(${trunk}${g[0]}) ${g[1]}-${g[2]}`;
    if (country === 'NL' && p.nsn[0] === '6' && r.chance(0.5)) return `06-${p.nsn.slice(1)}`;
    if (r.chance(0.1)) return trunk + g.join('');
    return trunk + g.join(sep);
  }
  const plus = style === 'intl00' ? `00${p.cc}` : `+${p.cc}`;
  const isep = sep === '.' || sep === '' ? ' ' : sep;
  if (p.trunk === '0' && ['GB', 'DE', 'FR', 'NL'].includes(country) && r.chance(0.2)) return `${plus}${isep}(0)${g.join(isep)}`;
  if (country === 'US' && r.chance(0.3)) return `${plus} (${g[0]}) ${g[1]}-${g[2]}`;
  if (country === 'US' && r.chance(0.3)) return `${plus}-${g.join('-')}`;
  if (country === 'JP' && r.chance(0.5)) return `${plus}-${g.join('-')}`;
  if (country === 'BR' && r.chance(0.4)) return `${plus} (${g[0]}) ${g[1]}-${g[2]}`;
  if (country === 'ES' && r.chance(0.15)) return `(${plus}) ${g.join(isep)}`;
  return `${plus}${isep}${g.join(isep)}`;
}
