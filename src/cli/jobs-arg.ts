/**
 * `-j`, as GNU parallel reads it: N, N% of the cores, +N or -N cores, 0 for as many as
 * possible. `-j FILE` (re-read as jobs finish) is not supported.
 */
import { UsageError } from '../errors.js';

/** What -j 0 ("as many as possible") gives: enough for any batch one machine should start at once. */
export const AS_MANY_AS_POSSIBLE = 256;

/** -j, or `fallback` when it is not given; `cores` for the relative forms. @throws UsageError */
export function jobsFor(text: string | undefined, fallback: number, cores: number): number {
  if (text === undefined) return fallback;
  const relative = /^([+-])(\d+)$/.exec(text);
  if (relative !== null) return Math.max(1, cores + (relative[1] === '+' ? 1 : -1) * Number(relative[2]));
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent !== null) return Math.max(1, Math.floor((cores * Number(percent[1])) / 100));
  if (/^\d+$/.test(text)) {
    const jobs = Number(text);
    if (jobs === 0) return AS_MANY_AS_POSSIBLE;
    if (jobs > 100_000) throw new UsageError(`-j ${text} is more jobs at once than andon starts; give at most 100000`);
    return jobs;
  }
  throw new UsageError(
    `-j needs a number of jobs (N, N%, +N, -N or 0), got '${text}'${/[/.]/.test(text) ? ' (-j FILE is not supported)' : ''}`,
  );
}
