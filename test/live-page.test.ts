/// <reference lib="dom" />
/**
 * `andon --serve`: the live page of a real run, driven in Debian's headless Chromium through
 * playwright-core (pointed at that binary; it downloads no browser).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chromium as launcher, type Page } from 'playwright-core';
import { chromium } from './helpers/browser.js';
import type { Child } from './helpers/child.js';
import { andon, startAndon } from './helpers/cli.js';
import { redisServer, startRedis } from './helpers/redis.js';
import { headerLine, recordLine } from '../src/joblog/format.js';

const dir = mkdtempSync(join(tmpdir(), 'andon-live-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The page's counts line, once it says what `test` wants; the page updates itself over SSE. */
async function countsWhen(page: Page, test: string): Promise<string> {
  await page.waitForFunction((wanted) => document.getElementById('counts')?.textContent?.includes(wanted), test, {
    timeout: 60_000,
  });
  return (await page.textContent('#counts')) ?? '';
}

/** Debian's Chromium, kept off the network (this machine has none). */
const launchBrowser = () =>
  launcher.launch({
    executablePath: chromium!,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

/**
 * Keeps a screenshot the test took, where ANDON_SCREENSHOTS names a directory: that is how
 * the README's pictures of the pages are made (`ANDON_SCREENSHOTS=docs`).
 */
function keep(png: Buffer, name: string): void {
  const where = process.env.ANDON_SCREENSHOTS;
  if (where !== undefined && where !== '') writeFileSync(join(where, name), png);
}

const bars = (page: Page): Promise<number> => page.frameLocator('#report').locator('rect.job').count();

/** The timeline's bars once there are `count`: it is re-rendered at most every second. */
async function barsWhen(page: Page, count: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = await bars(page).catch(() => -1);
    if (now === count || Date.now() > deadline) return now;
    await page.waitForTimeout(100);
  }
}

describe('andon --serve: the live page in a real browser', {
  skip: chromium === undefined ? 'no Chromium' : false,
}, () => {
  it('grows as jobs settle, matches the job log, refuses strangers, and its buttons stop then force the run', async () => {
    const xdg = mkdtempSync(join(dir, 'xdg-'));
    chmodSync(xdg, 0o700);
    const log = join(dir, 'jobs.log');
    // Six short jobs (job 3 fails, with output), then two that ignore the stop's signals.
    const job =
      'echo out {}; [ {} = 5 ] && { echo boom {} >&2; exit 3; }; trap "" TERM INT HUP; if [ {} -ge 100 ]; then sleep 60; else sleep 0.{}; fi';
    const run = startAndon(
      ['--serve', '-j', '2', '--grace', '60', '--joblog', log, job, ':::', '3', '4', '5', '6', '7', '8', '100', '101'],
      { XDG_RUNTIME_DIR: xdg },
    );
    const url = (await run.waitForStderrLine(/^andon: live page: http:\/\/127\.0\.0\.1:\d+\/\?token=/))
      .split(': ')
      .at(-1)!;
    const origin = new URL(url).origin;
    const token = new URL(url).searchParams.get('token')!;

    // Strangers: no token, a wrong one, a stop from another origin, a stop without the header.
    assert.equal((await fetch(`${origin}/`)).status, 401);
    assert.equal((await fetch(`${origin}/events?token=${token}x`)).status, 401);
    const crossOrigin = await fetch(`${origin}/stop`, {
      method: 'POST',
      headers: { 'X-Andon-Token': token, Origin: 'http://evil.example', 'Content-Type': 'application/json' },
      body: '{"force":true}',
    });
    assert.equal(crossOrigin.status, 403);
    const noHeader = await fetch(`${origin}/stop?token=${token}`, {
      method: 'POST',
      headers: { Origin: origin },
      body: '{}',
    });
    assert.equal(noHeader.status, 401);
    assert.doesNotMatch(run.stderr(), /stopped by/, 'none of them stopped the run');

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(url);
      await countsWhen(page, 'done');
      const early = await bars(page);
      // The two long jobs running, everything else settled: the timeline has grown to six bars.
      const counts = await countsWhen(page, '5 done, 1 failed, 2 running, 0 left');
      const late = await barsWhen(page, 6);
      assert.ok(late > early || early === 6, `the timeline grew: ${early} then ${late} bars`);
      assert.equal(late, 6);
      const logged = readFileSync(log, 'utf8').trim().split('\n').slice(1);
      assert.equal(logged.length, 6, 'the page counts what the job log holds');
      assert.equal(logged.filter((line) => line.split('\t')[6] !== '0').length, 1, counts);
      assert.match((await page.textContent('#failures')) ?? '', /job 3 failed: .*boom 5/s);

      const png = await page.screenshot();
      keep(png, 'live-page.png');
      // Counted on a page of its own: the live page's policy allows no data: images.
      const colours = await (await browser.newPage()).evaluate(async (data) => {
        const image = new Image();
        image.src = `data:image/png;base64,${data}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        [canvas.width, canvas.height] = [image.width, image.height];
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        const pixels = context.getImageData(0, 0, image.width, image.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < pixels.length; i += 4 * 97)
          seen.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
        return seen.size;
      }, png.toString('base64'));
      assert.ok(colours > 8, `the screenshot is not blank (${colours} colours sampled)`);

      // Pull the cord: graceful first (the jobs ignore it), then the force button.
      await page.click('#stop');
      await run.waitForStderrLine('andon: stopped by the live page');
      await page.waitForSelector('#force:not([hidden])', { timeout: 60_000 });
      assert.equal(await page.textContent('#state'), 'stopping');
      await page.click('#force');
      const exit = await run.exited;
      assert.equal(exit.status, 143, exit.stderr);
      assert.match(exit.stderr, /forcing stop of 2 running tasks/);
      await page.waitForFunction(() => document.getElementById('state')?.textContent === 'ended', undefined, {
        timeout: 60_000,
      });
    } finally {
      await browser.close();
      if (run.process.exitCode === null) run.kill('SIGKILL');
    }
  });
});

describe('andon serve: every run on one page, in a real browser', {
  skip: chromium === undefined ? 'no Chromium' : redisServer === undefined ? 'no redis-server' : false,
}, () => {
  it('shows a local run, a run on a Redis queue and its worker, refuses strangers, and stops the queue run from its row', async () => {
    const redis = await startRedis();
    const xdg = mkdtempSync(join(dir, 'xdg-serve-'));
    chmodSync(xdg, 0o700);
    const env = { XDG_RUNTIME_DIR: xdg };
    const children: Child[] = [];
    const started = (args: string[]): Child => {
      const child = startAndon(args, env);
      children.push(child);
      return child;
    };
    const browser = await launchBrowser();
    try {
      const queue = 'servepage';
      await started(['worker', '--redis', redis.url, '--queue', queue, '-j', '2']).waitForStderrLine('serving queue');
      const localLog = join(xdg, 'local.log');
      const local = started(['-j', '1', '--joblog', localLog, 'sleep', '{}', ':::', '0', 'x', '60']);
      // One job ends at once; the others ignore the graceful stop, so that the page shows the
      // run stopping before it forces.
      const job = 'echo started {}; [ {} = quick ] && exit 0; trap "" TERM INT HUP; sleep 60';
      const remote = started([
        '--redis',
        redis.url,
        '--queue',
        queue,
        '-j',
        '2',
        '--grace',
        '60',
        job,
        ':::',
        'quick',
        'a',
        'b',
        'c',
      ]);
      const serve = started(['serve', '--redis', redis.url]);
      const url = (await serve.waitForStderrLine(/^andon: live page of every run: http:\/\/127\.0\.0\.1:\d+\/\?token=/))
        .split(': ')
        .at(-1)!;
      const { origin } = new URL(url);
      const token = new URL(url).searchParams.get('token')!;
      assert.equal((await fetch(`${origin}/`)).status, 401);
      assert.equal((await fetch(`${origin}/events?token=x${token}`)).status, 401);
      const crossOrigin = await fetch(`${origin}/stop`, {
        method: 'POST',
        headers: { 'X-Andon-Token': token, Origin: 'http://evil.example', 'Content-Type': 'application/json' },
        body: '{"run":"","force":true}',
      });
      assert.equal(crossOrigin.status, 403);

      const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(url);
      // Both runs listed (the queue run with both its jobs running on the worker), and the worker.
      await page.waitForFunction(
        (pids) => {
          const text = document.getElementById('runs')?.textContent ?? '';
          const workers = document.getElementById('workers')?.textContent ?? '';
          return (
            pids.every((pid) => text.includes(`pid ${pid}@`)) && /running now.*started a.*started b/s.test(workers)
          );
        },
        [local.pid, remote.pid],
        { timeout: 60_000 },
      );
      const remoteRow = page.locator('#runs tbody tr', { hasText: `pid ${remote.pid}@` });
      const png = await page.screenshot();
      assert.ok(png.length > 5_000, 'a screenshot with something on it');
      keep(png, 'serve-page.png');
      assert.match((await remoteRow.textContent()) ?? '', new RegExp(`queue ${queue}.*andon --redis`));
      assert.match((await page.textContent('#runs')) ?? '', /andon -j 1 --joblog \S+ sleep/);

      // A click on the local run's row shows its timeline, drawn from its job log: the two jobs done.
      await page.locator('#runs tbody tr', { hasText: `pid ${local.pid}@` }).click();
      await page.waitForFunction(() => !document.getElementById('timeline')?.hidden, undefined, { timeout: 60_000 });
      assert.equal(await barsWhen(page, 2), 2, "the local run's timeline has its two finished jobs");
      // And its failure, with the tail of its output.
      await page.waitForFunction(
        () => /job 2 failed: sleep x/.test(document.getElementById('failures')?.textContent ?? ''),
        undefined,
        { timeout: 60_000 },
      );
      assert.match((await page.textContent('#failures')) ?? '', /sleep: invalid time interval/);

      // The queue run writes no job log here: its timeline comes from what its submitter keeps
      // in Redis, as it would for a run submitted on another machine. Its one finished job.
      await remoteRow.click();
      assert.equal(await barsWhen(page, 1), 1, "the queue run's timeline has its finished job");
      assert.match((await page.frameLocator('#report').locator('body').textContent()) ?? '', /andon: run \w+ on \S+/);

      // Pull the cord on the queue run only: graceful first, then its row offers Force.
      await remoteRow.locator('button').click();
      await remote.waitForStderrLine(/^andon: stopped by andon stop from /);
      await page.waitForFunction(
        (pid) =>
          Array.from(document.querySelectorAll('#runs tbody tr')).some(
            (row) =>
              row.textContent?.includes(`pid ${pid}@`) &&
              row.textContent.includes('stopping') &&
              row.querySelector('button')?.textContent === 'Force',
          ),
        remote.pid,
        { timeout: 60_000 },
      );
      await remoteRow.locator('button', { hasText: 'Force' }).click();
      const exit = await remote.exited;
      assert.equal(exit.status, 143, exit.stderr);
      assert.match(exit.stderr, /forcing stop of 2 running tasks/);
      assert.equal(local.process.exitCode, null, 'the other run goes on');
      await page.waitForFunction(
        (pid) => !document.getElementById('runs')?.textContent?.includes(`pid ${pid}@`),
        remote.pid,
        {
          timeout: 60_000,
        },
      );

      // A second serve on the same port is refused in one line.
      const taken = Number(new URL(url).port);
      const clash = await andon(['serve', String(taken)]);
      assert.equal(clash.code, 255);
      assert.equal(
        clash.stderr,
        `andon: 127.0.0.1:${taken} is in use; give andon serve another port (0 picks a free one)\n`,
      );
      serve.kill('SIGINT');
      assert.equal((await serve.exited).code, 0);
    } finally {
      await browser.close();
      for (const child of children)
        if (child.process.exitCode === null && child.process.signalCode === null) child.kill('SIGKILL');
      await Promise.all(children.map((child) => child.exited));
      await redis.stop();
    }
  });
});

describe('andon serve: a run of 10,000 jobs in a real browser', {
  skip: chromium === undefined ? 'no Chromium' : false,
}, () => {
  it('draws every one of 10,000 jobs on the timeline and counts them as the job log does', async (t) => {
    const xdg = mkdtempSync(join(dir, 'xdg-big-'));
    chmodSync(xdg, 0o700);
    const env = { XDG_RUNTIME_DIR: xdg };
    // A job log of 10,000 finished jobs (one in ten failed), written as a run would have; the
    // run resumes it, so all 10,000 are its own and only the last value runs (and goes on).
    const jobs = 10_000;
    const log = join(xdg, 'big.log');
    const start = Math.floor(Date.now() / 1000) - jobs / 100;
    const records = Array.from({ length: jobs }, (_, i) =>
      recordLine({
        seq: i + 1,
        startTime: start + i / 100,
        runtime: 0.02,
        received: 0,
        exitValue: i % 10 === 9 ? 1 : 0,
        signal: 0,
        key: `sleep n${i + 1}`,
      }),
    );
    writeFileSync(log, headerLine(undefined) + records.join(''));
    const values = Array.from({ length: jobs }, (_, i) => `n${i + 1}`);
    const run = startAndon(['--resume', '--joblog', log, '-j', '1', 'sleep', '{}', ':::', ...values, '60'], env);
    const serve = startAndon(['serve'], env);
    const browser = await launchBrowser();
    try {
      const url = (await serve.waitForStderrLine(/^andon: live page of every run: http/)).split(': ').at(-1)!;
      const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
      await page.goto(url);
      const row = page.locator('#runs tbody tr', { hasText: `pid ${run.pid}@` });
      await row.waitFor({ timeout: 60_000 });
      const loading = performance.now();
      await row.click();
      assert.equal(await barsWhen(page, jobs), jobs, 'a bar for every job in the job log');
      t.diagnostic(`the timeline of ${jobs} jobs showed ${Math.round(performance.now() - loading)} ms after the click`);
      const frame = page.frameLocator('#report');
      assert.equal(await frame.locator('#total-jobs').textContent(), String(jobs));
      assert.equal(await frame.locator('#total-done').textContent(), String(jobs - jobs / 10));
      assert.equal(await frame.locator('#total-failed').textContent(), String(jobs / 10));
      // Laid out, not only in the document: every bar has a width on the screen.
      const layout = JSON.parse((await frame.locator('body').getAttribute('data-layout')) ?? '{}') as {
        drawn?: number;
      };
      assert.equal(layout.drawn, jobs, 'every bar laid out with a width');
    } finally {
      await browser.close();
      for (const child of [run, serve]) child.kill('SIGKILL');
      await Promise.all([run.exited, serve.exited]);
    }
  });
});
