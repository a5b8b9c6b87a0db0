/**
 * Hashes on worker threads; Ctrl+C stops every thread at its next chunk.
 *
 *   node dist/examples/hash-files/index.js 1000 2000 3000
 */
import { createPool, main } from 'andon';

const sizes = process.argv.slice(2).map(Number);
const pool = createPool({ module: new URL('./hash-task.js', import.meta.url), threads: 4 });
await main(() => pool.run(sizes.length > 0 ? sizes : [1_000, 2_000, 3_000]));
