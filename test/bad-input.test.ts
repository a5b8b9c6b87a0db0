/** The bad-input catalogue: every case gets its one-line message, and the document is current. */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { CASES, dir } from './bad-input/cases.js';
import { renderCatalogue, shown } from './bad-input/render.js';

after(() => rmSync(dir, { recursive: true, force: true }));

describe('bad input catalogue', () => {
  it('has at least 30 cases across the library, worker threads, commands, the command line and job logs', () => {
    assert.ok(CASES.length >= 30, `${CASES.length} cases`);
    assert.deepEqual(new Set(CASES.map((c) => c.area)), new Set(['library options', 'worker threads', 'commands', 'command line', 'job log']));
  });

  for (const badInput of CASES) {
    it(`${badInput.area}: ${badInput.input}`, async () => {
      const { message, exitCode } = await badInput.run();
      assert.match(shown(message), badInput.expected);
      assert.ok(!message.includes('\n'), `one line: ${JSON.stringify(message)}`);
      if (exitCode !== undefined) assert.equal(exitCode, 255);
    });
  }

  it('docs/bad-input.md is rendered from these cases (npm run catalogue)', async () => {
    const document = readFileSync(new URL('../../docs/bad-input.md', import.meta.url), 'utf8');
    assert.equal(document, await renderCatalogue());
  });
});
