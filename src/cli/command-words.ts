/**
 * The rest of a command line after andon's options: the command's words, joined by spaces
 * into one shell line, then the input sources after `:::` (values) and `::::` (files).
 */
import { UsageError } from '../errors.js';

/** Where a job's values come from. */
export type SourceSpec =
  | { readonly kind: 'values'; readonly values: readonly string[] }
  | { readonly kind: 'file'; readonly path: string };

/** The command and its input sources, as given. */
export interface CommandWords {
  /** The command words joined by spaces: one shell line with replacement strings. */
  readonly command: string;
  /** Input sources in order; empty means lines from stdin. */
  readonly sources: readonly SourceSpec[];
}

function isSeparator(arg: string | undefined): boolean {
  return arg === ':::' || arg === '::::';
}

/** GNU parallel's linked sources, which andon does not have: as values they would silently change every job. */
function refuseLinked(arg: string): void {
  if (arg === ':::+' || arg === '::::+')
    throw new UsageError(
      `${arg} (a source linked to the one before it) is not supported; give the pairs as one source instead, e.g. ::: 'a 1' 'b 2' with {} split by the command`,
    );
}

/**
 * Reads the command from `argv[start]` up to the first `:::` or `::::`, then the sources.
 * @throws UsageError if the command is missing or blank, or a separator has nothing after it.
 */
export function readCommandWords(argv: readonly string[], start: number): CommandWords {
  const words: string[] = [];
  let i = start;
  for (; i < argv.length && !isSeparator(argv[i]); i++) {
    refuseLinked(argv[i]!);
    words.push(argv[i]!);
  }
  // Blank words count as missing: the values alone would become the command line.
  if (words.join('').trim() === '')
    throw new UsageError('Missing command: give the command to run before the inputs, e.g. andon gzip -k {} ::: *.log');
  return { command: words.join(' '), sources: readSources(argv, i) };
}

/** The sources from `argv[start]`, which is a separator (or the end). */
function readSources(argv: readonly string[], start: number): SourceSpec[] {
  const sources: SourceSpec[] = [];
  let i = start;
  while (i < argv.length) {
    const separator = argv[i++]!;
    const group: string[] = [];
    for (; i < argv.length && !isSeparator(argv[i]); i++) {
      refuseLinked(argv[i]!);
      group.push(argv[i]!);
    }
    // GNU parallel runs with an empty source; andon refuses it, as --help lists among the differences.
    if (group.length === 0)
      throw new UsageError(
        `${separator} has nothing after it; give at least one ${separator === ':::' ? 'value' : 'file'}, or leave ${separator} out to read stdin`,
      );
    if (separator === ':::') sources.push({ kind: 'values', values: group });
    else for (const path of group) sources.push({ kind: 'file', path });
  }
  return sources;
}
