/**
 * The --pipe suite: one GiB of lines cut into blocks and counted by `wc -l` jobs at -j 2,
 * through `andon --pipe` (from stdin) and `andon --pipepart` (cut from the file), against
 * GNU parallel's same two command lines; and andon's peak memory for 100 MiB and 1 GiB of
 * input, which must not grow with the input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../../lib/stats.js';
import type { Row, Suite } from '../../lib/suite.js';

const GIB = 2 ** 30;
const REPEATS = 3;
const LINE = `${'0123456789'.repeat(9)}abcdefghi\n`; // 100 bytes
const ANDON = fileURLToPath(new URL('../../../src/cli/bin.js', import.meta.url));
const PROBE = fileURLToPath(new URL('../processes/rss-probe.js', import.meta.url));
const PARALLEL = 'GNU parallel';

/** A file of `bytes` bytes of 100-byte lines. */
function writeLines(path: string, bytes: number): number {
  const chunk = Buffer.from(LINE.repeat((16 * 2 ** 20) / LINE.length));
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    while (written + chunk.length <= bytes) written += writeSync(fd, chunk);
    const rest = Math.floor((bytes - written) / LINE.length) * LINE.length;
    if (rest > 0) written += writeSync(fd, chunk, 0, rest);
  } finally {
    closeSync(fd);
  }
  return written / LINE.length;
}

/** Runs a shell line, checks that the jobs counted every line, and returns its wall time in ms. */
function timed(line: string, expectedLines: number, env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now();
  const result = spawnSync('sh', ['-c', line], { encoding: 'utf8', env, maxBuffer: 64 * 2 ** 20 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${line} exited with ${result.status}: ${result.stderr.slice(0, 300)}`);
  const counted = result.stdout
    .split('\n')
    .filter(Boolean)
    .reduce((sum, count) => sum + Number(count), 0);
  if (counted !== expectedLines) throw new Error(`${line}: the jobs counted ${counted} lines, not ${expectedLines}`);
  return ms;
}

function medianOf(runs: () => number): number {
  return median(Array.from({ length: REPEATS }, runs));
}

/** andon's peak RSS in MiB for `--pipe wc -l < file`, reported by the processes suite's probe. */
function peakRssMiB(dir: string, file: string, lines: number): number {
  const report = join(dir, 'rss.json');
  timed(`${process.execPath} --import ${PROBE} ${ANDON} -j 2 --pipe wc -l < ${file}`, lines, {
    ...process.env,
    ANDON_BENCH_RSS_REPORT: report,
  });
  return (JSON.parse(readFileSync(report, 'utf8')) as { peakRssKiB: number }).peakRssKiB / 1024;
}

export const pipeSuite: Suite = {
  name: 'pipe',
  title: '--pipe and --pipepart: 1 GiB of lines into `wc -l` jobs',
  peers: [PARALLEL],
  method: [
    `A file of 1 GiB in 100-byte lines; \`andon -j 2 --pipe wc -l < FILE\` (1 MiB blocks, the default) and \`andon -j 2 --pipepart -a FILE wc -l\` (ten parts per job slot, the default), against the same command lines of GNU parallel (PARALLEL_SHELL=/bin/sh, the shell andon uses); every run's counts are checked to add up to the file's lines; wall time of the whole command, median of ${REPEATS}, as MiB/s.`,
    "Memory: andon's peak RSS (the kernel's high-water mark, written at exit) for `--pipe wc -l` over 100 MiB and over 1 GiB; flat means the larger input costs no more than 16 MiB more.",
  ],
  async run(progress) {
    const dir = mkdtempSync(join(tmpdir(), 'andon-bench-pipe-'));
    try {
      const big = join(dir, 'big');
      const small = join(dir, 'small');
      progress('pipe: writing 1 GiB of lines');
      const bigLines = writeLines(big, GIB);
      const smallLines = writeLines(small, GIB / 10);
      const gnuEnv = { ...process.env, PARALLEL_SHELL: '/bin/sh' };
      const rate = (ms: number): number => GIB / 2 ** 20 / (ms / 1000);
      progress('pipe: andon --pipe');
      const andonPipe = medianOf(() => timed(`${process.execPath} ${ANDON} -j 2 --pipe wc -l < ${big}`, bigLines));
      progress('pipe: GNU parallel --pipe');
      const gnuPipe = medianOf(() => timed(`parallel --will-cite -j 2 --pipe wc -l < ${big}`, bigLines, gnuEnv));
      progress('pipe: andon --pipepart');
      const andonPart = medianOf(() => timed(`${process.execPath} ${ANDON} -j 2 --pipepart -a ${big} wc -l`, bigLines));
      progress('pipe: GNU parallel --pipepart');
      const gnuPart = medianOf(() => timed(`parallel --will-cite -j 2 --pipepart -a ${big} wc -l`, bigLines, gnuEnv));
      progress('pipe: peak memory');
      const rssSmall = peakRssMiB(dir, small, smallLines);
      const rssBig = peakRssMiB(dir, big, bigLines);
      const within = (andon: number, gnu: number): boolean => andon >= gnu / 1.5;
      const rows: Row[] = [
        {
          label: '--pipe, 1 GiB from stdin, -j 2',
          unit: 'MiB/s',
          better: 'higher',
          andon: rate(andonPipe),
          peers: { [PARALLEL]: rate(gnuPipe) },
          target: { text: 'within 1.5× of GNU parallel', met: within(rate(andonPipe), rate(gnuPipe)) },
        },
        {
          label: '--pipepart, 1 GiB file, -j 2',
          unit: 'MiB/s',
          better: 'higher',
          andon: rate(andonPart),
          peers: { [PARALLEL]: rate(gnuPart) },
          target: { text: 'within 1.5× of GNU parallel', met: within(rate(andonPart), rate(gnuPart)) },
        },
        {
          label: 'andon --pipe peak RSS, 100 MiB of input',
          unit: 'MiB',
          better: 'lower',
          andon: rssSmall,
          peers: {},
          decimals: 1,
        },
        {
          label: 'andon --pipe peak RSS, 1 GiB of input',
          unit: 'MiB',
          better: 'lower',
          andon: rssBig,
          peers: {},
          target: { text: 'flat: ≤ the 100 MiB figure + 16 MiB', met: rssBig <= rssSmall + 16 },
          decimals: 1,
        },
      ];
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
