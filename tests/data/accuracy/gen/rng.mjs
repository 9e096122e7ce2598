// A small seeded PRNG (mulberry32) so the corpus is reproducible without
// depending on the order of faker's internal draws.

let state = 0x5eed1e55;

export function seed(s) { state = s >>> 0; }

export function rand() {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
export const pick = (arr) => arr[Math.floor(rand() * arr.length)];
export const chance = (p) => rand() < p;
export const digits = (n) => { let s = ''; for (let i = 0; i < n; i++) s += int(0, 9); return s; };
export const digitsNZ = (n) => String(int(1, 9)) + digits(n - 1);
export const pad = (n, w) => String(n).padStart(w, '0');

export function chars(n, alphabet) {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
    return s;
}

export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';
export const ALNUM = UPPER + LOWER + DIGITS;
export const HEX = '0123456789abcdef';

export function hex(n) { return chars(n, HEX); }

export function weighted(entries) {
    // entries: [[weight, value], ...]
    let total = 0;
    for (const [w] of entries) total += w;
    let r = rand() * total;
    for (const [w, v] of entries) {
        if ((r -= w) < 0) return v;
    }
    return entries[entries.length - 1][1];
}

export function shuffle(arr) {
    for (let i = arr.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [arr[i], arr[j]] = [arr[j], arr[i]];
    }
    return arr;
}

export function randomBytes(n) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = int(0, 255);
    return b;
}
