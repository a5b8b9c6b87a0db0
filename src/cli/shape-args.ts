/**
 * The GNU parallel options that shape input into jobs and print around them: `-n`, `-N`,
 * `-m`, `-X`, `--xargs`, `-s`, `--colsep`, `--trim`, `-r`, `-d`, `-E`, `-I`, `-t`, `-v`,
 * `--tagstring`, checked and turned into the run's terms.
 */
import { UsageError } from '../errors.js';
import type { Grouping, JobShape, Trim } from './job-shape.js';
import { literalPattern, positiveInteger, wholeNumber, withUnitPrefix } from './values.js';

/**
 * The longest command line GNU parallel builds for `-m`, `-X` and `--xargs` on Linux, and
 * the most `-s` may ask for (it warns "Value for option -s should be < 63664"): half the
 * kernel's limit for one argument, since the line is one argument of `sh -c`.
 */
export const MAX_LINE_LENGTH = 63_664;

/** What the shaping options ask for. */
export interface ShapePlan {
  readonly shape: JobShape;
  /** `-X`: each word with a replacement string repeats once per value. */
  readonly contextReplace: boolean;
  /** -L or -l: a record ending in a blank goes on in the next one. */
  readonly continuedLines: boolean;
  /** `-t` (stderr) or `-v` (stdout): print each job's command line as it starts. */
  readonly printCommands: 'stderr' | 'stdout' | undefined;
  /** The record separator: newline, NUL (`-0`) or `-d`'s character. */
  readonly separator: string;
  /** `-d` was given (it then splits ::: values as well). */
  readonly delimited: boolean;
  /** `-E`: a record equal to this ends the input. */
  readonly eof: string | undefined;
  /** `--tagstring`: the tag's template, if not the values. */
  readonly tagstring: string | undefined;
  /** `--header` without `--pipe`: each source's first record names its columns (named-columns.ts). */
  readonly namedColumns: boolean;
}

const TRIMS: Record<string, Trim> = { n: 'none', l: 'left', r: 'right', lr: 'both', rl: 'both' };

/** `-d`'s character, with the escapes GNU parallel takes (`\n`, `\t`, `\0`, `\\`). */
function delimiterOf(text: string): string {
  const escapes: Record<string, string> = { '\\n': '\n', '\\t': '\t', '\\0': '\0', '\\r': '\r', '\\\\': '\\' };
  const delimiter = escapes[text] ?? text;
  if ([...delimiter].length !== 1 || delimiter.charCodeAt(0) > 0x7f)
    throw new UsageError(`-d needs one ASCII character (or \\n, \\t, \\0), got '${text}'`);
  return delimiter;
}

/**
 * How a record is split into columns: at `--colsep` (a tab with named columns), or as CSV
 * (`--csv`: at a comma, or at `--colsep`'s one character). @throws UsageError
 */
function columnsPlan(
  values: ReadonlyMap<string, string>,
  flags: ReadonlySet<string>,
  namedColumns: boolean,
): Pick<JobShape, 'colsep' | 'csv'> {
  const given = values.get('colsep');
  if (!flags.has('csv'))
    return { colsep: given !== undefined ? colsepOf(given) : namedColumns ? /\t/ : undefined, csv: undefined };
  const separator = given === undefined ? ',' : given === '\\t' ? '\t' : given;
  if ([...separator].length !== 1 || separator === '"' || separator === '\n')
    throw new UsageError(
      `--csv splits at one character (not a quote or a newline); --colsep '${given}' is not one, e.g. --colsep ';'`,
    );
  // colsep too: whatever asks whether records have columns gets yes.
  return { colsep: new RegExp(literalPattern(separator)), csv: separator };
}

function colsepOf(text: string): RegExp {
  try {
    // GNU parallel's --colsep is a Perl regular expression; a plain string is the common case.
    return new RegExp(text);
  } catch {
    throw new UsageError(
      `--colsep '${text}' is not a regular expression andon can read; give the separator, e.g. --colsep '\\t'`,
    );
  }
}

/**
 * `-L N`, or `-l [N]`/`--max-lines` (where 0 is 1): the input lines per job, as GNU parallel's
 * option of the same name (a line ending in a blank goes on in the next one); with --pipe, the
 * lines per record. @throws UsageError
 */
export function linesPerJob(values: ReadonlyMap<string, string>): number | undefined {
  const [option, text] = values.has('lines') ? ['-L', values.get('lines')!] : ['-l', values.get('maxLines')];
  if (text === undefined) return undefined;
  const lines = withUnitPrefix(text);
  if (!Number.isInteger(lines) || lines < 0)
    throw new UsageError(`${option} needs a number of lines (such as 2 or 1K), got '${text}'`);
  return option === '-l' ? Math.max(1, lines) : lines;
}

/**
 * The command line's length without its values, for -m/-X's budget. With -X the words it
 * repeats are counted with each value instead (and the last one's trailing space with them).
 */
function commandLengthOf(command: string, flags: ReadonlySet<string>): number {
  const repeated = flags.has('contextReplace') ? contextWords(command) : [];
  return repeated.length === 0 ? command.length : command.length - repeated.join('').length - 1;
}

/** The words of `command` that hold a replacement string: -X repeats each of them per value. */
function contextWords(command: string): string[] {
  return command.split(' ').filter((word) => /\{[^{}]*\}/.test(word));
}

/**
 * With -X, what each value costs: it is written once per word -X repeats, each time with the
 * text around the replacement string (`pict{}.jpg`: 8 characters). GNU parallel counts it
 * against -s too.
 */
function contextText(command: string, flags: ReadonlySet<string>): { copies: number; text: number } | undefined {
  if (!flags.has('contextReplace')) return undefined;
  const words = contextWords(command);
  const text = words.reduce((sum, word) => sum + word.replace(/\{[^{}]*\}/g, '').length, 0);
  return { copies: Math.max(1, words.length), text };
}

function groupingOf(
  values: ReadonlyMap<string, string>,
  flags: ReadonlySet<string>,
  jobs: number,
  perValue: { copies: number; text: number } | undefined,
): Grouping {
  const several = ['maxArgs', 'maxReplaceArgs'].filter((key) => values.has(key));
  const filling = ['multiple', 'contextReplace', 'xargs'].filter((flag) => flags.has(flag));
  const lines = linesPerJob(values);
  // -L N with -m, -X or --xargs: N lines per job, rendered as those say.
  if (lines !== undefined && several.length === 0) return { kind: 'count', size: lines };
  // -n N with -m, -X or --xargs: lines as full as they can be, with at most N values, as in GNU.
  const atMost = several.length === 1 && several[0] === 'maxArgs' && filling.length === 1;
  if (several.length + filling.length > 1 && !atMost)
    throw new UsageError('-n, -N, -m, -X and --xargs each say how many values a job gets; give one of them');
  const maxChars = values.has('maxChars')
    ? Math.min(MAX_LINE_LENGTH, positiveInteger('-s', values.get('maxChars'), ''))
    : MAX_LINE_LENGTH;
  const count =
    several.length === 1
      ? wholeNumber(several[0] === 'maxArgs' ? '-n' : '-N', values.get(several[0]!)!, '')
      : undefined;
  // -n 0 runs each job with no value, whatever else is given.
  if (count !== undefined && (filling.length === 0 || count === 0)) return { kind: 'count', size: count };
  if (filling.length === 1)
    return {
      kind: 'fill',
      maxChars,
      spread: filling[0] !== 'xargs',
      jobs,
      ...(perValue === undefined ? {} : { perValue }),
      ...(count === undefined ? {} : { maxValues: count }),
    };
  return { kind: 'one' };
}

/** Reads the shaping options. @throws UsageError */
export function shapePlan(
  values: ReadonlyMap<string, string>,
  flags: ReadonlySet<string>,
  jobs: number,
  command: string,
): ShapePlan {
  const trimText = values.get('trim');
  const trim = trimText === undefined ? 'none' : TRIMS[trimText];
  if (trim === undefined) throw new UsageError(`--trim needs n, l, r, lr or rl, got '${trimText}'`);
  if (flags.has('null') && values.has('delimiter')) throw new UsageError('-0 and -d contradict each other; choose one');
  if (flags.has('printCommands') && flags.has('printCommandsToStdout'))
    throw new UsageError('-t and -v contradict each other; choose one');
  const namedColumns = values.has('header') && !flags.has('pipe') && !flags.has('pipePart');
  return {
    shape: {
      trim,
      // With named columns GNU parallel splits at tabs unless told otherwise.
      ...columnsPlan(values, flags, namedColumns),
      skipBlank: flags.has('noRunIfEmpty'),
      grouping: groupingOf(values, flags, jobs, contextText(command, flags)),
      commandLength: commandLengthOf(command, flags),
    },
    // -L (not -l) puts its lines in as -X does unless -m or --xargs is given, as in GNU parallel.
    contextReplace:
      flags.has('contextReplace') ||
      (values.has('lines') && !['multiple', 'xargs', 'pipe', 'pipePart'].some((flag) => flags.has(flag))),
    continuedLines: values.has('lines') || values.has('maxLines'),
    printCommands: flags.has('printCommands') ? 'stderr' : flags.has('printCommandsToStdout') ? 'stdout' : undefined,
    separator: flags.has('null') ? '\0' : values.has('delimiter') ? delimiterOf(values.get('delimiter')!) : '\n',
    delimited: values.has('delimiter'),
    // -e alone: no end marker.
    eof: values.get('eof') || undefined,
    tagstring: values.get('tagstring'),
    namedColumns,
  };
}

/** The options that rename a replacement string (`-I ,,` for `{}`), and the string each stands for. */
const RENAMES: readonly (readonly [string, string, string])[] = [
  ['replace', '-I', '{}'],
  ['extensionReplace', '--extensionreplace', '{.}'],
  ['basenameReplace', '--basenamereplace', '{/}'],
  ['dirnameReplace', '--dirnamereplace', '{//}'],
  ['basenameExtensionReplace', '--basenameextensionreplace', '{/.}'],
  ['seqReplace', '--seqreplace', '{#}'],
  ['slotReplace', '--slotreplace', '{%}'],
];

/**
 * `-I REPL` and its kind, and `--parens`: the command with each renamed replacement string,
 * and each `{= =}` in other brackets, written as andon's own.
 */
export function withRenamedStrings(command: string, values: ReadonlyMap<string, string>): string {
  let renamed = withPerlBrackets(command, values.get('parens'));
  for (const [key, option, standard] of RENAMES) {
    const name = values.get(key);
    if (name === undefined || name === standard) continue;
    if (name === '') throw new UsageError(`${option} needs a replacement string, e.g. ${option} @@`);
    renamed = renamed.replaceAll(name, standard);
  }
  return renamed;
}

/** `--parens LR`: `{= =}` spelt with L and R, the two halves of the string (GNU's default `{==}`). @throws UsageError */
function withPerlBrackets(command: string, parens: string | undefined): string {
  if (parens === undefined || parens === '{==}') return command;
  if (parens.length < 2 || parens.length % 2 !== 0)
    throw new UsageError(
      `--parens ${parens}: give the left and the right bracket of {= =} as one string of even length, e.g. --parens ,,,,`,
    );
  const [left, right] = [parens.slice(0, parens.length / 2), parens.slice(parens.length / 2)];
  return command.replace(
    new RegExp(`${literalPattern(left)}(.*?)${literalPattern(right)}`, 'gs'),
    (_, inner: string) => `{=${inner}=}`,
  );
}

/**
 * `--rpl` tags without braces (GNU's `--rpl '.. s:\.[^.]+$::'`, which then stands for itself
 * anywhere in the command): each is given an internal braced tag, and the command is written
 * with it, so the template finds it as any other replacement string.
 */
export function withBareTags(
  command: string,
  definitions: readonly string[] | undefined,
): { command: string; definitions: readonly string[] | undefined } {
  if (definitions === undefined) return { command, definitions };
  let rewritten = command;
  const braced = definitions.map((definition, n) => {
    const bare = /^\s*([^\s{][^\s]*)\s+(.*)$/s.exec(definition);
    if (bare === null) return definition;
    const tag = `{\u0001rpl${n}}`;
    rewritten = rewritten.replaceAll(bare[1]!, tag);
    return `${tag} ${bare[2]}`;
  });
  return { command: rewritten, definitions: braced };
}
