import { loadCorpus } from '@parapet/bench';
import { compileRecognizers, scanText, COUNTS } from '../src/engine.js';
import { ALL_RECOGNIZERS } from '../src/recognizers/index.js';
import { DEFAULT_PII_ENTITIES } from '../src/recognizers/index.js';
for (const kind of ['secret', 'pii'] as const) {
  const set = compileRecognizers(ALL_RECOGNIZERS.filter((r) => kind === 'secret' ? r.kind === 'secret' : true));
  const large = loadCorpus('large').map((d) => d.text);
  for (const k of Object.keys(COUNTS)) delete COUNTS[k];
  let chars = 0; const out: any[] = [];
  for (const t of large) { out.length = 0; scanText(t, set, { maxMatches: 5000 }, out); chars += t.length; }
  console.log(kind, 'per KB:', Object.fromEntries(Object.entries(COUNTS).map(([k, v]) => [k, +(v * 1024 / chars).toFixed(1)])));
}
