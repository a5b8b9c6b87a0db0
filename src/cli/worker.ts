/** `andon worker`: serves a queue until stopped, then says what it did. */
import { isAndonError, type RedisError } from '../errors.js';
import { formatDuration } from '../format.js';
import { redisBackendFor } from './redis-backend.js';
import type { QueueWorker } from '../redis/worker.js';
import type { WorkerPlan } from './worker-args.js';
import type { ByteSink } from './output.js';
import { UsageError } from '../errors.js';

/** Runs the worker; resolves with the exit code: 0 after a stop, 1 if Redis was lost for good. */
export async function runWorker(plan: WorkerPlan, stderr: ByteSink): Promise<number> {
  const backend = await redisBackendFor(plan.redis);
  const { startWorker } = await import('../redis/index.js');
  let worker: QueueWorker;
  try {
    worker = await startWorker({
      backend,
      concurrency: plan.jobs,
      module: plan.module,
      grace: plan.graceMs,
      lockDuration: plan.lockDurationMs,
      onNotice: (line) => stderr.write(`${line}\n`),
    });
  } catch (error) {
    if (isAndonError(error, 'ANDON_REDIS') || isAndonError(error, 'ANDON_OPTION'))
      throw new UsageError((error as Error).message);
    throw error;
  }
  stderr.write(
    `andon worker: serving queue ${plan.redis.queue} on ${backend.where}, ${plan.jobs} at a time${plan.module === undefined ? '' : `, functions from ${plan.module}`}; Ctrl+C or SIGTERM stops it (jobs get ${formatDuration(plan.graceMs)}, then go back to the queue)\n`,
  );
  try {
    const summary = await worker.closed;
    stderr.write(
      `andon worker: stopped; ${summary.finished} finished, ${summary.stopped} stopped by their submitter, ${summary.handedBack} handed back to the queue\n`,
    );
    return 0;
  } catch (error) {
    if (!isAndonError(error, 'ANDON_REDIS')) throw error;
    stderr.write(`andon worker: ${(error as RedisError).message}\n`);
    // BullMQ keeps timers of a worker whose server vanished; the worker is done, so is the process.
    process.exit(1);
  }
}
