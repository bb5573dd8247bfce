import type { Detector, DetectorFactory } from '@parapet/core';
import { type FamilyOptions, familyDetector } from './injection/family-detector.js';

export type HarmfulRequestOptions = FamilyOptions;

export const HARMFUL_CATEGORIES = [
  'weapons',
  'evasion',
  'cybercrime',
  'violence',
  'sexual-minors',
  'sexual',
  'self-harm',
  'harassment',
  'hate',
  'fraud',
  'misinformation',
  'privacy',
] as const;

/**
 * Requests for clearly harmful help (HarmBench-like: weapons and agents, drugs, malware and intrusion,
 * violence, sexual content with minors, self-harm methods, harassment, hate, fraud, misinformation
 * campaigns) that does not fire on safe look-alikes such as "how do I kill a Python process".
 */
export function harmfulRequest(options: HarmfulRequestOptions = {}): Detector {
  return familyDetector(
    {
      where: 'harmfulRequest()',
      defaultId: 'harmful-request',
      defaultStages: ['input'],
      head: 'harmful',
      modelCategory: 'harmful-request',
      families: ['harmful'],
      ruleCategories: HARMFUL_CATEGORIES,
      describe: 'harmful request',
      dampLookalikes: true,
    },
    options,
  );
}

export const harmfulRequestEntry: DetectorFactory = {
  id: 'harmful-request',
  stages: ['input'],
  description: 'Requests for clearly harmful help (weapons, malware, violence, self-harm, …), not look-alikes',
  create: (options) => harmfulRequest(options as never),
};
