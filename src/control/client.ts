/**
 * The other side: find this user's runs in progress, ask each how it is going, and stop one
 * as a Ctrl+C in its own terminal would (a second stop, or `force`, forces).
 */
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { ControlError } from './control-error.js';
import { type ControlRequest, MAX_LINE_BYTES, type RunStatus, type StopAnswer } from './protocol.js';
import { liveRegistrations, type RunRegistration, registryDir } from './registry.js';

/** A run that does not answer within this long is taken as busy or gone, not waited for. */
const ANSWER_TIMEOUT_MS = 5_000;

/** One question to the run listening on `socket`, and its answer. @throws ControlError */
function ask<T>(socket: string, request: ControlRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const connection = connect(socket);
    let received = '';
    const fail = (why: string): void => {
      connection.destroy();
      reject(new ControlError(why));
    };
    connection.setEncoding('utf8');
    connection.setTimeout(ANSWER_TIMEOUT_MS, () => fail(`the run at ${socket} did not answer`));
    connection.on('connect', () => connection.write(`${JSON.stringify(request)}\n`));
    connection.on('data', (text: string) => {
      received += text;
      if (received.length > MAX_LINE_BYTES) fail(`the run at ${socket} answered too much`);
    });
    connection.on('error', (error) => fail(`cannot reach the run at ${socket}: ${error.message}`));
    connection.on('end', () => {
      try {
        const answer = JSON.parse(received) as T | { error: string };
        if (typeof answer === 'object' && answer !== null && 'error' in answer) fail(answer.error);
        else resolve(answer as T);
      } catch {
        fail(`the run at ${socket} answered something else than andon's protocol`);
      }
    });
  });
}

/** Every run of this user in progress on this machine, with its counts, oldest first. */
export async function listRuns(env: NodeJS.ProcessEnv = process.env): Promise<RunStatus[]> {
  const registrations = liveRegistrations(registryDir(env));
  const answers = await Promise.allSettled(
    registrations.map((registration) => ask<RunStatus>(registration.socket, { op: 'status' })),
  );
  // A run that ended between the listing and the question is simply not listed.
  return answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value] : []));
}

/** The run whose id is `id` or starts with it. @throws ControlError for none, or more than one */
function findRun(registrations: readonly RunRegistration[], id: string): RunRegistration {
  const matching = registrations.filter((registration) => registration.id.startsWith(id));
  if (id === '' || matching.length === 0)
    throw new ControlError(`No run ${id} in progress (of yours, on this machine); andon status lists them`);
  if (matching.length > 1)
    throw new ControlError(
      `${id} is the start of ${matching.length} runs' ids (${matching.map((run) => run.id).join(', ')}); give more of it`,
    );
  return matching[0]!;
}

/** How a stop was asked for. */
export interface StopOptions {
  /** Force at once, as a second Ctrl+C would (default: graceful first). */
  readonly force?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Stops the run `id` (or the one run whose id starts with it), as Ctrl+C in its terminal:
 * graceful, then forced after its grace period; a second stop, or `force`, forces.
 * @throws ControlError if there is no such run, or it cannot be reached
 */
export async function stopRun(id: string, options: StopOptions = {}): Promise<StopAnswer> {
  const registration = findRun(liveRegistrations(registryDir(options.env)), id);
  return ask<StopAnswer>(registration.socket, {
    op: 'stop',
    force: options.force === true,
    from: { host: hostname(), pid: process.pid },
  });
}

/**
 * Stops every run of this user in progress on this machine; resolves with each one's answer.
 * A run that did not take the stop (it does not answer: stopped with Ctrl+Z, or hung) is
 * answered `unanswered` with the reason, so that it is not taken for stopped; one that ended
 * meanwhile is left out.
 */
export async function stopAllRuns(options: StopOptions = {}): Promise<StopAnswer[]> {
  const dir = registryDir(options.env);
  const registrations = liveRegistrations(dir);
  const answers = await Promise.allSettled(registrations.map((registration) => stopRun(registration.id, options)));
  const stillThere = new Set(liveRegistrations(dir).map((registration) => registration.id));
  return answers.flatMap((answer, index): StopAnswer[] => {
    if (answer.status === 'fulfilled') return [answer.value];
    const { id, pid } = registrations[index]!;
    return stillThere.has(id) ? [{ id, pid, state: 'unanswered', reason: (answer.reason as Error).message }] : [];
  });
}
