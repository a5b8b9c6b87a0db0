#!/usr/bin/env node
/**
 * Exits 0 when the native spawner is built and newer than its sources, 1 otherwise: npm's
 * install script rebuilds it only then. The first `npx andon` in a clone installs the clone
 * into npx's cache and runs the install script again; rebuilding there would take seconds and
 * remove the built spawner under any andon using it at that moment.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const at = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const built = at('build/Release/andon_spawn.node');
const sources = ['native/spawn.c', 'binding.gyp'];
const fresh = existsSync(built) && sources.every((source) => statSync(at(source)).mtimeMs <= statSync(built).mtimeMs);
process.exit(fresh ? 0 : 1);
