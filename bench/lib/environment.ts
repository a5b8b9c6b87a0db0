/**
 * Where and how a benchmark ran: the facts a reader needs to judge the figures (CPU, cores,
 * memory, Node version, date) and the exact command that reproduces them.
 */
import os from 'node:os';

export interface Environment {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly command: string;
}

/**
 * The command as typed: `npm run bench -- …` when npm started us (npm sets
 * `npm_lifecycle_event`), otherwise `node <script> …` relative to the working directory.
 */
function command(): string {
  const args = process.argv.slice(2);
  if (process.env.npm_lifecycle_event === 'bench')
    return ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
  const script = process.argv[1] ?? 'dist/bench/run.js';
  const relative = script.startsWith(`${process.cwd()}/`) ? script.slice(process.cwd().length + 1) : script;
  return ['node', relative, ...args].join(' ');
}

export function environment(): Environment {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    command: command(),
  };
}

/** One line per fact, as a Markdown list. */
export function describeEnvironment(env: Environment): string {
  return [
    `- Date: ${env.date}`,
    `- Machine: ${env.cpu}, ${env.cores} cores, ${env.memoryGiB.toFixed(1)} GiB RAM, ${env.platform}`,
    `- Node: ${env.node}`,
    `- Command: \`${env.command}\``,
  ].join('\n');
}
