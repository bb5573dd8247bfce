import type { LanguageModelMiddleware } from 'ai';

// `ai` (the peer dependency) does not re-export the provider's V4 types, and `@ai-sdk/provider` is not ours
// to require: derive them from the middleware type `ai` does export, so they always match the installed ai.
type TransformParams = NonNullable<LanguageModelMiddleware['transformParams']>;
type WrapGenerate = NonNullable<LanguageModelMiddleware['wrapGenerate']>;
type WrapStream = NonNullable<LanguageModelMiddleware['wrapStream']>;

/** `LanguageModelV4CallOptions`: what one model call receives. */
export type CallOptions = Parameters<TransformParams>[0]['params'];
/** `LanguageModelV4Prompt`. */
export type Prompt = CallOptions['prompt'];
export type PromptMessage = Prompt[number];
/** `LanguageModelV4GenerateResult`. */
export type GenerateResult = Awaited<ReturnType<WrapGenerate>>;
export type Content = GenerateResult['content'][number];
/** `LanguageModelV4StreamResult`. */
export type StreamResult = Awaited<ReturnType<WrapStream>>;
/** `LanguageModelV4StreamPart`. */
export type StreamPart = StreamResult['stream'] extends ReadableStream<infer Part> ? Part : never;
export type ToolCallPart = Extract<Content, { type: 'tool-call' }>;
export type FinishPart = Extract<StreamPart, { type: 'finish' }>;
