export {
  CODE_LANGUAGES,
  type CodeInPromptOptions,
  type CodeLanguage,
  codeInPrompt,
} from './code-in-prompt.js';
export { type EncodedPayloadOptions, encodedPayload } from './encoded-payload.js';
export { type GibberishOptions, gibberish } from './gibberish.js';
export { HARMFUL_CATEGORIES, type HarmfulRequestOptions, harmfulRequest } from './harmful-request.js';
export { type IndirectInjectionOptions, indirectInjection } from './indirect-injection.js';
export type { ClassifierLayer } from './injection/family-detector.js';
export { loadInjectionModel } from './injection-model.js';
export {
  INVISIBLE_FAMILIES,
  type InvisibleFamily,
  type InvisibleTextOptions,
  invisibleText,
} from './invisible-text.js';
export { JAILBREAK_CATEGORIES, type JailbreakOptions, jailbreak } from './jailbreak.js';
export {
  detectLanguage,
  LANGUAGE_NAMES,
  type LanguageGuess,
  type LanguageOptions,
  language,
  SUPPORTED_LANGUAGES,
} from './language.js';
export { PROMPT_INJECTION_CATEGORIES, type PromptInjectionOptions, promptInjection } from './prompt-injection.js';
export { detectorsRegistry } from './registry.js';
export {
  resetSessionRisk,
  type SessionRiskOptions,
  sessionRisk,
  sessionRiskKey,
  sessionRiskOf,
} from './session-risk.js';
export {
  countTokens,
  loadTokenizer,
  TOKEN_ENCODINGS,
  type TokenEncoding,
  type TokenLimitOptions,
  tokenizerLoaded,
  tokenLimit,
} from './token-limit.js';
export { preloadTopics, type TopicsOptions, topics } from './topics.js';
