import { existsSync, readFileSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { parseArgs } from 'node:util';
import { auditStats, parseSince, queryAudit, reindexSqlite, verifyJsonl, verifySqlite } from '@parapet/audit';
import type { AuditEvent } from '@parapet/core';
import { type CliIo, EXIT, UsageError } from '../io.js';

export const AUDIT_HELP = `Usage: parapet audit <query|tail|verify|stats|reindex> [options]

  parapet audit query  (--db F | --jsonl F) [--action A] [--type T] [--detector D] [--category C]
                       [--session S] [--trace T] [--since 24h] [--until T] [--limit N] [--format table|json|csv]
  parapet audit tail   (--db F | --jsonl F) [-n N] [--follow] [--format table|json]
  parapet audit verify FILE [--key-env NAME] [--format text|json]
  parapet audit stats  --db F [--since 7d] [--until T] [--format table|json]
  parapet audit reindex --db F [--format text|json]

FILE is a SQLite database (.db, .sqlite, .sqlite3) or a JSONL trail (its rotated siblings are read too).
--key-env NAME reads the chain's HMAC key from the environment variable NAME (never from the command line).
Times: a duration back from now (30m, 24h, 7d, 2w) or an ISO date.
reindex gives a database made before session 10 the trace and session indexes new files get (inserts with
random ids then stop slowing down as it grows); rows and chain are untouched. Run it while no sink writes.

Exit codes: 0 ok, 2 verify found problems, 3 usage error.
`;

const isSqlite = (file: string) => /\.(?:db|sqlite3?)$/i.test(file);

interface Row {
  readonly time: string;
  readonly type: string;
  readonly action: string;
  readonly trace: string;
  readonly session: string;
  readonly findings: string;
}

function rowOf(event: AuditEvent): Row {
  return {
    time: event.time,
    type: event.type,
    action: event.action ?? '',
    trace: event.traceId,
    session: event.session ?? '',
    findings: event.findings.map((finding) => `${finding.detector}/${finding.category}`).join(' '),
  };
}

function printEvents(events: readonly AuditEvent[], format: string, io: CliIo): void {
  if (format === 'json') {
    for (const event of events) io.stdout.write(`${JSON.stringify(event)}\n`);
    return;
  }
  const rows = events.map(rowOf);
  if (format === 'csv') {
    const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
    io.stdout.write('time,type,action,trace,session,findings\n');
    for (const row of rows) io.stdout.write(`${Object.values(row).map(quote).join(',')}\n`);
    return;
  }
  for (const row of rows) {
    io.stdout.write(
      `${row.time}  ${row.type.padEnd(18)} ${row.action.padEnd(6)} ${row.trace.slice(0, 16)}  ${row.session.padEnd(12)} ${row.findings}\n`,
    );
  }
}

/** Events of a JSONL trail (chained records or bare events), oldest first; unparseable lines skipped. */
function jsonlEvents(file: string): AuditEvent[] {
  if (!existsSync(file)) throw new UsageError(`No such audit file: ${file}.`);
  const events: AuditEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim().length === 0) continue;
    try {
      const parsed = JSON.parse(line) as { kind?: string; event?: AuditEvent } & Partial<AuditEvent>;
      if (parsed.kind === 'event' && parsed.event !== undefined) events.push(parsed.event);
      else if (parsed.kind === undefined && typeof parsed.type === 'string') events.push(parsed as AuditEvent);
    } catch {
      // a torn last line after a crash: `audit verify` reports it
    }
  }
  return events;
}

function matches(
  event: AuditEvent,
  values: Readonly<Record<string, string | boolean | undefined>>,
  since?: Date,
  until?: Date,
): boolean {
  if (values.action !== undefined && event.action !== values.action) return false;
  if (values.type !== undefined && event.type !== values.type) return false;
  if (values.session !== undefined && event.session !== values.session) return false;
  if (values.trace !== undefined && event.traceId !== values.trace) return false;
  if (values.detector !== undefined && !event.findings.some((finding) => finding.detector === values.detector))
    return false;
  if (values.category !== undefined && !event.findings.some((finding) => finding.category === values.category))
    return false;
  const time = Date.parse(event.time);
  if (since !== undefined && time < since.getTime()) return false;
  if (until !== undefined && time >= until.getTime()) return false;
  return true;
}

function keyFrom(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const key = process.env[name];
  if (key === undefined || key.length === 0) {
    throw new UsageError(`--key-env ${name}: the environment variable ${name} is not set.`);
  }
  return key;
}

export async function auditCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      jsonl: { type: 'string' },
      action: { type: 'string' },
      type: { type: 'string' },
      detector: { type: 'string' },
      category: { type: 'string' },
      session: { type: 'string' },
      trace: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string' },
      n: { type: 'string', short: 'n' },
      follow: { type: 'boolean', short: 'f' },
      'key-env': { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (sub === undefined || values.help || sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout.write(AUDIT_HELP);
    return EXIT.allow;
  }
  const format = values.format ?? (sub === 'verify' || sub === 'reindex' ? 'text' : 'table');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new UsageError('--limit must be a positive whole number.');
  const since = values.since === undefined ? undefined : parseSince(values.since);
  const until = values.until === undefined ? undefined : parseSince(values.until);

  switch (sub) {
    case 'query': {
      if (!['table', 'json', 'csv'].includes(format)) throw new UsageError('--format must be table, json or csv.');
      let events: AuditEvent[];
      if (values.db !== undefined) {
        if (values.action !== undefined && !['allow', 'flag', 'redact', 'review', 'block'].includes(values.action))
          throw new UsageError('--action must be one of allow, flag, redact, review, block.');
        events = queryAudit(values.db, {
          ...(values.action !== undefined ? { action: values.action as never } : {}),
          ...(values.type !== undefined ? { type: values.type } : {}),
          ...(values.detector !== undefined ? { detector: values.detector } : {}),
          ...(values.category !== undefined ? { category: values.category } : {}),
          ...(values.session !== undefined ? { session: values.session } : {}),
          ...(values.trace !== undefined ? { trace: values.trace } : {}),
          ...(since !== undefined ? { since } : {}),
          ...(until !== undefined ? { until } : {}),
          ...(limit !== undefined ? { limit } : {}),
        });
      } else if (values.jsonl !== undefined) {
        events = jsonlEvents(values.jsonl)
          .filter((event) => matches(event, values, since, until))
          .reverse()
          .slice(0, limit ?? 100);
      } else throw new UsageError('audit query needs --db F or --jsonl F.');
      printEvents(events, format, io);
      return EXIT.allow;
    }
    case 'tail': {
      const count = values.n === undefined ? 10 : Number(values.n);
      if (!(Number.isInteger(count) && count > 0)) throw new UsageError('-n must be a positive whole number.');
      const latest = (): AuditEvent[] =>
        values.db !== undefined
          ? queryAudit(values.db, { limit: count }).reverse()
          : values.jsonl !== undefined
            ? jsonlEvents(values.jsonl).slice(-count)
            : (() => {
                throw new UsageError('audit tail needs --db F or --jsonl F.');
              })();
      const first = latest();
      printEvents(first, format, io);
      if (!values.follow) return EXIT.allow;
      // Follow: poll the file; print events newer than the last one shown, until interrupted.
      const file = (values.db ?? values.jsonl)!;
      let lastId = first.at(-1)?.id;
      await new Promise<void>((resolve) => {
        const onChange = () => {
          const fresh = latest();
          const at = lastId === undefined ? -1 : fresh.findIndex((event) => event.id === lastId);
          const newer = fresh.slice(at + 1);
          if (newer.length > 0) {
            printEvents(newer, format, io);
            lastId = newer.at(-1)!.id;
          }
        };
        const stop = () => {
          unwatchFile(file, onChange);
          process.off('SIGINT', stop);
          process.stdout.off('close', stop);
          resolve();
        };
        watchFile(file, { interval: 500 }, onChange);
        // Until interrupted, or until the reader of a pipe goes away (`… --follow | head -n 20`).
        process.once('SIGINT', stop);
        process.stdout.once('close', stop);
        // Events appended between the first read and the watch's first look at the file would otherwise
        // wait for the next change (and a follower whose reader has gone would never notice): read once now.
        onChange();
      });
      return EXIT.allow;
    }
    case 'verify': {
      const file = positionals[0] ?? values.db ?? values.jsonl;
      if (file === undefined) throw new UsageError('audit verify needs a FILE (a .db or a .jsonl trail).');
      if (isSqlite(file) && !(existsSync(file) && statSync(file).isFile()))
        throw new UsageError(`No such audit database: ${file}.`);
      const key = keyFrom(values['key-env']);
      const report = isSqlite(file)
        ? verifySqlite(file, key === undefined ? {} : { key })
        : verifyJsonl(file, key === undefined ? {} : { key });
      if (format === 'json') io.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        io.stdout.write(
          `${report.ok ? 'OK' : 'TAMPERED'}  ${report.records} records, ${report.events} events, last good record ${report.lastGoodSeq}${report.closed ? ', closed cleanly' : ', not closed (the writer stopped or the tail is missing)'}\n`,
        );
        for (const problem of report.problems.slice(0, 50)) {
          const where =
            'file' in problem && problem.file !== undefined
              ? `${problem.file}:${(problem as { line?: number }).line ?? '?'}`
              : `position ${problem.position}`;
          io.stdout.write(`  ${problem.kind.padEnd(11)} ${where}  ${problem.message}\n`);
        }
        if (report.problems.length > 50) io.stdout.write(`  … and ${report.problems.length - 50} more\n`);
      }
      return report.ok ? EXIT.allow : EXIT.blocked;
    }
    case 'stats': {
      if (values.db === undefined) throw new UsageError('audit stats needs --db F.');
      const stats = auditStats(values.db, {
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
      });
      if (format === 'json') io.stdout.write(`${JSON.stringify(stats)}\n`);
      else {
        io.stdout.write(`${stats.events} events\n`);
        for (const [title, counts] of [
          ['by action', stats.byAction],
          ['by detector', stats.byDetector],
          ['by category', stats.byCategory],
        ] as const) {
          io.stdout.write(`${title}:\n`);
          for (const [name, count] of Object.entries(counts)) io.stdout.write(`  ${name.padEnd(28)} ${count}\n`);
        }
      }
      return EXIT.allow;
    }
    case 'reindex': {
      if (values.db === undefined) throw new UsageError('audit reindex needs --db F.');
      if (!['text', 'json'].includes(format)) throw new UsageError('--format must be text or json.');
      const report = reindexSqlite(values.db);
      if (format === 'json') io.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        io.stdout.write(
          report.rebuilt
            ? `Rebuilt the trace and session indexes of ${values.db} (${report.rows} rows).\n`
            : `${values.db} already has the block-led trace and session indexes; nothing to do (${report.rows} rows).\n`,
        );
      }
      return EXIT.allow;
    }
    default:
      throw new UsageError(`Unknown audit command "${sub}". Use query, tail, verify, stats or reindex.`);
  }
}
