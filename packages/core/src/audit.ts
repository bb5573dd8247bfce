import type { Action, DetectorFailure, Severity, Span, Stage } from './types.js';

/** Bumped when a field changes meaning; sinks and `audit verify` read it. */
export const AUDIT_SCHEMA_VERSION = 1 as const;

export type DecisionOutcome = 'allowed' | 'flagged' | 'redacted' | 'reviewed' | 'blocked';
export type StageSlug = 'input' | 'output' | 'tool-input' | 'tool-output';

/** Event kinds are noun-action: `input-blocked`, `output-redacted`, `tool-call-denied`, … */
export type AuditEventType =
  | `${StageSlug}-${DecisionOutcome}`
  | 'tool-call-allowed'
  | 'tool-call-denied'
  | 'tool-call-approved'
  | 'tool-call-rejected'
  | 'tool-output-quarantined'
  | 'model-call-ended'
  | 'review-decided'
  | 'grant-issued'
  | 'grant-revoked'
  | 'events-dropped'
  | 'store-failed'
  | (string & {});

export interface AuditFinding {
  readonly detector: string;
  readonly category: string;
  readonly score: number;
  readonly severity: Severity;
  readonly action: Action;
  readonly span?: Span;
}

/** One decision, as sinks receive it. Content travels as a hash by default, never raw. */
export interface AuditEvent {
  readonly schemaVersion: typeof AUDIT_SCHEMA_VERSION;
  readonly id: string;
  readonly type: AuditEventType;
  /** ISO-8601 time of the decision. */
  readonly time: string;
  /** Links every event of one turn: input check, model call, output check, tool calls. */
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly guard: string;
  readonly stage?: Stage;
  /** The action taken. */
  readonly action?: Action;
  /** The action the policy decided (differs from `action` in shadow mode and after review). */
  readonly decided?: Action;
  readonly shadow?: boolean;
  readonly session?: string;
  readonly user?: string;
  readonly tenant?: string;
  readonly tool?: string;
  readonly findings: readonly AuditFinding[];
  readonly errors: readonly DetectorFailure[];
  readonly latencyUs?: number;
  /** Microseconds per detector. */
  readonly timings?: Readonly<Record<string, number>>;
  /** The checked text as a SHA-256 hash and a length; `redacted` only when the application opts in. */
  readonly content?: { readonly sha256: string; readonly length: number; readonly redacted?: string };
  readonly data?: Readonly<Record<string, unknown>>;
}

/**
 * Receives one event per decision. `write` must not block or throw (queue and return); `flush` and `close`
 * make sure nothing queued is lost. The guard calls `close()` from `guard.close()`.
 */
export interface AuditSink {
  readonly name?: string;
  write(event: AuditEvent): void;
  flush?(): Promise<void>;
  close?(): Promise<void>;
}

export function stageSlug(stage: Stage): StageSlug {
  switch (stage) {
    case 'input':
      return 'input';
    case 'output':
      return 'output';
    case 'tool_input':
      return 'tool-input';
    case 'tool_output':
      return 'tool-output';
  }
}

export function outcomeOf(action: Action): DecisionOutcome {
  switch (action) {
    case 'allow':
      return 'allowed';
    case 'flag':
      return 'flagged';
    case 'redact':
      return 'redacted';
    case 'review':
      return 'reviewed';
    case 'block':
      return 'blocked';
  }
}

export interface ConsoleSinkOptions {
  /** Anything with `info` and `warn` (console, pino, winston). Defaults to `console`. */
  readonly logger?: { info(message: string): void; warn(message: string): void };
  /** Log only decisions at or above this action. Default `flag`. */
  readonly minAction?: Action;
}

const RANK: Record<Action, number> = { allow: 0, flag: 1, redact: 2, review: 3, block: 4 };

/** Logs one line per decision: event type, trace id, detectors and scores. Never the content. */
export function consoleSink(options: ConsoleSinkOptions = {}): AuditSink {
  const logger = options.logger ?? console;
  const min = RANK[options.minAction ?? 'flag'];
  return {
    name: 'console',
    write(event) {
      if (event.action !== undefined && RANK[event.action] < min) return;
      const findings = event.findings
        .map((finding) => `${finding.detector}/${finding.category}(${finding.score.toFixed(2)})`)
        .join(' ');
      const line = `[parapet] ${event.type} trace=${event.traceId}${event.tenant ? ` tenant=${event.tenant}` : ''}${
        findings ? ` findings=${findings}` : ''
      }${event.errors.length > 0 ? ` errors=${event.errors.map((error) => `${error.detector}:${error.kind}`).join(',')}` : ''}`;
      if (event.action === 'block' || event.errors.length > 0) logger.warn(line);
      else logger.info(line);
    },
  };
}
