/**
 * The worker side of the hand-written loop (see hand-pool.ts): loads the default export of
 * the module named in `workerData`, says it is ready, then answers every message with the
 * function's result. No protocol, no error handling, no stop: the least a worker can do.
 */
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort;
if (port === null) throw new Error('raw-worker.js must run on a worker thread');
const { module } = workerData as { module: string };
const loaded = (await import(module)) as { default: (item: unknown) => unknown };
const task = loaded.default;
port.on('message', (item: unknown) => port.postMessage(task(item)));
port.postMessage('ready');
