import type { Stage, Verdict } from './types.js';

export type ParapetErrorCode =
  | 'CONFIG_INVALID'
  | 'ARGUMENT_INVALID'
  | 'GUARD_BLOCKED'
  | 'GUARD_CLOSED'
  | 'DETECTOR_FAILED'
  | 'DETECTOR_TIMEOUT'
  | 'TOOL_DENIED'
  | 'STORE_UNAVAILABLE'
  | 'SINK_FAILED'
  | 'CHECK_ABORTED';

const MARKER = Symbol.for('parapet.error');

/**
 * Base class of every error Parapet throws. `code` is a stable literal to branch on;
 * `isInstance` works across duplicated package copies, where `instanceof` does not.
 */
export class ParapetError extends Error {
  readonly code: ParapetErrorCode;
  readonly [MARKER] = true;

  constructor(options: { code: ParapetErrorCode; message: string; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.name = 'ParapetError';
  }

  static isInstance(error: unknown): error is ParapetError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `policy.detectors.pii.failMode`. */
  readonly path: string;
  readonly message: string;
}

/** The configuration (policy, options of a factory) is invalid. The message names each bad field and what is allowed. */
export class ConfigError extends ParapetError {
  readonly issues: readonly ConfigIssue[];
  constructor(options: { message: string; issues?: readonly ConfigIssue[]; cause?: unknown }) {
    super({ code: 'CONFIG_INVALID', message: options.message, cause: options.cause });
    this.name = 'ConfigError';
    this.issues = options.issues ?? [];
  }
}

/** A public function was called with an argument of the wrong shape. */
export class ArgumentError extends ParapetError {
  readonly issues: readonly ConfigIssue[];
  constructor(options: { message: string; issues?: readonly ConfigIssue[]; cause?: unknown }) {
    super({ code: 'ARGUMENT_INVALID', message: options.message, cause: options.cause });
    this.name = 'ArgumentError';
    this.issues = options.issues ?? [];
  }
}

/**
 * The policy decided to block. Carries the verdict (findings, scores, trace id) so the caller can
 * inspect why; the message names the stage and the detectors, never the offending text.
 */
export class GuardBlockedError extends ParapetError {
  readonly verdict: Verdict;
  readonly stage: Stage;
  constructor(options: { verdict: Verdict; guardName?: string; cause?: unknown }) {
    const detectors = [...new Set(options.verdict.findings.map((finding) => finding.detector))];
    const name = options.guardName ?? 'parapet';
    super({
      code: 'GUARD_BLOCKED',
      message:
        `Guard "${name}" blocked the ${stageLabel(options.verdict.stage)} (trace ${options.verdict.traceId}; ` +
        `detectors: ${detectors.length > 0 ? detectors.join(', ') : 'none'}). ` +
        'Inspect error.verdict.findings, or configure a fallback (onBlock: { mode: "fallback" }) to answer instead of throwing.',
      cause: options.cause,
    });
    this.name = 'GuardBlockedError';
    this.verdict = options.verdict;
    this.stage = options.verdict.stage;
  }
}

/** The guard was used after `close()`. */
export class GuardClosedError extends ParapetError {
  constructor(options: { guardName?: string } = {}) {
    super({
      code: 'GUARD_CLOSED',
      message: `Guard "${options.guardName ?? 'parapet'}" is closed. Create a new guard with createGuard() to keep checking.`,
    });
    this.name = 'GuardClosedError';
  }
}

/** A detector threw or timed out. Recorded in `verdict.errors`; thrown only by detector helpers used directly. */
export class DetectorError extends ParapetError {
  readonly detector: string;
  constructor(options: { detector: string; kind: 'error' | 'timeout'; message: string; cause?: unknown }) {
    super({
      code: options.kind === 'timeout' ? 'DETECTOR_TIMEOUT' : 'DETECTOR_FAILED',
      message: options.message,
      cause: options.cause,
    });
    this.name = 'DetectorError';
    this.detector = options.detector;
  }
}

/** A tool call was denied by a tool policy. */
export class ToolDeniedError extends ParapetError {
  readonly tool: string;
  /** A stable reason code such as `rate-limited`, `revoked`, `tainted` (see `@parapet/agent`). */
  readonly reason: string;
  /** The full decision that denied the call, when a tool policy made it. */
  readonly decision?: unknown;
  constructor(options: { tool: string; reason: string; message: string; decision?: unknown; cause?: unknown }) {
    super({ code: 'TOOL_DENIED', message: options.message, cause: options.cause });
    this.name = 'ToolDeniedError';
    this.tool = options.tool;
    this.reason = options.reason;
    if (options.decision !== undefined) this.decision = options.decision;
  }
}

/** A store (memory, Redis, …) could not serve a request. */
export class StoreError extends ParapetError {
  constructor(options: { message: string; cause?: unknown }) {
    super({ code: 'STORE_UNAVAILABLE', message: options.message, cause: options.cause });
    this.name = 'StoreError';
  }
}

/** Turns anything thrown into a ParapetError without copying user content into the message. */
export function toParapetError(error: unknown): ParapetError {
  if (ParapetError.isInstance(error)) return error;
  return new ParapetError({ code: 'DETECTOR_FAILED', message: describeError(error), cause: error });
}

/** `ClassName: message`, cut to a bounded length, for logs and verdict errors. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const text = `${error.name}: ${error.message}`;
    return text.length > 300 ? `${text.slice(0, 297)}...` : text;
  }
  return `non-Error value thrown (${typeof error})`;
}

export function stageLabel(stage: Stage): string {
  switch (stage) {
    case 'input':
      return 'input';
    case 'output':
      return 'output';
    case 'tool_input':
      return 'tool input';
    case 'tool_output':
      return 'tool output';
  }
}
