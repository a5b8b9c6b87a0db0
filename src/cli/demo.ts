/**
 * `andon demo`: the seed's own job, simulated — pulling container images, a few at a time,
 * with progress lines. Watch it, press Ctrl+C, see every job stop and the summary.
 */
import type { Plan } from './args.js';
import { parseCommandLine } from './args.js';

const IMAGES = ['alpine', 'debian', 'ubuntu', 'fedora', 'rockylinux', 'archlinux', 'busybox', 'opensuse', 'gentoo', 'amazonlinux'];

/** The demo's command line, shown to the user so they can run it themselves. */
export const DEMO_ARGS = [
  '-j',
  '3',
  '--tag',
  '--line-buffer',
  'for layer in 1 2 3 4 5; do echo "pulling layer $layer/5"; sleep 0.6; done; echo "pulled {}"',
  ':::',
  ...IMAGES,
];

/** The demo as a plan. */
export function demoPlan(): Plan {
  return parseCommandLine(DEMO_ARGS, 3);
}
