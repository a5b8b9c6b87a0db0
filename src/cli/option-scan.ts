/**
 * andon's own options at the front of a command line: flags, options with a value (`--jobs 4`,
 * `--jobs=4`, `-j4`), up to the first command word, `:::`, `::::` or `--`.
 */
import { UsageError } from '../errors.js';
import { didYouMean } from './suggest.js';

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

/** The options found, by their internal names, and where the command starts. */
export interface ScannedOptions {
  /** Values by option (`jobs`, `timeout`, ...); the last one given wins. */
  readonly values: ReadonlyMap<string, string>;
  /** Flags given (`null`, `keepOrder`, ...). */
  readonly flags: ReadonlySet<string>;
  /** The index in argv of the first word after the options (and after a `--`). */
  readonly end: number;
}

/**
 * Reads andon's options from the front of `argv`. It stops at the first word that is not an
 * option, since the command's own options (`echo -n`) are not andon's; `-` alone is a word.
 * @throws UsageError for an unknown option, a flag given a value, or a value missing.
 */
export function scanOptions(argv: readonly string[]): ScannedOptions {
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
    // Only long options take `=VALUE`: in `-j=4` the `=4` is not split off.
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
      const known = [...Object.keys(VALUE_OPTIONS), ...Object.keys(FLAG_OPTIONS)].filter((o) => o.startsWith('--'));
      throw new UsageError(`Unknown option ${name}${didYouMean(name, known)}; see andon --help`);
    }
  }
  return { values, flags, end: i };
}
