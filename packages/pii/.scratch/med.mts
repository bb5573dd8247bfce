import { loadCorpus } from '@parapet/bench';
import { createGuard } from '@parapet/core';
import { piiDetector } from '../src/index.js';
const g = createGuard({ input: [piiDetector()] });
const texts = loadCorpus('medium').map((d) => d.text);
for (let r = 0; r < 150; r++) for (const x of texts) await g.check('input', x);
