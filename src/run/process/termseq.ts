/**
 * The termination sequence, as GNU parallel's `--termseq`: signals to send and how long to
 * wait after each, e.g. `TERM,200,TERM,100,TERM,50,KILL,25`. The sequence stops early as
 * soon as the process group is gone.
 */
import { OptionError } from '../../errors.js';
import { DEFAULTS } from '../../options/defaults.js';
import { signalNamed } from '../../options/validate.js';

/** One step: send `signal`, then wait up to `waitMs` for the group to go. */
export interface TermStep {
  readonly signal: NodeJS.Signals;
  readonly waitMs: number;
}

/** GNU parallel's default: three TERMs with shrinking waits, then KILL. Gone within 375 ms. */
export const DEFAULT_TERMSEQ = DEFAULTS.termseq;

/** Parses `SIG,ms,SIG,ms,...`; signal names may omit the SIG prefix. */
export function parseTermseq(text: string): TermStep[] {
  const fields = text.split(',').map((field) => field.trim());
  const usage = `; write signals and milliseconds in turn, e.g. ${DEFAULT_TERMSEQ}`;
  if (fields.length < 2 || fields.length % 2 !== 0)
    throw new OptionError(`Invalid termination sequence \`${text}\`${usage}`);
  const steps: TermStep[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const signal = signalNamed(fields[i]!);
    if (signal === undefined)
      throw new OptionError(`Unknown signal \`${fields[i]}\` in termination sequence \`${text}\`${usage}`);
    const waitMs = Number(fields[i + 1]);
    if (fields[i + 1] === '' || !Number.isFinite(waitMs) || waitMs < 0)
      throw new OptionError(`Invalid wait \`${fields[i + 1]}\` in termination sequence \`${text}\`${usage}`);
    steps.push({ signal, waitMs });
  }
  return steps;
}

/** The longest a sequence can take, in ms. */
export function termseqDuration(steps: readonly TermStep[]): number {
  return steps.reduce((total, step) => total + step.waitMs, 0);
}
