/**
 * GNU parallel's replacement strings as a table: each string's key as GNU parallel spells it,
 * and what it turns into. GNU parallel tries the longer keys first (a short key may be part of
 * a long one: `{#}` of `{##}`), and so does andon; keys of the same length never match the
 * same text. Every string that stands for a value may also name an input source: `{2.}`,
 * `{-1}` (the last source), `{2..}` with --plus.
 */
import path from 'node:path';
import { OptionError } from '../errors.js';
import { perlSkip, perlTransform } from './perl-subset.js';

const basename = (text: string): string => path.basename(text);

/** What one replacement string becomes. */
export type Piece =
  /** A value (or every value, when no source is named), changed by `transform`. */
  | { readonly kind: 'value'; readonly transform: (value: string) => string }
  /** `{#}`; `{0#}` zero-padded to the width of the number of jobs. */
  | { readonly kind: 'seq'; readonly padded: boolean }
  /** `{%}`; `{0%}` zero-padded to the width of the number of job slots. */
  | { readonly kind: 'slot'; readonly padded: boolean }
  /** `{##}`: the number of jobs. */
  | { readonly kind: 'total' }
  /** `{slot}`, `{host}`: a shell variable the job's environment holds, left unquoted. */
  | { readonly kind: 'variable'; readonly text: string };

/**
 * Why a job is skipped: `{choose_k}` runs only values in increasing order, `{uniq}` only
 * distinct ones; a function is a `{= if (...) { skip() } =}`'s condition.
 */
export type SkipRule = 'choose_k' | 'uniq' | ((values: readonly string[]) => boolean);

/** One replacement string: its key, how to match it after its `{`, and what it becomes. */
interface Rule {
  /** The key as GNU parallel writes it, whose length orders the rules. */
  readonly key: string;
  /** What follows the `{` (and a source number), as a regular expression; ends with `}`. */
  readonly body: string;
  readonly make: (groups: readonly string[]) => Piece;
  /** `{choose_k}` and `{uniq}` also decide whether a job runs at all. */
  readonly skip?: SkipRule;
}

const value = (transform: (value: string) => string): Piece => ({ kind: 'value', transform });
const same = (text: string): string => text;

/** `s:\.[^/.]*$::` repeated `count` times over, as GNU's `{.}`, `{..}` and `{...}`. */
function withoutExtensions(text: string, count: number): string {
  return text.replace(new RegExp(`${'\\.[^/.]*'.repeat(count)}$`), '');
}

/** GNU's `{+.}`, `{+..}`, `{+...}`: the last `count` extensions, or nothing. */
function lastExtensions(text: string, count: number): string {
  const found = new RegExp(`^.*\\.(${Array(count).fill('[^/.]*').join('\\.')})$`).exec(text);
  return found?.[1] ?? '';
}

/** GNU's `{//}`: the directory part, `.` for a bare name. */
function dirname(text: string): string {
  return text.includes('/') ? path.dirname(text) : '.';
}

/** A user's pattern as a regular expression. @throws OptionError if it is not one. */
function pattern(source: string, flags = ''): RegExp {
  try {
    return new RegExp(source, flags);
  } catch {
    throw new OptionError(
      `\`${source}\` is not a regular expression andon can read (JavaScript syntax, close to Perl's); escape a special character with \\, e.g. \\(`,
    );
  }
}

/** GNU parallel's make_regexp_ungreedy: every quantifier outside a class made lazy. */
export function ungreedy(source: string): string {
  let out = '';
  let inClass = false;
  let escaped = false;
  let quantified = false;
  for (const char of source) {
    if (quantified && char !== '?') out += '?';
    quantified = false;
    out += char;
    if (escaped) escaped = false;
    else if (char === '\\') escaped = true;
    else if (char === '[') inClass = true;
    else if (inClass) inClass = char !== ']';
    else if (char === '*' || char === '+' || char === '}') quantified = true;
  }
  return quantified ? `${out}?` : out;
}

/** A replacement that is taken as it is, `$` and all. */
function replaceWith(text: string, regexp: RegExp, by: string): string {
  return text.replace(regexp, () => by);
}

/** Perl's `$_ ||= x`: an empty value and `0` are false. */
const orDefault = (fallback: string) => (text: string) => (text === '' || text === '0' ? fallback : text);

function changeCase(source: string, global: boolean, upper: boolean, anchored: boolean): (text: string) => string {
  const regexp = pattern(`${anchored ? '^' : ''}(?:${source})`, global ? 'g' : '');
  return (text) => text.replace(regexp, (found) => (upper ? found.toUpperCase() : found.toLowerCase()));
}

const escapeKey = (key: string): string => key.slice(1).replace(/[.*+?^$()|[\]\\/]/g, '\\$&');
const fixed = (key: string, make: () => Piece, skip?: SkipRule): Rule => ({
  key,
  body: escapeKey(key),
  make,
  ...(skip === undefined ? {} : { skip }),
});

/** The replacement strings GNU parallel always has. */
const DEFAULT_RULES: readonly Rule[] = [
  fixed('{}', () => value(same)),
  fixed('{.}', () => value((text) => withoutExtensions(text, 1))),
  fixed('{/}', () => value(basename)),
  fixed('{//}', () => value(dirname)),
  fixed('{/.}', () => value((text) => withoutExtensions(basename(text), 1))),
  fixed('{#}', () => ({ kind: 'seq', padded: false })),
  fixed('{%}', () => ({ kind: 'slot', padded: false })),
];

/** The ones --plus adds, bash's parameter expansions among them (their patterns are regular expressions). */
const PLUS_RULES: readonly Rule[] = [
  fixed('{+/}', () => value((text) => (text.includes('/') ? text.replace(/\/[^/]*$/, '') : ''))),
  fixed('{+.}', () => value((text) => lastExtensions(text, 1))),
  fixed('{+..}', () => value((text) => lastExtensions(text, 2))),
  fixed('{+...}', () => value((text) => lastExtensions(text, 3))),
  fixed('{..}', () => value((text) => withoutExtensions(text, 2))),
  fixed('{...}', () => value((text) => withoutExtensions(text, 3))),
  fixed('{/..}', () => value((text) => withoutExtensions(basename(text), 2))),
  fixed('{/...}', () => value((text) => withoutExtensions(basename(text), 3))),
  fixed('{choose_k}', () => value(same), 'choose_k'),
  fixed('{uniq}', () => value(same), 'uniq'),
  fixed('{##}', () => ({ kind: 'total' })),
  fixed('{0%}', () => ({ kind: 'slot', padded: true })),
  fixed('{0#}', () => ({ kind: 'seq', padded: true })),
  fixed('{slot}', () => ({ kind: 'variable', text: '${PARALLEL_JOBSLOT}' })),
  fixed('{host}', () => ({ kind: 'variable', text: '${PARALLEL_SSHHOST}' })),
  fixed('{sshlogin}', () => ({ kind: 'variable', text: '${PARALLEL_SSHLOGIN}' })),
  fixed('{hgrp}', () => ({ kind: 'variable', text: '${PARALLEL_HOSTGROUPS}' })),
  fixed('{agrp}', () => ({ kind: 'variable', text: '${PARALLEL_ARGHOSTGROUPS}' })),
  {
    key: '{:-([^}]+?)}',
    body: ':-([^}]+?)\\}',
    make: ([fallback]) => value(orDefault(fallback!)),
  },
  { key: '{:(\\d+?)}', body: ':(\\d+?)\\}', make: ([from]) => value((text) => text.slice(Number(from))) },
  {
    key: '{:(\\d+?):(\\d+?)}',
    body: ':(\\d+?):(\\d+?)\\}',
    make: ([from, length]) => value((text) => text.slice(Number(from), Number(from) + Number(length))),
  },
  {
    key: '{#([^#}][^}]*?)}',
    body: '#([^#}][^}]*?)\\}',
    make: ([prefix]) => {
      const regexp = pattern(`^(?:${ungreedy(prefix!)})`);
      return value((text) => replaceWith(text, regexp, ''));
    },
  },
  {
    key: '{##([^#}][^}]*?)}',
    body: '##([^#}][^}]*?)\\}',
    make: ([prefix]) => {
      const regexp = pattern(`^(?:${prefix})`);
      return value((text) => replaceWith(text, regexp, ''));
    },
  },
  {
    key: '{%([^}]+?)}',
    body: '%([^}]+?)\\}',
    make: ([suffix]) => {
      const regexp = pattern(`(.*)(?:${ungreedy(suffix!)})$`);
      return value((text) => text.replace(regexp, (_found, kept: string) => kept));
    },
  },
  {
    key: '{%%([^}]+?)}',
    body: '%%([^}]+?)\\}',
    make: ([suffix]) => {
      const regexp = pattern(`(?:${suffix})$`);
      return value((text) => replaceWith(text, regexp, ''));
    },
  },
  {
    key: '{/([^#%}/]+?)/([^}]*?)}',
    body: '/([^#%}/]+?)/([^}]*?)\\}',
    make: ([from, to]) => {
      const regexp = pattern(from!);
      return value((text) => replaceWith(text, regexp, to!));
    },
  },
  {
    key: '{/#([^}]+?)/([^}]*?)}',
    body: '/#([^}]+?)/([^}]*?)\\}',
    make: ([from, to]) => {
      const regexp = pattern(`^(?:${from})`, 'g');
      return value((text) => replaceWith(text, regexp, to!));
    },
  },
  {
    key: '{/%([^}]+?)/([^}]*?)}',
    body: '/%([^}]+?)/([^}]*?)\\}',
    make: ([from, to]) => {
      const regexp = pattern(`(?:${from})$`, 'g');
      return value((text) => replaceWith(text, regexp, to!));
    },
  },
  {
    key: '{//([^}]+?)/([^}]*?)}',
    body: '//([^}]+?)/([^}]*?)\\}',
    make: ([from, to]) => {
      const regexp = pattern(from!, 'g');
      return value((text) => replaceWith(text, regexp, to!));
    },
  },
  { key: '{^([^}]+?)}', body: '\\^([^}]+?)\\}', make: ([found]) => value(changeCase(found!, false, true, true)) },
  { key: '{^^([^}]+?)}', body: '\\^\\^([^}]+?)\\}', make: ([found]) => value(changeCase(found!, true, true, false)) },
  { key: '{,([^}]+?)}', body: ',([^}]+?)\\}', make: ([found]) => value(changeCase(found!, false, false, true)) },
  { key: '{,,([^}]+?)}', body: ',,([^}]+?)\\}', make: ([found]) => value(changeCase(found!, true, false, false)) },
];

/** A rule ready to match at a `{`: once bare, once after a source number. */
export interface CompiledRule {
  readonly rule: Rule;
  readonly bare: RegExp;
  readonly positional: RegExp;
}

function compile(rules: readonly Rule[]): readonly CompiledRule[] {
  return [...rules]
    .sort((a, b) => b.key.length - a.key.length)
    .map((rule) => ({
      rule,
      bare: new RegExp(`\\{${rule.body}`, 'y'),
      positional: new RegExp(`\\{(-?\\d+)\\s*${rule.body}`, 'y'),
    }));
}

const DEFAULT_TABLE = compile(DEFAULT_RULES);
const PLUS_TABLE = compile([...DEFAULT_RULES, ...PLUS_RULES]);

/** `{= expression =}` and `{=N expression =}`: Perl on the value (perl-subset.ts says how much). */
const PERL = /\{=(-?\d+)?\s*(.*?)=\}/sy;

/** The `{= =}` that starts at `at`, if one does. @throws OptionError for Perl andon does not read */
function perlAt(template: string, at: number): Found | undefined {
  PERL.lastIndex = at;
  const match = PERL.exec(template);
  if (match === null) return undefined;
  const [text, source, expression] = match;
  // GNU's own objects, as its documentation uses them: the job's number and slot, the number of jobs.
  const job = /^\s*\$_\s*=\s*(?:\$job->(seq|slot)\(\)|(total_jobs)\(\))\s*;?\s*$/.exec(expression!);
  if (job !== null && source === undefined) {
    const piece: Piece =
      job[2] !== undefined ? { kind: 'total' } : { kind: job[1] === 'seq' ? 'seq' : 'slot', padded: false };
    return { piece, source: undefined, text, skip: undefined };
  }
  const skip = perlSkip(expression!);
  if (skip !== undefined) return { piece: value(same), source: undefined, text, skip };
  return {
    piece: value(perlTransform(expression!)),
    source: source === undefined ? undefined : Number(source),
    text,
    skip: undefined,
  };
}

/**
 * `--rpl 'TAG EXPRESSION'`: TAG (such as `{..}`) stands for the value with the Perl expression
 * applied, bare or after a source number (`{2..}`), before the built-in strings. A TAG with
 * groups is a regular expression, as in GNU parallel: `{%(.+?)}` matches `{%.tar.gz}`, and
 * `$$1` in the expression is the text of its first group.
 * @throws OptionError
 */
export function definedRules(definitions: readonly string[]): readonly CompiledRule[] {
  const rules = definitions.map((definition): Rule => {
    const tag = /^\s*(\{[^\s{}]+\})\s+(.*)$/s.exec(definition);
    if (tag === null)
      throw new OptionError(
        `--rpl '${definition}': give a tag and a Perl expression after it, e.g. --rpl '{..} s:\\.[^.]+$::'`,
      );
    const [, key, expression] = tag as unknown as [string, string, string];
    if (!/[()]/.test(key)) {
      const transform = perlTransform(expression);
      return { key, body: escapeKey(key), make: () => value(transform) };
    }
    const body = `${key.slice(1, -1)}\\}`;
    try {
      new RegExp(body);
    } catch {
      throw new OptionError(
        `--rpl '${definition}': the tag's \`${key}\` is not a regular expression andon can read; escape a special character with \\`,
      );
    }
    // GNU puts each group's text in place of $$N before the Perl runs; so does andon.
    return {
      key,
      body,
      make: (groups) =>
        value(perlTransform(expression.replace(/\$\$(\d+)/g, (_, n: string) => groups[Number(n) - 1] ?? ''))),
    };
  });
  return compile(rules);
}

/** A replacement string found in a template. */
export interface Found {
  readonly piece: Piece;
  /** The input source it names (negative: from the last), or undefined for every value. */
  readonly source: number | undefined;
  /** Its text, `{2.}`. */
  readonly text: string;
  readonly skip: SkipRule | undefined;
}

/**
 * The replacement string that starts at `at` (a `{`), if one does.
 * @throws OptionError for a --plus pattern that is not a regular expression.
 */
export function replacementAt(
  template: string,
  at: number,
  plus: boolean,
  defined: readonly CompiledRule[] = [],
): Found | undefined {
  const perl = perlAt(template, at);
  if (perl !== undefined) return perl;
  for (const { rule, bare, positional } of [...defined, ...(plus ? PLUS_TABLE : DEFAULT_TABLE)]) {
    for (const regexp of [bare, positional]) {
      regexp.lastIndex = at;
      const match = regexp.exec(template);
      if (match === null) continue;
      const named = regexp === positional;
      const groups = match.slice(named ? 2 : 1);
      try {
        return {
          piece: rule.make(groups),
          source: named ? Number(match[1]) : undefined,
          text: match[0],
          skip: rule.skip,
        };
      } catch (error) {
        throw new OptionError(`Replacement string \`${match[0]}\`: ${(error as Error).message}`);
      }
    }
  }
  return undefined;
}

/** True if a job with these values is skipped by the rule. */
export function skips(rule: SkipRule, values: readonly string[]): boolean {
  if (typeof rule === 'function') return rule(values);
  if (rule === 'uniq') return new Set(values).size !== values.length;
  // GNU's choose_k: the values must increase strictly from source to source.
  return values.some((text, i) => i > 0 && values[i - 1]! >= text);
}
