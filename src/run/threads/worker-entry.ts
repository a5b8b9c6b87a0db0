/**
 * The first code a pool's worker thread runs: loads the user's module, then runs one task at
 * a time with a shared-memory stop token, and reports each outcome with its generation.
 */
import { parentPort, workerData, type Transferable } from 'node:worker_threads';
import { WorkerModuleError } from '../../errors.js';
import { setCurrentStop } from '../../stop/current.js';
import { SharedStopToken } from '../../stop/shared.js';
import { toErrorRecord } from '../error-transport.js';
import { unwrapTransfer } from '../transfer.js';
import type { ResultMessage, RunMessage, WorkerSetup } from './protocol.js';

type Task = (item: unknown, stop: SharedStopToken) => unknown;

const setup = workerData as WorkerSetup;
const port = parentPort!;

async function load(): Promise<Task> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(setup.moduleUrl)) as Record<string, unknown>;
  } catch (error) {
    throw new WorkerModuleError(
      `Worker module ${setup.moduleUrl} failed to load: ${(error as Error)?.message ?? String(error)}; fix the module, or run it with node to see the error`,
      error,
    );
  }
  const task = loaded[setup.exportName];
  if (typeof task !== 'function') {
    const exported = Object.keys(loaded).filter((key) => typeof loaded[key] === 'function');
    throw new WorkerModuleError(
      `Worker module ${setup.moduleUrl} has no function export \`${setup.exportName}\`` +
        (exported.length > 0
          ? `; its function exports are: ${exported.map((k) => `\`${k}\``).join(', ')} (choose one with the \`export\` option)`
          : '; export the task function (export default function task(item, stop) { … })'),
    );
  }
  return task as Task;
}

// Loaded once; a failure is reported to each task instead.
const loading = load();
void loading.then(
  () => port.postMessage({ ready: true }),
  () => port.postMessage({ ready: true }),
);

function reply(message: ResultMessage, transferList: Transferable[] = []): void {
  port.postMessage(message, transferList);
}

port.on('message', async ({ generation, item }: RunMessage) => {
  const stop = new SharedStopToken(setup.cell, generation);
  setCurrentStop(stop);
  try {
    const task = await loading;
    const result = unwrapTransfer(await task(unwrapTransfer(item).value, stop));
    try {
      reply({ generation, ok: true, value: result.value }, result.transferList);
    } catch (error) {
      throw new Error(
        `The task's result cannot be sent to the main thread (${(error as Error).message}); return plain data: objects, arrays, strings, numbers, buffers`,
        { cause: error },
      );
    }
  } catch (error) {
    try {
      reply({ generation, ok: false, error: toErrorRecord(error) });
    } catch {
      // Last resort: whatever was thrown defeats even the careful record; say so plainly.
      reply({
        generation,
        ok: false,
        error: {
          name: 'Error',
          message: 'The task threw a value that cannot be described or sent to the main thread',
          stack: undefined,
          fields: {},
          cause: undefined,
        },
      });
    }
  } finally {
    setCurrentStop(undefined);
    stop.end();
  }
});
