/**
 * A real terminal for tests: a detached tmux session of a fixed size on a private socket.
 * The test reads the screen as a person would see it (`capture-pane`), not the raw bytes.
 */
import { execFileSync, spawnSync } from 'node:child_process';

/**
 * Why the real-terminal tests cannot run here, or false. CI installs tmux and sets
 * ANDON_REQUIRE_TMUX=1, so there they can never be skipped silently.
 */
export const noTerminal: string | false = (() => {
  const found = spawnSync('sh', ['-c', 'command -v tmux'], { encoding: 'utf8' }).stdout.trim() !== '';
  if (!found && process.env.ANDON_REQUIRE_TMUX === '1')
    throw new Error('tmux is required (ANDON_REQUIRE_TMUX=1) but not installed: apt-get install tmux');
  return found ? false : 'tmux is not installed (apt-get install tmux; CI installs it)';
})();

/** A tmux pane running one command. */
export class Terminal {
  readonly #socket = `andon-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

  /** Starts `command` (a shell line) in a `width`×`height` terminal. */
  constructor(command: string, width = 120, height = 40) {
    // The pane stays open after the command ends, so its last screen can be read. The shell
    // traps INT: a command that dies of Ctrl+C (as andon does, for the shell's sake) would
    // otherwise take the shell, and the pane, with it.
    this.#tmux(
      'new-session',
      '-d',
      '-x',
      String(width),
      '-y',
      String(height),
      `trap : INT; ${command}; echo __EXIT_$?__; sleep 600`,
    );
  }

  /** The screen's lines, trailing blanks trimmed. */
  screen(): string[] {
    const text = this.#tmux('capture-pane', '-p', '-J');
    return text.replace(/\n+$/, '').split('\n');
  }

  /** Waits until a screen line matches; returns the screen. */
  async waitFor(match: RegExp, ms = 20_000): Promise<string[]> {
    const started = performance.now();
    for (;;) {
      const screen = this.screen();
      if (screen.some((line) => match.test(line))) return screen;
      if (performance.now() - started > ms) throw new Error(`screen never showed ${match}:\n${screen.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends keys, e.g. 'C-c'. */
  keys(...keys: string[]): void {
    this.#tmux('send-keys', ...keys);
  }

  close(): void {
    try {
      this.#tmux('kill-server');
    } catch {
      // already gone
    }
  }

  #tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.#socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }
}
