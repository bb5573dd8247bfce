import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createGuard } from '@parapet/core';
import { piiDetector, secretsDetector } from '@parapet/pii';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { fanout } from './fanout.js';
import { jsonlSink } from './jsonl-sink.js';
import { loggerSink } from './logger-sink.js';
import { otelSink } from './otel-sink.js';
import { sqliteSink } from './sqlite-sink.js';

/**
 * Planted personal data and credentials, in inputs, outputs and tool arguments, must never reach any
 * sink's bytes unredacted: the JSONL file, the SQLite database file (and its WAL), the log lines, the
 * OpenTelemetry spans. Events carry content hashes, not content.
 */
const PLANTED = {
  email: 'jane.planted@example.org',
  card: '4539 1488 0343 6467',
  cardDigits: '4539148803436467',
  key: 'sk_live_51HqLyjWDarjtT1zdp7dcXYZabcdEFGH12345678',
  github: 'ghp_Xk9q2Lm4Np7Rs1Tv3Wx5Yz8Ab0Cd2Ef4Gh6Ij',
};

const dir = mkdtempSync(join(tmpdir(), 'parapet-audit-canary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('no planted value reaches any sink', () => {
  it('JSONL, SQLite, pino and OpenTelemetry hold none of the planted values', async () => {
    const logLines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const audit = fanout(
      jsonlSink({ path: join(dir, 'trail.jsonl') }),
      sqliteSink({ path: join(dir, 'audit.db') }),
      loggerSink(pino({}, stream)),
      otelSink({ tracer: provider.getTracer('canary') }),
    );
    const guard = createGuard({
      input: [piiDetector(), secretsDetector()],
      output: [piiDetector(), secretsDetector()],
      toolInput: [secretsDetector(), piiDetector()],
      audit,
    });
    const text = `Mail ${PLANTED.email}, card ${PLANTED.card}, key ${PLANTED.key}, token ${PLANTED.github}.`;
    await guard.checkInput(text, { session: 'sess-1' });
    await guard.check('output', `Sure: ${text}`);
    await guard.check(
      'tool_input',
      JSON.stringify({ to: PLANTED.email, card: PLANTED.cardDigits, auth: PLANTED.key }),
      {
        tool: 'send_email',
      },
    );
    await guard.run([{ role: 'user', content: text }], async () => `Echo ${text}`);
    await guard.close();

    const bytes: string[] = [];
    for (const file of readdirSync(dir)) bytes.push(readFileSync(join(dir, file)).toString('latin1'));
    bytes.push(logLines.join(''));
    bytes.push(JSON.stringify(exporter.getFinishedSpans().map((span) => ({ a: span.attributes, e: span.events }))));
    const everything = bytes.join('\n');
    expect(everything.length).toBeGreaterThan(1000); // the sinks did write
    expect(exporter.getFinishedSpans().length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(PLANTED)) {
      expect(everything.includes(value), `${name} leaked into a sink`).toBe(false);
    }
  });
});
