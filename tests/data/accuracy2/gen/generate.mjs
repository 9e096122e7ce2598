// Writes the independent accuracy corpus: records of six kinds in six
// gzip-compressed files, and labels.jsonl.gz with, for every record, its
// file, byte offset and length, and the byte spans of its PII values and
// hard negatives.
//
//   node generate.mjs --seed A --out ../seed-a     (the committed corpus)
//   node generate.mjs --seed B --out ../seed-b     (the held-out seed, committed, never tuned on)
//
// The same seed and the same @faker-js/faker version (package-lock.json)
// give the same bytes.
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Rng } from './lib/rng.mjs';
import { seedFakers } from './lib/people.mjs';
import { makeCtx } from './lib/values.mjs';
import { render } from './lib/seg.mjs';
import { jsonRecord, graphqlRecord } from './lib/json_records.mjs';
import { formRecord, logRecord, csvRecord } from './lib/other_records.mjs';
import { supportMessage } from './lib/support.mjs';

function args() {
  const a = { seed: 'A', out: null, count: 20000 };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '--seed') a.seed = v[++i];
    else if (v[i] === '--out') a.out = v[++i];
    else if (v[i] === '--count') a.count = Number(v[++i]);
    else throw new Error(`unknown argument ${v[i]}`);
  }
  if (!a.out) throw new Error('usage: node generate.mjs --seed NAME --out DIR [--count N]');
  return a;
}

const LOCALE_WEIGHTS = [[3, 'en_US'], [2, 'en_GB'], [2, 'de'], [1.5, 'fr'], [1.5, 'es'], [1.5, 'it'], [1.5, 'nl'], [0.75, 'pt_PT'], [0.75, 'pt_BR'], [1.5, 'ja']];
const SUPPORT_LOCALES = { en: ['en_US', 'en_GB'], de: ['de'], fr: ['fr'], es: ['es'], it: ['it'], nl: ['nl'], pt: ['pt_PT', 'pt_BR'], ja: ['ja'] };

// Share of each file in the corpus, and of PII-free records in it.
const PLAN = [
  { file: 'api.jsonl', share: 0.26, clean: 0.14, make: jsonRecord },
  { file: 'graphql.jsonl', share: 0.065, clean: 0.12, make: graphqlRecord },
  { file: 'form.txt', share: 0.15, clean: 0.15, make: formRecord },
  { file: 'support.txt', share: 0.24, clean: 0.12, make: null, blank: true },
  { file: 'logs.txt', share: 0.225, clean: 0.15, make: logRecord },
  { file: 'csv.txt', share: 0.06, clean: 0.12, make: csvRecord, blank: true },
];

// Every file is written gzip-compressed (two seeds of plain text would be
// about 9.5 MB in the repository; compressed they are about 4.5 MB). Node's
// gzip writes no name and a zero mtime, so the bytes depend only on the
// text. Labels and offsets are about the decompressed text.
function writeGz(file, text) {
  fs.writeFileSync(file, zlib.gzipSync(Buffer.from(text, 'utf8'), { level: 9 }));
}

function main() {
  const a = args();
  const r = new Rng(`veil-accuracy2/${a.seed}`);
  seedFakers(r);
  fs.mkdirSync(a.out, { recursive: true });
  const labels = [];
  const typeCounts = {};
  const negCounts = {};
  let cleanCount = 0;
  for (const part of PLAN) {
    const n = Math.round(a.count * part.share);
    const chunks = [];
    let offset = 0;
    for (let i = 0; i < n; i++) {
      const clean = r.chance(part.clean);
      let rec;
      let locKey;
      if (part.file === 'support.txt') {
        const langs = Object.keys(SUPPORT_LOCALES);
        const lang = langs[i % langs.length];
        locKey = r.pick(SUPPORT_LOCALES[lang]);
        const ctx = makeCtx(r, locKey);
        rec = { kind: `support.${lang}`, pieces: supportMessage(ctx, { clean }) };
      } else {
        locKey = r.weighted(LOCALE_WEIGHTS);
        rec = part.make(r, makeCtx(r, locKey), clean);
      }
      const out = render(rec.pieces);
      if (part.file !== 'support.txt' && part.file !== 'csv.txt' && out.text.includes('\n')) {
        throw new Error(`record ${rec.kind} spans lines in ${part.file}`);
      }
      if (clean && out.pii.length) throw new Error(`clean record ${rec.kind} has PII`);
      const length = Buffer.byteLength(out.text, 'utf8');
      labels.push({ file: part.file, kind: rec.kind, locale: locKey, offset, length, clean: out.pii.length === 0, pii: out.pii, neg: out.neg });
      if (out.pii.length === 0) cleanCount++;
      for (const [t] of out.pii) typeCounts[t] = (typeCounts[t] || 0) + 1;
      for (const [k] of out.neg) negCounts[k] = (negCounts[k] || 0) + 1;
      const sep = part.blank ? '\n\n' : '\n';
      chunks.push(out.text + sep);
      offset += length + Buffer.byteLength(sep);
    }
    writeGz(path.join(a.out, `${part.file}.gz`), chunks.join(''));
  }
  const labelText = labels.map((l) => JSON.stringify(l)).join('\n') + '\n';
  writeGz(path.join(a.out, 'labels.jsonl.gz'), labelText);
  const require = createRequire(import.meta.url);
  const fakerVersion = require('@faker-js/faker/package.json').version;
  const sortObj = (o) => Object.fromEntries(Object.entries(o).sort());
  const meta = {
    seed: a.seed, records: labels.length, pii_free_records: cleanCount, faker: fakerVersion,
    files: PLAN.map((p) => p.file), pii_values: sortObj(typeCounts), hard_negatives: sortObj(negCounts),
  };
  fs.writeFileSync(path.join(a.out, 'meta.json'), JSON.stringify(meta, null, 1) + '\n');
  console.log(`seed ${a.seed}: ${labels.length} records, ${Object.values(typeCounts).reduce((x, y) => x + y, 0)} PII values, ${Object.values(negCounts).reduce((x, y) => x + y, 0)} hard negatives, ${cleanCount} PII-free`);
}

main();
