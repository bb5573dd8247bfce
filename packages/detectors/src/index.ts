export { HARMFUL_CATEGORIES, type HarmfulRequestOptions, harmfulRequest } from './harmful-request.js';
export { type IndirectInjectionOptions, indirectInjection } from './indirect-injection.js';
export type { ClassifierLayer } from './injection/family-detector.js';
export { loadInjectionModel } from './injection-model.js';
export { JAILBREAK_CATEGORIES, type JailbreakOptions, jailbreak } from './jailbreak.js';
export { PROMPT_INJECTION_CATEGORIES, type PromptInjectionOptions, promptInjection } from './prompt-injection.js';
export { detectorsRegistry } from './registry.js';
