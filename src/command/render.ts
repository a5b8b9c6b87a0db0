/** A job's shell line, as GNU parallel builds it; shared by command pools and `--dry-run`. */
import { shellQuote } from './quote.js';
import { type JobValues, Template, type TemplateOptions } from './template.js';

/**
 * Fills the job's values into the template, shell-quoted (or by `quote`, for values andon
 * wrote itself). A template without replacement strings gets the values appended, as GNU
 * parallel does.
 */
export function renderShellLine(template: Template, job: JobValues, quote = shellQuote): string {
  const line = template.render(job, quote);
  return template.hasReplacements ? line : `${line} ${job.values.map(quote).join(' ')}`;
}

/**
 * GNU parallel's `-X` (context replace): each word of the command that holds a replacement
 * string is repeated once per value, with that value in it (`pre-{}-post` with a and b is
 * `pre-a-post pre-b-post`); the other words stay as they are. A command with no replacement
 * string gets the values appended.
 */
export class ContextTemplate {
  readonly #pieces: readonly (string | Template)[];
  readonly #hasReplacements: boolean;

  /** @throws OptionError as {@link Template} does. */
  constructor(command: string, options: TemplateOptions = {}) {
    this.#pieces = command.split(/(\s+)/).map((piece) => {
      const template = new Template(piece, options);
      return template.hasReplacements ? template : piece;
    });
    this.#hasReplacements = this.#pieces.some((piece) => typeof piece !== 'string');
  }

  /** The job's shell line. */
  render(job: JobValues): string {
    if (!this.#hasReplacements) return `${this.#pieces.join('')} ${job.values.map(shellQuote).join(' ')}`;
    return this.#pieces
      .map((piece) =>
        typeof piece === 'string'
          ? piece
          : job.values.length === 0
            ? // No values (-N 0, -L 0): the word once, its replacement strings empty, as GNU parallel does.
              piece.render(job, shellQuote)
            : job.values.map((value) => piece.render({ ...job, values: [value] }, shellQuote)).join(' '),
      )
      .join('');
  }
}
