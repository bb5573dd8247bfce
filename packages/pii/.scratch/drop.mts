import { loadCorpus } from '@parapet/bench';
import { compileRecognizers, scanText } from '../src/engine.js';
import { ALL_RECOGNIZERS } from '../src/recognizers/index.js';
const lw = ALL_RECOGNIZERS.filter((r) => r.pattern.source.startsWith('(?<=(?='));
console.log('leading-word constructs:', lw.length, lw.map((r) => r.id).join(' '));
const sets = { all: compileRecognizers(ALL_RECOGNIZERS), without: compileRecognizers(ALL_RECOGNIZERS.filter((r) => !lw.includes(r))) };
for (const corpus of ['medium', 'large'] as const) {
  const texts = loadCorpus(corpus).map((d) => d.text);
  const chars = texts.reduce((a, t) => a + t.length, 0);
  const out: any[] = []; const best: Record<string, number> = {};
  for (let r = 0; r < 8; r++) for (const [name, set] of Object.entries(sets)) {
    const t = performance.now(); for (let k = 0; k < (corpus === 'medium' ? 10 : 1); k++) for (const x of texts) { out.length = 0; scanText(x, set, { maxMatches: 5000 }, out); }
    best[name] = Math.min(best[name] ?? Infinity, performance.now() - t);
  }
  for (const [k, v] of Object.entries(best)) console.log(corpus, k, (chars * (corpus === 'medium' ? 10 : 1) / v / 1000).toFixed(1), 'MB/s');
}
