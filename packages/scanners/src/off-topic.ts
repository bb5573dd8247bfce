import {
  ConfigError,
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  parseConfig,
} from '@parapet/core';
import { topics } from '@parapet/detectors';
import { z } from 'zod';

/**
 * The answer drifts outside the application's scope. A thin wrapper over the `topics` detector of
 * `@parapet/detectors` (keywords, example sentences, lemmas, windows) with only its allowed-scope half:
 * banned topics and competitors stay with `topics()` on the input.
 */

const topicName = z.string().trim().min(1, 'must be a non-empty topic name').max(100, 'must be at most 100 characters');
const phraseList = z.array(z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'));

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "off-topic"')
      .default('off-topic'),
    stages: z
      .array(z.enum(['output']))
      .min(1, 'must be ["output"]: off-topic looks at answers')
      .default(['output']),
    /** The scope: answers matching none of these topics are `off-topic`. */
    allowed: z.array(topicName).min(1, 'must name at least one allowed topic, e.g. ["billing"]'),
    /** A few answer-like sentences per allowed topic. */
    examples: z.record(topicName, phraseList).default({}),
    /** Words or phrases per allowed topic; the topic's name is one of them. */
    keywords: z.record(topicName, phraseList).default({}),
    /** An allowed topic matches when its score reaches this (see topics()). */
    threshold: z.number().min(0.05).max(1).default(0.3),
    /** Greetings, thanks and short small talk are never off-topic. */
    allowSmallTalk: z.boolean().default(true),
    /** Extra small-talk words (lower case). */
    smallTalk: z.array(z.string().min(1)).default([]),
    /** Characters examined at most (the start of the answer). */
    maxChars: z.number().int().min(100).max(10_000_000).default(100_000),
    /** Characters given to the lemmatizer at most. */
    maxLemmaChars: z.number().int().min(0).max(100_000).default(2048),
    /** Answers are scored in windows of about this many characters; the best window counts. */
    windowChars: z.number().int().min(100).max(100_000).default(400),
  })
  .strict();

export type OffTopicOptions = z.input<typeof optionsSchema>;

/**
 * Reports an answer outside the allowed topics: category `off-topic`, no span (it is about the whole
 * answer), `data.closestTopic` and `data.similarity`. Recommended rule: `flag`.
 *
 * @example
 * offTopic({
 *   allowed: ['billing', 'appointments'],
 *   examples: { billing: ['Your invoice was charged twice; the refund takes 5 days.'] },
 * });
 */
export function offTopic(options: OffTopicOptions): Detector {
  const config = parseConfig(optionsSchema, options, 'offTopic() options');
  const inner = topics({
    id: config.id,
    stages: ['output'],
    allowed: config.allowed,
    examples: config.examples,
    keywords: config.keywords,
    threshold: config.threshold,
    allowSmallTalk: config.allowSmallTalk,
    smallTalk: config.smallTalk,
    maxChars: config.maxChars,
    maxLemmaChars: config.maxLemmaChars,
    windowChars: config.windowChars,
  });
  const onlyOffTopic = (findings: readonly FindingInput[]): readonly FindingInput[] =>
    findings.filter((finding) => finding.category === 'off-topic');
  const floor = Math.min(0.5, 1 - config.threshold);

  return {
    id: config.id,
    stages: config.stages,
    // Flag, not block: an answer is judged after the cost is paid, and a drifting answer is usually
    // better retried or reviewed than withheld. Policies that want it withheld set `block`.
    rules: [{ category: 'off-topic', minScore: floor, action: 'flag' }],
    detect(text: string, context: DetectContext) {
      const result = inner.detect(text, context);
      return result instanceof Promise ? result.then(onlyOffTopic) : onlyOffTopic(result);
    },
  };
}

/** Registry entry: `off-topic` needs its allowed topics. */
export const offTopicEntry: DetectorFactory = {
  id: 'off-topic',
  stages: ['output'],
  description:
    'The answer drifts outside the allowed topics (reuses topics() from @parapet/detectors); options: allowed, examples, keywords, threshold',
  requiresOptions: true,
  create: (options) => {
    if (options === undefined) {
      throw new ConfigError({
        message:
          'Detector "off-topic" needs options: set policy.detectors["off-topic"].options = { allowed: ["billing"], examples: { billing: ["…"] } }.',
      });
    }
    return offTopic(options as OffTopicOptions);
  },
};
