// Checks the generator's checksum code against examples published with
// each specification (or by the issuer), and checks that what the makers
// produce passes (and the negative makers fail) those checks. Needs no
// npm package: `node selftest.mjs`.
import assert from 'node:assert/strict';
import { Rng } from './lib/rng.mjs';
import * as id from './lib/ids.mjs';
import { crc32, githubToken, githubTokenValid } from './lib/secrets.mjs';

// Published examples.
assert.ok(id.luhnValid('4111111111111111'), 'Visa test card');
assert.ok(id.luhnValid('378282246310005'), 'Amex test card');
assert.ok(id.luhnValid('5555555555554444'), 'Mastercard test card');
assert.equal(id.luhnCheckDigit('7992739871'), '3', 'ISO/IEC 7812 Annex B example');
assert.ok(id.ibanValid('GB82WEST12345698765432'), 'ISO 13616 example');
assert.ok(id.ibanValid('DE89370400440532013000'), 'DE example');
assert.ok(id.ibanValid('FR1420041010050500013M02606'), 'FR example');
assert.ok(id.ibanValid('NL91ABNA0417164300'), 'NL example');
assert.ok(!id.ibanValid('GB83WEST12345698765432'), 'bad check digits');
assert.equal(id.ibanCheckDigits('GB', 'WEST12345698765432'), '82');
assert.equal(id.ibanLength('DE'), 22);
assert.equal(id.ibanLength('NO'), 15);
assert.equal(id.ibanLength('MT'), 31);
assert.equal(id.ibanLength('FR'), 27);
assert.ok(id.abaValid('021000021'), 'JPMorgan Chase NY');
assert.ok(id.abaValid('011000015'), 'Federal Reserve Bank of Boston');
assert.equal(id.nhsCheckDigit('943476591'), '9', 'NHS Data Dictionary example');
assert.ok(id.luhnValid('046454286'), 'CA SIN example');
assert.equal(id.dniLetter('12345678'), 'Z');
assert.equal(id.cfCheckChar('RSSMRA85T10A562'), 'S', 'Mario Rossi');
assert.equal(id.cfCheckChar('MRTMTT25D09F205'), 'Z', 'Matteo Moretti');
assert.equal(id.nirKey('2550814168025'), '38', 'NIR example');
assert.ok(id.bsnValid('111222333'));
assert.ok(id.cpfValid('123.456.789-09'));
assert.equal(id.verhoeffCheckDigit('236'), '3', 'Verhoeff example');
assert.ok(id.verhoeffValid('2363'));
assert.equal(id.cnCheckChar('11010519491231002'), 'X', 'GB 11643 example');
assert.equal(crc32('The quick brown fox jumps over the lazy dog'), 0x414fa339);
assert.ok(githubTokenValid('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'), 'published token example');

// Generated values satisfy their own specification; negatives do not.
const r = new Rng('selftest');
for (let i = 0; i < 5000; i++) {
  const c = id.cardNumber(r).number;
  assert.ok(id.luhnValid(c), c);
  assert.ok(!id.luhnValid(id.cardNumberBadLuhn(r).number));
  const ib = id.iban(r);
  assert.ok(id.ibanValid(ib), ib);
  assert.ok(!id.ibanValid(id.ibanBadCheck(r)));
  assert.ok(id.abaValid(id.abaRouting(r)));
  assert.ok(id.ssnValid(id.ssn(r)));
  assert.ok(!id.ssnValid(id.ssnInvalid(r)));
  const it = id.itin(r);
  assert.match(it, /^9\d{2}(5\d|6[0-5]|7\d|8[0-8]|9[0-2]|9[4-9])\d{4}$/);
  assert.match(id.nino(r), /^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/);
  const nhs = id.nhsNumber(r);
  assert.equal(id.nhsCheckDigit(nhs.slice(0, 9)), nhs[9]);
  assert.ok(id.luhnValid(id.caSin(r)));
  const dni = id.esDni(r);
  assert.equal(id.dniLetter(dni.slice(0, 8)), dni[8]);
  assert.ok(id.bsnValid(id.nlBsn(r)));
  assert.ok(id.cpfValid(id.brCpf(r)));
  const aa = id.aadhaar(r);
  assert.ok(id.verhoeffValid(aa) && /^[2-9]\d{11}$/.test(aa));
  const cn = id.cnResidentId(r, { year: 1980, month: 2, day: 29, female: true });
  assert.equal(id.cnCheckChar(cn.slice(0, 17)), cn[17]);
  const nir = id.frNir(r, { female: false, year: 1985, month: 5 });
  assert.equal(nir.length, 15);
  assert.equal(id.nirKey(nir.slice(0, 13)), nir.slice(13));
  assert.ok(githubTokenValid(githubToken(r, 'ghp_')));
}
console.log('selftest: ok');
