// Encoders that produce the bytes as they appear on the wire, so that labels
// can be computed as "the exact value as it appears in the line".

// JSON string content (without the quotes) under an encoder style:
//   asciiOnly: non-ASCII as \uXXXX (Python's json.dumps default)
//   escapeSlash: "/" as "\/" (PHP's json_encode default)
export function jsonStringContent(s, style = {}) {
    let out = JSON.stringify(s).slice(1, -1);
    if (style.asciiOnly) {
        out = out.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
    }
    if (style.escapeSlash) out = out.replace(/\//g, '\\/');
    return out;
}

// Serialize a JSON value on one line. style.spaced puts ", " and ": " between
// members like Python's json.dumps; the default is JSON.stringify's compact form.
export function jsonEncode(v, style = {}) {
    const sep = style.spaced ? ', ' : ',';
    const kv = style.spaced ? ': ' : ':';
    const enc = (x) => {
        if (x === null) return 'null';
        if (x instanceof RawJson) return x.text;
        if (typeof x === 'string') return '"' + jsonStringContent(x, style) + '"';
        if (typeof x === 'number' || typeof x === 'boolean') return JSON.stringify(x);
        if (Array.isArray(x)) return '[' + x.map(enc).join(sep) + ']';
        return '{' + Object.entries(x).filter(([, val]) => val !== undefined)
            .map(([k, val]) => '"' + jsonStringContent(k, style) + '"' + kv + enc(val)).join(sep) + '}';
    };
    return enc(v);
}

// A pre-serialized JSON token (e.g. a bare number too large for a double).
export class RawJson {
    constructor(text) { this.text = text; }
}

// application/x-www-form-urlencoded as browsers and URLSearchParams write it.
export function formEncode(s) {
    let out = '';
    for (const b of Buffer.from(s, 'utf8')) {
        const c = String.fromCharCode(b);
        if (/[A-Za-z0-9*\-._]/.test(c)) out += c;
        else if (c === ' ') out += '+';
        else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    }
    return out;
}

// What many hand-written clients do instead: only spaces, non-ASCII and the
// separators & = + % # are encoded; "@" and "/" are left alone.
export function formEncodeLoose(s) {
    let out = '';
    for (const b of Buffer.from(s, 'utf8')) {
        const c = String.fromCharCode(b);
        if (b > 0x20 && b < 0x7f && !'%&=+#'.includes(c)) out += c;
        else if (c === ' ') out += '+';
        else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    }
    return out;
}
