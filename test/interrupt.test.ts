/**
 * Real processes, real signals: each test starts a child running a pool under `main()`, waits
 * for it to say its tasks are running, and signals its pid.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool, InterruptedError, type StopToken } from '../src/index.js';
import { fixture, startNode, afterRepeatWindow } from './helpers/child.js';

const poolChild = fixture('pool-child.js');

function cleanups(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('cleanup '))
    .sort();
}

describe('interrupts in a real process', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal}: stops gracefully, runs every cleanup, exits ${code} with a summary`, async () => {
      const child = startNode(poolChild, [], { ANDON_ITEMS: '8', ANDON_CONCURRENCY: '3' });
      await child.waitForLine('all started');
      child.kill(signal);
      const exit = await child.exited;
      assert.equal(exit.status, code, exit.stderr);
      assert.equal(exit.signal, signal, 'it dies of the signal, so that a calling shell stops too');
      assert.deepEqual(cleanups(exit.stdout), ['cleanup 0', 'cleanup 1', 'cleanup 2']);
      assert.match(
        exit.stderr,
        new RegExp(
          `andon: ${signal} received, stopping: waiting up to 10s for 3 running tasks; ${signal === 'SIGINT' ? 'press Ctrl\\+C again' : `send ${signal} again`} to force`,
        ),
      );
      assert.match(
        exit.stderr,
        new RegExp(
          `andon: 0 done, 0 failed, 3 cancelled, 5 not started \\(of 8\\) in .* \\(interrupted by ${signal}\\)`,
        ),
      );
      assert.doesNotMatch(exit.stdout, /started 3/, 'no task starts after the signal');
    });
  }

  it('a task that throws StoppedError on stop counts as cancelled, not failed', async () => {
    const child = startNode(poolChild, [], { ANDON_MODE: 'throw-on-stop', ANDON_CONCURRENCY: '2' });
    await child.waitForLine('all started');
    child.kill('SIGINT');
    const exit = await child.exited;
    assert.equal(exit.status, 130);
    assert.match(exit.stderr, /0 failed, 2 cancelled/);
  });

  it('a second SIGINT forces while tasks ignore their token', async () => {
    // Grace of an hour: only the second signal can end this run.
    const child = startNode(poolChild, [], { ANDON_MODE: 'ignore', ANDON_CONCURRENCY: '2', ANDON_GRACE: '3600000' });
    await child.waitForLine('all started');
    child.kill('SIGINT');
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (child.stderr().includes('received, stopping')) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    await afterRepeatWindow();
    child.kill('SIGINT');
    const exit = await child.exited;
    assert.equal(exit.status, 130);
    assert.match(exit.stderr, /second signal \(SIGINT\), forcing stop of 2 running tasks/);
    assert.match(exit.stderr, /2 cancelled \(2 abandoned\).*\(interrupted by SIGINT, forced\)/);
    assert.deepEqual(cleanups(exit.stdout), [], 'abandoned tasks never reached their finally');
  });

  it('the grace period forces by itself when tasks ignore their token', async () => {
    const child = startNode(poolChild, [], { ANDON_MODE: 'ignore', ANDON_CONCURRENCY: '2', ANDON_GRACE: '50' });
    await child.waitForLine('all started');
    child.kill('SIGTERM');
    const exit = await child.exited;
    assert.equal(exit.status, 143);
    assert.match(exit.stderr, /grace period of 50ms is over, forcing stop of 2 running tasks/);
  });
});

describe('signal listeners in this process', () => {
  const counts = (): number[] => ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));

  it('are added while a run is in progress and removed after, leaving others in place', async () => {
    const mine = (): void => {};
    process.on('SIGINT', mine);
    try {
      const before = counts();
      let during: number[] = [];
      const pool = createPool({
        concurrency: 2,
        task: async () => {
          during = counts();
        },
      });
      await pool.run([1]);
      assert.deepEqual(
        during,
        before.map((n) => n + 1),
      );
      assert.deepEqual(counts(), before);
      assert.ok(process.listeners('SIGINT').includes(mine));
    } finally {
      process.off('SIGINT', mine);
    }
  });

  it('two pools at once share one set of listeners', async () => {
    const before = counts();
    let during: number[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const a = createPool({ concurrency: 1, task: () => released });
    const b = createPool({
      concurrency: 1,
      task: async () => {
        during = counts();
        release();
      },
    });
    await Promise.all([a.run([1]), b.run([1])]);
    assert.deepEqual(
      during,
      before.map((n) => n + 1),
    );
    assert.deepEqual(counts(), before);
  });

  it('are removed after an interrupted run too, and one signal reaches every pool', async () => {
    const before = counts();
    const { EventEmitter } = await import('node:events');
    // A stand-in signal source so this test process is not itself interrupted; the real
    // signal path is covered by the child-process tests above.
    const source = new EventEmitter();
    const started: Promise<void>[] = [];
    const makePool = () => {
      let ready!: () => void;
      started.push(new Promise((resolve) => (ready = resolve)));
      return createPool({
        concurrency: 1,
        signalSource: source,
        onNotice: () => {},
        task: async (_: number, stop: StopToken) => {
          ready();
          await stop.sleep(60_000);
        },
      });
    };
    const runs = [makePool().run([1]), makePool().run([1])];
    await Promise.all(started);
    assert.equal(source.listenerCount('SIGINT'), 1);
    source.emit('SIGINT', 'SIGINT');
    const outcomes = await Promise.allSettled(runs);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      const error = (outcome as PromiseRejectedResult).reason as InterruptedError;
      assert.ok(error instanceof InterruptedError);
      assert.equal(error.exitCode, 130);
      assert.equal(error.signal, 'SIGINT');
      assert.equal(error.summary.cancelled, 1);
    }
    assert.equal(source.listenerCount('SIGINT'), 0);
    assert.deepEqual(counts(), before);
  });

  it('are left alone with handleSignals: false', async () => {
    const before = counts();
    let during: number[] = [];
    await createPool({ handleSignals: false, task: async () => void (during = counts()) }).run([1]);
    assert.deepEqual(during, before);
  });
});
