/** A worker's stop-event bookkeeping, on its own (no Redis): what applies to whom, and for how long. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EARLY_STOP_TTL_MS,
  FORGET_STOPPED_RUNS_MS,
  parseStopEvent,
  StopEvents,
  stopReasonOf,
} from '../src/redis/stop-events.js';

const running = [
  { jobId: 'r1.0.1', run: 'r1' },
  { jobId: 'r1.1.1', run: 'r1' },
  { jobId: 'r2.0.1', run: 'r2' },
];

describe('stop events', () => {
  it('parses a job stop and a whole-run stop, and ignores what is not one', () => {
    assert.deepEqual(parseStopEvent({ run: 'r1', jobId: 'r1.0.1', stage: 'force' }), {
      run: 'r1',
      jobId: 'r1.0.1',
      stage: 'force',
    });
    assert.deepEqual(parseStopEvent({ run: 'r1', jobId: '', stage: 'interrupt' }), {
      run: 'r1',
      jobId: undefined,
      stage: 'interrupt',
    });
    assert.equal(parseStopEvent({ run: 'r1', jobId: 'r1.0.1', stage: 'later' as never }), undefined);
    assert.equal(parseStopEvent({ run: 'r1', stage: 'stop' } as never), undefined);
    assert.equal(stopReasonOf('timeout'), 'timeout');
    assert.equal(stopReasonOf(undefined), undefined);
  });

  it('a whole-run stop applies to the run’s running jobs and to its jobs that come later', () => {
    const stops = new StopEvents(() => 0);
    const applied = stops.record({ run: 'r1', jobId: undefined, stage: 'interrupt' }, running);
    assert.deepEqual(applied, running.slice(0, 2));
    assert.equal(stops.runStopped('r1'), 'interrupt');
    assert.equal(stops.runStopped('r2'), undefined);
    // Not an early stop of any job.
    assert.equal(stops.takeEarlyStop('r1.2.1'), undefined);
  });

  it('a job’s stop applies to it if it runs here, else waits for it once', () => {
    const stops = new StopEvents(() => 0);
    assert.deepEqual(stops.record({ run: 'r2', jobId: 'r2.0.1', stage: 'stop' }, running), [running[2]]);
    assert.equal(stops.takeEarlyStop('r2.0.1'), undefined);
    assert.deepEqual(stops.record({ run: 'r2', jobId: 'r2.1.1', stage: 'force' }, running), []);
    assert.equal(stops.runStopped('r2'), undefined);
    assert.equal(stops.takeEarlyStop('r2.1.1'), 'force');
    assert.equal(stops.takeEarlyStop('r2.1.1'), undefined);
  });

  it('forgets early stops after their TTL and stopped runs after theirs, not before', () => {
    let now = 1_000_000;
    const stops = new StopEvents(() => now);
    stops.record({ run: 'r3', jobId: 'r3.0.1', stage: 'stop' }, []);
    stops.record({ run: 'r3', jobId: undefined, stage: 'stop' }, []);
    now += EARLY_STOP_TTL_MS;
    stops.prune();
    assert.equal(stops.runStopped('r3'), 'stop');
    assert.equal(stops.takeEarlyStop('r3.0.1'), 'stop');
    stops.record({ run: 'r3', jobId: 'r3.1.1', stage: 'stop' }, []);
    now += EARLY_STOP_TTL_MS + 1;
    stops.prune();
    assert.equal(stops.takeEarlyStop('r3.1.1'), undefined);
    assert.equal(stops.runStopped('r3'), 'stop');
    now += FORGET_STOPPED_RUNS_MS - 2 * EARLY_STOP_TTL_MS;
    stops.prune();
    assert.equal(stops.runStopped('r3'), undefined);
  });
});
