/**
 * The watchdog: a /bin/sh script whose text is part of andon's compiled code, so no build
 * step has to put a file beside it, and a plain `tsc` build has it as surely as `npm run build`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WATCHDOG_NAME, Watchdog } from '../src/run/process/watchdog.js';
import { startNode } from './helpers/child.js';
import { isAlive, jobPids, waitUntilGone } from './helpers/processes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'andon-watchdog-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Fields of /proc/PID/stat after the command name: [state, ppid, pgrp, session, …]. */
function stat(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** The pids of this process's children whose command line names the watchdog. */
function watchdogs(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return (
          stat(pid)[1] === String(process.pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(WATCHDOG_NAME)
        );
      } catch {
        return false;
      }
    });
}

/** Starts `sleep 300` in a process group of its own, as andon starts a job; returns its pid. */
function groupedSleep(): number {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

async function waitUntil(condition: () => boolean, ms: number, what: string): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the watchdog', () => {
  it('is /bin/sh in a session of its own, deaf to SIGINT; after a goodbye it kills nothing and removes its directory', async () => {
    const before = new Set(watchdogs());
    const watchdog = new Watchdog();
    const job = groupedSleep();
    try {
      watchdog.add(job);
      const [pid, ...others] = watchdogs().filter((p) => !before.has(p));
      assert.ok(pid !== undefined && others.length === 0, 'one watchdog process, named in its command line');
      assert.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0], '/bin/sh');
      assert.equal(stat(pid)[3], String(pid), 'it leads a session of its own');
      process.kill(pid, 'SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(isAlive(pid), 'SIGINT left it running');
      await watchdog.close();
      await waitUntilGone([pid], 2_000);
      assert.equal(existsSync(watchdog.dir), false, 'its directory is gone');
      assert.ok(isAlive(job), 'after a goodbye it kills no job');
    } finally {
      process.kill(-job, 'SIGKILL');
    }
  });

  it('a plain `tsc -p` build, nothing copied beside it: SIGKILL of andon still ends every job and removes the temporary files', async () => {
    // Compile andon and one fixture as someone would without `npm run build`: tsc alone.
    const out = join(dir, 'plain');
    const config = join(dir, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: {
          rootDir: root,
          outDir: out,
          typeRoots: [join(root, 'node_modules', '@types')],
          declaration: false,
          sourceMap: false,
          // Type checking is the build's business; this is about what tsc emits.
          noCheck: true,
        },
        include: [join(root, 'src'), join(root, 'test', 'fixtures', 'command-pool-child.ts')],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const compiled = spawnSync(process.execPath, [tsc, '-p', config], { encoding: 'utf8' });
    assert.equal(compiled.status, 0, compiled.stdout + compiled.stderr);
    const beside = readdirSync(join(out, 'src', 'run', 'process')).filter((name) => !name.endsWith('.js'));
    assert.deepEqual(beside, [], 'tsc wrote JavaScript only');

    const privateTmp = mkdtempSync(join(dir, 'tmp-'));
    const child = startNode(join(out, 'test', 'fixtures', 'command-pool-child.js'), [], { TMPDIR: privateTmp });
    await child.waitForLines(/^job \d+$/, 4);
    const pids = jobPids(child.stdout());
    assert.equal(pids.length, 4);
    child.kill('SIGKILL');
    await child.exited;
    // The watchdog sends TERM, waits up to 200 ms, then KILL. 2 s leaves room for a loaded CI.
    await waitUntilGone(pids, 2_000);
    await waitUntil(() => readdirSync(privateTmp).length === 0, 2_000, 'the watchdog removed its directory');
  });
});
