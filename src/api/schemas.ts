/**
 * The schema of every `createPool` option, held to its interface by the compiler. A kind of
 * pool's schema is the common one with its own options added (or, for threads, `concurrency`
 * taken out), so the names a typo is checked against are exactly the ones the kind takes.
 */
import { DEFAULTS } from '../options/defaults.js';
import { optional, unchecked, withDefault, type Schema } from '../options/schema.js';
import { is, optionError, signalNamed } from '../options/validate.js';
import type { JobLogOptions } from './pool-options.js';
import type {
  AsyncPoolOptions,
  CommandPoolOptions,
  CommonPoolOptions,
  RemoteModulePoolOptions,
  ThreadPoolOptions,
} from './pool-options.js';

const nonEmpty =
  (expected: string) =>
  (value: unknown, name: string): string => {
    if (typeof value !== 'string' || value === '') throw optionError(name, expected, value);
    return value;
  };

/** A task's time limit: ms, or a percentage of the median success (`'200%'`). */
const taskTimeout = (value: unknown, name: string): number | `${number}%` => {
  if (typeof value === 'string' && /^\d+(\.\d+)?%$/.test(value) && Number.parseFloat(value) > 0)
    return value as `${number}%`;
  if (typeof value === 'string')
    throw optionError(name, "a number of milliseconds, or a percentage of the median success such as '200%'", value);
  return is.duration(value, name);
};

const exportName = withDefault(nonEmpty('the name of an export of the module'), 'default');

/** Options every pool takes. Those that need more context than their own value are checked where they are used. */
export const commonSchema = {
  concurrency: optional(is.positiveInteger),
  timeout: withDefault(taskTimeout, DEFAULTS.timeout),
  retries: withDefault(is.nonNegativeInteger, DEFAULTS.retries),
  backoff: unchecked,
  grace: withDefault(is.duration, DEFAULTS.grace),
  stop: unchecked,
  handleSignals: withDefault(is.boolean, true),
  onResult: optional(is.function()),
  onNotice: optional(is.function()),
  signalSource: unchecked,
  jobLog: unchecked,
  progress: withDefault(is.boolean, false),
  observers: unchecked,
} satisfies Schema<CommonPoolOptions<unknown, unknown>>;

export const asyncSchema = { ...commonSchema, task: is.function() } satisfies Schema<
  AsyncPoolOptions<unknown, unknown>
>;

const { concurrency: _threadsInstead, ...commonWithoutConcurrency } = commonSchema;

export const threadSchema = {
  ...commonWithoutConcurrency,
  module: unchecked,
  export: exportName,
  threads: optional(is.positiveInteger),
  resourceLimits: optional((value, name) => {
    if (typeof value !== 'object' || value === null)
      throw optionError(name, 'an object (see worker_threads ResourceLimits)', value);
    return value;
  }),
} satisfies Schema<ThreadPoolOptions<unknown, unknown>>;

export const remoteModuleSchema = {
  ...commonSchema,
  backend: unchecked,
  module: (value, name) => {
    if (value instanceof URL) return value;
    return nonEmpty('the path or URL of the module the workers load')(value, name);
  },
  export: exportName,
} satisfies Schema<RemoteModulePoolOptions<unknown, unknown>>;

export const commandSchema = {
  ...commonSchema,
  command: unchecked,
  shell: withDefault(is.boolean, false),
  cwd: optional((value, name) => {
    if (typeof value !== 'string') throw optionError(name, 'a directory path', value);
    return value;
  }),
  env: optional((value, name) => {
    if (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string'))
      throw optionError(name, 'an object of string values', value);
    return value as Readonly<Record<string, string>>;
  }),
  stopSignal: (value, name) => {
    if (value === null) return null;
    if (value === undefined) return DEFAULTS.stopSignal;
    if (typeof value !== 'string' || signalNamed(value) !== value)
      throw optionError(name, "a signal name such as 'SIGINT', or null", value);
    return value as NodeJS.Signals;
  },
  termseq: unchecked,
  maxBuffer: withDefault(is.nonNegativeInteger, DEFAULTS.maxBuffer),
  backend: unchecked,
  liveOutput: optional((value, name) => {
    if (typeof value !== 'boolean')
      throw optionError(
        name,
        'true (pipes: output as it comes) or false (temporary files, read at the end of each job)',
        value,
      );
    return value;
  }),
  onOutput: optional(is.function()),
} satisfies Schema<CommandPoolOptions<unknown>>;

export const jobLogSchema = {
  path: nonEmpty('the path of the job log file'),
  key: optional(is.function()),
  seq: optional(is.function()),
  resume: withDefault((value, name) => {
    if (value !== true && value !== false && value !== 'rerun-failed')
      throw optionError(name, "true, false or 'rerun-failed'", value);
    return value;
  }, false),
  identity: optional(is.string),
} satisfies Schema<JobLogOptions<unknown>>;
