/**
 * The package as a user gets it: `npm pack`, installed offline (from npm's cache, which
 * `npm ci` filled) into a fresh ES module project and a fresh CommonJS one. Every TypeScript
 * snippet of the README type-checks there against the installed declarations, the library
 * runs by `import` and by `require()`, the command line runs from `node_modules/.bin`, and
 * publint and arethetypeswrong find nothing wrong with the tarball.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'andon-package-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const resolve = createRequire(import.meta.url).resolve;

function run(file: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(file, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A fresh project with the tarball installed, from the cache only. */
function project(name: string, type: 'module' | 'commonjs', tarball: string, omitOptional: boolean): string {
  const at = join(dir, name);
  mkdirSync(at);
  writeFileSync(join(at, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type }));
  // --ignore-scripts: no native spawner, as on a machine without a compiler (that path is tested below).
  const args = ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', tarball];
  if (omitOptional) args.push('--omit=optional');
  const installed = run('npm', args, at);
  assert.equal(installed.status, 0, installed.stderr);
  return at;
}

/** The README's ```ts blocks, split into files where a line `// name.ts` starts one. */
function readmeSnippets(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const files = new Map<string, string>();
  let n = 0;
  for (const [, block] of readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    n++;
    let name = `snippet-${n}.ts`;
    let lines: string[] = [];
    const flush = (): void => {
      if (lines.join('').trim() !== '') files.set(name, lines.join('\n'));
      lines = [];
    };
    for (const line of block!.split('\n')) {
      const start = /^\/\/ ([\w-]+)\.ts\b/.exec(line);
      if (start !== null) {
        flush();
        name = `${start[1]}.ts`;
      }
      lines.push(line);
    }
    flush();
  }
  return files;
}

describe('the packed package, installed in fresh projects', { timeout: 300_000 }, () => {
  let tarball = '';
  let esm = '';
  let cjs = '';

  before(() => {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
        cwd: root,
        encoding: 'utf8',
      }),
    ) as { filename: string; files: { path: string }[] }[];
    tarball = join(dir, packed[0]!.filename);
    esm = project('esm-project', 'module', tarball, false);
    cjs = project('cjs-project', 'commonjs', tarball, true);
  });

  it('holds the built code, its sources (for the source maps), the docs the README links, LICENSE and CHANGELOG', () => {
    const installed = join(esm, 'node_modules', 'andon');
    const names = readdirSync(installed);
    for (const name of ['LICENSE', 'CHANGELOG.md', 'README.md', 'dist', 'src', 'docs'])
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    assert.ok(!readdirSync(join(installed, 'dist')).includes('test'), 'no tests in the package');
    const readme = readFileSync(join(installed, 'README.md'), 'utf8');
    for (const [, link] of readme.matchAll(/\]\(((?:docs|bench|examples)\/[^)#]+)/g))
      if (!link!.startsWith('bench/')) assert.ok(names.includes(link!.split('/')[0]!), link);
  });

  it('every TypeScript snippet of the README type-checks against the installed declarations', () => {
    const snippets = join(esm, 'snippets');
    mkdirSync(snippets);
    const files = readmeSnippets();
    assert.ok(files.size >= 6, `${files.size} snippets`);
    for (const [name, text] of files) writeFileSync(join(snippets, name), text);
    writeFileSync(
      join(esm, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023', 'ESNext.Disposable'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(root, 'node_modules', '@types')],
        },
        include: ['snippets'],
      }),
    );
    const checked = run(process.execPath, [resolve('typescript/bin/tsc'), '-p', esm], esm);
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
  });

  it('runs by import in an ES module project, and its command line from node_modules/.bin', () => {
    writeFileSync(
      join(esm, 'run.js'),
      `import { createPool, main } from 'andon';
await main(() => createPool({ task: (n) => { if (n === 3) throw new Error('three'); return n; } }).run([1, 2, 3]), {
  exit: (code) => { process.exitCode = code + 10; },
});`,
    );
    const ran = run(process.execPath, ['run.js'], esm);
    assert.equal(ran.status, 11, ran.stderr);
    assert.match(ran.stderr, /^andon: 2 done, 1 failed, 0 cancelled, 0 not started \(of 3\) in /);
    assert.match(ran.stderr, /\n {2}item 2 \(3\): Error: three\n/);
    const cli = run(join(esm, 'node_modules', '.bin', 'andon'), ['-k', 'echo', ':::', 'a', 'b'], esm);
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.stdout, 'a\nb\n');
  });

  it('without the native spawner (installed with no compiler): one warning at the first job, and --version says so', () => {
    const bin = join(esm, 'node_modules', '.bin', 'andon');
    const version = run(bin, ['--version'], esm);
    assert.match(
      version.stdout,
      /\nnative spawner: not built \(no C compiler when andon was installed\?\); .* npm rebuild andon\n$/,
    );
    const jobs = run(bin, ['echo', ':::', 'a', 'b', 'c'], esm);
    assert.equal(jobs.status, 0, jobs.stderr);
    assert.equal(jobs.stdout.split('\n').filter(Boolean).sort().join(' '), 'a b c');
    const warnings = jobs.stderr.match(/ANDON_NATIVE_SPAWN/g) ?? [];
    assert.equal(warnings.length, 1, jobs.stderr);
  });

  it('require() works in a CommonJS project (Node ≥ 20.19), and without the optional Redis libraries andon/redis says what to install', () => {
    writeFileSync(
      join(cjs, 'run.cjs'),
      `const { createPool } = require('andon');
createPool({ task: (n) => n * 2 }).run([1, 2]).then((s) => console.log(s.done));`,
    );
    const ran = run(process.execPath, ['run.cjs'], cjs);
    assert.equal(ran.status, 0, ran.stderr);
    assert.equal(ran.stdout, '2\n');
    // Nothing listens on port 1; the missing packages are found before any connection is tried.
    const bin = join(cjs, 'node_modules', '.bin', 'andon');
    const redis = run(bin, ['--redis', 'redis://127.0.0.1:1', '--queue', 'q', 'echo', ':::', 'a'], cjs);
    assert.equal(redis.status, 255);
    assert.equal(
      redis.stderr,
      'andon: The Redis backend needs the packages bullmq and ioredis; install them with: npm install bullmq ioredis\n',
    );
  });

  it('publint and arethetypeswrong find no problem in the tarball', () => {
    const lint = run(
      process.execPath,
      [join(root, 'node_modules', 'publint', 'src', 'cli.js'), 'run', tarball, '--strict'],
      root,
    );
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    const attw = run(
      process.execPath,
      [
        join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'),
        tarball,
        '--profile',
        'esm-only',
        '--format',
        'ascii',
      ],
      root,
    );
    assert.equal(attw.status, 0, attw.stdout + attw.stderr);
  });
});
