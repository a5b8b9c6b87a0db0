/**
 * The comparison suite: every command line of test/gnu-parallel/cases.ts run by the installed
 * GNU parallel and by andon, in a directory of the same fixture files. Same standard output
 * (line-sorted where the line does not keep order: jobs finish in any order) and the same exit
 * status, or the stated reason they differ (and then andon must still end cleanly).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, LINES, type ComparedLine } from './gnu-parallel/cases.js';
import { ANDON_BIN, gnuParallel, gnuParallelReadsCsv } from './helpers/cli.js';

interface Ran {
  readonly status: string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `line` with `tool` for TOOL in its own copy of the fixtures (some lines write files). */
function runLine(line: string, tool: string, root: string): Promise<Ran> {
  const dir = mkdtempSync(join(root, 'case-'));
  for (const [name, text] of Object.entries(FIXTURES)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', line.replaceAll('TOOL', tool)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ status: signal ?? `exit ${code}`, stdout, stderr }));
  });
}

/** True if the line asks for output in input order (`-k`, alone or bundled). */
function keepsOrder(line: string): boolean {
  return /(^|\s)(--keep-order|-[A-Za-z0-9]*k)/.test(line) || /--dry-?run/.test(line);
}

const sorted = (text: string): string => text.split('\n').sort().join('\n');

describe('andon beside GNU parallel: command lines from its documentation', {
  skip: gnuParallel === undefined ? 'GNU parallel is not installed (CI installs it)' : false,
  timeout: 600_000,
}, () => {
  const root = mkdtempSync(join(tmpdir(), 'andon-compare-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const results = new Map<ComparedLine, { ours: Ran; theirs: Ran }>();
  const tools = { andon: `'${process.execPath}' '${ANDON_BIN}'`, parallel: `'${gnuParallel}' --will-cite` };

  before(async () => {
    // Two lines at a time: each is a few processes, and the machine has two cores.
    const queue = [...LINES];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const ours = await runLine(next.line, tools.andon, root);
        const theirs = await runLine(next.line, tools.parallel, root);
        results.set(next, { ours, theirs });
      }
    };
    await Promise.all([worker(), worker()]);
  });

  it('holds at least 200 command lines, each once', () => {
    assert.ok(LINES.length >= 200, `${LINES.length} lines`);
    assert.equal(new Set(LINES.map((c) => c.line)).size, LINES.length);
  });

  for (const compared of LINES) {
    const noCsv = compared.line.includes('--csv') && !gnuParallelReadsCsv;
    it(compared.line, { skip: noCsv ? "GNU parallel's --csv needs Perl's Text::CSV (CI installs it)" : false }, () => {
      const { ours, theirs } = results.get(compared)!;
      assert.doesNotMatch(ours.stderr, /\n {4}at |RangeError|TypeError/, `no crash: ${ours.stderr}`);
      if (compared.differs !== undefined) return;
      const shown = `andon: ${ours.status}\n${ours.stdout}${ours.stderr}\nGNU: ${theirs.status}\n${theirs.stdout}${theirs.stderr}`;
      assert.equal(ours.status, theirs.status, shown);
      if (keepsOrder(compared.line)) assert.equal(ours.stdout, theirs.stdout, shown);
      else assert.equal(sorted(ours.stdout), sorted(theirs.stdout), shown);
    });
  }
});
