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
  '--maxprocs': 'jobs',
  '--timeout': 'timeout',
  '--retries': 'retries',
  '--halt': 'halt',
  '--halt-on-error': 'halt',
  '--haltonerror': 'halt',
  '--grace': 'grace',
  '--termseq': 'termseq',
  '--term-seq': 'termseq',
  '--joblog': 'joblog',
  '--jl': 'joblog',
  '--redis': 'redis',
  '--queue': 'queue',
  '--reconnect-timeout': 'reconnectTimeout',
  '-n': 'maxArgs',
  '--max-args': 'maxArgs',
  '--maxargs': 'maxArgs',
  '-N': 'maxReplaceArgs',
  '--max-replace-args': 'maxReplaceArgs',
  '--maxreplaceargs': 'maxReplaceArgs',
  '-s': 'maxChars',
  '--max-chars': 'maxChars',
  '--maxchars': 'maxChars',
  '-a': 'argFile',
  '--arg-file': 'argFile',
  '--argfile': 'argFile',
  '--arg-sep': 'argSep',
  '--argsep': 'argSep',
  '--arg-file-sep': 'argFileSep',
  '--argfilesep': 'argFileSep',
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
  '--col-sep': 'colsep',
  '--trim': 'trim',
  '-d': 'delimiter',
  '--delimiter': 'delimiter',
  '-E': 'eof',
  '--tagstring': 'tagstring',
  '--tag-string': 'tagstring',
  '--block': 'blockSize',
  '--block-size': 'blockSize',
  '--blocksize': 'blockSize',
  '--recstart': 'recstart',
  '--recend': 'recend',
  '--header': 'header',
  '--delay': 'delay',
  '-L': 'lines',
  '--nice': 'nice',
  '--wd': 'workdir',
  '--workdir': 'workdir',
  '--work-dir': 'workdir',
  '--results': 'results',
  '--result': 'results',
  '--res': 'results',
  '--tmpdir': 'tmpdir',
  '--tempdir': 'tmpdir',
  '--process-slot-var': 'processSlotVar',
  '--processslotvar': 'processSlotVar',
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
  '--keeporder': 'keepOrder',
  // Overrides an earlier -k (from $PARALLEL or a profile, say), as in GNU parallel.
  '--no-keep-order': 'noKeepOrder',
  '--nokeeporder': 'noKeepOrder',
  '--nok': 'noKeepOrder',
  '--no-k': 'noKeepOrder',
  '--tag': 'tag',
  '--line-buffer': 'lineBuffer',
  '--lb': 'lineBuffer',
  '--linebuffer': 'lineBuffer',
  '--line-buffered': 'lineBuffer',
  '--linebuffered': 'lineBuffer',
  // GNU's -u may print half lines of two jobs mixed; andon prints whole lines as they come.
  '-u': 'lineBuffer',
  '--ungroup': 'lineBuffer',
  '--shuf': 'shuffle',
  '--plus': 'plus',
  '--group': 'group',
  '--dry-run': 'dryRun',
  '--dryrun': 'dryRun',
  '--dr': 'dryRun',
  '--bar': 'bar',
  // GNU's other progress displays: andon's progress line shows the progress and the ETA.
  '--eta': 'bar',
  '--progress': 'bar',
  '--resume': 'resume',
  '--resume-failed': 'resumeFailed',
  '--resumefailed': 'resumeFailed',
  '--retry-failed': 'retryFailed',
  '--retryfailed': 'retryFailed',
  '-m': 'multiple',
  '-X': 'contextReplace',
  '--xargs': 'xargs',
  '-t': 'printCommands',
  '--verbose': 'printCommands',
  '-v': 'printCommandsToStdout',
  // GNU's default, which also undoes a -v given anywhere.
  '--silent': 'silent',
  '-r': 'noRunIfEmpty',
  '--no-run-if-empty': 'noRunIfEmpty',
  '--norunifempty': 'noRunIfEmpty',
  '--link': 'link',
  '--linkinputsource': 'link',
  '--xapplyinputsource': 'link',
  // Every job's line through the shell, even one of plain words that andon would exec directly.
  '--shell': 'shell',
  '--xapply': 'link',
  '--files': 'files',
  '--output-as-files': 'files',
  '--outputasfiles': 'files',
  '-q': 'quote',
  '--quote': 'quote',
  '--pipe': 'pipe',
  '--spreadstdin': 'pipe',
  '--pipepart': 'pipePart',
  '--pipe-part': 'pipePart',
  // A --pipe job's block as a file ({} names it) instead of on its standard input.
  '--cat': 'cat',
  '--fifo': 'fifo',
  // --pipe's blocks dealt among one job per slot, instead of a job per block.
  '--round-robin': 'roundRobin',
  '--roundrobin': 'roundRobin',
  '--round': 'roundRobin',
  '--csv': 'csv',
  '--rrs': 'removeRecSep',
  '--remove-rec-sep': 'removeRecSep',
  '--removerecsep': 'removeRecSep',
  // andon prints no citation notice: these ask for what it does anyway.
  '--will-cite': 'accepted',
  '--willcite': 'accepted',
  '--no-notice': 'accepted',
  '--nonotice': 'accepted',
  '--nn': 'accepted',
  // GNU's --gnu only overrides --tollef, which andon refuses like GNU.
  '--gnu': 'accepted',
  '--plain': 'plain',
  '--shellquote': 'shellQuote',
  '--shell-quote': 'shellQuote',
  '--shell_quote': 'shellQuote',
  '--noswap': 'noSwap',
  '--compress': 'compress',
  '--use-cpus-instead-of-cores': 'useCpus',
  '--usecpusinsteadofcores': 'useCpus',
  // The newer name of the same count: CPU sockets.
  '--use-sockets-instead-of-threads': 'useCpus',
  '--usesocketsinsteadofthreads': 'useCpus',
  '-h': 'help',
  '--help': 'help',
  '-V': 'version',
  '--version': 'version',
};

/**
 * GNU parallel options andon does not have, with what to do instead: refused by name, since
 * taking them as the command's first word would run something else.
 */
const UNSUPPORTED: Record<string, string> = Object.fromEntries(
  (
    [
      [
        'run andon worker on each machine instead, see --redis',
        [
          '--sshlogin',
          '-S',
          '--sshloginfile',
          '--slf',
          '--transfer',
          '--transferfile',
          '--tf',
          '--return',
          '--trc',
          '--cleanup',
          '--basefile',
          '--bf',
          '--nonall',
          '--onall',
          '--ssh',
          '--sshdelay',
          '--ssh-delay',
          '--controlmaster',
          '-M',
          '--filter-hosts',
          '--filter-host',
          '--filterhosts',
          '--hostgroups',
          '--hostgroup',
          '--hostgrp',
          '--hgrp',
          '--transfer-file',
          '--transfer-files',
          '--transferfiles',
          '--rsync-opts',
          '--rsyncopts',
        ],
      ],
      ['give --recstart and --recend as plain strings', ['--regexp', '--regex']],
      [
        'use --pipe without it: a block is passed on when it is full or the input ends',
        ['--block-timeout', '--blocktimeout', '--bt'],
      ],
      ['use tee(1) with process substitution in the command instead', ['--tee']],
      ['use --pipe, which starts a job per block', ['--shard', '--bin']],
      ['--bar and --eta count the jobs as andon reads them', ['--total-jobs', '--totaljobs', '--total']],
      [
        'use flock(1) instead',
        [
          '--semaphore',
          '--sem',
          '--semaphore-name',
          '--semaphorename',
          '--id',
          '--semaphore-timeout',
          '--semaphoretimeout',
          '--st',
          '--wait',
        ],
      ],
      ['use -j to bound the jobs', ['--memfree', '--memsuspend']],
      ['andon runs jobs without a terminal', ['--tty', '--interactive', '-p', '--open-tty', '-o']],
      ['andon runs in the foreground already', ['--fg']],
      ['run andon in the background with & instead', ['--bg']],
      [
        'queue the jobs in Redis with --redis instead',
        ['--sqlmaster', '--sql-master', '--sqlworker', '--sql-worker', '--sqlandworker', '--sql-and-worker'],
      ],
      ['use --line-buffer or --tag to tell the jobs apart', ['--tmux', '--tmuxpane', '--tmux-pane']],
      ['use --line-buffer --tag', ['--latest-line', '--latestline', '--ll']],
      ['use --tag', ['--color', '--colour', '--ctag']],
      ['use --tagstring', ['--ctagstring', '--ctag-string']],
      [
        'andon report shows which jobs failed',
        [
          '--color-failed',
          '--colour-failed',
          '--colorfailed',
          '--colourfailed',
          '--color-fail',
          '--colour-fail',
          '--colorfail',
          '--colourfail',
          '--cf',
        ],
      ],
      [
        'use --compress, which keeps held output compressed in memory',
        [
          '--compress-program',
          '--compressprogram',
          '--use-compress-program',
          '--usecompressprogram',
          '--decompress-program',
          '--decompressprogram',
          '--use-decompress-program',
          '--usedecompressprogram',
        ],
      ],
      ['give -j a number of jobs', ['--use-cores-instead-of-threads', '--usecoresinsteadofthreads']],
      ['use --load, or -j FILE to change the number of jobs while andon runs', ['--limit']],
      ['render the files in the command, with sed for example', ['--template', '--tmpl']],
      ['run the script with andon -a SCRIPT COMMAND instead', ['--shebang', '--hashbang']],
      ['run the script with andon instead', ['--shebang-wrap']],
      ['give the input without its first line (tail -n +2)', ['--skip-first-line', '--skipfirstline']],
      ['install andon beside the script instead', ['--embed']],
      [
        'andon has no env_parallel; export the variables and functions the jobs need',
        ['--session', '--record-env', '--recordenv'],
      ],
      ['andon --help lists the options', ['--shell-completion', '--shellcompletion']],
      [
        'use nproc',
        [
          '--number-of-cpus',
          '--numberofcpus',
          '--number-of-sockets',
          '--numberofsockets',
          '--number-of-cores',
          '--numberofcores',
          '--number-of-threads',
          '--numberofthreads',
        ],
      ],
      ['use andon --version', ['--min-version', '--minversion']],
      ['andon --version names its version for a report', ['--bug']],
      ['andon builds every line within -s; a value too long for it is refused', ['--exit', '-x']],
      ['use -v or --dry-run to see the lines andon runs', ['--debug', '-D']],
      ['filter the input before andon, with grep or awk', ['--filter']],
    ] as const
  ).flatMap(([instead, names]) => names.map((name) => [name, instead])),
);

/** GNU parallel's retired options: refused with the same advice GNU parallel gives. */
const RETIRED: Record<string, string> = {
  '-g': 'use --group',
  '-B': 'use --bf',
  '-T': 'use --tty',
  '-U': 'use --er',
  '-W': 'use --wd',
  '-Y': 'use --shebang',
  '-H': 'use --halt',
  '--sql': 'use --sqlmaster',
  '--ctrl-c': 'remove it',
  '--ctrlc': 'remove it',
  '--no-ctrl-c': 'remove it',
  '--no-ctrlc': 'remove it',
  '--noctrlc': 'remove it',
  '--tollef': 'remove it',
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

/** `--no-keep-order` takes back an earlier `-k`; a later `-k` sets it again. */
function addFlag(found: Found, flag: string): void {
  if (flag === 'noKeepOrder') found.flags.delete('keepOrder');
  else found.flags.add(flag);
}

function setValue(found: Found, key: string, value: string): void {
  found.values.set(key, value);
  if (REPEATABLE.has(key)) found.lists.set(key, [...(found.lists.get(key) ?? []), value]);
}

function refuseUnsupported(name: string): void {
  const instead = UNSUPPORTED[name];
  if (instead !== undefined) throw new UsageError(`${name} is not supported; ${instead}`);
  const retired = RETIRED[name];
  if (retired !== undefined) throw new UsageError(`${name} has been retired; ${retired}`);
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
    addFlag(found, flag);
  }
  return 1;
}

/** What a long option name stands for: names of the same option share it. */
function meaningOf(name: string): string | undefined {
  if (name in VALUE_OPTIONS) return `value ${VALUE_OPTIONS[name]}`;
  if (name in FLAG_OPTIONS) return `flag ${FLAG_OPTIONS[name]}`;
  if (name in OPTIONAL) return `optional ${OPTIONAL[name]!.key}`;
  if (name in UNSUPPORTED) return `unsupported ${UNSUPPORTED[name]}`;
  if (name in RETIRED) return `retired ${RETIRED[name]}`;
  return undefined;
}

/** Every long option name andon reads or refuses. */
const LONG_NAMES = [VALUE_OPTIONS, FLAG_OPTIONS, OPTIONAL, UNSUPPORTED, RETIRED]
  .flatMap((table) => Object.keys(table))
  .filter((name) => name.startsWith('--'));

/**
 * The option a long name means: itself, or the option it is the start of (`--keep` is
 * `--keep-order`), as GNU parallel's getopt reads unique abbreviations.
 * @throws UsageError when the start fits more than one option
 */
function fullName(name: string): string {
  if (meaningOf(name) !== undefined || name.length < 3) return name;
  const fits = LONG_NAMES.filter((candidate) => candidate.startsWith(name));
  const meanings = new Set(fits.map(meaningOf));
  if (meanings.size === 1) return fits[0]!;
  if (meanings.size > 1)
    throw new UsageError(`Option ${name} is ambiguous (${fits.sort().join(', ')}); give more of its name`);
  return name;
}

/** `--jobs 4`, `--jobs=4`, `--tag`. Returns how many words it used. */
function scanLong(arg: string, next: string | undefined, found: Found): number {
  // Only long options take `=VALUE`.
  const eq = arg.indexOf('=');
  const name = fullName(eq === -1 ? arg : arg.slice(0, eq));
  refuseUnsupported(name);
  if (name in OPTIONAL)
    return eq === -1
      ? optionalValue(name, undefined, next, found)
      : optionalValue(name, arg.slice(eq + 1), undefined, found);
  if (name in FLAG_OPTIONS) {
    if (eq !== -1) throw new UsageError(`${name} takes no value`);
    addFlag(found, FLAG_OPTIONS[name]!);
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
  // --silent undoes -v wherever it is given, as GNU parallel's does.
  if (found.flags.delete('silent')) found.flags.delete('printCommandsToStdout');
  return { values: found.values, lists: found.lists, flags: found.flags, end: i };
}
