/**
 * Every default andon applies, in one place: `createPool`, `startWorker`, the command line and
 * `--help` all read them from here, so a default is changed once and said the same everywhere.
 * Durations are in milliseconds.
 */
export const DEFAULTS = {
  /** After a graceful stop, how long running tasks may take before they are forced. */
  grace: 5_000,
  /** How many times a failed task is retried (the library counts retries, not tries). */
  retries: 0,
  /** Per-task time limit. */
  timeout: Infinity,
  /** Delay before the first retry, growth factor, longest delay, jitter. */
  backoff: { initial: 100, factor: 2, max: 30_000, jitter: true },
  /** Sent to a command's process group on a graceful stop, as the terminal would have. */
  stopSignal: 'SIGINT',
  /** GNU parallel's termination sequence: three TERMs with shrinking waits, then KILL. */
  termseq: 'TERM,200,TERM,100,TERM,50,KILL,25',
  /** Bytes of stdout and of stderr kept in a command's result. */
  maxBuffer: 16 * 1024 * 1024,
  /** Command output through pipes, seen as it comes. */
  liveOutput: true,
  /** Jobs on a queue at once, for a pool with a backend (each worker's -j sets how many run). */
  queuedJobs: 100,
  /** After losing Redis midway, how long to keep reconnecting before giving up. */
  reconnectTimeout: 30_000,
  /** BullMQ's job lock: how soon other workers take back the jobs of a worker that died. */
  lockDuration: 30_000,
} as const;
