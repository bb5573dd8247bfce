import { z } from 'zod';
import { type Detector, STAGES, type Stage } from './types.js';
import { parseConfig } from './validate.js';

const DETECTOR_ID = /^[a-z0-9]+(?:[-.:/][a-z0-9]+)*$/;

export const detectorSchema = z.object({
  id: z
    .string({ error: () => 'must be a string' })
    .regex(DETECTOR_ID, 'must be kebab-case (lower-case letters, digits and dashes), e.g. "no-internal-codenames"'),
  stages: z
    .array(z.enum(STAGES as [Stage, ...Stage[]], { error: () => `must be one of ${STAGES.join(', ')}` }))
    .min(1, 'must name at least one stage'),
  detect: z.custom<Detector['detect']>(
    (value) => typeof value === 'function',
    'must be a function (text, context) => findings',
  ),
  rules: z
    .array(
      z
        .object({
          category: z.string().optional(),
          minScore: z.number().min(0).max(1),
          action: z.enum(['allow', 'flag', 'redact', 'review', 'block']),
        })
        .strict(),
    )
    .optional(),
});

/**
 * Declares a detector. An identity function for type inference that also validates the shape once, at
 * definition time, so a typo fails at startup instead of on the first request.
 *
 * @example
 * const codenames = defineDetector({
 *   id: 'no-internal-codenames',
 *   stages: ['input', 'output'],
 *   detect: (text) => (/project\s+falcon/i.test(text) ? [{ category: 'confidential', score: 1, message: 'internal codename' }] : []),
 * });
 */
export function defineDetector<T extends Detector>(detector: T): T {
  parseConfig(detectorSchema, detector, 'detector', 'detector');
  return detector;
}
