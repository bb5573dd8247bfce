import {
  ConfigError,
  type Detector,
  type DetectorFactory,
  type DetectorRule,
  parseConfig,
  STAGES,
  type Stage,
} from '@parapet/core';
import { type PiiDetectorOptions, piiDetector, secretsDetector } from '@parapet/pii';
import { z } from 'zod';

const OUTPUT_STAGES: readonly Stage[] = ['output', 'tool_output'];

/** The keys this wrapper owns; every other key is a piiDetector()/secretsDetector() option, passed through. */
function wrapperSchema(defaultId: string, actions: readonly [string, ...string[]], defaultAction: string) {
  return z
    .object({
      id: z
        .string({ error: () => 'must be a string' })
        .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, `must be kebab-case, e.g. "${defaultId}"`)
        .default(defaultId),
      stages: z
        .array(z.enum(STAGES as [Stage, ...Stage[]], { error: () => `must be one of ${STAGES.join(', ')}` }))
        .min(1, 'must name at least one stage')
        .default([...OUTPUT_STAGES]),
      /** What the recommended rule does with a match. */
      action: z.enum(actions, { error: () => `must be one of ${actions.join(', ')}` }).default(defaultAction),
    })
    .catchall(z.unknown());
}

const piiSchema = wrapperSchema('pii-leak', ['redact', 'block', 'flag'], 'redact');
const secretSchema = wrapperSchema('secret-leak', ['redact', 'block', 'flag'], 'redact');

export type PiiLeakOptions = PiiDetectorOptions & { readonly action?: 'redact' | 'block' | 'flag' };
export type SecretLeakOptions = PiiDetectorOptions & { readonly action?: 'redact' | 'block' | 'flag' };

/** Builds the inner detector, renaming its ConfigError so it points at the wrapper the user called. */
function build(make: () => Detector, where: string, inner: string): Detector {
  try {
    return make();
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError({
        message: error.message.replace(`Invalid ${inner} options`, `Invalid ${where}`),
        issues: error.issues,
        cause: error,
      });
    }
    throw error;
  }
}

function isRestore(options: Record<string, unknown>): boolean {
  const operator = options.operator as { type?: unknown } | undefined;
  return typeof operator === 'object' && operator !== null && operator.type === 'restore';
}

/** The inner detector with our id, stages and recommended action (restore detectors keep theirs: they put values back). */
function wrap(
  inner: Detector,
  id: string,
  stages: readonly Stage[],
  action: DetectorRule['action'],
  restoring: boolean,
): Detector {
  const rules: readonly DetectorRule[] = restoring
    ? (inner.rules ?? [])
    : (inner.rules ?? [{ minScore: 0.5, action }]).map((rule) => ({ ...rule, action }));
  return { id, stages, rules, detect: (text, context) => inner.detect(text, context) };
}

/**
 * Personal data in the model's answer or a tool's result: `piiDetector` of `@parapet/pii` (one engine, the
 * same recognizers and operators) placed on the output stages, with a recommended `redact` rule so each
 * value is replaced by the operator's text (default `<EMAIL_1>`-style placeholders). With
 * `operator: { type: 'restore', vault }` it puts a vault's placeholders back instead. Under
 * `guard.scanStream` a value split across chunks is redacted whole, as long as it is shorter than the
 * hold-back.
 *
 * @example
 * createGuard({ output: [piiLeak({ operator: { type: 'redact', with: '[removed]' } })] });
 */
export function piiLeak(options: PiiLeakOptions = {}): Detector {
  const { id, stages, action, ...rest } = parseConfig(piiSchema, options ?? {}, 'piiLeak() options');
  const inner = build(
    () => piiDetector({ ...(rest as PiiDetectorOptions), id, stages }),
    'piiLeak() options',
    'piiDetector()',
  );
  return wrap(inner, id, stages, action as DetectorRule['action'], isRestore(rest));
}

/**
 * Credentials in the model's answer or a tool's result (API keys of 90+ providers, JWTs, private keys,
 * connection strings, password assignments): `secretsDetector` of `@parapet/pii` on the output stages.
 * Recommended action `redact` (each value becomes `[SECRET]`, the rest of the answer stays useful and the
 * finding, severity critical, is audited); pass `action: 'block'` to withhold the whole answer instead.
 *
 * @example
 * createGuard({ output: [secretLeak()] });                    // "key: sk-…" → "key: [SECRET]"
 * createGuard({ output: [secretLeak({ action: 'block' })] }); // the answer is withheld
 */
export function secretLeak(options: SecretLeakOptions = {}): Detector {
  const { id, stages, action, ...rest } = parseConfig(secretSchema, options ?? {}, 'secretLeak() options');
  const inner = build(
    () => secretsDetector({ ...(rest as PiiDetectorOptions), id, stages }),
    'secretLeak() options',
    'secretsDetector()',
  );
  return wrap(inner, id, stages, action as DetectorRule['action'], isRestore(rest));
}

export const piiLeakEntry: DetectorFactory = {
  id: 'pii-leak',
  stages: ['output', 'tool_output'],
  description:
    'Personal data in model output and tool results, redacted (piiDetector on the output stages); options: entities, operator (incl. restore), action, …',
  create: (options) => piiLeak((options ?? {}) as never),
};

export const secretLeakEntry: DetectorFactory = {
  id: 'secret-leak',
  stages: ['output', 'tool_output'],
  description:
    'Credentials in model output and tool results, redacted (or blocked with action: "block"); options: entities, operator, action, …',
  create: (options) => secretLeak((options ?? {}) as never),
};
