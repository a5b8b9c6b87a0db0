/**
 * andon's own options at the front of a command line: flags, options with a value (`--jobs 4`,
 * `--jobs=4`, `-j4`, `-j 4`), short options bundled as getopt allows (`-kj2`, `-kX`), up to
 * the first command word, `:::`, `::::` or `--`. GNU parallel's options that andon does not
 * have are refused by name, each with one line saying what to do instead.
 */
import { UsageError } from '../errors.js';
import { didYouMean } from './suggest.js';

/** Options that take a value, by every name they answer to. */
const VALUE_OPTIONS: Record<string, string> = {
  '-j': 'jobs',
  '--jobs': 'jobs',
  '-P': 'jobs',
  '--max-procs': 'jobs',
  '--timeout': 'timeout',
  '--retries': 'retries',
  '--halt': 'halt',
  '--halt-on-error': 'halt',
  '--grace': 'grace',
  '--termseq': 'termseq',
  '--joblog': 'joblog',
  '--jl': 'joblog',
  '--redis': 'redis',
  '--queue': 'queue',
  '--reconnect-timeout': 'reconnectTimeout',
  '-n': 'maxArgs',
  '--max-args': 'maxArgs',
  '-N': 'maxReplaceArgs',
  '--max-replace-args': 'maxReplaceArgs',
  '-s': 'maxChars',
  '--max-chars': 'maxChars',
  '-a': 'argFile',
  '--arg-file': 'argFile',
  '--arg-sep': 'argSep',
  '--arg-file-sep': 'argFileSep',
  '-I': 'replace',
  '--replace': 'replace',
  '--extensionreplace': 'extensionReplace',
  '--er': 'extensionReplace',
  '--basenamereplace': 'basenameReplace',
  '--bnr': 'basenameReplace',
  '--dirnamereplace': 'dirnameReplace',
  '--dnr': 'dirnameReplace',
  '--basenameextensionreplace': 'basenameExtensionReplace',
  '--bner': 'basenameExtensionReplace',
  '--seqreplace': 'seqReplace',
  '--slotreplace': 'slotReplace',
  '-C': 'colsep',
  '--colsep': 'colsep',
  '--trim': 'trim',
  '-d': 'delimiter',
  '--delimiter': 'delimiter',
  '-E': 'eof',
  '--tagstring': 'tagstring',
  '--block': 'blockSize',
  '--block-size': 'blockSize',
  '--recstart': 'recstart',
  '--recend': 'recend',
  '--header': 'header',
  '--delay': 'delay',
  '-L': 'lines',
  '--nice': 'nice',
  '--wd': 'workdir',
  '--workdir': 'workdir',
  '--results': 'results',
  '--res': 'results',
  '--tmpdir': 'tmpdir',
  '--profile': 'profile',
  '--rpl': 'rpl',
  '--parens': 'parens',
  '--load': 'load',
  '--group-by': 'groupBy',
  '--groupby': 'groupBy',
  '--env': 'env',
  '-J': 'profile',
};

/** Options given more than once that add up rather than the last one winning. */
const REPEATABLE = new Set(['argFile', 'profile', 'rpl', 'env']);

const FLAG_OPTIONS: Record<string, string> = {
  '-0': 'null',
  '--null': 'null',
  '-k': 'keepOrder',
  '--keep-order': 'keepOrder',
  '--tag': 'tag',
  '--line-buffer': 'lineBuffer',
  '--lb': 'lineBuffer',
  '--linebuffer': 'lineBuffer',
  '--line-buffered': 'lineBuffer',
  // GNU's -u may print half lines of two jobs mixed; andon prints whole lines as they come.
  '-u': 'lineBuffer',
  '--ungroup': 'lineBuffer',
  '--shuf': 'shuffle',
  '--plus': 'plus',
  '--group': 'group',
  '--dry-run': 'dryRun',
  '--dryrun': 'dryRun',
  '--bar': 'bar',
  // GNU's other progress displays: andon's progress line shows the progress and the ETA.
  '--eta': 'bar',
  '--progress': 'bar',
  '--resume': 'resume',
  '--resume-failed': 'resumeFailed',
  '--retry-failed': 'retryFailed',
  '-m': 'multiple',
  '-X': 'contextReplace',
  '--xargs': 'xargs',
  '-t': 'printCommands',
  '--verbose': 'printCommands',
  '-v': 'printCommandsToStdout',
  '-r': 'noRunIfEmpty',
  '--no-run-if-empty': 'noRunIfEmpty',
  '--link': 'link',
  // Every job's line through the shell, even one of plain words that andon would exec directly.
  '--shell': 'shell',
  '--xapply': 'link',
  '--files': 'files',
  '-q': 'quote',
  '--quote': 'quote',
  '--pipe': 'pipe',
  '--spreadstdin': 'pipe',
  '--pipepart': 'pipePart',
  '--pipe-part': 'pipePart',
  // A --pipe job's block as a file ({} names it) instead of on its standard input.
  '--cat': 'cat',
  '--fifo': 'fifo',
  '--csv': 'csv',
  '--rrs': 'removeRecSep',
  '--remove-rec-sep': 'removeRecSep',
  '--removerecsep': 'removeRecSep',
  // andon prints no citation notice: these ask for what it does anyway.
  '--will-cite': 'accepted',
  '--no-notice': 'accepted',
  '--plain': 'plain',
  '--shellquote': 'shellQuote',
  '--noswap': 'noSwap',
  '--compress': 'compress',
  '--use-cpus-instead-of-cores': 'useCpus',
  '-h': 'help',
  '--help': 'help',
  '-V': 'version',
  '--version': 'version',
};

/**
 * GNU parallel options andon does not have, with what to do instead: refused by name, since
 * taking them as the command's first word would run something else.
 */
const UNSUPPORTED: Record<string, string> = {
  '--sshlogin': 'run andon worker on each machine instead, see --redis',
  '-S': 'run andon worker on each machine instead, see --redis',
  '--sshloginfile': 'run andon worker on each machine instead, see --redis',
  '--slf': 'run andon worker on each machine instead, see --redis',
  '--transfer': 'run andon worker on each machine instead, see --redis',
  '--transferfile': 'run andon worker on each machine instead, see --redis',
  '--tf': 'run andon worker on each machine instead, see --redis',
  '--return': 'run andon worker on each machine instead, see --redis',
  '--trc': 'run andon worker on each machine instead, see --redis',
  '--cleanup': 'run andon worker on each machine instead, see --redis',
  '--basefile': 'run andon worker on each machine instead, see --redis',
  '--bf': 'run andon worker on each machine instead, see --redis',
  '--nonall': 'run andon worker on each machine instead, see --redis',
  '--onall': 'run andon worker on each machine instead, see --redis',
  '--regexp': 'give --recstart and --recend as plain strings',
  '--round-robin': 'use --pipe, which starts a job per block',
  '--round': 'use --pipe, which starts a job per block',
  '--block-timeout': 'use --pipe without it: a block is passed on when it is full or the input ends',
  '--bt': 'use --pipe without it: a block is passed on when it is full or the input ends',
  '--tee': 'use tee(1) with process substitution in the command instead',
  '--shard': 'use --pipe, which starts a job per block',
  '--bin': 'use --pipe, which starts a job per block',
  '--semaphore': 'use flock(1) instead',
  '--sem': 'use flock(1) instead',
  '--memfree': 'use -j to bound the jobs',
  '--tty': 'andon runs jobs without a terminal',
  '--fg': 'andon runs in the foreground already',
  '--bg': 'run andon in the background with & instead',
};

/**
 * Options whose value may be left out, as GNU's getopt reads them: `-l` (`-l2`, `-l 2`,
 * `--max-lines=2`; 1 when left out) takes the next word only if it is a number; `-e`/`--eof`
 * (no end marker when left out) takes any next word that is not an option.
 */
const NUMBER = /^\d+(\.\d+)?[KMGTPkmgtp]?$/;
const NOT_AN_OPTION = /^(?!-|:::)/;
const OPTIONAL: Record<string, { readonly key: string; readonly takes: RegExp; readonly absent: string }> = {
  '-l': { key: 'maxLines', takes: NUMBER, absent: '1' },
  '--max-lines': { key: 'maxLines', takes: NUMBER, absent: '1' },
  '--maxlines': { key: 'maxLines', takes: NUMBER, absent: '1' },
  '-e': { key: 'eof', takes: NOT_AN_OPTION, absent: '' },
  '--eof': { key: 'eof', takes: NOT_AN_OPTION, absent: '' },
  // A port, or ADDR:PORT; without it, a free port on 127.0.0.1.
  '--serve': { key: 'serve', takes: /^(?:\[?[\w.:-]*\]?:)?\d+$/, absent: '' },
};

/** An optional value, and how many words it took: attached, or the next word if the option takes it. */
function optionalValue(name: string, attached: string | undefined, next: string | undefined, found: Found): number {
  const { key, takes, absent } = OPTIONAL[name]!;
  const [value, used]: [string, number] =
    attached !== undefined && attached !== ''
      ? [attached, 1]
      : next !== undefined && takes.test(next)
        ? [next, 2]
        : [absent, 1];
  setValue(found, key, value);
  return used;
}

/** Short options that take a value: in a bundle, the rest of the word (or the next word) is it. */
const SHORT_VALUE = new Set(['j', 'P', 'n', 'N', 's', 'a', 'I', 'C', 'd', 'E', 'J', 'L']);

/** The options found, by their internal names, and where the command starts. */
export interface ScannedOptions {
  /** Values by option (`jobs`, `timeout`, ...); the last one given wins. */
  readonly values: ReadonlyMap<string, string>;
  /** Every value of a repeatable option (`argFile`), in order. */
  readonly lists: ReadonlyMap<string, readonly string[]>;
  /** Flags given (`null`, `keepOrder`, ...). */
  readonly flags: ReadonlySet<string>;
  /** The index in argv of the first word after the options (and after a `--`). */
  readonly end: number;
}

/** What the scan collects. */
interface Found {
  readonly values: Map<string, string>;
  readonly lists: Map<string, string[]>;
  readonly flags: Set<string>;
}

function setValue(found: Found, key: string, value: string): void {
  found.values.set(key, value);
  if (REPEATABLE.has(key)) found.lists.set(key, [...(found.lists.get(key) ?? []), value]);
}

function refuseUnsupported(name: string): void {
  const instead = UNSUPPORTED[name];
  if (instead !== undefined) throw new UsageError(`${name} is not supported; ${instead}`);
}

/** `-kj2`, `-n2`, `-kX`, `-iREPL`: GNU's bundled short options. Returns how many words it used. */
function scanShort(arg: string, next: string | undefined, found: Found): number {
  for (let at = 1; at < arg.length; at++) {
    const letter = arg[at]!;
    const name = `-${letter}`;
    if (letter === 'i') {
      // -i takes its replacement string only attached: -i alone is -I {}.
      setValue(found, 'replace', arg.slice(at + 1) || '{}');
      return 1;
    }
    if (name in OPTIONAL) return optionalValue(name, arg.slice(at + 1), next, found);
    if (SHORT_VALUE.has(letter)) {
      const attached = arg.slice(at + 1);
      const value = attached !== '' ? attached : next;
      if (value === undefined) throw new UsageError(`${name} needs a value; see andon --help`);
      setValue(found, VALUE_OPTIONS[name]!, value);
      return attached !== '' ? 1 : 2;
    }
    refuseUnsupported(name);
    const flag = FLAG_OPTIONS[name];
    if (flag === undefined)
      throw new UsageError(`Unknown option ${name}${arg.length > 2 ? ` in ${arg}` : ''}; see andon --help`);
    found.flags.add(flag);
  }
  return 1;
}

/** `--jobs 4`, `--jobs=4`, `--tag`. Returns how many words it used. */
function scanLong(arg: string, next: string | undefined, found: Found): number {
  // Only long options take `=VALUE`.
  const eq = arg.indexOf('=');
  const name = eq === -1 ? arg : arg.slice(0, eq);
  refuseUnsupported(name);
  if (name in OPTIONAL)
    return eq === -1
      ? optionalValue(name, undefined, next, found)
      : optionalValue(name, arg.slice(eq + 1), undefined, found);
  if (name in FLAG_OPTIONS) {
    if (eq !== -1) throw new UsageError(`${name} takes no value`);
    found.flags.add(FLAG_OPTIONS[name]!);
    return 1;
  }
  if (name in VALUE_OPTIONS) {
    const value = eq !== -1 ? arg.slice(eq + 1) : next;
    if (value === undefined) throw new UsageError(`${name} needs a value; see andon --help`);
    setValue(found, VALUE_OPTIONS[name]!, value);
    return eq !== -1 ? 1 : 2;
  }
  const known = [...Object.keys(VALUE_OPTIONS), ...Object.keys(FLAG_OPTIONS), ...Object.keys(OPTIONAL)].filter((o) =>
    o.startsWith('--'),
  );
  throw new UsageError(`Unknown option ${name}${didYouMean(name, known)}; see andon --help`);
}

/**
 * Reads andon's options from the front of `argv`. It stops at the first word that is not an
 * option, since the command's own options (`echo -n`) are not andon's; `-` alone is a word.
 * @throws UsageError for an unknown option, a flag given a value, or a value missing.
 */
export function scanOptions(argv: readonly string[]): ScannedOptions {
  const found: Found = { values: new Map(), lists: new Map(), flags: new Set() };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    const separators = [found.values.get('argSep') ?? ':::', found.values.get('argFileSep') ?? '::::'];
    if (separators.includes(arg) || !arg.startsWith('-') || arg === '-') break;
    i += arg.startsWith('--') ? scanLong(arg, argv[i + 1], found) : scanShort(arg, argv[i + 1], found);
  }
  return { values: found.values, lists: found.lists, flags: found.flags, end: i };
}
