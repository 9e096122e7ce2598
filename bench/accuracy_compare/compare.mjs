#!/usr/bin/env node
/*
 * Accuracy comparison: veil's engine against the npm redaction libraries
 * (redact-pii, @arcjet/redact, @openredaction/openredaction) on veil's
 * labeled corpus (tests/data/accuracy/).
 *
 * Every tool is judged by its output text only, with one metric for all:
 *  - a labeled PII value is redacted when no occurrence of it is left in the
 *    tool's output line (occurrences follow the corpus rule: not glued to an
 *    ASCII letter or digit, an escape before the value is a boundary, an
 *    occurrence strictly inside another PII value's occurrence is that
 *    value's, see tests/data/accuracy/README.md);
 *  - a hard negative is touched when the output line holds fewer intact
 *    occurrences of it than the input line;
 *  - a clean line is changed when the output line differs from the input.
 *
 * Nothing from the corpus is printed in a normal run (veil's rule: no PII on
 * a tool's output, even synthetic); --debug N shows N misses per tool with
 * their values, for investigation only.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import os from 'node:os';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const require = createRequire(import.meta.url);

const FILES = [['text.txt', 'text'], ['json.jsonl', 'json'], ['form.txt', 'form']];
const KEY_TYPES = ['credit_card', 'iban', 'us_ssn', 'email', 'phone', 'ipv4', 'ipv6',
                   'us_bank_routing'];

/* ------------------------------------------------------------ arguments */

function usage(code) {
    const msg = `usage: node compare.mjs [--veil PATH] [--data DIR] [--tools LIST]
                         [--no-fields] [--out DIR] [--debug N]

  --veil PATH   veil executable (default: ../../build/veil)
  --veil-rev R  the commit veil was built from, for the report (default: the
                repository's HEAD, which is right only for a clean tree)
  --data DIR    corpus directory (default: ../../tests/data/accuracy)
  --tools LIST  comma-separated, default veil,redact-pii,arcjet,openredaction;
                redact-pii-nodigits (redact-pii without its digits rule) may
                be added
  --no-fields   skip the variant where libraries get JSON leaf values and
                decoded form field values instead of raw lines
  --out DIR     where results.json and results.md go (default: this folder)
  --debug N     print N misses per tool WITH their values (investigation only)
`;
    (code ? process.stderr : process.stdout).write(msg);
    process.exit(code);
}

function parseArgs(argv) {
    const a = {
        veil: join(ROOT, 'build', 'veil'),
        data: join(ROOT, 'tests', 'data', 'accuracy'),
        tools: ['veil', 'redact-pii', 'arcjet', 'openredaction'],
        fields: true,
        out: HERE,
        debug: 0,
    };
    for (let i = 2; i < argv.length; i++) {
        const k = argv[i];
        const v = () => {
            if (i + 1 >= argv.length) usage(2);
            return argv[++i];
        };
        if (k === '--veil') a.veil = resolve(v());
        else if (k === '--veil-rev') a.veilRev = v();
        else if (k === '--data') a.data = resolve(v());
        else if (k === '--tools') a.tools = v().split(',').filter(Boolean);
        else if (k === '--no-fields') a.fields = false;
        else if (k === '--out') a.out = resolve(v());
        else if (k === '--debug') a.debug = parseInt(v(), 10) || 0;
        else if (k === '-h' || k === '--help') usage(0);
        else usage(2);
    }
    return a;
}

/* ------------------------------------------------------- occurrence rule */

function isAlnum(c) {
    return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

const ESCAPE_BEFORE = /(%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\[nrt])$/;

/* Spans [a, b) of needle in hay, with the corpus rule (the same as
 * tests/accuracy/accuracy.py, on UTF-16 strings: the alnum tests are
 * ASCII-only, so the result is the same as on bytes). */
function occurrences(hay, needle) {
    const out = [];
    if (!needle) return out;
    const firstAn = isAlnum(needle.charCodeAt(0));
    const lastAn = isAlnum(needle.charCodeAt(needle.length - 1));
    let i = hay.indexOf(needle);
    while (i !== -1) {
        const j = i + needle.length;
        const okStart = !firstAn || i === 0 || !isAlnum(hay.charCodeAt(i - 1)) ||
            ESCAPE_BEFORE.test(hay.slice(Math.max(0, i - 6), i));
        const okEnd = !lastAn || j === hay.length || !isAlnum(hay.charCodeAt(j));
        if (okStart && okEnd) out.push([i, j]);
        i = hay.indexOf(needle, i + 1);
    }
    return out;
}

/* Occurrences of each PII value that are its own: not strictly inside a
 * longer occurrence of another PII value of the same line. */
function ownOccurrences(line, piiValues) {
    const occ = piiValues.map((v) => occurrences(line, v));
    const all = occ.flat();
    return occ.map((list) => list.filter(([a, b]) =>
        !all.some(([c, d]) => c <= a && b <= d && (d - c) > (b - a))));
}

/* --------------------------------------------------------------- corpus */

function splitLines(text) {
    const lines = text.split('\n');
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines;
}

function loadCorpus(dir) {
    const labels = {};
    for (const raw of readFileSync(join(dir, 'labels.jsonl'), 'utf8').split('\n')) {
        if (!raw.trim()) continue;
        const rec = JSON.parse(raw);
        (labels[rec.file] ||= {})[rec.line - 1] = rec;
    }
    const files = [];
    for (const [name, fmt] of FILES) {
        const path = join(dir, name);
        const buf = readFileSync(path);
        files.push({ name, fmt, path, bytes: buf.length, lines: splitLines(buf.toString('utf8')) });
    }
    return { labels, files };
}

/* ---------------------------------------------------------------- tools */

function pkgVersion(name) {
    try {
        return JSON.parse(readFileSync(join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
        return null;
    }
}

/* Each library tool: { id, name, version, setup(), redact(line) -> string
 * or Promise<string> }. Options: everything each library offers, as its
 * README documents (see README.md here). */
async function libraryTools(wanted) {
    const tools = [];
    if (wanted.includes('redact-pii')) {
        try {
            const { SyncRedactor } = require('redact-pii');
            /* Every built-in rule is on by default (credentials, creditCardNumber,
             * emailAddress, ipAddress, names, password, phoneNumber,
             * streetAddress, username, usSocialSecurityNumber, zipcode, url,
             * digits); Google DLP needs a cloud account and is not used. */
            const r = new SyncRedactor();
            tools.push({ id: 'redact-pii', name: 'redact-pii', version: pkgVersion('redact-pii'),
                         sync: true, redact: (s) => r.redact(s) });
        } catch (e) {
            tools.push({ id: 'redact-pii', skipped: 'cannot load: ' + e.message });
        }
    }
    if (wanted.includes('redact-pii-nodigits')) {
        /* Not in the default set: redact-pii with its catch-all `digits` rule
         * (\b\d{4,}\b) turned off, to show how much of its damage to
         * negatives and clean lines that one rule does. */
        try {
            const { SyncRedactor } = require('redact-pii');
            const r = new SyncRedactor({ builtInRedactors: { digits: { enabled: false } } });
            tools.push({ id: 'redact-pii-nodigits', name: 'redact-pii (digits rule off)',
                         version: pkgVersion('redact-pii'), sync: true, redact: (s) => r.redact(s) });
        } catch (e) {
            tools.push({ id: 'redact-pii-nodigits', skipped: 'cannot load: ' + e.message });
        }
    }
    if (wanted.includes('arcjet')) {
        try {
            const { redact } = await import('@arcjet/redact');
            /* All four built-in entity types (the default; listed to be explicit). */
            const opts = { entities: ['credit-card-number', 'email', 'ip-address', 'phone-number'] };
            tools.push({ id: 'arcjet', name: '@arcjet/redact', version: pkgVersion('@arcjet/redact'),
                         sync: false, redact: async (s) => (await redact(s, opts))[0] });
        } catch (e) {
            tools.push({ id: 'arcjet', skipped: 'cannot load: ' + e.message });
        }
    }
    if (wanted.includes('openredaction')) {
        try {
            const { OpenRedaction } = await import('@openredaction/openredaction');
            /* Defaults: all 563 built-in patterns (names, addresses, phones and
             * emails included), context analysis on, threshold 0.5.
             * enableLearning: false only stops it from creating
             * .openredaction/learnings.json in the working directory; with an
             * empty store it changes no detection. */
            const o = new OpenRedaction({ enableLearning: false });
            tools.push({ id: 'openredaction', name: '@openredaction/openredaction',
                         version: pkgVersion('@openredaction/openredaction'),
                         patterns: o.getPatterns().length,
                         sync: true, redact: (s) => o.detect(s).redacted });
        } catch (e) {
            tools.push({ id: 'openredaction', skipped: 'cannot load: ' + e.message });
        }
    }
    return tools;
}

function veilVersion(veil) {
    const r = spawnSync(veil, ['--version'], { encoding: 'utf8' });
    const s = ((r.stdout || '') + (r.stderr || '')).trim().split('\n')[0];
    return r.status === 0 && s ? s.replace(/^veil\s+/, '') : null;
}

/* veil: one `veil scan` per file, output split into lines. */
function runVeil(veil, corpus) {
    const outputs = {};
    let seconds = 0;
    const problems = [];
    for (const f of corpus.files) {
        const t0 = performance.now();
        const r = spawnSync(veil, ['scan', '--format', f.fmt, '--action', 'label', f.path],
                            { maxBuffer: 1 << 30 });
        seconds += (performance.now() - t0) / 1000;
        if (r.error) throw new Error('cannot run veil: ' + r.error.code);
        if (r.status !== 0 && r.status !== 1) {
            problems.push(`${f.name}: veil scan exited with status ${r.status}`);
        }
        const out = splitLines(r.stdout.toString('utf8'));
        if (out.length !== f.lines.length) {
            problems.push(`${f.name}: ${out.length} output lines for ${f.lines.length} input lines`);
        }
        outputs[f.name] = out;
    }
    return { outputs, seconds, problems };
}

/* A library over raw lines: one call per line, timed as a whole. */
async function runLibraryLines(tool, corpus, fileFilter) {
    const outputs = {};
    let seconds = 0;
    for (const f of corpus.files) {
        if (fileFilter && !fileFilter(f)) continue;
        const out = new Array(f.lines.length);
        const t0 = performance.now();
        if (tool.sync) {
            for (let i = 0; i < f.lines.length; i++) out[i] = tool.redact(f.lines[i]);
        } else {
            for (let i = 0; i < f.lines.length; i++) out[i] = await tool.redact(f.lines[i]);
        }
        seconds += (performance.now() - t0) / 1000;
        outputs[f.name] = out;
    }
    return { outputs, seconds, problems: [] };
}

/* ------------------------------------------- field-values variant (opt) */

/* Re-encode a redacted JSON string in the style of the original token, so
 * that escapes the library did not cause (\/, \uXXXX) are not counted as
 * changes. */
function encodeJsonLike(s, token) {
    let out = JSON.stringify(s);
    if (token.includes('\\/')) out = out.replace(/\//g, '\\/');
    if (/\\u(?:00[89a-fA-F]|0[1-9a-fA-F]|[1-9a-fA-F])[0-9a-fA-F]{2}/.test(token)) {
        out = out.replace(/[\u0080-\uffff]/g,
                          (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
    }
    return out;
}

/* Walk a JSON line lexically; call redact on every string value (not keys)
 * and every number; splice the changed ones back into the raw text. */
async function redactJsonFields(line, redact) {
    const parts = [];
    let last = 0;
    let i = 0;
    const n = line.length;
    while (i < n) {
        const c = line[i];
        if (c === '"') {
            let j = i + 1;
            while (j < n && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
            const end = Math.min(j + 1, n);
            const token = line.slice(i, end);
            let k = end;
            while (k < n && (line[k] === ' ' || line[k] === '\t')) k++;
            const isKey = line[k] === ':';
            if (!isKey) {
                let value = null;
                try { value = JSON.parse(token); } catch { value = null; }
                if (typeof value === 'string' && value.length) {
                    const red = await redact(value);
                    if (red !== value) {
                        parts.push(line.slice(last, i), encodeJsonLike(red, token));
                        last = end;
                    }
                }
            }
            i = end;
        } else if (c === '-' || (c >= '0' && c <= '9')) {
            const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(line.slice(i));
            const token = m ? m[0] : c;
            const prev = i > 0 ? line[i - 1] : '';
            if (m && !/[A-Za-z0-9_.]/.test(prev)) {
                const red = await redact(token);
                if (red !== token) {
                    parts.push(line.slice(last, i), JSON.stringify(red));
                    last = i + token.length;
                }
            }
            i += token.length;
        } else {
            i++;
        }
    }
    if (last === 0) return line;
    parts.push(line.slice(last));
    return parts.join('');
}

function formDecode(s) {
    try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
        return null;
    }
}

function formEncode(s) {
    return encodeURIComponent(s).replace(/%20/g, '+');
}

/* Split a form body on & and =, percent-decode each value, redact it, and
 * splice the re-encoded value back when the library changed it. */
async function redactFormFields(line, redact) {
    const pairs = line.split('&');
    let changed = false;
    for (let p = 0; p < pairs.length; p++) {
        const eq = pairs[p].indexOf('=');
        if (eq < 0) continue;
        const raw = pairs[p].slice(eq + 1);
        const value = formDecode(raw);
        if (value === null || !value.length) continue;
        const red = await redact(value);
        if (red !== value) {
            pairs[p] = pairs[p].slice(0, eq + 1) + formEncode(red);
            changed = true;
        }
    }
    return changed ? pairs.join('&') : line;
}

async function runLibraryFields(tool, corpus, rawOutputs) {
    const outputs = {};
    let seconds = 0;
    const redact = tool.sync ? (s) => tool.redact(s) : tool.redact;
    for (const f of corpus.files) {
        if (f.fmt === 'text') {
            outputs[f.name] = rawOutputs[f.name];
            continue;
        }
        const walk = f.fmt === 'json' ? redactJsonFields : redactFormFields;
        const out = new Array(f.lines.length);
        const t0 = performance.now();
        for (let i = 0; i < f.lines.length; i++) out[i] = await walk(f.lines[i], redact);
        seconds += (performance.now() - t0) / 1000;
        outputs[f.name] = out;
    }
    return { outputs, seconds, problems: [] };
}

/* -------------------------------------------------------------- scoring */

function score(corpus, outputs, debugN) {
    const recall = {};          // type -> [labeled, redacted]
    const recallByFile = {};    // type -> file -> [labeled, redacted]
    const negs = {};            // kind -> [labeled, touched]
    const clean = { lines: 0, changed: 0, byFile: {} };
    const debug = [];
    const problems = [];

    for (const f of corpus.files) {
        const out = outputs[f.name] || [];
        for (let idx = 0; idx < f.lines.length; idx++) {
            const line = f.lines[idx];
            const rec = corpus.labels[f.name] && corpus.labels[f.name][idx];
            if (!rec) {
                problems.push(`${f.name}:${idx + 1} has no label`);
                continue;
            }
            const o = idx < out.length && typeof out[idx] === 'string' ? out[idx] : null;
            if (rec.kind === 'clean') {
                clean.lines++;
                if (o !== line) {
                    clean.changed++;
                    clean.byFile[f.name] = (clean.byFile[f.name] || 0) + 1;
                    if (debug.length < debugN) debug.push(`${f.name}:${idx + 1} clean line changed`);
                }
                continue;
            }
            const vals = rec.values;
            const isNeg = (v) => v.neg || rec.kind === 'negative';
            const pii = vals.filter((v) => !isNeg(v));
            const ownIn = ownOccurrences(line, pii.map((v) => v.value));
            const ownOut = o === null ? pii.map(() => []) : ownOccurrences(o, pii.map((v) => v.value));
            pii.forEach((v, k) => {
                if (!ownIn[k].length && !occurrences(line, v.value).length) {
                    problems.push(`${f.name}:${idx + 1}: a ${v.type} label is not in the line`);
                    return;
                }
                const st = (recall[v.type] ||= [0, 0]);
                const sf = ((recallByFile[v.type] ||= {})[f.name] ||= [0, 0]);
                st[0]++;
                sf[0]++;
                if (ownOut[k].length === 0) {
                    st[1]++;
                    sf[1]++;
                } else if (debug.length < debugN) {
                    debug.push(`${f.name}:${idx + 1} missed ${v.type} ${JSON.stringify(v.value)}`);
                }
            });
            for (const v of vals.filter(isNeg)) {
                const nIn = occurrences(line, v.value).length;
                if (!nIn) {
                    problems.push(`${f.name}:${idx + 1}: a ${v.type} label is not in the line`);
                    continue;
                }
                const nOut = o === null ? 0 : occurrences(o, v.value).length;
                const st = (negs[v.type] ||= [0, 0]);
                st[0]++;
                if (nOut < nIn) {
                    st[1]++;
                    if (debug.length < debugN) {
                        debug.push(`${f.name}:${idx + 1} touched ${v.type} ${JSON.stringify(v.value)}`);
                    }
                }
            }
        }
    }

    const sum = (types) => types.reduce((acc, t) => {
        const s = recall[t] || [0, 0];
        return [acc[0] + s[0], acc[1] + s[1]];
    }, [0, 0]);
    const negTotal = Object.values(negs).reduce((a, s) => [a[0] + s[0], a[1] + s[1]], [0, 0]);
    const ratio = (x) => (x[0] ? +(x[1] / x[0]).toFixed(4) : null);
    return {
        recall: Object.fromEntries(Object.keys(recall).sort().map((t) => [t, {
            labeled: recall[t][0], redacted: recall[t][1], recall: ratio(recall[t]),
            by_file: Object.fromEntries(Object.entries(recallByFile[t]).map(
                ([fn, s]) => [fn, { labeled: s[0], redacted: s[1] }])),
        }])),
        recall_key_types: (() => { const s = sum(KEY_TYPES); return { labeled: s[0], redacted: s[1], recall: ratio(s) }; })(),
        recall_all_types: (() => { const s = sum(Object.keys(recall)); return { labeled: s[0], redacted: s[1], recall: ratio(s) }; })(),
        negatives: Object.fromEntries(Object.keys(negs).sort().map((t) => [t, {
            labeled: negs[t][0], touched: negs[t][1], rate: ratio(negs[t]) }])),
        negatives_total: { labeled: negTotal[0], touched: negTotal[1], rate: ratio(negTotal) },
        clean: { lines: clean.lines, changed: clean.changed,
                 rate: clean.lines ? +(clean.changed / clean.lines).toFixed(4) : null,
                 changed_by_file: clean.byFile },
        problems,
        debug,
    };
}

/* ------------------------------------------------------------- reporting */

function pct(x) {
    return x === null || x === undefined ? 'n/a' : (100 * x).toFixed(1) + '%';
}

function rowsFor(results) {
    const rows = [];
    for (const t of KEY_TYPES) {
        rows.push([`recall ${t}`, (r) => {
            const s = r.score.recall[t];
            return s ? `${pct(s.recall)}` : 'n/a';
        }]);
    }
    rows.push(['recall, 8 key types', (r) => pct(r.score.recall_key_types.recall)]);
    rows.push(['recall, all labeled types', (r) => pct(r.score.recall_all_types.recall)]);
    rows.push(['hard negatives touched', (r) => {
        const n = r.score.negatives_total;
        return `${pct(n.rate)} (${n.touched})`;
    }]);
    rows.push(['checksum-failing touched', (r) => {
        const n = r.score.negatives.checksum_fail;
        return n ? `${n.touched} of ${n.labeled}` : 'n/a';
    }]);
    rows.push(['clean lines changed', (r) => {
        const c = r.score.clean;
        return `${pct(c.rate)} (${c.changed})`;
    }]);
    rows.push(['time, whole corpus', (r) => r.seconds === null ? 'n/a' : `${r.seconds.toFixed(3)} s`]);
    rows.push(['throughput', (r) => r.mbps === null ? 'n/a' : `${r.mbps.toFixed(2)} MB/s`]);
    return rows;
}

function textTable(results) {
    const rows = rowsFor(results);
    const head = ['metric', ...results.map((r) => r.label)];
    const body = rows.map(([name, f]) => [name, ...results.map(f)]);
    const w = head.map((h, k) => Math.max(h.length, ...body.map((b) => b[k].length)));
    const fmt = (cells) => cells.map((c, k) => (k ? c.padStart(w[k]) : c.padEnd(w[k]))).join('  ');
    return [fmt(head), w.map((x) => '-'.repeat(x)).join('  '), ...body.map(fmt)].join('\n');
}

function mdTable(results) {
    const rows = rowsFor(results);
    const head = ['metric', ...results.map((r) => r.label)];
    const out = ['| ' + head.join(' | ') + ' |', '|' + head.map((_, k) => (k ? '---:' : '---')).join('|') + '|'];
    for (const [name, f] of rows) out.push('| ' + [name, ...results.map(f)].join(' | ') + ' |');
    return out.join('\n');
}

function mdAllTypes(results) {
    const types = [...new Set(results.flatMap((r) => Object.keys(r.score.recall)))].sort();
    const head = ['PII type', 'labeled', ...results.map((r) => r.label)];
    const out = ['| ' + head.join(' | ') + ' |', '|' + head.map((_, k) => (k ? '---:' : '---')).join('|') + '|'];
    for (const t of types) {
        const lab = results.map((r) => r.score.recall[t]).find(Boolean).labeled;
        out.push('| ' + [t, String(lab), ...results.map((r) => {
            const s = r.score.recall[t];
            return s ? pct(s.recall) : 'n/a';
        })].join(' | ') + ' |');
    }
    return out.join('\n');
}

function mdNegatives(results) {
    const kinds = [...new Set(results.flatMap((r) => Object.keys(r.score.negatives)))].sort();
    const head = ['negative kind', 'labeled', ...results.map((r) => r.label)];
    const out = ['| ' + head.join(' | ') + ' |', '|' + head.map((_, k) => (k ? '---:' : '---')).join('|') + '|'];
    for (const t of kinds) {
        const lab = results.map((r) => r.score.negatives[t]).find(Boolean).labeled;
        out.push('| ' + [t, String(lab), ...results.map((r) => {
            const s = r.score.negatives[t];
            return s ? String(s.touched) : 'n/a';
        })].join(' | ') + ' |');
    }
    return out.join('\n');
}

/* ----------------------------------------------------------------- main */

async function main() {
    const args = parseArgs(process.argv);
    const corpus = loadCorpus(args.data);
    const bytes = corpus.files.reduce((a, f) => a + f.bytes, 0);
    const lines = corpus.files.reduce((a, f) => a + f.lines.length, 0);
    const results = [];
    const skipped = [];
    const problems = [];

    process.stderr.write(`corpus: ${lines} lines, ${bytes} bytes\n`);

    if (args.tools.includes('veil')) {
        if (!existsSync(args.veil)) {
            process.stderr.write(`veil not found at ${args.veil} (build it or pass --veil)\n`);
            process.exit(2);
        }
        runVeil(args.veil, corpus); /* warm-up: page cache */
        /* The whole corpus takes veil a few tens of milliseconds, process
         * start-up included, so its time is the median of 5 runs; every run's
         * output must be the same. */
        const runs = [];
        for (let k = 0; k < 5; k++) runs.push(runVeil(args.veil, corpus));
        const r = runs[0];
        for (const x of runs.slice(1)) {
            if (JSON.stringify(x.outputs) !== JSON.stringify(r.outputs)) {
                problems.push('veil: output differs between runs');
            }
        }
        const secs = runs.map((x) => x.seconds).sort((a, b) => a - b)[2];
        problems.push(...r.problems.map((p) => 'veil: ' + p));
        results.push({ id: 'veil', label: 'veil', name: 'veil', version: veilVersion(args.veil),
                       input: 'whole files, --format per file, one process per file',
                       seconds: secs, mbps: bytes / 1e6 / secs, outputs: r.outputs });
        process.stderr.write(`veil: ${secs.toFixed(3)} s (median of 5)\n`);
    }

    const libs = await libraryTools(args.tools);
    const fieldRuns = [];
    for (const tool of libs) {
        if (tool.skipped) {
            skipped.push({ id: tool.id, reason: tool.skipped });
            process.stderr.write(`${tool.id}: skipped (${tool.skipped})\n`);
            continue;
        }
        /* warm-up on the first 200 lines of each file (JIT, Wasm instantiation) */
        const warm = { ...corpus, files: corpus.files.map((f) => ({ ...f, lines: f.lines.slice(0, 200) })) };
        await runLibraryLines(tool, warm);
        const r = await runLibraryLines(tool, corpus);
        results.push({ id: tool.id, label: tool.id, name: tool.name, version: tool.version,
                       patterns: tool.patterns, input: 'raw lines', seconds: r.seconds,
                       mbps: bytes / 1e6 / r.seconds, outputs: r.outputs });
        process.stderr.write(`${tool.id}: ${r.seconds.toFixed(2)} s\n`);
        if (args.fields && tool.id !== 'redact-pii-nodigits') {
            const fr = await runLibraryFields(tool, corpus, r.outputs);
            fieldRuns.push({ id: tool.id + '/fields', label: tool.id + ' (fields)', name: tool.name,
                             version: tool.version,
                             input: 'text lines raw; JSON string and number values and decoded form values one by one',
                             seconds: null, mbps: null, fields_seconds_json_form: fr.seconds,
                             outputs: fr.outputs });
            process.stderr.write(`${tool.id} (fields): ${fr.seconds.toFixed(2)} s for json+form\n`);
        }
    }
    results.push(...fieldRuns);

    for (const r of results) {
        r.score = score(corpus, r.outputs, args.debug);
        problems.push(...r.score.problems.slice(0, 20).map((p) => `${r.label}: ${p}`));
        delete r.outputs;
    }

    const veilCommit = args.veilRev || (() => {
        const r = spawnSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
        return r.status === 0 ? r.stdout.trim() : null;
    })();
    const command = 'node ' + relative(process.cwd(), fileURLToPath(import.meta.url)) + ' ' +
        process.argv.slice(2).map((a) => (a.startsWith(ROOT) ? relative(process.cwd(), a) || '.' : a)).join(' ');

    console.log(textTable(results));
    if (skipped.length) {
        for (const s of skipped) console.log(`skipped ${s.id}: ${s.reason}`);
    }
    console.log('skipped Presidio: a Python package on PyPI, which this machine cannot reach');
    for (const p of problems) console.log('problem: ' + p);
    if (args.debug) {
        for (const r of results) {
            for (const d of r.score.debug) process.stderr.write(`[debug ${r.label}] ${d}\n`);
        }
    }
    for (const r of results) delete r.score.debug;

    const meta = {
        date: new Date().toISOString(),
        command,
        node: process.version,
        cpu: os.cpus()[0] ? os.cpus()[0].model : null,
        cpus_allowed: (() => {
            try {
                const m = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'));
                return m ? m[1] : null;
            } catch {
                return null;
            }
        })(),
        corpus: { dir: relative(ROOT, args.data), lines, bytes,
                  files: corpus.files.map((f) => ({ name: f.name, format: f.fmt, lines: f.lines.length, bytes: f.bytes })) },
        veil: { path: args.veil, repo_head: veilCommit },
        libraries: libs.filter((t) => !t.skipped).map((t) => ({ name: t.name, version: t.version })),
        skipped: [...skipped, { id: 'presidio', reason: 'Python package on PyPI, which this machine cannot reach' }],
        metric: {
            redacted: 'no occurrence of the exact labeled value is left in the output line (corpus occurrence rule)',
            touched: 'the output line holds fewer intact occurrences of the negative value than the input line',
            clean_changed: 'output line differs from input line',
            key_types: KEY_TYPES,
        },
        problems,
    };
    writeFileSync(join(args.out, 'results.json'), JSON.stringify({ meta, results }, null, 1) + '\n');

    const md = [
        '# Accuracy comparison: veil vs npm redaction libraries',
        '',
        `Generated by \`${command}\` on ${meta.date} (node ${meta.node}, ${meta.cpu || 'unknown CPU'}` +
            (meta.cpus_allowed ? `, CPUs allowed: ${meta.cpus_allowed}` : '') + ').',
        '',
        `Corpus: \`${meta.corpus.dir}\`, ${lines} lines, ${bytes} bytes. ` +
            `veil built from commit \`${veilCommit}\`` +
            (meta.veil.path ? ` (\`${relative(ROOT, meta.veil.path)}\`)` : '') + '.',
        '',
        'Tools: ' + results.filter((r) => !r.id.endsWith('/fields'))
            .map((r) => `${r.name} ${r.version || ''}`.trim()).join(', ') + '.',
        'Presidio was not run: it is a Python package on PyPI, which this machine cannot reach.',
        ...skipped.map((s) => `${s.id} was skipped: ${s.reason}.`),
        '',
        'veil\'s time is three `veil scan` processes over 0.88 MB, so start-up dominates it; its engine',
        'throughput on a large corpus is measured by `bench/` (see bench/README.md). Library times are',
        'in-process; the machine has 2 cores shared with other work, so they vary between runs.',
        '',
        'Columns `(fields)`: the same library, but JSON lines are walked and each string and number',
        'value is passed on its own, and form bodies are split and each value percent-decoded',
        'before the call (text lines as in the raw run). Their times are not comparable and are left out.',
        '',
        mdTable(results),
        '',
        '## Recall for every labeled type',
        '',
        mdAllTypes(results),
        '',
        '## Hard negatives touched, by kind',
        '',
        mdNegatives(results),
        '',
    ].join('\n');
    writeFileSync(join(args.out, 'results.md'), md);
}

main().catch((e) => {
    process.stderr.write('compare: ' + (e && e.stack ? e.stack : e) + '\n');
    process.exit(1);
});
