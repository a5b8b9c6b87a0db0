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

/** `text` with every `{name}` (and `{name/}`, `{name//}`, `{name.}`, `{name/.}`) written as its column number. */
export function withColumnNumbers(text: string, names: readonly string[]): string {
  let numbered = text;
  for (const [i, name] of names.entries()) {
    if (name === '') continue;
    numbered = numbered.replace(new RegExp(`\\{${literalPattern(name)}(|/|//|\\.|/\\.)\\}`, 'g'), `{${i + 1}$1}`);
  }
  return numbered;
}
