/**
 * A child script for the journal suite: how long andon takes to read a job log for a resume.
 * Run as: node load.js <joblog>
 */
import { report } from '../../lib/child.js';
import { readJobLog } from '../../../src/joblog/reader.js';

const started = performance.now();
const { outcomes } = readJobLog(process.argv[2]!);
report({ ms: performance.now() - started, entries: outcomes.size, rssMb: process.memoryUsage().rss / 1024 / 1024 });
