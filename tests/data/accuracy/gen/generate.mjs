// Generates veil's labeled accuracy corpus into the parent directory:
//   text.txt, json.jsonl, form.txt   one record per line
//   labels.jsonl                     one label object per record
// Usage: node generate.mjs [--seed N] [--out DIR]
// The output is deterministic for a given seed and faker version.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as R from './rng.mjs';
import { seedFakers } from './people.mjs';
import * as TPL from './templates.mjs';
import { PII_TYPES } from './record.mjs';
import * as C from './checksums.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const SEED = +opt('--seed', 20240517);
const OUT = opt('--out', path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));

R.seed(SEED);
seedFakers(SEED);

// Lines per file and kind.
const PLAN = {
    'json.jsonl': { pii: [1100, TPL.PII_JSON], negative: [330, TPL.NEG_JSON], clean: [620, TPL.CLEAN_JSON] },
    'form.txt': { pii: [450, TPL.PII_FORM], negative: [150, TPL.NEG_FORM], clean: [260, TPL.CLEAN_FORM] },
    'text.txt': { pii: [1250, TPL.PII_TEXT], negative: [380, TPL.NEG_TEXT], clean: [760, TPL.CLEAN_TEXT] },
};

// Re-check every labeled value with the validators, independently of how the
// templates built it: a corpus bug must not pass silently.
function selfCheck(v, neg) {
    const d = v.value.replace(/%20|\+|[ \-.]/g, '');
    const fail = (why) => { throw new Error(`self-check failed: ${v.type} (${why})`); };
    if (neg) {
        if (v.type === 'checksum_fail') {
            const s = v.value.replace(/\+|%20| /g, '');
            if (/^\d{3}-\d{2}-\d{4}$/.test(s)) {
                const [a, g, n] = s.split('-');
                if (C.ssnValid(a, g, n)) fail('ssn valid');
                if (a[0] === '9' && C.itinGroupValid(g)) fail('itin valid');
            } else if (/^[A-Z]{2}\d{2}/.test(s)) {
                if (C.ibanValid(s)) fail('iban valid');
            } else if (/^\d{9}$/.test(s)) {
                if (C.abaValid(s) || C.luhnValid(s) || C.bsnValid(s)) fail('aba-like valid');
            } else if (/^[\d-]+$/.test(s)) {
                if (C.luhnValid(s.replace(/-/g, ''))) fail('luhn valid');
            } else fail('unknown shape');
        }
        return;
    }
    switch (v.type) {
    case 'credit_card': if (!C.luhnValid(d) || d.length < 12 || d.length > 19) fail('luhn'); break;
    case 'iban': if (!C.ibanValid(v.value.replace(/\+|%20/g, ' '))) fail('mod97'); break;
    case 'us_ssn': { const x = d.replace(/[^0-9]/g, ''); if (x.length !== 9 || !C.ssnValid(x.slice(0, 3), x.slice(3, 5), x.slice(5))) fail('ssn'); break; }
    case 'us_bank_routing': if (!C.abaValid(d) || !C.abaPrefixValid(d)) fail('aba'); break;
    case 'in_aadhaar': if (!C.verhoeffValid(d)) fail('verhoeff'); break;
    case 'nl_bsn': if (!C.bsnValid(d)) fail('bsn'); break;
    case 'ca_sin': if (!C.luhnValid(d)) fail('sin'); break;
    case 'github_token': { const b = v.value.slice(4, 34); if (C.base62(C.crc32(b), 6) !== v.value.slice(34)) fail('crc'); break; }
    default: break;
    }
}

const records = { 'json.jsonl': [], 'form.txt': [], 'text.txt': [] };
let redraws = 0;
for (const [file, kinds] of Object.entries(PLAN)) {
    for (const [kind, [count, templates]] of Object.entries(kinds)) {
        const weighted = templates.map(([w, fn]) => [w, fn]);
        let made = 0;
        while (made < count) {
            const fn = R.weighted(weighted);
            const rec = fn();
            if (rec === null) { redraws++; continue; }
            if (rec.file !== file || rec.kind !== kind) throw new Error(`template ${fn.name} made ${rec.file}/${rec.kind}`);
            for (const v of rec.values) selfCheck(v, !!v.neg);
            records[file].push(rec);
            made++;
        }
    }
    R.shuffle(records[file]);
}

const labels = [];
const stats = { lines: 0, pii: {}, neg: {}, kinds: {} };
for (const [file, recs] of Object.entries(records)) {
    const text = recs.map((r) => r.line + '\n').join('');
    fs.writeFileSync(path.join(OUT, file), text);
    recs.forEach((r, i) => {
        labels.push(JSON.stringify({ file, line: i + 1, kind: r.kind, values: r.values }));
        stats.lines++;
        stats.kinds[r.kind] = (stats.kinds[r.kind] || 0) + 1;
        for (const v of r.values) {
            const m = v.neg ? stats.neg : stats.pii;
            m[v.type] = (m[v.type] || 0) + 1;
        }
    });
}
fs.writeFileSync(path.join(OUT, 'labels.jsonl'), labels.join('\n') + '\n');

for (const t of Object.keys(stats.pii)) if (!PII_TYPES.has(t)) throw new Error(t);
console.log(JSON.stringify({ seed: SEED, redraws, ...stats }, null, 1));
