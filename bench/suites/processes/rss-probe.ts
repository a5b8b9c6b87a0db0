/**
 * Preload for the memory measurement: `node --import <this> dist/src/cli/bin.js ...`. When the
 * andon process exits, it writes the process's peak resident set size as the kernel counted
 * it (`process.resourceUsage().maxRSS`, the high-water mark however briefly it lasted, in KiB)
 * and V8's young-generation size at that moment, as JSON, to the file named by
 * `ANDON_BENCH_RSS_REPORT`. This works wherever Node does, unlike `/usr/bin/time -v` (Debian's
 * `time` package is often missing), and measures andon's own process, not a shell around it.
 */
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { REPORT_ENV } from './common.js';

const path = process.env[REPORT_ENV];
if (path !== undefined && path !== '') {
  process.on('exit', () => {
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    writeFileSync(
      path,
      JSON.stringify({
        peakRssKiB: process.resourceUsage().maxRSS,
        newSpaceBytes: newSpace?.space_size ?? 0,
        heapUsedBytes: process.memoryUsage().heapUsed,
      }),
    );
  });
}
