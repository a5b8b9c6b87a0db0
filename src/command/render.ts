/** A job's shell line, as GNU parallel builds it; shared by command pools and `--dry-run`. */
import { shellQuote } from './quote.js';
import type { JobValues, Template } from './template.js';

/**
 * Fills the job's values into the template, shell-quoted. A template without replacement
 * strings gets the values appended, as GNU parallel does.
 */
export function renderShellLine(template: Template, job: JobValues): string {
  const line = template.render(job, shellQuote);
  return template.hasReplacements ? line : `${line} ${job.values.map(shellQuote).join(' ')}`;
}
