/** The command line of `andon report JOBLOG [-o FILE]`. */
import { UsageError } from '../errors.js';
import type { HelpPlan } from './help.js';
import { didYouMean } from './suggest.js';

/** `andon report`, as the command line asked for it. */
export interface ReportPlan {
  readonly action: 'report';
  readonly jobLog: string;
  /** The HTML page to write: JOBLOG.html unless -o names one. */
  readonly output: string;
}

/** Parses the arguments after `report`. @throws UsageError */
export function parseReport(args: readonly string[]): ReportPlan | HelpPlan {
  if (args.includes('--help') || args.includes('-h')) return { action: 'help', topic: 'report' };
  let output: string | undefined;
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-o' || arg === '--output') {
      output = args[++i];
      if (output === undefined) throw new UsageError(`${arg} needs a file name; see andon --help`);
    } else if (arg.startsWith('--output=')) output = arg.slice('--output='.length);
    else if (arg.startsWith('-') && arg !== '-')
      throw new UsageError(
        `Unknown option ${arg} for andon report${didYouMean(arg, ['--output', '--help'])}; usage: andon report JOBLOG [-o FILE]`,
      );
    else positionals.push(arg);
  }
  if (positionals.length !== 1) throw new UsageError('andon report takes one job log: andon report JOBLOG [-o FILE]');
  const jobLog = positionals[0]!;
  return { action: 'report', jobLog, output: output ?? `${jobLog}.html` };
}
