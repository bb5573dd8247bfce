import { loadCorpus } from '@parapet/bench';
import { compileRecognizers, scanText } from '../src/engine.js';
import { ALL_RECOGNIZERS } from '../src/recognizers/index.js';
const set = compileRecognizers(ALL_RECOGNIZERS.filter((r) => r.kind === 'secret'));
const large = loadCorpus('large').map((d) => d.text);
const windows: string[] = [];
for (const t of large) for (let at = 320; at + 100 <= t.length; at += 100) windows.push(t.slice(at - 320, at + 100));
const out: any[] = [];
for (let round = 0; round < 4; round++) for (const from of [0, 256, 356, 420]) {
  const t = performance.now();
  let n = 0;
  for (const w of windows) { out.length = 0; scanText(w, set, { maxMatches: 5000 }, out, from); n += out.length; }
  console.log(round, 'from', from, (((performance.now() - t) * 1000) / windows.length).toFixed(2), 'µs/window', n);
}
