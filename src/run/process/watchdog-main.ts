/**
 * The watchdog process. andon appends `+PGID` to the registry file when it starts a job group
 * and `-PGID` when the group is gone, and writes `bye` to the pipe when it shuts down cleanly.
 * If the pipe closes without `bye`, andon died (SIGKILL, a crash): the watchdog kills every
 * group still on record, and on Linux also every
 * process whose environment carries this run's marker (covering a job killed between its
 * spawn and its registration, and descendants that left the group), then exits.
 *
 * It runs in its own session and ignores SIGINT and SIGHUP, so neither a Ctrl+C at the
 * terminal nor the terminal closing removes it before andon's jobs are cleaned up.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { groupAlive, signalGroup } from './group.js';

const marker = process.argv[2] ?? '';
const registryPath = process.argv[3] ?? '';
const groups = new Set<number>();
let clean = false;

process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});

function markedProcesses(): number[] {
  if (marker === '' || process.platform !== 'linux') return [];
  const needle = Buffer.from(`ANDON_WATCHDOG=${marker}\0`);
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`).includes(needle)) found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function killEverything(signal: NodeJS.Signals): void {
  for (const pgid of groups) signalGroup(pgid, signal);
  for (const pid of markedProcesses()) kill(pid, signal);
}

function anythingAlive(): boolean {
  return [...groups].some(groupAlive) || markedProcesses().length > 0;
}

async function cleanUp(): Promise<void> {
  if (!anythingAlive()) return;
  killEverything('SIGTERM');
  // A short grace for TERM handlers, then KILL whatever is left.
  for (let waited = 0; waited < 200 && anythingAlive(); waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  killEverything('SIGKILL');
}

function readRegistry(): void {
  let text = '';
  try {
    text = readFileSync(registryPath, 'utf8');
  } catch {
    return;
  }
  for (const line of text.split('\n')) {
    if (line.startsWith('+')) groups.add(Number(line.slice(1)));
    else if (line.startsWith('-')) groups.delete(Number(line.slice(1)));
  }
}

function removeRegistry(): void {
  if (registryPath !== '') rmSync(dirname(registryPath), { recursive: true, force: true });
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  if (chunk.includes('bye\n')) clean = true;
});
process.stdin.on('close', () => {
  if (clean) {
    removeRegistry();
    process.exit(0);
  }
  readRegistry();
  void cleanUp().finally(() => {
    removeRegistry();
    process.exit(0);
  });
});
