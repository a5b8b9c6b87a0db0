/**
 * Running a measurement in a fresh Node process. Anything sensitive to heap size or JIT state
 * (peak RSS, throughput, latency) must not inherit the state of the measurements before it,
 * so each one is a small script in dist/bench, run with `process.execPath`, that prints one
 * line of JSON on stdout as its last line. Children run one at a time: the machine may have
 * only 2 cores, and two measurements at once would disturb each other.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A JSON object as parsed: fields are unknown until checked. */
export type JsonRecord = { readonly [key: string]: unknown };

export interface ChildOptions {
  /** Extra Node flags, e.g. `--expose-gc`. */
  readonly nodeArgs?: readonly string[];
  /** Kill the child after this many ms. @default 120_000 */
  readonly timeoutMs?: number;
}

/** Runs `script` (a URL of a compiled child script) with `args` and parses its JSON report. */
export function runChild(script: URL, args: readonly string[], options: ChildOptions = {}): Promise<JsonRecord> {
  const path = fileURLToPath(script);
  const argv = [...(options.nodeArgs ?? []), path, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const command = `node ${argv.join(' ')}`;
      if (code !== 0) {
        reject(new Error(`${command} exited with ${signal ?? `code ${code}`}`));
        return;
      }
      const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n');
      try {
        const parsed: unknown = JSON.parse(lines.at(-1) ?? '');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not a JSON object');
        resolve(parsed as JsonRecord);
      } catch (error) {
        reject(new Error(`${command} did not end its output with a JSON object: ${String(error)}`));
      }
    });
  });
}

/** In a child script: prints the report the parent parses. Call once, last. */
export function report(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Reads a number field of a child's report, or throws naming the field. */
export function numberField(record: JsonRecord, key: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`Child report: "${key}" is not a finite number`);
  return value;
}

/** Reads a non-empty array-of-numbers field of a child's report, or throws naming the field. */
export function numbersField(record: JsonRecord, key: string): number[] {
  const value = record[key];
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((v): v is number => typeof v === 'number' && Number.isFinite(v))
  ) {
    throw new Error(`Child report: "${key}" is not a non-empty array of finite numbers`);
  }
  return value;
}

/** In a child script: the library named by the first argument (one of `allowed`), or exit with usage. */
export function libraryArgument<L extends string>(allowed: readonly L[]): L {
  const name = process.argv[2];
  const library = allowed.find((l) => l === name);
  if (library === undefined) {
    process.stderr.write(`usage: node ${process.argv[1] ?? '<script>'} <${allowed.join('|')}> ...\n`);
    process.exit(2);
  }
  return library;
}
