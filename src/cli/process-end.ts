/**
 * How the `andon` process meets the signals and the pipes around it, for its whole life (the
 * library's signal handling lasts only while a run is in progress):
 * - before a run (reading the command line, opening its input files, which for a FIFO with no
 *   writer may never return) a signal ends andon at once, as it would any program;
 * - during a run the run's own handling answers (graceful stop, then force); this only notes
 *   which signal came first;
 * - after it (the summary, the job log's last records) a signal ends andon at once, never in
 *   the middle of a write (writes to files, pipes and terminals are synchronous here), with the
 *   first signal's status;
 * - a closed standard output or error stops the run and its jobs, and andon ends as SIGPIPE
 *   ends the other programs of a pipeline.
 * When the run was ended by a signal, andon dies of that signal (`die-by.ts`).
 */
import { interruptCoordinator } from '../interrupt/coordinator.js';
import { dieBy, isClosedOutput } from '../interrupt/die-by.js';
import { type EndingSignal, INTERRUPT_SIGNALS, type InterruptSignal } from '../stop/signals.js';

/** Where the process is: before a run, in one (or in a command that answers signals itself), after it. */
type Phase = 'before' | 'running' | 'command' | 'after';

/** Resolves once what `stream` holds has been written (or could not be: the reader went away). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write('', () => resolve());
  });
}

/** The andon process's signals and output streams, from start to exit. */
export class ProcessEnd {
  #phase: Phase = 'before';
  #first: EndingSignal | undefined;
  #streams: readonly NodeJS.WriteStream[] = [];
  #ending = false;

  /** Starts listening; call once, first thing. */
  install(streams: readonly NodeJS.WriteStream[]): void {
    for (const signal of INTERRUPT_SIGNALS) process.on(signal, this.#onSignal);
    this.#streams = streams;
    for (const stream of streams) stream.on('error', this.#onOutputError);
  }

  /** A run (or a worker) is in progress: its own signal handling answers. */
  running(): void {
    this.#phase = 'running';
  }

  /** The command answers signals itself (`andon serve` closes its page and exits 0). */
  signalsAnsweredByCommand(): void {
    this.#phase = 'command';
  }

  /**
   * Ends the process: dying of the first signal if one ended the run, else with `code`.
   * @param signalled false where a signal is the ordinary way to end (`andon worker`).
   */
  exit(code: number, signalled = true): void {
    this.#phase = 'after';
    // One more turn of the event loop, through its poll phase, with the listeners still in
    // place: a signal that landed during the run's last synchronous work (the job log closed,
    // the watchdog told goodbye) is still in libuv's pipe, and would otherwise be dropped as
    // Node resets the handlers on its way out, or meet their default action.
    setTimeout(() => void this.#end(signalled ? this.#first : undefined, code), 0);
  }

  /** Writes out what stdout and stderr still hold (a slow reader), then dies of `signal` or exits with `code`. */
  async #end(signal: EndingSignal | undefined, code: number): Promise<void> {
    if (this.#ending) return;
    this.#ending = true;
    // A closed output holds nothing that could still be written.
    if (signal !== 'SIGPIPE') await Promise.all(this.#streams.map(flushed));
    // The reader may have gone away while the last output was still being written.
    const ending = signal ?? (this.#first === 'SIGPIPE' ? 'SIGPIPE' : undefined);
    if (ending !== undefined) dieBy(ending);
    else process.exit(code);
  }

  readonly #onSignal = (signal: InterruptSignal): void => {
    this.#first ??= signal;
    // Between runs (opening the inputs, or closing up after the run settled) nobody else answers.
    if (this.#phase === 'command') return;
    if (this.#phase === 'running' && interruptCoordinator(process).active) return;
    void this.#end(this.#first, 0);
  };

  readonly #onOutputError = (error: Error): void => {
    if (!isClosedOutput(error)) throw error;
    if (this.#first !== undefined) return;
    this.#first = 'SIGPIPE';
    if (this.#phase === 'running' && interruptCoordinator(process).active) interruptCoordinator(process).outputClosed();
    else void this.#end('SIGPIPE', 0);
  };
}
