/**
 * Reads the command line the way GNU parallel does: options first, then the command (its
 * words joined by spaces into one shell line), then input sources after `:::` (values) or
 * `::::` (files). `util.parseArgs` cannot do this: parsing must stop at the first command
 * word, because the command's own options (`echo -n`) are not andon's.
 */
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../options/defaults.js';
import { parseTermseq, type TermStep } from '../run/process/termseq.js';
import { type JobValues, Template, type TemplateOptions } from '../command/template.js';
import { ContextTemplate, renderShellLine } from '../command/render.js';
import type { OptionError } from '../errors.js';
import { shellQuote } from '../command/quote.js';
import { parseHalt, type HaltPolicy } from './halt.js';
import type { HelpPlan } from './help.js';
import { seconds, taskTimeout, wholeNumber } from './values.js';
import { parseWorker, redisPlan, type RedisPlan, type WorkerPlan } from './worker-args.js';
import { UsageError } from '../errors.js';
import { readCommandWords, type CommandWords, type SourceSpec } from './command-words.js';
import { jobsFor, physicalCpus } from './jobs-arg.js';
import { type StartGates, startGatesOf } from './start-gates.js';
import { type ServePlan, servePlanOf } from './serve-args.js';
import { failedJobsOf, type RetryPlan } from './retry-failed.js';
import { scanOptions, type ScannedOptions } from './option-scan.js';
import { shapePlan, type ShapePlan, withBareTags, withRenamedStrings } from './shape-args.js';
import { parseReport, type ReportPlan } from './report-args.js';
import {
  parseServe,
  parseStatus,
  parseStop,
  type ServeBoardPlan,
  type StatusPlan,
  type StopPlan,
} from './control-args.js';
import { BLOCK_FILE_VARIABLE, pipePlan, type PipePlan } from './pipe-args.js';
import { type ColumnHeaders, withColumnNumbers } from './named-columns.js';
import { type SavedResults, savedResults } from './results.js';
import { NO_OPTION_DEFAULTS, type OptionDefaults, withDefaultOptions } from './option-defaults.js';

export type { SourceSpec } from './command-words.js';

/** A run, as the command line asked for it. */
export interface RunPlan {
  readonly action: 'run';
  /** The command words joined by spaces: one shell line with replacement strings. */
  readonly command: string;
  readonly template: Template;
  /** A job's shell line: the template filled in (each word per value with -X). */
  readonly line: (job: JobValues) => string;
  /** Input sources in order; empty means lines from stdin. */
  readonly sources: readonly SourceSpec[];
  readonly jobs: number;
  /** `-j FILE`: read again as the run goes on; `cores` for the relative forms in it. */
  readonly jobsFile: { readonly path: string; readonly cores: number } | undefined;
  /** How records become jobs, and what is printed around them (-n, -X, --colsep, -t, ...). */
  readonly shaping: ShapePlan;
  /** `--pipe` / `--pipepart`: each job reads a block of the input on its stdin instead of taking values. */
  readonly pipe: PipePlan | undefined;
  /** `--shuf`: the jobs in random order. */
  readonly shuffle: boolean;
  /** `--delay`: at least this long between two job starts, in ms. */
  readonly delayMs: number | undefined;
  /** `--serve`: where the run's live page listens. */
  readonly serve: ServePlan | undefined;
  /** `--load`, `--noswap`: what must hold before the next job starts. */
  readonly startGates: StartGates | undefined;
  /** `--link`: every source paired with the others by position, not combined. */
  readonly link: boolean;
  readonly dryRun: boolean;
  /** `--shellquote`: print each job's line shell-quoted, run nothing. */
  readonly shellQuote: boolean;
  /** `--compress`: jobs' output held compressed in memory, never in temporary files. */
  readonly compress: boolean;
  readonly keepOrder: boolean;
  readonly tag: boolean;
  /** `--tagstring`: a job's tag from its values, unquoted. */
  readonly tagFor: ((values: readonly string[], seq: number) => string) | undefined;
  readonly lineBuffer: boolean;
  /** `--shell`: every line through the shell, none exec'd directly (direct-exec.ts). */
  readonly forceShell: boolean;
  /** Show the progress line (on a terminal). */
  readonly bar: boolean;
  /** Seconds as ms, or a percentage of the median successful job's run time. */
  readonly timeout: number | `${number}%` | undefined;
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
  /**
   * `--header` without `--pipe`: the plan once the sources' first records have named the
   * columns (`{name}` in the command and the tag then stands for its column's number).
   */
  readonly withColumnHeaders: ((headers: ColumnHeaders) => RunPlan) | undefined;
  /** `--results` and `--files`: where each job's output is saved instead of printed. */
  readonly results: SavedResults | undefined;
  /** `--tmpdir`: `$TMPDIR` for andon and its jobs. */
  readonly tmpdir: string | undefined;
  /** `--nice N`: the jobs' niceness, through nice(1). */
  readonly nice: number | undefined;
  /** `--retry-failed`: the failed jobs of the job log, and the command line's own words it does not use. */
  readonly retry?: (RetryPlan & { readonly ignored: string | undefined }) | undefined;
  /** `--wd DIR`: the job's working directory (replacement strings filled in), made if missing. */
  readonly workdir: ((job: JobValues) => string) | undefined;
  /** `--process-slot-var NAME`: the variable holding the job slot less one (GNU's `PARALLEL_JOBSLOT0`). */
  readonly slotVariable: string;
}

/** What the command line asks for. */
export type Plan =
  | RunPlan
  | HelpPlan
  | { readonly action: 'version' }
  | { readonly action: 'demo' }
  | ReportPlan
  | StatusPlan
  | StopPlan
  | ServeBoardPlan
  | WorkerPlan;

/** Arguments as a user would type them again: shell-quoted, with `:::` and `::::` left bare. */
export function displayArgs(args: readonly string[]): string {
  return args.map((arg) => (arg === ':::' || arg === '::::' ? arg : shellQuote(arg))).join(' ');
}

/** Parses `argv` (without node and the script). @throws UsageError */
export function parseCommandLine(
  argv: readonly string[],
  defaultJobs: number,
  defaults: OptionDefaults = NO_OPTION_DEFAULTS,
): Plan {
  if (argv.length === 1 && argv[0] === 'demo') return { action: 'demo' };
  if (argv.length === 2 && argv[0] === 'demo' && (argv[1] === '--help' || argv[1] === '-h'))
    return { action: 'help', topic: 'demo' };
  // A program called `report`, `worker`, `status` or `stop` can still run: with inputs after ::: it is a command.
  const subcommand = !argv.includes(':::') && !argv.includes('::::');
  if (argv[0] === 'report' && subcommand) return parseReport(argv.slice(1));
  if (argv[0] === 'status' && subcommand) return parseStatus(argv.slice(1));
  if (argv[0] === 'stop' && subcommand) return parseStop(argv.slice(1));
  if (argv[0] === 'serve' && subcommand) return parseServe(argv.slice(1));
  if (argv[0] === 'worker' && subcommand) return parseWorker(argv.slice(1), defaultJobs);
  const given = scanOptions(argv);
  const effective = withDefaultOptions(argv, given, defaults);
  const options = effective === argv ? given : scanOptions(effective);
  // Before the command is read: `andon --help` has none, and a user asking for help gets it.
  if (options.flags.has('help')) return { action: 'help', topic: 'run' };
  if (options.flags.has('group') && options.flags.has('lineBuffer'))
    throw new UsageError('--group and --line-buffer contradict each other; choose one');
  if (options.flags.has('version')) return { action: 'version' };
  const cores = options.flags.has('useCpus') ? physicalCpus(defaultJobs) : defaultJobs;
  const separators = {
    values: options.values.get('argSep') ?? ':::',
    files: options.values.get('argFileSep') ?? '::::',
  };
  if (options.flags.has('retryFailed')) return retryRunPlan(argv, effective, options, cores);
  const words = readCommandWords(effective, options.end, separators);
  // -a FILE is a :::: FILE before the command line's own sources.
  const argFiles: SourceSpec[] = (options.lists.get('argFile') ?? []).map((path) => ({ kind: 'file', path }));
  const written = options.flags.has('quote')
    ? quotedCommand(words.words ?? [], options)
    : withRenamedStrings(words.command, options.values);
  const { command, definitions } = withBareTags(written, options.lists.get('rpl'));
  const lists = definitions === undefined ? options.lists : new Map([...options.lists, ['rpl', [...definitions]]]);
  return assembleRunPlan(
    argv,
    { ...options, lists },
    { command, words: words.words, sources: [...argFiles, ...words.sources] },
    cores,
  );
}

/** `--retry-failed`: the job log's failed commands are the jobs; the command line's own are not used. @throws UsageError */
function retryRunPlan(
  argv: readonly string[],
  effective: readonly string[],
  options: ScannedOptions,
  defaultJobs: number,
): RunPlan {
  const { flags, values, lists, end } = options;
  if (flags.has('resume') || flags.has('resumeFailed'))
    throw new UsageError(
      `--retry-failed and ${flags.has('resume') ? '--resume' : '--resume-failed'} contradict each other; choose one`,
    );
  const failed = failedJobsOf(jobLogPath(values));
  const given = [...(lists.get('argFile') ?? []).map((path) => `-a ${path}`), ...effective.slice(end)];
  const plan = assembleRunPlan(
    argv,
    options,
    { command: '', sources: [{ kind: 'values', values: failed.commands }] },
    defaultJobs,
  );
  return { ...plan, retry: { ...failed, ignored: given.length === 0 ? undefined : displayArgs(given) } };
}

/** `--joblog`'s file: GNU's `+FILE` appends, which andon's job log always does. */
function jobLogPath(values: ReadonlyMap<string, string>): string | undefined {
  return values.get('joblog')?.replace(/^\+(?=.)/, '');
}

/** When jobs start, how long they may take, how often they are tried, and when the run halts. @throws UsageError */
function timingPlan(
  values: ReadonlyMap<string, string>,
): Pick<RunPlan, 'delayMs' | 'timeout' | 'tries' | 'halt' | 'graceMs'> {
  return {
    delayMs: values.has('delay') ? seconds('--delay', values.get('delay'), true) || undefined : undefined,
    timeout: values.has('timeout') ? taskTimeout(values.get('timeout')!) : undefined,
    tries: triesOf(values.get('retries')),
    halt: values.has('halt') ? parseHalt(values.get('halt')!) : undefined,
    // 0: the first signal goes straight to the termination sequence.
    graceMs: values.has('grace') ? seconds('--grace', values.get('grace'), true) : DEFAULTS.grace,
  };
}

/** -j's number, and the file it was read from for `-j FILE`. @throws UsageError */
function jobsPlan(text: string | undefined, fallback: number, cores: number): Pick<RunPlan, 'jobs' | 'jobsFile'> {
  const { jobs, file } = jobsFor(text, fallback, cores);
  return { jobs, jobsFile: file === undefined ? undefined : { path: file, cores } };
}

/** Checks the options against each other and the command, and builds the run's plan. @throws UsageError */
function assembleRunPlan(
  argv: readonly string[],
  options: ScannedOptions,
  { command, words, sources }: CommandWords,
  defaultJobs: number,
  columnNames?: readonly string[],
): RunPlan {
  const { values, flags } = options;
  const redis = redisOf(values, flags);
  const { jobs, jobsFile } = jobsPlan(
    values.get('jobs'),
    redis === undefined ? defaultJobs : DEFAULTS.queuedJobs,
    defaultJobs,
  );
  const pipe = pipePlan(values, flags, sources);
  const shaping = shapePlan(values, flags, jobs, command);
  const strings: TemplateOptions = { plus: flags.has('plus'), slots: jobs, defined: options.lists.get('rpl') };
  const template = templateFor(command, sourcesReferable(sources.length, shaping), strings);
  const context = shaping.contextReplace ? contextTemplateFor(command, strings) : undefined;
  const termseq = termseqFor(values.get('termseq'));
  const jobLog = jobLogPath(values);
  checkResume(flags, jobLog);
  return {
    action: 'run',
    command,
    template,
    line: lineFor(command, template, context, pipe),
    sources,
    jobs,
    jobsFile,
    shaping,
    pipe,
    ...modesPlan(values, flags, defaultJobs),
    // --tagstring implies --tag, as in GNU parallel.
    tag: flags.has('tag') || shaping.tagstring !== undefined,
    tagFor: tagFor(shaping.tagstring, strings),
    lineBuffer: flags.has('lineBuffer'),
    forceShell: flags.has('shell'),
    bar: flags.has('bar'),
    ...timingPlan(values),
    termseq,
    jobLog,
    resume: flags.has('resumeFailed') ? 'rerun-failed' : flags.has('resume'),
    redis,
    argv,
    withColumnHeaders: shaping.namedColumns
      ? ({ names, sources: rest }) =>
          assembleRunPlan(
            argv,
            numberedColumns(options, names),
            { command: withColumnNumbers(command, names, words), sources: rest },
            defaultJobs,
            names,
          )
      : undefined,
    // With --colsep a job's values are one record's columns.
    results: savedResults(
      values,
      flags,
      strings,
      shaping.shape.colsep ? Number.MAX_SAFE_INTEGER : sources.length,
      columnNames,
    ),
    tmpdir: values.get('tmpdir'),
    nice: niceOf(values.get('nice')),
    workdir: workdirOf(values.get('workdir'), strings),
    slotVariable: slotVariableOf(values.get('processSlotVar')),
  };
}

/** `--process-slot-var NAME`, checked to be a name the shell can read. @throws UsageError */
function slotVariableOf(name: string | undefined): string {
  if (name === undefined) return 'PARALLEL_JOBSLOT0';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new UsageError(
      `--process-slot-var ${JSON.stringify(name)} is not a variable name; give letters, digits and _, not starting with a digit`,
    );
  return name;
}

/** The flags that say how the jobs run and print, and what holds their starts. @throws UsageError */
function modesPlan(
  values: ReadonlyMap<string, string>,
  flags: ReadonlySet<string>,
  cores: number,
): Pick<RunPlan, 'link' | 'shuffle' | 'dryRun' | 'shellQuote' | 'startGates' | 'serve' | 'compress' | 'keepOrder'> {
  return {
    link: flags.has('link'),
    shuffle: flags.has('shuffle'),
    dryRun: flags.has('dryRun'),
    shellQuote: flags.has('shellQuote'),
    startGates: startGatesOf(values.get('load'), flags.has('noSwap'), cores),
    serve: values.has('serve') ? servePlanOf(values.get('serve')!) : undefined,
    compress: flags.has('compress'),
    keepOrder: flags.has('keepOrder'),
  };
}

/** `--nice N`: -20 (most favoured; root only) to 19. @throws UsageError */
function niceOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const nice = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(nice >= -20 && nice <= 19)) throw new UsageError(`--nice needs a niceness from -20 to 19, got '${text}'`);
  return nice;
}

/** `--wd DIR`, with replacement strings; `.` is the current directory. @throws UsageError */
function workdirOf(text: string | undefined, strings: TemplateOptions): ((job: JobValues) => string) | undefined {
  if (text === undefined || text === '.') return undefined;
  // GNU parallel's `...`: a new directory per job under ~/.parallel/tmp, left there as GNU leaves it.
  if (text === '...') {
    const under = join(homedir(), '.parallel', 'tmp', `${hostname().split('.')[0]}-${process.pid}-`);
    return (job) => `${under}${job.seq}`;
  }
  const template = asUsage('--wd: ', () => new Template(text, strings));
  return (job) => template.render(job, (value) => value);
}

/** `--redis` and the options that go with it. @throws UsageError */
function redisOf(values: ReadonlyMap<string, string>, flags: ReadonlySet<string>): RedisPlan | undefined {
  const redis = redisPlan(values.get('redis'), values.get('queue'), values.get('reconnectTimeout'), 'see andon --help');
  if (redis !== undefined && flags.has('lineBuffer'))
    throw new UsageError(
      "--line-buffer cannot be used with --redis: a remote job's output arrives when it ends; leave --line-buffer out",
    );
  return redis;
}

/** GNU parallel's --retries counts tries in all; 0 is taken as 1, as it does. @throws UsageError */
function triesOf(retries: string | undefined): number {
  return retries === undefined
    ? 1
    : Math.max(1, wholeNumber('--retries', retries, ' (the tries in all; 1 or 0: no retry)'));
}

/**
 * `-q`: each command word shell-quoted, its replacement strings left to be filled in (with
 * quoted values), so that the shell runs the words as given. @throws UsageError
 */
function quotedCommand(words: readonly string[], { values, flags }: ScannedOptions): string {
  return words
    .map((word) =>
      // An empty word is still a word.
      word === ''
        ? "''"
        : asUsage('', () => new Template(withRenamedStrings(word, values), { plus: flags.has('plus') })).withTextQuoted(
            shellQuote,
          ),
    )
    .join(' ');
}

/** How a job's shell line is made from its values. */
function lineFor(
  command: string,
  template: Template,
  context: ContextTemplate | undefined,
  pipe: PipePlan | undefined,
): RunPlan['line'] {
  if (command === '' && pipe?.blockFile !== undefined)
    throw new UsageError(`--${pipe.blockFile} gives the block to a command as a file; give the command, e.g. wc -l {}`);
  // No command: the values are the command line, as they are.
  if (command === '') return (job) => job.values.join(' ');
  // --cat, --fifo: {} is the file, named by a variable the shell expands, as in GNU parallel.
  if (pipe?.blockFile !== undefined)
    return (job) => renderShellLine(template, { ...job, values: [BLOCK_FILE_VARIABLE] }, (text) => text);
  // A block is no argument: nothing is appended.
  if (pipe !== undefined) return (job) => template.render(job, shellQuote);
  if (context !== undefined) return (job) => context.render(job);
  return (job) => renderShellLine(template, job);
}

/** The options once the columns are named: the tag numbered too, and --header's split kept as --colsep. */
function numberedColumns({ values, flags, ...rest }: ScannedOptions, names: readonly string[]): ScannedOptions {
  const numbered = new Map(values);
  numbered.delete('header');
  // --csv splits at a comma unless told otherwise.
  if (!numbered.has('colsep') && !flags.has('csv')) numbered.set('colsep', '\t');
  const tagstring = values.get('tagstring');
  if (tagstring !== undefined) numbered.set('tagstring', withColumnNumbers(tagstring, names));
  return { ...rest, values: numbered, flags };
}

/** -X's template: the command word by word (a word may hold an unterminated `{` the whole line closed). @throws UsageError */
function contextTemplateFor(command: string, strings: TemplateOptions): ContextTemplate {
  return asUsage('-X: ', () => new ContextTemplate(command, strings));
}

/** What `make` returns; an OptionError it throws becomes the command line's UsageError, `prefix` first. */
function asUsage<T>(prefix: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new UsageError(`${prefix}${(error as OptionError).message}`);
  }
}

/** --tagstring's template, rendered with the values as they are (a tag is not shell). @throws UsageError */
function tagFor(
  tagstring: string | undefined,
  strings: TemplateOptions,
): ((values: readonly string[], seq: number) => string) | undefined {
  if (tagstring === undefined) return undefined;
  const template = asUsage('--tagstring: ', () => new Template(tagstring, strings));
  return (values, seq) => template.render({ values, seq, slot: undefined }, (value) => value);
}

/** The command's template, checked against the number of sources. @throws UsageError */
function templateFor(command: string, sourceTotal: number, strings: TemplateOptions): Template {
  const template = asUsage('', () => new Template(command, strings));
  const sourceCount = sourceTotal;
  if (template.highestSource > sourceCount) {
    throw new UsageError(
      `{${template.highestSource}} refers to input source ${template.highestSource}, but there ${sourceCount === 1 ? 'is 1 source' : `are ${sourceCount} sources`}; add one with ::: or ::::`,
    );
  }
  return template;
}

/** How many values a `{n}` may refer to: the sources, or more with --colsep and -n/-N. */
function sourcesReferable(sourceTotal: number, { shape }: ShapePlan): number {
  // With no source the jobs read stdin, which is source 1.
  const sources = Math.max(sourceTotal, 1);
  if (shape.colsep !== undefined || shape.grouping.kind === 'fill') return Infinity;
  return shape.grouping.kind === 'count' ? sources * Math.max(1, shape.grouping.size) : sources;
}

/** --termseq, or the default. @throws UsageError */
function termseqFor(text: string | undefined): readonly TermStep[] {
  return asUsage('--termseq: ', () => parseTermseq(text ?? DEFAULTS.termseq));
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
