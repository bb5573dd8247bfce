import type { AuditSink } from './audit.js';
import type { NormalizedText } from './normalize/normalize.js';
import type { Store } from './store.js';

/** Where in a turn a check runs. */
export type Stage = 'input' | 'output' | 'tool_input' | 'tool_output';
export const STAGES: readonly Stage[] = ['input', 'output', 'tool_input', 'tool_output'];

/** What the guard does with a piece of text; ordered from most lenient to strictest. */
export type Action = 'allow' | 'flag' | 'redact' | 'review' | 'block';
export const ACTIONS: readonly Action[] = ['allow', 'flag', 'redact', 'review', 'block'];

const ACTION_RANK: Record<Action, number> = { allow: 0, flag: 1, redact: 2, review: 3, block: 4 };

/** The stricter of two actions. */
export function stricterAction(a: Action, b: Action): Action {
  return ACTION_RANK[a] >= ACTION_RANK[b] ? a : b;
}

/** Rank of an action in the strictness order (allow = 0 … block = 4). */
export function actionRank(action: Action): number {
  return ACTION_RANK[action];
}

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export interface Span {
  /** UTF-16 offset of the first character, in the text the caller passed in. */
  readonly start: number;
  /** UTF-16 offset one past the last character. */
  readonly end: number;
}

/** What a detector returns: one observation about the text. */
export interface Finding {
  readonly detector: string;
  readonly category: string;
  /** Confidence in [0, 1]. */
  readonly score: number;
  readonly severity: Severity;
  /** A human-readable explanation. Never contains the matched sensitive value. */
  readonly message: string;
  /** Location in the original text, when the finding is about a part of it. */
  readonly span?: Span;
  /** Text to put in place of the span when the action is `redact`. */
  readonly replacement?: string;
  /** Detector-specific details (never the raw sensitive value unless the caller opted in). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** What a detector may return: `detector` and `severity` are filled in by the pipeline when omitted. */
export interface FindingInput {
  readonly category: string;
  readonly score: number;
  readonly message: string;
  readonly severity?: Severity;
  readonly span?: Span;
  readonly replacement?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
  readonly name?: string;
}

/** Who and what a check is about. Everything is optional; the trace id is generated when missing. */
export interface GuardContext {
  readonly traceId?: string;
  readonly session?: string;
  readonly user?: string;
  readonly tenant?: string;
  readonly systemPrompt?: string;
  readonly history?: readonly ChatMessage[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Aborts the whole check (and the detectors that honour their signal). */
  readonly signal?: AbortSignal;
  /** Name of the tool, for `tool_input` and `tool_output` checks. */
  readonly tool?: string;
}

/** What a detector receives next to the text. Built once per check and shared by all detectors. */
export interface DetectContext {
  readonly stage: Stage;
  readonly traceId: string;
  readonly session?: string;
  readonly user?: string;
  readonly tenant?: string;
  readonly tool?: string;
  readonly systemPrompt?: string;
  readonly history?: readonly ChatMessage[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The normalized view of the text, computed once per check. */
  readonly normalized: NormalizedText;
  /** Aborted when the check no longer needs this detector's answer (timeout, short-circuit, caller abort). */
  readonly signal: AbortSignal;
  readonly store: Store;
  /**
   * Set when the text is a window of a stream (`guard.scanStream`): where the window starts in the whole
   * output, and whether it is the last one (the stream has ended). Detectors that need the whole output
   * (a JSON schema) wait for `final`; those about the opening of an answer (a refusal) look at `offset`.
   */
  readonly stream?: StreamWindow;
}

/** Where a scanned window sits in a streamed output. */
export interface StreamWindow {
  /** Offset of the window's first character in the whole output (UTF-16 units). */
  readonly offset: number;
  /** True for the last window, scanned once the stream has ended. */
  readonly final: boolean;
  /**
   * Index in the window of its first character that no earlier window contained (0 for the first window).
   * Everything before it was scanned already, so a detector whose matches are at most `n` characters long
   * may start looking at `fresh - n` and still find every match that reaches new text. The stream drops
   * findings it has seen before, so looking earlier only costs time.
   */
  readonly fresh: number;
}

/** A recommended policy rule a detector ships with; the user's policy overrides it. */
export interface DetectorRule {
  readonly category?: string;
  readonly minScore: number;
  readonly action: Action;
}

export interface Detector {
  readonly id: string;
  readonly stages: readonly Stage[];
  /** Rules used when the user's policy says nothing about this detector. */
  readonly rules?: readonly DetectorRule[];
  detect(text: string, context: DetectContext): readonly FindingInput[] | Promise<readonly FindingInput[]>;
}

export interface DetectorFailure {
  readonly detector: string;
  readonly kind: 'error' | 'timeout';
  /** A message safe to log: Parapet's own error messages, or only the class name of a foreign error. */
  readonly message: string;
  /** What the failure turned into under the detector's fail mode. */
  readonly outcome: 'block' | 'allow';
  /** The thrown value, for debugging in-process. Non-enumerable: JSON and audit sinks never see it. */
  readonly cause?: unknown;
}

/** What one stage of a check returns. */
export interface Verdict {
  readonly action: Action;
  /** The text to use from here on: the original, or the redacted text when the action is `redact`. */
  readonly text: string;
  readonly findings: readonly Finding[];
  readonly traceId: string;
  readonly stage: Stage;
  /**
   * Microseconds spent in each detector, by id. Synchronous detectors are timed back to back (one clock read
   * each): a detector's figure also holds the guard's handling of the previous detector's findings.
   */
  readonly timings: Readonly<Record<string, number>>;
  readonly errors: readonly DetectorFailure[];
  /** True when the policy is in shadow mode: the action is what would have happened, and the text passes unchanged. */
  readonly shadow: boolean;
  /** The action the policy decided before shadow mode and review were applied. */
  readonly decided: Action;
  /** The action each finding mapped to, in the order of `findings`. */
  readonly findingActions: readonly Action[];
  /** Total microseconds for the check. */
  readonly latencyUs: number;
}

/** Result of an async human or programmatic review. */
export type ReviewOutcome = 'allow' | 'block' | 'redact' | 'flag';

export type Reviewer = (request: {
  readonly verdict: Verdict;
  readonly stage: Stage;
  readonly context: GuardContext;
  readonly signal: AbortSignal;
}) => Promise<ReviewOutcome> | ReviewOutcome;

export type { AuditSink, Store };
