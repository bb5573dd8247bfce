import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AUDIT_SCHEMA_VERSION, type AuditEvent, type AuditSink, outcomeOf, stageSlug } from './audit.js';
import { detectorSchema } from './define-detector.js';
import {
  ArgumentError,
  ConfigError,
  describeError,
  GuardBlockedError,
  GuardClosedError,
  ParapetError,
  stageLabel,
} from './errors.js';
import { type NormalizedText, normalizeText } from './normalize/normalize.js';
import { type Policy, type PolicyInput, type PolicyView, parsePolicy, policySchema, viewPolicy } from './policy.js';
import { applyReplacements } from './redact.js';
import { memoryStore, type Store } from './store.js';
import { type ScanStreamOptions, scanStream, type StreamEngine, type StreamSource } from './stream.js';
import {
  type Action,
  type ChatMessage,
  type DetectContext,
  type Detector,
  type DetectorFailure,
  type Finding,
  type FindingInput,
  type GuardContext,
  type Reviewer,
  type ReviewOutcome,
  type Severity,
  type Stage,
  STAGES,
  stricterAction,
  type Verdict,
} from './types.js';
import { parseArgument, parseConfig } from './validate.js';

const sinkSchema = z.custom<AuditSink>(
  (value) => typeof value === 'object' && value !== null && typeof (value as AuditSink).write === 'function',
  'must be an audit sink: an object with a write(event) method',
);
const storeSchema = z.custom<Store>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['get', 'set', 'incr', 'compareAndSet', 'delete'].every((method) => typeof (value as any)[method] === 'function'),
  'must be a Store: an object with get, set, incr, compareAndSet and delete',
);
const detectorList = z.array(detectorSchema, { error: () => 'must be an array of detectors' }).optional();

const guardOptionsSchema = z
  .object({
    name: z.string().min(1).max(100).default('parapet'),
    input: detectorList,
    output: detectorList,
    toolInput: detectorList,
    toolOutput: detectorList,
    policy: z.unknown().optional(),
    store: storeSchema.optional(),
    audit: z.union([sinkSchema, z.array(sinkSchema)]).optional(),
    reviewer: z.custom<Reviewer>((value) => typeof value === 'function', 'must be a function').optional(),
    stream: z
      .object({
        holdBack: z.number().int().min(0).max(1_000_000).optional(),
        lookback: z.number().int().min(0).max(1_000_000).optional(),
      })
      .strict()
      .optional(),
    auditContent: z.enum(['hash', 'none']).default('hash'),
    random: z.custom<() => number>((value) => typeof value === 'function', 'must be a function').optional(),
  })
  .strict();

export type GuardOptions = Omit<z.input<typeof guardOptionsSchema>, 'policy' | 'input' | 'output' | 'toolInput' | 'toolOutput'> & {
  readonly input?: readonly Detector[];
  readonly output?: readonly Detector[];
  readonly toolInput?: readonly Detector[];
  readonly toolOutput?: readonly Detector[];
  /** A policy object (validated here) or the result of `loadPolicy()`. */
  readonly policy?: PolicyInput | Policy;
};

const contextSchema = z
  .object({
    traceId: z.string().min(1).max(200).optional(),
    parentSpanId: z.string().min(1).max(200).optional(),
    session: z.string().max(500).optional(),
    user: z.string().max(500).optional(),
    tenant: z.string().max(500).optional(),
    tool: z.string().max(500).optional(),
    systemPrompt: z.string().optional(),
    history: z.array(z.object({ role: z.string(), content: z.string() }).passthrough()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal, 'must be an AbortSignal').optional(),
  })
  .strict();

const messagesSchema = z
  .array(
    z
      .object({
        role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
        content: z.string({ error: () => 'must be a string (extract text parts before calling run)' }),
        name: z.string().optional(),
      })
      .passthrough(),
  )
  .min(1, 'must contain at least one message');

export interface CheckOptions extends GuardContext {
  readonly parentSpanId?: string;
}

/** What `run()` hands the model call next to the safe messages. */
export interface ModelCallInfo {
  readonly traceId: string;
  readonly inputVerdict: Verdict;
  readonly signal?: AbortSignal;
}

export interface Guard {
  readonly name: string;
  readonly policy: Policy;
  readonly store: Store;
  /** Runs the detectors of `stage` over `text`. Never throws on a block: read `verdict.action`. */
  check(stage: Stage, text: string, context?: CheckOptions): Promise<Verdict>;
  checkInput(text: string, context?: CheckOptions): Promise<Verdict>;
  checkOutput(text: string, context?: CheckOptions): Promise<Verdict>;
  checkToolInput(text: string, context?: CheckOptions): Promise<Verdict>;
  checkToolOutput(text: string, context?: CheckOptions): Promise<Verdict>;
  /**
   * Checks the last user message, calls the model with the (possibly redacted) messages, checks the answer.
   * Returns the answer, the redacted answer, or the fallback; throws `GuardBlockedError` when blocking in
   * `throw` mode.
   */
  run(
    messages: readonly ChatMessage[],
    modelCall: (messages: ChatMessage[], info: ModelCallInfo) => Promise<string> | string,
    context?: CheckOptions,
  ): Promise<string>;
  /** Scans a model's streamed output; see `ScanStreamOptions`. */
  scanStream(source: ReadableStream<string | Uint8Array>, options?: ScanStreamOptions): ReadableStream<string>;
  scanStream(source: AsyncIterable<string | Uint8Array> | Iterable<string>, options?: ScanStreamOptions): AsyncIterable<string>;
  /** Applies the block policy to a verdict: returns the fallback text, or throws `GuardBlockedError`. */
  enforceBlock(verdict: Verdict): string;
  /** Sends an event to the guard's audit sinks (for adapters and tool policies sharing the trail). */
  emit(event: Omit<AuditEvent, 'schemaVersion' | 'id' | 'time' | 'guard' | 'spanId' | 'findings' | 'errors'> &
    Partial<Pick<AuditEvent, 'spanId' | 'findings' | 'errors'>>): void;
  /** Flushes and closes the audit sinks. Later checks throw `GuardClosedError`. */
  close(): Promise<void>;
}

interface CompiledDetector {
  readonly detector: Detector;
  readonly id: string;
  readonly failMode: 'closed' | 'open';
  readonly timeoutMs: number;
  readonly sampleRate: number;
}

function severityFromScore(score: number): Severity {
  if (score >= 0.9) return 'high';
  if (score >= 0.5) return 'medium';
  return 'low';
}

const SEVERITY_SET = new Set(['low', 'medium', 'high', 'critical']);

/** Validates one raw finding; returns the complete finding or a reason it is malformed. */
function completeFinding(detector: string, raw: FindingInput, textLength: number): Finding | string {
  if (raw === null || typeof raw !== 'object') return 'returned a finding that is not an object';
  const { category, score, message, span, replacement, severity } = raw;
  if (typeof category !== 'string' || category.length === 0) return 'returned a finding without a category';
  if (typeof score !== 'number' || !(score >= 0 && score <= 1)) return 'returned a finding whose score is not in [0, 1]';
  if (typeof message !== 'string') return 'returned a finding without a message';
  if (severity !== undefined && !SEVERITY_SET.has(severity)) return 'returned a finding with an unknown severity';
  if (replacement !== undefined && typeof replacement !== 'string') return 'returned a non-string replacement';
  if (span !== undefined) {
    if (
      span === null ||
      typeof span !== 'object' ||
      !Number.isInteger(span.start) ||
      !Number.isInteger(span.end) ||
      span.start < 0 ||
      span.end < span.start ||
      span.end > textLength
    ) {
      return 'returned a span outside the text';
    }
  }
  return {
    detector,
    category,
    score,
    severity: severity ?? severityFromScore(score),
    message,
    ...(span !== undefined ? { span: { start: span.start, end: span.end } } : {}),
    ...(replacement !== undefined ? { replacement } : {}),
    ...(raw.data !== undefined ? { data: raw.data } : {}),
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

const NEVER_ABORTED = new AbortController().signal;

/** The per-check context given to detectors; the abort controller is created only if a detector asks. */
class CheckContext implements DetectContext {
  readonly stage: Stage;
  readonly traceId: string;
  readonly session?: string;
  readonly user?: string;
  readonly tenant?: string;
  readonly tool?: string;
  readonly systemPrompt?: string;
  readonly history?: readonly ChatMessage[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly store: Store;
  readonly callerSignal: AbortSignal | undefined;
  private normalizedCache: NormalizedText | undefined;
  private readonly original: string;
  private controller: AbortController | undefined;
  private ended = false;

  constructor(stage: Stage, traceId: string, text: string, options: CheckOptions | undefined, store: Store) {
    this.stage = stage;
    this.traceId = traceId;
    this.original = text;
    this.store = store;
    this.callerSignal = options?.signal;
    if (options !== undefined) {
      this.session = options.session;
      this.user = options.user;
      this.tenant = options.tenant;
      this.tool = options.tool;
      this.systemPrompt = options.systemPrompt;
      this.history = options.history;
      this.metadata = options.metadata;
    }
  }

  get normalized(): NormalizedText {
    if (this.normalizedCache === undefined) this.normalizedCache = normalizeText(this.original);
    return this.normalizedCache;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      if (this.ended && this.callerSignal === undefined) return NEVER_ABORTED;
      this.controller = new AbortController();
      if (this.ended) this.controller.abort();
      const caller = this.callerSignal;
      if (caller !== undefined) {
        if (caller.aborted) this.controller.abort(caller.reason);
        else caller.addEventListener('abort', () => this.controller?.abort(caller.reason), { once: true });
      }
    }
    return this.controller.signal;
  }

  end(): void {
    this.ended = true;
    this.controller?.abort();
  }
}

interface DetectorOutcome {
  readonly id: string;
  readonly findings: readonly Finding[];
  readonly failure?: { kind: 'error' | 'timeout'; message: string };
  readonly micros: number;
}

/** Everything the pipeline computes before review and shadow mode. */
export interface Evaluation {
  readonly findings: Finding[];
  readonly actions: Action[];
  readonly errors: DetectorFailure[];
  readonly timings: Record<string, number>;
  readonly decided: Action;
}

function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

/** Creates a guard: detectors per stage, a policy, a store, audit sinks. Build it once and reuse it. */
export function createGuard(options: GuardOptions = {}): Guard {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError({ message: 'createGuard(options): options must be an object, e.g. createGuard({ input: [detector] }).' });
  }
  const config = parseConfig(guardOptionsSchema, options, 'createGuard() options');
  const policy: Policy = parsePolicy(config.policy ?? {}, 'policy');
  const name = config.name;
  const store = config.store ?? memoryStore();
  const sinks: AuditSink[] = config.audit === undefined ? [] : Array.isArray(config.audit) ? config.audit : [config.audit];
  const reviewer = config.reviewer;
  const random = config.random ?? Math.random;
  const holdBack = config.stream?.holdBack ?? 64;
  const lookback = config.stream?.lookback ?? 256;
  const hashContent = config.auditContent === 'hash';

  const byStage: Record<Stage, readonly Detector[]> = {
    input: (options.input ?? []) as Detector[],
    output: (options.output ?? []) as Detector[],
    tool_input: (options.toolInput ?? []) as Detector[],
    tool_output: (options.toolOutput ?? []) as Detector[],
  };
  const optionKey: Record<Stage, string> = { input: 'input', output: 'output', tool_input: 'toolInput', tool_output: 'toolOutput' };
  for (const stage of STAGES) {
    const seen = new Set<string>();
    byStage[stage].forEach((detector, index) => {
      if (!detector.stages.includes(stage)) {
        throw new ConfigError({
          message: `createGuard() options.${optionKey[stage]}[${index}]: detector "${detector.id}" does not support the ${stageLabel(stage)} stage (it supports: ${detector.stages.join(', ')}). Move it to the right list.`,
          issues: [{ path: `${optionKey[stage]}[${index}]`, message: 'detector does not support this stage' }],
        });
      }
      if (seen.has(detector.id)) {
        throw new ConfigError({
          message: `createGuard() options.${optionKey[stage]}[${index}]: detector id "${detector.id}" appears twice in the ${stageLabel(stage)} stage. Give each detector a distinct id.`,
          issues: [{ path: `${optionKey[stage]}[${index}].id`, message: 'duplicate detector id' }],
        });
      }
      seen.add(detector.id);
    });
  }

  // Compiled once per tenant: which detectors run, with which timeout and fail mode.
  const views = new Map<string | undefined, { view: PolicyView; stages: Record<Stage, CompiledDetector[]> }>();
  const compile = (tenant: string | undefined) => {
    let compiled = views.get(tenant);
    if (compiled !== undefined) return compiled;
    const view = viewPolicy(policy, tenant !== undefined && tenant in policy.tenants ? tenant : undefined);
    const stages = {} as Record<Stage, CompiledDetector[]>;
    for (const stage of STAGES) {
      stages[stage] = byStage[stage]
        .filter((detector) => view.enabled(detector.id))
        .map((detector) => ({
          detector,
          id: detector.id,
          failMode: view.failModeFor(detector.id),
          timeoutMs: view.timeoutFor(detector.id),
          sampleRate: view.sampleRateFor(detector.id),
        }));
    }
    compiled = { view, stages };
    if (tenant === undefined || tenant in policy.tenants) views.set(tenant, compiled);
    return compiled;
  };
  compile(undefined);
  for (const tenant of Object.keys(policy.tenants)) compile(tenant);
  const baseCompiled = compile(undefined);
  const execution = policy.execution;

  let closed = false;
  let sinkFailures = 0;

  const writeEvent = (event: AuditEvent): void => {
    for (const sink of sinks) {
      try {
        sink.write(event);
      } catch {
        // A sink must not break the caller; the count is visible through the next event's data.
        sinkFailures++;
      }
    }
  };

  const emit: Guard['emit'] = (partial) => {
    if (sinks.length === 0) return;
    writeEvent({
      findings: [],
      errors: [],
      ...partial,
      schemaVersion: AUDIT_SCHEMA_VERSION,
      id: randomUUID(),
      time: new Date().toISOString(),
      guard: name,
      spanId: partial.spanId ?? newSpanId(),
    });
  };

  const checkText = (text: unknown, where: string): void => {
    if (typeof text !== 'string') {
      parseArgument(z.string({ error: () => `must be a string (got ${text === null ? 'null' : typeof text})` }), text, where, 'text');
    }
  };

  const checkContext = (context: unknown, where: string): CheckOptions | undefined => {
    if (context === undefined) return undefined;
    return parseArgument(contextSchema, context, where, 'context') as CheckOptions;
  };

  /** Runs the detectors and maps findings to actions. No review, no shadow, no audit. */
  const evaluate = async (
    stage: Stage,
    text: string,
    context: CheckContext,
    compiled: { view: PolicyView; stages: Record<Stage, CompiledDetector[]> },
  ): Promise<Evaluation> => {
    const detectors = compiled.stages[stage];
    const view = compiled.view;
    const findings: Finding[] = [];
    const actions: Action[] = [];
    const errors: DetectorFailure[] = [];
    const timings: Record<string, number> = {};
    let decided: Action = 'allow';
    let stop = false;

    const absorb = (outcome: DetectorOutcome, detector: CompiledDetector): void => {
      timings[outcome.id] = outcome.micros;
      if (outcome.failure !== undefined) {
        const outcomeAction = detector.failMode === 'closed' ? 'block' : 'allow';
        errors.push({ detector: outcome.id, kind: outcome.failure.kind, message: outcome.failure.message, outcome: outcomeAction });
        if (outcomeAction === 'block') {
          findings.push({
            detector: outcome.id,
            category: 'detector-failed',
            score: 1,
            severity: 'high',
            message: `Detector "${outcome.id}" ${outcome.failure.kind === 'timeout' ? `timed out after ${detector.timeoutMs} ms` : 'failed'}; fail mode is closed, so the text is blocked.`,
          });
          actions.push('block');
          decided = 'block';
          if (view.shortCircuit) stop = true;
        }
        return;
      }
      for (const finding of outcome.findings) {
        const action = view.actionFor(finding, stage, detector.detector.rules);
        findings.push(finding);
        actions.push(action);
        decided = stricterAction(decided, action);
      }
      if (view.shortCircuit && decided === 'block') stop = true;
    };

    const settle = (detector: CompiledDetector, raw: unknown, started: number): DetectorOutcome => {
      const micros = Math.round((performance.now() - started) * 1000);
      if (!Array.isArray(raw)) {
        return { id: detector.id, findings: [], failure: { kind: 'error', message: 'detect() must return an array of findings' }, micros };
      }
      const list: Finding[] = [];
      for (const item of raw) {
        const finding = completeFinding(detector.id, item as FindingInput, text.length);
        if (typeof finding === 'string') return { id: detector.id, findings: [], failure: { kind: 'error', message: finding }, micros };
        list.push(finding);
      }
      return { id: detector.id, findings: list, micros };
    };

    const failed = (detector: CompiledDetector, error: unknown, started: number): DetectorOutcome => ({
      id: detector.id,
      findings: [],
      failure: { kind: 'error', message: describeError(error) },
      micros: Math.round((performance.now() - started) * 1000),
    });

    const pending: Promise<void>[] = [];
    for (const detector of detectors) {
      if (stop) break;
      if (detector.sampleRate < 1 && random() >= detector.sampleRate) continue;
      const started = performance.now();
      let result: unknown;
      try {
        result = detector.detector.detect(text, context);
      } catch (error) {
        absorb(failed(detector, error, started), detector);
        continue;
      }
      if (!isThenable(result)) {
        absorb(settle(detector, result, started), detector);
        continue;
      }
      const settled = new Promise<DetectorOutcome>((resolve) => {
        const timer = setTimeout(
          () =>
            resolve({
              id: detector.id,
              findings: [],
              failure: { kind: 'timeout', message: `timed out after ${detector.timeoutMs} ms` },
              micros: Math.round((performance.now() - started) * 1000),
            }),
          detector.timeoutMs,
        );
        (result as PromiseLike<unknown>).then(
          (value) => {
            clearTimeout(timer);
            resolve(settle(detector, value, started));
          },
          (error: unknown) => {
            clearTimeout(timer);
            resolve(failed(detector, error, started));
          },
        );
      });
      if (execution === 'sequential') {
        absorb(await settled, detector);
      } else {
        pending.push(settled.then((outcome) => absorb(outcome, detector)));
      }
    }
    if (pending.length > 0) {
      if (view.shortCircuit) {
        // Stop waiting as soon as one detector blocks.
        await new Promise<void>((resolve) => {
          let remaining = pending.length;
          for (const item of pending) {
            item.then(() => {
              remaining--;
              if (remaining === 0 || stop) resolve();
            });
          }
        });
      } else {
        await Promise.all(pending);
      }
    }
    if (context.callerSignal?.aborted) {
      throw new ParapetError({
        code: 'CHECK_ABORTED',
        message: 'The check was aborted by the caller (context.signal); no verdict was produced.',
        cause: context.callerSignal.reason,
      });
    }
    return { findings, actions, errors, timings, decided };
  };

  const redactedText = (text: string, evaluation: Evaluation, minimum: Action): string | undefined => {
    const replacements: { span: { start: number; end: number }; replacement: string }[] = [];
    for (let i = 0; i < evaluation.findings.length; i++) {
      const finding = evaluation.findings[i]!;
      const action = evaluation.actions[i]!;
      if (action !== 'redact' && !(minimum === 'flag' && finding.replacement !== undefined)) continue;
      if (finding.span === undefined) return undefined;
      replacements.push({ span: finding.span, replacement: finding.replacement ?? `[REDACTED:${finding.category}]` });
    }
    return applyReplacements(text, replacements);
  };

  const review = async (verdict: Verdict, stage: Stage, context: CheckOptions | undefined): Promise<ReviewOutcome> => {
    const view = compile(context?.tenant).view;
    if (reviewer === undefined) return view.policy.review.onTimeout;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        Promise.resolve(reviewer({ verdict, stage, context: context ?? {}, signal: controller.signal })),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), view.policy.review.timeoutMs);
        }),
      ]);
      if (outcome === 'timeout') {
        controller.abort();
        return view.policy.review.onTimeout;
      }
      if (outcome !== 'allow' && outcome !== 'block' && outcome !== 'redact' && outcome !== 'flag') return view.policy.review.onTimeout;
      return outcome;
    } catch {
      return view.policy.review.onTimeout;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  };

  const hash = (text: string): { sha256: string; length: number } | undefined =>
    hashContent ? { sha256: createHash('sha256').update(text).digest('hex'), length: text.length } : undefined;

  const record = (verdict: Verdict, context: CheckOptions | undefined, extra?: Record<string, unknown>, original?: string): void => {
    if (sinks.length === 0) return;
    const content = original === undefined ? undefined : hash(original);
    writeEvent({
      schemaVersion: AUDIT_SCHEMA_VERSION,
      id: randomUUID(),
      type: `${stageSlug(verdict.stage)}-${outcomeOf(verdict.action)}`,
      time: new Date().toISOString(),
      guard: name,
      traceId: verdict.traceId,
      spanId: newSpanId(),
      ...(context?.parentSpanId !== undefined ? { parentSpanId: context.parentSpanId } : {}),
      stage: verdict.stage,
      action: verdict.action,
      decided: verdict.decided,
      shadow: verdict.shadow,
      ...(context?.session !== undefined ? { session: context.session } : {}),
      ...(context?.user !== undefined ? { user: context.user } : {}),
      ...(context?.tenant !== undefined ? { tenant: context.tenant } : {}),
      ...(context?.tool !== undefined ? { tool: context.tool } : {}),
      findings: verdict.findings.map((finding, index) => ({
        detector: finding.detector,
        category: finding.category,
        score: finding.score,
        severity: finding.severity,
        action: verdict.findingActions[index] ?? 'allow',
        ...(finding.span !== undefined ? { span: finding.span } : {}),
      })),
      errors: verdict.errors,
      latencyUs: verdict.latencyUs,
      timings: verdict.timings,
      ...(content !== undefined ? { content } : {}),
      ...(extra !== undefined || sinkFailures > 0 ? { data: { ...extra, ...(sinkFailures > 0 ? { sinkFailures } : {}) } } : {}),
    });
  };

  const check = async (stage: Stage, text: string, rawContext?: CheckOptions): Promise<Verdict> => {
    if (closed) throw new GuardClosedError({ guardName: name });
    checkText(text, `guard.check(${stage})`);
    const context = checkContext(rawContext, `guard.check(${stage})`);
    const started = performance.now();
    const traceId = context?.traceId ?? randomUUID();
    const compiled = context?.tenant === undefined ? baseCompiled : compile(context.tenant);
    const detectContext = new CheckContext(stage, traceId, text, context, store);
    let evaluation: Evaluation;
    try {
      evaluation = await evaluate(stage, text, detectContext, compiled);
    } finally {
      detectContext.end();
    }
    const verdict = await decide(stage, text, evaluation, traceId, context, compiled.view, started);
    record(verdict, context, undefined, text);
    return verdict;
  };

  const decide = async (
    stage: Stage,
    text: string,
    evaluation: Evaluation,
    traceId: string,
    context: CheckOptions | undefined,
    view: PolicyView,
    started: number,
  ): Promise<Verdict> => {
    let decided = evaluation.decided;
    let outText = text;
    if (decided === 'redact') {
      const redacted = redactedText(text, evaluation, 'redact');
      // A redact finding without a span cannot be applied; blocking is the safe reading.
      if (redacted === undefined) decided = 'block';
      else outText = redacted;
    }
    let action: Action = decided;
    const base = {
      text,
      findings: evaluation.findings,
      traceId,
      stage,
      timings: evaluation.timings,
      errors: evaluation.errors,
      findingActions: evaluation.actions,
    };
    if (view.shadow) {
      action = decided === 'allow' ? 'allow' : 'flag';
      outText = text;
    } else if (decided === 'review') {
      const provisional: Verdict = {
        ...base,
        action: 'review',
        decided,
        shadow: false,
        latencyUs: Math.round((performance.now() - started) * 1000),
      };
      const outcome = await review(provisional, stage, context);
      action = outcome;
      if (outcome === 'redact') {
        const redacted = redactedText(text, evaluation, 'flag');
        if (redacted === undefined) action = 'block';
        else outText = redacted;
      }
    }
    return {
      ...base,
      action,
      text: action === 'redact' ? outText : text,
      decided,
      shadow: view.shadow,
      latencyUs: Math.round((performance.now() - started) * 1000),
    };
  };

  const enforceBlock = (verdict: Verdict): string => {
    const view = compile(undefined).view;
    if (view.onBlock.mode === 'throw') throw new GuardBlockedError({ verdict, guardName: name });
    return verdict.stage === 'output' ? (view.onBlock.outputFallback ?? view.onBlock.fallback) : view.onBlock.fallback;
  };

  const blockedOrText = (verdict: Verdict, tenant: string | undefined): { blocked: boolean; text: string } => {
    if (verdict.action !== 'block') return { blocked: false, text: verdict.text };
    const view = compile(tenant).view;
    if (view.onBlock.mode === 'throw') throw new GuardBlockedError({ verdict, guardName: name });
    return {
      blocked: true,
      text: verdict.stage === 'output' ? (view.onBlock.outputFallback ?? view.onBlock.fallback) : view.onBlock.fallback,
    };
  };

  const run: Guard['run'] = async (messages, modelCall, rawContext) => {
    if (closed) throw new GuardClosedError({ guardName: name });
    parseArgument(messagesSchema, messages, 'guard.run(messages, modelCall)', 'messages');
    if (typeof modelCall !== 'function') {
      throw new ArgumentError({ message: 'guard.run(messages, modelCall): modelCall must be a function (messages) => Promise<string>.' });
    }
    const context = checkContext(rawContext, 'guard.run');
    const traceId = context?.traceId ?? randomUUID();
    let lastUser = -1;
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]!.role === 'user') {
        lastUser = i;
        break;
      }
    }
    const systemPrompt = context?.systemPrompt ?? messages.find((message) => message.role === 'system')?.content;
    const turnContext: CheckOptions = {
      ...context,
      traceId,
      ...(systemPrompt !== undefined ? { systemPrompt } : {}),
      history: lastUser > 0 ? messages.slice(0, lastUser) : [],
    };
    const safeMessages = messages.map((message) => ({ ...message }));
    let inputVerdict: Verdict;
    if (lastUser >= 0) {
      inputVerdict = await check('input', messages[lastUser]!.content, turnContext);
      const outcome = blockedOrText(inputVerdict, context?.tenant);
      if (outcome.blocked) return outcome.text;
      safeMessages[lastUser] = { ...safeMessages[lastUser]!, content: outcome.text };
    } else {
      inputVerdict = {
        action: 'allow',
        decided: 'allow',
        text: '',
        findings: [],
        findingActions: [],
        traceId,
        stage: 'input',
        timings: {},
        errors: [],
        shadow: false,
        latencyUs: 0,
      };
    }
    const modelStarted = performance.now();
    const answer = await modelCall(safeMessages, {
      traceId,
      inputVerdict,
      ...(context?.signal !== undefined ? { signal: context.signal } : {}),
    });
    if (typeof answer !== 'string') {
      throw new ArgumentError({
        message: `guard.run: modelCall must resolve to a string (got ${answer === null ? 'null' : typeof answer}). Return the answer's text, e.g. completion.choices[0].message.content.`,
      });
    }
    emit({
      type: 'model-call-ended',
      traceId,
      latencyUs: Math.round((performance.now() - modelStarted) * 1000),
      ...(context?.session !== undefined ? { session: context.session } : {}),
      ...(context?.user !== undefined ? { user: context.user } : {}),
      ...(context?.tenant !== undefined ? { tenant: context.tenant } : {}),
    });
    const outputVerdict = await check('output', answer, turnContext);
    return blockedOrText(outputVerdict, context?.tenant).text;
  };

  const streamEngine: StreamEngine = {
    holdBack,
    lookback,
    async scanWindow(text, context) {
      const compiled = context.tenant === undefined ? baseCompiled : compile(context.tenant);
      const detectContext = new CheckContext('output', context.traceId ?? randomUUID(), text, context, store);
      try {
        return { evaluation: await evaluate('output', text, detectContext, compiled), shadow: compiled.view.shadow };
      } finally {
        detectContext.end();
      }
    },
    fallback(tenant) {
      const view = compile(tenant).view;
      return { mode: view.onBlock.mode, text: view.onBlock.outputFallback ?? view.onBlock.fallback };
    },
    blockedError(verdict) {
      return new GuardBlockedError({ verdict, guardName: name });
    },
    record(verdict, context, data) {
      record(verdict, context, data);
    },
    assertOpen() {
      if (closed) throw new GuardClosedError({ guardName: name });
    },
    checkContext(context) {
      return checkContext(context, 'guard.scanStream') ?? {};
    },
  };

  const guard: Guard = {
    name,
    policy,
    store,
    check(stage, text, context) {
      if (!STAGES.includes(stage)) {
        return Promise.reject(new ArgumentError({ message: `guard.check(stage): stage must be one of ${STAGES.join(', ')}.` }));
      }
      return check(stage, text, context);
    },
    checkInput: (text, context) => check('input', text, context),
    checkOutput: (text, context) => check('output', text, context),
    checkToolInput: (text, context) => check('tool_input', text, context),
    checkToolOutput: (text, context) => check('tool_output', text, context),
    run,
    scanStream: ((source: StreamSource, streamOptions?: ScanStreamOptions) => scanStream(streamEngine, source, streamOptions)) as Guard['scanStream'],
    enforceBlock,
    emit,
    async close() {
      if (closed) return;
      closed = true;
      const failures: unknown[] = [];
      for (const sink of sinks) {
        try {
          await sink.flush?.();
          await sink.close?.();
        } catch (error) {
          failures.push(error);
        }
      }
      if (failures.length > 0) {
        throw new ParapetError({
          code: 'SINK_FAILED',
          message: `Guard "${name}": ${failures.length} audit sink(s) failed to close; events may be lost. See error.cause.`,
          cause: failures.length === 1 ? failures[0] : new AggregateError(failures),
        });
      }
    },
  };
  return guard;
}

export { policySchema };
