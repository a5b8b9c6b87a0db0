/** `--redis URL --queue NAME` of a run, and the command line of `andon worker`. */
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../options/defaults.js';
import { UsageError } from '../errors.js';
import type { HelpPlan } from './help.js';
import { didYouMean } from './suggest.js';
import { positiveInteger, seconds } from './values.js';

/** Where a run's jobs go, or a worker's come from: `--redis URL --queue NAME`. */
export interface RedisPlan {
  readonly url: string;
  readonly queue: string;
  readonly reconnectTimeoutMs: number;
}

/** `andon worker`, as the command line asked for it. */
export interface WorkerPlan {
  readonly action: 'worker';
  readonly redis: RedisPlan;
  readonly jobs: number;
  readonly module: string | undefined;
  readonly graceMs: number;
  readonly lockDurationMs: number;
}

const WORKER_USAGE =
  'usage: andon worker --redis URL --queue NAME [-j N] [--module PATH] [--grace SECS] [--lock-duration SECS] [--reconnect-timeout SECS]';

/** Checks --redis and --queue, which go together. */
export function redisPlan(
  url: string | undefined,
  queue: string | undefined,
  reconnectTimeout: string | undefined,
  usage: string,
): RedisPlan | undefined {
  if (url === undefined && queue === undefined) {
    if (reconnectTimeout !== undefined) throw new UsageError(`--reconnect-timeout is for runs with --redis; ${usage}`);
    return undefined;
  }
  if (url === undefined)
    throw new UsageError(`--queue needs --redis URL: the Redis server that holds the queue; ${usage}`);
  if (queue === undefined || queue === '')
    throw new UsageError(`--redis needs --queue NAME: the queue that submitter and workers share; ${usage}`);
  return {
    url,
    queue,
    reconnectTimeoutMs:
      reconnectTimeout === undefined ? DEFAULTS.reconnectTimeout : seconds('--reconnect-timeout', reconnectTimeout),
  };
}

const WORKER_OPTIONS = [
  '--redis',
  '--queue',
  '--jobs',
  '--module',
  '--grace',
  '--lock-duration',
  '--reconnect-timeout',
];

/** The worker's options, as util.parseArgs reads them. */
function parseWorkerArgs(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      redis: { type: 'string' },
      queue: { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      module: { type: 'string' },
      grace: { type: 'string' },
      'lock-duration': { type: 'string' },
      'reconnect-timeout': { type: 'string' },
    },
  });
}

/** `andon worker --redis URL --queue NAME …`: ordinary options, so util.parseArgs reads them. */
export function parseWorker(args: readonly string[], defaultJobs: number): WorkerPlan | HelpPlan {
  if (args.includes('--help') || args.includes('-h')) return { action: 'help', topic: 'worker' };
  let parsed: ReturnType<typeof parseWorkerArgs>;
  try {
    parsed = parseWorkerArgs(args);
  } catch (error) {
    const message = (error as Error).message
      .split('\n')[0]!
      .replace(/\. To specify a positional argument starting with a '-'.*$/, '');
    const unknown = /^Unknown option '(--[^']+)'/.exec(message)?.[1];
    const hint = unknown === undefined ? '' : didYouMean(unknown, WORKER_OPTIONS);
    throw new UsageError(`${message}${hint}; ${WORKER_USAGE}`);
  }
  const { values } = parsed;
  const redis = redisPlan(values.redis, values.queue, values['reconnect-timeout'], WORKER_USAGE);
  if (redis === undefined) throw new UsageError(`andon worker needs --redis URL and --queue NAME; ${WORKER_USAGE}`);
  if (values.module === '') throw new UsageError(`--module needs the path of a module; ${WORKER_USAGE}`);
  return {
    action: 'worker',
    redis,
    jobs: values.jobs === undefined ? defaultJobs : positiveInteger('-j', values.jobs, ''),
    module: values.module,
    graceMs: values.grace === undefined ? DEFAULTS.grace : seconds('--grace', values.grace, true),
    lockDurationMs:
      values['lock-duration'] === undefined
        ? DEFAULTS.lockDuration
        : seconds('--lock-duration', values['lock-duration']),
  };
}
