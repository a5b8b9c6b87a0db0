/** `main()` in this process, with its stderr and exit injected: what a script's user reads. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool, main } from '../src/index.js';

async function runMain(fn: () => unknown): Promise<{ stderr: string; codes: number[] }> {
  let stderr = '';
  const codes: number[] = [];
  await main(fn, { stderr: { write: (text: string) => (stderr += text) }, exit: (code) => codes.push(code) });
  return { stderr, codes };
}

describe('main()', () => {
  it('names each failed item and its error, the first ten and a count of the rest, and exits 1', async () => {
    const items = Array.from({ length: 13 }, (_, i) => (i < 2 ? `https://ok.example/${i}` : `bad ${i}`));
    const pool = createPool({
      concurrency: 1,
      task(item: string) {
        if (item.startsWith('bad')) throw new TypeError(`cannot fetch ${item}`);
        return item.length;
      },
    });
    const { stderr, codes } = await runMain(() => pool.run(items));
    assert.deepEqual(codes, [1]);
    const lines = stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /^andon: 2 done, 11 failed, 0 cancelled, 0 not started \(of 13\) in /);
    assert.equal(lines[1], 'andon: failed:');
    assert.equal(lines[2], '  item 2 (bad 2): TypeError: cannot fetch bad 2');
    assert.equal(lines[11], '  item 11 (bad 11): TypeError: cannot fetch bad 11');
    assert.equal(lines[12], '  … and 1 more failed');
    assert.equal(lines.length, 13);
  });

  it('shows an item that is not a string as Node prints it, cut to one short line', async () => {
    const pool = createPool({
      task(item: { id: number; body: string }) {
        throw new Error(`no ${item.id}`);
      },
    });
    const { stderr } = await runMain(() => pool.run([{ id: 7, body: 'x'.repeat(200) }]));
    const line = stderr.split('\n')[2]!;
    assert.match(line, /^ {2}item 0 \(\{ id: 7, body: 'x+…\): Error: no 7$/);
    assert.ok(line.length < 120, line);
  });

  it('a run with no failure prints the summary alone and exits with nothing', async () => {
    const { stderr, codes } = await runMain(() => createPool({ task: (n: number) => n }).run([1, 2]));
    assert.match(stderr, /^andon: 2 done, 0 failed, 0 cancelled, 0 not started \(of 2\) in \S+\n$/);
    assert.deepEqual(codes, []);
  });

  it("a bug in the script's own code prints its stack, so that it can be found, and exits 1", async () => {
    const { stderr, codes } = await runMain(() => {
      throw new RangeError('my own bug');
    });
    assert.deepEqual(codes, [1]);
    assert.match(stderr, /^RangeError: my own bug\n {4}at /);
    assert.match(stderr, /main\.test\.(ts|js)/);
  });

  it("andon's own error is one line", async () => {
    const { stderr, codes } = await runMain(() => createPool({ task: (n: number) => n, concurrency: 0 }));
    assert.deepEqual(codes, [1]);
    assert.match(stderr, /^OptionError: Expected `concurrency` to be .*\n$/);
  });
});
