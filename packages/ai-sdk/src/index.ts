export { parapetMiddleware } from './middleware.js';
export type { ContextRequest, ContextResolver, ParapetMiddlewareOptions } from './options.js';
