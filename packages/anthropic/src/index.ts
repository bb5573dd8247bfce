export { type AnthropicClientLike, guardAnthropic } from './guard-anthropic.js';
export { GuardedAPIPromise } from './guarded-promise.js';
export type { AnthropicContext, GuardAnthropicOptions, MessagesRequestLike } from './options.js';
