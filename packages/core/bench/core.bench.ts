import { type BenchResult, loadCorpus, measure, printTable, SIZES } from '@parapet/bench';
import { createGuard, defineDetector, normalizeText, patternDetector } from '@parapet/core';

const EMPTY: readonly never[] = [];
const trivial = (index: number) => defineDetector({ id: `trivial-${index}`, stages: ['input'], detect: () => EMPTY });

const results: BenchResult[] = [];
const small = loadCorpus('small').map((doc) => doc.text);

// Pipeline overhead: everything checkInput does around the detectors.
const bare = createGuard({ input: [] });
const five = createGuard({ input: [0, 1, 2, 3, 4].map(trivial) });
results.push(
  await measure({
    group: 'pipeline',
    name: 'checkInput, 0 detectors',
    size: '200 B',
    inputs: small,
    run: (text) => bare.checkInput(text),
  }),
);
results.push(
  await measure({
    group: 'pipeline',
    name: 'checkInput, 0 detectors, with session/user/tenant',
    size: '200 B',
    inputs: small,
    run: (text) => bare.checkInput(text, { session: 's-1', user: 'u-1', tenant: 't-1' }),
  }),
);
results.push(
  await measure({
    group: 'pipeline',
    name: 'checkInput, 5 trivial detectors',
    size: '200 B',
    inputs: small,
    run: (text) => five.checkInput(text),
  }),
);

// Normalizer throughput. "nothing to fold": the benign documents with their one foldable character
// (the ellipsis, which NFKC turns into three dots) written out, so emoji, CJK and accents remain.
const benign = loadCorpus('benign').map((doc) => doc.text);
const plainBenign = benign.map((text) => text.replaceAll('…', '...'));
const asciiBenign = plainBenign.map((text) => text.replace(/[^\t\n\r\x20-\x7e]/g, ' '));
results.push(
  await measure({
    group: 'normalize',
    name: 'normalizeText, ASCII prose',
    size: '4 KB',
    inputs: asciiBenign,
    run: normalizeText,
  }),
);
results.push(
  await measure({
    group: 'normalize',
    name: 'normalizeText, emoji/CJK, nothing to fold',
    size: '4 KB',
    inputs: plainBenign,
    run: normalizeText,
  }),
);
results.push(
  await measure({
    group: 'normalize',
    name: 'normalizeText, benign corpus as is',
    size: '4 KB',
    inputs: benign,
    run: normalizeText,
  }),
);
for (const { corpus, label } of SIZES) {
  const texts = loadCorpus(corpus).map((doc) => doc.text);
  results.push(
    await measure({
      group: 'normalize',
      name: 'normalizeText + payloads + leet',
      size: label,
      inputs: texts,
      run: (text) => {
        const view = normalizeText(text);
        return view.payloads.length + view.leet.length;
      },
    }),
  );
}

// User-supplied patterns (RE2 in WebAssembly) and keywords (one V8 literal alternation).
const userRules = createGuard({
  input: [
    patternDetector({
      id: 'user-patterns',
      patterns: [{ pattern: 'project\\s+falcon', flags: 'i' }, 'ACME-\\d{6}'],
      scanPayloads: false,
    }),
  ],
});
const userKeywords = createGuard({
  input: [
    patternDetector({
      id: 'user-keywords',
      keywords: ['project falcon', 'codename', 'internal only', 'do not distribute'],
      scanPayloads: false,
    }),
  ],
});
for (const { corpus, label } of SIZES) {
  const texts = loadCorpus(corpus).map((doc) => doc.text);
  results.push(
    await measure({
      group: 'pattern',
      name: 'patternDetector, 2 RE2 patterns',
      size: label,
      inputs: texts,
      run: (text) => userRules.checkInput(text),
    }),
  );
  results.push(
    await measure({
      group: 'pattern',
      name: 'patternDetector, 4 keywords',
      size: label,
      inputs: texts,
      run: (text) => userKeywords.checkInput(text),
    }),
  );
}

printTable('@parapet/core', results);
