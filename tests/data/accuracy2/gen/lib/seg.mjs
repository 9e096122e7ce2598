// Labeled text. A record is built as a tree of pieces: a plain string, or
// {s, t} (a PII value of type t), or {s, n} (a hard negative of kind n),
// or an array of pieces. Encodings (JSON string escaping, percent-encoding)
// are applied piece by piece, which is exact because both encode one
// character at a time; render() then measures every labeled piece in UTF-8
// bytes, so a label is the exact byte span of the value as it appears in
// the record, escapes included.

export const pii = (t, s) => ({ s: String(s), t });
export const neg = (n, s) => ({ s: String(s), n });
// A person's name as the value of a field whose key says it is a name
// (first_name, holder, account_holder, a CSV "Name" column): labeled with
// the context "key", so that the scorer reports these apart from names in
// running text ("text") and from names under other keys (a search query,
// a form-builder answer).
export const nameKey = (s) => ({ s: String(s), t: 'person_name', ctx: 'key' });

export function flat(x, out = []) {
  if (x === null || x === undefined) return out;
  if (Array.isArray(x)) {
    for (const y of x) flat(y, out);
  } else if (typeof x === 'object') {
    out.push(x);
  } else {
    out.push(String(x));
  }
  return out;
}

// Applies fn to the text of every piece, keeping labels.
export function mapText(x, fn) {
  return flat(x).map((p) => (typeof p === 'string' ? fn(p) : { ...p, s: fn(p.s) }));
}

export function join(items, sep) {
  const out = [];
  items.forEach((it, i) => {
    if (i) out.push(sep);
    out.push(it);
  });
  return out;
}

export function plainText(x) {
  return flat(x).map((p) => (typeof p === 'string' ? p : p.s)).join('');
}

export function hasPii(x) {
  return flat(x).some((p) => typeof p === 'object' && p.t);
}

// Returns {text, pii: [[type, start, length]], neg: [[kind, start, length]]}
// with byte offsets relative to the start of the text.
export function render(x) {
  let text = '';
  let pos = 0;
  const piiSpans = [];
  const negSpans = [];
  for (const p of flat(x)) {
    const s = typeof p === 'string' ? p : p.s;
    const len = Buffer.byteLength(s, 'utf8');
    if (typeof p === 'object' && len > 0) {
      if (p.t) piiSpans.push(p.ctx ? [p.t, pos, len, p.ctx] : [p.t, pos, len]);
      else if (p.n) negSpans.push([p.n, pos, len]);
    }
    text += s;
    pos += len;
  }
  return { text, pii: piiSpans, neg: negSpans };
}

// ---- JSON ----------------------------------------------------------------

// style: {ascii: escape non-ASCII as \uXXXX (Python's json.dumps default),
//         slash: escape '/' as '\/' (PHP), space: ", " and ": " separators}
export function jsonEscape(s, style = {}) {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '/' && style.slash) out += '\\/';
    else if (cp < 0x20) out += '\\u' + cp.toString(16).padStart(4, '0');
    else if (cp > 0x7e && style.ascii) {
      if (cp > 0xffff) {
        const v = cp - 0x10000;
        out += '\\u' + (0xd800 + (v >> 10)).toString(16).padStart(4, '0');
        out += '\\u' + (0xdc00 + (v & 0x3ff)).toString(16).padStart(4, '0');
      } else {
        out += '\\u' + cp.toString(16).padStart(4, '0');
      }
    } else out += ch;
  }
  return out;
}

// A JSON value as pieces. Values: a piece tree marked with J.str(...) is a
// string; numbers, booleans and null are literals; J.raw(pieces) is emitted
// as is (a labeled number); arrays and plain objects {__obj: [[k, v], ...]}.
export const J = {
  str: (x) => ({ __str: x }),
  raw: (x) => ({ __raw: x }),
  obj: (entries) => ({ __obj: entries.filter((e) => e && e[1] !== undefined) }),
  arr: (items) => ({ __arr: items }),
};

export function jsonPieces(v, style = {}) {
  const colon = style.space ? ': ' : ':';
  const comma = style.space ? ', ' : ',';
  if (v === null) return ['null'];
  if (typeof v === 'number' || typeof v === 'boolean') return [JSON.stringify(v)];
  if (typeof v === 'string') return ['"', jsonEscape(v, style), '"'];
  if (v.__str !== undefined) return ['"', mapText(v.__str, (s) => jsonEscape(s, style)), '"'];
  if (v.__raw !== undefined) return [v.__raw];
  if (v.__arr !== undefined) return ['[', join(v.__arr.map((x) => jsonPieces(x, style)), comma), ']'];
  if (v.__obj !== undefined) {
    return ['{', join(v.__obj.map(([k, x]) => [jsonPieces(k, style), colon, jsonPieces(x, style)]), comma), '}'];
  }
  // A bare labeled piece or piece array is a string value.
  return ['"', mapText(v, (s) => jsonEscape(s, style)), '"'];
}

// ---- percent-encoding ----------------------------------------------------

const UNRESERVED = /[A-Za-z0-9\-._~]/;

// form: application/x-www-form-urlencoded (space as '+'); otherwise RFC
// 3986 (space as %20). keep: extra characters left as they are.
export function pctEncode(s, { form = false, keep = '', lower = false } = {}) {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED.test(ch) || keep.includes(ch)) out += ch;
    else if (ch === ' ' && form) out += '+';
    else {
      for (const b of Buffer.from(ch, 'utf8')) {
        const h = b.toString(16).padStart(2, '0');
        out += '%' + (lower ? h : h.toUpperCase());
      }
    }
  }
  return out;
}

// ---- typing variants -----------------------------------------------------

const FW_MAP = { '-': '\uff0d', '@': '\uff20', '.': '\uff0e', '+': '\uff0b', '(': '\uff08', ')': '\uff09', ' ': '\u3000' };

// Full-width forms as typed with a Japanese input method: digits always,
// the listed punctuation when asked.
export function fullWidth(s, punct = '') {
  let out = '';
  for (const ch of s) {
    if (ch >= '0' && ch <= '9') out += String.fromCodePoint(0xff10 + (ch.charCodeAt(0) - 48));
    else if (punct.includes(ch) && FW_MAP[ch]) out += FW_MAP[ch];
    else out += ch;
  }
  return out;
}

export const NBSP = '\u00a0';
export const NNBSP = '\u202f';
export const THIN = '\u2009';
