/**
 * A few fixed torture scenarios in every test run: each kind of task, each kind of signal,
 * SIGKILL included. The full randomised run is `npm run torture` (see bench/RESULTS.md).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScenario } from './torture/run.js';
import { describeScenario, scenario } from './torture/scenario.js';

// Chosen so that together they cover async tasks, worker threads and shells with children;
// SIGINT, SIGTERM, SIGHUP and SIGKILL; tasks that ignore their stop; job log and resume.
const SEEDS = [1026, 1114, 1243, 1074, 1012, 1200];

describe('torture: fixed scenarios', () => {
  for (const seed of SEEDS) {
    const s = scenario(seed);
    it(describeScenario(s), async () => {
      assert.deepEqual(await runScenario(s), []);
    });
  }
});
