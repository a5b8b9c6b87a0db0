#!/usr/bin/env node
/**
 * Builds andon into dist/ from nothing, so that a renamed or deleted source file leaves no
 * compiled copy behind (a stale dist/test/*.test.js would still run).
 *
 *   node scripts/build.mjs              always (npm run build)
 *   node scripts/build.mjs --if-stale   only when a source is newer than the last build (npm's
 *                                       prepare)
 *
 * Why --if-stale: the first `npx andon` in a clone installs the clone into npx's cache, and
 * npm runs prepare for it. A full build there costs seconds and empties dist/ under anything
 * using it at that moment; after `npm install` nothing is stale and prepare does nothing.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const stamp = join(dist, '.built');
const sources = ['src', 'test', 'examples', 'bench', 'tsconfig.json', 'package.json'];

function newestChange(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, name)));
  return newest;
}

function isStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return sources.some((source) => newestChange(join(root, source)) > built);
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
chmodSync(join(dist, 'src', 'cli', 'bin.js'), 0o755);
writeFileSync(stamp, '');
