/**
 * `andon demo`: the seed's own job, simulated — pulling container images, a few at a time,
 * with a progress line. Press Ctrl+C and every job stops; run `andon demo` again and it picks
 * up where it stopped, from its job log. Once everything is pulled, the next demo starts over.
 */
import { existsSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { readJobLog } from '../joblog/reader.js';
import { parseCommandLine, type RunPlan } from './args.js';

const IMAGES = [
  'alpine',
  'debian',
  'ubuntu',
  'fedora',
  'rockylinux',
  'archlinux',
  'busybox',
  'opensuse',
  'gentoo',
  'amazonlinux',
];

/** The demo's job log: one per user, in the temporary directory. */
export const DEMO_JOB_LOG = join(tmpdir(), `andon-demo-${userInfo().uid}.joblog`);

/** The demo's command line, shown to the user so they can run it themselves. */
export const DEMO_ARGS = [
  '-j',
  '3',
  '--tag',
  '--line-buffer',
  '--bar',
  '--joblog',
  DEMO_JOB_LOG,
  '--resume',
  'for layer in 1 2 3 4 5; do echo "pulling layer $layer/5"; sleep 0.6; done; echo "pulled {}"',
  ':::',
  ...IMAGES,
];

/** The demo as a plan, and how many images an earlier, interrupted demo already pulled. */
export function demoPlan(): { plan: RunPlan; alreadyPulled: number } {
  let alreadyPulled = 0;
  if (existsSync(DEMO_JOB_LOG)) {
    try {
      alreadyPulled = [...readJobLog(DEMO_JOB_LOG).outcomes.values()].filter(Boolean).length;
    } catch {
      alreadyPulled = IMAGES.length; // unreadable: start over
    }
    if (alreadyPulled >= IMAGES.length) {
      rmSync(DEMO_JOB_LOG, { force: true });
      alreadyPulled = 0;
    }
  }
  const plan = parseCommandLine(DEMO_ARGS, 3);
  if (plan.action !== 'run') throw new Error('the demo command line is not a run');
  return { plan, alreadyPulled };
}
