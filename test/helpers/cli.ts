/** Runs the built `andon` binary (and GNU parallel, for comparison) as a user would. */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { shellStatus, startNode, type Child, type Exit } from './child.js';

/** The compiled bin. */
export const ANDON_BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

/** Starts `andon ...args`. */
export function startAndon(args: string[], env: Record<string, string> = {}, input?: string): Child {
  return startNode(ANDON_BIN, args, env, input);
}

/** Runs a command to completion with optional stdin; collects its output. */
export function runCommand(
  file: string,
  args: string[],
  input?: string | Buffer,
  env?: Readonly<Record<string, string>>,
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: env === undefined ? process.env : { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    // A child that exits without reading its input closes the pipe: not the test's concern.
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) => resolve({ code, signal, status: shellStatus(code, signal), stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Runs `andon ...args` to completion. */
export function andon(args: string[], input?: string | Buffer): Promise<Exit> {
  return runCommand(process.execPath, [ANDON_BIN, ...args], input);
}

/**
 * GNU parallel, if installed. CI installs it and sets ANDON_REQUIRE_PARALLEL=1, so there the
 * comparisons can never be skipped silently.
 */
export const gnuParallel: string | undefined = (() => {
  const found = spawnSync('sh', ['-c', 'command -v parallel'], { encoding: 'utf8' }).stdout.trim();
  if (found === '' && process.env.ANDON_REQUIRE_PARALLEL === '1')
    throw new Error('GNU parallel is required (ANDON_REQUIRE_PARALLEL=1) but not installed: apt-get install parallel');
  return found === '' ? undefined : found;
})();

/**
 * Whether GNU parallel can read `--csv` (it needs Perl's Text::CSV). CI installs it, and with
 * ANDON_REQUIRE_PARALLEL=1 its absence is an error, not a skip.
 */
export const gnuParallelReadsCsv: boolean = (() => {
  if (gnuParallel === undefined) return false;
  const found = spawnSync('perl', ['-MText::CSV', '-e', '1']).status === 0;
  if (!found && process.env.ANDON_REQUIRE_PARALLEL === '1')
    throw new Error(
      "GNU parallel's --csv needs Perl's Text::CSV (ANDON_REQUIRE_PARALLEL=1): apt-get install libtext-csv-perl",
    );
  return found;
})();

/** Runs GNU parallel with `args` to completion. */
export function parallel(args: string[], input?: string | Buffer): Promise<Exit> {
  return runCommand(gnuParallel!, ['--will-cite', ...args], input);
}
