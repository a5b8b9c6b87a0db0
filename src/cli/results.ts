/**
 * GNU parallel's `--results NAME` and `--files`: each job's output saved in files instead of
 * printed. `--results DIR` makes `DIR/1/VALUE1/2/VALUE2/` (the columns' names instead of the
 * numbers with `--header`) holding `stdout`, `stderr` and `seq`; a NAME with replacement
 * strings names the job's stdout file (`.err` and `.seq` beside it), or its directory when it
 * ends in `/`. `--files` prints the name of each job's stdout file instead of its output (in
 * `$TMPDIR` without `--results`).
 */
import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type JobValues, Template, type TemplateOptions } from '../command/template.js';
import { AndonError, UsageError } from '../errors.js';
import type { RunHandle, RunObserver, RunStarted, TaskOutput } from '../pool/lifecycle.js';
import type { TaskResult } from '../pool/result.js';
import type { OutputStream } from '../run/executor.js';
import type { OutputSequencer } from './output.js';
import { temporaryFile } from './temp-file.js';
import { type TableTarget, tableTargetOf } from './results-table.js';

/** What `--results` and `--files` ask for. */
export interface ResultsPlan {
  /** `--results`'s NAME, if given. */
  readonly name: string | undefined;
  /** `--files`: print each job's stdout file's name. */
  readonly files: boolean;
  /** `--results NAME.csv` (.tsv, .json): the output in one table instead of files. */
  readonly table: TableTarget | undefined;
}

/** Reads `--results` and `--files`. @throws UsageError */
function resultsPlan(values: ReadonlyMap<string, string>, flags: ReadonlySet<string>): ResultsPlan | undefined {
  const name = values.get('results');
  if (name === undefined && !flags.has('files')) return undefined;
  if (name === '') throw new UsageError('--results needs a directory or file name; give one');
  const table = name === undefined ? undefined : tableTargetOf(name);
  if (table !== undefined && flags.has('files'))
    throw new UsageError(
      `--files prints each job's output file, and --results ${name} keeps the output in one table; leave --files out`,
    );
  if (name !== undefined && table === undefined) refuseFileForDirectory(name);
  return { name, files: flags.has('files'), table };
}

/** A plain `--results NAME` is a directory: a file of that name would fail the first job, so say so before any runs. */
function refuseFileForDirectory(name: string): void {
  if (/\{.*\}/.test(name)) return;
  const found = statSync(name, { throwIfNoEntry: false });
  if (found !== undefined && !found.isDirectory())
    throw new UsageError(`--results ${name}: ${name} exists and is not a directory; remove it or give another name`);
}

/** A job's saved output that cannot be written (a full disk, no permission): the run stops, as for a job log. */
export class ResultsError extends AndonError {
  /** The file that could not be written. */
  readonly path: string;

  constructor(path: string, cause: Error) {
    super(
      'ANDON_RESULTS',
      `--results: cannot write ${path} (${(cause as NodeJS.ErrnoException).code ?? cause.message}); make room there or give a place andon can write`,
      { cause },
    );
    this.path = path;
  }
}

/** `--results`/`--files` as asked, and the layout of the files. */
export interface SavedResults {
  readonly plan: ResultsPlan;
  readonly layout: ResultsLayout;
  /** `--header :`'s names of the columns. */
  readonly columnNames: readonly string[] | undefined;
}

/** Reads `--results` and `--files` and lays out their files (see {@link ResultsLayout}). @throws UsageError */
export function savedResults(
  values: ReadonlyMap<string, string>,
  flags: ReadonlySet<string>,
  strings: TemplateOptions,
  valuesPerRecord: number,
  columnNames: readonly string[] | undefined,
): SavedResults | undefined {
  const plan = resultsPlan(values, flags);
  return plan === undefined
    ? undefined
    : { plan, layout: new ResultsLayout(plan, strings, valuesPerRecord, columnNames), columnNames };
}

/** A directory name for a value, as GNU parallel writes it: `\`, tab, NUL and `/` escaped; at most 255 bytes. */
function dirNameOf(value: string): string {
  const escaped = value.replace(
    /[\\\t\0/]/g,
    (char) => ({ '\\': '\\\\', '\t': '\\t', '\0': '\\0', '/': '\\_' })[char]!,
  );
  const bytes = Buffer.from(escaped);
  return bytes.length <= 255 ? escaped : bytes.subarray(0, 255).toString();
}

/** Where a job's three files go. */
interface JobFiles {
  readonly stdout: string;
  readonly stderr: string;
  readonly seq: string;
}

/** Chooses the files of each job. */
export class ResultsLayout {
  readonly #name: string | undefined;
  readonly #template: Template | undefined;
  readonly #columnNames: readonly string[] | undefined;
  readonly #valuesPerRecord: number;

  /**
   * @param valuesPerRecord how many of a job's values make one input record (the number of
   * sources; a job with `-n 2` has two records)
   * @param columnNames `--header`'s names of the columns, which then name the directories
   */
  constructor(
    plan: ResultsPlan,
    strings: TemplateOptions,
    valuesPerRecord: number,
    columnNames: readonly string[] | undefined,
  ) {
    this.#name = plan.name;
    const template = plan.name === undefined ? undefined : new Template(plan.name, strings);
    this.#template = template?.hasReplacements === true ? template : undefined;
    this.#valuesPerRecord = Math.max(1, valuesPerRecord);
    this.#columnNames = columnNames;
  }

  /** The job's files; undefined for `--files` alone (a temporary file each). */
  filesOf(job: JobValues): JobFiles | undefined {
    if (this.#name === undefined) return undefined;
    if (this.#template !== undefined) {
      const out = this.#template.render(job, (value) => value);
      if (out.endsWith('/')) return this.#inDirectory(out);
      mkdirSync(dirname(out), { recursive: true });
      return { stdout: out, stderr: `${out}.err`, seq: `${out}.seq` };
    }
    return this.#inDirectory(join(this.#name, ...this.#dirsOf(job.values)));
  }

  #inDirectory(dir: string): JobFiles {
    mkdirSync(dir, { recursive: true });
    return { stdout: join(dir, 'stdout'), stderr: join(dir, 'stderr'), seq: join(dir, 'seq') };
  }

  /** `1/A/2/C`: each record's values under their source's number (or column name, sorted by it). */
  #dirsOf(values: readonly string[]): string[] {
    const dirs: string[] = [];
    for (let at = 0; at < values.length; at += this.#valuesPerRecord) {
      const record = values.slice(at, at + this.#valuesPerRecord).map((value, i) => ({
        name: this.#columnNames?.[i] ?? String(i + 1),
        value,
      }));
      if (this.#columnNames !== undefined) record.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const { name, value } of record) dirs.push(dirNameOf(name), dirNameOf(value));
    }
    return dirs;
  }
}

/** Where a finished job's output is kept. */
export interface ResultsStore {
  /**
   * Keeps the job's output (of its last attempt); returns what is printed in the job's turn
   * instead, if anything. @throws an error with the `path` that could not be written
   */
  save(result: TaskResult<readonly string[], unknown>, held: Record<OutputStream, Buffer[]>): Buffer | undefined;
  /** Where the output goes, for an error that names no file. */
  readonly where: string;
}

/** `--results DIR` and `--files`: three files per job (see {@link ResultsLayout}). */
export class ResultsFiles implements ResultsStore {
  constructor(
    private readonly layout: ResultsLayout,
    private readonly plan: ResultsPlan,
  ) {}

  get where(): string {
    return this.plan.name ?? tmpdir();
  }

  save(result: TaskResult<readonly string[], unknown>, held: Record<OutputStream, Buffer[]>): Buffer | undefined {
    const seq = result.index + 1;
    const files = this.layout.filesOf({ values: result.item, seq, slot: undefined });
    const stdout = files?.stdout ?? temporaryFile('.par');
    writeChunks(stdout, held.stdout);
    if (files !== undefined) {
      writeChunks(files.stderr, held.stderr);
      writeChunks(files.seq, [Buffer.from(String(seq))]);
    }
    // --files: the name of the job's output file is what it prints.
    return this.plan.files ? Buffer.from(`${stdout}\n`) : undefined;
  }
}

/**
 * Takes the jobs' output before the sequencer: keeps each job's output in the store, and hands
 * the sequencer only what is to be printed (the stdout file's name with `--files`, a table's
 * row, else nothing), so that `-k` still orders what is printed.
 */
export class ResultsWriter implements RunObserver<readonly string[], unknown> {
  /** Each running job's output so far, of its latest attempt (a retry's files hold only its own). */
  readonly #held = new Map<number, Record<OutputStream, Buffer[]> & { attempt: number }>();
  #run: RunHandle | undefined;
  #writable = true;

  /** @param onEnd called once the run has ended: a table file is closed */
  constructor(
    private readonly store: ResultsStore,
    private readonly output: OutputSequencer,
    private readonly onEnd: () => void = () => {},
  ) {}

  runEnded(): void {
    this.onEnd();
  }

  /** Stops the run: the output could not be kept (`error.path` names where). */
  fail(error: NodeJS.ErrnoException): void {
    this.#writable = false;
    this.#run?.fail(new ResultsError(error.path ?? this.store.where, error));
  }

  taskOutput(event: TaskOutput<readonly string[]>): void {
    let held = this.#held.get(event.index);
    if (held === undefined || held.attempt < event.attempt)
      this.#held.set(event.index, (held = { stdout: [], stderr: [], attempt: event.attempt }));
    held[event.stream].push(event.chunk);
  }

  runStarted(_event: RunStarted, run: RunHandle): void {
    this.#run = run;
  }

  taskSettled(result: TaskResult<readonly string[], unknown>): void {
    const held = this.#held.get(result.index) ?? { stdout: [], stderr: [] };
    this.#held.delete(result.index);
    const printed = this.#writable ? this.#save(result, held) : undefined;
    if (printed !== undefined) this.output.chunk(result.index, result.item, 'stdout', printed);
    this.output.taskSettled(result);
  }

  /** Keeps the job's output; on failure stops the run (jobs whose output cannot be kept should not go on). */
  #save(result: TaskResult<readonly string[], unknown>, held: Record<OutputStream, Buffer[]>): Buffer | undefined {
    try {
      return this.store.save(result, held);
    } catch (error) {
      this.fail(error as NodeJS.ErrnoException);
      return undefined;
    }
  }
}

/** Writes `chunks` to a new file at `path`; a failure names the file, a full disk's too. */
function writeChunks(path: string, chunks: readonly Buffer[]): void {
  try {
    const fd = openSync(path, 'w');
    try {
      for (const chunk of chunks) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    (error as NodeJS.ErrnoException).path ??= path;
    throw error;
  }
}
