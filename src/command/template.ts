/**
 * Replacement strings, as in GNU parallel: `{}` the input, `{.}` without extension, `{/}`
 * basename, `{//}` dirname, `{/.}` basename without extension, `{#}` the job's sequence
 * number, `{%}` its slot, and `{n}` `{n.}` `{n/}` `{n//}` `{n/.}` for input source n (`{-1}`
 * the last); with `plus`, GNU parallel's --plus strings too (replacement-strings.ts).
 * Anything else in braces is left as it is (shell code such as `{ a; }` keeps working).
 */
import { OptionError } from '../errors.js';
import { definedRules, type Piece, replacementAt, type SkipRule, skips } from './replacement-strings.js';

/** One piece of a parsed template. */
type Part =
  | { readonly kind: 'text'; readonly text: string }
  | (Piece & { readonly source: number | undefined; readonly written: string });

/** Without --plus, the zero-padded strings --plus would give. */
const PLUS_ONLY: readonly (readonly [RegExp, string])[] = [
  [/\{0[#%]\}/, 'zero-padded sequence numbers and slots need --plus; or use {#} or {%}, e.g. "$(printf %03d {#})"'],
];
/** A `{` that begins a replacement string with no `}` anywhere after it. */
const UNTERMINATED = /\{[\d#%./][^}]*$/;
const UNTERMINATED_PLUS = /\{[\d#%./+:^,-][^}]*$/;

/** How a template is read. */
export interface TemplateOptions {
  /** GNU parallel's --plus: its extra replacement strings. */
  readonly plus?: boolean;
  /** `--rpl`'s replacement strings, each `TAG EXPRESSION` (see {@link definedRules}). */
  readonly defined?: readonly string[];
  /** The number of job slots, whose width `{0%}` pads to. @default 1 */
  readonly slots?: number;
}

/** What a job's values are filled in from. */
export interface JobValues {
  /** One value per input source. */
  readonly values: readonly string[];
  /** The job's sequence number, from 1. */
  readonly seq: number;
  /**
   * The job's slot, from 1 to the number of jobs at once. Undefined leaves `{%}` as it is,
   * for a job's identity across runs (its slot is chance).
   */
  readonly slot: number | undefined;
  /** The number of jobs, for `{##}` and `{0#}` (see {@link Template.needsTotal}). */
  readonly total?: number;
}

/** `n` zero-padded to the width GNU parallel gives it: one more digit than log10(`of`). */
function padded(n: number, of: number): string {
  return String(n).padStart(1 + Math.floor(Math.log10(Math.max(1, of))), '0');
}

function refuse(template: string, table: readonly (readonly [RegExp, string])[]): void {
  for (const [pattern, instead] of table) {
    const found = pattern.exec(template);
    if (found !== null) throw new OptionError(`Replacement string \`${found[0]}\` in \`${template}\`: ${instead}`);
  }
}

/** A parsed command template; parse once, render per job. */
export class Template {
  readonly #parts: readonly Part[];
  readonly #slots: number;
  readonly #skipRules: readonly SkipRule[];
  /** True if the template has at least one replacement string. */
  readonly hasReplacements: boolean;
  /** The highest input source number referred to by `{n}`, or 0. */
  readonly highestSource: number;
  /** True if rendering needs the number of jobs (`{##}`, `{0#}`): the input is read whole first. */
  readonly needsTotal: boolean;

  /** @throws OptionError on an unterminated replacement string such as `{1`, or a --plus pattern that is no regular expression. */
  constructor(template: string, options: TemplateOptions = {}) {
    const plus = options.plus === true;
    if (!plus) refuse(template, PLUS_ONLY);
    const unterminated = plus ? UNTERMINATED_PLUS : UNTERMINATED;
    if (unterminated.test(template)) {
      const start = template.search(unterminated);
      throw new OptionError(
        `Unterminated replacement string \`${template.slice(start)}\` in \`${template}\`; close it with } (for example {1} or {.})`,
      );
    }
    const defined = options.defined === undefined ? [] : definedRules(options.defined);
    const parts: Part[] = [];
    const skipRules = new Set<SkipRule>();
    let text = '';
    for (let at = 0; at < template.length; ) {
      const found = template[at] === '{' ? replacementAt(template, at, plus, defined) : undefined;
      if (found === undefined) {
        text += template[at];
        at++;
        continue;
      }
      if (found.source === 0)
        throw new OptionError(
          `Replacement string \`${found.text}\` refers to input source 0; sources are numbered from 1`,
        );
      if (text !== '') parts.push({ kind: 'text', text });
      text = '';
      parts.push({ ...found.piece, source: found.source, written: found.text });
      if (found.skip !== undefined) skipRules.add(found.skip);
      at += found.text.length;
    }
    if (text !== '') parts.push({ kind: 'text', text });
    this.#parts = parts;
    this.#slots = options.slots ?? 1;
    this.#skipRules = [...skipRules];
    this.hasReplacements = parts.some((part) => part.kind !== 'text');
    this.highestSource = Math.max(0, ...parts.map((part) => (part.kind === 'value' ? (part.source ?? 0) : 0)));
    this.needsTotal = parts.some((part) => part.kind === 'total' || (part.kind === 'seq' && part.padded));
  }

  /**
   * The template with its plain text passed through `quote` and its replacement strings as
   * written: GNU parallel's `-q`, which keeps the shell from reading a command word's text.
   */
  withTextQuoted(quote: (text: string) => string): string {
    return this.#parts.map((part) => (part.kind === 'text' ? quote(part.text) : part.written)).join('');
  }

  /** True if the template has `{choose_k}` or `{uniq}`, which may skip jobs. */
  get maySkip(): boolean {
    return this.#skipRules.length > 0;
  }

  /** True if `{choose_k}` or `{uniq}` says a job with these values does not run. */
  skips(values: readonly string[]): boolean {
    return this.#skipRules.some((rule) => skips(rule, values));
  }

  /**
   * Fills in the job's values; `quote` is applied to every value that came from the input
   * (shell quoting for a shell command line, identity for an argv element).
   */
  render(job: JobValues, quote: (value: string) => string): string {
    let out = '';
    for (const part of this.#parts) out += this.#renderPart(part, job, quote);
    return out;
  }

  #renderPart(part: Part, job: JobValues, quote: (value: string) => string): string {
    switch (part.kind) {
      case 'text':
      case 'variable':
        return part.text;
      case 'seq':
        return part.padded ? padded(job.seq, job.total ?? job.seq) : String(job.seq);
      case 'slot':
        // No slot: a job's identity across runs, where its slot is chance.
        if (job.slot === undefined) return part.written;
        return part.padded ? padded(job.slot, this.#slots) : String(job.slot);
      case 'total':
        return job.total === undefined ? part.written : String(job.total);
      case 'value': {
        if (part.source === undefined) return job.values.map((value) => quote(part.transform(value))).join(' ');
        const index = part.source < 0 ? job.values.length + part.source : part.source - 1;
        const value = job.values[index];
        // A value the job does not have (-n's last job, a short --colsep record) is nothing, not
        // an empty argument, whatever the replacement string does: so GNU parallel writes it.
        return value === undefined ? '' : quote(part.transform(value));
      }
    }
  }
}
