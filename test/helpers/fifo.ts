/**
 * A named pipe for handshakes with jobs whose output is not seen until they end (grouped
 * output goes to temporary files): the job writes a line into the pipe, the test waits for it.
 */
import { spawnSync } from 'node:child_process';
import { constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';

export interface Fifo {
  readonly path: string;
  /** Resolves with the lines once `count` have arrived. */
  lines(count: number): Promise<string[]>;
  close(): void;
}

/** Creates `dir/name` as a FIFO and reads it. */
export function openFifo(dir: string, name: string): Fifo {
  const path = join(dir, name);
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo ${path}: ${made.stderr.toString()}`);
  // Read and write: the reader is then also a writer, so jobs that open, write and close
  // one after another never make it see the end; non-blocking, so the event loop reads it.
  const socket = new Socket({
    fd: openSync(path, constants.O_RDWR | constants.O_NONBLOCK),
    readable: true,
    writable: false,
  });
  let text = '';
  const waiters = new Set<() => void>();
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    for (const waiter of [...waiters]) waiter();
  });
  const complete = (): string[] => text.split('\n').slice(0, -1);
  return {
    path,
    async lines(count) {
      while (complete().length < count) {
        await new Promise<void>((resolve) => {
          const waiter = (): void => {
            waiters.delete(waiter);
            resolve();
          };
          waiters.add(waiter);
        });
      }
      return complete();
    },
    close() {
      socket.destroy();
    },
  };
}
