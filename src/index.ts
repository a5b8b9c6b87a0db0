/** andon: interruptible parallel work for Node.js. Everything public is exported here. */
export { createPool, Pool } from './pool/pool.js';
export type { JoinOptions, StopOptions, StreamOptions } from './pool/pool.js';
export type { AsyncPoolOptions, CommandContext, CommandItem, CommandPoolOptions, PoolOptions, RemoteModulePoolOptions, ThreadPoolOptions } from './pool/executors.js';
export { redisBackend, RedisBackend } from './redis/backend.js';
export type { RedisBackendOptions } from './redis/backend.js';
export type { RedisConnectionOptions } from './redis/connection.js';
export { startWorker, QueueWorker } from './redis/worker.js';
export type { QueueWorkerOptions, QueueWorkerSummary } from './redis/worker.js';
export type { CommandResult, CommandSpec, OutputStream } from './run/process/process-executor.js';
export { DEFAULT_TERMSEQ } from './run/process/termseq.js';
export { shellQuote } from './command/quote.js';
export type { CommonPoolOptions, JobLogOptions } from './pool/options.js';
export type { BackoffOptions } from './pool/backoff.js';
export type { PoolInput } from './pool/input.js';
export type { CancelledResult, DoneResult, FailedResult, NotStartedResult, SkippedResult, TaskResult, TaskResultBase } from './pool/result.js';
export { JobLogError } from './joblog/job-log-error.js';
export { formatSummary } from './pool/summary.js';
export type { Counts, Summary } from './pool/summary.js';
export type { TaskFunction } from './run/inline.js';

export { StopController } from './stop/controller.js';
export { STOP_REASONS } from './stop/token.js';
export type { SleepOutcome, StopReason, StopToken, WorkerStopToken } from './stop/token.js';
export { currentStop } from './stop/current.js';
export { transfer } from './run/transfer.js';

export { main } from './main.js';
export type { MainOptions } from './main.js';
export { exitCodeFor, INTERRUPT_SIGNALS } from './interrupt/signals.js';
export type { InterruptSignal } from './interrupt/signals.js';
export type { SignalSource } from './interrupt/coordinator.js';

export {
  AbandonedError,
  AndonError,
  BackendError,
  CommandFailedError,
  InputError,
  InterruptedError,
  isAndonError,
  NonErrorThrownError,
  OptionError,
  PoolBusyError,
  RedisError,
  SpawnError,
  StoppedError,
  TimeoutError,
} from './errors.js';
export type { AndonErrorCode, CommandOutcome } from './errors.js';
