import type { Detector, DetectorFactory } from '@parapet/core';
import { type FamilyOptions, familyDetector } from './injection/family-detector.js';
import { PROMPT_INJECTION_CATEGORIES } from './prompt-injection.js';

export type IndirectInjectionOptions = FamilyOptions;

/**
 * Instructions addressed to the AI inside untrusted content: retrieved chunks, e-mails, web pages, tool
 * outputs. Uses a model head trained on documents (BIPIA, InjecAgent, AgentDojo), so an out-of-place task
 * inside an e-mail counts even when it would be a harmless request from the user, plus notes to the AI,
 * override phrases and forged turns.
 */
export function indirectInjection(options: IndirectInjectionOptions = {}): Detector {
  return familyDetector(
    {
      where: 'indirectInjection()',
      defaultId: 'indirect-injection',
      defaultStages: ['tool_output'],
      head: 'indirect',
      modelCategory: 'indirect-injection',
      families: ['indirect', 'injection'],
      ruleCategories: ['hidden-instruction', ...PROMPT_INJECTION_CATEGORIES],
      describe: 'instructions hidden in data',
    },
    options,
  );
}

export const indirectInjectionEntry: DetectorFactory = {
  id: 'indirect-injection',
  stages: ['tool_output', 'input', 'output'],
  description: 'Instructions addressed to the AI inside retrieved documents, e-mails, web pages and tool outputs',
  defaultFor: ['tool_output'],
  create: (options) => indirectInjection(options as never),
};
