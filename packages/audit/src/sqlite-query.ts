import { ArgumentError, type AuditEvent, parseConfig } from '@parapet/core';
import { z } from 'zod';
import type { EventRecord } from './chain.js';
import { idBlocksClause, type Layout, layoutOf } from './sqlite-schema.js';
import { openAuditDatabase } from './sqlite-sink.js';

/**
 * Reads an audit database written by `sqliteSink`: filtered events (`parapet audit query`) and counts
 * (`parapet audit stats`). Time, trace, session and action filters use the indexed columns; type, tenant,
 * detector and category are read out of `record` with SQLite's JSON functions (files from earlier versions,
 * which store them as columns, use their columns). The events returned are parsed from `record`, the hashed
 * text, so what a query shows is what `verifySqlite` vouches for.
 */

/** SQL for the fields that are not columns of a new file, per layout. */
interface Fields {
  readonly type: string;
  readonly tenant: string;
  /** A condition: the event has a finding whose `field` is the bound parameter. */
  hasFinding(field: 'detector' | 'category'): string;
}

/** The record as JSON, or `{}` when it is not JSON (an edited row must not make the whole query fail). */
const RECORD = "(CASE WHEN json_valid(audit_records.record) THEN audit_records.record ELSE '{}' END)";

const JSON_FIELDS: Fields = {
  type: `${RECORD} ->> '$.event.type'`,
  tenant: `${RECORD} ->> '$.event.tenant'`,
  hasFinding: (field) =>
    `EXISTS (SELECT 1 FROM json_each(${RECORD}, '$.event.findings') AS finding WHERE finding.value ->> '${field}' = ?)`,
};

const WIDE_FIELDS: Fields = {
  type: 'type',
  tenant: 'tenant',
  // The comma lists hold exact names; wrapping both sides in commas matches whole names only.
  hasFinding: (field) =>
    `instr(',' || ${field === 'detector' ? 'detectors' : 'categories'} || ',', ',' || ? || ',') > 0`,
};

const fieldsOf = (layout: Layout): Fields => (layout.name === 'wide' ? WIDE_FIELDS : JSON_FIELDS);

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;

/**
 * A point in time from a Date, a relative duration back from `now` (`30m`, `24h`, `7d`, `2w`, `15s`) or an
 * ISO-8601 date. Throws an ArgumentError naming the accepted forms.
 */
export function parseSince(value: Date | string, now: number = Date.now()): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ArgumentError({ message: 'parseSince: the Date is invalid.' });
    return value;
  }
  const text = String(value).trim();
  const relative = RELATIVE.exec(text);
  if (relative !== null) return new Date(now - Number(relative[1]) * (UNITS[relative[2] as string] as number));
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ArgumentError({
      message: `parseSince: "${text}" is not a time. Use a duration back from now (30m, 24h, 7d, 2w) or an ISO date (2026-11-27 or 2026-11-27T10:00:00Z).`,
    });
  }
  return new Date(ms);
}

const timeSchema = z.union([z.date(), z.string().min(1)]);

const rangeShape = {
  /** Events at or after this time: a Date, a duration back from now (`24h`, `7d`, `30m`) or an ISO date. */
  since: timeSchema.optional(),
  /** Events before this time (same forms as `since`). */
  until: timeSchema.optional(),
};

const queryOptionsSchema = z
  .object({
    ...rangeShape,
    action: z.enum(['allow', 'flag', 'redact', 'review', 'block']).optional(),
    type: z.string().min(1).optional(),
    detector: z.string().min(1).optional(),
    category: z.string().min(1).optional(),
    session: z.string().min(1).optional(),
    trace: z.string().min(1).optional(),
    tenant: z.string().min(1).optional(),
    /** Most events returned, newest first. Default 100. */
    limit: z.number().int().positive().optional(),
  })
  .strict();

const statsOptionsSchema = z.object(rangeShape).strict();

export type AuditQueryOptions = z.input<typeof queryOptionsSchema>;
export type AuditStatsOptions = z.input<typeof statsOptionsSchema>;

function toMs(value: Date | string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseSince(value).getTime();
  } catch (error) {
    throw new ArgumentError({ message: `${field}: ${(error as Error).message}`, cause: error });
  }
}

interface Where {
  sql: string;
  params: unknown[];
}

function timeRange(options: { since?: Date | string; until?: Date | string }, where: string): Where {
  const clauses = ["kind = 'event'"];
  const params: unknown[] = [];
  const since = toMs(options.since, `${where} since`);
  const until = toMs(options.until, `${where} until`);
  if (since !== undefined) {
    clauses.push('time_ms >= ?');
    params.push(since);
  }
  if (until !== undefined) {
    clauses.push('time_ms < ?');
    params.push(until);
  }
  return { sql: clauses.join(' AND '), params };
}

/** Events matching every filter given, newest first (by insertion order). */
export function queryAudit(path: string, options: AuditQueryOptions = {}): AuditEvent[] {
  const config = parseConfig(queryOptionsSchema, options, 'queryAudit() options');
  const where = timeRange(config, 'queryAudit()');
  const db = openAuditDatabase(path, 'queryAudit()');
  try {
    const fields = fieldsOf(layoutOf(db));
    const byId = config.trace !== undefined || config.session !== undefined;
    const equal: [string, string | undefined][] = [
      // With a trace or session to find, that index is the one to use (a handful of rows); the unary `+`
      // keeps SQLite from choosing the action index instead, which holds every blocked event.
      [byId ? '+action' : 'action', config.action],
      [fields.type, config.type],
      ['session', config.session],
      ['trace_id', config.trace],
      [fields.tenant, config.tenant],
    ];
    for (const [column, value] of equal) {
      if (value === undefined) continue;
      where.sql += ` AND ${column} = ?`;
      where.params.push(value);
    }
    for (const [field, value] of [
      ['detector', config.detector],
      ['category', config.category],
    ] as const) {
      if (value === undefined) continue;
      where.sql += ` AND ${fields.hasFinding(field)}`;
      where.params.push(value);
    }
    // New files index trace and session behind the row's block: name the blocks, or the index goes unused.
    const blocks = byId ? idBlocksClause(db) : undefined;
    if (blocks !== undefined) {
      where.sql += ` AND ${blocks.sql}`;
      where.params.push(...blocks.params);
    }
    const rows = db
      .prepare(`SELECT record FROM audit_records WHERE ${where.sql} ORDER BY id DESC LIMIT ?`)
      .pluck()
      .all(...where.params, config.limit ?? 100) as string[];
    const events: AuditEvent[] = [];
    for (const text of rows) {
      try {
        events.push((JSON.parse(text) as EventRecord).event);
      } catch {
        // An unparseable row is a verify problem, not a query result.
      }
    }
    return events;
  } finally {
    db.close();
  }
}

export interface AuditStats {
  readonly events: number;
  readonly byAction: Record<string, number>;
  readonly byType: Record<string, number>;
  /** Events in which the detector had at least one finding (not findings: one event counts once). */
  readonly byDetector: Record<string, number>;
  /** Events with at least one finding of the category. */
  readonly byCategory: Record<string, number>;
}

function sorted(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/** Counts of events in a time range by action, type, detector and category, largest first. */
export function auditStats(path: string, options: AuditStatsOptions = {}): AuditStats {
  const config = parseConfig(statsOptionsSchema, options, 'auditStats() options');
  const where = timeRange(config, 'auditStats()');
  const db = openAuditDatabase(path, 'auditStats()');
  try {
    const layout = layoutOf(db);
    const group = (expression: string): Map<string, number> => {
      const counts = new Map<string, number>();
      const rows = db
        .prepare(`SELECT ${expression} AS name, COUNT(*) AS count FROM audit_records WHERE ${where.sql} GROUP BY name`)
        .all(...where.params) as { name: string | null; count: number }[];
      for (const row of rows) counts.set(row.name ?? 'none', row.count);
      return counts;
    };
    const byAction = group('action');
    const byType = group(fieldsOf(layout).type);
    const byDetector = new Map<string, number>();
    const byCategory = new Map<string, number>();
    if (layout.name === 'wide') {
      // Few distinct comma lists exist in practice: group in SQL, split the lists here.
      const lists = db
        .prepare(
          `SELECT detectors, categories, COUNT(*) AS count FROM audit_records WHERE ${where.sql} AND findings_count > 0 GROUP BY detectors, categories`,
        )
        .all(...where.params) as { detectors: string | null; categories: string | null; count: number }[];
      for (const row of lists) {
        for (const name of new Set(row.detectors?.split(',') ?? []))
          byDetector.set(name, (byDetector.get(name) ?? 0) + row.count);
        for (const name of new Set(row.categories?.split(',') ?? []))
          byCategory.set(name, (byCategory.get(name) ?? 0) + row.count);
      }
    } else {
      // One row per (event, name): an event with two findings from one detector counts once.
      for (const [field, counts] of [
        ['detector', byDetector],
        ['category', byCategory],
      ] as const) {
        const rows = db
          .prepare(
            `SELECT name, COUNT(*) AS count FROM (SELECT DISTINCT audit_records.id, finding.value ->> '${field}' AS name FROM audit_records, json_each(${RECORD}, '$.event.findings') AS finding WHERE ${where.sql}) GROUP BY name`,
          )
          .all(...where.params) as { name: string | null; count: number }[];
        for (const row of rows) counts.set(row.name ?? 'none', row.count);
      }
    }
    let events = 0;
    for (const count of byAction.values()) events += count;
    return {
      events,
      byAction: sorted(byAction),
      byType: sorted(byType),
      byDetector: sorted(byDetector),
      byCategory: sorted(byCategory),
    };
  } finally {
    db.close();
  }
}
