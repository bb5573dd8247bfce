import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AuditEvent } from '@parapet/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Chain, type ChainRecord } from './chain.js';
import { type JsonlSinkOptions, jsonlSink as makeSink } from './jsonl-sink.js';
import { verifyJsonl } from './verify-jsonl.js';
import { currentWorker } from './worker-channel.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parapet-audit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function event(index: number): AuditEvent {
  return {
    schemaVersion: 1,
    id: `event-${index}`,
    type: index % 3 === 0 ? 'input-blocked' : 'input-allowed',
    time: '2025-01-01T00:00:00.000Z',
    traceId: index.toString(16).padStart(32, '0'),
    spanId: index.toString(16).padStart(16, '0'),
    guard: 'test',
    stage: 'input',
    action: index % 3 === 0 ? 'block' : 'allow',
    findings: [
      { detector: 'prompt-injection', category: 'injection', score: 0.91, severity: 'high', action: 'block' },
      {
        detector: 'pii',
        category: 'email',
        score: 0.7,
        severity: 'medium',
        action: 'redact',
        span: { start: 3, end: 9 },
      },
    ],
    errors: [],
    latencyUs: 120 + index,
    content: { sha256: 'ab'.repeat(32), length: 42 },
  };
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
}

const quiet = { flushOnExit: false } as const;

// Every behaviour holds on the caller's thread and with the writer in a worker thread.
const MODES = ['inline', 'worker thread'] as const;
type Mode = (typeof MODES)[number];
const sinkIn = (mode: Mode) => (options: JsonlSinkOptions) =>
  makeSink({ ...options, thread: mode === 'worker thread' });

describe.each(MODES)('jsonlSink (%s)', (mode) => {
  const jsonlSink = sinkIn(mode);
  it('writes chained records and reads them back', async () => {
    const path = join(dir, 'nested', 'audit', 'parapet.jsonl');
    const sink = jsonlSink({ path, queue: quiet });
    for (let index = 0; index < 20; index++) sink.write(event(index));
    await sink.close();
    const records = lines(path).map((line) => JSON.parse(line) as ChainRecord);
    expect(records).toHaveLength(21);
    expect(records.slice(0, 20).map((record) => (record.kind === 'event' ? record.event.id : ''))).toEqual(
      Array.from({ length: 20 }, (_, index) => `event-${index}`),
    );
    expect(records[20]).toMatchObject({ kind: 'checkpoint', events: 20, seq: 21 });
    const report = verifyJsonl(path);
    expect(report).toMatchObject({ ok: true, records: 21, events: 20, lastGoodSeq: 21, closed: true });
    expect(sink.name).toBe('jsonl');
    expect(sink.stats).toMatchObject({ written: 20, errors: 0, pending: 0 });
  });

  it('writes bare events with chain: false', async () => {
    const path = join(dir, 'plain.jsonl');
    const sink = jsonlSink({ path, chain: false, queue: quiet });
    sink.write(event(1));
    await sink.close();
    expect(lines(path).map((line) => JSON.parse(line))).toEqual([event(1)]);
  });

  it('validates options with a ConfigError naming the field', () => {
    expect(() => jsonlSink({ path: '' })).toThrow(/path/);
    expect(() => jsonlSink({ path: join(dir, 'x.jsonl'), rotate: { maxBytes: -1 } })).toThrow(/rotate\.maxBytes/);
    expect(() => jsonlSink({ path: join(dir, 'x.jsonl'), queue: { backpressure: 'wait' as 'drop' } })).toThrow(
      /queue\.backpressure/,
    );
  });

  it('resumes the chain across two sinks on the same file', async () => {
    const path = join(dir, 'parapet.jsonl');
    const first = jsonlSink({ path, chain: { checkpointEvery: 4 }, queue: quiet });
    for (let index = 0; index < 10; index++) first.write(event(index));
    await first.close();
    const second = jsonlSink({ path, chain: { checkpointEvery: 4 }, queue: quiet });
    for (let index = 10; index < 17; index++) second.write(event(index));
    await second.close();
    const report = verifyJsonl(path);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, events: 17, closed: true });
    const last = JSON.parse(lines(path).at(-1) as string) as ChainRecord;
    expect(last).toMatchObject({ kind: 'checkpoint', events: 17 });
  });

  it('resumes after a crash: the torn line stays as evidence, the chain goes on', async () => {
    const path = join(dir, 'parapet.jsonl');
    const first = jsonlSink({ path, queue: quiet });
    for (let index = 0; index < 5; index++) first.write(event(index));
    await first.flush(); // no close: no checkpoint, like a crash
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"v":1,"kind":"eve`);
    const second = jsonlSink({ path, queue: quiet });
    for (let index = 5; index < 8; index++) second.write(event(index));
    await second.close();
    const report = verifyJsonl(path);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'malformed', line: 6 })]);
    expect(report.events).toBe(8);
    expect(report.closed).toBe(true);
  });

  it('signs with an HMAC key: the right key verifies, a wrong key or none shows modified', async () => {
    const path = join(dir, 'parapet.jsonl');
    const sink = jsonlSink({ path, chain: { key: 'secret-key' }, queue: quiet });
    for (let index = 0; index < 10; index++) sink.write(event(index));
    await sink.close();
    expect(verifyJsonl(path, { key: 'secret-key' }).ok).toBe(true);
    const wrong = verifyJsonl(path, { key: 'other-key' });
    expect(wrong.ok).toBe(false);
    expect(wrong.problems.every((problem) => problem.kind === 'modified')).toBe(true);
    expect(verifyJsonl(path).problems[0]?.kind).toBe('modified');
  });

  for (const gzip of [false, true]) {
    it(`rotates by size ${gzip ? 'with' : 'without'} gzip; the series verifies as one chain`, async () => {
      const path = join(dir, 'parapet.jsonl');
      const sink = jsonlSink({ path, rotate: { maxBytes: 4000 }, gzip, chain: { checkpointEvery: 10 }, queue: quiet });
      for (let index = 0; index < 100; index++) sink.write(event(index));
      await sink.close();
      const names = readdirSync(dir).sort();
      const rotated = names.filter((name) => name !== 'parapet.jsonl');
      expect(rotated.length).toBeGreaterThanOrEqual(3);
      expect(sink.stats.rotations).toBe(rotated.length);
      for (const name of rotated)
        expect(name).toMatch(gzip ? /^parapet\.\d{8}T\d{9}Z\.jsonl\.gz$/ : /^parapet\.\d{8}T\d{9}Z\.jsonl$/);
      expect(names).toContain('parapet.jsonl');
      // Each rotated file ends with a checkpoint and is not far above the limit.
      for (const name of rotated) {
        const raw = readFileSync(join(dir, name));
        const text = (gzip ? gunzipSync(raw) : raw).toString('utf8').trim().split('\n');
        expect(JSON.parse(text.at(-1) as string)).toMatchObject({ kind: 'checkpoint' });
        expect(text.join('\n').length).toBeLessThan(4000 + 1500);
      }
      const report = verifyJsonl(path);
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ ok: true, events: 100, closed: true });
      expect(report.files).toHaveLength(rotated.length + 1);
      expect(verifyJsonl(dir)).toMatchObject({ ok: true, events: 100 });
      // A missing file in the middle of the series shows.
      rmSync(join(dir, rotated[1] as string));
      const gap = verifyJsonl(path);
      expect(gap.problems.some((problem) => problem.kind === 'deleted')).toBe(true);
    });
  }

  it('rotates by age', async () => {
    const path = join(dir, 'parapet.jsonl');
    const sink = jsonlSink({ path, rotate: { maxAgeMs: 1 }, queue: quiet });
    sink.write(event(1));
    await sink.flush();
    await new Promise((resolve) => setTimeout(resolve, 10));
    sink.write(event(2));
    await sink.close();
    expect(sink.stats.rotations).toBe(1);
    expect(verifyJsonl(path)).toMatchObject({ ok: true, events: 2 });
  });

  it('continues the chain after a restart when the active file is new (rotated just before)', async () => {
    const path = join(dir, 'parapet.jsonl');
    const first = jsonlSink({ path, rotate: { maxBytes: 1500 }, chain: { checkpointEvery: 0 }, queue: quiet });
    for (let index = 0; index < 9; index++) first.write(event(index));
    await first.flush();
    // Crash simulated: the active file holds events but no checkpoint; its count comes from the rotated file.
    const second = jsonlSink({ path, rotate: { maxBytes: 1500 }, chain: { checkpointEvery: 0 }, queue: quiet });
    for (let index = 9; index < 12; index++) second.write(event(index));
    await second.close();
    const report = verifyJsonl(path);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, events: 12, closed: true });
  });
});

describe.each(MODES)('record format (%s)', (mode) => {
  const jsonlSink = sinkIn(mode);
  it('writes the same records as Chain.append', async () => {
    const path = join(dir, 'parapet.jsonl');
    const sink = jsonlSink({ path, chain: { key: 'k', checkpointEvery: 0 }, queue: quiet });
    for (let index = 0; index < 7; index++) sink.write(event(index));
    await sink.flush();
    const chain = new Chain({ key: 'k', checkpointEvery: 0 });
    const expected = Array.from({ length: 7 }, (_, index) => chain.append(event(index))).flat();
    const written = lines(path).map((line) => JSON.parse(line) as ChainRecord);
    expect(written.map((record) => record.hash)).toEqual(expected.map((record) => record.hash));
    expect(written.filter((record) => record.kind === 'event')).toEqual(
      expected.filter((record) => record.kind === 'event'),
    );
    await sink.close();
  });

  it('writes a batch larger than its batch buffer, in multi-byte text, as the same records', async () => {
    // 40 events of ~100 KB of three-byte characters: ~12 MB in one batch, past the 1 MiB buffer and the
    // 16 MiB cut-back; then a small batch after it.
    const path = join(dir, 'parapet.jsonl');
    const sink = jsonlSink({ path, chain: { key: 'k', checkpointEvery: 0 }, queue: { ...quiet, batchSize: 100 } });
    const big = (index: number): AuditEvent => ({ ...event(index), guard: `東京${'語'.repeat(100_000)}${index}` });
    for (let index = 0; index < 40; index++) sink.write(big(index));
    await sink.flush();
    for (let index = 40; index < 43; index++) sink.write(event(index));
    await sink.close();
    const chain = new Chain({ key: 'k', checkpointEvery: 0 });
    const expected = [
      ...Array.from({ length: 40 }, (_, index) => chain.appendLine(big(index))),
      ...Array.from({ length: 3 }, (_, index) => chain.appendLine(event(40 + index))),
    ];
    const written = lines(path);
    expect(written.slice(0, 43)).toEqual(expected.map((line) => line.slice(0, -1)));
    expect(verifyJsonl(path, { key: 'k' }).ok).toBe(true);
  });
});

describe.each(MODES)('verifyJsonl: tampering (%s)', (mode) => {
  const jsonlSink = sinkIn(mode);
  const N = 60;
  let path: string;
  let original: string[];

  beforeEach(async () => {
    path = join(dir, 'parapet.jsonl');
    const sink = jsonlSink({ path, chain: { checkpointEvery: 20 }, queue: quiet });
    for (let index = 0; index < N; index++) sink.write(event(index));
    await sink.close();
    original = lines(path);
    expect(original.length).toBeGreaterThanOrEqual(N);
  });

  const check = (tampered: string[]) => {
    writeFileSync(path, `${tampered.join('\n')}\n`);
    return verifyJsonl(path);
  };
  const kinds = (report: { problems: readonly { kind: string }[] }) => report.problems.map((problem) => problem.kind);

  it('detects an edited field at every position (modified)', () => {
    for (let position = 0; position < original.length; position++) {
      const tampered = [...original];
      const record = JSON.parse(tampered[position] as string) as Record<string, unknown>;
      if (record.kind === 'event') (record.event as Record<string, unknown>).guard = 'forged';
      else record.events = (record.events as number) + 1;
      tampered[position] = JSON.stringify(record);
      const report = check(tampered);
      expect(report.problems.length, `edit at ${position}`).toBeGreaterThan(0);
      expect(kinds(report), `edit at ${position}`).toContain('modified');
      expect(report.brokenAt?.line).toBe(position + 1);
    }
  });

  it('detects a deleted line at every position (deleted)', () => {
    for (let position = 0; position < original.length; position++) {
      const tampered = original.filter((_, index) => index !== position);
      const report = check(tampered);
      expect(report.problems.length, `delete at ${position}`).toBeGreaterThan(0);
      expect(kinds(report), `delete at ${position}`).toContain('deleted');
    }
  });

  it('detects an inserted copy of another record at every position (inserted)', () => {
    for (let position = 0; position <= original.length; position++) {
      const source = position === 0 ? 1 : position - 1;
      const tampered = [...original.slice(0, position), original[source] as string, ...original.slice(position)];
      const report = check(tampered);
      expect(report.problems.length, `insert at ${position}`).toBeGreaterThan(0);
      expect(kinds(report), `insert at ${position}`).toContain('inserted');
    }
  });

  it('detects a record swapped with its neighbour at every position (reordered)', () => {
    for (let position = 0; position < original.length - 1; position++) {
      const tampered = [...original];
      [tampered[position], tampered[position + 1]] = [tampered[position + 1] as string, tampered[position] as string];
      const report = check(tampered);
      expect(report.problems.length, `swap at ${position}`).toBeGreaterThan(0);
      expect(kinds(report), `swap at ${position}`).toContain('reordered');
    }
  });

  it('reports a truncated last line as malformed at the end; the rest verifies', () => {
    const torn = original.slice(0, -1).join('\n') + '\n' + (original.at(-1) as string).slice(0, 30);
    writeFileSync(path, torn);
    const report = verifyJsonl(path);
    const malformed = report.problems.filter((problem) => problem.kind === 'malformed');
    expect(malformed).toEqual([expect.objectContaining({ line: original.length, file: path })]);
    // Only the torn line and the missing closing checkpoint are reported.
    expect(report.problems.filter((problem) => problem.kind !== 'malformed')).toEqual([
      expect.objectContaining({ kind: 'deleted', seq: original.length }),
    ]);
    expect(report.lastGoodSeq).toBe(original.length - 1);
    expect(report.closed).toBe(false);
  });

  it('reports the file and line of a problem in a rotated series', async () => {
    const seriesDir = join(dir, 'series');
    const seriesPath = join(seriesDir, 'parapet.jsonl');
    const sink = jsonlSink({ path: seriesPath, rotate: { maxBytes: 3000 }, queue: quiet });
    for (let index = 0; index < 30; index++) sink.write(event(index));
    await sink.close();
    const report = verifyJsonl(seriesPath);
    expect(report.ok).toBe(true);
    const second = report.files[1] as string;
    const content = lines(second);
    content[2] = (content[2] as string).replace('"guard":"test"', '"guard":"evil"');
    writeFileSync(second, `${content.join('\n')}\n`);
    const tampered = verifyJsonl(seriesPath);
    expect(tampered.brokenAt).toMatchObject({ file: second, line: 3 });
    expect(tampered.problems[0]).toMatchObject({ kind: 'modified', file: second, line: 3 });
  });
});

describe.each(MODES)('jsonlSink: backpressure and errors (%s)', (mode) => {
  const jsonlSink = sinkIn(mode);
  it('drop policy with a tiny queue writes an events-dropped event with the count', async () => {
    const path = join(dir, 'parapet.jsonl');
    const sink = jsonlSink({
      path,
      queue: { maxQueue: 5, batchSize: 100, flushIntervalMs: 60_000, backpressure: 'drop', flushOnExit: false },
    });
    for (let index = 0; index < 12; index++) sink.write(event(index));
    expect(sink.stats.dropped).toBe(7);
    await sink.close();
    const records = lines(path).map((line) => JSON.parse(line) as ChainRecord);
    const dropped = records.find((record) => record.kind === 'event' && record.event.type === 'events-dropped');
    expect(dropped).toMatchObject({ event: { data: { dropped: 7 } } });
    expect(verifyJsonl(path).ok).toBe(true);
  });

  it('block policy loses nothing', async () => {
    const path = join(dir, 'parapet.jsonl');
    const sink = jsonlSink({
      path,
      queue: { maxQueue: 5, batchSize: 100, flushIntervalMs: 60_000, backpressure: 'block', flushOnExit: false },
    });
    for (let index = 0; index < 50; index++) sink.write(event(index));
    await sink.close();
    const report = verifyJsonl(path);
    expect(report).toMatchObject({ ok: true, events: 50 });
    expect(sink.stats.dropped).toBe(0);
  });

  it('write errors never throw into write(); they are counted, reported and the events kept (bounded)', async () => {
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, 'x');
    const seen: string[] = [];
    const sink = jsonlSink({
      path: join(blocker, 'parapet.jsonl'),
      queue: { maxQueue: 10, batchSize: 4, flushIntervalMs: 60_000, flushOnExit: false },
      onError: (_error, operation) => seen.push(operation),
    });
    expect(() => {
      for (let index = 0; index < 30; index++) sink.write(event(index));
    }).not.toThrow();
    await expect(sink.flush()).resolves.toBeUndefined();
    expect(sink.stats.errors).toBeGreaterThan(0);
    expect(sink.stats.pending).toBeLessThanOrEqual(10);
    expect(sink.stats.lastError).toMatch(/open/);
    expect(seen[0]).toBe('open');
    await expect(sink.close()).resolves.toBeUndefined();
    expect(() => sink.write(event(99))).not.toThrow();
  });

  it('keeps events through a transient failure and writes them, with the drop count, once the disk is back', async () => {
    const parent = join(dir, 'later');
    writeFileSync(parent, 'x'); // a file where the directory should be: mkdir fails
    const path = join(parent, 'parapet.jsonl');
    // block: in a worker thread, batches wait for the worker instead of being dropped while it starts.
    const sink = jsonlSink({
      path,
      queue: { maxQueue: 6, batchSize: 3, flushIntervalMs: 60_000, backpressure: 'block', flushOnExit: false },
    });
    for (let index = 0; index < 9; index++) sink.write(event(index));
    await sink.flush();
    expect(sink.stats.errors).toBeGreaterThan(0);
    expect(sink.stats.pending).toBe(6);
    rmSync(parent);
    await sink.close();
    const records = lines(path).map((line) => JSON.parse(line) as ChainRecord);
    const events = records.flatMap((record) => (record.kind === 'event' ? [record.event] : []));
    expect(events[0]).toMatchObject({ type: 'events-dropped', data: { dropped: 3 } });
    expect(events.slice(1).map((item) => item.id)).toEqual([3, 4, 5, 6, 7, 8].map((index) => `event-${index}`));
    expect(verifyJsonl(path)).toMatchObject({ ok: true, events: 7 });
  });
});

describe('jsonlSink: thread: true', () => {
  it('writes byte-identical event records to the inline writer (same chain, same HMAC)', async () => {
    const paths = { inline: join(dir, 'inline.jsonl'), thread: join(dir, 'thread.jsonl') };
    for (const [mode, path] of Object.entries(paths)) {
      const sink = makeSink({
        path,
        chain: { key: Buffer.from('buffer-key'), checkpointEvery: 0 },
        queue: { ...quiet, batchSize: 7 },
        thread: mode === 'thread',
      });
      for (let index = 0; index < 50; index++) sink.write(event(index));
      await sink.close();
      expect(sink.stats).toMatchObject({ written: 50, dropped: 0, errors: 0, pending: 0 });
      expect(sink.stats.bytes).toBe(readFileSync(path).length);
    }
    const inline = lines(paths.inline);
    const thread = lines(paths.thread);
    expect(inline).toHaveLength(51);
    // Every event line is the same; only the closing checkpoint differs (its time, so its hash).
    expect(thread.slice(0, 50)).toEqual(inline.slice(0, 50));
    expect(JSON.parse(thread[50] ?? '')).toMatchObject({ kind: 'checkpoint', seq: 51, events: 50 });
    expect(verifyJsonl(paths.thread, { key: Buffer.from('buffer-key') }).ok).toBe(true);
  });

  it('reports write failures from the worker through onError and the stats', async () => {
    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'x');
    const seen: string[] = [];
    const sink = makeSink({
      path: join(blocker, 'parapet.jsonl'),
      queue: { ...quiet, batchSize: 5, maxQueue: 20 },
      thread: true,
      onError: (error, operation) => seen.push(`${operation}: ${(error as Error).message}`),
    });
    for (let index = 0; index < 12; index++) sink.write(event(index));
    await sink.flush();
    expect(seen[0]).toMatch(/^open: .*(EEXIST|ENOTDIR)/);
    expect(sink.stats).toMatchObject({ pending: 12, lastError: expect.stringMatching(/^open: /) });
    expect(sink.stats.errors).toBe(seen.length);
    await sink.close();
  });

  it('a worker that dies is reported, and the next batch starts a new one that continues the chain', async () => {
    const path = join(dir, 'parapet.jsonl');
    const seen: string[] = [];
    const sink = makeSink({
      path,
      queue: quiet,
      thread: true,
      onError: (error, operation) => seen.push(`${operation}: ${(error as Error).message}`),
    });
    for (let index = 0; index < 10; index++) sink.write(event(index));
    await sink.flush();
    const first = currentWorker(sink);
    expect(first).toBeDefined();
    await first?.terminate();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([expect.stringMatching(/^write: the audit writer thread exited/)]);
    for (let index = 10; index < 20; index++) sink.write(event(index));
    await sink.close();
    expect(sink.stats).toMatchObject({ written: 20, dropped: 0, errors: 1 });
    const ids = lines(path).flatMap((line) => {
      const record = JSON.parse(line) as ChainRecord;
      return record.kind === 'event' ? [record.event.id] : [];
    });
    expect(ids).toEqual(Array.from({ length: 20 }, (_, index) => `event-${index}`));
    expect(verifyJsonl(path)).toMatchObject({ ok: true, events: 20, closed: true });
  });

  it('a batch larger than maxQueue on its own does not stall behind the batch in flight', async () => {
    const path = join(dir, 'parapet.jsonl');
    // maxQueue 5 with an events-dropped record on top: every batch here is 6 events, over the bound.
    const sink = makeSink({
      path,
      queue: { ...quiet, maxQueue: 5, batchSize: 100, flushIntervalMs: 60_000 },
      thread: true,
    });
    for (let round = 0; round < 4; round++) {
      for (let index = 0; index < 12; index++) sink.write(event(round * 12 + index));
      // Hand the batch over without waiting, so the next one finds it still in flight.
      (sink as unknown as { flush(): Promise<void> }).flush();
    }
    await sink.close();
    const report = verifyJsonl(path);
    // Each round: 5 events and one events-dropped record for the 7 dropped.
    expect(report).toMatchObject({ ok: true, events: 24 });
    expect(sink.stats).toMatchObject({ written: 24, dropped: 28 });
    // The second batch was handed over while the worker was still starting: that wait is counted, not silent.
    expect(sink.stats.threadWaits).toBeGreaterThanOrEqual(1);
    expect(sink.stats.threadWaitedMs).toBeGreaterThan(0);
  }, 8_000);
});
