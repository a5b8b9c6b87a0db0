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
import type { HelpPlan } from './help.js';
import { positiveInteger, seconds, wholeNumber } from './values.js';
import { parseWorker, redisPlan, type RedisPlan, type WorkerPlan } from './worker-args.js';
import { UsageError } from '../errors.js';
import { readCommandWords, type CommandWords, type SourceSpec } from './command-words.js';
import { scanOptions, type ScannedOptions } from './option-scan.js';
import { parseReport, type ReportPlan } from './report-args.js';

export type { SourceSpec } from './command-words.js';

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
  | HelpPlan
  | { readonly action: 'version' }
  | { readonly action: 'demo' }
  | ReportPlan
  | WorkerPlan;

/** Arguments as a user would type them again: shell-quoted, with `:::` and `::::` left bare. */
export function displayArgs(args: readonly string[]): string {
  return args.map((arg) => (arg === ':::' || arg === '::::' ? arg : shellQuote(arg))).join(' ');
}

/** Parses `argv` (without node and the script). @throws UsageError */
export function parseCommandLine(argv: readonly string[], defaultJobs: number): Plan {
  if (argv.length === 1 && argv[0] === 'demo') return { action: 'demo' };
  if (argv.length === 2 && argv[0] === 'demo' && (argv[1] === '--help' || argv[1] === '-h'))
    return { action: 'help', topic: 'demo' };
  // A program called `report` or `worker` can still run: with inputs after ::: it is a command.
  const subcommand = !argv.includes(':::') && !argv.includes('::::');
  if (argv[0] === 'report' && subcommand) return parseReport(argv.slice(1));
  if (argv[0] === 'worker' && subcommand) return parseWorker(argv.slice(1), defaultJobs);
  const options = scanOptions(argv);
  // Before the command is read: `andon --help` has none, and a user asking for help gets it.
  if (options.flags.has('help')) return { action: 'help', topic: 'run' };
  if (options.flags.has('group') && options.flags.has('lineBuffer'))
    throw new UsageError('--group and --line-buffer contradict each other; choose one');
  if (options.flags.has('version')) return { action: 'version' };
  return assembleRunPlan(argv, options, readCommandWords(argv, options.end), defaultJobs);
}

/** Checks the options against each other and the command, and builds the run's plan. @throws UsageError */
function assembleRunPlan(
  argv: readonly string[],
  { values, flags }: ScannedOptions,
  { command, sources }: CommandWords,
  defaultJobs: number,
): RunPlan {
  const template = templateFor(command, sources.length);
  const redis = redisPlan(values.get('redis'), values.get('queue'), values.get('reconnectTimeout'), 'see andon --help');
  if (redis !== undefined && flags.has('lineBuffer'))
    throw new UsageError(
      "--line-buffer cannot be used with --redis: a remote job's output arrives when it ends; leave --line-buffer out",
    );
  const jobs = jobsFor(values.get('jobs'), redis === undefined ? defaultJobs : DEFAULTS.queuedJobs);
  const termseq = termseqFor(values.get('termseq'));
  const jobLog = values.get('joblog');
  if (jobLog === '-')
    throw new UsageError('--joblog - (the job log on standard output) is not supported; give the path of a file');
  checkResume(flags, jobLog);
  const retries = values.get('retries');
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
    // GNU parallel's --retries counts tries in all; 0 is taken as 1, as it does.
    tries:
      retries === undefined
        ? 1
        : Math.max(1, wholeNumber('--retries', retries, ' (the tries in all; 1 or 0: no retry)')),
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

/** The command's template, checked against the number of sources. @throws UsageError */
function templateFor(command: string, sourceTotal: number): Template {
  let template: Template;
  try {
    template = new Template(command);
  } catch (error) {
    throw new UsageError((error as OptionError).message);
  }
  // With no source the jobs read stdin, which is source 1.
  const sourceCount = Math.max(sourceTotal, 1);
  if (template.highestSource > sourceCount) {
    throw new UsageError(
      `{${template.highestSource}} refers to input source ${template.highestSource}, but there ${sourceCount === 1 ? 'is 1 source' : `are ${sourceCount} sources`}; add one with ::: or ::::`,
    );
  }
  return template;
}

/** -j, or the default when it is not given. @throws UsageError */
function jobsFor(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  // A GNU parallel user's -j 0 means something else: say what, rather than only "not positive".
  return positiveInteger(
    '-j',
    text,
    text === '0' ? ' (GNU parallel reads -j 0 as "as many as possible"; andon needs a number)' : '',
  );
}

/** --termseq, or the default. @throws UsageError */
function termseqFor(text: string | undefined): readonly TermStep[] {
  try {
    return parseTermseq(text ?? DEFAULTS.termseq);
  } catch (error) {
    throw new UsageError(`--termseq: ${(error as OptionError).message}`);
  }
}

/** --resume and --resume-failed: one at most, and a job log to resume from. @throws UsageError */
function checkResume(flags: ReadonlySet<string>, jobLog: string | undefined): void {
  if ((flags.has('resume') || flags.has('resumeFailed')) && jobLog === undefined) {
    throw new UsageError(
      `${flags.has('resume') ? '--resume' : '--resume-failed'} needs --joblog FILE: the job log says which jobs already ran`,
    );
  }
  if (flags.has('resume') && flags.has('resumeFailed'))
    throw new UsageError('--resume and --resume-failed contradict each other; choose one');
}
