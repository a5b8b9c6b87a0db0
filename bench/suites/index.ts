/**
 * Every benchmark suite, in the order they run and appear in RESULTS.md. To add a suite
 * (worker threads vs piscina/tinypool, subprocesses vs xargs/GNU parallel, ...), write it
 * under suites/<name>/ as a `Suite` and list it here; run.ts needs no change.
 */
import type { Suite } from '../lib/suite.js';
import { asyncSuite } from './async/suite.js';
import { controlSuite } from './control/suite.js';
import { processesSuite } from './processes/suite.js';
import { jobLogSuite } from './job-log/suite.js';
import { pipeSuite } from './pipe/suite.js';
import { redisSuite } from './redis/suite.js';
import { threadsSuite } from './threads/suite.js';

export const SUITES: readonly Suite[] = [
  asyncSuite,
  threadsSuite,
  processesSuite,
  pipeSuite,
  jobLogSuite,
  redisSuite,
  controlSuite,
];
