/**
 * `main(fn)`: the wrapper for scripts, so that Ctrl+C behaves the way a shell user expects —
 * the summary on stderr and exit code 130 — instead of a stack trace.
 */
import { isAndonError } from './errors.js';
import type { InterruptedError } from './pool/run-errors.js';
import { formatSummary, type Summary } from './pool/summary.js';

/** Options of {@link main}; for tests and embedding. */
export interface MainOptions {
  /** Where the summary and error lines go. @default process.stderr */
  readonly stderr?: { write(text: string): unknown };
  /** How to end the process. @default process.exit */
  readonly exit?: (code: number) => void;
}

function isSummary(value: unknown): value is Summary {
  return typeof value === 'object' && value !== null && 'taken' in value && 'done' in value && 'notStarted' in value;
}

/**
 * Runs `fn` as the whole program. If it returns a pool's summary, prints it and exits 1 when
 * any task failed. On `InterruptedError`, prints the summary and exits 130 (SIGINT), 143
 * (SIGTERM) or 129 (SIGHUP) at once, even if abandoned tasks still hold the event loop. Any
 * other error prints one line and exits 1.
 *
 * @example
 * await main(async () => createPool({ task }).run(items));
 */
export async function main(fn: () => unknown, options: MainOptions = {}): Promise<void> {
  const stderr = options.stderr ?? process.stderr;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  try {
    const value = await fn();
    if (isSummary(value)) {
      stderr.write(`andon: ${formatSummary(value)}\n`);
      if (value.failed > 0) process.exitCode = 1;
    }
  } catch (error) {
    if (isAndonError(error, 'ANDON_INTERRUPTED')) {
      const interrupted = error as InterruptedError;
      stderr.write(`andon: ${formatSummary(interrupted.summary)}\n`);
      exit(interrupted.exitCode);
      return;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    stderr.write(`${message}\n`);
    exit(1);
  }
}
