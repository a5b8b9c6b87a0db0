/** The bad-input catalogue: every case gets its one-line message, and the document is current. */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { CASES, dir } from './bad-input/cases.js';
import { renderCatalogue, shown } from './bad-input/render.js';
import { redisServer } from './helpers/redis.js';

after(() => rmSync(dir, { recursive: true, force: true }));

describe('bad input catalogue', () => {
  it('has at least 30 cases across the library, worker threads, commands, the command line, job logs and Redis', () => {
    assert.ok(CASES.length >= 30, `${CASES.length} cases`);
    assert.deepEqual(
      new Set(CASES.map((c) => c.area)),
      new Set(['library options', 'worker threads', 'commands', 'command line', 'job log', 'redis']),
    );
  });

  for (const badInput of CASES) {
    const skip =
      badInput.requires === 'redis-server' && redisServer === undefined
        ? 'redis-server is not installed (CI installs it)'
        : false;
    it(`${badInput.area}: ${badInput.input}`, { skip }, async () => {
      const { message, exitCode } = await badInput.run();
      assert.match(shown(message), badInput.expected);
      assert.ok(!message.includes('\n'), `one line: ${JSON.stringify(message)}`);
      if (exitCode !== undefined) assert.equal(exitCode, 255);
    });
  }

  it('docs/bad-input.md is rendered from these cases (npm run catalogue)', {
    skip: redisServer === undefined ? 'redis-server is not installed' : false,
  }, async () => {
    const document = readFileSync(new URL('../../docs/bad-input.md', import.meta.url), 'utf8');
    assert.equal(document, await renderCatalogue());
  });
});
