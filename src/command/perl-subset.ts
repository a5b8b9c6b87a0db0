/**
 * The Perl that GNU parallel's `{= expression =}` and `--rpl` hold most often, read without
 * Perl: statements on `$_` separated by `;` — `s/PATTERN/REPLACEMENT/[gims]` (any delimiter),
 * `tr/` or `y/SEARCH/REPLACE/`, `$_++`, `$_--`, `$_ OP= N` (`+ - * / % .`), and
 * `$_ = uc($_)` with `lc`, `ucfirst`, `lcfirst`. Patterns are JavaScript regular expressions,
 * which read the common Perl ones the same. Anything else is refused with one line, never run
 * as something it is not.
 */
import { OptionError } from '../errors.js';
import { shellQuote } from './quote.js';

/** What a statement does to `$_`. */
type Step = (value: string) => string;

const ALTERNATIVE =
  'andon reads s///, y///, $_++, $_ OP= N, $_ = "text", uc/lc/Q($_), total_jobs() and if (...) { skip() } in {= =}; for anything else transform the values before andon, or in the command, e.g. "$(echo {} | sed s/a/A/)"';

function refused(expression: string, why: string): OptionError {
  return new OptionError(`{= ${expression.trim()} =}: ${why}; ${ALTERNATIVE}`);
}

/** Reads `text` from `at` up to the unescaped `delimiter`; returns the part and where it ended. */
function delimited(text: string, at: number, delimiter: string): { part: string; end: number } | undefined {
  let part = '';
  for (let i = at; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i + 1 < text.length) {
      // An escaped delimiter is the character itself; any other escape stays for the regex.
      part += text[i + 1] === delimiter ? delimiter : `\\${text[i + 1]}`;
      i++;
    } else if (char === delimiter) return { part, end: i + 1 };
    else part += char;
  }
  return undefined;
}

const STRING_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', e: '\x1b' };

/** Perl's interpolation of a replacement: `$1`, `${1}`, `$&`, and backslash escapes. */
function interpolator(replacement: string, expression: string): (match: string, groups: string[]) => string {
  const parts: ((match: string, groups: string[]) => string)[] = [];
  const token = /\$\{(\d+)\}|\$(\d+)|\$&|\\(.)|\$|[^$\\]+/gs;
  for (const [text, braced, plain, escaped] of replacement.matchAll(token)) {
    const group = braced ?? plain;
    if (group !== undefined) parts.push((_, groups) => groups[Number(group) - 1] ?? '');
    else if (text === '$&') parts.push((match) => match);
    else if (escaped !== undefined) parts.push(() => STRING_ESCAPES[escaped] ?? escaped);
    else if (text === '$') throw refused(expression, `the replacement \`${replacement}\` uses a variable`);
    else parts.push(() => text);
  }
  return (match, groups) => parts.map((part) => part(match, groups)).join('');
}

/** `s/PATTERN/REPLACEMENT/FLAGS` from `at` (after the `s`). */
function substitution(text: string, at: number, expression: string): { step: Step; end: number } {
  const delimiter = text[at]!;
  const pattern = delimited(text, at + 1, delimiter);
  const replacement = pattern === undefined ? undefined : delimited(text, pattern.end, delimiter);
  if (pattern === undefined || replacement === undefined) throw refused(expression, 'an s/// is not closed');
  const flags = /^[a-z]*/.exec(text.slice(replacement.end))![0];
  if (/[^gims]/.test(flags)) throw refused(expression, `s///${flags} has a modifier andon does not read`);
  let regexp: RegExp;
  try {
    regexp = new RegExp(pattern.part, [...new Set(flags)].join(''));
  } catch {
    throw refused(expression, `\`${pattern.part}\` is not a regular expression andon can read`);
  }
  const interpolate = interpolator(replacement.part, expression);
  const step: Step = (value) =>
    value.replace(regexp, (match: string, ...rest: unknown[]) => {
      const groups = rest.slice(0, -2).map((group) => (group === undefined ? '' : String(group)));
      return interpolate(match, groups);
    });
  return { step, end: replacement.end + flags.length };
}

/** `a-z` and the like written out, as tr/// reads its lists. */
function characterList(list: string): string[] {
  const chars = [...list.replace(/\\(.)/g, (_, char: string) => STRING_ESCAPES[char] ?? char)];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i + 1] === '-' && i + 2 < chars.length) {
      for (let code = chars[i]!.codePointAt(0)!; code <= chars[i + 2]!.codePointAt(0)!; code++)
        out.push(String.fromCodePoint(code));
      i += 2;
    } else out.push(chars[i]!);
  }
  return out;
}

/** `tr/SEARCH/REPLACE/` or `y///` from `at` (after the `tr` or `y`), no modifiers. */
function transliteration(text: string, at: number, expression: string): { step: Step; end: number } {
  const delimiter = text[at]!;
  const search = delimited(text, at + 1, delimiter);
  const replace = search === undefined ? undefined : delimited(text, search.end, delimiter);
  if (search === undefined || replace === undefined) throw refused(expression, 'a tr/// is not closed');
  if (/^[a-z]/.test(text.slice(replace.end))) throw refused(expression, 'tr/// with modifiers is not read');
  const from = characterList(search.part);
  const to = characterList(replace.part);
  const map = new Map<string, string>();
  for (const [i, char] of from.entries())
    if (!map.has(char)) map.set(char, to.length === 0 ? char : (to[i] ?? to.at(-1)!));
  return { step: (value) => [...value].map((char) => map.get(char) ?? char).join(''), end: replace.end };
}

/** Perl's `++` on a string: a number goes up by one; `az` → `ba`, `Zz` → `AAa`, `a9` → `b0`. */
function incremented(value: string): string {
  if (/^\s*-?\d+(\.\d+)?\s*$/.test(value)) return String(Number(value) + 1);
  if (!/^[a-zA-Z]*[0-9]*$/.test(value) || value === '') return String(numeric(value) + 1);
  const chars = [...value];
  for (let i = chars.length - 1; i >= 0; i--) {
    const char = chars[i]!;
    const [last, first] = /\d/.test(char) ? ['9', '0'] : /[a-z]/.test(char) ? ['z', 'a'] : ['Z', 'A'];
    if (char !== last) {
      chars[i] = String.fromCharCode(char.charCodeAt(0) + 1);
      return chars.join('');
    }
    chars[i] = first!;
  }
  const head = chars[0]!;
  return (/\d/.test(head) ? '1' : head) + chars.join('');
}

/** Perl's numeric value of a string: its leading number, else 0. */
const numeric = (value: string): number => Number(/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(value)?.[0] ?? 0);

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  // Perl's % takes integers and follows the sign of the right operand.
  '%': (a, b) => ((Math.trunc(a) % Math.trunc(b)) + Math.trunc(b)) % Math.trunc(b),
};

const CASES: Record<string, Step> = {
  uc: (value) => value.toUpperCase(),
  lc: (value) => value.toLowerCase(),
  ucfirst: (value) => value.charAt(0).toUpperCase() + value.slice(1),
  lcfirst: (value) => value.charAt(0).toLowerCase() + value.slice(1),
  // GNU's Q(): the value shell-quoted (and then quoted again as every value is).
  Q: shellQuote,
};

/** A statement that is not s/// or tr///: `$_++`, `$_ += 2`, `$_ .= "x"`, `$_ = uc($_)`. */
function assignment(statement: string, expression: string): Step {
  if (/^(\$_\s*\+\+|\+\+\s*\$_)$/.test(statement)) return incremented;
  if (/^(\$_\s*--|--\s*\$_)$/.test(statement)) return (value) => String(numeric(value) - 1);
  const operation = /^\$_\s*([-+*/%.])=\s*(?:(-?\d+(?:\.\d+)?)|"([^"$\\]*)"|'([^']*)')$/.exec(statement);
  if (operation !== null) {
    const [, operator, number, double, single] = operation;
    const operand = number ?? double ?? single ?? '';
    if (operator === '.') return (value) => value + operand;
    if (number === undefined) throw refused(expression, `\`${statement}\` needs a number`);
    const apply = ARITHMETIC[operator!]!;
    return (value) => String(apply(numeric(value), Number(number)));
  }
  const changed = /^\$_\s*=\s*(uc|lc|ucfirst|lcfirst|Q)(?:\s*\(\s*\$_\s*\)|\s*\(\s*\))?$/.exec(statement);
  if (changed !== null) return CASES[changed[1]!]!;
  const string = stringAssignment(statement, expression);
  if (string !== undefined) return string;
  throw refused(expression, `\`${statement}\` is Perl andon does not read`);
}

/** `$_ = "text with $_"` (escapes and `$_` interpolated; any other variable refused) or `$_ = 'text'`. */
function stringAssignment(statement: string, expression: string): Step | undefined {
  const single = /^\$_\s*=\s*'([^']*)'$/.exec(statement);
  if (single !== null) return () => single[1]!;
  const double = /^\$_\s*=\s*"((?:[^"\\]|\\.)*)"$/s.exec(statement);
  if (double === null) return undefined;
  const parts: (string | null)[] = [];
  for (const [text, escaped] of double[1]!.matchAll(/\\(.)|\$_|\$|[^$\\]+/gs)) {
    if (escaped !== undefined) parts.push(STRING_ESCAPES[escaped] ?? escaped);
    else if (text === '$_') parts.push(null);
    else if (text === '$') throw refused(expression, `\`${statement}\` uses a variable other than $_`);
    else parts.push(text);
  }
  return (value) => parts.map((part) => part ?? value).join('');
}

const COMPARISONS: Record<string, (a: string, b: string) => boolean> = {
  '==': (a, b) => numeric(a) === numeric(b),
  '!=': (a, b) => numeric(a) !== numeric(b),
  '<': (a, b) => numeric(a) < numeric(b),
  '>': (a, b) => numeric(a) > numeric(b),
  '<=': (a, b) => numeric(a) <= numeric(b),
  '>=': (a, b) => numeric(a) >= numeric(b),
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt: (a, b) => a < b,
  gt: (a, b) => a > b,
};

/** A comparison's side: `$_` (each value), `$arg[N]` (source N's), a number or a quoted string. */
type Operand = (value: string, values: readonly string[]) => string;

function operand(text: string): Operand | undefined {
  if (text === '$_') return (value) => value;
  const arg = /^\$arg\[(\d+)\]$/.exec(text);
  if (arg !== null) return (_, values) => values[Number(arg[1]) - 1] ?? '';
  const literal = /^(-?\d+(?:\.\d+)?)$|^'([^']*)'$|^"([^"$\\]*)"$/.exec(text);
  if (literal === null) return undefined;
  const fixed = literal[1] ?? literal[2] ?? literal[3] ?? '';
  return () => fixed;
}

/**
 * GNU's `if (CONDITION) { skip() }` as the whole expression: whether a job with these values
 * is skipped. CONDITION compares `$_`, `$arg[N]`, numbers and strings (`== != < > <= >= eq ne
 * lt gt`), joined by `or`/`||` or `and`/`&&`. Undefined when the expression is not that form.
 * @throws OptionError for a condition andon does not read
 */
export function perlSkip(expression: string): ((values: readonly string[]) => boolean) | undefined {
  const form = /^\s*if\s*\((.*)\)\s*\{\s*skip\(\)\s*;?\s*\}\s*;?\s*$/s.exec(expression);
  if (form === null) return undefined;
  const joiner = /\s+(?:or|and)\s+|\|\||&&/;
  if (/\|\|| or /.test(form[1]!) && /&&| and /.test(form[1]!))
    throw refused(expression, 'a condition mixing or and and is not read');
  const any = /\|\|| or /.test(form[1]!);
  const tests = form[1]!.split(joiner).map((part) => {
    const test = /^\s*(\S+)\s*(==|!=|<=|>=|<|>|eq|ne|lt|gt)\s*(\S+)\s*$/.exec(part);
    const left = test === null ? undefined : operand(test[1]!);
    const right = test === null ? undefined : operand(test[3]!);
    if (test === null || left === undefined || right === undefined)
      throw refused(expression, `the condition \`${part.trim()}\` is Perl andon does not read`);
    const compare = COMPARISONS[test[2]!]!;
    return (value: string, values: readonly string[]) => compare(left(value, values), right(value, values));
  });
  const holds = (value: string, values: readonly string[]): boolean =>
    any ? tests.some((test) => test(value, values)) : tests.every((test) => test(value, values));
  // $_ is each value in turn, as GNU applies the expression to every value of the job.
  return (values) => values.some((value) => holds(value, values));
}

/** The statement that starts at `at`: its step and where it ends. */
function statementAt(text: string, at: number, expression: string): { step: Step; end: number } {
  const quoted = /^(s|tr|y)([^\w\s;])/.exec(text.slice(at));
  if (quoted !== null) {
    const after = at + quoted[1]!.length;
    return quoted[1] === 's' ? substitution(text, after, expression) : transliteration(text, after, expression);
  }
  const end = text.indexOf(';', at);
  const statement = text.slice(at, end === -1 ? text.length : end).trim();
  return { step: assignment(statement, expression), end: end === -1 ? text.length : end };
}

/**
 * The transform a `{= expression =}` (or a --rpl's) stands for: its statements applied to the
 * value in turn. @throws OptionError for Perl andon does not read
 */
export function perlTransform(expression: string): (value: string) => string {
  const steps: Step[] = [];
  let at = 0;
  for (;;) {
    while (at < expression.length && /[\s;]/.test(expression[at]!)) at++;
    if (at >= expression.length) break;
    const { step, end } = statementAt(expression, at, expression);
    steps.push(step);
    at = end;
    while (at < expression.length && /\s/.test(expression[at]!)) at++;
    if (at < expression.length && expression[at] !== ';')
      throw refused(expression, `\`${expression.slice(at).trim()}\` is Perl andon does not read`);
  }
  return (value) => steps.reduce((changed, step) => step(changed), value);
}
