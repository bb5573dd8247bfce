import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ChainRecord } from './chain.js';
import { verifyJsonl } from './verify-jsonl.js';

const WRITER = fileURLToPath(new URL('../test/crash-writer.ts', import.meta.url));
const FLUSH_INTERVAL_MS = 50;
const PER_TICK = 5;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parapet-audit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Progress {
  readonly pushed: number;
  readonly at: number;
}

/** Runs the writer until it has pushed `atLeast` events, then SIGKILLs it; returns its progress lines. */
function runAndKill(path: string, atLeast: number, batchSize: number, thread: boolean): Promise<Progress[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@parapet/source',
        WRITER,
        path,
        String(FLUSH_INTERVAL_MS),
        String(batchSize),
        String(PER_TICK),
        thread ? 'thread' : 'inline',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const progress: Progress[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^pushed (\d+) ([\d.]+)$/.exec(line);
        if (match) progress.push({ pushed: Number(match[1]), at: Number(match[2]) });
      }
      if (!killed && (progress.at(-1)?.pushed ?? 0) >= atLeast) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer ended without SIGKILL (${signal}): ${stderr}`));
      else resolve(progress);
    });
  });
}

/**
 * `bound(batchSize)`: the events a crash may lose. With batches of 100 (full batches are written from
 * `write()`): what was pushed in the last flush interval plus one batch. With batches larger than the run
 * (only the timer writes): what was pushed in the last flush interval plus 20 bursts of the writer's loop
 * (~20 ms of timer lateness under a loaded CI machine; a 100-event allowance either way). With the writer in
 * a worker thread, one more batch may be in flight between the threads when the process dies.
 */
it.each([
  { batchSize: 100, slack: 100, atLeast: 635, thread: false },
  { batchSize: 100_000, slack: 20 * PER_TICK, atLeast: 600, thread: false },
  { batchSize: 100, slack: 200, atLeast: 635, thread: true },
  { batchSize: 100_000, slack: 20 * PER_TICK + 100, atLeast: 600, thread: true },
])(
  'loses at most the flush window when the writer is killed with SIGKILL (batchSize $batchSize, thread $thread)',
  async ({ batchSize, slack, atLeast, thread }) => {
    const path = join(dir, 'crash', 'parapet.jsonl');
    const progress = await runAndKill(path, atLeast, batchSize, thread);
    const last = progress.at(-1);
    expect(last).toBeDefined();
    if (last === undefined) return;

    // The file parses line by line, except at most a torn last line.
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const unparseable: number[] = [];
    const records: ChainRecord[] = [];
    lines.forEach((line, index) => {
      try {
        records.push(JSON.parse(line) as ChainRecord);
      } catch {
        unparseable.push(index + 1);
      }
    });
    expect(unparseable.every((line) => line === lines.length)).toBe(true);
    expect(unparseable.length).toBeLessThanOrEqual(1);

    // verify says where it ends: nothing edited, inserted or reordered; no closing checkpoint.
    const report = verifyJsonl(path);
    const kinds = new Set(report.problems.map((problem) => problem.kind));
    expect(kinds.has('modified')).toBe(false);
    expect(kinds.has('inserted')).toBe(false);
    expect(kinds.has('reordered')).toBe(false);
    expect(kinds.has('broken-link')).toBe(false);
    expect(report.closed).toBe(false);
    const written = records.filter((record) => record.kind === 'event').length;
    expect(report.events).toBe(written);
    expect(report.lastGoodSeq).toBe(records.at(-1)?.seq);
    const deleted = report.problems.filter((problem) => problem.kind === 'deleted');
    expect(deleted).toEqual([expect.objectContaining({ seq: (records.at(-1)?.seq ?? 0) + 1, file: path })]);

    // Events are written in push order: what is in the file is a prefix of what was pushed.
    const ids = records.flatMap((record) => (record.kind === 'event' ? [record.event.id] : []));
    expect(ids).toEqual(Array.from({ length: written }, (_, index) => `crash-${index}`));

    // Loss bound: what was pushed within the last flush interval, plus one batch (or one burst).
    const windowStart = last.at - FLUSH_INTERVAL_MS;
    const firstInWindow = progress.find((entry) => entry.at >= windowStart);
    const before = progress[progress.indexOf(firstInWindow ?? last) - 1]?.pushed ?? 0;
    const pushedInWindow = last.pushed - before;
    const lost = last.pushed - written;
    if (process.env.PARAPET_CRASH_DEBUG) console.log({ pushed: last.pushed, written, lost, pushedInWindow });
    expect(written).toBeGreaterThan(0);
    expect(lost).toBeLessThanOrEqual(pushedInWindow + slack);
  },
  60_000,
);
