/** The progress line: exact writes against a stream, and the real screen in a terminal. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressLine, statusText, type TerminalStream } from '../src/output/progress.js';
import { ANDON_BIN, andon } from './helpers/cli.js';
import { fixture } from './helpers/child.js';
import { noTerminal, Terminal } from './helpers/tmux.js';

/** A terminal stream that keeps what was written to it. */
function recorder(isTTY: boolean): TerminalStream & { text: string } {
  const stream = {
    isTTY,
    columns: 200,
    text: '',
    write(chunk: string | Uint8Array): boolean {
      stream.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    },
  };
  return stream;
}

const counts = { done: 3, failed: 1, running: 2, settled: 4, skipped: 0, total: 10 };

describe('progress line', () => {
  it('shows a bar, done/total, failed, running, rate and ETA; a count when the total is unknown', () => {
    assert.equal(
      statusText(counts, 2000, 200),
      '[##########..............] 4/10 · 3 done · 1 failed · 2 running · 2.0/s · ETA 3.0s',
    );
    assert.equal(
      statusText({ ...counts, total: undefined }, 2000, 200),
      '4 settled · 3 done · 1 failed · 2 running · 2.0/s',
    );
    assert.equal(statusText(counts, 2000, 20).length, 19, 'never wider than the terminal');
  });

  it('prints whole lines above the bar and holds a partial line until its newline', () => {
    const terminal = recorder(true);
    const line = new ProgressLine(terminal, () => counts, []);
    terminal.text = '';
    terminal.write('first line\nsecond ');
    assert.match(terminal.text, /^\r\x1b\[2Kfirst line\n\r\x1b\[2K\[#+/);
    assert.doesNotMatch(terminal.text, /second/);
    terminal.write('half\n');
    assert.match(terminal.text, /\r\x1b\[2Ksecond half\n/);
    line.stop();
  });

  it('loses no partial line when it stops, and restores the stream', () => {
    const terminal = recorder(true);
    const write = terminal.write;
    const line = new ProgressLine(terminal, () => counts, []);
    terminal.write('no newline yet');
    line.stop();
    assert.match(terminal.text, /\r\x1b\[2Kno newline yet\n$/);
    assert.equal(terminal.write, write);
  });

  it('draws nothing and catches nothing off a terminal', () => {
    const notTerminal = recorder(false);
    const line = new ProgressLine(notTerminal, () => counts, [notTerminal]);
    notTerminal.write('plain\n');
    line.stop();
    assert.equal(notTerminal.text, 'plain\n');
  });

  it('--bar off a terminal: no escape codes at all', async () => {
    const exit = await andon(['--bar', '-k', 'echo', ':::', 'a', 'b']);
    assert.equal(exit.stdout, 'a\nb\n');
    assert.doesNotMatch(exit.stderr, /\x1b/);
  });
});

describe('progress line on a real terminal', { skip: noTerminal }, () => {
  it('job output appears above the bar as whole lines, none torn or lost, and the bar goes at the end', async () => {
    const job = "for i in 1 2 3; do printf '%s line %s\\n' {} $i; sleep 0.05; done";
    const terminal = new Terminal(
      `node ${ANDON_BIN} --bar --line-buffer -j 3 '${job.replaceAll("'", `'"'"'`)}' ::: a b c d e f`,
    );
    try {
      const mid = await terminal.waitFor(/running/);
      const last = mid.filter((line) => line.trim() !== '').at(-1) ?? '';
      assert.match(last, /^\[[#.]+\] \d+\/6 · /, 'the bar is the bottom line');
      const screen = await terminal.waitFor(/__EXIT_0__/);
      const jobLines = screen.filter((line) => /^[a-f] /.test(line));
      assert.equal(jobLines.length, 18, screen.join('\n'));
      for (const line of jobLines) assert.match(line, /^[a-f] line [123]$/, `torn: ${JSON.stringify(line)}`);
      assert.ok(screen.some((line) => /^andon: 6 done, 0 failed, 0 cancelled, 0 not started/.test(line)));
      assert.ok(!screen.some((line) => /running · /.test(line)), 'the bar is gone at the end');
    } finally {
      terminal.close();
    }
  });

  it('output of worker threads prints above the bar as whole lines', async () => {
    const terminal = new Terminal(`node ${fixture('progress-threads-child.js')}`);
    try {
      const screen = await terminal.waitFor(/__EXIT_0__/);
      const lines = screen.filter((line) => line.startsWith('thread task'));
      assert.equal(lines.length, 18, screen.join('\n'));
      for (const line of lines) assert.match(line, /^thread task [1-6] line [123]$/);
    } finally {
      terminal.close();
    }
  });

  it('reading jobs from the terminal: andon says so, takes the lines typed, and ends at Ctrl+D', async () => {
    const terminal = new Terminal(`node ${ANDON_BIN} echo got`);
    try {
      await terminal.waitFor(/^andon: reading jobs from the terminal, one per line; end with Ctrl\+D/);
      terminal.keys('typed', 'Enter', 'C-d');
      const screen = await terminal.waitFor(/__EXIT_0__/);
      assert.ok(screen.includes('got typed'), screen.join('\n'));
    } finally {
      terminal.close();
    }
  });

  it('a last line without a newline is not lost when the bar goes', async () => {
    const terminal = new Terminal(`node ${ANDON_BIN} --bar "printf '%s' {}" ::: 'tail without newline'`);
    try {
      const screen = await terminal.waitFor(/__EXIT_0__/);
      const tail = screen.indexOf('tail without newline');
      assert.ok(tail !== -1, screen.join('\n'));
      assert.match(screen[tail + 1] ?? '', /^andon: 1 done/);
    } finally {
      terminal.close();
    }
  });

  it('Ctrl+C with the bar up: the notice and the summary print above it, then it goes', async () => {
    const terminal = new Terminal(`node ${ANDON_BIN} --bar -j 2 sleep 30 ::: 1 2 3`);
    try {
      await terminal.waitFor(/2 running/);
      terminal.keys('C-c');
      const screen = await terminal.waitFor(/__EXIT_130__/);
      assert.ok(
        screen.some((line) => /SIGINT received, stopping/.test(line)),
        screen.join('\n'),
      );
      assert.ok(screen.some((line) => /^andon: 0 done, 0 failed, 2 cancelled/.test(line)));
      assert.ok(!screen.some((line) => /running · /.test(line)));
    } finally {
      terminal.close();
    }
  });
});
