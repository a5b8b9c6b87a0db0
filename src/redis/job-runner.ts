/**
 * How a worker runs one job: a command in its own process group under the watchdog, output
 * gathered at its end and left in keys of its own for the submitter; or a function of the
 * worker's module on a worker thread. Either way the outcome is a plain JSON record.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { CommandFailedError, OptionError, UnsendableError } from '../errors.js';
import { toErrorRecord } from '../run/error-transport.js';
import type { TaskContext } from '../run/executor.js';
import { CappedBuffer } from '../run/process/capture.js';
import { ProcessExecutor, type CommandResult } from '../run/process/process-executor.js';
import { parseTermseq } from '../run/process/termseq.js';
import { ThreadExecutor } from '../run/threads/thread-executor.js';
import {
  OUTPUT_TTL_MS,
  outputKey,
  type RemoteCommandTask,
  type RemoteModuleTask,
  type RemoteOutcome,
} from './protocol.js';

/** This machine, as outcomes name it (the job log's Host column). */
export const HOST = hostname();

/** The outcome of a job that failed before or around its task. */
export function errorOutcome(error: Error): RemoteOutcome {
  return { kind: 'error', error: toErrorRecord(error), host: HOST };
}

/** Makes sure an outcome can be stored as the job's JSON return value. */
export function jsonSafe(outcome: RemoteOutcome): RemoteOutcome {
  try {
    JSON.stringify(outcome);
    return outcome;
  } catch (error) {
    return errorOutcome(
      new UnsendableError(`The task's result cannot be sent back as JSON: ${(error as Error).message}`),
    );
  }
}

/** A command job as the process executor sees it: the spec and where its output goes. */
interface WorkerCommand {
  readonly task: RemoteCommandTask;
  readonly stdout: CappedBuffer;
  readonly stderr: CappedBuffer;
}

/** Runs a worker's jobs; holds the executors (and so the watchdog and threads) they share. */
export class JobRunner {
  readonly #client: Redis;
  readonly #queue: string;
  readonly #moduleUrl: string | undefined;
  /** One per stop signal and termination sequence, as the submitters ask. */
  readonly #commands = new Map<string, ProcessExecutor<WorkerCommand>>();
  readonly #functions = new Map<string, ThreadExecutor<unknown, unknown>>();

  constructor(client: Redis, queue: string, moduleUrl: string | undefined) {
    this.#client = client;
    this.#queue = queue;
    this.#moduleUrl = moduleUrl;
  }

  /** Runs a command job; its output waits under the job's output keys. */
  async command(jobId: string, task: RemoteCommandTask, context: TaskContext): Promise<RemoteOutcome> {
    const key = `${task.stopSignal ?? ''}|${task.termseq}`;
    let executor = this.#commands.get(key);
    if (executor === undefined) {
      executor = new ProcessExecutor<WorkerCommand>({
        toCommand: (command) => command.task.spec,
        shell: '/bin/sh',
        cwd: undefined,
        env: undefined,
        stopSignal: task.stopSignal,
        termseq: parseTermseq(task.termseq),
        maxBuffer: 0,
        // The output goes back when the job ends: temporary files are cheaper than pipes.
        liveOutput: false,
        // A worker's runs have no end it could see: nothing of a job outlives it.
        endGroupWithJob: true,
        onOutput: (chunk, stream, command) => command[stream].push(chunk),
      });
      this.#commands.set(key, executor);
    }
    const command: WorkerCommand = {
      task,
      stdout: new CappedBuffer(task.maxBuffer),
      stderr: new CappedBuffer(task.maxBuffer),
    };
    let result: CommandResult;
    try {
      result = await executor.run(command, context);
    } catch (error) {
      if (!(error instanceof CommandFailedError)) return errorOutcome(error as Error);
      result = error.result as CommandResult;
    }
    const [stdout, stderr] = [command.stdout.bytes(), command.stderr.bytes()];
    if (stdout.length > 0 || stderr.length > 0) {
      // Output goes to keys of its own, which the submitter reads and deletes; see RemoteOutcome.
      const write = this.#client.multi();
      if (stdout.length > 0) write.set(outputKey(this.#queue, jobId, 'stdout'), stdout, 'PX', OUTPUT_TTL_MS);
      if (stderr.length > 0) write.set(outputKey(this.#queue, jobId, 'stderr'), stderr, 'PX', OUTPUT_TTL_MS);
      await write.exec();
    }
    return {
      kind: 'command',
      result: {
        command: result.command,
        pid: result.pid,
        exitCode: result.exitCode,
        signal: result.signal,
        durationMs: result.durationMs,
        stdoutBytes: command.stdout.total,
        stderrBytes: command.stderr.total,
        truncated: command.stdout.truncated || command.stderr.truncated,
      },
      kept: { stdout: stdout.length, stderr: stderr.length },
      host: HOST,
    };
  }

  /** Runs a function job: the named export of the worker's module, on a worker thread. */
  async function(task: RemoteModuleTask, context: TaskContext): Promise<RemoteOutcome> {
    if (this.#moduleUrl === undefined) {
      return errorOutcome(
        new OptionError(
          `This worker has no module for function tasks (the submitter names ${task.module}); start it with andon worker --module PATH`,
        ),
      );
    }
    let executor = this.#functions.get(task.export);
    if (executor === undefined) {
      executor = new ThreadExecutor({ moduleUrl: this.#moduleUrl, exportName: task.export, resourceLimits: undefined });
      this.#functions.set(task.export, executor);
    }
    try {
      return { kind: 'value', value: await executor.run(task.item, context), host: HOST };
    } catch (error) {
      return errorOutcome(error as Error);
    }
  }

  /** Ends what jobs left behind, the watchdog and the threads. */
  /** Ctrl+Z: every running command's process group is stopped. */
  suspend(): void {
    for (const executor of this.#commands.values()) executor.suspend();
  }

  /** SIGCONT: what suspend() stopped goes on. */
  resume(): void {
    for (const executor of this.#commands.values()) executor.resume();
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.#commands.values(), ...this.#functions.values()].map((executor) => executor.close().catch(() => {})),
    );
  }
}
