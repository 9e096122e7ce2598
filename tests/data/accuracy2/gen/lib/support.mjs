// Free-text support messages assembled from the templates of a language.
import { TEXT } from './text_templates.mjs';
import { fill } from './slots.mjs';
import { plainText } from './seg.mjs';

function usable(tpl, locKey, { oneLine }) {
  let t = tpl;
  const bar = t.indexOf('|');
  if (bar > 0 && /^[a-z_,A-Z]+$/.test(t.slice(0, bar))) {
    if (!t.slice(0, bar).split(',').includes(locKey)) return null;
    t = t.slice(bar + 1);
  }
  if (oneLine && t.includes('{pem}')) return null;
  return t;
}

function choose(r, list, locKey, opts, filter = () => true) {
  const ok = list.map((t) => usable(t, locKey, opts)).filter((t) => t !== null && filter(t));
  return ok.length ? r.pick(ok) : null;
}

const NAME_SLOT = /\{(full|first|last|tlast|tfull|other|agent)\}/;

// opts: {clean: no PII at all, oneLine: no newlines, piiCount, negCount}
export function supportMessage(ctx, opts = {}) {
  const { r, lang, locKey } = ctx;
  const T = TEXT[lang];
  const parts = [];
  const nl = (s) => (opts.oneLine ? s.replace(/\n/g, ' ') : s);
  const push = (t) => {
    if (t) parts.push(fill(nl(t), ctx));
  };
  if (opts.clean) {
    if (r.chance(0.5)) push(choose(r, T.greet, locKey, opts, (t) => !t.includes('{')));
    for (const t of r.shuffle(T.clean).slice(0, r.int(1, 2))) push(t);
    const k = opts.negCount ?? r.int(0, 2);
    for (let i = 0; i < k; i++) push(choose(r, T.neg, locKey, opts));
    return joinParts(r, parts, lang, opts);
  }
  if (r.chance(0.6)) push(choose(r, T.greet, locKey, opts));
  if (r.chance(0.45)) push(choose(r, T.intro, locKey, opts));
  const n = opts.piiCount ?? r.weighted([[5, 1], [3, 2], [1, 3]]);
  for (let i = 0; i < n; i++) push(choose(r, T.pii, locKey, opts));
  const k = opts.negCount ?? r.weighted([[4, 0], [4, 1], [1, 2]]);
  for (let i = 0; i < k; i++) push(choose(r, T.neg, locKey, opts));
  if (r.chance(0.5)) push(choose(r, T.sign, locKey, opts));
  return joinParts(r, parts, lang, opts);
}

function joinParts(r, parts, lang, opts) {
  const out = [];
  parts.forEach((p, i) => {
    // Japanese runs sentences together after 。, and separates other ends.
    let sep = ' ';
    if (lang === 'ja' && /[。！？」]$/.test(plainText(parts[i - 1] || ''))) sep = '';
    if (i) out.push(!opts.oneLine && r.chance(0.15) ? '\n' : sep);
    out.push(p);
  });
  return out;
}

export { NAME_SLOT };
