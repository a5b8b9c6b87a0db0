/** The command lines of `andon status [--json]` and `andon stop RUN|--all [--force]`. */
import { UsageError } from '../errors.js';
import type { HelpPlan } from './help.js';
import { didYouMean } from './suggest.js';

/** `andon status`: list this user's runs in progress. */
export interface StatusPlan {
  readonly action: 'status';
  readonly json: boolean;
}

/** `andon stop`: stop one run, or every one, as Ctrl+C in its terminal would. */
export interface StopPlan {
  readonly action: 'stop';
  /** The run's id or the start of it; undefined with --all. */
  readonly run: string | undefined;
  readonly force: boolean;
}

/** Splits `args` into the flags among `known` and the other words. @throws UsageError */
function flagsOf(
  args: readonly string[],
  known: readonly string[],
  usage: string,
): { flags: Set<string>; words: string[] } {
  const flags = new Set<string>();
  const words: string[] = [];
  for (const arg of args) {
    if (known.includes(arg)) flags.add(arg);
    else if (arg.startsWith('-'))
      throw new UsageError(`Unknown option ${arg}${didYouMean(arg, known)}; usage: ${usage}`);
    else words.push(arg);
  }
  return { flags, words };
}

/** Parses the arguments after `status`. @throws UsageError */
export function parseStatus(args: readonly string[]): StatusPlan | HelpPlan {
  const usage = 'andon status [--json]';
  const { flags, words } = flagsOf(args, ['--json', '--help', '-h'], usage);
  if (flags.has('--help') || flags.has('-h')) return { action: 'help', topic: 'control' };
  if (words.length > 0) throw new UsageError(`andon status takes no run; usage: ${usage}`);
  return { action: 'status', json: flags.has('--json') };
}

/** Parses the arguments after `stop`. @throws UsageError */
export function parseStop(args: readonly string[]): StopPlan | HelpPlan {
  const usage = 'andon stop RUN [--force], or andon stop --all [--force]';
  const { flags, words } = flagsOf(args, ['--all', '--force', '--help', '-h'], usage);
  if (flags.has('--help') || flags.has('-h')) return { action: 'help', topic: 'control' };
  const all = flags.has('--all');
  if (all ? words.length > 0 : words.length !== 1)
    throw new UsageError(
      all
        ? `andon stop --all stops every run; leave out ${words.join(' ')}`
        : `andon stop needs one run id (andon status lists them); usage: ${usage}`,
    );
  return { action: 'stop', run: all ? undefined : words[0], force: flags.has('--force') };
}
