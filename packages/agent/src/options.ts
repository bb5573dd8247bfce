import type { AuditSink, Detector, Guard, Store } from '@parapet/core';
import { z } from 'zod';
import { type ArgumentConstraint, constraintSchema } from './constraints.js';
import { type Duration, durationSchema } from './duration.js';

export type AccessClass = 'read' | 'write' | 'destructive';
export type ScopeKind = 'session' | 'user' | 'tenant' | 'global';

/** The Standard Schema interface (zod 4, valibot, arktype…): what `args` accepts. */
export interface StandardSchemaLike<Output = unknown> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) =>
      | { readonly value: Output; readonly issues?: undefined }
      | { readonly issues: readonly StandardIssue[] }
      | Promise<
          { readonly value: Output; readonly issues?: undefined } | { readonly issues: readonly StandardIssue[] }
        >;
  };
}

export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
}

/** What an approver and an approval predicate see. */
export interface ApprovalRequest {
  readonly tool: string;
  readonly access: AccessClass;
  /** The validated arguments. */
  readonly args: unknown;
  /** Why a human is asked: `required`, `predicate`, or `after:<label>` for a taint rule. */
  readonly reasons: readonly string[];
  /** Taint labels of the session at the time of the call. */
  readonly taint: readonly string[];
  readonly callId: string;
  readonly traceId: string;
  readonly session?: string;
  readonly user?: string;
  readonly tenant?: string;
  /** Aborted when the wait times out or the grant, session or tool is revoked meanwhile. */
  readonly signal: AbortSignal;
}

export interface ApprovalDecision {
  readonly approved: boolean;
  /** Who decided (recorded in the audit trail). */
  readonly by?: string;
  readonly reason?: string;
}

export type Approver = (request: ApprovalRequest) => boolean | ApprovalDecision | Promise<boolean | ApprovalDecision>;

export interface RateLimitRule {
  /** Calls allowed per window. */
  readonly max: number;
  /** Window length (fixed windows aligned to the epoch). */
  readonly per: Duration;
  /** Whose calls count together; default `session`. */
  readonly scope?: ScopeKind;
  /**
   * `fixed` (default): windows aligned to the epoch, exact. `sliding`: the previous window's count is
   * weighted by how much of it still overlaps the last `per`, so a burst at a window's edge cannot double
   * the rate (one more store read per call).
   */
  readonly window?: 'fixed' | 'sliding';
}

export interface BudgetRule {
  /** Total cost allowed per window (or ever, without `per`). */
  readonly max: number;
  readonly per?: Duration;
  /** The cost of one call, from its validated arguments (for example the amount of a refund). */
  readonly cost: (args: any) => number;
  readonly scope?: ScopeKind;
}

/** One tool's rule. */
export interface ToolRule {
  /** What the tool does: `read` (no side effects), `write`, `destructive` (needs approval unless `approval: 'never'`). */
  readonly access: AccessClass;
  /** `false` denies every call. Default `true`. */
  readonly allowed?: boolean;
  /** Arguments schema (zod or any Standard Schema); the validated value is what the tool receives. */
  readonly args?: StandardSchemaLike;
  /** Restrictions per argument path: allow-lists, bounds, paths, URLs, e-mail domains, RE2 patterns. */
  readonly constraints?: Readonly<Record<string, ArgumentConstraint>>;
  /** `untrusted`: the tool's output taints the session (web pages, e-mails, files from outside). */
  readonly output?: 'trusted' | 'untrusted';
  /** Extra taint labels the tool's output adds. */
  readonly taints?: readonly string[];
  /** Deny the call when the session carries any of these taint labels. */
  readonly deniedAfter?: readonly string[];
  /** Ask for approval when the session carries any of these taint labels. */
  readonly approvalAfter?: readonly string[];
  /**
   * `session` (default): taint rules apply once the session read untrusted data. `value`: only when an
   * argument carries a value (address, URL, account number…) that came out of a tainting tool's output.
   */
  readonly taintTracking?: 'session' | 'value';
  /** `required`, `never`, or a predicate on the call (true: ask a human). */
  readonly approval?: 'required' | 'never' | ((request: ApprovalRequest) => boolean | Promise<boolean>);
  readonly rateLimit?: RateLimitRule;
  readonly budget?: BudgetRule;
  /** Pass this tool's outputs through the policy's output scanners. Default `true`. */
  readonly scan?: boolean;
}

const label = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be a lowercase label such as "untrusted"');
const fn = <T>(what: string) => z.custom<T>((value) => typeof value === 'function', `must be ${what}`);
const scope = z.enum(['session', 'user', 'tenant', 'global']);

const standardSchema = z.custom<StandardSchemaLike>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function',
  'must be a zod schema or another Standard Schema (an object with ["~standard"].validate)',
);

export const toolRuleSchema = z
  .object({
    access: z.enum(['read', 'write', 'destructive'], {
      error: () => 'must be "read", "write" or "destructive"',
    }),
    allowed: z.boolean().default(true),
    description: z.string().max(2_000).optional(),
    args: standardSchema.optional(),
    constraints: z.record(z.string().min(1).max(200), constraintSchema).optional(),
    output: z.enum(['trusted', 'untrusted']).default('trusted'),
    taints: z.array(label).optional(),
    deniedAfter: z.array(label).optional(),
    approvalAfter: z.array(label).optional(),
    taintTracking: z.enum(['session', 'value']).default('session'),
    approval: z
      .union([z.enum(['required', 'never']), fn<ToolRule['approval']>('"required", "never" or a function')])
      .optional(),
    rateLimit: z
      .object({
        max: z.number().int().positive(),
        per: durationSchema,
        scope: scope.default('session'),
        window: z.enum(['fixed', 'sliding']).default('fixed'),
      })
      .strict()
      .optional(),
    budget: z
      .object({
        max: z.number().positive().finite(),
        per: durationSchema.optional(),
        cost: fn<BudgetRule['cost']>('a function (args) => number'),
        scope: scope.default('session'),
      })
      .strict()
      .optional(),
    scan: z.boolean().default(true),
  })
  .strict();

export type CompiledRule = z.output<typeof toolRuleSchema>;

const detectorSchema = z.custom<Detector>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Detector).id === 'string' &&
    typeof (value as Detector).detect === 'function',
  'must be a detector (for example indirectInjection() from @parapet/detectors)',
);
const sinkSchema = z.custom<AuditSink>(
  (value) => typeof value === 'object' && value !== null && typeof (value as AuditSink).write === 'function',
  'must be an audit sink: an object with a write(event) method',
);

export const toolPolicyOptionsSchema = z
  .object({
    name: z.string().min(1).max(100).default('tool-policy'),
    tools: z.record(z.string().min(1).max(200), toolRuleSchema),
    /** Calls to a tool the policy does not list: `deny` (default) or `approval` (ask a human). */
    unknownTools: z.enum(['deny', 'approval']).default('deny'),
    grants: z
      .object({
        ttl: durationSchema.default(15 * 60_000),
        /** Longest TTL `grant()` accepts. */
        maxTtl: durationSchema.default(24 * 3_600_000),
      })
      .strict()
      .optional(),
    approver: fn<Approver>('a function (request) => boolean | { approved, by? } (or a promise of it)').optional(),
    approvalTimeout: durationSchema.default(5 * 60_000),
    scanToolOutputs: z.array(detectorSchema).optional(),
    /** What a blocking finding in a tool's output does: replace it with a notice, redact it, or fail the call. */
    outputAction: z.enum(['quarantine', 'redact', 'block']).default('quarantine'),
    /** How long a session stays tainted after it read untrusted data. */
    taintTtl: durationSchema.default(24 * 3_600_000),
    store: z
      .custom<Store>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          ['get', 'set', 'incr', 'compareAndSet', 'delete'].every(
            (method) => typeof (value as Record<string, unknown>)[method] === 'function',
          ),
        'must be a Store (memoryStore() from @parapet/core, redisStore() from @parapet/redis)',
      )
      .optional(),
    /** Bound on every store request; past it the call follows `failMode`. Applies to external stores. */
    storeTimeout: durationSchema.default(2_000),
    guard: z
      .custom<Guard>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as Guard).emit === 'function' &&
          typeof (value as Guard).checkToolOutput === 'function',
        'must be a guard from createGuard()',
      )
      .optional(),
    audit: z.union([sinkSchema, z.array(sinkSchema)]).optional(),
    /** `dry-run`: decide and record, but let every call through. */
    mode: z.enum(['enforce', 'dry-run']).default('enforce'),
    /** When the store fails or times out: `closed` (deny, default) or `open` (allow, recorded). */
    failMode: z.enum(['closed', 'open']).default('closed'),
    /** What the tool wrappers do on a denial: throw `ToolDeniedError` (default) or return a message the model reads. */
    onDeny: z.enum(['throw', 'message']).default('throw'),
    /** Record a SHA-256 of each call's arguments in the audit trail (`hash`, default) or nothing. */
    auditArguments: z.enum(['hash', 'none']).default('hash'),
    /** Clock, for tests. */
    now: fn<() => number>('a function returning epoch milliseconds').optional(),
  })
  .strict();

export type ToolPolicyOptions = Omit<
  z.input<typeof toolPolicyOptionsSchema>,
  'tools' | 'scanToolOutputs' | 'approver' | 'store' | 'guard' | 'audit' | 'now'
> & {
  readonly tools: Readonly<Record<string, ToolRule>>;
  readonly approver?: Approver;
  readonly scanToolOutputs?: readonly Detector[];
  readonly store?: Store;
  readonly guard?: Guard;
  readonly audit?: AuditSink | readonly AuditSink[];
  readonly now?: () => number;
};
