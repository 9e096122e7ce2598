// Deterministic random numbers for the generator. Every choice the
// generator makes goes through one Rng (sfc32, seeded from the seed name),
// so a seed names one corpus, byte for byte, for a given faker version.

function hashSeed(text) {
  // FNV-1a over the seed text, spread into four 32-bit words.
  let h = 0x811c9dc5;
  const out = [];
  for (let round = 0; round < 4; round++) {
    for (const ch of `${text}#${round}`) {
      h ^= ch.codePointAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out.push(h);
  }
  return out;
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export class Rng {
  constructor(seedText) {
    [this.a, this.b, this.c, this.d] = hashSeed(String(seedText));
    for (let i = 0; i < 20; i++) this.next();
  }

  // sfc32: a small, well-tested 32-bit generator.
  next() {
    this.a >>>= 0; this.b >>>= 0; this.c >>>= 0; this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(lo, hi) { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  chance(p) { return this.next() < p; }
  pick(arr) { return arr[Math.floor(this.next() * arr.length)]; }

  // pairs: [[weight, value], ...]
  weighted(pairs) {
    let total = 0;
    for (const [w] of pairs) total += w;
    let x = this.next() * total;
    for (const [w, v] of pairs) {
      if ((x -= w) < 0) return v;
    }
    return pairs[pairs.length - 1][1];
  }

  fromAlphabet(alphabet, n) {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
  digits(n) { return this.fromAlphabet('0123456789', n); }
  hex(n) { return this.fromAlphabet('0123456789abcdef', n); }
  upperHex(n) { return this.fromAlphabet('0123456789ABCDEF', n); }
  alnum(n) { return this.fromAlphabet(B62, n); }
  upperAlnum(n) { return this.fromAlphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', n); }
  lowerAlnum(n) { return this.fromAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', n); }
  upper(n) { return this.fromAlphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZ', n); }
  lower(n) { return this.fromAlphabet('abcdefghijklmnopqrstuvwxyz', n); }
  b64url(n) { return this.fromAlphabet(B64URL, n); }
  b64(n) { return this.fromAlphabet(B64, n); }
  bytes(n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
  shuffle(arr) {
    const a = arr.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
  // A seed for faker, drawn from this stream.
  fakerSeed() { return this.int(1, 2 ** 31 - 2); }
}

export { B62, B64URL, B64 };
