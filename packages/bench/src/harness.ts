/**
 * A small benchmark harness shared by every package's bench/: warm up, then time calls in batches until a
 * time budget is spent; report the median and p99 per call, and throughput over the bytes processed.
 * Sub-microsecond calls are timed in batches (the per-batch mean is one sample), so the timer's own cost
 * does not swamp them. Figures are for comparison within one run on one machine.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchResult {
  readonly group: string;
  readonly name: string;
  readonly size: string;
  readonly medianUs: number;
  readonly p99Us: number;
  readonly mbPerSecond: number;
  readonly calls: number;
}

export interface BenchCase {
  readonly group: string;
  readonly name: string;
  /** Label of the input size (e.g. "4 KB"). */
  readonly size: string;
  readonly inputs: readonly string[];
  /** The call; may return a promise (awaited one by one). */
  readonly run: (input: string) => unknown;
  readonly budgetMs?: number;
}

const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 400);

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Promise<unknown>).then === 'function';
}

export async function measure(bench: BenchCase): Promise<BenchResult> {
  const { inputs, run } = bench;
  const budget = bench.budgetMs ?? BUDGET_MS;
  const bytes = inputs.map((input) => Buffer.byteLength(input, 'utf8'));
  // Warm-up: a quarter of the budget, and find out whether calls are async and how long they take.
  let index = 0;
  let asyncCalls = false;
  const warmEnd = performance.now() + budget / 4;
  let warmCalls = 0;
  while (performance.now() < warmEnd) {
    const result = run(inputs[index % inputs.length]!);
    if (isPromise(result)) {
      asyncCalls = true;
      await result;
    }
    index++;
    warmCalls++;
  }
  const perCallMs = budget / 4 / Math.max(1, warmCalls);
  const batch = perCallMs < 0.005 ? 64 : 1;
  const samples: number[] = [];
  let totalBytes = 0;
  let totalMs = 0;
  let calls = 0;
  const end = performance.now() + budget;
  while (performance.now() < end || samples.length < 5) {
    let batchBytes = 0;
    const started = performance.now();
    for (let k = 0; k < batch; k++) {
      const at = index++ % inputs.length;
      const result = run(inputs[at]!);
      if (asyncCalls && isPromise(result)) await result;
      batchBytes += bytes[at]!;
    }
    const elapsed = performance.now() - started;
    samples.push((elapsed * 1000) / batch);
    totalMs += elapsed;
    totalBytes += batchBytes;
    calls += batch;
  }
  samples.sort((a, b) => a - b);
  return {
    group: bench.group,
    name: bench.name,
    size: bench.size,
    medianUs: percentile(samples, 0.5),
    p99Us: percentile(samples, 0.99),
    mbPerSecond: totalBytes / 1e6 / (totalMs / 1000),
    calls,
  };
}

const format = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

export function printTable(title: string, results: readonly BenchResult[]): void {
  const header = ['group', 'case', 'size', 'median µs', 'p99 µs', 'MB/s', 'calls'];
  const rows = results.map((result) => [
    result.group,
    result.name,
    result.size,
    format(result.medianUs),
    format(result.p99Us),
    format(result.mbPerSecond),
    String(result.calls),
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(`\n## ${title}  (Node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`);
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

export interface PairedOverhead {
  /** Median duration of the base call, µs. */
  readonly baseUs: number;
  /** Median of the per-pair differences (wrapped minus base), µs. */
  readonly overheadUs: number;
  /** `overheadUs` as a share of `baseUs`, in percent. */
  readonly percent: number;
}

/**
 * What a wrapper adds to a call that is itself noisy (a round trip on a shared machine): base and wrapped run
 * back to back, the order swapped every pair, and the figure is the median of the per-pair differences
 * against the median base call — drift of the machine lands on both sides of a pair alike.
 */
export async function pairedOverhead(options: {
  readonly inputs: readonly string[];
  readonly base: (input: string) => Promise<unknown>;
  readonly wrapped: (input: string) => Promise<unknown>;
  /** Pairs measured (after the warm-up). Default 400. */
  readonly pairs?: number;
  /** Pairs run first and not counted. Default 40. */
  readonly warmup?: number;
}): Promise<PairedOverhead> {
  const pairs = options.pairs ?? 400;
  const warmup = options.warmup ?? 40;
  const timed = async (run: (input: string) => Promise<unknown>, input: string): Promise<number> => {
    const started = performance.now();
    await run(input);
    return (performance.now() - started) * 1000;
  };
  const bases: number[] = [];
  const deltas: number[] = [];
  for (let index = 0; index < pairs + warmup; index++) {
    const input = options.inputs[index % options.inputs.length]!;
    let baseUs: number;
    let wrappedUs: number;
    if (index % 2 === 0) {
      baseUs = await timed(options.base, input);
      wrappedUs = await timed(options.wrapped, input);
    } else {
      wrappedUs = await timed(options.wrapped, input);
      baseUs = await timed(options.base, input);
    }
    if (index < warmup) continue;
    bases.push(baseUs);
    deltas.push(wrappedUs - baseUs);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const baseUs = median(bases);
  const overheadUs = median(deltas);
  return { baseUs, overheadUs, percent: (overheadUs / baseUs) * 100 };
}

/** One line for a paired overhead: `+42 µs = 3.1 % of 1350 µs`. */
export function formatOverhead(result: PairedOverhead): string {
  const sign = result.overheadUs >= 0 ? '+' : '';
  return `${sign}${result.overheadUs.toFixed(0)} µs = ${result.percent.toFixed(1)} % of ${result.baseUs.toFixed(0)} µs`;
}

/** The shared corpus folder: $PARAPET_BENCH_CORPUS, else ../shared/bench-corpus beside the repository. */
export function corpusDir(): string {
  if (process.env.PARAPET_BENCH_CORPUS) return resolve(process.env.PARAPET_BENCH_CORPUS);
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return join(repo, '..', 'shared', 'bench-corpus');
}

export interface CorpusDoc {
  readonly id: string;
  readonly text: string;
  readonly entities: readonly { type: string; value: string }[];
}

export function loadCorpus(name: 'small' | 'medium' | 'large' | 'benign'): CorpusDoc[] {
  const file = join(corpusDir(), `${name}.jsonl`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as CorpusDoc);
}

export const SIZES = [
  { corpus: 'small', label: '200 B' },
  { corpus: 'medium', label: '4 KB' },
  { corpus: 'large', label: '64 KB' },
] as const;
