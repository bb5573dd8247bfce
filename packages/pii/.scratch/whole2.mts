import { loadCorpus } from '@parapet/bench';
import { compileRecognizers, scanText } from '../src/engine.js';
import { ALL_RECOGNIZERS } from '../src/recognizers/index.js';
const set = compileRecognizers(ALL_RECOGNIZERS);
const large = loadCorpus('large').map((d) => d.text);
const out: any[] = [];
for (let r = 0; r < 30; r++) for (const x of large) { out.length = 0; scanText(x, set, { maxMatches: 5000 }, out); }
