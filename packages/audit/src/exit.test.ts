import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChainRecord } from './chain.js';
import { verifySqlite } from './sqlite-sink.js';
import { verifyJsonl } from './verify-jsonl.js';

const WRITER = fileURLToPath(new URL('../test/exit-writer.ts', import.meta.url));
// Not a multiple of the checkpoint interval (1000), so the trail does not end on a checkpoint by chance.
const COUNT = 4321;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parapet-audit-exit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(path: string, how: 'exit' | 'sigterm', mode: 'inline' | 'thread', kind: 'jsonl' | 'sqlite' = 'jsonl') {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@parapet/source', WRITER, path, String(COUNT), how, mode, kind],
    { encoding: 'utf8', timeout: 60_000 },
  );
}

/** Without close() there is no closing checkpoint: verify says so, and finds nothing else wrong. */
function expectUnclosedButWhole(path: string, events: number): void {
  const report = verifyJsonl(path);
  expect(report).toMatchObject({ events, closed: false, lastGoodSeq: report.records });
  expect(report.problems).toEqual([expect.objectContaining({ kind: 'deleted', seq: report.records + 1 })]);
}

function eventIds(path: string): string[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ChainRecord)
    .flatMap((record) => (record.kind === 'event' ? [record.event.id] : []));
}

// Events still queued (and, with a worker thread, still in flight) when the process ends are written by
// the exit paths: nothing is lost without close().
describe.each(['inline', 'thread'] as const)('jsonlSink exit paths (%s)', (mode) => {
  const expected = [...(mode === 'thread' ? ['exit--1'] : []), ...Array.from({ length: COUNT }, (_, i) => `exit-${i}`)];

  it('a process that ends without close() still writes every event (beforeExit)', () => {
    const path = join(dir, 'parapet.jsonl');
    const result = run(path, 'exit', mode);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(eventIds(path)).toEqual(expected);
    expectUnclosedButWhole(path, expected.length);
  }, 60_000);

  it('SIGTERM with flushOnSignals writes every event before the process dies of the signal', () => {
    const path = join(dir, 'parapet.jsonl');
    const result = run(path, 'sigterm', mode);
    expect(result.signal).toBe('SIGTERM');
    expect(eventIds(path)).toEqual(expected);
    expectUnclosedButWhole(path, expected.length);
  }, 60_000);
});

function rowIds(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const records = db.prepare("SELECT record FROM audit_records WHERE kind = 'event' ORDER BY id").pluck().all();
    return (records as string[]).map((text) => (JSON.parse(text) as { event: { id: string } }).event.id);
  } finally {
    db.close();
  }
}

describe.each(['inline', 'thread'] as const)('sqliteSink exit paths (%s)', (mode) => {
  const expected = [...(mode === 'thread' ? ['exit--1'] : []), ...Array.from({ length: COUNT }, (_, i) => `exit-${i}`)];

  it('a process that ends without close() still writes every event (beforeExit)', () => {
    const path = join(dir, 'audit.db');
    const result = run(path, 'exit', mode, 'sqlite');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(rowIds(path)).toEqual(expected);
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: expected.length, closed: false });
  }, 60_000);

  it('SIGTERM with flushOnSignals writes every event before the process dies of the signal', () => {
    const path = join(dir, 'audit.db');
    const result = run(path, 'sigterm', mode, 'sqlite');
    expect(result.signal).toBe('SIGTERM');
    expect(rowIds(path)).toEqual(expected);
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: expected.length });
  }, 60_000);
});
