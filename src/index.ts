/**
 * andon: interruptible parallel work for Node.js. Everything public is exported here; the
 * Redis backend has an entry point of its own, `andon/redis`, so that a program that does not
 * use it never loads it.
 */
export { createPool } from './api/create-pool.js';
export type {
  AsyncPoolOptions,
  CommandContext,
  CommandFunction,
  CommandItem,
  CommandPoolOptions,
  CommonPoolOptions,
  JobLogOptions,
  PoolOptions,
  RemoteModulePoolOptions,
  ThreadPoolOptions,
} from './api/pool-options.js';
export { Pool } from './pool/pool.js';
export type { JoinOptions, StopOptions, StreamOptions } from './pool/pool.js';
export type {
  LiveCounts,
  RunEnded,
  RunForced,
  RunHandle,
  RunObserver,
  RunStarted,
  RunStopping,
  TaskOutput,
  TaskStarted,
} from './pool/lifecycle.js';
export type { Backend, CommandJobs, ModuleJobs } from './run/backend.js';
export type { Executor, OpenedRun, OutputStream, TaskContext } from './run/executor.js';
export type { CommandResult, CommandSpec, DirectLine } from './run/process/process-executor.js';
export { DEFAULT_TERMSEQ } from './run/process/termseq.js';
export type { TermStep } from './run/process/termseq.js';
export { DEFAULTS } from './options/defaults.js';
export { shellQuote } from './command/quote.js';
export type { BackoffOptions } from './pool/backoff.js';
export type { PoolInput } from './pool/input.js';
export type {
  CancelledResult,
  DoneResult,
  FailedResult,
  NotStartedResult,
  SkippedResult,
  TaskResult,
  TaskResultBase,
} from './pool/result.js';
export { JobLogError } from './joblog/job-log-error.js';
export { formatSummary } from './pool/summary.js';
export type { Counts, FailedItem, Summary } from './pool/summary.js';
export type { TaskFunction } from './run/inline.js';

export { StopController } from './stop/controller.js';
export { STOP_REASONS } from './stop/token.js';
export type { SleepOutcome, StopReason, StopToken, WorkerStopToken } from './stop/token.js';
export { currentStop } from './stop/current.js';
export { transfer } from './run/transfer.js';

export { main } from './main.js';
export type { MainOptions } from './main.js';
export { exitCodeFor, INTERRUPT_SIGNALS } from './stop/signals.js';
export type {
  EndingSignal,
  InterruptParticipant,
  InterruptSignal,
  NoticeWriter,
  SignalSource,
} from './stop/signals.js';

export {
  AbandonedError,
  AndonError,
  CommandFailedError,
  isAndonError,
  NonErrorThrownError,
  OptionError,
  PoolBusyError,
  PoolClosedError,
  RedisError,
  SpawnError,
  StoppedError,
  ThreadExitedError,
  TimeoutError,
  UnsendableError,
  UsageError,
  WorkerModuleError,
} from './errors.js';
export type { AndonErrorCode, CommandOutcome } from './errors.js';
export { BackendError, InputError, InterruptedError } from './pool/run-errors.js';
export { listRuns, stopRun, stopAllRuns, type StopOptions as RunStopOptions } from './control/client.js';
export type { RunStatus, StopAnswer } from './control/protocol.js';
export type { FailureTail } from './control/failure-tails.js';
export { ControlError } from './control/control-error.js';
export { registerPool, type RegisterPoolOptions } from './control/register-pool.js';
