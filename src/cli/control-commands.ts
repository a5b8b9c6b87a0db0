/** `andon status` and `andon stop`: what they print. */
import { listRuns, stopAllRuns, stopRun } from '../control/client.js';
import { RunControl, type StopRequest } from '../control/run-control.js';
import { registryDir } from '../control/registry.js';
import { interruptCoordinator } from '../interrupt/coordinator.js';
import type { RunStatus, StopAnswer } from '../control/protocol.js';
import { formatDuration } from '../format.js';
import type { StatusPlan, StopPlan } from './control-args.js';
import type { ByteSink } from './output.js';

/** A run's line: id, pid, host, age, counts, rate, ETA, and its command. */
function statusLine(run: RunStatus, now: number): string {
  const { done, failed, running, settled, total } = run.counts;
  const elapsed = Math.max(1, now - run.startedAt);
  const rate = (settled / elapsed) * 1000;
  const left = total === undefined ? undefined : Math.max(0, total - settled - running);
  const eta = left === undefined || rate === 0 ? '?' : formatDuration(((left + running) / rate) * 1000);
  return [
    run.id,
    `pid ${run.pid}@${run.host}`,
    `up ${formatDuration(elapsed)}`,
    `${done} done, ${failed} failed, ${running} running, ${left ?? '?'} left`,
    `${rate.toFixed(1)}/s`,
    `ETA ${eta}`,
    run.state === 'running' ? '' : run.state,
    run.command,
  ]
    .filter((part) => part !== '')
    .join('  ');
}

/** Lists the runs; resolves with the exit code (0, also when there are none). */
export async function showStatus(plan: StatusPlan, stdout: ByteSink): Promise<number> {
  const runs = await listRuns();
  if (plan.json) stdout.write(`${JSON.stringify(runs)}\n`);
  else if (runs.length === 0) stdout.write('andon: no runs in progress\n');
  else for (const run of runs) stdout.write(`${statusLine(run, Date.now())}\n`);
  return 0;
}

function stopLine(answer: StopAnswer): string {
  return `andon: run ${answer.id} (pid ${answer.pid}) is ${answer.state === 'forcing' ? 'forcing its jobs to stop' : 'stopping: its running jobs get their grace period; andon stop again forces'}`;
}

/** Stops the run (or all); resolves with the exit code. @throws ControlError */
export async function stopRuns(plan: StopPlan, stderr: ByteSink): Promise<number> {
  const answers =
    plan.run === undefined
      ? await stopAllRuns({ force: plan.force })
      : [await stopRun(plan.run, { force: plan.force })];
  if (answers.length === 0) stderr.write('andon: no runs in progress\n');
  for (const answer of answers) stderr.write(`${stopLine(answer)}\n`);
  return 0;
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
 * registry cannot be used, the run goes on unlisted, with a warning.
 */
export function runControlFor(command: string, stderr: ByteSink): RunControl | undefined {
  let dir: string;
  try {
    dir = registryDir();
  } catch (error) {
    stderr.write(`andon: warning: ${(error as Error).message}; andon status will not list this run\n`);
    return undefined;
  }
  return new RunControl(dir, command, stopAsCtrlC(stderr));
}
