/**
 * Replacement strings, as in GNU parallel: `{}` the input, `{.}` without extension, `{/}`
 * basename, `{//}` dirname, `{/.}` basename without extension, `{#}` the job's sequence
 * number, `{%}` its slot, and `{n}` `{n.}` `{n/}` `{n//}` `{n/.}` for input source n.
 * Anything else in braces is left as it is (shell code such as `{ a; }` keeps working).
 */
import { basename, dirname } from 'node:path';
import { OptionError } from '../errors.js';

/** How to turn one input value into text. */
type Transform = 'whole' | 'noExtension' | 'basename' | 'dirname' | 'basenameNoExtension';

/** One piece of a parsed template. */
type Part =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'value'; readonly source: number | undefined; readonly transform: Transform }
  | { readonly kind: 'seq' }
  | { readonly kind: 'slot' };

const TRANSFORMS: Record<string, Transform> = {
  '': 'whole',
  '.': 'noExtension',
  '/': 'basename',
  '//': 'dirname',
  '/.': 'basenameNoExtension',
};
const TOKEN = /\{(\d*)(\.|\/\/|\/\.|\/)?\}|\{#\}|\{%\}/g;
/**
 * GNU parallel's replacement strings that andon does not have, each with what to use instead:
 * passed through as text, they would silently run a different command.
 */
const UNSUPPORTED: readonly (readonly [RegExp, string])[] = [
  [
    /\{=.*?=\}/s,
    'Perl expressions are not supported (andon has no Perl); transform the values before andon, or in the command, e.g. "$(echo {} | sed s/a/A/)"',
  ],
  [/\{0[#%]\}/, 'zero-padded sequence numbers and slots are not supported; use {#} or {%}, e.g. "$(printf %03d {#})"'],
];
/** A `{` that begins a replacement string with no `}` anywhere after it. */
const UNTERMINATED = /\{[\d#%./][^}]*$/;

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
}

function withoutExtension(value: string): string {
  const slash = value.lastIndexOf('/');
  const dot = value.lastIndexOf('.');
  // As GNU parallel's s:\.[^/.]*$::, so a leading dot counts too: {.} of .hidden is empty.
  return dot > slash ? value.slice(0, dot) : value;
}

function transform(value: string, how: Transform): string {
  switch (how) {
    case 'whole':
      return value;
    case 'noExtension':
      return withoutExtension(value);
    case 'basename':
      return basename(value);
    case 'dirname':
      return value.includes('/') ? dirname(value) : '.';
    case 'basenameNoExtension':
      return withoutExtension(basename(value));
  }
}

/** A parsed command template; parse once, render per job. */
export class Template {
  readonly #parts: readonly Part[];
  /** True if the template has at least one replacement string. */
  readonly hasReplacements: boolean;
  /** The highest input source number referred to by `{n}`, or 0. */
  readonly highestSource: number;

  /** @throws OptionError on an unterminated replacement string such as `{1`. */
  constructor(template: string) {
    for (const [pattern, instead] of UNSUPPORTED) {
      const found = pattern.exec(template);
      if (found !== null) throw new OptionError(`Replacement string \`${found[0]}\` in \`${template}\`: ${instead}`);
    }
    if (UNTERMINATED.test(template)) {
      const start = template.search(UNTERMINATED);
      throw new OptionError(
        `Unterminated replacement string \`${template.slice(start)}\` in \`${template}\`; close it with } (for example {1} or {.})`,
      );
    }
    const parts: Part[] = [];
    let highest = 0;
    let last = 0;
    for (const match of template.matchAll(TOKEN)) {
      if (match.index > last) parts.push({ kind: 'text', text: template.slice(last, match.index) });
      if (match[0] === '{#}') parts.push({ kind: 'seq' });
      else if (match[0] === '{%}') parts.push({ kind: 'slot' });
      else {
        const source = match[1] === '' ? undefined : Number(match[1]);
        if (source === 0)
          throw new OptionError(
            `Replacement string \`${match[0]}\` refers to input source 0; sources are numbered from 1`,
          );
        if (source !== undefined) highest = Math.max(highest, source);
        parts.push({ kind: 'value', source, transform: TRANSFORMS[match[2] ?? '']! });
      }
      last = match.index + match[0].length;
    }
    if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
    this.#parts = parts;
    this.hasReplacements = parts.some((part) => part.kind !== 'text');
    this.highestSource = highest;
  }

  /**
   * Fills in the job's values; `quote` is applied to every value that came from the input
   * (shell quoting for a shell command line, identity for an argv element).
   */
  render(job: JobValues, quote: (value: string) => string): string {
    let out = '';
    for (const part of this.#parts) {
      if (part.kind === 'text') out += part.text;
      else if (part.kind === 'seq') out += String(job.seq);
      else if (part.kind === 'slot') out += job.slot === undefined ? '{%}' : String(job.slot);
      else if (part.source === undefined)
        out += job.values.map((value) => quote(transform(value, part.transform))).join(' ');
      else out += quote(transform(job.values[part.source - 1] ?? '', part.transform));
    }
    return out;
  }
}
