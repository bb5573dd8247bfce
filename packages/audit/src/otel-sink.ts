import {
  type Attributes,
  type Context,
  context as otelContext,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type Action, type AuditEvent, type AuditFinding, type AuditSink, parseConfig } from '@parapet/core';
import { z } from 'zod';

/**
 * Audit events as OpenTelemetry spans, following the GenAI security conventions (`gen-ai-security.md`,
 * status Development): one `apply_guardrail <guard>` span per decision, one `gen_ai.security.finding`
 * event per finding. Uses only `@opentelemetry/api`: without an SDK registered every call is a no-op.
 */

export type GuardrailDecisionType = 'allow' | 'deny' | 'modify' | 'warn' | 'audit';
export type GuardrailTargetType =
  | 'llm_input'
  | 'llm_output'
  | 'tool_call'
  | 'tool_definition'
  | 'memory_store'
  | 'memory_retrieve'
  | 'knowledge_query'
  | 'knowledge_result'
  | 'message';

export interface OtelSinkOptions {
  /** The tracer to use. Default: `trace.getTracer(tracerName)` from the globally registered provider. */
  readonly tracer?: Tracer;
  /** Default `parapet`. Ignored when `tracer` is given. */
  readonly tracerName?: string;
  /**
   * Adds `gen_ai.security.content.output.value` with the redacted text when the guard was configured to
   * put it in events. Off by default: the conventions say content "SHOULD NOT" be captured by default.
   */
  readonly recordContent?: boolean;
  /**
   * The target type of the tool-output stage. The conventions have no "tool result" value; the default
   * `tool_call` treats a tool's output as part of its call. Use `knowledge_result` when tools are retrievers.
   */
  readonly toolOutputTarget?: GuardrailTargetType;
  /** `gen_ai.guardian.id`. Default: the guard's name. */
  readonly guardianId?: string;
  /** Called by `flush()`/`close()` so buffered spans are exported on shutdown, e.g. `provider`. */
  readonly provider?: { forceFlush(): Promise<void> };
}

export interface OtelSinkStats {
  /** Spans started (guardrail spans and spans for non-decision events). */
  readonly spans: number;
  /** Non-decision events added as span events to the active span. */
  readonly spanEvents: number;
  /** Events the sink could not turn into telemetry (the error is swallowed: `write` must not throw). */
  readonly failed: number;
}

export interface OtelAuditSink extends AuditSink {
  readonly stats: OtelSinkStats;
}

const targetTypes = [
  'llm_input',
  'llm_output',
  'tool_call',
  'tool_definition',
  'memory_store',
  'memory_retrieve',
  'knowledge_query',
  'knowledge_result',
  'message',
] as const;

const optionsSchema = z
  .object({
    tracer: z
      .custom<Tracer>(
        (value) => typeof value === 'object' && value !== null && typeof (value as Tracer).startSpan === 'function',
        'must be an OpenTelemetry Tracer (an object with startSpan)',
      )
      .optional(),
    tracerName: z.string().min(1).max(200).default('parapet'),
    recordContent: z.boolean().default(false),
    toolOutputTarget: z.enum(targetTypes).default('tool_call'),
    guardianId: z.string().min(1).max(200).optional(),
    provider: z
      .custom<{ forceFlush(): Promise<void> }>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as { forceFlush?: unknown }).forceFlush === 'function',
        'must have a forceFlush() method (a TracerProvider or span processor)',
      )
      .optional(),
  })
  .strict();

const DECISION_TYPE = /^(input|output|tool-input|tool-output)-(allowed|flagged|redacted|reviewed|blocked)$/;
const TOOL_CALL_TYPE = /^tool-call-(allowed|denied|approved|rejected)$/;

const DECISION_OF_ACTION: Record<Action, GuardrailDecisionType> = {
  allow: 'allow',
  flag: 'warn',
  review: 'warn',
  redact: 'modify',
  block: 'deny',
};

const DECISION_OF_SUFFIX: Record<string, GuardrailDecisionType> = {
  allowed: 'allow',
  approved: 'allow',
  flagged: 'warn',
  reviewed: 'warn',
  redacted: 'modify',
  blocked: 'deny',
  denied: 'deny',
  rejected: 'deny',
  quarantined: 'deny',
};

const RANK: Record<Action, number> = { allow: 0, flag: 1, redact: 2, review: 3, block: 4 };

/** Parapet categories → OWASP LLM Top-10 style names used by `gen_ai.security.risk.category`. */
const RISK_OF_CATEGORY: Record<string, string> = {
  'prompt-injection': 'prompt_injection',
  'instruction-override': 'prompt_injection',
  'role-reassignment': 'prompt_injection',
  'system-prompt-extraction': 'prompt_injection',
  'secret-extraction': 'prompt_injection',
  'forged-turn': 'prompt_injection',
  'payload-splitting': 'prompt_injection',
  'encoded-instruction': 'prompt_injection',
  'false-authority': 'prompt_injection',
  'hidden-instruction': 'prompt_injection',
  'indirect-injection': 'prompt_injection',
  'many-shot': 'prompt_injection',
  jailbreak: 'jailbreak',
  pii: 'pii',
  'personal-data-extraction': 'pii',
  secret: 'sensitive_info_disclosure',
  'secret-leak': 'sensitive_info_disclosure',
  'secret-in-code': 'sensitive_info_disclosure',
  pci: 'sensitive_info_disclosure',
  confidential: 'sensitive_info_disclosure',
  'data-in-url': 'sensitive_info_disclosure',
  'exfiltration-image': 'sensitive_info_disclosure',
  'system-prompt-leak': 'system_prompt_leakage',
  'canary-leak': 'system_prompt_leakage',
  // Entity names of @parapet/pii that are not personal data.
  SECRET: 'sensitive_info_disclosure',
  CODENAME: 'sensitive_info_disclosure',
  DENY_LIST: 'custom:DENY_LIST',
};

// Entity names from @parapet/pii (EMAIL_ADDRESS, PHONE_NUMBER, …) are upper snake case; secrets end in a
// credential word (AWS_ACCESS_KEY, GITHUB_TOKEN, PRIVATE_KEY, …) and are disclosures, not personal data.
const ENTITY = /^[A-Z][A-Z0-9_]*$/;
const SECRET_ENTITY = /(SECRET|TOKEN|KEY|PASSWORD|CREDENTIAL|API_KEY|JWT|CONNECTION_STRING)/;

/** The `gen_ai.security.risk.category` for a Parapet finding category. */
export function riskCategory(category: string): string {
  const known = RISK_OF_CATEGORY[category];
  if (known !== undefined) return known;
  if (ENTITY.test(category)) return SECRET_ENTITY.test(category) ? 'sensitive_info_disclosure' : 'pii';
  return `custom:${category}`;
}

/** True for events that record a guardrail decision (and so become an `apply_guardrail` span). */
export function isDecisionEvent(event: AuditEvent): boolean {
  return DECISION_TYPE.test(event.type) || TOOL_CALL_TYPE.test(event.type) || event.type === 'tool-output-quarantined';
}

/** The `gen_ai.security.decision.type` of a decision event. Shadow mode records without enforcing: `audit`. */
export function decisionType(event: AuditEvent): GuardrailDecisionType {
  if (event.shadow === true && event.decided !== undefined && event.decided !== 'allow') return 'audit';
  if (event.action !== undefined) return DECISION_OF_ACTION[event.action];
  const suffix = event.type.slice(event.type.lastIndexOf('-') + 1);
  return DECISION_OF_SUFFIX[suffix] ?? 'audit';
}

function targetType(event: AuditEvent, toolOutput: GuardrailTargetType): GuardrailTargetType {
  if (event.type.startsWith('tool-call-')) return 'tool_call';
  const stage =
    event.stage ??
    (event.type.startsWith('tool-input-')
      ? 'tool_input'
      : event.type.startsWith('tool-output-')
        ? 'tool_output'
        : event.type.startsWith('output-')
          ? 'output'
          : 'input');
  switch (stage) {
    case 'input':
      return 'llm_input';
    case 'output':
      return 'llm_output';
    case 'tool_input':
      return 'tool_call';
    case 'tool_output':
      return toolOutput;
  }
}

/** The finding that drove the decision: strictest action, then highest score. */
function leadingFinding(findings: readonly AuditFinding[]): AuditFinding | undefined {
  let best: AuditFinding | undefined;
  for (const finding of findings) {
    if (
      best === undefined ||
      RANK[finding.action] > RANK[best.action] ||
      (RANK[finding.action] === RANK[best.action] && finding.score > best.score)
    ) {
      best = finding;
    }
  }
  return best;
}

const W3C_TRACE = /^[0-9a-f]{32}$/;
const W3C_SPAN = /^[0-9a-f]{16}$/;

function parentContext(event: AuditEvent): Context {
  const active = otelContext.active();
  if (trace.getSpan(active) !== undefined) return active;
  // No span is active (the event is written outside the caller's async context, or the app has no
  // tracing around its model call): when the app passed its own span id, parent under it in the guard's
  // trace so one turn stays one trace; otherwise the guardrail span is a root.
  if (
    event.parentSpanId !== undefined &&
    W3C_TRACE.test(event.traceId) &&
    W3C_SPAN.test(event.parentSpanId) &&
    !/^0+$/.test(event.traceId) &&
    !/^0+$/.test(event.parentSpanId)
  ) {
    return trace.setSpanContext(ROOT_CONTEXT, {
      traceId: event.traceId,
      spanId: event.parentSpanId,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  }
  return active;
}

function times(event: AuditEvent): { start: number; end: number } {
  const end = Date.parse(event.time);
  const safeEnd = Number.isFinite(end) ? end : Date.now();
  const latencyMs = event.latencyUs !== undefined && event.latencyUs > 0 ? event.latencyUs / 1000 : 0;
  return { start: safeEnd - latencyMs, end: safeEnd };
}

/** Counters and flags from `event.data`: numbers and booleans only, so no string can carry content. */
function dataAttributes(event: AuditEvent, attributes: Attributes): void {
  if (event.data === undefined) return;
  for (const [key, value] of Object.entries(event.data)) {
    if (typeof value === 'number' || typeof value === 'boolean') attributes[`parapet.data.${key}`] = value;
  }
}

/**
 * An audit sink that emits OpenTelemetry spans. Decision events become `apply_guardrail <guard>` spans
 * (kind INTERNAL) under the active span, timed from `time − latencyUs` to `time`; other events
 * (`model-call-ended`, `events-dropped`, …) become a span event on the active span, or a short
 * `parapet <type>` span when none is active.
 *
 * @example
 * const guard = createGuard({ input: [promptInjection()], audit: otelSink() });
 * await tracer.startActiveSpan('chat gpt-4o', async (span) => { await guard.checkInput(text); … span.end(); });
 */
export function otelSink(options: OtelSinkOptions = {}): OtelAuditSink {
  const config = parseConfig(optionsSchema, options, 'otelSink() options');
  const tracer = config.tracer ?? trace.getTracer(config.tracerName);
  let spans = 0;
  let spanEvents = 0;
  let failed = 0;

  const writeDecision = (event: AuditEvent): void => {
    const decision = decisionType(event);
    const lead = leadingFinding(event.findings);
    const attributes: Attributes = {
      'gen_ai.operation.name': 'apply_guardrail',
      'gen_ai.security.decision.type': decision,
      'gen_ai.security.target.type': targetType(event, config.toolOutputTarget),
      'gen_ai.guardian.name': event.guard,
      'gen_ai.guardian.id': config.guardianId ?? event.guard,
      'gen_ai.guardian.provider.name': 'custom',
      'parapet.event.type': event.type,
      'parapet.event.id': event.id,
      'parapet.trace_id': event.traceId,
      'parapet.findings': event.findings.length,
    };
    if (lead !== undefined && decision !== 'allow') {
      attributes['gen_ai.security.decision.reason'] = riskCategory(lead.category);
    } else if (event.errors.length > 0 && decision !== 'allow') {
      attributes['gen_ai.security.decision.reason'] = 'detector_failure';
    }
    if (decision === 'modify') attributes['gen_ai.security.content.redacted'] = true;
    if (event.content !== undefined) {
      attributes['gen_ai.security.content.input.hash'] = `sha256:${event.content.sha256}`;
      if (config.recordContent && event.content.redacted !== undefined) {
        attributes['gen_ai.security.content.output.value'] = event.content.redacted;
      }
    }
    if (event.session !== undefined) attributes['gen_ai.conversation.id'] = event.session;
    if (event.tool !== undefined) attributes['gen_ai.tool.name'] = event.tool;
    const toolCallId = event.data?.toolCallId;
    if (typeof toolCallId === 'string') attributes['gen_ai.security.target.id'] = toolCallId;
    if (event.tenant !== undefined) attributes['parapet.tenant'] = event.tenant;
    if (event.decided !== undefined) attributes['parapet.decided'] = event.decided;
    if (event.shadow !== undefined) attributes['parapet.shadow'] = event.shadow;
    let errorType: string | undefined;
    if (event.errors.length > 0) {
      errorType = event.errors.some((error) => error.kind === 'timeout') ? 'timeout' : 'detector_error';
      attributes['error.type'] = errorType;
      attributes['parapet.detector_failures'] = event.errors.length;
    }
    dataAttributes(event, attributes);

    const { start, end } = times(event);
    const span = tracer.startSpan(
      `apply_guardrail ${event.guard}`,
      { kind: SpanKind.INTERNAL, attributes, startTime: start },
      parentContext(event),
    );
    spans++;
    for (const finding of event.findings) {
      span.addEvent(
        'gen_ai.security.finding',
        {
          'gen_ai.security.risk.category': riskCategory(finding.category),
          'gen_ai.security.risk.severity': finding.severity,
          'gen_ai.security.risk.score': finding.score,
          // Identifiers from configuration, never content.
          'gen_ai.security.risk.metadata': [
            `detector:${finding.detector}`,
            `category:${finding.category}`,
            `action:${finding.action}`,
          ],
        },
        end,
      );
    }
    // A deny is the guardrail working, not failing: status stays UNSET. Only detector failures are errors.
    if (errorType !== undefined) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `${event.errors.length} detector(s) failed: ${errorType}`,
      });
    }
    span.end(end);
  };

  const writeOther = (event: AuditEvent): void => {
    const attributes: Attributes = {
      'parapet.event.type': event.type,
      'parapet.event.id': event.id,
      'parapet.trace_id': event.traceId,
      'parapet.guard': event.guard,
    };
    if (event.session !== undefined) attributes['gen_ai.conversation.id'] = event.session;
    if (event.tool !== undefined) attributes['gen_ai.tool.name'] = event.tool;
    if (event.latencyUs !== undefined) attributes['parapet.latency_us'] = event.latencyUs;
    dataAttributes(event, attributes);
    const { start, end } = times(event);
    const active = trace.getSpan(otelContext.active());
    if (active?.isRecording()) {
      active.addEvent(`parapet.${event.type}`, attributes, end);
      spanEvents++;
      return;
    }
    const span = tracer.startSpan(
      `parapet ${event.type}`,
      { kind: SpanKind.INTERNAL, attributes, startTime: start },
      parentContext(event),
    );
    spans++;
    if (event.type === 'events-dropped' || event.type === 'store-failed') {
      span.setStatus({ code: SpanStatusCode.ERROR, message: event.type });
    }
    span.end(end);
  };

  const flushProvider = async (): Promise<void> => {
    await config.provider?.forceFlush();
  };

  return {
    name: 'otel',
    write(event) {
      try {
        if (isDecisionEvent(event)) writeDecision(event);
        else writeOther(event);
      } catch {
        // A broken tracer must not break the caller (AuditSink.write never throws); counted in stats.
        failed++;
      }
    },
    flush: flushProvider,
    close: flushProvider,
    get stats() {
      return { spans, spanEvents, failed };
    },
  };
}
