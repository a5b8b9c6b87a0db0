/**
 * The command line's arguments as the bytes they were. Node decodes `process.argv` as UTF-8
 * and turns a byte that is not (a Latin-1 file name after `:::`) into U+FFFD for good; on
 * Linux `/proc/self/cmdline` still has the bytes, and they are kept as escaped bytes
 * (bytes.ts), as the input's lines are.
 */
import { readFileSync } from 'node:fs';
import { decodeBytes } from '../bytes.js';

/** `process.argv.slice(2)`, with the original bytes of any argument Node could not decode. */
export function rawArguments(argv: readonly string[] = process.argv): string[] {
  const args = argv.slice(2);
  if (!args.some((arg) => arg.includes('\uFFFD'))) return args;
  let raw: Buffer;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    return args;
  }
  // The last arguments of the command line are the script's: Node's own options come before them.
  const all = raw.subarray(0, raw.at(-1) === 0 ? -1 : undefined);
  const words: Buffer[] = [];
  let start = 0;
  for (let end = all.indexOf(0); end !== -1; end = all.indexOf(0, start)) {
    words.push(all.subarray(start, end));
    start = end + 1;
  }
  words.push(all.subarray(start));
  if (words.length < args.length) return args;
  return words.slice(words.length - args.length).map((word) => decodeBytes(word));
}
