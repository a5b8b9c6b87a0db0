/**
 * Reads the command line the way GNU parallel does: options first, then the command (its
 * words joined by spaces into one shell line), then input sources after `:::` (values) or
 * `::::` (files). `util.parseArgs` cannot do this: parsing must stop at the first command
 * word, because the command's own options (`echo -n`) are not andon's.
 */
import { DEFAULTS } from '../options/defaults.js';
import { parseTermseq, type TermStep } from '../run/process/termseq.js';
import { Template } from '../command/template.js';
import type { OptionError } from '../errors.js';
import { shellQuote } from '../command/quote.js';
import { parseHalt, type HaltPolicy } from './halt.js';
import { positiveInteger, seconds } from './values.js';
import { parseWorker, redisPlan, type RedisPlan, type WorkerPlan } from './worker-args.js';
import { UsageError } from '../errors.js';

/** Where a job's values come from. */
export type SourceSpec =
  | { readonly kind: 'values'; readonly values: readonly string[] }
  | { readonly kind: 'file'; readonly path: string };

/** A run, as the command line asked for it. */
export interface RunPlan {
  readonly action: 'run';
  /** The command words joined by spaces: one shell line with replacement strings. */
  readonly command: string;
  readonly template: Template;
  /** Input sources in order; empty means lines from stdin. */
  readonly sources: readonly SourceSpec[];
  readonly jobs: number;
  /** Input lines end with NUL instead of newline. */
  readonly nullSeparated: boolean;
  readonly dryRun: boolean;
  readonly keepOrder: boolean;
  readonly tag: boolean;
  readonly lineBuffer: boolean;
  /** Show the progress line (on a terminal). */
  readonly bar: boolean;
  /** Per-job time limit in ms, if any. */
  readonly timeoutMs: number | undefined;
  /** Tries per job in total, as GNU parallel's --retries (1 = no retry). */
  readonly tries: number;
  readonly halt: HaltPolicy | undefined;
  readonly graceMs: number;
  readonly termseq: readonly TermStep[];
  /** Where to log finished jobs, if anywhere. */
  readonly jobLog: string | undefined;
  /** Skip jobs the job log has: all of them (GNU --resume), or only successes (--resume-failed). */
  readonly resume: false | true | 'rerun-failed';
  /** Run the jobs on `andon worker` processes through this Redis queue, if given. */
  readonly redis: RedisPlan | undefined;
  /** The arguments as given, to print the command that resumes this run. */
  readonly argv: readonly string[];
}

/** What the command line asks for. */
export type Plan =
  | RunPlan
  | { readonly action: 'help' }
  | { readonly action: 'version' }
  | { readonly action: 'demo' }
  | { readonly action: 'report'; readonly jobLog: string; readonly output: string }
  | WorkerPlan;

/** `andon report JOBLOG [-o FILE]`. */
function parseReport(args: readonly string[]): Plan {
  let output: string | undefined;
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-o' || arg === '--output') {
      output = args[++i];
      if (output === undefined) throw new UsageError(`${arg} needs a file name; see andon --help`);
    } else if (arg.startsWith('--output=')) output = arg.slice('--output='.length);
    else if (arg.startsWith('-') && arg !== '-')
      throw new UsageError(`Unknown option ${arg} for andon report; usage: andon report JOBLOG [-o FILE]`);
    else positionals.push(arg);
  }
  if (positionals.length !== 1) throw new UsageError('andon report takes one job log: andon report JOBLOG [-o FILE]');
  const jobLog = positionals[0]!;
  return { action: 'report', jobLog, output: output ?? `${jobLog}.html` };
}

/** Options that take a value, by every name they answer to. */
const VALUE_OPTIONS: Record<string, string> = {
  '-j': 'jobs',
  '--jobs': 'jobs',
  '--timeout': 'timeout',
  '--retries': 'retries',
  '--halt': 'halt',
  '--grace': 'grace',
  '--termseq': 'termseq',
  '--joblog': 'joblog',
  '--redis': 'redis',
  '--queue': 'queue',
  '--reconnect-timeout': 'reconnectTimeout',
};

const FLAG_OPTIONS: Record<string, string> = {
  '-0': 'null',
  '--null': 'null',
  '-k': 'keepOrder',
  '--keep-order': 'keepOrder',
  '--tag': 'tag',
  '--line-buffer': 'lineBuffer',
  '--lb': 'lineBuffer',
  '--group': 'group',
  '--dry-run': 'dryRun',
  '--bar': 'bar',
  '--resume': 'resume',
  '--resume-failed': 'resumeFailed',
  '-h': 'help',
  '--help': 'help',
  '-V': 'version',
  '--version': 'version',
};

/** Arguments as a user would type them again: shell-quoted, with `:::` and `::::` left bare. */
export function displayArgs(args: readonly string[]): string {
  return args.map((arg) => (arg === ':::' || arg === '::::' ? arg : shellQuote(arg))).join(' ');
}

/** Parses `argv` (without node and the script). @throws UsageError */
export function parseCommandLine(argv: readonly string[], defaultJobs: number): Plan {
  if (argv.length === 1 && argv[0] === 'demo') return { action: 'demo' };
  // A program called `report` or `worker` can still run: with inputs after ::: it is a command.
  const subcommand = !argv.includes(':::') && !argv.includes('::::');
  if (argv[0] === 'report' && subcommand) return parseReport(argv.slice(1));
  if (argv[0] === 'worker' && subcommand) return parseWorker(argv.slice(1), defaultJobs);
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === ':::' || arg === '::::' || !arg.startsWith('-') || arg === '-') break;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (name in FLAG_OPTIONS) {
      if (eq !== -1) throw new UsageError(`${name} takes no value`);
      flags.add(FLAG_OPTIONS[name]!);
    } else if (name in VALUE_OPTIONS) {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value; see andon --help`);
      values.set(VALUE_OPTIONS[name]!, value);
    } else if (/^-j\S+$/.test(arg)) {
      values.set('jobs', arg.slice(2));
    } else {
      throw new UsageError(`Unknown option ${name}; see andon --help`);
    }
  }
  if (flags.has('help')) return { action: 'help' };
  if (flags.has('group') && flags.has('lineBuffer'))
    throw new UsageError('--group and --line-buffer contradict each other; choose one');
  if (flags.has('version')) return { action: 'version' };

  const commandWords: string[] = [];
  for (; i < argv.length && argv[i] !== ':::' && argv[i] !== '::::'; i++) commandWords.push(argv[i]!);
  if (commandWords.join('').trim() === '')
    throw new UsageError('Missing command: give the command to run before the inputs, e.g. andon gzip -k {} ::: *.log');

  const sources: SourceSpec[] = [];
  while (i < argv.length) {
    const separator = argv[i++]!;
    const group: string[] = [];
    for (; i < argv.length && argv[i] !== ':::' && argv[i] !== '::::'; i++) group.push(argv[i]!);
    if (group.length === 0)
      throw new UsageError(
        `${separator} has nothing after it; give at least one ${separator === ':::' ? 'value' : 'file'}, or leave ${separator} out to read stdin`,
      );
    if (separator === ':::') sources.push({ kind: 'values', values: group });
    else for (const path of group) sources.push({ kind: 'file', path });
  }

  const command = commandWords.join(' ');
  let template: Template;
  try {
    template = new Template(command);
  } catch (error) {
    throw new UsageError((error as OptionError).message);
  }
  const sourceCount = Math.max(sources.length, 1);
  if (template.highestSource > sourceCount) {
    throw new UsageError(
      `{${template.highestSource}} refers to input source ${template.highestSource}, but there ${sourceCount === 1 ? 'is 1 source' : `are ${sourceCount} sources`}; add one with ::: or ::::`,
    );
  }
  const redis = redisPlan(values.get('redis'), values.get('queue'), values.get('reconnectTimeout'), 'see andon --help');
  if (redis !== undefined && flags.has('lineBuffer'))
    throw new UsageError(
      "--line-buffer cannot be used with --redis: a remote job's output arrives when it ends; leave --line-buffer out",
    );
  const jobsText = values.get('jobs');
  const jobs =
    jobsText === undefined
      ? redis === undefined
        ? defaultJobs
        : DEFAULTS.queuedJobs
      : positiveInteger(
          '-j',
          jobsText,
          jobsText === '0' ? ' (GNU parallel reads -j 0 as "as many as possible"; andon needs a number)' : '',
        );
  let termseq: readonly TermStep[];
  try {
    termseq = parseTermseq(values.get('termseq') ?? DEFAULTS.termseq);
  } catch (error) {
    throw new UsageError(`--termseq: ${(error as OptionError).message}`);
  }
  const retries = values.get('retries');
  const jobLog = values.get('joblog');
  if ((flags.has('resume') || flags.has('resumeFailed')) && jobLog === undefined) {
    throw new UsageError(
      `${flags.has('resume') ? '--resume' : '--resume-failed'} needs --joblog FILE: the job log says which jobs already ran`,
    );
  }
  if (flags.has('resume') && flags.has('resumeFailed'))
    throw new UsageError('--resume and --resume-failed contradict each other; choose one');
  return {
    action: 'run',
    command,
    template,
    sources,
    jobs,
    nullSeparated: flags.has('null'),
    dryRun: flags.has('dryRun'),
    keepOrder: flags.has('keepOrder'),
    tag: flags.has('tag'),
    lineBuffer: flags.has('lineBuffer'),
    bar: flags.has('bar'),
    timeoutMs: values.has('timeout') ? seconds('--timeout', values.get('timeout')) : undefined,
    tries: retries === undefined ? 1 : retries === '0' ? 1 : positiveInteger('--retries', retries, ''),
    halt: values.has('halt') ? parseHalt(values.get('halt')!) : undefined,
    // 0: the first signal goes straight to the termination sequence.
    graceMs: values.has('grace') ? seconds('--grace', values.get('grace'), true) : DEFAULTS.grace,
    termseq,
    jobLog,
    resume: flags.has('resumeFailed') ? 'rerun-failed' : flags.has('resume'),
    redis,
    argv,
  };
}
