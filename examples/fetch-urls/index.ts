/**
 * The README's first example, kept here so the compiler checks it on every build.
 *
 *   node dist/examples/fetch-urls/index.js https://example.org/a https://example.org/b
 */
import { createPool, main } from 'andon';

const urls = process.argv.slice(2);

const pool = createPool({
  concurrency: 8,
  timeout: 30_000, // the task's token stops with reason 'timeout'
  retries: 2, // with exponential backoff and jitter
  async task(url: string, stop) {
    const response = await fetch(url, { signal: stop.signal }); // aborted on Ctrl+C
    const body = await response.text();
    await stop.sleep(1_000); // be polite to the server; wakes at once on Ctrl+C
    return body.length;
  },
  onResult(result) {
    if (result.status === 'done') console.log(`${result.item}: ${result.value} characters`);
  },
});

// Prints the summary and each failed URL with its error; exits 130 on Ctrl+C (143 on
// SIGTERM), 1 if any task failed.
await main(() => pool.run(urls));
