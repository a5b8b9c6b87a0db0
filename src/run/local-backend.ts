/** The backend of every pool that names none: subprocesses and worker threads on this machine. */
import { availableParallelism } from 'node:os';
import type { Backend, CommandJobs, ModuleJobs } from './backend.js';
import type { Executor } from './executor.js';
import { ProcessExecutor, type CommandResult } from './process/process-executor.js';
import { resolveModuleUrl } from './threads/module-url.js';
import { ThreadExecutor } from './threads/thread-executor.js';

/** Runs tasks here. */
export const localBackend: Backend = {
  name: 'local',
  local: true,
  defaultConcurrency: () => availableParallelism(),
  commands<I>(jobs: CommandJobs<I>): Executor<I, CommandResult> {
    const { toCommand, cwd, env, stopSignal, termseq, maxBuffer, liveOutput } = jobs;
    return new ProcessExecutor<I>({
      toCommand,
      shell: '/bin/sh',
      cwd,
      env,
      stopSignal,
      termseq,
      maxBuffer,
      liveOutput,
    });
  },
  modules<I, R>(jobs: ModuleJobs): Executor<I, R> {
    return new ThreadExecutor<I, R>({
      moduleUrl: resolveModuleUrl(jobs.module),
      exportName: jobs.exportName,
      resourceLimits: jobs.resourceLimits,
    });
  },
};
