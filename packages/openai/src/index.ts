export type { GuardedPromise } from './call.js';
export { guardOpenAI } from './guard-openai.js';
export type { GuardOpenAIOptions, OpenAIApi, OpenAIRequestInfo, VerdictInfo } from './options.js';
