// Check-digit algorithms used to make every labeled value genuinely valid
// (and every "checksum_fail" value genuinely invalid). Written from the
// public specifications, independently of veil's validators.

export function luhnValid(digits) {
    let sum = 0;
    let dbl = false;
    for (let i = digits.length - 1; i >= 0; i--) {
        let d = digits.charCodeAt(i) - 48;
        if (dbl) { d *= 2; if (d > 9) d -= 9; }
        sum += d;
        dbl = !dbl;
    }
    return sum % 10 === 0;
}

// The digit to append to <body> so that body+digit passes Luhn.
export function luhnCheckDigit(body) {
    for (let c = 0; c < 10; c++) {
        if (luhnValid(body + c)) return String(c);
    }
    throw new Error('unreachable');
}

// ISO 7064 mod 97-10 over an alphanumeric string (letters A=10..Z=35).
export function mod97(str) {
    let rem = 0;
    for (const ch of str) {
        const v = /[0-9]/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
        for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
    }
    return rem;
}

export function ibanValid(iban) {
    const s = iban.replace(/ /g, '');
    return mod97(s.slice(4) + s.slice(0, 4)) === 1;
}

export function ibanCheckDigits(country, bban) {
    const cd = 98 - mod97(bban + country + '00');
    return String(cd).padStart(2, '0');
}

// ABA routing number: 3-7-1 weights, sum divisible by 10.
export function abaValid(d) {
    if (!/^\d{9}$/.test(d)) return false;
    const w = [3, 7, 1, 3, 7, 1, 3, 7, 1];
    let s = 0;
    for (let i = 0; i < 9; i++) s += w[i] * (d.charCodeAt(i) - 48);
    return s % 10 === 0;
}

export function abaCheckDigit(body8) {
    const w = [3, 7, 1, 3, 7, 1, 3, 7];
    let s = 0;
    for (let i = 0; i < 8; i++) s += w[i] * (body8.charCodeAt(i) - 48);
    return String((10 - (s % 10)) % 10);
}

// Federal Reserve routing symbol prefixes that ABA numbers may start with.
export function abaPrefixValid(d) {
    const p = parseInt(d.slice(0, 2), 10);
    return (p >= 0 && p <= 12) || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p === 80;
}

// Verhoeff (Aadhaar).
const VD = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VP = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VINV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

export function verhoeffValid(num) {
    let c = 0;
    const a = num.split('').reverse();
    for (let i = 0; i < a.length; i++) c = VD[c][VP[i % 8][+a[i]]];
    return c === 0;
}

export function verhoeffCheckDigit(body) {
    let c = 0;
    const a = body.split('').reverse();
    for (let i = 0; i < a.length; i++) c = VD[c][VP[(i + 1) % 8][+a[i]]];
    return String(VINV[c]);
}

// UK NHS number: weights 10..2, check = 11 - sum%11 (11 -> 0, 10 invalid).
export function nhsCheckDigit(body9) {
    let s = 0;
    for (let i = 0; i < 9; i++) s += (10 - i) * (+body9[i]);
    let c = 11 - (s % 11);
    if (c === 11) c = 0;
    return c === 10 ? null : String(c);
}

// Dutch BSN 11-test: 9*d1 + 8*d2 + ... + 2*d8 - d9 = 0 (mod 11).
export function bsnValid(d) {
    if (!/^\d{9}$/.test(d)) return false;
    let s = 0;
    for (let i = 0; i < 8; i++) s += (9 - i) * (+d[i]);
    s -= +d[8];
    return s % 11 === 0;
}

// Brazilian CPF: two mod-11 check digits.
export function cpfCheckDigits(body9) {
    let s = 0;
    for (let i = 0; i < 9; i++) s += (10 - i) * (+body9[i]);
    let d1 = (s * 10) % 11; if (d1 === 10) d1 = 0;
    s = 0;
    const b10 = body9 + d1;
    for (let i = 0; i < 10; i++) s += (11 - i) * (+b10[i]);
    let d2 = (s * 10) % 11; if (d2 === 10) d2 = 0;
    return String(d1) + String(d2);
}

// Chinese resident ID: ISO 7064 MOD 11-2 over the first 17 digits.
export function cnIdCheck(body17) {
    const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let s = 0;
    for (let i = 0; i < 17; i++) s += w[i] * (+body17[i]);
    return '10X98765432'[s % 11];
}

// Spanish DNI/NIE check letter.
export function esLetter(n) {
    return 'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23];
}

// Italian codice fiscale check character.
const CF_ODD = {
    0: 1, 1: 0, 2: 5, 3: 7, 4: 9, 5: 13, 6: 15, 7: 17, 8: 19, 9: 21,
    A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18,
    N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
};
export function cfCheckChar(body15) {
    let s = 0;
    for (let i = 0; i < 15; i++) {
        const ch = body15[i];
        if (i % 2 === 0) {
            s += CF_ODD[ch];
        } else {
            s += /[0-9]/.test(ch) ? +ch : ch.charCodeAt(0) - 65;
        }
    }
    return String.fromCharCode(65 + (s % 26));
}

// French NIR key: 97 - (number mod 97).
export function nirKey(body13) {
    return String(97 - Number(BigInt(body13) % 97n)).padStart(2, '0');
}

// CRC-32 (IEEE), for GitHub token checksums.
const CRC_TABLE = (() => {
    const t = [];
    for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++) c = (c & 1) ? (0xEDB88320 ^ (c >>> 1)) : (c >>> 1);
        t.push(c >>> 0);
    }
    return t;
})();
export function crc32(str) {
    let c = 0xFFFFFFFF;
    for (let i = 0; i < str.length; i++) c = CRC_TABLE[(c ^ str.charCodeAt(i)) & 0xFF] ^ (c >>> 8);
    return (c ^ 0xFFFFFFFF) >>> 0;
}

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export function base62(n, width) {
    let s = '';
    do { s = BASE62[n % 62] + s; n = Math.floor(n / 62); } while (n > 0);
    return s.padStart(width, '0');
}

export function ssnValid(area, group, serial) {
    const a = +area, g = +group, s = +serial;
    return a !== 0 && a !== 666 && a < 900 && g !== 0 && s !== 0;
}

// ITIN: 9xx with group 50-65, 70-88, 90-92, 94-99.
export function itinGroupValid(g) {
    g = +g;
    return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || (g >= 94 && g <= 99);
}
