/** `andon status` and `andon stop`: what they print. */
import { RunControl, type StopRequest } from '../control/run-control.js';
import { registryDir } from '../control/registry.js';
import { interruptCoordinator } from '../interrupt/coordinator.js';
import type { StopAnswer } from '../control/protocol.js';
import { formatDuration } from '../format.js';
import type { WorkerPresence } from '../redis/protocol.js';
import type { QueueStopAnswer } from '../redis/queue-board.js';
import type { StatusPlan, StopPlan } from './control-args.js';
import type { ByteSink } from './output.js';
import { readBoard, type ShownRun, stopRuns } from './run-board.js';

/** A run's line: id, pid, host, age, counts, rate, ETA, and its command. */
function statusLine(run: ShownRun, now: number): string {
  const elapsed = Math.max(1, now - run.startedAt);
  const parts = [run.id, `pid ${run.pid}@${run.host}`, `up ${formatDuration(elapsed)}`];
  if (run.counts !== undefined) {
    const { done, failed, running, settled, total } = run.counts;
    const rate = (settled / elapsed) * 1000;
    const left = total === undefined ? undefined : Math.max(0, total - settled - running);
    const eta = left === undefined || rate === 0 ? '?' : formatDuration(((left + running) / rate) * 1000);
    parts.push(
      `${done} done, ${failed} failed, ${running} running, ${left ?? '?'} left`,
      `${rate.toFixed(1)}/s`,
      `ETA ${eta}`,
    );
  }
  if (run.state !== 'running') parts.push(run.state);
  if (run.queue !== undefined) parts.push(`queue ${run.queue}`);
  parts.push(run.command ?? '(a library pool)');
  return parts.join('  ');
}

/** A worker's line: where, which queue, how many at once, and what it runs now. */
function workerLine(worker: WorkerPresence, now: number): string {
  const running = worker.running.map(
    (job) => `${job.jobId} (${job.what}, ${formatDuration(Math.max(0, now - job.since))})`,
  );
  return [
    `worker pid ${worker.pid}@${worker.host}`,
    `queue ${worker.queue}`,
    `-j ${worker.concurrency}`,
    worker.state,
    `up ${formatDuration(Math.max(1, now - worker.startedAt))}`,
    `${worker.finished} finished`,
    running.length === 0 ? 'idle' : `running ${running.join(', ')}`,
  ].join('  ');
}

/** Lists the runs (and with --redis the workers); resolves with the exit code (0, also when there are none). */
export async function showStatus(plan: StatusPlan, stdout: ByteSink): Promise<number> {
  const { runs, workers } = await readBoard(plan.redis);
  const now = Date.now();
  if (plan.json) stdout.write(`${JSON.stringify(workers === undefined ? runs : { runs, workers })}\n`);
  else {
    if (runs.length === 0) stdout.write('andon: no runs in progress\n');
    for (const run of runs) stdout.write(`${statusLine(run, now)}\n`);
    for (const worker of workers ?? []) stdout.write(`${workerLine(worker, now)}\n`);
  }
  return 0;
}

function stopLine(answer: StopAnswer | QueueStopAnswer): string {
  const where = 'queue' in answer ? `pid ${answer.pid}@${answer.host}, queue ${answer.queue}` : `pid ${answer.pid}`;
  if (answer.state === 'unanswered')
    return `andon: run ${answer.id} (${where}) did not take the stop: ${answer.reason}`;
  const how =
    answer.state === 'ended'
      ? 'over'
      : answer.state === 'forcing'
        ? 'forcing its jobs to stop'
        : 'stopping: its running jobs get their grace period; andon stop again forces';
  return `andon: run ${answer.id} (${where}) is ${how}`;
}

/** Stops the run (or all), here or with --redis on the server's queues; resolves with the exit code. @throws ControlError */
export async function stopRunsAsAsked(plan: StopPlan, stderr: ByteSink): Promise<number> {
  const answers = await stopRuns(plan.run, plan.force, plan.redis);
  if (answers.length === 0) stderr.write('andon: no runs in progress\n');
  for (const answer of answers) stderr.write(`${stopLine(answer)}\n`);
  // A run left going is not a stop done: a script must not go on as if it were.
  return answers.some((answer) => answer.state === 'unanswered') ? 1 : 0;
}

/**
 * A stop from elsewhere (`andon stop`, the live page's button), delivered as SIGTERM to this
 * process's runs, so it is exactly a Ctrl+C here (graceful, then forced; a second one
 * forces), and the run ends as SIGTERM ends it (143). Says in the run's terminal who stopped it.
 */
export function stopAsCtrlC(stderr: ByteSink): StopRequest {
  return (who, force) => {
    stderr.write(`andon: stopped by ${who}\n`);
    const coordinator = interruptCoordinator();
    const again = who === 'the live page' ? "the page's Force button" : 'andon stop again';
    const hint = `${again} or Ctrl+C here to force`;
    let count = coordinator.deliver('SIGTERM', hint);
    if (force && count === 1) count = coordinator.deliver('SIGTERM', hint);
    return count >= 2 ? 'forcing' : 'stopping';
  };
}

/**
 * The observer that lets `andon status` see this run and `andon stop` stop it. Where the
 * registry cannot be used, the run goes on unlisted on this machine, with a warning.
 */
export function runControlFor(
  command: string,
  stderr: ByteSink,
  more: ConstructorParameters<typeof RunControl>[3] = {},
): RunControl {
  let dir: string | undefined;
  try {
    dir = registryDir();
  } catch (error) {
    stderr.write(`andon: warning: ${(error as Error).message}; andon status will not list this run\n`);
  }
  return new RunControl(dir, command, stopAsCtrlC(stderr), more);
}
