import type { Detector, DetectorFactory } from '@parapet/core';
import { type FamilyOptions, familyDetector } from './injection/family-detector.js';

export type JailbreakOptions = FamilyOptions;

export const JAILBREAK_CATEGORIES = ['jailbreak', 'many-shot'] as const;

/**
 * Jailbreaks: DAN and its relatives, developer/god/opposite modes, "no restrictions" personas, two-answer
 * formats, stay-in-character and token-penalty games, hypothetical framing, many-shot dialogues; plus the
 * trained model's attack score, reported as `jailbreak`.
 */
export function jailbreak(options: JailbreakOptions = {}): Detector {
  return familyDetector(
    {
      where: 'jailbreak()',
      defaultId: 'jailbreak',
      defaultStages: ['input'],
      head: 'injection',
      modelCategory: 'jailbreak',
      families: ['jailbreak'],
      ruleCategories: JAILBREAK_CATEGORIES,
      describe: 'jailbreak attempt',
    },
    options,
  );
}

export const jailbreakEntry: DetectorFactory = {
  id: 'jailbreak',
  stages: ['input', 'tool_output'],
  description: 'Jailbreaks: DAN, developer mode, unrestricted personas, role-play and many-shot framing',
  defaultFor: ['input'],
  create: (options) => jailbreak(options as never),
};
