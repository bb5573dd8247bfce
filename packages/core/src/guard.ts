import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AUDIT_SCHEMA_VERSION, type AuditEvent, type AuditSink, outcomeOf, stageSlug } from './audit.js';
import { detectorSchema } from './define-detector.js';
import { ArgumentError, ConfigError, GuardBlockedError, GuardClosedError, ParapetError, stageLabel } from './errors.js';
import { type NormalizedText, normalizeText } from './normalize/normalize.js';
import { abortedError, type CompiledDetector, type Evaluation, evaluate } from './pipeline.js';
import { type Policy, type PolicyInput, type PolicyView, parsePolicy, policySchema, viewPolicy } from './policy.js';
import { applyReplacements } from './redact.js';
import { memoryStore, type Store } from './store.js';
import { type ScanStreamOptions, type StreamEngine, type StreamSource, scanStream } from './stream.js';
import {
  type Action,
  type ChatMessage,
  type DetectContext,
  type Detector,
  type GuardContext,
  type Reviewer,
  type ReviewOutcome,
  STAGES,
  type Stage,
  type StreamWindow,
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
        scanEvery: z.number().int().min(0).max(1_000_000).optional(),
      })
      .strict()
      .optional(),
    auditContent: z.enum(['hash', 'none']).default('hash'),
    random: z.custom<() => number>((value) => typeof value === 'function', 'must be a function').optional(),
  })
  .strict();

export type GuardOptions = Omit<
  z.input<typeof guardOptionsSchema>,
  'policy' | 'input' | 'output' | 'toolInput' | 'toolOutput'
> & {
  readonly input?: readonly Detector[];
  readonly output?: readonly Detector[];
  readonly toolInput?: readonly Detector[];
  readonly toolOutput?: readonly Detector[];
  /** A policy object (validated here) or the result of `loadPolicy()`. */
  readonly policy?: PolicyInput | Policy;
};

/** The zod schema of a check's context (`CheckOptions`): adapters validate their per-call context with it. */
export const checkOptionsSchema = z
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

const STRING_KEYS = new Set(['traceId', 'parentSpanId', 'session', 'user', 'tenant', 'tool', 'systemPrompt']);

/** True when a context holds only known keys with plainly valid values (strings, no history/metadata/signal). */
function plainContext(context: unknown): boolean {
  if (context === null || typeof context !== 'object' || Array.isArray(context)) return false;
  for (const key in context) {
    const value = (context as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (!STRING_KEYS.has(key) || typeof value !== 'string') return false;
    if ((key === 'traceId' || key === 'parentSpanId') && (value.length === 0 || value.length > 200)) return false;
    if ((key === 'session' || key === 'user' || key === 'tenant' || key === 'tool') && value.length > 500) return false;
  }
  return true;
}

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
  scanStream(
    source: AsyncIterable<string | Uint8Array> | Iterable<string>,
    options?: ScanStreamOptions,
  ): AsyncIterable<string>;
  /**
   * Applies the block policy (the tenant's, when `context.tenant` names one) to a blocking verdict:
   * returns the fallback text, or throws `GuardBlockedError`.
   */
  enforceBlock(verdict: Verdict, context?: Pick<GuardContext, 'tenant'>): string;
  /** Sends an event to the guard's audit sinks (for adapters and tool policies sharing the trail). */
  emit(
    event: Omit<AuditEvent, 'schemaVersion' | 'id' | 'time' | 'guard' | 'spanId' | 'findings' | 'errors'> &
      Partial<Pick<AuditEvent, 'spanId' | 'findings' | 'errors'>>,
  ): void;
  /** Whether any detector runs at `stage` (adapters skip work, such as stream scanning, when none does). */
  hasDetectors(stage: Stage): boolean;
  /** Flushes and closes the audit sinks. Later checks throw `GuardClosedError`. */
  close(): Promise<void>;
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
  readonly stream?: StreamWindow;
  readonly callerSignal: AbortSignal | undefined;
  private normalizedCache: NormalizedText | undefined;
  private readonly original: string;
  private controller: AbortController | undefined;
  private ended = false;

  constructor(
    stage: Stage,
    traceId: string,
    text: string,
    options: CheckOptions | undefined,
    store: Store,
    stream?: StreamWindow,
  ) {
    this.stage = stage;
    if (stream !== undefined) this.stream = stream;
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

// Span ids (16 hex digits): a random per-process half and a counter. Drawing 8 random bytes per event
// cost more than the rest of the event (a synchronous randomFillSync each time).
const SPAN_PREFIX = randomBytes(4).toString('hex');
let spanCounter = 0;
function newSpanId(): string {
  spanCounter = (spanCounter + 1) % 0xffffffff;
  return SPAN_PREFIX + spanCounter.toString(16).padStart(8, '0');
}

// Trace ids in the W3C / OpenTelemetry shape (32 hex digits): a random per-process half and a counter,
// unique without drawing randomness on every check.
const TRACE_PREFIX = randomBytes(8).toString('hex');
let traceCounter = 0;

/** A fresh 32-hex-digit trace id. */
export function newTraceId(): string {
  traceCounter = (traceCounter + 1) % Number.MAX_SAFE_INTEGER;
  return TRACE_PREFIX + traceCounter.toString(16).padStart(16, '0');
}

/** Creates a guard: detectors per stage, a policy, a store, audit sinks. Build it once and reuse it. */
export function createGuard(options: GuardOptions = {}): Guard {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError({
      message: 'createGuard(options): options must be an object, e.g. createGuard({ input: [detector] }).',
    });
  }
  const config = parseConfig(guardOptionsSchema, options, 'createGuard() options');
  const policy: Policy = parsePolicy(config.policy ?? {}, 'policy');
  const name = config.name;
  const store = config.store ?? memoryStore();
  const sinks: AuditSink[] =
    config.audit === undefined ? [] : Array.isArray(config.audit) ? config.audit : [config.audit];
  const reviewer = config.reviewer;
  const random = config.random ?? Math.random;
  const holdBack = config.stream?.holdBack ?? 64;
  const lookback = config.stream?.lookback ?? 256;
  const scanEvery = config.stream?.scanEvery ?? 0;
  const hashContent = config.auditContent === 'hash';

  const byStage: Record<Stage, readonly Detector[]> = {
    input: (options.input ?? []) as Detector[],
    output: (options.output ?? []) as Detector[],
    tool_input: (options.toolInput ?? []) as Detector[],
    tool_output: (options.toolOutput ?? []) as Detector[],
  };
  const optionKey: Record<Stage, string> = {
    input: 'input',
    output: 'output',
    tool_input: 'toolInput',
    tool_output: 'toolOutput',
  };
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
  const sequential = policy.execution === 'sequential';

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
      parseArgument(
        z.string({ error: () => `must be a string (got ${text === null ? 'null' : typeof text})` }),
        text,
        where,
        'text',
      );
    }
  };

  const checkContext = (context: unknown, where: string): CheckOptions | undefined => {
    if (context === undefined) return undefined;
    // The common shapes are checked by hand (a zod parse per check would cost microseconds on the hot
    // path); anything unusual goes through the schema, which also writes the error message.
    if (plainContext(context)) return context as CheckOptions;
    return parseArgument(checkOptionsSchema, context, where, 'context') as CheckOptions;
  };

  /**
   * The text with redactions applied: findings whose action is `redact`, and after a reviewer chose
   * redaction (`afterReview`), also the findings that went to review and any finding carrying a
   * replacement. `undefined` when one of them has no span (it cannot be applied: the caller blocks).
   */
  const redactedText = (text: string, evaluation: Evaluation, afterReview: boolean): string | undefined => {
    const replacements: { span: { start: number; end: number }; replacement: string }[] = [];
    for (let i = 0; i < evaluation.findings.length; i++) {
      const finding = evaluation.findings[i]!;
      const action = evaluation.actions[i]!;
      const wanted =
        action === 'redact' ||
        (afterReview && (action === 'review' || (action === 'flag' && finding.replacement !== undefined)));
      if (!wanted) continue;
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
      if (outcome !== 'allow' && outcome !== 'block' && outcome !== 'redact' && outcome !== 'flag')
        return view.policy.review.onTimeout;
      return outcome;
    } catch {
      return view.policy.review.onTimeout;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  };

  const hash = (text: string): { sha256: string; length: number } | undefined =>
    hashContent ? { sha256: createHash('sha256').update(text).digest('hex'), length: text.length } : undefined;

  const record = (
    verdict: Verdict,
    context: CheckOptions | undefined,
    extra?: Record<string, unknown>,
    original?: string,
  ): void => {
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
      ...(extra !== undefined || sinkFailures > 0
        ? { data: { ...extra, ...(sinkFailures > 0 ? { sinkFailures } : {}) } }
        : {}),
    });
  };

  const check = (stage: Stage, text: string, rawContext?: CheckOptions): Promise<Verdict> => {
    try {
      if (closed) throw new GuardClosedError({ guardName: name });
      checkText(text, `guard.check(${stage})`);
      const context = rawContext === undefined ? undefined : checkContext(rawContext, `guard.check(${stage})`);
      const started = performance.now();
      const traceId = context?.traceId ?? newTraceId();
      const compiled = context?.tenant === undefined ? baseCompiled : compile(context.tenant);
      const detectContext = new CheckContext(stage, traceId, text, context, store);
      let evaluation: Evaluation | Promise<Evaluation>;
      try {
        evaluation = evaluate(stage, text, detectContext, compiled.stages[stage], compiled.view, sequential, random);
      } catch (error) {
        detectContext.end();
        throw error;
      }
      if (evaluation instanceof Promise) {
        return evaluation.then(
          (value) => {
            detectContext.end();
            return conclude(stage, text, value, traceId, context, compiled.view, started, detectContext);
          },
          (error: unknown) => {
            detectContext.end();
            throw error;
          },
        );
      }
      detectContext.end();
      const verdict = conclude(stage, text, evaluation, traceId, context, compiled.view, started, detectContext);
      return verdict instanceof Promise ? verdict : Promise.resolve(verdict);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const conclude = (
    stage: Stage,
    text: string,
    evaluation: Evaluation,
    traceId: string,
    context: CheckOptions | undefined,
    view: PolicyView,
    started: number,
    detectContext: CheckContext,
  ): Verdict | Promise<Verdict> => {
    if (detectContext.callerSignal?.aborted) throw abortedError(detectContext.callerSignal.reason);
    const verdict = decide(stage, text, evaluation, traceId, context, view, started);
    if (verdict instanceof Promise) {
      return verdict.then((value) => {
        record(value, context, undefined, text);
        return value;
      });
    }
    record(verdict, context, undefined, text);
    return verdict;
  };

  const makeVerdict = (
    stage: Stage,
    traceId: string,
    evaluation: Evaluation,
    action: Action,
    decided: Action,
    text: string,
    shadow: boolean,
    started: number,
  ): Verdict => ({
    action,
    text,
    findings: evaluation.findings,
    traceId,
    stage,
    timings: evaluation.timings,
    errors: evaluation.errors,
    shadow,
    decided,
    findingActions: evaluation.actions,
    latencyUs: Math.round((performance.now() - started) * 1000),
  });

  const decide = (
    stage: Stage,
    text: string,
    evaluation: Evaluation,
    traceId: string,
    context: CheckOptions | undefined,
    view: PolicyView,
    started: number,
  ): Verdict | Promise<Verdict> => {
    let decided = evaluation.decided;
    let outText = text;
    if (decided === 'redact') {
      const redacted = redactedText(text, evaluation, false);
      // A redact finding without a span cannot be applied; blocking is the safe reading.
      if (redacted === undefined) decided = 'block';
      else outText = redacted;
    }
    if (view.shadow) {
      return makeVerdict(
        stage,
        traceId,
        evaluation,
        decided === 'allow' ? 'allow' : 'flag',
        decided,
        text,
        true,
        started,
      );
    }
    if (decided !== 'review') return makeVerdict(stage, traceId, evaluation, decided, decided, outText, false, started);
    const provisional = makeVerdict(stage, traceId, evaluation, 'review', decided, text, false, started);
    return review(provisional, stage, context).then((outcome): Verdict => {
      let reviewed: Action = outcome;
      let reviewedText = text;
      if (outcome === 'redact') {
        const redacted = redactedText(text, evaluation, true);
        if (redacted === undefined) reviewed = 'block';
        else reviewedText = redacted;
      }
      return makeVerdict(stage, traceId, evaluation, reviewed, decided, reviewedText, false, started);
    });
  };

  const enforceBlock = (verdict: Verdict, context?: Pick<GuardContext, 'tenant'>): string => {
    const view = compile(context?.tenant).view;
    if (view.onBlock.mode === 'throw') throw new GuardBlockedError({ verdict, guardName: name });
    return verdict.stage === 'output' ? (view.onBlock.outputFallback ?? view.onBlock.fallback) : view.onBlock.fallback;
  };

  const blockedOrText = (verdict: Verdict, tenant: string | undefined): { blocked: boolean; text: string } => {
    if (verdict.action !== 'block') return { blocked: false, text: verdict.text };
    return { blocked: true, text: enforceBlock(verdict, { tenant }) };
  };

  const run: Guard['run'] = async (messages, modelCall, rawContext) => {
    if (closed) throw new GuardClosedError({ guardName: name });
    parseArgument(messagesSchema, messages, 'guard.run(messages, modelCall)', 'messages');
    if (typeof modelCall !== 'function') {
      throw new ArgumentError({
        message: 'guard.run(messages, modelCall): modelCall must be a function (messages) => Promise<string>.',
      });
    }
    const context = checkContext(rawContext, 'guard.run');
    const traceId = context?.traceId ?? newTraceId();
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
    scanEvery,
    lookback,
    // Tenants can only tighten rules, not add detectors: no output detectors means nothing to scan.
    scans: byStage.output.length > 0,
    async scanWindow(text, context, window) {
      const compiled = context.tenant === undefined ? baseCompiled : compile(context.tenant);
      const detectContext = new CheckContext('output', context.traceId ?? newTraceId(), text, context, store, window);
      try {
        const evaluation = await evaluate(
          'output',
          text,
          detectContext,
          compiled.stages.output,
          compiled.view,
          sequential,
          random,
        );
        return { evaluation, shadow: compiled.view.shadow };
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
    record(verdict, context, data, original) {
      record(verdict, context, data, original);
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
        return Promise.reject(
          new ArgumentError({ message: `guard.check(stage): stage must be one of ${STAGES.join(', ')}.` }),
        );
      }
      return check(stage, text, context);
    },
    checkInput: (text, context) => check('input', text, context),
    checkOutput: (text, context) => check('output', text, context),
    checkToolInput: (text, context) => check('tool_input', text, context),
    checkToolOutput: (text, context) => check('tool_output', text, context),
    run,
    scanStream: ((source: StreamSource, streamOptions?: ScanStreamOptions) =>
      scanStream(streamEngine, newTraceId, source, streamOptions)) as Guard['scanStream'],
    enforceBlock,
    emit,
    hasDetectors: (stage) => (byStage[stage]?.length ?? 0) > 0,
    async close() {
      if (closed) return;
      closed = true;
      const failures: unknown[] = [];
      for (const sink of sinks) {
        // A failed flush must not skip the close: the sink still releases its files and timers.
        try {
          await sink.flush?.();
        } catch (error) {
          failures.push(error);
        }
        try {
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
