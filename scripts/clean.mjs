#!/usr/bin/env node
/**
 * Empties the build output, so that `npm run build` starts from nothing: a renamed or deleted
 * source file must not leave its compiled copy (a stale dist/test/*.test.js would still run).
 *
 *   node scripts/clean.mjs
 */
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
