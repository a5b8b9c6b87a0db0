/**
 * A worker's view of its runs' leases (see RUN_LEASE_MS in protocol.ts): is the andon that
 * submitted a run still there? A lease seen within the last renewal period is taken as there
 * without asking Redis again, so a busy run costs no look-up per job; a missing lease counts
 * only once it is missing on two looks a recheck apart. The lease's life is measured by Redis
 * (the key's TTL), never by comparing this host's clock with the submitter's; the two looks are
 * timed by this process's monotonic clock, which a step of the wall clock does not move.
 */
import type { Redis } from 'ioredis';
import { RUN_LEASE_RECHECK_MS, RUN_LEASE_RENEW_MS, runLeaseKey } from './protocol.js';

/** Runs whose lease went missing are forgotten after this long (a late job then waits one recheck). */
const FORGET_AFTER_MS = 600_000;

/** The leases of the runs whose jobs one worker sees. */
export class RunLeases {
  readonly #client: Redis;
  readonly #queue: string;
  /** When each run's lease was last seen. */
  readonly #seen = new Map<string, number>();
  /** Runs whose lease was found missing, and since when. */
  readonly #missing = new Map<string, number>();

  constructor(client: Redis, queue: string) {
    this.#client = client;
    this.#queue = queue;
  }

  /**
   * True if the run's lease is missing on two looks {@link RUN_LEASE_RECHECK_MS} apart. With
   * `wait`, a first miss waits for the second look; without, a later call makes it.
   */
  async gone(run: string, wait = false): Promise<boolean> {
    const seen = this.#seen.get(run);
    if (seen !== undefined && performance.now() - seen < RUN_LEASE_RENEW_MS) return false;
    // A failed look (the connection is down) says nothing: the run counts as there.
    const exists = await this.#client.exists(runLeaseKey(this.#queue, run)).catch(() => 1);
    if (exists === 1) {
      this.#missing.delete(run);
      this.#seen.set(run, performance.now());
      return false;
    }
    this.#seen.delete(run);
    const since = this.#missing.get(run) ?? performance.now();
    this.#missing.set(run, since);
    if (performance.now() - since >= RUN_LEASE_RECHECK_MS) return true;
    if (!wait) return false;
    await new Promise((resolve) => setTimeout(resolve, RUN_LEASE_RECHECK_MS - (performance.now() - since)));
    return this.gone(run);
  }

  /** Drops what is no longer worth keeping; `active` are the runs with jobs running here. */
  prune(active: ReadonlySet<string>): void {
    const now = performance.now();
    for (const [run, seen] of this.#seen) if (now - seen > RUN_LEASE_RENEW_MS) this.#seen.delete(run);
    for (const [run, since] of this.#missing)
      if (!active.has(run) && now - since > FORGET_AFTER_MS) this.#missing.delete(run);
  }
}
