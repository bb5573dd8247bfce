export {
  type ParapetCallbackOptions,
  parapetCallbackHandler,
} from './callback-handler.js';
export { parapetMiddleware } from './middleware.js';
export type {
  ContextOption,
  ContextRequest,
  LangChainGuardContext,
  ParapetMiddlewareOptions,
} from './options.js';
export { type GuardMessageStreamOptions, guardMessageStream } from './stream.js';
