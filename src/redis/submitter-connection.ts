/**
 * A submitter's connection to its queue, as one thing: the session, the queue jobs are added
 * to, the producer stop events are published with, the timer that looks up the jobs waited
 * for, and the lease of the run submitting over it. Closing it ends them all.
 */
import type { Queue, QueueEventsProducer } from 'bullmq';
import { budget, within } from './connection.js';
import { RUN_JOBS_KEPT, RUN_LEASE_MS, RUN_LEASE_RENEW_MS, runJobsKey, runLeaseKey } from './protocol.js';
import type { SettledLines } from '../control/protocol.js';
import { CLOSE_WITHIN_MS, type RedisSession } from './session.js';

/** How often the jobs waited for are looked up, in case an event was missed. */
const RECONCILE_EVERY_MS = 10_000;

/** One session of a submitter, with what it submits and stops jobs through. */
export class SubmitterConnection {
  readonly session: RedisSession;
  readonly queue: Queue;
  readonly producer: QueueEventsProducer;
  readonly #reconciler: NodeJS.Timeout;
  /** The run's lease, while one is held: its key, the timer renewing it, and the renewal. */
  #lease:
    | {
        readonly keys: readonly string[];
        readonly renewal: NodeJS.Timeout;
        readonly renew: () => Promise<unknown>;
      }
    | undefined;

  /** Takes the session into use; `reconcile` is called every few seconds until it closes. */
  constructor(session: RedisSession, reconcile: () => void) {
    const { bullmq } = session.modules;
    const { queue } = session.backend;
    this.session = session;
    this.queue = new bullmq.Queue(queue, { connection: session.client });
    this.producer = new bullmq.QueueEventsProducer(queue, { connection: session.client });
    // Connection errors are reported once, by the session's watch; without a listener BullMQ prints each.
    this.queue.on('error', () => {});
    this.producer.on('error', () => {});
    this.#reconciler = setInterval(reconcile, RECONCILE_EVERY_MS);
    this.#reconciler.unref();
  }

  /** True while the server is unreachable. */
  get lost(): boolean {
    return this.session.watch.lost;
  }

  /**
   * Takes the run's lease and keeps renewing it until {@link endLease}. The lease holds what
   * `describe` says of the run at each renewal, which `andon status --redis` shows; with each
   * renewal the jobs `settled` since the last go on the run's list, for its timeline elsewhere.
   */
  async startLease(run: string, describe: () => string, settled: SettledLines | undefined): Promise<void> {
    const { client, backend } = this.session;
    const key = runLeaseKey(backend.queue, run);
    const jobsKey = runJobsKey(backend.queue, run);
    // The lease outlives a connection loss the submitter itself would survive.
    const ttl = RUN_LEASE_MS + backend.reconnectTimeoutMs;
    let sent = 0;
    const renew = async (): Promise<unknown> => {
      const from = sent;
      const lines = settled?.since(from) ?? [];
      sent = from + lines.length;
      const batch = client.multi().set(key, describe(), 'PX', ttl);
      if (lines.length > 0) batch.rpush(jobsKey, ...lines).ltrim(jobsKey, -RUN_JOBS_KEPT, -1);
      if (settled !== undefined) batch.pexpire(jobsKey, ttl);
      try {
        return await batch.exec();
      } catch (error) {
        // Not sent: the next renewal sends these lines again.
        sent = Math.min(sent, from);
        throw error;
      }
    };
    await renew();
    const renewal = setInterval(() => void renew().catch(() => {}), RUN_LEASE_RENEW_MS);
    // The lease must not keep the process alive; the run itself does while it runs.
    renewal.unref();
    this.#lease = { keys: [key, jobsKey], renewal, renew };
  }

  /** Renews the lease now: what it says of the run has changed (a stop began). */
  renewLease(): void {
    void this.#lease?.renew().catch(() => {});
  }

  /**
   * Gives the lease up: the run is over, its workers need not watch it. The key is deleted
   * when `release` is set and the server answers; else it expires on its own.
   */
  async endLease(release: boolean, ms = CLOSE_WITHIN_MS): Promise<void> {
    const lease = this.#lease;
    if (lease === undefined) return;
    clearInterval(lease.renewal);
    this.#lease = undefined;
    if (release && !this.lost) await within(this.session.client.del(...lease.keys), ms);
  }

  /** Closes the queue, the producer and the session, within `ms` in all even if the server is gone. */
  async close(ms = CLOSE_WITHIN_MS): Promise<void> {
    const left = budget(ms);
    clearInterval(this.#reconciler);
    // Ended by the run before; a renewal left running would keep a finished run alive.
    if (this.#lease !== undefined) clearInterval(this.#lease.renewal);
    this.#lease = undefined;
    await within(Promise.all([this.queue.close(), this.producer.close()]), left());
    await this.session.close(left());
  }
}
