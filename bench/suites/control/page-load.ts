/// <reference lib="dom" />
/**
 * Child script: the live page (`andon --serve`) under a big, fast run, in Debian's headless
 * Chromium (playwright-core, pointed at that binary). The run: JOBS × `sleep 0.02` at -j 4
 * (some 100 jobs a second here). In the page, the page's own `render` is wrapped to record
 * each update (when, what it showed, how long it took), and the timeline's frame records each
 * load of the report. Also times the same run without --serve, for the page's cost.
 *
 *   node page-load.js JOBS
 *
 * Prints { plainMs, servedMs, updates: [[t, done, renderMs], ...], reports: [[t, loadMs, bars]],
 * exitToFinalMs, finalBars }.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium as launcher } from 'playwright-core';
import { chromium } from '../../../test/helpers/browser.js';
import { report } from '../../lib/child.js';
import { CLI } from '../redis/common.js';

const jobs = Number(process.argv[2]);
if (!(jobs > 0) || chromium === undefined) {
  process.stderr.write('usage: page-load.js JOBS (needs Chromium: apt-get install chromium)\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'andon-bench-page-'));
const inputs = [':::', ...Array.from({ length: jobs }, (_, i) => String(i + 1))];
const args = (serve: boolean): string[] => [
  CLI,
  ...(serve ? ['--serve'] : []),
  '-j',
  '4',
  'sleep 0.02 # {}',
  ...inputs,
];

/** Runs the run; resolves with its wall time, and calls `onUrl` with the page's URL when it prints it. */
function timedRun(serve: boolean, onUrl: (url: string) => void): { done: Promise<number> } {
  const started = performance.now();
  const child = spawn(process.execPath, args(serve), {
    env: { ...process.env, XDG_RUNTIME_DIR: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let announced = false;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr += text;
    const url = /andon: live page: (\S+)/.exec(stderr)?.[1];
    if (url === undefined || announced) return;
    announced = true;
    onUrl(url);
  });
  return {
    done: new Promise((resolve, reject) =>
      child.on('exit', (code) =>
        code === 0 ? resolve(performance.now() - started) : reject(new Error(`the run exited ${code}: ${stderr}`)),
      ),
    ),
  };
}

try {
  const plainMs = await timedRun(false, () => {}).done;
  const browser = await launcher.launch({
    executablePath: chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Before the page's own script: wrap render, watch the frame.
    await page.addInitScript(() => {
      const w = window as unknown as { __updates: number[][]; __reports: number[][]; render: (s: unknown) => void };
      w.__updates = [];
      w.__reports = [];
      document.addEventListener('DOMContentLoaded', () => {
        const render = w.render;
        w.render = (s) => {
          const t = performance.now();
          render(s);
          w.__updates.push([Date.now(), (s as { done: number }).done, performance.now() - t]);
        };
        const frame = document.getElementById('report') as HTMLIFrameElement;
        let asked = 0;
        new MutationObserver(() => (asked = performance.now())).observe(frame, { attributes: true });
        frame.addEventListener('load', () =>
          w.__reports.push([
            Date.now(),
            performance.now() - asked,
            frame.contentDocument?.querySelectorAll('rect.job').length ?? 0,
          ]),
        );
      });
    });
    let opened: Promise<unknown> = Promise.resolve();
    const run = timedRun(true, (url) => (opened = page.goto(url)));
    const servedMs = await run.done;
    const exitedAt = Date.now();
    await opened;
    await page.waitForFunction(
      (n) => {
        const reports = (window as unknown as { __reports: number[][] }).__reports;
        return reports.length > 0 && reports.at(-1)![2] === n;
      },
      jobs,
      { timeout: 120_000, polling: 50 },
    );
    const { updates, reports } = await page.evaluate(() => {
      const w = window as unknown as { __updates: number[][]; __reports: number[][] };
      return { updates: w.__updates, reports: w.__reports };
    });
    const final = reports.at(-1)!;
    report({ plainMs, servedMs, updates, reports, exitToFinalMs: final[0]! - exitedAt, finalBars: final[2] });
  } finally {
    await browser.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
