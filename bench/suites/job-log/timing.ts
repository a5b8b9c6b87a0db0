/**
 * A child script for the job-log suite: times one command line, start to exit, and reports
 * the wall time. Run as: node timing.js <file> [args...]
 */
import { spawnSync } from 'node:child_process';
import { report } from '../../lib/child.js';

const [file, ...args] = process.argv.slice(2);
const started = performance.now();
// GNU parallel runs jobs with $SHELL; /bin/sh is what andon uses, so both pay the same shell.
const result = spawnSync(file!, args, {
  stdio: ['ignore', 'ignore', 'pipe'],
  maxBuffer: 64 * 1024 * 1024,
  env: { ...process.env, PARALLEL_SHELL: '/bin/sh' },
});
const ms = performance.now() - started;
if (result.status !== 0 && result.status !== 1) {
  process.stderr.write(
    `${file} ${args.join(' ')} exited with ${result.status ?? result.signal}: ${result.stderr?.toString().slice(0, 500)}\n`,
  );
  process.exit(1);
}
report({ ms });
