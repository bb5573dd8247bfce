import { type BenchResult, loadCorpus, loadPeers, measure, printTable, SIZES } from '@parapet/bench';
import { createGuard, type Detector, normalizeText } from '@parapet/core';
import { loadNer, piiDetector, secretsDetector } from '@parapet/pii';

// Peers only when asked for all of them: `pnpm bench` runs them; PARAPET_BENCH_PEERS=0 skips them.
const withPeers = process.env.PARAPET_BENCH_PEERS !== '0';
await loadNer();

const guardOf = (detectors: Detector[]) => createGuard({ input: detectors, policy: { timeoutMs: 60_000 } });
/** A bench case: one guard built up front, `checkInput` per call. */
const detectorCase = (name: string, detectors: Detector[]) => {
  const guard = guardOf(detectors);
  return { name, run: (text: string) => guard.checkInput(text) };
};
const REGEX_TYPES = ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS'];
const cases: { name: string; run: (text: string) => unknown }[] = [
  detectorCase('parapet piiDetector (NER off)', [piiDetector()]),
  detectorCase('parapet secretsDetector', [secretsDetector()]),
  detectorCase('parapet pii + secrets', [piiDetector(), secretsDetector()]),
  detectorCase('parapet piiDetector + STREET_ADDRESS', [piiDetector({ entities: [...REGEX_TYPES, 'STREET_ADDRESS'] })]),
  detectorCase('parapet piiDetector + PERSON/LOCATION', [
    piiDetector({ entities: [...REGEX_TYPES, 'PERSON', 'LOCATION'] }),
  ]),
];
// Floors on this machine, no detector: what one pass over the text costs, to read the figures above (and the
// 250 MB/s goal) against. A JavaScript loop over char codes, one native regex scan for the engine's anchor
// characters, and the core's normalization that every detector shares.
const TOKEN_CHAR = new Uint8Array(128);
for (let code = 48; code < 123; code++) TOKEN_CHAR[code] = 1;
const ANCHORS = /[0-9@:=]/g;
cases.push(
  {
    name: 'floor: one JS pass (charCodeAt + table)',
    run: (text: string) => {
      let count = 0;
      for (let index = 0; index < text.length; index++) {
        const code = text.charCodeAt(index);
        if (code < 128 && TOKEN_CHAR[code] === 1) count++;
      }
      return count;
    },
  },
  {
    name: 'floor: one regex scan for anchors',
    run: (text: string) => {
      let count = 0;
      ANCHORS.lastIndex = 0;
      while (ANCHORS.exec(text) !== null) count++;
      return count;
    },
  },
  { name: 'floor: core normalizeText', run: (text: string) => normalizeText(text) },
);
if (withPeers) {
  for (const capability of ['pii', 'secrets'] as const) {
    for (const peer of await loadPeers(capability)) {
      if (peer.run !== undefined) cases.push({ name: peer.name, run: peer.run });
      else console.log(`peer ${peer.name} unavailable: ${peer.error}`);
    }
  }
}

const results: BenchResult[] = [];
for (const { corpus, label } of SIZES) {
  const texts = loadCorpus(corpus).map((doc) => doc.text);
  for (const entry of cases) {
    results.push(
      await measure({
        group: corpus,
        name: entry.name,
        size: label,
        inputs: texts,
        run: entry.run,
        budgetMs: corpus === 'large' ? 1200 : 400,
      }),
    );
  }
}
printTable('@parapet/pii vs peers (same process, same corpora)', results);

// Linear time on hostile input: 1 MB of each adversarial family against 1 MB of prose.
const prose = loadCorpus('benign')
  .map((doc) => doc.text)
  .join('\n');
const MB = 1_000_000;
const proseMb = prose.repeat(Math.ceil(MB / prose.length)).slice(0, MB);
const families: Record<string, string> = {
  "'a'×N + '!'": `${'a'.repeat(MB - 1)}!`,
  digits: '7'.repeat(MB),
  "'1 '×N": '1 '.repeat(MB / 2),
  "'@'×N": '@'.repeat(MB),
  "'a.'×N": 'a.'.repeat(MB / 2),
  dots: '.'.repeat(MB),
  'base64-like run': 'QUJD'.repeat(MB / 4),
  "'-1'×N": '-1'.repeat(MB / 2),
  "'x@y.'×N": 'x@y.'.repeat(MB / 4),
  "'a:'×N": 'a:'.repeat(MB / 2),
  "'a='×N": 'a='.repeat(MB / 2),
  'spaces then x': `${' '.repeat(MB - 1)}x`,
};
const detector = guardOf([piiDetector(), secretsDetector()]);
// Rounds are interleaved (prose, then every family, five times over) and the best of each is kept, so
// the prose baseline gets the same warm JIT as the families: timing prose first and cold flatters the ratio.
const inputs: [string, string][] = [['prose (benign corpus)', proseMb], ...Object.entries(families)];
const best = new Map<string, number>();
for (let round = 0; round < 5; round++) {
  for (const [name, text] of inputs) {
    const started = performance.now();
    await detector.checkInput(text);
    const ms = performance.now() - started;
    best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, ms));
  }
}
const base = best.get('prose (benign corpus)') ?? Number.NaN;
console.log('\n## Linear time: pii + secrets on 1 MB inputs (best of 5 interleaved rounds)\n');
console.log('| input | ms | × prose |\n|---|---|---|');
for (const [name] of inputs) {
  const ms = best.get(name) ?? Number.NaN;
  console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms / base).toFixed(2)} |`);
}
