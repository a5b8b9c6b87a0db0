/**
 * `andon/redis`: the Redis backend. Pools put their tasks on a BullMQ queue, and `andon worker`
 * processes (or `startWorker()`) on any number of machines run them. Needs the packages
 * `bullmq` and `ioredis`, which are loaded only when a backend connects.
 */
export { redisBackend, RedisBackend } from './backend.js';
export type { RedisBackendOptions } from './backend.js';
export type { RedisConnectionOptions } from './connection.js';
export { startWorker, QueueWorker } from './worker.js';
export type { QueueWorkerOptions, QueueWorkerSummary } from './worker.js';
export { readQueueBoard, readQueueRunJobs, stopAllQueueRuns, stopQueueRun } from './queue-board.js';
export type { QueueBoard, QueueBoardTarget, QueueRun, QueueStopAnswer } from './queue-board.js';
export type { WorkerPresence } from './protocol.js';
