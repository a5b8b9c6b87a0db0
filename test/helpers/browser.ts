/** Debian's headless Chromium, for tests that check a page as a browser renders it. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Chromium's path, if installed. CI installs it and sets ANDON_REQUIRE_CHROMIUM=1, so there
 * the browser checks cannot be skipped silently.
 */
export const chromium: string | undefined = (() => {
  const found =
    spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')[0] ?? '';
  if (found === '' && process.env.ANDON_REQUIRE_CHROMIUM === '1')
    throw new Error('Chromium is required (ANDON_REQUIRE_CHROMIUM=1) but not installed: apt-get install chromium');
  return found === '' ? undefined : found;
})();

function run(args: string[]): string {
  const profile = mkdtempSync(join(tmpdir(), 'andon-chromium-'));
  try {
    // The flags keep a headless Chromium off the network, which this machine does not have.
    return execFileSync(
      chromium!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 60_000,
        maxBuffer: 256 * 1024 * 1024,
      },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM of `file` after the browser loaded it and ran its scripts. */
export function renderedDom(file: string): string {
  return run(['--dump-dom', `file://${file}`]);
}

/** A screenshot of `file`. */
export function screenshot(file: string, png: string, width = 1260, height = 560): void {
  run(['--hide-scrollbars', `--window-size=${width},${height}`, `--screenshot=${png}`, `file://${file}`]);
}
