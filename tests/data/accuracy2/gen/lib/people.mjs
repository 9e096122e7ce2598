// People: names (faker, per locale), dates of birth in each locale's
// writing, street addresses in the postal formats of the US, UK, DE, FR,
// ES, IT and NL, and the national identifiers that go with a locale.
import { fakerEN_US, fakerEN_GB, fakerDE, fakerFR, fakerES, fakerIT, fakerNL, fakerPT_PT, fakerPT_BR, fakerJA } from '@faker-js/faker';
import { asciiFold, ROMAJI_SURNAMES, ROMAJI_GIVEN } from './net.mjs';
import { fullWidth } from './seg.mjs';

export const LOCALES = {
  en_US: { lang: 'en', faker: fakerEN_US, country: 'US', phone: 'US' },
  en_GB: { lang: 'en', faker: fakerEN_GB, country: 'GB', phone: 'GB' },
  de: { lang: 'de', faker: fakerDE, country: 'DE', phone: 'DE' },
  fr: { lang: 'fr', faker: fakerFR, country: 'FR', phone: 'FR' },
  es: { lang: 'es', faker: fakerES, country: 'ES', phone: 'ES' },
  it: { lang: 'it', faker: fakerIT, country: 'IT', phone: 'IT' },
  nl: { lang: 'nl', faker: fakerNL, country: 'NL', phone: 'NL' },
  pt_PT: { lang: 'pt', faker: fakerPT_PT, country: 'PT', phone: 'PT' },
  pt_BR: { lang: 'pt', faker: fakerPT_BR, country: 'BR', phone: 'BR' },
  ja: { lang: 'ja', faker: fakerJA, country: 'JP', phone: 'JP' },
};

export function seedFakers(r) {
  for (const l of Object.values(LOCALES)) l.faker.seed(r.fakerSeed());
}

export function person(r, loc) {
  const f = loc.faker;
  const female = r.chance(0.5);
  const sex = female ? 'female' : 'male';
  let first = f.person.firstName(sex);
  let last = f.person.lastName();
  let asciiFirst;
  let asciiLast;
  if (loc.lang === 'ja') {
    asciiFirst = r.pick(ROMAJI_GIVEN);
    asciiLast = r.pick(ROMAJI_SURNAMES);
  } else {
    asciiFirst = asciiFold(first.split(/\s+/)[0]) || 'anna';
    asciiLast = asciiFold(last.split(/\s+/)[0]) || 'smith';
  }
  const year = r.int(1940, 2006);
  const month = r.int(1, 12);
  const day = r.int(1, [31, (year % 4 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]);
  const full = loc.lang === 'ja' ? (r.chance(0.6) ? `${last}${first}` : `${last} ${first}`) : `${first} ${last}`;
  return { first, last, full, female, asciiFirst, asciiLast, dob: { year, month, day }, loc };
}

// Courtesy titles that precede a surname.
export function title(r, lang, female) {
  const t = {
    en: female ? ['Ms', 'Mrs', 'Ms.', 'Mrs.', 'Miss'] : ['Mr', 'Mr.'],
    de: female ? ['Frau'] : ['Herr'],
    fr: female ? ['Madame', 'Mme'] : ['Monsieur', 'M.'],
    es: female ? ['Sra.', 'señora'] : ['Sr.', 'señor'],
    it: female ? ['Sig.ra', 'signora', 'Dott.ssa'] : ['Sig.', 'signor', 'Dott.'],
    nl: female ? ['mevrouw', 'mevr.'] : ['meneer', 'heer', 'dhr.'],
    pt: female ? ['Sra.', 'Dona'] : ['Sr.', 'Senhor'],
    ja: [''],
  }[lang];
  return r.pick(t);
}

// ---- dates of birth ----------------------------------------------------------

const MONTHS = {
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  de: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  es: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
  it: ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre'],
  nl: ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'],
  pt: ['janeiro', 'fevereiro', 'março', 'abril', 'maio', 'junho', 'julho', 'agosto', 'setembro', 'outubro', 'novembro', 'dezembro'],
};

const p2 = (n) => String(n).padStart(2, '0');

// Japanese era years (Showa from 1926, Heisei from 1989, Reiwa from 2019).
function jaEra({ year, month, day }) {
  if (year < 1989 || (year === 1989 && month === 1 && day < 8)) return `昭和${year - 1925}年${month}月${day}日`;
  return `平成${year - 1988 === 1 ? '元' : year - 1988}年${month}月${day}日`;
}

export function dateText(r, locKey, d) {
  const { year: y, month: m, day: dd } = d;
  const lang = LOCALES[locKey]?.lang || 'en';
  if (locKey === 'en_US') return r.weighted([[4, () => `${p2(m)}/${p2(dd)}/${y}`], [2, () => `${m}/${dd}/${y}`], [2, () => `${MONTHS.en[m - 1]} ${dd}, ${y}`], [1, () => `${y}-${p2(m)}-${p2(dd)}`], [1, () => `${MONTHS.en[m - 1].slice(0, 3)} ${dd} ${y}`]])();
  if (lang === 'en') return r.weighted([[4, () => `${p2(dd)}/${p2(m)}/${y}`], [2, () => `${dd} ${MONTHS.en[m - 1]} ${y}`], [1, () => `${y}-${p2(m)}-${p2(dd)}`], [1, () => `${dd}${['th', 'st', 'nd', 'rd'][dd % 10 > 3 || Math.floor(dd / 10) === 1 ? 0 : dd % 10]} ${MONTHS.en[m - 1]} ${y}`]])();
  if (lang === 'de') return r.weighted([[5, () => `${p2(dd)}.${p2(m)}.${y}`], [2, () => `${dd}.${m}.${y}`], [2, () => `${dd}. ${MONTHS.de[m - 1]} ${y}`], [1, () => `${y}-${p2(m)}-${p2(dd)}`]])();
  if (lang === 'fr') return r.weighted([[5, () => `${p2(dd)}/${p2(m)}/${y}`], [2, () => `${dd === 1 ? '1er' : dd} ${MONTHS.fr[m - 1]} ${y}`], [1, () => `${p2(dd)}.${p2(m)}.${y}`]])();
  if (lang === 'es') return r.weighted([[5, () => `${p2(dd)}/${p2(m)}/${y}`], [2, () => `${dd} de ${MONTHS.es[m - 1]} de ${y}`], [1, () => `${p2(dd)}-${p2(m)}-${y}`]])();
  if (lang === 'it') return r.weighted([[5, () => `${p2(dd)}/${p2(m)}/${y}`], [2, () => `${dd} ${MONTHS.it[m - 1]} ${y}`], [1, () => `${p2(dd)}.${p2(m)}.${y}`]])();
  if (lang === 'nl') return r.weighted([[5, () => `${p2(dd)}-${p2(m)}-${y}`], [2, () => `${dd} ${MONTHS.nl[m - 1]} ${y}`], [1, () => `${p2(dd)}/${p2(m)}/${y}`]])();
  if (lang === 'pt') return r.weighted([[5, () => `${p2(dd)}/${p2(m)}/${y}`], [2, () => `${dd} de ${MONTHS.pt[m - 1]} de ${y}`]])();
  if (lang === 'ja') return r.weighted([[4, () => `${y}年${m}月${dd}日`], [2, () => `${y}/${p2(m)}/${p2(dd)}`], [1, () => jaEra(d)], [1, () => fullWidth(`${y}年${m}月${dd}日`)]])();
  return `${y}-${p2(m)}-${p2(dd)}`;
}

// A machine date for JSON fields.
export function isoDate(d) {
  return `${d.year}-${p2(d.month)}-${p2(d.day)}`;
}

// ---- street addresses ----------------------------------------------------------

const CITIES = {
  US: [['New York', 'NY', '100'], ['Los Angeles', 'CA', '900'], ['Chicago', 'IL', '606'], ['Houston', 'TX', '770'], ['Phoenix', 'AZ', '850'], ['Philadelphia', 'PA', '191'], ['San Diego', 'CA', '921'], ['Dallas', 'TX', '752'], ['Austin', 'TX', '787'], ['Seattle', 'WA', '981'], ['Denver', 'CO', '802'], ['Boston', 'MA', '021'], ['Portland', 'OR', '972'], ['Miami', 'FL', '331'], ['Atlanta', 'GA', '303'], ['Columbus', 'OH', '432']],
  GB: [['London', ['SW1A', 'EC1A', 'N1', 'E14', 'SE1', 'W1D', 'NW1', 'SW11']], ['Manchester', ['M1', 'M4', 'M20']], ['Birmingham', ['B1', 'B15', 'B29']], ['Leeds', ['LS1', 'LS6']], ['Glasgow', ['G1', 'G12']], ['Edinburgh', ['EH1', 'EH3']], ['Bristol', ['BS1', 'BS8']], ['Liverpool', ['L1', 'L17']], ['Cardiff', ['CF10', 'CF24']], ['Oxford', ['OX1', 'OX4']], ['Sheffield', ['S1', 'S10']]],
  DE: [['Berlin', '10'], ['Hamburg', '20'], ['München', '80'], ['Köln', '50'], ['Frankfurt am Main', '60'], ['Stuttgart', '70'], ['Düsseldorf', '40'], ['Leipzig', '04'], ['Dresden', '01'], ['Nürnberg', '90'], ['Bremen', '28'], ['Hannover', '30'], ['Freiburg im Breisgau', '79']],
  FR: [['Paris', '750'], ['Lyon', '690'], ['Marseille', '130'], ['Toulouse', '310'], ['Nice', '060'], ['Nantes', '440'], ['Strasbourg', '670'], ['Montpellier', '340'], ['Bordeaux', '330'], ['Lille', '590'], ['Rennes', '350'], ['Grenoble', '380']],
  ES: [['Madrid', '280'], ['Barcelona', '080'], ['Valencia', '460'], ['Sevilla', '410'], ['Zaragoza', '500'], ['Málaga', '290'], ['Bilbao', '480'], ['Murcia', '300'], ['Palma', '070'], ['A Coruña', '150'], ['Valladolid', '470']],
  IT: [['Roma', '001', 'RM'], ['Milano', '201', 'MI'], ['Napoli', '801', 'NA'], ['Torino', '101', 'TO'], ['Palermo', '901', 'PA'], ['Genova', '161', 'GE'], ['Bologna', '401', 'BO'], ['Firenze', '501', 'FI'], ['Bari', '701', 'BA'], ['Venezia', '301', 'VE'], ['Verona', '371', 'VR']],
  NL: [['Amsterdam', '10'], ['Rotterdam', '30'], ['Den Haag', '25'], ['Utrecht', '35'], ['Eindhoven', '56'], ['Groningen', '97'], ['Tilburg', '50'], ['Almere', '13'], ['Breda', '48'], ['Nijmegen', '65'], ['Haarlem', '20']],
};

const STREETS = {
  US: ['Main St', 'Oak Avenue', 'Maple Street', 'Washington Blvd', 'Park Ave', 'Elm Street', 'Cedar Lane', 'Sunset Blvd', 'Pine St', 'Lakeview Drive', 'Highland Ave', 'Mission St', 'Broadway', '5th Avenue', 'Church Road'],
  GB: ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Green Lane', 'Manor Road', 'Park Road', 'Queen Street', 'London Road', 'Mill Lane', 'Kings Road', 'The Crescent', 'Baker Street'],
  DE: ['Hauptstraße', 'Bahnhofstraße', 'Schillerstraße', 'Gartenweg', 'Goethestraße', 'Lindenallee', 'Dorfstraße', 'Kirchplatz', 'Friedrichstraße', 'Am Markt', 'Mozartstr.', 'Berliner Allee', 'Rosenweg'],
  FR: ['rue de la République', 'avenue Victor Hugo', 'boulevard Voltaire', 'rue Pasteur', 'rue du Moulin', 'place de la Mairie', 'rue Jean Jaurès', 'allée des Tilleuls', 'chemin des Vignes', 'rue de la Paix', 'impasse des Lilas', 'quai de la Loire'],
  ES: ['Calle Mayor', 'Avenida de la Constitución', 'Calle Real', 'Gran Vía', 'Paseo de la Castellana', 'Calle de Alcalá', 'Plaza de España', 'Calle San Vicente', 'Rambla de Catalunya', 'Calle del Sol', 'Avenida de América'],
  IT: ['Via Roma', 'Via Garibaldi', 'Corso Vittorio Emanuele II', 'Piazza Dante', 'Via Mazzini', 'Viale dei Mille', 'Via Verdi', 'Corso Italia', 'Via della Repubblica', 'Via Cavour', 'Largo Argentina'],
  NL: ['Kerkstraat', 'Dorpsstraat', 'Stationsweg', 'Molenweg', 'Kalverstraat', 'Prinsengracht', 'Schoolstraat', 'Julianalaan', 'Beatrixstraat', 'Lange Voorhout', 'Oudegracht', 'Markt'],
};

const FAKER_FOR = { US: fakerEN_US, GB: fakerEN_GB, DE: fakerDE, FR: fakerFR, ES: fakerES, IT: fakerIT, NL: fakerNL };
const UK_INWARD = 'ABDEFGHJLNPQRSTUWXYZ';

export const ADDRESS_COUNTRIES = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL'];

// Returns {line: the whole address on one line, street: street and
// number, postcode, city, country}.
export function address(r, country) {
  const street = r.chance(0.5) ? r.pick(STREETS[country]) : FAKER_FOR[country].location.street();
  let s;
  let postcode;
  let city;
  let line;
  if (country === 'US') {
    const [c, st, zp] = r.pick(CITIES.US);
    city = c;
    postcode = zp + r.digits(2) + (r.chance(0.15) ? '-' + r.digits(4) : '');
    s = `${r.int(1, 9899)} ${street}`;
    const unit = r.weighted([[6, ''], [2, `, Apt ${r.int(1, 40)}${r.pick(['', 'A', 'B', 'C'])}`], [1, ` Suite ${r.int(100, 999)}`], [1, ` #${r.int(1, 30)}`]]);
    s += unit;
    line = `${s}, ${city}, ${st} ${postcode}`;
  } else if (country === 'GB') {
    const [c, outs] = r.pick(CITIES.GB);
    city = c;
    postcode = `${r.pick(outs)} ${r.int(1, 9)}${r.pick([...UK_INWARD])}${r.pick([...UK_INWARD])}`;
    s = (r.chance(0.2) ? `Flat ${r.int(1, 24)}, ` : '') + `${r.int(1, 240)}${r.chance(0.05) ? 'B' : ''} ${street}`;
    line = `${s}, ${city} ${postcode}`;
  } else if (country === 'DE') {
    const [c, pre] = r.pick(CITIES.DE);
    city = c;
    postcode = pre + r.digits(3);
    s = `${street} ${r.int(1, 180)}${r.chance(0.1) ? r.pick(['a', 'b', 'c']) : ''}`;
    line = `${s}, ${postcode} ${city}`;
  } else if (country === 'FR') {
    const [c, pre] = r.pick(CITIES.FR);
    city = c;
    postcode = pre === '750' ? '750' + p2(r.int(1, 20)) : pre + r.digits(2);
    s = `${r.int(1, 160)}${r.chance(0.08) ? r.pick([' bis', ' ter']) : ''} ${street}`;
    line = `${s}, ${postcode} ${city}`;
  } else if (country === 'ES') {
    const [c, pre] = r.pick(CITIES.ES);
    city = c;
    postcode = pre + r.digits(2);
    s = r.chance(0.6) ? `${street}, ${r.int(1, 150)}, ${r.int(1, 9)}º ${r.pick(['A', 'B', 'C', 'D', 'izda.', 'dcha.'])}` : `C/ ${street.replace(/^Calle (de )?/, '')} ${r.int(1, 150)}`;
    line = `${s}, ${postcode} ${city}`;
  } else if (country === 'IT') {
    const [c, pre, prov] = r.pick(CITIES.IT);
    city = c;
    postcode = pre + r.digits(2);
    s = r.chance(0.5) ? `${street}, ${r.int(1, 200)}` : `${street} ${r.int(1, 200)}${r.chance(0.05) ? '/A' : ''}`;
    line = `${s}, ${postcode} ${city} ${r.chance(0.5) ? `(${prov})` : prov}`;
  } else {
    const [c, pre] = r.pick(CITIES.NL);
    city = c;
    let letters;
    do letters = r.upper(2); while (['SA', 'SD', 'SS'].includes(letters));
    postcode = `${pre}${r.digits(2)}${r.chance(0.8) ? ' ' : ''}${letters}`;
    s = `${street} ${r.int(1, 300)}${r.chance(0.15) ? r.pick(['-1', 'A', ' hs', '-2']) : ''}`;
    line = `${s}, ${postcode} ${city}`;
  }
  return { line, street: s, postcode, city, country };
}

const p2b = p2;
export { p2b as pad2 };
