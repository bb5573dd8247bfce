/**
 * `pnpm bench` for @parapet/cli: what a shell user waits for. Each command runs as its own process, the
 * way a script or a CI step calls it, so the figures include Node's start-up and the lazy loading of
 * detectors; `node -e ""` on the same machine, in the same run, is the floor no command can go under.
 *
 * - start-up latency (median, p99 over repeated runs): `parapet detectors`, `parapet scan` on a short
 *   prompt and on a 4 KB prompt with the default input detectors;
 * - throughput: `parapet eval` (rows/s on a public benign set), `parapet audit verify` on a 100 000-event
 *   chained JSONL trail and a SQLite trail (records/s), `audit query` and `audit stats` on that database.
 *
 * Needs the built CLI (`pnpm bench` at the root builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonlSink, sqliteSink } from '@parapet/audit';
import { loadCorpus } from '@parapet/bench';
import type { AuditEvent } from '@parapet/core';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, '../dist/bin.js');
if (!existsSync(bin)) {
  console.error(`${bin} is missing: build the CLI first (pnpm --filter @parapet/cli run build).`);
  process.exit(1);
}
const datasets = resolve(here, '../../../../shared/datasets');
const ROUNDS = Number(process.env.CLI_BENCH_ROUNDS ?? 15);
const EVENTS = Number(process.env.CLI_BENCH_EVENTS ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'parapet-cli-bench-'));

/** Runs a command to completion; returns wall time in ms. Exit codes 0–2 are verdicts, 3+ a failure. */
function run(args: readonly string[], input?: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (result.status === null || result.status > 2) {
    throw new Error(
      `node ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr.slice(0, 500)}`,
    );
  }
  return ms;
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

function latency(name: string, args: readonly string[], input?: string): void {
  run(args, input); // warm the file cache
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) times.push(run(args, input));
  times.sort((a, b) => a - b);
  console.log(`| ${name} | ${quantile(times, 0.5).toFixed(0)} | ${quantile(times, 0.99).toFixed(0)} | ${ROUNDS} |`);
}

function throughput(name: string, args: readonly string[], units: number, unit: string): void {
  run(args); // warm
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) best = Math.min(best, run(args));
  console.log(
    `| ${name} | ${units.toLocaleString('en')} ${unit} | ${(best / 1000).toFixed(2)} | ${Math.round(units / (best / 1000)).toLocaleString('en')} |`,
  );
}

console.log(`\n## @parapet/cli: one process per command (Node ${process.version})\n`);
console.log('| command | median ms | p99 ms | runs |\n|---|---|---|---|');
latency('floor: node -e ""', ['-e', '']);
latency('parapet help', [bin, 'help']);
latency('parapet detectors', [bin, 'detectors']);
latency('parapet scan "<short prompt>" (default input detectors)', [
  bin,
  'scan',
  'What are your opening hours on Sunday?',
]);
const medium = loadCorpus('medium')[0]!.text;
const mediumFile = join(dir, 'prompt-4k.txt');
writeFileSync(mediumFile, medium);
latency(`parapet scan --file <${(medium.length / 1000).toFixed(1)} KB prompt>`, [bin, 'scan', '--file', mediumFile]);
latency('parapet scan - (same 4 KB prompt on stdin, --format json)', [bin, 'scan', '-', '--format', 'json'], medium);

// Audit trails of EVENTS events, written by the real sinks with the chain on.
const event = (index: number): AuditEvent => ({
  schemaVersion: 1,
  id: `evt-${index}`,
  type: index % 5 === 0 ? 'input-blocked' : 'input-allowed',
  time: new Date(Date.now() - (EVENTS - index) * 1000).toISOString(),
  traceId: (index * 2654435761).toString(16).padStart(32, '0'),
  spanId: index.toString(16).padStart(16, '0'),
  guard: 'bench',
  stage: 'input',
  action: index % 5 === 0 ? 'block' : 'allow',
  decided: index % 5 === 0 ? 'block' : 'allow',
  session: `sess-${index % 100}`,
  findings:
    index % 5 === 0
      ? [
          {
            detector: 'prompt-injection',
            category: 'instruction-override',
            score: 0.97,
            severity: 'critical',
            action: 'block',
          },
        ]
      : [],
  errors: [],
  latencyUs: 180 + (index % 50),
  content: { sha256: 'ab'.repeat(32), length: 412 },
});
const jsonlPath = join(dir, 'trail.jsonl');
const dbPath = join(dir, 'trail.db');
const jsonl = jsonlSink({ path: jsonlPath });
const sqlite = sqliteSink({ path: dbPath });
for (let index = 0; index < EVENTS; index++) {
  const item = event(index);
  jsonl.write(item);
  sqlite.write(item);
}
await jsonl.close();
await sqlite.close();

// Start-up of the audit commands, which load @parapet/audit only (not the detectors): a ten-event trail.
const smallTrail = join(dir, 'small.jsonl');
const small = jsonlSink({ path: smallTrail });
for (let index = 0; index < 10; index++) small.write(event(index));
await small.close();
console.log('\n| command | median ms | p99 ms | runs |\n|---|---|---|---|');
latency('parapet audit verify <10-event trail.jsonl>', [bin, 'audit', 'verify', smallTrail]);

console.log('\n| command | input | best of 3, s | per second |\n|---|---|---|---|');
const hh = join(datasets, 'hh-helpful-prompts/eval.jsonl');
if (existsSync(hh)) {
  const rows = spawnSync('wc', ['-l', hh], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0];
  throughput(
    'parapet eval --detector prompt-injection,jailbreak (hh-helpful-prompts)',
    [bin, 'eval', '--dataset', hh, '--detector', 'prompt-injection,jailbreak', '--format', 'json'],
    Number(rows),
    'rows',
  );
} else console.log(`| parapet eval | ${hh} not found: skipped | – | – |`);
throughput('parapet audit verify <trail.jsonl>', [bin, 'audit', 'verify', jsonlPath], EVENTS, 'events');
throughput('parapet audit verify <trail.db>', [bin, 'audit', 'verify', dbPath], EVENTS, 'events');
throughput(
  'parapet audit query --db --action block --since 24h --format json',
  [bin, 'audit', 'query', '--db', dbPath, '--action', 'block', '--since', '24h', '--format', 'json'],
  EVENTS,
  'events in the table',
);
throughput(
  'parapet audit stats --db --since 7d',
  [bin, 'audit', 'stats', '--db', dbPath, '--since', '7d'],
  EVENTS,
  'events in the table',
);
rmSync(dir, { recursive: true, force: true });
