/**
 * `main(fn)`: the wrapper for scripts, so that Ctrl+C behaves the way a shell user expects —
 * the summary on stderr, and the script dies of the signal (`$?` 130, and a calling shell loop
 * stops) — instead of a stack trace. A closed standard output stops the runs too, and the
 * script ends as SIGPIPE would end it.
 */
import { isAndonError } from './errors.js';
import { interruptCoordinator } from './interrupt/coordinator.js';
import { dieBy, isClosedOutput } from './interrupt/die-by.js';
import type { InterruptedError } from './pool/run-errors.js';
import type { EndingSignal } from './stop/signals.js';
import { formatFailures, formatSummary, type Summary } from './pool/summary.js';
import { inspect } from 'node:util';

/** Options of {@link main}; for tests and embedding. */
export interface MainOptions {
  /** Where the summary and error lines go. @default process.stderr */
  readonly stderr?: { write(text: string): unknown };
  /**
   * How to end the process, with its exit code. By default an interrupted script dies of its
   * signal (so that a calling shell sees it) and any other ends with `process.exit`.
   */
  readonly exit?: (code: number) => void;
}

function isSummary(value: unknown): value is Summary {
  return typeof value === 'object' && value !== null && 'taken' in value && 'done' in value && 'notStarted' in value;
}

/**
 * Runs `fn` as the whole program. If it returns a pool's summary, prints it, with the first
 * failed items and their errors, and exits 1 when any task failed. On `InterruptedError`,
 * prints the same and exits 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP) at once, even if
 * abandoned tasks still hold the event loop. Any other error prints one line (andon's own
 * errors) or its stack (anything else) and exits 1.
 *
 * @example
 * await main(async () => createPool({ task }).run(items));
 */
export async function main(fn: () => unknown, options: MainOptions = {}): Promise<void> {
  const stderr = options.stderr ?? process.stderr;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let outputClosed = false;
  const onOutputError = (error: Error): void => {
    if (!isClosedOutput(error)) throw error;
    outputClosed = true;
    interruptCoordinator(process).outputClosed();
  };
  process.stdout.on('error', onOutputError);
  try {
    const value = await fn();
    if (isSummary(value)) {
      writeSummary(stderr, value);
      if (value.failed > 0) {
        if (options.exit !== undefined) options.exit(1);
        else process.exitCode = 1;
      }
    }
    if (outputClosed) endBy('SIGPIPE', 141, options.exit);
  } catch (error) {
    if (isAndonError(error, 'ANDON_INTERRUPTED')) {
      const interrupted = error as InterruptedError;
      writeSummary(stderr, interrupted.summary);
      endBy(interrupted.signal as EndingSignal, interrupted.exitCode, options.exit);
      return;
    }
    stderr.write(`${describeError(error)}\n`);
    exit(1);
  } finally {
    process.stdout.off('error', onOutputError);
  }
}

/** Ends with the injected `exit`, or as the signal would have. */
function endBy(signal: EndingSignal, code: number, exit: ((code: number) => void) | undefined): void {
  if (exit !== undefined) exit(code);
  else dieBy(signal);
}

/** The summary line, then which items failed and why. */
function writeSummary(stderr: { write(text: string): unknown }, summary: Summary): void {
  const lines = [`andon: ${formatSummary(summary)}`];
  if (summary.failed > 0) lines.push('andon: failed:', ...formatFailures(summary, describeItem));
  stderr.write(`${lines.join('\n')}\n`);
}

/** An item in a few dozen characters: strings as they are, anything else as Node prints it. */
function describeItem(item: unknown): string {
  const text = typeof item === 'string' ? item : inspect(item, { depth: 1, breakLength: Infinity, maxArrayLength: 5 });
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** andon's own errors in one line; anything else is a bug somewhere, and its stack says where. */
function describeError(error: unknown): string {
  if (isAndonError(error)) return `${error.name}: ${error.message}`;
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}
