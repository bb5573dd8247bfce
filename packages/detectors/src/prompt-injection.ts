import type { Detector, DetectorFactory } from '@parapet/core';
import { type FamilyOptions, familyDetector } from './injection/family-detector.js';

export type PromptInjectionOptions = FamilyOptions;

/** Categories the rule layer of `promptInjection()` reports, besides the model's `prompt-injection`. */
export const PROMPT_INJECTION_CATEGORIES = [
  'instruction-override',
  'role-reassignment',
  'system-prompt-extraction',
  'secret-extraction',
  'forged-turn',
  'payload-splitting',
  'encoded-instruction',
  'false-authority',
  'personal-data-extraction',
  'forbidden-topic',
] as const;

/**
 * Direct prompt injection in user input, in layers: phrase and structure rules in seven languages
 * (instruction override, role reassignment, system-prompt and secret extraction, forged turns and chat
 * template tokens, payload splitting), the trained model scored over sliding windows, decoded payloads
 * (base64, hex, URL, rot13, tag characters) rescanned, and any classifier you add.
 *
 * @example
 * const guard = createGuard({ input: [promptInjection()] });
 * const guard2 = createGuard({ input: [promptInjection({ classifiers: [{ id: 'onnx', score: myOnnxScore }] })] });
 */
export function promptInjection(options: PromptInjectionOptions = {}): Detector {
  return familyDetector(
    {
      where: 'promptInjection()',
      defaultId: 'prompt-injection',
      defaultStages: ['input'],
      head: 'injection',
      modelCategory: 'prompt-injection',
      families: ['injection'],
      ruleCategories: PROMPT_INJECTION_CATEGORIES,
      describe: 'prompt injection',
      contextual: true,
    },
    options,
  );
}

export const promptInjectionEntry: DetectorFactory = {
  id: 'prompt-injection',
  stages: ['input', 'tool_input', 'tool_output', 'output'],
  description: 'Prompt injection: override/role/extraction/forged-turn rules in 7 languages + a trained model',
  defaultFor: ['input'],
  create: (options) => promptInjection(options as never),
};
