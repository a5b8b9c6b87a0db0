/**
 * A worker's presence on its queue, for `andon status --redis` and `andon serve --redis`: a key
 * holding who the worker is and what it runs now, rewritten every renewal and expiring on its
 * own when the worker dies without a goodbye. Nothing decides anything by it; it is for people.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RemoteJobData } from './protocol.js';
import { WORKER_PRESENCE_MS, type WorkerPresence, workerKey } from './protocol.js';

/** What a running job is, in a few words: its command line, or the export it calls. */
export function whatJobRuns(task: RemoteJobData['task']): string {
  if (task.kind === 'module') return `${task.export}() of ${task.module}`;
  const { spec } = task;
  return spec.shell ?? spec.direct?.line ?? spec.argv.join(' ');
}

/** Writes one worker's presence key. */
export class PresenceKey {
  readonly #client: Redis;
  readonly #key: string;

  constructor(client: Redis, queue: string) {
    this.#client = client;
    this.#key = workerKey(queue, randomBytes(6).toString('hex'));
  }

  /** Says the worker is there, as `presence` describes it; a failed write is left to the next. */
  beat(presence: WorkerPresence): void {
    void this.#client.set(this.#key, JSON.stringify(presence), 'PX', WORKER_PRESENCE_MS).catch(() => {});
  }

  /** The worker is gone: its key goes now rather than when it expires. */
  async end(): Promise<void> {
    await this.#client.del(this.#key).catch(() => {});
  }
}
