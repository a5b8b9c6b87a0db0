/** The command lines of `andon status [--json]` and `andon stop RUN|--all [--force]`. */
import { UsageError } from '../errors.js';
import type { HelpPlan } from './help.js';
import { type ServePlan, servePlanOf } from './serve-args.js';
import { didYouMean } from './suggest.js';

/** `--redis URL [--queue NAME]`: the runs and workers on a Redis server's queues, from any machine. */
export interface QueueBoardPlan {
  readonly url: string;
  /** One queue, or undefined for every andon queue on the server. */
  readonly queue: string | undefined;
}

/** `andon status`: list this user's runs in progress. */
export interface StatusPlan {
  readonly action: 'status';
  readonly json: boolean;
  /** With --redis: also every run and worker on the server's queues. */
  readonly redis: QueueBoardPlan | undefined;
}

/** `andon stop`: stop one run, or every one, as Ctrl+C in its terminal would. */
export interface StopPlan {
  readonly action: 'stop';
  /** The run's id or the start of it; undefined with --all. */
  readonly run: string | undefined;
  readonly force: boolean;
  /** With --redis: the runs on the server's queues, wherever they were submitted. */
  readonly redis: QueueBoardPlan | undefined;
}

/** `andon serve`: one live page of every run `andon status` sees, with a stop button each. */
export interface ServeBoardPlan {
  readonly action: 'serve';
  readonly listen: ServePlan;
  readonly redis: QueueBoardPlan | undefined;
}

/** The options that take a value. */
const VALUED = ['--redis', '--queue'];

/**
 * Splits `args` into the flags among `known`, the values of {@link VALUED} (`--redis URL` or
 * `--redis=URL`), and the other words. @throws UsageError
 */
function flagsOf(
  args: readonly string[],
  known: readonly string[],
  usage: string,
): { flags: Set<string>; values: Map<string, string>; words: string[] } {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const words: string[] = [];
  for (let at = 0; at < args.length; at++) {
    const arg = args[at]!;
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (VALUED.includes(name)) {
      const value = inline ?? args[++at];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value; usage: ${usage}`);
      values.set(name, value);
    } else if (known.includes(arg)) flags.add(arg);
    else if (arg.startsWith('-'))
      throw new UsageError(`Unknown option ${arg}${didYouMean(arg, [...known, ...VALUED])}; usage: ${usage}`);
    else words.push(arg);
  }
  return { flags, values, words };
}

/** `--redis URL [--queue NAME]`, or undefined without them. @throws UsageError for --queue alone */
function boardOf(values: ReadonlyMap<string, string>, usage: string): QueueBoardPlan | undefined {
  const url = values.get('--redis');
  const queue = values.get('--queue');
  if (url === undefined && queue !== undefined)
    throw new UsageError(`--queue needs --redis URL: the Redis server that holds the queue; usage: ${usage}`);
  return url === undefined ? undefined : { url, queue };
}

/** Parses the arguments after `status`. @throws UsageError */
export function parseStatus(args: readonly string[]): StatusPlan | HelpPlan {
  const usage = 'andon status [--json] [--redis URL [--queue NAME]]';
  const { flags, values, words } = flagsOf(args, ['--json', '--help', '-h'], usage);
  if (flags.has('--help') || flags.has('-h')) return { action: 'help', topic: 'control' };
  if (words.length > 0) throw new UsageError(`andon status takes no run; usage: ${usage}`);
  return { action: 'status', json: flags.has('--json'), redis: boardOf(values, usage) };
}

/** Parses the arguments after `stop`. @throws UsageError */
export function parseStop(args: readonly string[]): StopPlan | HelpPlan {
  const usage =
    'andon stop RUN [--force] [--redis URL [--queue NAME]], or andon stop --all [--force] [--redis URL [--queue NAME]]';
  const { flags, values, words } = flagsOf(args, ['--all', '--force', '--help', '-h'], usage);
  if (flags.has('--help') || flags.has('-h')) return { action: 'help', topic: 'control' };
  const all = flags.has('--all');
  if (all ? words.length > 0 : words.length !== 1)
    throw new UsageError(
      all
        ? `andon stop --all stops every run; leave out ${words.join(' ')}`
        : `andon stop needs one run id (andon status lists them); usage: ${usage}`,
    );
  const redis = boardOf(values, usage);
  return { action: 'stop', run: all ? undefined : words[0], force: flags.has('--force'), redis };
}

/** Parses the arguments after `serve`: `[[ADDR:]PORT] [--redis URL [--queue NAME]]`. @throws UsageError */
export function parseServe(args: readonly string[]): ServeBoardPlan | HelpPlan {
  const usage = 'andon serve [[ADDR:]PORT] [--redis URL [--queue NAME]]';
  const { flags, values, words } = flagsOf(args, ['--help', '-h'], usage);
  if (flags.has('--help') || flags.has('-h')) return { action: 'help', topic: 'control' };
  if (words.length > 1)
    throw new UsageError(`andon serve takes one port at most, not ${words.join(' ')}; usage: ${usage}`);
  const listen = servePlanOf(words[0] ?? '', 'andon serve ');
  return { action: 'serve', listen, redis: boardOf(values, usage) };
}
