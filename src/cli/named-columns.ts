/**
 * GNU parallel's `--header` without `--pipe`: the first record of each input source names its
 * columns, and `{name}` (with `/`, `//`, `.` or `/.` after the name) in the command and the
 * tag stands for that column, as `{1}`, `{2}`, ... would. The names are numbered across the
 * sources in order (a source's record split by `--colsep`, tab by default, or read as CSV with `--csv`); where a name comes
 * twice the first one counts, as in GNU parallel, which rewrites the command name by name.
 */
import type { Readable } from 'node:stream';
import type { SourceSpec } from './command-words.js';
import { type ReadOptions, recordsOfSource, untilEof } from './input.js';
import { literalPattern } from './values.js';

/** The names, and the sources without their first record. */
export interface ColumnHeaders {
  readonly names: readonly string[];
  readonly sources: readonly SourceSpec[];
}

/**
 * Takes the first record of every source (stdin when there is none) as its columns' names.
 * A file's records go on streaming from where its header ended.
 */
export async function readColumnHeaders(
  given: readonly SourceSpec[],
  stdin: Readable,
  read: ReadOptions,
  columns: (record: string) => string[],
): Promise<ColumnHeaders> {
  const sources: SourceSpec[] = given.length === 0 ? [{ kind: 'file', path: '-' }] : [...given];
  const names: string[] = [];
  for (const [i, source] of sources.entries()) {
    if (source.kind === 'values') {
      const [header = '', ...rest] = untilEof(source.values, read);
      names.push(...columns(header));
      sources[i] = { ...source, values: rest };
      continue;
    }
    // Read once already (the plan is made again only once): nothing to name.
    if (source.kind === 'opened') continue;
    const records = recordsOfSource(source, read, stdin)[Symbol.asyncIterator]();
    const first = await records.next();
    if (first.done !== true) names.push(...columns(first.value));
    sources[i] = { kind: 'opened', path: source.path, records, linked: source.linked };
  }
  return { names, sources };
}

/**
 * `text` with every `{name}` (and `{name/}`, `{name//}`, `{name.}`, `{name/.}`) written as its
 * column number. When `text` is `words` joined by spaces, a `{name}` that spans two words is
 * left alone, as GNU parallel reads replacement strings word by word: `echo {E-mail address}`
 * unquoted is two words, and so no column.
 */
export function withColumnNumbers(text: string, names: readonly string[], words?: readonly string[]): string {
  const numbers = new Map<string, number>();
  // Where a name comes twice the first one counts.
  for (const [i, name] of names.entries()) if (name !== '' && !numbers.has(name)) numbers.set(name, i + 1);
  if (numbers.size === 0) return text;
  const joins = words !== undefined && words.join(' ') === text ? joinOffsets(words) : [];
  // One pass, so that the offsets stay those of the joined words; the longest name first.
  const alternatives = [...numbers.keys()].sort((a, b) => b.length - a.length).map(literalPattern);
  const pattern = new RegExp(`\\{(${alternatives.join('|')})(|/|//|\\.|/\\.)\\}`, 'g');
  return text.replace(pattern, (match, name: string, suffix: string, at: number) =>
    joins.some((join) => join > at && join < at + match.length) ? match : `{${numbers.get(name)}${suffix}}`,
  );
}

/** Where the spaces that join `words` are. */
function joinOffsets(words: readonly string[]): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const word of words.slice(0, -1)) {
    at += word.length;
    offsets.push(at);
    at++;
  }
  return offsets;
}
