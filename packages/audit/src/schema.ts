import { ACTIONS, AUDIT_SCHEMA_VERSION, type AuditEvent, SEVERITIES, STAGES } from '@parapet/core';
import { z } from 'zod';

/**
 * The audit event as a zod schema, version 1 (`schemaVersion`): what every sink stores and every reader
 * (`parapet audit`, your own tools) can validate. Trace and span ids link a turn's input check, model call,
 * output check and tool calls; content is a SHA-256 hash and a length, with redacted text only when the
 * application opted in. A reader that meets a newer `schemaVersion` should refuse or upgrade, not guess.
 */
const action = z.enum(ACTIONS as unknown as [string, ...string[]]);
const span = z.object({ start: z.number().int().min(0), end: z.number().int().min(0) }).strict();

export const auditFindingSchema = z
  .object({
    detector: z.string().min(1),
    category: z.string().min(1),
    score: z.number().min(0).max(1),
    severity: z.enum(SEVERITIES as unknown as [string, ...string[]]),
    action,
    span: span.optional(),
  })
  .strict();

export const auditEventSchema = z
  .object({
    schemaVersion: z.literal(AUDIT_SCHEMA_VERSION),
    id: z.string().min(1),
    type: z.string().min(1),
    time: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 time'),
    traceId: z.string().min(1),
    spanId: z.string().min(1),
    parentSpanId: z.string().min(1).optional(),
    guard: z.string(),
    stage: z.enum(STAGES as unknown as [string, ...string[]]).optional(),
    action: action.optional(),
    decided: action.optional(),
    shadow: z.boolean().optional(),
    session: z.string().optional(),
    user: z.string().optional(),
    tenant: z.string().optional(),
    tool: z.string().optional(),
    findings: z.array(auditFindingSchema),
    errors: z.array(
      z
        .object({
          detector: z.string(),
          kind: z.enum(['error', 'timeout']),
          message: z.string(),
          outcome: z.enum(['block', 'allow']),
        })
        .passthrough(),
    ),
    latencyUs: z.number().min(0).optional(),
    timings: z.record(z.string(), z.number()).optional(),
    content: z
      .object({
        sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256'),
        length: z.number().int().min(0),
        redacted: z.string().optional(),
      })
      .strict()
      .optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Validates a stored event; `undefined` with the issues when it is not a version-1 audit event. */
export function parseAuditEvent(
  value: unknown,
): { event: AuditEvent; issues?: undefined } | { event?: undefined; issues: string[] } {
  const result = auditEventSchema.safeParse(value);
  if (result.success) return { event: result.data as unknown as AuditEvent };
  return { issues: result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`) };
}
