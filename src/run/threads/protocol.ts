/** The messages between the pool (main thread) and a worker thread. */
import type { ErrorRecord } from '../error-transport.js';

/** What the worker is started with. */
export interface WorkerSetup {
  /** A `file:` URL of the user's module. */
  readonly moduleUrl: string;
  /** Which export is the task function. */
  readonly exportName: string;
  /** The worker's stop cell (see `stop/shared.ts`). */
  readonly cell: Int32Array;
}

/** Main → worker: run one item as task `generation`. */
export interface RunMessage {
  readonly generation: number;
  readonly item: unknown;
}

/** Worker → main: the module has loaded (or failed to; each task will then report why). */
export interface ReadyMessage {
  readonly ready: true;
}

/** Worker → main: task `generation` settled. */
export type ResultMessage =
  | { readonly generation: number; readonly ok: true; readonly value: unknown }
  | { readonly generation: number; readonly ok: false; readonly error: ErrorRecord };
