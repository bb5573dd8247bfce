import { loadCorpus } from '@parapet/bench';
import { compileRecognizers, scanText, RECORD } from '../src/engine.js';
import { ALL_RECOGNIZERS } from '../src/recognizers/index.js';
const set = compileRecognizers(ALL_RECOGNIZERS);
const large = loadCorpus('large').map((d) => d.text);
const out: any[] = [];
for (let r = 0; r < 3; r++) { RECORD.length = 0; for (const x of large) { out.length = 0; scanText(x, set, { maxMatches: 5000 }, out); } }
const recs = RECORD.slice();
let best = Infinity;
for (let r = 0; r < 6; r++) { const t = performance.now(); for (const x of large) { out.length = 0; scanText(x, set, { maxMatches: 5000 }, out); } best = Math.min(best, performance.now() - t); }
let fused = Infinity, member = Infinity;
for (let r = 0; r < 6; r++) {
  let t = performance.now(); for (const q of recs) if (!q.member) { q.regex.lastIndex = q.position; q.regex.test(q.text); } fused = Math.min(fused, performance.now() - t);
  t = performance.now(); for (const q of recs) if (q.member) { q.regex.lastIndex = q.position; q.regex.test(q.text); } member = Math.min(member, performance.now() - t);
}
console.log('scan total ms', best.toFixed(2), '(includes RECORD pushes) fused tests', recs.filter((q) => !q.member).length, fused.toFixed(2), 'ms; member tests', recs.filter((q) => q.member).length, member.toFixed(2), 'ms');
// per-regex cost ranking
const per = new Map<RegExp, { n: number; ms: number }>();
for (const q of recs) if (!q.member) { const t = performance.now(); for (let i = 0; i < 20; i++) { q.regex.lastIndex = q.position; q.regex.test(q.text); } const e = performance.now() - t; const v = per.get(q.regex) ?? { n: 0, ms: 0 }; v.n++; v.ms += e / 20; per.set(q.regex, v); }
for (const [re, v] of [...per].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8)) console.log(v.n, v.ms.toFixed(3), 'ms', (v.ms / v.n * 1000).toFixed(2), 'µs/test', re.source.length, re.source.slice(0, 100));
