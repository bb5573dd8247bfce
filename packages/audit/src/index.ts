export {
  CHAIN_VERSION,
  Chain,
  type ChainHead,
  type ChainOptions,
  type ChainProblem,
  type ChainRecord,
  type CheckpointRecord,
  type EventRecord,
  GENESIS,
  hashRecord,
  type ProblemKind,
  type VerifyReport,
  verifyChain,
} from './chain.js';
export {
  type FanoutAuditSink,
  type FanoutErrorInfo,
  type FanoutOptions,
  type FanoutStats,
  fanout,
} from './fanout.js';
export { type JsonlSink, type JsonlSinkOptions, type JsonlSinkStats, jsonlSink } from './jsonl-sink.js';
export { type LoggerAuditSink, type LoggerSinkOptions, loggerSink, type StructuredLogger } from './logger-sink.js';
export { type OtelAuditSink, type OtelSinkOptions, otelSink, riskCategory } from './otel-sink.js';
export { type Backpressure, BatchQueue, type BatchQueueOptions, type QueueStats } from './queue.js';
export { auditEventSchema, auditFindingSchema, parseAuditEvent } from './schema.js';
export {
  type AuditQueryOptions,
  type AuditStats,
  type AuditStatsOptions,
  auditStats,
  parseSince,
  queryAudit,
} from './sqlite-query.js';
export {
  reindexSqlite,
  type SqliteReindexReport,
  type SqliteSink,
  type SqliteSinkOptions,
  type SqliteVerifyReport,
  sqliteSink,
  verifySqlite,
} from './sqlite-sink.js';
export { type JsonlVerifyReport, type VerifyJsonlOptions, verifyJsonl } from './verify-jsonl.js';
