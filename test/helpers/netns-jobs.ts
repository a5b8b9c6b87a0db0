/**
 * The jobs of the network-namespace scenarios and what they leave to check: each job notes its
 * start (with its host and its shell's pid) and its end in WORK/events, and the submitter's job
 * log says what it took as done.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The worker hosts of the network. */
export const WORKERS = ['w1', 'w2', 'w3'] as const;
/** One of {@link WORKERS}. */
export type WorkerHost = (typeof WORKERS)[number];
/** "1" … "n": the items of a run of n jobs (so an item is its job's seq). */
export const range = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i + 1));

/** Polls what no event announces (files the jobs write, keys in Redis). */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the jobs noted: each start (with the host and the job's shell pid) and each end. */
export interface Events {
  readonly starts: Map<number, { host: string; pid: number }[]>;
  readonly dones: Map<number, string[]>;
}

export function eventsOf(work: string): Events {
  const starts = new Map<number, { host: string; pid: number }[]>();
  const dones = new Map<number, string[]>();
  const path = join(work, 'events');
  if (!existsSync(path)) return { starts, dones };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [what, seq, host, pid] = line.split(' ');
    if (seq === undefined || host === undefined) continue;
    if (what === 'start') starts.set(Number(seq), [...(starts.get(Number(seq)) ?? []), { host, pid: Number(pid) }]);
    if (what === 'done') dones.set(Number(seq), [...(dones.get(Number(seq)) ?? []), host]);
  }
  return { starts, dones };
}

/** Job-log records (header skipped): seq and exit code. */
export function jobLog(path: string): { seq: number; exit: number }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line !== '')
    .map((line) => {
      const fields = line.split('\t');
      return { seq: Number(fields[0]), exit: Number(fields[6]) };
    });
}

/**
 * A job that notes its start and end; on a host named in `holdOn` it first waits while
 * WORK/hold exists, so that it is still running when that host is cut off or killed.
 */
export function job(work: string, body: string, holdOn: WorkerHost | undefined = undefined): string {
  const hold =
    holdOn === undefined
      ? ''
      : `if [ "$ANDON_NETNS_HOST" = ${holdOn} ]; then while [ -e ${work}/hold ]; do sleep 0.1; done; fi; `;
  return `echo start {} $ANDON_NETNS_HOST $$ >> ${work}/events; ${hold}${body}; echo done {} $ANDON_NETNS_HOST >> ${work}/events`;
}

/** The jobs that started on `host` and have not finished: seq and the job's shell pid. */
export function runningOn(work: string, host: WorkerHost): { seq: number; pid: number }[] {
  const { starts, dones } = eventsOf(work);
  return [...starts].flatMap(([seq, runs]) =>
    runs.filter((run) => run.host === host && !dones.get(seq)?.includes(host)).map((run) => ({ seq, pid: run.pid })),
  );
}
