/**
 * GNU parallel's `--pipe` family on the command line: `--pipe`, `--pipepart`, `--block`,
 * `--recstart`, `--recend`, `--rrs`, `--header`, and `-N` / `-n` as records per block,
 * checked against each other and against the options that make no sense with them.
 */
import { UsageError } from '../errors.js';
import type { SourceSpec } from './command-words.js';
import { type BlockRules, blockSizeOf, headerRuleOf, separatorOf } from './pipe-blocks.js';
import type { PartRules } from './pipe-part.js';
import { linesPerJob } from './shape-args.js';
import { positiveInteger } from './values.js';
import { type GroupRule, groupRuleOf } from './group-by.js';

/**
 * `--cat` / `--fifo`: the job's block in a temporary file, or a named pipe, that `{}` names
 * (as `$PARALLEL_TMP`), instead of on its standard input.
 */
export type BlockFile = 'cat' | 'fifo';

/** What `{}` is with --cat and --fifo: the variable each job has its file's path in. */
export const BLOCK_FILE_VARIABLE = '$PARALLEL_TMP';

/** What a `--pipe` or `--pipepart` run cuts, and how. */
export type PipePlan = (
  | {
      readonly kind: 'stdin';
      readonly rules: BlockRules;
      readonly groupBy?: GroupRule | undefined;
      /** `--round-robin`: one job per slot reads block after block. */
      readonly roundRobin?: boolean;
    }
  | { readonly kind: 'part'; readonly rules: PartRules; readonly files: readonly string[] }
) & { readonly blockFile: BlockFile | undefined };

/** Options that shape arguments into jobs, which a block of input has none of. */
const ARGUMENT_SHAPING: readonly (readonly [string, string])[] = [
  ['multiple', '-m'],
  ['contextReplace', '-X'],
  ['xargs', '--xargs'],
  ['maxChars', '-s'],
  ['colsep', '--colsep'],
  ['csv', '--csv'],
  ['link', '--link'],
  ['trim', '--trim'],
  ['delimiter', '-d'],
  ['null', '-0'],
  ['eof', '-E'],
  ['results', '--results'],
  ['files', '--files'],
];

/** The options only --pipe and --pipepart use. */
const PIPE_ONLY: readonly (readonly [string, string])[] = [
  ['blockSize', '--block'],
  ['recstart', '--recstart'],
  ['recend', '--recend'],
  ['removeRecSep', '--rrs'],
  ['roundRobin', '--round-robin'],
];

/** Reads the --pipe options; undefined when the run is not a --pipe run. @throws UsageError */
export function pipePlan(
  values: ReadonlyMap<string, string>,
  flags: ReadonlySet<string>,
  sources: readonly SourceSpec[],
): PipePlan | undefined {
  if (flags.has('cat') && flags.has('fifo')) throw new UsageError('--fifo cannot be combined with --cat; choose one');
  const blockFile: BlockFile | undefined = flags.has('cat') ? 'cat' : flags.has('fifo') ? 'fifo' : undefined;
  // --group-by, --cat and --fifo imply --pipe, as in GNU parallel.
  const mode = flags.has('pipePart')
    ? '--pipepart'
    : flags.has('pipe') || values.has('groupBy') || blockFile !== undefined
      ? '--pipe'
      : undefined;
  checkCombination(mode, values, flags);
  if (mode === undefined) return undefined;
  const groupBy = values.has('groupBy') ? groupByOf(values, flags, mode) : undefined;
  const recordsText = values.get('maxReplaceArgs') ?? values.get('maxArgs');
  const common = {
    ...separatorsOf(values),
    header: values.has('header') ? headerRuleOf(values.get('header')!) : undefined,
    removeSeparators: flags.has('removeRecSep'),
  };
  if (mode === '--pipe') {
    if (sources.length > 0)
      throw new UsageError(
        '--pipe gives each job a block of its standard input; leave out ::: and :::: (for a file: --pipepart -a FILE)',
      );
    const records = recordsText === undefined ? undefined : positiveInteger('-N', recordsText, ' (records per block)');
    const blockSize = values.has('blockSize') ? blockSizeOf(values.get('blockSize')!, false) : 2 ** 20;
    // -L N: a record is N lines (N --recend's), -L 0 one.
    const recordEnds = Math.max(1, linesPerJob(values) ?? 1);
    const rules = { ...common, blockSize, records, recordEnds, skipBlank: flags.has('noRunIfEmpty') };
    if (flags.has('roundRobin')) {
      checkRoundRobin(values, flags, blockFile);
      return { kind: 'stdin', rules, blockFile, roundRobin: true, ...(groupBy === undefined ? {} : { groupBy }) };
    }
    if (groupBy === undefined) return { kind: 'stdin', rules, blockFile };
    // A group starts at its marker; a column name's header line heads every block.
    const grouped = {
      ...rules,
      recstart: Buffer.from(groupBy.marker),
      recend: Buffer.alloc(0),
      removeSeparators: true,
      header: typeof groupBy.column === 'string' ? { lines: 1 } : rules.header,
    };
    return { kind: 'stdin', rules: grouped, groupBy, blockFile };
  }
  if (recordsText !== undefined)
    throw new UsageError('--pipepart cannot count records (-N); give --block SIZE, or use --pipe -N');
  // GNU parallel's default: ten parts per job slot; with --round-robin one, whatever --block says.
  const blockSize = flags.has('roundRobin')
    ? -1
    : values.has('blockSize')
      ? blockSizeOf(values.get('blockSize')!, true)
      : -10;
  return { kind: 'part', files: partFiles(sources), rules: { ...common, blockSize }, blockFile };
}

/**
 * What --round-robin cannot do: a job's input is dealt while it runs, so it cannot be read
 * again (a retry, a resume) or be held in a file first. @throws UsageError
 */
function checkRoundRobin(
  values: ReadonlyMap<string, string>,
  flags: ReadonlySet<string>,
  blockFile: BlockFile | undefined,
): void {
  if (blockFile !== undefined)
    throw new UsageError(
      `--round-robin cannot be combined with --${blockFile}: a job's blocks come while it runs; leave one out`,
    );
  const retries = values.get('retries');
  if (retries !== undefined && retries !== '0' && retries !== '1')
    throw new UsageError(
      '--round-robin cannot be combined with --retries: the blocks a job read cannot be dealt again; leave --retries out',
    );
  const resume = ['resume', 'resumeFailed', 'retryFailed'].find((flag) => flags.has(flag));
  if (resume !== undefined)
    throw new UsageError(
      `--round-robin cannot be combined with --${resume.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: which blocks a job read depends on how fast it read; leave it out`,
    );
}

/** The options that make no sense with (or without) --pipe. @throws UsageError */
function checkCombination(
  mode: string | undefined,
  values: ReadonlyMap<string, string>,
  flags: ReadonlySet<string>,
): void {
  const given = (key: string): boolean => values.has(key) || flags.has(key);
  if (mode === undefined) {
    const stray = PIPE_ONLY.find(([key]) => given(key));
    if (stray !== undefined) throw new UsageError(`${stray[1]} belongs to --pipe; add --pipe (or --pipepart)`);
    return;
  }
  // --colsep finds --group-by's column.
  const shaping = ARGUMENT_SHAPING.find(([key]) => given(key) && !(key === 'colsep' && values.has('groupBy')));
  if (shaping !== undefined)
    throw new UsageError(
      `${shaping[1]} shapes arguments, and ${mode} gives each job a block of input; leave ${shaping[1]} out`,
    );
  if (values.has('redis'))
    throw new UsageError(
      `${mode} cannot be used with --redis yet: a block does not travel to a worker; leave --redis out`,
    );
  if (values.has('maxArgs') && values.has('maxReplaceArgs'))
    throw new UsageError('-n and -N both give the records per block; give one of them');
  if (mode === '--pipepart' && (values.has('lines') || values.has('maxLines')))
    throw new UsageError('--pipepart cuts near byte offsets and cannot count lines (-L, -l); use --pipe -L');
}

/** `--group-by`, which makes its own record separators. @throws UsageError */
function groupByOf(values: ReadonlyMap<string, string>, flags: ReadonlySet<string>, mode: string): GroupRule {
  if (mode === '--pipepart') throw new UsageError('--group-by works with --pipe, not --pipepart; use --pipe < FILE');
  const clash = [
    ['removeRecSep', '--rrs'],
    ['recstart', '--recstart'],
    ['recend', '--recend'],
  ].find(([key]) => values.has(key!) || flags.has(key!));
  if (clash !== undefined)
    throw new UsageError(
      `${clash[1]} cannot be used with --group-by, which separates the records itself; leave it out`,
    );
  return groupRuleOf(values.get('groupBy')!, values.get('colsep'));
}

/** --recstart and --recend; neither given, a record is a line. */
function separatorsOf(values: ReadonlyMap<string, string>): { recstart: Buffer; recend: Buffer } {
  const recstart = values.has('recstart') ? separatorOf(values.get('recstart')!) : Buffer.alloc(0);
  const recend = values.has('recend')
    ? separatorOf(values.get('recend')!)
    : values.has('recstart')
      ? Buffer.alloc(0)
      : Buffer.from('\n');
  return { recstart, recend };
}

/** The files --pipepart cuts: -a FILE and :::: FILE, not stdin. @throws UsageError */
function partFiles(sources: readonly SourceSpec[]): string[] {
  const files = sources.map((source) => {
    if (source.kind !== 'file' || source.path === '-')
      throw new UsageError('--pipepart cuts a file: give it with -a FILE or :::: FILE (for standard input: --pipe)');
    return source.path;
  });
  if (files.length === 0) throw new UsageError('--pipepart needs the file to cut: give it with -a FILE');
  return files;
}
