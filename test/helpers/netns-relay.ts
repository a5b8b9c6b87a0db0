/**
 * `node netns-relay.js ADDRESS PORT TARGET DELAY_MS JITTER_MS`: listens on ADDRESS:PORT and
 * relays each connection to 127.0.0.1:TARGET, holding every chunk DELAY_MS ± JITTER_MS in each
 * direction (a chunk never overtakes the one before it, as on one TCP stream). It stands in
 * for netem's delay on the link to the server; "relaying" on stderr once it listens.
 */
import { createConnection, createServer, type Socket } from 'node:net';

const [address, port, target, delay, jitter] = process.argv.slice(2);
const delayMs = Number(delay);
const jitterMs = Number(jitter);

/**
 * Copies `from` to `to`, each chunk due its delay after it came, and never before the one
 * before: one queue and one timer per direction, since timers of different lengths set at
 * different moments may fire out of order.
 */
function delayed(from: Socket, to: Socket): void {
  const queue: { due: number; deliver: () => void }[] = [];
  let scheduled = false;
  let lastDue = 0;
  const flush = (): void => {
    scheduled = false;
    while (queue.length > 0 && queue[0]!.due <= performance.now()) queue.shift()!.deliver();
    if (queue.length > 0) schedule();
  };
  const schedule = (): void => {
    scheduled = true;
    setTimeout(flush, queue[0]!.due - performance.now());
  };
  const later = (deliver: () => void): void => {
    lastDue = Math.max(performance.now() + delayMs + (Math.random() * 2 - 1) * jitterMs, lastDue);
    queue.push({ due: lastDue, deliver });
    if (!scheduled) schedule();
  };
  from.on('data', (chunk: Buffer) => later(() => to.writable && to.write(chunk)));
  from.on('end', () => later(() => to.end()));
  // A reset comes through at once: nothing after it would be delivered anyway.
  from.on('error', () => to.destroy());
  from.on('close', (hadError) => hadError && to.destroy());
}

const server = createServer((client) => {
  const upstream = createConnection({ host: '127.0.0.1', port: Number(target) });
  delayed(client, upstream);
  delayed(upstream, client);
});
server.listen(Number(port), address, () => process.stderr.write(`relaying ${address}:${port} to ${target}\n`));
