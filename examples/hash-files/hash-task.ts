/**
 * The README's worker-thread example: CPU-bound hashing that checks its stop token between
 * chunks. Runs on worker threads; see ./index.ts.
 */
import { createHash } from 'node:crypto';
import type { WorkerStopToken } from 'andon';

export default function hash(chunks: number, stop: WorkerStopToken): string | undefined {
  const hash = createHash('sha256');
  for (let i = 0; i < chunks; i++) {
    if (stop.stopped) return undefined; // a shared-memory read: no message, no yield needed
    hash.update(new Uint8Array(1 << 16).fill(i));
  }
  return hash.digest('hex');
}
