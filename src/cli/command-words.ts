/**
 * The rest of a command line after andon's options: the command's words, joined by spaces
 * into one shell line, then the input sources after `:::` (values) and `::::` (files).
 */
import { UsageError } from '../errors.js';

/** Where a job's values come from. `linked`: paired with the source before it (`:::+`, `--link`). */
export type SourceSpec =
  | { readonly kind: 'values'; readonly values: readonly string[]; readonly linked?: boolean }
  | { readonly kind: 'file'; readonly path: string; readonly linked?: boolean }
  /** A file whose first record `--header` has read already (named-columns.ts): the rest of its records. */
  | {
      readonly kind: 'opened';
      readonly path: string;
      readonly records: AsyncIterator<string>;
      readonly linked?: boolean | undefined;
    };

/** The command and its input sources, as given. */
export interface CommandWords {
  /** The command words joined by spaces: one shell line with replacement strings. */
  readonly command: string;
  /** The command's words as given (for `-q`, which quotes each). */
  readonly words?: readonly string[];
  /** Input sources in order; empty means lines from stdin. */
  readonly sources: readonly SourceSpec[];
}

/** The words that begin input sources: `:::` and `::::` unless --arg-sep / --arg-file-sep say otherwise. */
export interface Separators {
  readonly values: string;
  readonly files: string;
}

export const DEFAULT_SEPARATORS: Separators = { values: ':::', files: '::::' };

/** Which kind of source a word begins, and whether it links to the one before: or undefined. */
function separatorOf(
  arg: string | undefined,
  separators: Separators,
): { kind: 'values' | 'file'; linked: boolean } | undefined {
  if (arg === separators.values) return { kind: 'values', linked: false };
  if (arg === separators.files) return { kind: 'file', linked: false };
  if (arg === `${separators.values}+`) return { kind: 'values', linked: true };
  if (arg === `${separators.files}+`) return { kind: 'file', linked: true };
  return undefined;
}

/**
 * Reads the command from `argv[start]` up to the first source separator, then the sources.
 * The command is '' when there is none: the values are then the command lines.
 * @throws UsageError if the command is blank, or a separator has nothing after it.
 */
export function readCommandWords(
  argv: readonly string[],
  start: number,
  separators: Separators = DEFAULT_SEPARATORS,
): CommandWords {
  const words: string[] = [];
  let i = start;
  for (; i < argv.length && separatorOf(argv[i], separators) === undefined; i++) words.push(argv[i]!);
  // No command at all: each value is a command line (GNU parallel's `cat jobs | parallel`).
  // Blank words are a mistake, not that: the values alone would silently become commands.
  if (words.length > 0 && words.join('').trim() === '')
    throw new UsageError('Missing command: give the command to run before the inputs, e.g. andon gzip -k {} ::: *.log');
  return { command: words.join(' '), words, sources: readSources(argv, i, separators) };
}

/** The sources from `argv[start]`, which is a separator (or the end). */
function readSources(argv: readonly string[], start: number, separators: Separators): SourceSpec[] {
  const sources: SourceSpec[] = [];
  let i = start;
  while (i < argv.length) {
    const word = argv[i++]!;
    const { kind, linked } = separatorOf(word, separators)!;
    const group: string[] = [];
    for (; i < argv.length && separatorOf(argv[i], separators) === undefined; i++) group.push(argv[i]!);
    // GNU parallel runs with an empty source; andon refuses it, as --help lists among the differences.
    if (group.length === 0)
      throw new UsageError(
        `${word} has nothing after it; give at least one ${kind === 'values' ? 'value' : 'file'}, or leave ${word} out to read stdin`,
      );
    // The command line's first source has nothing to link to, not even -a's files: GNU parallel
    // reads it as unlinked. Every file after `::::+` is linked to the one before it.
    const linksFirst = linked && sources.length > 0;
    if (kind === 'values') sources.push({ kind, values: group, linked: linksFirst });
    else sources.push(...group.map((path, n) => ({ kind, path, linked: n === 0 ? linksFirst : linked })));
  }
  return sources;
}
