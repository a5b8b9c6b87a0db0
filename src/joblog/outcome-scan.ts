/**
 * The resume's read of a job log: each key's last outcome, in one pass over the file's bytes.
 * A resume over a million records needs no more than the key of each and whether it
 * succeeded, so no line is decoded and split: the bytes are walked once, the tabs found and
 * the number fields checked where they lie, and only the key (the Command column) becomes a
 * string. The fields are checked as `parseRecord` in reader.ts checks them, so a line one
 * reader refuses the other refuses too, naming the same line.
 */
import { readSync } from 'node:fs';
import { COLUMNS, unescapeKey } from './format.js';

/** What a line holds in the bytes between `start` (its first byte) and `end` (its newline). */
type LineHandler = (bytes: Buffer, start: number, end: number, lineNumber: number) => void;

const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const FIELDS = COLUMNS.length;
const CHUNK = 1 << 20;

/**
 * Calls `onLine` for every complete line of the file open at `fd`, in order, and returns the
 * bytes after the last newline (empty if the file ends with one). `read` reads into a buffer
 * at an offset, as readSync does, and throws what the caller wants thrown.
 */
export function forEachLine(
  fd: number,
  onLine: LineHandler,
  read: (fd: number, buffer: Buffer, offset: number) => number = (f, b, o) => readSync(f, b, o, b.length - o, null),
): Buffer {
  let buffer = Buffer.allocUnsafe(CHUNK);
  let kept = 0;
  let lineNumber = 0;
  for (;;) {
    if (kept === buffer.length) {
      // A line longer than the buffer: a bigger one, the line's start kept.
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, kept);
      buffer = bigger;
    }
    const got = read(fd, buffer, kept);
    if (got === 0) return Buffer.from(buffer.subarray(0, kept));
    const filled = kept + got;
    let start = 0;
    for (let i = kept; i < filled; i++) {
      if (buffer[i] !== NEWLINE) continue;
      onLine(buffer, start, i, ++lineNumber);
      start = i + 1;
    }
    buffer.copy(buffer, 0, start, filled);
    kept = filled - start;
  }
}

/** True if bytes [start, end) are one or more ASCII digits, after a '-' if `signed`. */
function digits(bytes: Buffer, start: number, end: number, signed: boolean): boolean {
  let i = start;
  if (signed && bytes[i] === 0x2d) i++;
  if (i >= end) return false;
  for (; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x30 || b > 0x39) return false;
  }
  return true;
}

/** True if `Number()` of the field is finite: decimals (as andon and GNU parallel write them) checked in place, the rest decoded. */
function finiteNumber(bytes: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end && bytes[i] === 0x20) i++;
  let seen = false;
  let dot = false;
  for (; i < end; i++) {
    const b = bytes[i]!;
    if (b >= 0x30 && b <= 0x39) seen = true;
    else if (b === 0x2e && !dot) dot = true;
    else return Number.isFinite(Number(bytes.toString('utf8', start, end)));
  }
  return seen || Number.isFinite(Number(bytes.toString('utf8', start, end)));
}

/** True if the digits in [start, end) (after an optional '-') are all zeros: `Number()` of them is 0. */
function zero(bytes: Buffer, start: number, end: number): boolean {
  for (let i = bytes[start] === 0x2d ? start + 1 : start; i < end; i++) if (bytes[i] !== 0x30) return false;
  return true;
}

/**
 * The key and outcome of one record line, or undefined if the line is not a record (the
 * fields parseRecord checks: 9 of them; Seq and Signal digits, Exitval digits after an optional
 * '-', Starttime and JobRuntime finite numbers). `tabs` is scratch space for 8 offsets.
 */
export function recordOutcome(
  bytes: Buffer,
  start: number,
  end: number,
  tabs: Int32Array,
): { key: string; ok: boolean } | undefined {
  let count = 0;
  let escaped = false;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === TAB) {
      // A ninth tab would make a tenth field.
      if (count === FIELDS - 1) return undefined;
      tabs[count++] = i;
    } else if (b === BACKSLASH && count === FIELDS - 1) escaped = true;
  }
  if (count !== FIELDS - 1) return undefined;
  const from = (n: number): number => (n === 0 ? start : tabs[n - 1]! + 1);
  const to = (n: number): number => (n === FIELDS - 1 ? end : tabs[n]!);
  if (
    !digits(bytes, from(0), to(0), false) ||
    !digits(bytes, from(6), to(6), true) ||
    !digits(bytes, from(7), to(7), false) ||
    !finiteNumber(bytes, from(2), to(2)) ||
    !finiteNumber(bytes, from(3), to(3))
  )
    return undefined;
  const raw = bytes.toString('utf8', from(8), end);
  return {
    key: escaped ? unescapeKey(raw) : raw,
    ok: zero(bytes, from(6), to(6)) && zero(bytes, from(7), to(7)),
  };
}
