import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { describe, it } from 'node:test';
import { RunningMedian, TimeLimit } from '../src/pool/time-limit.js';
import { setPausableTimeout } from '../src/stop/timers.js';

describe('time limits', () => {
  it('the running median is the lower median of everything added, in any order', () => {
    // A fixed pseudo-random sequence (with repeats), checked against sorting after each add.
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % 50;
    };
    const median = new RunningMedian();
    const added: number[] = [];
    assert.equal(median.value, undefined);
    for (let i = 0; i < 500; i++) {
      const value = next();
      added.push(value);
      median.add(value);
      const sorted = [...added].sort((a, b) => a - b);
      assert.equal(median.value, sorted[Math.floor((sorted.length - 1) / 2)], `after ${added.length}`);
    }
  });

  it('a share of the median has no limit until a success, then moves with each one', () => {
    const limit = new TimeLimit(Infinity, 2);
    assert.equal(limit.unlimited, false, 'armed even before a success, so it can move');
    assert.equal(limit.ms, Infinity);
    assert.equal(limit.succeeded(100), true);
    assert.equal(limit.ms, 200);
    assert.equal(limit.succeeded(300), false, 'the lower median of 100 and 300 is still 100');
    assert.equal(limit.succeeded(300), true);
    assert.equal(limit.ms, 600);
    const fixed = new TimeLimit(50, undefined);
    assert.equal(fixed.succeeded(10), false);
    assert.equal(fixed.ms, 50);
    assert.equal(new TimeLimit(Infinity, undefined).unlimited, true);
  });

  it('a rescheduled timer fires at its new total running time, or at once if that has passed', async () => {
    const fired = new EventEmitter();
    const startedAt = performance.now();
    const later = setPausableTimeout(() => fired.emit('later'), 60_000);
    later.reschedule(30);
    await once(fired, 'later');
    // Well short of the first minute: the new total replaced it.
    assert.ok(performance.now() - startedAt < 30_000);
    assert.ok(later.ran() >= 25, `ran ${later.ran()} ms`);

    const passed = setPausableTimeout(() => fired.emit('passed'), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    passed.reschedule(5);
    await once(fired, 'passed');

    const paused = setPausableTimeout(() => fired.emit('paused'), 60_000);
    paused.pause();
    const ranWhenPaused = paused.ran();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(paused.ran(), ranWhenPaused, 'time paused does not count');
    paused.reschedule(0);
    let firedWhilePaused = false;
    fired.once('paused', () => {
      firedWhilePaused = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(firedWhilePaused, false, 'a paused timer waits for resume');
    paused.resume();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(firedWhilePaused, true);
    paused.cancel();
  });
});
