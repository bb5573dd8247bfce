import { type BenchResult, loadCorpus, loadPeers, measure, printTable, SIZES } from '@parapet/bench';
import { createGuard, type Detector } from '@parapet/core';
import { loadNer, piiDetector, secretsDetector } from '@parapet/pii';

// Peers only when asked for all of them: `pnpm bench` runs them; PARAPET_BENCH_PEERS=0 skips them.
const withPeers = process.env.PARAPET_BENCH_PEERS !== '0';
await loadNer();

const guardOf = (detectors: Detector[]) => createGuard({ input: detectors, policy: { timeoutMs: 60_000 } });
const cases: { name: string; run: (text: string) => unknown }[] = [
  {
    name: 'parapet piiDetector (NER off)',
    run: (
      (guard) => (text: string) =>
        guard.checkInput(text)
    )(guardOf([piiDetector()])),
  },
  {
    name: 'parapet secretsDetector',
    run: (
      (guard) => (text: string) =>
        guard.checkInput(text)
    )(guardOf([secretsDetector()])),
  },
  {
    name: 'parapet pii + secrets',
    run: (
      (guard) => (text: string) =>
        guard.checkInput(text)
    )(guardOf([piiDetector(), secretsDetector()])),
  },
  {
    name: 'parapet piiDetector + PERSON/LOCATION',
    run: (
      (guard) => (text: string) =>
        guard.checkInput(text)
    )(
      guardOf([
        piiDetector({
          entities: [
            'EMAIL_ADDRESS',
            'PHONE_NUMBER',
            'CREDIT_CARD',
            'IBAN_CODE',
            'US_SSN',
            'IP_ADDRESS',
            'PERSON',
            'LOCATION',
          ],
        }),
      ]),
    ),
  },
];
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
const time = async (text: string): Promise<number> => {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    await detector.checkInput(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
};
const base = await time(proseMb);
console.log('\n## Linear time: pii + secrets on 1 MB inputs (best of 3)\n');
console.log(`| input | ms | × prose |\n|---|---|---|\n| prose (benign corpus) | ${base.toFixed(1)} | 1.00 |`);
for (const [name, text] of Object.entries(families)) {
  const ms = await time(text);
  console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms / base).toFixed(2)} |`);
}
