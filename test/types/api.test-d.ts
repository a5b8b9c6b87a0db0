/**
 * Type tests of the public API: compiled with the rest by `tsc -p .` (so `npm run build` and
 * `npx tsc -p . --noEmit` fail if one fails), never run — the name keeps it out of
 * `node --test dist/test/*.test.js`, and every check sits in a function nobody calls.
 * `@ts-expect-error` marks what must not compile; `expect<Equal<A, B>>()` what a type must be.
 */
import {
  type AndonError,
  type AndonErrorCode,
  type CommandItem,
  type CommandResult,
  createPool,
  InterruptedError,
  isAndonError,
  type Pool,
  type SleepOutcome,
  StopController,
  type StopReason,
  type StopToken,
  type Summary,
  type TaskResult,
  TimeoutError,
} from '../../src/index.js';

/** True when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when its type argument is `true`. */
function expect<_T extends true>(): void {}

export function pools(): void {
  // A task pool: I from the task's parameter, R from what it returns (awaited).
  const tasks = createPool({ concurrency: 4, task: async (url: string) => url.length });
  expect<Equal<typeof tasks, Pool<string, number>>>();
  const sync = createPool({ task: (n: number, stop: StopToken) => (stop.stopped ? 'stopped' : n.toFixed()) });
  expect<Equal<typeof sync, Pool<number, string>>>();
  // @ts-expect-error a task pool's items are what its task takes
  void tasks.run([1, 2, 3]);
  void tasks.run(['a', 'b']);
  void tasks.run(
    (async function* () {
      yield 'a';
    })(),
  );

  // A command pool: results are CommandResult; items are a string, or one string per input
  // source (CommandItem when nothing narrows them).
  const commands = createPool({ concurrency: 2, command: ['gzip', '-k', '{}'] });
  expect<Equal<typeof commands, Pool<CommandItem, CommandResult>>>();
  const lines = createPool<string>({ command: ['gzip', '-k', '{}'] });
  expect<Equal<typeof lines, Pool<string, CommandResult>>>();
  const columns = createPool<readonly string[]>({ command: ['cp', '{1}', '{2}'] });
  expect<Equal<typeof columns, Pool<readonly string[], CommandResult>>>();
  // A string command types without `shell: true`; that it is required is checked at run time.
  createPool({ command: 'gzip -k {}', shell: true });
  createPool({ command: (item: string) => ({ argv: ['echo', item] }) });
  createPool({ command: (item: string) => ({ shell: `echo ${item}` }) });
  // @ts-expect-error a command pool's items are strings or arrays of strings
  createPool<number>({ command: ['echo', '{}'] });
  // With a command function the items are anything the function takes (the README's form).
  interface Job {
    scene: string;
    dir: string;
  }
  const built = createPool<Job>({
    command: (job, { seq }) => ({ argv: ['render', job.scene, `${seq}`], cwd: job.dir }),
  });
  expect<Equal<typeof built, Pool<Job, CommandResult>>>();
  const inferred = createPool({ command: (job: Job) => ({ shell: `render ${job.scene}` }) });
  expect<Equal<typeof inferred, Pool<Job, CommandResult>>>();
  // A job log's key takes the item type the task gave the pool.
  interface Item {
    id: string;
  }
  const keyed = createPool({
    task(item: Item, stop: StopToken) {
      return stop.stopped ? undefined : item.id.length;
    },
    jobLog: { path: 'run.joblog', key: (item) => item.id },
  });
  expect<Equal<typeof keyed, Pool<Item, number | undefined>>>();
  const keyedInline = createPool({
    task(item: Item, stop) {
      return stop.stopped ? 0 : item.id.length;
    },
    jobLog: { path: 'run.joblog', key: (item) => item.id },
  });
  expect<Equal<typeof keyedInline, Pool<Item, number>>>();

  // A thread pool: module and threads. Nothing in the options says what the module's task
  // takes and returns, so I and R are unknown unless the caller gives them.
  const untyped = createPool({ module: './task.js', threads: 4 });
  expect<Equal<typeof untyped, Pool<unknown, unknown>>>();
  const threads = createPool<string, number>({ module: new URL('./task.js', import.meta.url), threads: 4 });
  expect<Equal<typeof threads, Pool<string, number>>>();
  createPool({ module: './task.js', export: 'hash', threads: 2, resourceLimits: { maxOldGenerationSizeMb: 64 } });
  // @ts-expect-error the thread pool's options have `threads`, not a `thread`
  createPool({ module: './task.js', thread: 2 });
  // Not checked here: `{ module, threads, concurrency }` compiles (ThreadPoolOptions omits
  // `concurrency`, but the other members of the options union have it, so the object literal's
  // excess-property check lets it through); createPool refuses it at run time.

  // @ts-expect-error a pool needs a task, a module or a command
  createPool({ concurrency: 2 });
  // @ts-expect-error unknown options are refused
  createPool({ task: async (n: number) => n, concurency: 2 });
}

export async function running(pool: Pool<string, number>): Promise<void> {
  const summary = await pool.run(['a']);
  expect<Equal<typeof summary, Summary>>();
  expect<Equal<typeof summary.stopReason, StopReason | undefined>>();
  const done: number = summary.done + summary.failed + summary.cancelled + summary.notStarted + summary.skipped;
  void done;
  pool.stop();
  pool.stop('interrupt', { finishRunning: true });
  // @ts-expect-error a stop reason is one of STOP_REASONS
  pool.stop('bored');
  pool.forceStop();
  const joined: boolean = await pool.join({ timeout: 1000 });
  void joined;
  const running: number = pool.running;
  const busy: boolean = pool.busy;
  void running;
  void busy;
  await pool.close();

  for await (const result of pool.stream(['a'], { ordered: true, buffer: 16 })) {
    expect<Equal<typeof result, TaskResult<string, number>>>();
    expect<Equal<typeof result.item, string>>();
    // @ts-expect-error only a done (or cancelled) result has a value
    void result.value;
    switch (result.status) {
      case 'done':
        expect<Equal<typeof result.value, number>>();
        break;
      case 'failed':
        expect<Equal<typeof result.error, Error>>();
        break;
      case 'cancelled':
        expect<Equal<typeof result.value, number | undefined>>();
        expect<Equal<typeof result.error, Error | undefined>>();
        expect<Equal<typeof result.reason, StopReason>>();
        expect<Equal<typeof result.abandoned, boolean>>();
        break;
      case 'notStarted':
        expect<Equal<typeof result.reason, StopReason>>();
        // @ts-expect-error a job that never started has no error
        void result.error;
        break;
      case 'skipped':
        // @ts-expect-error nor has one the job log says is done already
        void result.reason;
        break;
      default:
        expect<Equal<typeof result, never>>();
    }
  }
}

export async function tokens(): Promise<void> {
  const controller = new StopController();
  const token = controller.token;
  expect<Equal<typeof token.stopped, boolean>>();
  expect<Equal<typeof token.reason, StopReason | undefined>>();
  expect<Equal<typeof token.signal, AbortSignal>>();
  const outcome = await token.sleep(100);
  expect<Equal<typeof outcome, SleepOutcome>>();
  expect<Equal<SleepOutcome, 'elapsed' | 'stopped'>>();
  const dispose = token.onStop((reason) => {
    expect<Equal<typeof reason, StopReason>>();
  });
  expect<Equal<typeof dispose, () => void>>();
  dispose();
  token.throwIfStopped();
  // @ts-expect-error a token is read-only: only its controller stops it
  token.stopped = true;
  // @ts-expect-error and has no stop() of its own
  token.stop();
  const first: boolean = controller.stop('timeout');
  void first;
  // @ts-expect-error a stop reason is one of STOP_REASONS
  controller.stop('bored');
  // A child token stops with its parent.
  void new StopController(token);
}

export function errors(error: unknown): void {
  if (isAndonError(error, 'ANDON_TIMEOUT')) {
    // It narrows to AndonError (not to TimeoutError: the code is checked at run time only).
    expect<Equal<typeof error, AndonError>>();
    expect<Equal<typeof error.code, AndonErrorCode>>();
  }
  // @ts-expect-error codes are the known ones
  isAndonError(error, 'ANDON_BORED');
  if (error instanceof InterruptedError) {
    expect<Equal<typeof error.exitCode, number>>();
    expect<Equal<typeof error.summary, Summary>>();
    expect<Equal<typeof error.signal, NodeJS.Signals>>();
    expect<Equal<typeof error.code, AndonErrorCode>>();
  }
  if (error instanceof TimeoutError) {
    expect<Equal<typeof error.timeout, number>>();
    const base: AndonError = error;
    const plain: Error = base;
    void plain;
  }
}
