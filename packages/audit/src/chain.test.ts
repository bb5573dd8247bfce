import { createHmac } from 'node:crypto';
import { ArgumentError, type AuditEvent } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { Chain, GENESIS, hashRecord, verifyChain } from './chain.js';
import { BatchQueue } from './queue.js';

function event(index: number): AuditEvent {
  return {
    schemaVersion: 1,
    id: `e${index}`,
    type: index % 3 === 0 ? 'input-blocked' : 'input-allowed',
    time: new Date(Date.UTC(2026, 10, 27, 0, 0, index)).toISOString(),
    traceId: `t${index}`,
    spanId: `s${index}`,
    guard: 'test',
    action: index % 3 === 0 ? 'block' : 'allow',
    findings: [],
    errors: [],
  };
}

function chainOf(count: number, key?: string) {
  const chain = new Chain({ key, checkpointEvery: 10 });
  const records = [];
  for (let index = 0; index < count; index++) records.push(...chain.append(event(index)));
  records.push(chain.checkpoint('2026-11-27T00:00:00.000Z'));
  return records;
}

describe('the audit hash chain', () => {
  it('appendLine writes exactly the record append would, and both verify', () => {
    const byObject = new Chain({ checkpointEvery: 0 });
    const byLine = new Chain({ checkpointEvery: 0 });
    for (let index = 0; index < 5; index++) {
      const [record] = byObject.append(event(index));
      expect(byLine.appendLine(event(index))).toBe(`${JSON.stringify(record)}\n`);
    }
    expect(byLine.head).toEqual(byObject.head);
  });

  it('appendJson takes the event as JSON text and rejects anything else with an ArgumentError', () => {
    const byObject = new Chain({ checkpointEvery: 0 });
    const byJson = new Chain({ checkpointEvery: 0 });
    const [record] = byObject.append(event(1));
    expect(byJson.appendJson(JSON.stringify(event(1)))).toBe(`${JSON.stringify(record)}\n`);
    expect(() => byJson.appendJson(event(2) as unknown as string)).toThrow(ArgumentError);
    expect(() => byJson.appendJson('')).toThrow(/JSON text.*empty string/);
    // A rejected call leaves the chain where it was.
    expect(byJson.head).toEqual(byObject.head);
  });

  it("appendJsonInto writes exactly appendJson's line as UTF-8, keyed or not, for any text", () => {
    // Multi-byte text of every width (accents, CJK, Arabic, emoji, an escaped lone surrogate) and a key given
    // as a string and as bytes.
    const odd = ['café', '東京', 'مرحبا', '👩🏽‍💻', JSON.parse('"\\ud800"') as string, 'x'.repeat(5000)];
    for (const key of [undefined, 'k', Buffer.from([0, 255, 7, 128])]) {
      const byString = new Chain({ key, checkpointEvery: 0 });
      const byBytes = new Chain({ key, checkpointEvery: 0 });
      const target = Buffer.alloc(64 * 1024, 0xff);
      let offset = 3;
      const expected: string[] = [];
      for (let index = 0; index < odd.length; index++) {
        const json = JSON.stringify({ ...event(index), guard: odd[index] });
        expected.push(byString.appendJson(json));
        offset = byBytes.appendJsonInto(json, target, offset);
        expect(byBytes.head).toEqual(byString.head);
      }
      expect(target.subarray(3, offset).toString('utf8')).toBe(expected.join(''));
      // Nothing written outside the line (the bytes before the offset are untouched).
      expect([...target.subarray(0, 3)]).toEqual([0xff, 0xff, 0xff]);
      expect(
        verifyChain(
          expected.map((line) => JSON.parse(line)),
          { key },
        ).ok,
      ).toBe(true);
    }
  });

  it('appendJsonInto rejects a short buffer, a bad offset and anything but JSON text, leaving the chain as it was', () => {
    const chain = new Chain({ checkpointEvery: 0 });
    const json = JSON.stringify(event(1));
    const need = Chain.lineBytesBound(json);
    const head = chain.head;
    expect(() => chain.appendJsonInto(json, Buffer.alloc(need - 1), 0)).toThrow(/lineBytesBound.*needed/);
    expect(() => chain.appendJsonInto(json, Buffer.alloc(need + 10), 11)).toThrow(ArgumentError);
    expect(() => chain.appendJsonInto(json, Buffer.alloc(need), -1)).toThrow(ArgumentError);
    expect(() => chain.appendJsonInto(json, Buffer.alloc(need), 0.5)).toThrow(ArgumentError);
    expect(() => chain.appendJsonInto(json, new Uint8Array(need) as Buffer, 0)).toThrow(ArgumentError);
    expect(() => chain.appendJsonInto('', Buffer.alloc(need), 0)).toThrow(/JSON text.*empty string/);
    expect(() => Chain.lineBytesBound(42 as unknown as string)).toThrow(ArgumentError);
    expect(chain.head).toEqual(head);
    // The bound is enough for the widest text: three bytes for each UTF-16 unit.
    const wide = JSON.stringify({ ...event(2), guard: '東'.repeat(100) });
    const end = chain.appendJsonInto(wide, Buffer.alloc(Chain.lineBytesBound(wide)), 0);
    expect(end).toBeLessThanOrEqual(Chain.lineBytesBound(wide));
  });

  it('a checkpoint with extra fields hashes them after time and verifies', () => {
    const chain = new Chain({ checkpointEvery: 0 });
    const first = chain.appendLine(event(1));
    const marker = chain.checkpoint('2026-01-01T00:00:00.000Z', { retention: { firstSeq: 1, deleted: 0 } });
    expect(Object.keys(marker)).toEqual(['v', 'kind', 'seq', 'prev', 'events', 'time', 'retention', 'hash']);
    expect(chain.head).toMatchObject({ seq: 2, hash: marker.hash, events: 1 });
    expect(verifyChain([JSON.parse(first), marker]).ok).toBe(true);
    expect(verifyChain([JSON.parse(first), { ...marker, retention: { firstSeq: 2, deleted: 0 } }]).ok).toBe(false);
  });

  it('links records from the genesis hash, with periodic checkpoints', () => {
    const records = chainOf(25);
    expect(records[0]!.prev).toBe(GENESIS);
    for (let index = 1; index < records.length; index++) expect(records[index]!.prev).toBe(records[index - 1]!.hash);
    expect(records.filter((record) => record.kind === 'checkpoint')).toHaveLength(3);
    expect(verifyChain(records)).toMatchObject({ ok: true, events: 25, problems: [] });
  });

  it('HMAC: a chain made with one key does not verify with another or none', () => {
    const records = chainOf(5, 'secret-1');
    expect(verifyChain(records, { key: 'secret-1' }).ok).toBe(true);
    expect(verifyChain(records, { key: 'secret-2' }).problems[0]?.kind).toBe('modified');
    expect(verifyChain(records).ok).toBe(false);
    const unkeyed = chainOf(1)[0]!;
    expect(hashRecord({ ...unkeyed, hash: undefined } as never)).not.toBe(hashRecord({ ...unkeyed } as never, 'k'));
  });

  it('HMAC is HMAC-SHA256(key, prev + "\\n" + record JSON), the same for a string key and its UTF-8 bytes', () => {
    // Files written by earlier versions must keep verifying: pin the construction, not just self-consistency.
    const key = 'clé-secrète';
    const byString = new Chain({ key, checkpointEvery: 0 });
    const byBuffer = new Chain({ key: Buffer.from(key, 'utf8'), checkpointEvery: 0 });
    const [record] = byString.append(event(1));
    const { hash, ...rest } = record!;
    const expected = createHmac('sha256', Buffer.from(key, 'utf8'))
      .update(GENESIS)
      .update('\n')
      .update(JSON.stringify(rest))
      .digest('hex');
    expect(hash).toBe(expected);
    expect(byBuffer.appendLine(event(1))).toBe(`${JSON.stringify(record)}\n`);
    expect(verifyChain([record], { key: Buffer.from(key, 'utf8') }).problems).toEqual([]);
  });

  it('HMAC matches createHmac for long, multi-byte and changed keys and for records of any size', () => {
    const reference = (key: string | Buffer, prev: string, json: string) =>
      createHmac('sha256', key).update(prev).update('\n').update(json).digest('hex');
    const long = 'k'.repeat(200); // longer than the 64-byte block: hashed first
    const emoji = 'ключ-🔑-鍵';
    const big = JSON.stringify({ text: 'ä€😀'.repeat(3000) }); // grows the reused buffer (> 4 KB)
    const mutable = Buffer.from('first key');
    for (const key of [long, emoji, 'x', Buffer.from([0, 255, 128, 7]), mutable]) {
      for (const json of ['{}', big, '{"a":"\\n"}']) {
        const record = { v: 1, kind: 'event', seq: 1, prev: GENESIS, event: JSON.parse(json) };
        expect(hashRecord(record as never, key)).toBe(reference(key, GENESIS, JSON.stringify(record)));
      }
    }
    // The same Buffer changed in place must not reuse the pads of its old content.
    mutable.write('other key');
    const record = { v: 1, kind: 'event', seq: 2, prev: GENESIS, event: { id: 'e' } };
    expect(hashRecord(record as never, mutable)).toBe(reference(mutable, GENESIS, JSON.stringify(record)));
  });

  it('detects every single-record edit, deletion, insertion and swap', () => {
    const records = chainOf(30);
    for (let at = 0; at < records.length; at++) {
      const edited = records.map((record, index) =>
        index === at ? JSON.parse(JSON.stringify(record).replace(/"seq":\d+/, (m) => m)) : record,
      );
      const target = edited[at] as { event?: { guard: string }; events?: number };
      if (target.event !== undefined) target.event.guard = 'tampered';
      else target.events = (target.events ?? 0) + 1;
      expect(verifyChain(edited).problems.map((problem) => problem.kind)).toContain('modified');

      const deleted = records.filter((_, index) => index !== at);
      const deletedReport = verifyChain(deleted);
      if (at < records.length - 1) expect(deletedReport.problems.map((problem) => problem.kind)).toContain('deleted');
      else {
        // The very last record: only the head the writer keeps outside the chain can tell it is gone.
        const last = records.at(-1)!;
        expect(verifyChain(deleted, { head: { seq: last.seq, hash: last.hash } }).problems[0]?.kind).toBe('deleted');
      }

      const inserted = [...records.slice(0, at + 1), records[(at + 7) % records.length]!, ...records.slice(at + 1)];
      expect(verifyChain(inserted).ok).toBe(false);

      if (at + 1 < records.length) {
        const swapped = [...records];
        [swapped[at], swapped[at + 1]] = [swapped[at + 1]!, swapped[at]!];
        expect(verifyChain(swapped).problems.map((problem) => problem.kind)).toContain('reordered');
      }
    }
  });

  it('a cut tail shows as a missing closing checkpoint: the event count of the last checkpoint is the anchor', () => {
    const records = chainOf(12);
    expect(verifyChain(records).closed).toBe(true);
    const cut = records.slice(0, -2);
    const report = verifyChain(cut);
    expect(report.ok).toBe(true);
    expect(report.closed).toBe(false);
    expect(report.events).toBe(11);
    expect(report.lastGoodSeq).toBe(cut.at(-1)!.seq);
  });

  it('reports unparseable entries as malformed and keeps checking', () => {
    const records: unknown[] = chainOf(3);
    records.splice(1, 0, '{not json');
    const report = verifyChain(records);
    expect(report.problems[0]).toMatchObject({ kind: 'malformed', position: 2 });
  });
});

describe('BatchQueue', () => {
  it('writes in batches, and flush writes everything queued', () => {
    const batches: number[] = [];
    const queue = new BatchQueue((events) => batches.push(events.length), { batchSize: 4, flushOnExit: false });
    for (let index = 0; index < 10; index++) queue.push(event(index));
    expect(batches).toEqual([4, 4]);
    queue.flush();
    expect(batches).toEqual([4, 4, 2]);
    expect(queue.stats).toMatchObject({ written: 10, dropped: 0, queued: 0 });
    queue.close();
  });

  it('drop policy: counts what it drops and writes an events-dropped event (never silent)', () => {
    const written: string[] = [];
    const queue = new BatchQueue((events) => written.push(...events.map((item) => item.type)), {
      maxQueue: 3,
      batchSize: 100,
      backpressure: 'drop',
      flushOnExit: false,
    });
    for (let index = 0; index < 8; index++) queue.push(event(index));
    expect(queue.stats.dropped).toBe(5);
    queue.flush();
    expect(written[0]).toBe('events-dropped');
    expect(written.filter((type) => type !== 'events-dropped')).toHaveLength(3);
    queue.close();
  });

  it('block policy: the caller writes the batch itself and nothing is lost', () => {
    let count = 0;
    const queue = new BatchQueue((events) => (count += events.length), {
      maxQueue: 3,
      batchSize: 100,
      backpressure: 'block',
      flushOnExit: false,
    });
    for (let index = 0; index < 8; index++) queue.push(event(index));
    queue.close();
    expect(count).toBe(8);
    expect(queue.stats.dropped).toBe(0);
  });

  it('a writer that throws loses nothing and never throws into push()', () => {
    let fail = true;
    const written: string[] = [];
    const queue = new BatchQueue(
      (events) => {
        if (fail) throw new Error('disk full');
        written.push(...events.map((item) => item.id));
      },
      { batchSize: 2, flushOnExit: false },
    );
    for (let index = 0; index < 5; index++) expect(() => queue.push(event(index))).not.toThrow();
    expect(queue.stats.errors).toBeGreaterThan(0);
    fail = false;
    queue.flush();
    expect(written).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    queue.close();
  });

  it('rejects bad options with a ConfigError naming the field', async () => {
    const { ConfigError } = await import('@parapet/core');
    expect(() => new BatchQueue(() => {}, { backpressure: 'wait' as never })).toThrow(ConfigError);
    expect(() => new BatchQueue(() => {}, { maxQueue: 0 })).toThrow(/maxQueue/);
    expect(() => new Chain({ checkpointEvery: -1 })).toThrow(/checkpointEvery/);
    expect(() => new Chain({ key: '' })).toThrow(/key/);
  });

  it('refuses events after close', () => {
    const queue = new BatchQueue(() => {}, { flushOnExit: false });
    queue.close();
    expect(() => queue.push(event(1))).toThrow(/closed/);
  });
});

describe('the audit event schema', () => {
  it('every event a real guard emits validates against auditEventSchema', async () => {
    const { createGuard, defineDetector } = await import('@parapet/core');
    const { recordingSink } = await import('@parapet/core/test');
    const { parseAuditEvent } = await import('./schema.js');
    const sink = recordingSink();
    const detector = defineDetector({
      id: 'codename',
      stages: ['input', 'output', 'tool_input'],
      detect: (text) =>
        text.includes('falcon')
          ? [{ category: 'confidential', score: 0.9, message: 'codename', span: { start: 0, end: 6 } }]
          : [],
    });
    const guard = createGuard({
      input: [detector],
      output: [detector],
      toolInput: [detector],
      audit: sink,
      policy: { onBlock: { mode: 'fallback', fallback: 'no' } },
    });
    await guard.checkInput('falcon is coming', { session: 's', user: 'u', tenant: 't' });
    await guard.check('tool_input', 'plain', { tool: 'send_email' });
    await guard.run([{ role: 'user', content: 'hello' }], async () => 'falcon reply');
    await guard.close();
    expect(sink.events.length).toBeGreaterThan(3);
    for (const stored of sink.events) {
      const parsed = parseAuditEvent(JSON.parse(JSON.stringify(stored)));
      expect(parsed.issues).toBeUndefined();
    }
    expect(parseAuditEvent({ ...sink.events[0], schemaVersion: 2 }).issues?.[0]).toContain('schemaVersion');
    expect(parseAuditEvent({ ...sink.events[0], content: { sha256: 'raw text', length: 3 } }).issues?.[0]).toContain(
      'content.sha256',
    );
  });
});
