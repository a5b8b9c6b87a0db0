/**
 * A few fixed torture scenarios in every test run: each kind of task, each kind of signal,
 * SIGKILL included. The full randomised run is `npm run torture` (see bench/RESULTS.md).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { redisServer } from './helpers/redis.js';
import { runScenario, stopTortureRedis } from './torture/run.js';
import { describeScenario, scenario } from './torture/scenario.js';

// Chosen so that together they cover async tasks, worker threads and shells with children;
// SIGINT, SIGTERM, SIGHUP and SIGKILL; tasks that ignore their stop; job log and resume.
// 73: items on stdin cut by --pipe -N1, stubborn jobs, a job log and its resume.
const SEEDS = [1026, 1114, 1243, 1074, 1012, 1200, 73];
// Through Redis: shells with children and stubborn jobs, two signals; SIGKILL of the submitter;
// and stubborn children left in a stopped job's group (they must be gone when it is reported).
const REDIS_SEEDS = [1034, 1171, 78];

describe('torture: fixed scenarios', () => {
  after(() => stopTortureRedis());
  for (const seed of SEEDS) {
    const s = scenario(seed);
    it(describeScenario(s), async () => {
      assert.deepEqual(await runScenario(s), []);
    });
  }
  for (const seed of REDIS_SEEDS) {
    const s = scenario(seed, { redis: true });
    it(describeScenario(s), {
      skip: redisServer === undefined ? 'redis-server is not installed (CI installs it)' : false,
    }, async () => {
      assert.equal(s.kind, 'redis');
      assert.deepEqual(await runScenario(s), []);
    });
  }
});
