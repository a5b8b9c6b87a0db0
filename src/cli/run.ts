/** Runs a parsed command line through a command pool and turns the outcome into an exit code. */
import type { Readable } from 'node:stream';
import { createPool } from '../api/create-pool.js';
import { isAndonError, TimeoutError, UsageError } from '../errors.js';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BackendError, InputError, InterruptedError } from '../pool/run-errors.js';
import { formatDuration } from '../format.js';
import type { RunObserver } from '../pool/lifecycle.js';
import type { Pool } from '../pool/pool.js';
import { formatSummary, type Summary } from '../pool/summary.js';
import type { Backend } from '../run/backend.js';
import type { CommandResult, CommandSpec } from '../run/process/process-executor.js';
import { displayArgs, type RunPlan } from './args.js';
import { missingProgram } from './command-check.js';
import { directExecFor } from './direct-exec.js';
import { DEFAULT_SHELL, isExportedFunction, jobShell } from './job-shell.js';
import { shellQuote } from '../command/quote.js';
import { runControlFor, stopAsCtrlC } from './control-commands.js';
import { FailureTails } from '../control/failure-tails.js';
import { RUN_JOBS_KEPT } from '../redis/protocol.js';
import { SettledJobs } from './settled-jobs.js';
import { gated } from './start-gates.js';
import { HaltObserver } from './halt.js';
import { JobsFileWatcher } from './jobs-file.js';
import { invokedAs } from './invoked-as.js';
import { checkSources, listOrStreamJobs, type ReadOptions } from './input.js';
import { readColumnHeaders } from './named-columns.js';
import { ResultsFiles, ResultsWriter, type SavedResults } from './results.js';
import { ResultsTable, TableFile } from './results-table.js';
import { columnsOf, shapeList, shapeStream } from './job-shape.js';
import { OutputSequencer, type ByteSink } from './output.js';
import { redisBackendFor } from './redis-backend.js';
import { PipeJobs } from './pipe-jobs.js';
import { checkPartFile } from './pipe-part.js';
import { paced, readAll, type SkipCount, shuffled, withoutSkipped } from './job-order.js';

/** The process's streams, injectable for tests. */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: ByteSink;
  readonly stderr: ByteSink;
}

type CommandPool = Pool<string[], CommandResult>;

/** The exit code GNU parallel gives for `failed` failed jobs. */
function failureExitCode(failed: number): number {
  return Math.min(failed, 101);
}

/** Says which job a timeout stopped, with its command line. */
function timeoutNotices(plan: RunPlan, stderr: ByteSink): RunObserver<string[], CommandResult> {
  return {
    taskSettled(result) {
      if (result.status !== 'failed' || !(result.error instanceof TimeoutError)) return;
      const command = plan.line({ values: result.item, seq: result.index + 1, slot: undefined });
      stderr.write(
        `andon: job ${result.index + 1} timed out after ${formatDuration(result.error.timeout)} and was stopped: ${command}\n`,
      );
    },
  };
}

/** Whether the jobs' values come from stdin (no source, or `:::: -`). */
function readsStdin(sources: RunPlan['sources']): boolean {
  return sources.length === 0 || sources.some((source) => source.kind !== 'values' && source.path === '-');
}

/** How to run the rest of an interrupted run. */
function resumeHint(plan: RunPlan): string {
  if (plan.jobLog === undefined) return 'to be able to resume a run like this, give it --joblog FILE';
  const { args, hidden } = withoutPasswords(plan.resume === false ? ['--resume', ...plan.argv] : plan.argv);
  const notes = [
    ...(readsStdin(plan.sources) ? ['with the same input on its standard input'] : []),
    ...(hidden ? ['with the Redis password in place of ***'] : []),
  ];
  return `to run the rest: ${invokedAs()} ${displayArgs(args)}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/** The arguments with the password of a `--redis` URL replaced by ***: a hint is no place for it. */
function withoutPasswords(argv: readonly string[]): { args: string[]; hidden: boolean } {
  let hidden = false;
  const hide = (url: string): string => {
    try {
      const parsed = new URL(url);
      if (parsed.password === '' && !parsed.searchParams.has('password')) return url;
      hidden = true;
      if (parsed.password !== '') parsed.password = '***';
      if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
      return parsed.href;
    } catch {
      return url;
    }
  };
  const args = argv.map((arg, i) =>
    argv[i - 1] === '--redis'
      ? hide(arg)
      : arg.startsWith('--redis=')
        ? `--redis=${hide(arg.slice('--redis='.length))}`
        : arg,
  );
  return { args, hidden };
}

/** Runs the plan; resolves with the exit code. @throws UsageError before any job starts. */
export async function runPlan(asked: RunPlan, io: CliIo, options: { alwaysSummarize?: boolean } = {}): Promise<number> {
  let plan = asked;
  await checkSources(plan.sources);
  if (plan.pipe?.kind === 'part') for (const file of plan.pipe.files) checkPartFile(file);
  if (plan.tmpdir !== undefined) useTmpdir(plan.tmpdir);
  if (plan.retry?.ignored !== undefined)
    io.stderr.write(`andon: --retry-failed runs the job log's failed commands; not used: ${plan.retry.ignored}\n`);
  // As GNU parallel warns: more often a forgotten ::: than a user typing jobs by hand.
  if (plan.sources.length === 0 && (io.stdin as { isTTY?: boolean }).isTTY === true)
    io.stderr.write(
      plan.pipe === undefined
        ? 'andon: reading jobs from the terminal, one per line; end with Ctrl+D (or give them after :::)\n'
        : "andon: reading --pipe's input from the terminal; end with Ctrl+D (or redirect it: < FILE)\n",
    );
  if (plan.withColumnHeaders !== undefined) plan = await withColumnHeaders(plan, plan.withColumnHeaders, io.stdin);
  const blocks = plan.pipe === undefined ? undefined : new PipeJobs(plan.pipe, plan.jobs);
  const read =
    blocks === undefined
      ? shapedJobs(plan, io.stdin)
      : blocks.jobs(io.stdin, (message) => io.stderr.write(`andon: warning: ${message}\n`));
  // {##}, {0#} and a --halt percentage need the number of jobs: the input is read whole, as GNU parallel does.
  const all = plan.template.needsTotal || plan.halt?.share !== undefined ? await readAll(read) : undefined;
  if (all !== undefined) plan = withTotal(plan, all.length);
  const jobs = all ?? read;
  const ordered = plan.shuffle ? await shuffled(jobs) : jobs;
  if (plan.dryRun || plan.shellQuote) return printCommands(plan, ordered, io.stdout);
  // As GNU parallel counts them: a job {choose_k} or {uniq} skips is a failed job in the exit status.
  const skips: SkipCount = { skipped: 0 };
  const kept = !plan.template.maySkip
    ? ordered
    : withoutSkipped(ordered, (values) => plan.template.skips(values), skips);
  // --delay's wait ends with the run's stop: a stopping run takes no more jobs.
  const pacing = new AbortController();
  const spaced = plan.delayMs === undefined ? kept : paced(kept, plan.delayMs, pacing.signal);
  const inputs = plan.startGates === undefined ? spaced : gated(spaced, plan.startGates, pacing.signal);
  // A remote job's line runs under the worker's /bin/sh; a local one under the user's shell, as GNU parallel's does.
  const shell = plan.redis === undefined ? jobShell() : DEFAULT_SHELL;
  // A remote job's program is looked for on the worker, not here.
  const missing = plan.redis === undefined ? missingProgram(plan.command) : undefined;
  // `export -f f` reaches a bash job as a variable, not as a program on PATH.
  const exported = missing !== undefined && shell.endsWith('/bash') && isExportedFunction(missing);
  if (missing !== undefined && !exported)
    throw new UsageError(
      missing.includes('/')
        ? `Command not found: ${missing} does not exist or is not executable; check the path (chmod +x for a script)`
        : `Command not found: ${missing}; check its name and your PATH`,
    );

  const { pool, halt } = await startPool(
    plan,
    io,
    { blocks, shell, total: all?.length },
    { stopping: () => pacing.abort() },
  );
  let summary: Summary;
  try {
    summary = await pool.run(inputs);
  } catch (error) {
    return failureExit(error, plan, io.stderr);
  } finally {
    await pool.close();
    // --cat, --fifo: however the run ended, no job's file outlives it.
    blocks?.releaseAll();
  }
  if (options.alwaysSummarize === true || plan.bar || summary.failed > 0 || halt?.exitCode !== undefined)
    io.stderr.write(`andon: ${formatSummary(summary)}\n`);
  return halt?.exitCode ?? failureExitCode(summary.failed + skips.skipped);
}

/** The plan with the number of jobs filled in wherever a job's line is rendered. */
function withTotal(plan: RunPlan, total: number): RunPlan {
  const { line } = plan;
  return { ...plan, line: (job) => line({ ...job, total }) };
}

/** `--tmpdir DIR`: GNU parallel's same as `TMPDIR=DIR`, for andon's files and the jobs'. @throws UsageError */
function useTmpdir(dir: string): void {
  try {
    accessSync(dir, constants.W_OK);
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new UsageError(`--tmpdir ${dir} is not a directory andon can write to; give another or create it`);
  }
  process.env.TMPDIR = dir;
}

/** How the plan reads its sources' records. */
function readOptions({ shaping }: RunPlan): ReadOptions {
  return {
    separator: shaping.separator,
    eof: shaping.eof,
    splitValues: shaping.delimited,
    continuedLines: shaping.continuedLines,
    csv: shaping.shape.csv !== undefined,
  };
}

/** --header without --pipe: the first records name the columns, and the plan is made again with them. */
async function withColumnHeaders(
  plan: RunPlan,
  remake: NonNullable<RunPlan['withColumnHeaders']>,
  stdin: Readable,
): Promise<RunPlan> {
  const { shape } = plan.shaping;
  const columns = (record: string): string[] => columnsOf(record, { colsep: shape.colsep ?? /\t/, csv: shape.csv });
  return remake(await readColumnHeaders(plan.sources, stdin, readOptions(plan), columns));
}

/** The jobs' values: the input sources combined (or linked), then shaped into jobs. */
function shapedJobs(plan: RunPlan, stdin: Readable): string[][] | AsyncIterable<string[]> {
  const { shape } = plan.shaping;
  const records = listOrStreamJobs(plan.sources, stdin, readOptions(plan), plan.link);
  return Array.isArray(records) ? shapeList(records, shape) : shapeStream(records, shape);
}

/** --dry-run: prints each job's command line, numbered and slotted as a run would; exits 0. */
async function printCommands(
  plan: RunPlan,
  inputs: Iterable<string[]> | AsyncIterable<string[]>,
  stdout: ByteSink,
): Promise<number> {
  let seq = 0;
  let skipped = 0;
  for await (const values of inputs) {
    seq++;
    // GNU parallel prints a job {choose_k} or {uniq} skips, and counts it as failed.
    if (plan.template.skips(values)) skipped++;
    // No job runs, so no slot is freed: the slots are dealt out in turn.
    const line = plan.line({ values, seq, slot: ((seq - 1) % plan.jobs) + 1 });
    // --shellquote: the line quoted once more, to be composed into another command.
    stdout.write(`${plan.shellQuote ? shellQuote(line) : line}\n`);
  }
  return failureExitCode(skipped);
}

/** How a job is run: the --pipe blocks it reads, and the shell for its line. */
interface JobSetup {
  readonly blocks: PipeJobs | undefined;
  readonly shell: string;
  /** The number of jobs, when the input was read whole first. */
  readonly total: number | undefined;
}

/** A retried job's Seq: the one its command had in the job log. */
function retrySeq(seqs: ReadonlyMap<string, number>): (values: string[], index: number) => number {
  return (values, index) => seqs.get(values[0]!) ?? index + 1;
}

/**
 * The job log as `andon serve` may read it to draw the run's timeline: an absolute path to a
 * regular file (or one not made yet), never standard output, a FIFO or a device.
 */
function readableJobLog(path: string | undefined): string | undefined {
  if (path === undefined || path === '-') return undefined;
  const found = statSync(path, { throwIfNoEntry: false });
  return found === undefined || found.isFile() ? resolve(path) : undefined;
}

/** Failures `andon status` and `andon serve` are told of, newest first. */
const FAILURES_LISTED = 5;

/** The pool that runs the plan's jobs, with the observers that print their output and notices. */
async function startPool(
  plan: RunPlan,
  io: CliIo,
  how: JobSetup,
  stopping: RunObserver<string[], CommandResult>,
): Promise<{ pool: CommandPool; halt: HaltObserver | undefined }> {
  const output = new OutputSequencer(plan, io.stdout, io.stderr);
  const halt =
    plan.halt === undefined
      ? undefined
      : new HaltObserver(plan.halt, io.stderr, how.total, () => output.dropCancelledOutput());
  const title = displayArgs(['andon', ...plan.argv]);
  const line = (values: readonly string[], seq: number): string => plan.line({ values, seq, slot: undefined });
  // The latest failures with their output, for andon status, andon serve and the queue's lease.
  const failures = new FailureTails<string[]>(FAILURES_LISTED, line);
  // The settled jobs, for the timelines drawn while the run goes on: the live page's (all of
  // them) and, on a queue, andon serve's on other machines (the latest that Redis keeps).
  const settled =
    plan.serve === undefined && plan.redis === undefined
      ? undefined
      : new SettledJobs(line, plan.serve === undefined ? RUN_JOBS_KEPT : undefined);
  const control = runControlFor(title, io.stderr, {
    jobLog: readableJobLog(plan.jobLog),
    failures: () => failures.failures,
    settled,
  });
  const backend = plan.redis === undefined ? undefined : (await redisBackendFor(plan.redis)).controlledBy(control);
  // --results and --files save the output, and print only what --files names or a table's rows.
  const printing = plan.results === undefined ? output : resultsWriterFor(plan, plan.results, io, line, output);
  const observers: RunObserver<string[], CommandResult>[] = [printing, timeoutNotices(plan, io.stderr), stopping];
  if (halt !== undefined) observers.push(halt);
  const fileRemover = how.blocks?.fileRemover;
  if (fileRemover !== undefined) observers.push(fileRemover);
  observers.push(failures, control);
  if (settled !== undefined) observers.push(settled);
  // The page and the report it draws are loaded only for a run that asks for them.
  if (plan.serve !== undefined && settled !== undefined) {
    const { LiveRun } = await import('./live-run.js');
    observers.push(new LiveRun(plan.serve, title, line, stopAsCtrlC(io.stderr), io.stderr, settled));
  }
  if (plan.jobsFile !== undefined)
    observers.push(new JobsFileWatcher(plan.jobsFile.path, plan.jobs, plan.jobsFile.cores, io.stderr));
  // With --results, GNU parallel prints no -t/-v line either.
  const where = plan.results === undefined ? plan.shaping.printCommands : undefined;
  const announce =
    where === undefined
      ? undefined
      : (index: number, values: readonly string[], line: string) => output.announce(index, values, where, line);
  return { pool: createCommandPool(plan, backend, observers, announce, how), halt };
}

/**
 * `--results` and `--files`: the writer that keeps each job's output, in files or in one
 * table, and prints what they print. @throws UsageError for a table file andon cannot write
 */
function resultsWriterFor(
  plan: RunPlan,
  results: SavedResults,
  io: CliIo,
  line: (values: readonly string[], seq: number) => string,
  output: OutputSequencer,
): ResultsWriter {
  const { table } = results.plan;
  if (table === undefined) return new ResultsWriter(new ResultsFiles(results.layout, results.plan), output);
  const rows = new ResultsTable(table, line, results.columnNames);
  // The rows in the jobs' turn (-k: input order), neither tagged nor interleaved.
  const mode = { keepOrder: plan.keepOrder, lineBuffer: false, tag: false };
  if (table.path === undefined) return new ResultsWriter(rows, new OutputSequencer(mode, io.stdout, io.stderr));
  let file: TableFile;
  try {
    file = new TableFile(table.path);
  } catch (error) {
    throw new UsageError(
      `--results ${table.path}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a file andon can write`,
    );
  }
  const writer = new ResultsWriter(rows, new OutputSequencer(mode, file, io.stderr), () => file.close());
  file.onError = (error) => writer.fail(error);
  return writer;
}

/** How a job's shell line runs: through /bin/sh (the pool's own shell), another shell, and under nice(1). */
function commandSpec(shell: string, nice: number | undefined, plan: RunPlan): (line: string) => CommandSpec {
  if (nice !== undefined) return (line) => ({ argv: ['nice', '-n', String(nice), shell, '-c', line] });
  if (shell !== DEFAULT_SHELL) return (line) => ({ argv: [shell, '-c', line] });
  // A line of plain words runs without /bin/sh where that changes nothing but the cost.
  const direct = directExecFor(plan);
  return direct === undefined ? (line) => ({ shell: line }) : (line) => direct.specOf(line) ?? { shell: line };
}

/** `--wd`'s directory, made if missing as GNU parallel makes it. */
function madeDirectory(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Builds the pool: the plan's options in the library's terms. */
function createCommandPool(
  plan: RunPlan,
  backend: Backend | undefined,
  observers: readonly RunObserver<string[], CommandResult>[],
  announce: ((index: number, values: readonly string[], line: string) => void) | undefined,
  { blocks, shell }: JobSetup,
): CommandPool {
  const { line } = plan;
  const spec = commandSpec(shell, plan.nice, plan);
  return createPool<string[]>({
    concurrency: plan.jobs,
    command: (values, { seq, slot }) => {
      const text = line({ values, seq, slot });
      // -t and -v: the command line, ahead of the job's output.
      announce?.(seq - 1, values, text);
      const stdin = blocks?.stdinOf(values);
      const run = blocks === undefined ? text : blocks.shellLineOf(values, text);
      // As GNU parallel sets them for every job.
      const env = {
        PARALLEL_SEQ: String(seq),
        PARALLEL_JOBSLOT: String(slot),
        [plan.slotVariable]: String(slot - 1),
        ...blocks?.envOf(values),
      };
      const cwd = plan.workdir === undefined ? undefined : madeDirectory(plan.workdir({ values, seq, slot }));
      return { ...spec(run), env, ...(stdin === undefined ? {} : { stdin }), ...(cwd === undefined ? {} : { cwd }) };
    },
    // GNU parallel's names for where a job runs; a remote job's worker knows its own.
    ...(plan.redis === undefined ? { env: { PARALLEL_SSHHOST: ':', PARALLEL_SSHLOGIN: ':' } } : {}),
    // Output goes through the sequencer; results need not keep a copy.
    maxBuffer: 0,
    // Only --line-buffer prints output before its job ends: grouped output is collected in
    // temporary files, as GNU parallel does, which spares each job two pipes.
    // --compress keeps held output compressed in memory: it must not go to temporary files first.
    liveOutput: plan.lineBuffer || (plan.compress && plan.redis === undefined),
    timeout: plan.timeout,
    retries: plan.tries - 1,
    // GNU parallel retries at once.
    backoff: { initial: 0, jitter: false },
    grace: plan.graceMs,
    termseq: plan.termseq,
    progress: plan.bar,
    backend,
    jobLog:
      plan.jobLog === undefined
        ? undefined
        : {
            path: plan.jobLog,
            // A job is known by its command line, as GNU parallel's Command column shows it.
            key: (values: string[], index: number) => {
              const command = line({ values, seq: index + 1, slot: undefined });
              return blocks === undefined ? command : blocks.keyOf(values, command);
            },
            resume: plan.resume,
            // A retry appends to the log of the run it retries, its jobs under their own numbers.
            identity: plan.retry === undefined ? plan.command : plan.retry.identity,
            seq: plan.retry === undefined ? undefined : retrySeq(plan.retry.seqs),
          },
    observers,
  });
}

/**
 * The exit code of a run that ended in an error, after saying on stderr what happened and how
 * far it got. @throws UsageError for a job log that cannot be used, and any error not andon's.
 * Input that fails midway (an unreadable `::::` file, EIO) is 255, as a usage error is.
 */
function failureExit(error: unknown, plan: RunPlan, stderr: ByteSink): number {
  if (isAndonError(error, 'ANDON_JOB_LOG')) throw new UsageError((error as Error).message);
  if (isAndonError(error, 'ANDON_BACKEND') || isAndonError(error, 'ANDON_INPUT')) {
    const failed = error as BackendError | InputError;
    stderr.write(`andon: ${failed.message}\n`);
    // Failed before any job was taken, the run has nothing to summarise or resume.
    if (failed.summary.taken > 0) {
      stderr.write(`andon: ${formatSummary(failed.summary)}\n`);
      stderr.write(`andon: ${resumeHint(plan)}\n`);
    }
    return 255;
  }
  if (!isAndonError(error, 'ANDON_INTERRUPTED')) throw error;
  const interrupted = error as InterruptedError;
  // A closed output is how `andon … | head` ends: quietly, as the other programs of the pipeline do.
  if (interrupted.signal === 'SIGPIPE') return interrupted.exitCode;
  stderr.write(`andon: ${formatSummary(interrupted.summary)}\n`);
  stderr.write(`andon: ${resumeHint(plan)}\n`);
  return interrupted.exitCode;
}
