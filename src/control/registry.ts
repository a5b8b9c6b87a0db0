/**
 * The runs in progress of this user, written down where only this user can read them, so
 * that `andon status` and `andon stop` in another shell find them. Each run writes one file,
 * `ID.json`, and listens on `ID.sock` beside it; both go when the run ends. A run that died
 * without cleaning up (kill -9) is recognised by its pid and the start time of the process
 * holding it, and its files are removed instead of listed.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlError } from './control-error.js';

/** What a run says about itself. */
export interface RunRegistration {
  /** The run's id, as `andon status` lists it. */
  readonly id: string;
  readonly pid: number;
  /** The process's start time, from /proc/PID/stat: a pid taken over by another process does not match. */
  readonly processStart: string | undefined;
  readonly host: string;
  /** The command line, as the user would type it again. */
  readonly command: string;
  readonly cwd: string;
  /** When the run started, in epoch ms. */
  readonly startedAt: number;
  /** The unix socket the run answers on. */
  readonly socket: string;
}

const uid = (): number => process.getuid?.() ?? 0;

/**
 * The directory: `$XDG_RUNTIME_DIR/andon` when the session has a runtime directory (private
 * to the user by definition), else `/tmp/andon-UID`, made 0700. Not `$TMPDIR`: a run given
 * another one (`--tmpdir`) must still be found from a shell with the usual one, and a job's
 * temporary directory should hold only what the job made. Either must belong to this user
 * and let nobody else in, or andon refuses to use it.
 * @throws ControlError
 */
export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  const isDirectory = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  const dir =
    runtime !== undefined && runtime !== '' && isDirectory(runtime)
      ? join(runtime, 'andon')
      : join(isDirectory('/tmp') ? '/tmp' : tmpdir(), `andon-${uid()}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const found = statSync(dir);
  if (found.uid !== uid() || (found.mode & 0o077) !== 0)
    throw new ControlError(
      `${dir} is not private to you (owner ${found.uid}, mode ${(found.mode & 0o777).toString(8)}); remove it, or set XDG_RUNTIME_DIR to a directory of your own`,
    );
  return dir;
}

/** The start time of process `pid` (clock ticks after boot), where /proc tells it. */
export function processStartOf(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** The registration of this process's run `id`, listening on its socket in `dir`. */
export function registrationFor(dir: string, id: string, command: string, startedAt: number): RunRegistration {
  return {
    id,
    pid: process.pid,
    processStart: processStartOf(process.pid),
    host: hostname(),
    command,
    cwd: process.cwd(),
    startedAt,
    socket: join(dir, `${id}.sock`),
  };
}

/** Writes the registration whole (a reader never sees half of it), readable by this user only. */
export function register(dir: string, registration: RunRegistration): void {
  const path = join(dir, `${registration.id}.json`);
  writeFileSync(`${path}.tmp`, JSON.stringify(registration), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** Removes a run's files. */
export function unregister(dir: string, id: string): void {
  rmSync(join(dir, `${id}.json`), { force: true });
  rmSync(join(dir, `${id}.sock`), { force: true });
}

/** True if the process that registered is still the one holding its pid. */
function isLive(registration: RunRegistration): boolean {
  const start = processStartOf(registration.pid);
  if (registration.processStart !== undefined) return start === registration.processStart;
  // Without /proc there is no start time to compare: the pid is all there is.
  try {
    process.kill(registration.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parsed(text: string): RunRegistration | undefined {
  try {
    const value = JSON.parse(text) as Partial<RunRegistration>;
    return typeof value.id === 'string' && typeof value.pid === 'number' && typeof value.socket === 'string'
      ? (value as RunRegistration)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The live runs in `dir`, oldest first; the files of runs that died are removed. */
export function liveRegistrations(dir: string): RunRegistration[] {
  const live: RunRegistration[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch {
      continue; // gone since the listing: its run just ended
    }
    const registration = parsed(text);
    if (registration !== undefined && isLive(registration)) live.push(registration);
    else unregister(dir, name.slice(0, -'.json'.length));
  }
  return live.sort((a, b) => a.startedAt - b.startedAt);
}
