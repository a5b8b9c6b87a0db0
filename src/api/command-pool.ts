/** A command pool's executor, from its checked options: commands rendered, a backend to run them. */
import { renderShellLine } from '../command/render.js';
import { Template } from '../command/template.js';
import { OptionError } from '../errors.js';
import type { RecordOutcome } from '../joblog/job-log.js';
import type { Checked } from '../options/schema.js';
import { optionError } from '../options/validate.js';
import type { TaskResult } from '../pool/result.js';
import type { Backend } from '../run/backend.js';
import type { Executor, TaskContext } from '../run/executor.js';
import { commandResultOf, type CommandResult, type CommandSpec } from '../run/process/process-executor.js';
import { parseTermseq, type TermStep } from '../run/process/termseq.js';
import { DEFAULTS } from '../options/defaults.js';
import type { NoticeWriter } from '../stop/signals.js';
import { constants } from 'node:os';
import type { CommandContext } from './pool-options.js';
import type { commandSchema } from './schemas.js';

function valuesOf(item: unknown): readonly string[] {
  if (typeof item === 'string') return [item];
  if (Array.isArray(item) && item.every((value) => typeof value === 'string')) return item as readonly string[];
  throw optionError('item', 'a string or an array of strings (one per input source) for a command template', item);
}

/** Turns each item into the command to run. */
function commandBuilder<I>(command: unknown, shell: boolean): (item: I, context: TaskContext) => CommandSpec {
  const jobOf = (item: I, context: TaskContext) => ({
    values: valuesOf(item),
    seq: context.index + 1,
    slot: context.slot,
  });
  if (typeof command === 'function') {
    const build = command as (item: I, context: CommandContext) => CommandSpec;
    return (item, context) => build(item, { seq: context.index + 1, slot: context.slot });
  }
  if (typeof command === 'string') {
    if (!shell)
      throw new OptionError(
        "A string `command` runs through the shell: pass `shell: true`, or pass an argv array such as ['gzip', '-k', '{}']",
      );
    const template = new Template(command);
    return (item, context) => ({ shell: renderShellLine(template, jobOf(item, context)) });
  }
  if (!Array.isArray(command) || command.length === 0 || !command.every((word) => typeof word === 'string')) {
    throw optionError(
      'command',
      'a non-empty array of strings, a shell line (with `shell: true`) or a function',
      command,
    );
  }
  if (shell) throw new OptionError('`shell: true` needs a string `command`; an argv array runs without a shell');
  const templates = command.map((word: string) => new Template(word));
  const anyReplacement = templates.some((template) => template.hasReplacements);
  return (item, context) => {
    const job = jobOf(item, context);
    const argv = templates.map((template) => template.render(job, (value) => value));
    return { argv: anyReplacement ? argv : [...argv, ...job.values] };
  };
}

function termseqOf(value: unknown): readonly TermStep[] {
  if (value === undefined) return parseTermseq(DEFAULTS.termseq);
  if (typeof value === 'string') return parseTermseq(value);
  if (Array.isArray(value)) return value as readonly TermStep[];
  throw optionError('termseq', `a termination sequence such as '${DEFAULTS.termseq}'`, value);
}

/** The executor of a command pool on `backend`. */
export function commandExecutor<I>(
  options: Checked<typeof commandSchema>,
  backend: Backend,
  notice: NoticeWriter,
): Executor<I, CommandResult> {
  if (options.liveOutput === true && !backend.local) {
    throw new OptionError(
      `With a \`backend\`, a job's output arrives when it ends: \`liveOutput: true\` is not available; leave it out`,
    );
  }
  return backend.commands<I>({
    toCommand: commandBuilder<I>(options.command, options.shell),
    cwd: options.cwd,
    env: options.env,
    stopSignal: options.stopSignal,
    termseq: termseqOf(options.termseq),
    maxBuffer: options.maxBuffer,
    liveOutput: options.liveOutput ?? (backend.local ? DEFAULTS.liveOutput : false),
    notice,
  });
}

/** A command's exit value, signal, output size and host, as its job log record says them. */
export function commandOutcome(result: TaskResult<unknown, unknown>): RecordOutcome {
  const command = commandResultOf(result);
  const received = command === undefined ? 0 : command.stdoutBytes + command.stderrBytes;
  const host = command?.host;
  if (result.status === 'done') return { exitValue: 0, signal: 0, received, host };
  // A failure with no process of its own (an exception) has no exit code: -1, as GNU parallel.
  if (command === undefined) return { exitValue: -1, signal: 0, received, host };
  return {
    exitValue: command.exitCode ?? -1,
    signal: command.signal === null ? 0 : constants.signals[command.signal],
    received,
    host,
  };
}
