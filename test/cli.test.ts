/** The `andon` binary as a user runs it: for now, version and help only. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startNode } from './helpers/child.js';

const bin = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; bin: { andon: string } };

describe('andon command', () => {
  it('is the package bin', () => {
    assert.equal(manifest.bin.andon, './dist/src/cli/bin.js');
    assert.match(readFileSync(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  it('--version prints the package version', async () => {
    const exit = await startNode(bin, ['--version']).exited;
    assert.equal(exit.code, 0);
    assert.equal(exit.stdout, `${manifest.version}\n`);
  });

  it('--help lists only what works', async () => {
    const exit = await startNode(bin, ['--help']).exited;
    assert.equal(exit.code, 0);
    assert.match(exit.stdout, /--version/);
    assert.doesNotMatch(exit.stdout, /--joblog|--resume|-j /, 'no option is listed before it works');
  });

  it('an unknown option is a one-line error and exit 255', async () => {
    const exit = await startNode(bin, ['--jobs=4']).exited;
    assert.equal(exit.code, 255);
    assert.equal(exit.stderr.trim().split('\n').length, 1);
    assert.match(exit.stderr, /^andon: Unknown option '--jobs'.*; see andon --help\n$/);
  });

  it('a command is refused with a one-line error, not ignored', async () => {
    const exit = await startNode(bin, ['echo', 'hi']).exited;
    assert.equal(exit.code, 255);
    assert.match(exit.stderr, /^andon: running commands is not available yet \(got `echo`\); see andon --help\n$/);
  });
});
