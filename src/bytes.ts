/**
 * Bytes that are not UTF-8 (a file named `caf\xe9.txt` in Latin-1) carried through strings
 * without loss, as Python's "surrogateescape" does: each byte that is not part of a valid
 * UTF-8 sequence becomes the lone surrogate U+DC80 + (byte − 0x80), which no valid text holds,
 * and turns back into that byte on the way out. Valid UTF-8 decodes as usual.
 */
import { isUtf8 } from 'node:buffer';

/** A lone low surrogate in the escape range: an escaped byte. */
const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;
const ESCAPED_ALL = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;

/** The length of a valid UTF-8 sequence at `i`, or 0 if the byte there does not start one. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  if (lead < 0x80) return 1;
  const length =
    lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || i + length > bytes.length) return 0;
  for (let k = 1; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return 0;
  const second = bytes[i + 1]!;
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not valid UTF-8.
  if (lead === 0xe0 && second < 0xa0) return 0;
  if (lead === 0xed && second > 0x9f) return 0;
  if (lead === 0xf0 && second < 0x90) return 0;
  if (lead === 0xf4 && second > 0x8f) return 0;
  return length;
}

/** Decodes bytes to a string, escaping every byte that is not valid UTF-8. */
export function decodeBytes(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let text = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += bytes.toString('utf8', start, i) + String.fromCharCode(0xdc00 + bytes[i]!);
    i++;
    start = i;
  }
  return text + bytes.toString('utf8', start, i);
}

/** True if `text` holds escaped bytes. */
export function hasEscapedBytes(text: string): boolean {
  return ESCAPED.test(text);
}

/** Encodes a string to bytes, escaped bytes back to what they were. */
export function encodeBytes(text: string): Buffer {
  if (!hasEscapedBytes(text)) return Buffer.from(text);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const match of text.matchAll(ESCAPED_ALL)) {
    pieces.push(Buffer.from(text.slice(start, match.index)), Buffer.of(match[0].charCodeAt(0) - 0xdc00));
    start = match.index + 1;
  }
  pieces.push(Buffer.from(text.slice(start)));
  return Buffer.concat(pieces);
}

/**
 * Splits `text` into runs of ordinary text and runs of escaped bytes (as byte values), in
 * order: for a shell line, which has to write the bytes in a form the shell turns back.
 */
export function escapedRuns(text: string): (string | number[])[] {
  const runs: (string | number[])[] = [];
  let start = 0;
  for (const match of text.matchAll(ESCAPED_ALL)) {
    if (match.index > start) runs.push(text.slice(start, match.index));
    const byte = match[0].charCodeAt(0) - 0xdc00;
    const last = runs.at(-1);
    if (Array.isArray(last) && match.index === start) last.push(byte);
    else runs.push([byte]);
    start = match.index + 1;
  }
  if (start < text.length) runs.push(text.slice(start));
  return runs;
}
