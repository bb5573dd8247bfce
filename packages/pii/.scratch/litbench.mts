import { loadCorpus } from '@parapet/bench';
const lits = ["SWIFT","BIC","www.","Monday","Tuesday","Wednesday","Thursday","Friday","Saturday","Sunday","January","February","March","April","May","June","July","August","September","October","November","December","AKIA","ASIA","hf_","api_org_","-----BEGIN"];
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
const re = new RegExp(lits.map(esc).join('|'), 'g');
const byFirst = new Map<number, string[]>(); for (const l of lits) { const c = l.charCodeAt(0); byFirst.set(c, [...(byFirst.get(c) ?? []), l]); }
for (const corpus of ['large', 'medium'] as const) {
const texts = loadCorpus(corpus).map((d) => d.text);
for (let r = 0; r < 3; r++) {
  let t = performance.now(); let n1 = 0;
  for (let k = 0; k < (corpus === 'large' ? 5 : 100); k++) for (const x of texts) for (const l of lits) for (let at = x.indexOf(l); at >= 0; at = x.indexOf(l, at + 1)) n1++;
  const a = performance.now() - t; t = performance.now(); let n2 = 0;
  for (let k = 0; k < (corpus === 'large' ? 5 : 100); k++) for (const x of texts) { re.lastIndex = 0; for (let m = re.exec(x); m !== null; m = re.exec(x)) { const at = m.index; for (const l of byFirst.get(x.charCodeAt(at))!) if (x.startsWith(l, at)) n2++; re.lastIndex = at + 1; } }
  const b = performance.now() - t;
  console.log(corpus, 'indexOf', a.toFixed(1), 'ms', n1, 'regex', b.toFixed(1), 'ms', n2);
}}
