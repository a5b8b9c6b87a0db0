import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const checker = fileURLToPath(new URL('../../scripts/check-layers.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'andon-layers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fixture tree: each key a path under its root, each value the file's text. */
function tree(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function checkLayers(root: string): { code: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [checker, root], { encoding: 'utf8' });
  return { code: result.status, stderr: result.stderr };
}

/** A layout that keeps to the table, with every form of import the checker reads. */
const clean: Record<string, string> = {
  'src/errors.ts': 'export class AndonError extends Error {}\n',
  'src/format.ts':
    "import { AndonError } from './errors.js';\nexport const f = (e: AndonError): string => e.message;\n",
  'src/stop/token.ts': "import type { AndonError } from '../errors.js';\nexport type Token = { error?: AndonError };\n",
  'src/run/executor.ts': [
    "import type { Token } from '../stop/token.js';",
    "export type { AndonError } from '../errors.js';",
    "export const load = (): Promise<unknown> => import('../stop/token.js');",
    'export type T = Token;',
    '',
  ].join('\n'),
  'src/pool/pool.ts': [
    "import { load } from '../run/executor.js';",
    "export * from '../stop/token.js';",
    // Text that merely looks like an upward import: in a comment, a string, a template, a regex.
    "// import { Backend } from '../redis/backend.js';",
    "/* export * from '../cli/run.js'; */",
    'export const text = "import x from \'../redis/backend.js\'";',
    "export const template = `${load.name} import('../cli/run.js')`;",
    "export const pattern = /import '..\\/redis\\/backend.js'/;",
    "import 'node:fs';",
    '',
  ].join('\n'),
  'src/redis/backend.ts': "import { load } from '../run/executor.js';\nexport const backend = load;\n",
  'src/cli/run.ts':
    "import { backend } from '../redis/backend.js';\nimport { text } from '../pool/pool.js';\nexport { backend, text };\n",
  'src/index.ts': "export * from './pool/pool.js';\n",
  'test/anything.ts': "import { backend } from '../src/redis/backend.js';\nexport { backend };\n",
};

describe('scripts/check-layers.mjs', () => {
  it('passes a tree that keeps to the table', () => {
    const result = checkLayers(tree('clean', clean));
    assert.deepEqual(result, { code: 0, stderr: '' });
  });

  it('fails on an upward import and on a file in no layer, one line each', () => {
    const root = tree('upward', {
      ...clean,
      'src/pool/x.ts': "import type { backend } from '../redis/y.js';\nexport type X = typeof backend;\n",
      'src/redis/y.ts': 'export const backend = 1;\n',
      'src/validate.ts': 'export const v = 1;\n',
    });
    const result = checkLayers(root);
    assert.equal(result.code, 1);
    assert.deepEqual(result.stderr.trim().split('\n'), [
      'src/pool/x.ts imports src/redis/y.ts: pool may import only base, run',
      'src/validate.ts belongs to no layer; add it to the table in scripts/check-layers.mjs',
      'layers: 2 problems',
    ]);
  });

  it('counts re-exports and import() of a layer out of reach, and base may import nothing else', () => {
    const root = tree('reexport', {
      ...clean,
      'src/stop/reexport.ts': "export { load } from '../run/executor.js';\n",
      'src/errors.ts':
        "export class AndonError extends Error {}\nexport type T = typeof import('./command/quote.js');\n",
    });
    const result = checkLayers(root);
    assert.equal(result.code, 1);
    assert.deepEqual(result.stderr.trim().split('\n'), [
      'src/errors.ts imports src/command/quote.ts: base may import no other layer',
      'src/stop/reexport.ts imports src/run/executor.ts: base may import no other layer',
      'layers: 2 problems',
    ]);
  });
});
