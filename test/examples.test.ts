/** The README's demo must keep doing what the README says. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startNode } from './helpers/child.js';

const example = (name: string): string => fileURLToPath(new URL(`../examples/sleepy/${name}`, import.meta.url));

describe('examples/sleepy', () => {
  it('the andon version stops at once on Ctrl+C, cleans up and exits 130', async () => {
    const child = startNode(example('andon.js'), ['6', '3']);
    await child.waitForLines(/sleeping 1\/5/, 3);
    const signalledAt = performance.now();
    child.kill('SIGINT');
    const exit = await child.exited;
    const took = performance.now() - signalledAt;
    assert.equal(exit.status, 130);
    assert.equal(exit.stdout.match(/cleaned up/g)?.length, 3);
    assert.match(exit.stderr, /0 done, 0 failed, 3 cancelled, 3 not started \(of 6\) in .*interrupted by SIGINT/);
    // The tasks sleep in 2-second chunks; stopping must not wait one out. 1.5 s leaves room
    // for a loaded CI machine while still failing if a chunk were sat out.
    assert.ok(took < 1_500, `took ${took} ms to exit`);
  });

  it('the naive version keeps working after Ctrl+C, as the seed describes', async () => {
    const child = startNode(example('naive.js'));
    await child.waitForLines(/sleeping 1\/5/, 2);
    child.kill('SIGINT');
    await child.waitForLine('^C (ignored');
    // The proof: a new round starts after the interrupt was received.
    await child.waitForLines(/sleeping 2\/5/, 2);
    child.kill('SIGKILL');
    await child.exited;
  });
});
