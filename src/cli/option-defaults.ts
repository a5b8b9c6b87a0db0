/**
 * Options a user keeps outside the command line, read as GNU parallel reads them: the config
 * profiles (`/etc/parallel/config`, `config` in each of `$PARALLEL_HOME`,
 * `$XDG_CONFIG_HOME/parallel`, `$XDG_CONFIG_DIRS/parallel` and `~/.parallel`, and
 * `~/.parallelrc`), or instead the profiles named by `--profile`/`-J`, then `$PARALLEL`. The
 * command line's own options come last and so win; `--plain` leaves all of them out.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { type ScannedOptions, scanOptions } from './option-scan.js';

/** Where the default options come from: the environment and the files (injected, for tests). */
export interface OptionDefaults {
  /** The profiles' words, in order: the config files, or the profiles named by `--profile`. */
  profileWords(named: readonly string[]): readonly string[];
  /** `$PARALLEL`'s words. */
  environmentWords(): readonly string[];
}

/** No default options (the library's and the tests' parse). */
export const NO_OPTION_DEFAULTS: OptionDefaults = { profileWords: () => [], environmentWords: () => [] };

/**
 * `text` split into words as a POSIX shell splits them (and as Perl's `shellwords`, which GNU
 * parallel uses): blanks separate words, `'...'` is literal, `"..."` and a bare `\` escape the
 * next character. @throws UsageError on an unterminated quote
 */
export function shellWords(text: string, where: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    word ??= '';
    if (char === '\\') {
      word += text[++at] ?? '';
    } else if (char === "'" || char === '"') {
      const close = closingQuote(text, at, char);
      if (close === -1) throw new UsageError(`${where}: unterminated ${char} quote; close it or escape it with \\`);
      const inside = text.slice(at + 1, close);
      word += char === '"' ? inside.replace(/\\(.)/gs, '$1') : inside;
      at = close;
    } else {
      word += char;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function closingQuote(text: string, open: number, quote: string): number {
  for (let at = open + 1; at < text.length; at++) {
    if (quote === '"' && text[at] === '\\') at++;
    else if (text[at] === quote) return at;
  }
  return -1;
}

const isDirectory = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();

/** A profile file's words: every line not starting with `#`. */
function wordsOfProfile(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .flatMap((line) => shellWords(line, path));
}

/** The default options of the user running andon, from `env` and the files it names. */
export function userOptionDefaults(env: NodeJS.ProcessEnv): OptionDefaults {
  const home = env.HOME ?? '/tmp';
  const configDirs = [
    env.PARALLEL_HOME,
    ...[env.XDG_CONFIG_HOME, ...(env.XDG_CONFIG_DIRS ?? '').split(':')].map((dir) =>
      dir ? join(dir, 'parallel') : undefined,
    ),
    join(home, '.parallel'),
  ].filter((dir): dir is string => dir !== undefined && dir !== '' && isDirectory(dir));
  return {
    profileWords(named) {
      if (named.length === 0) {
        // The config files are read where they exist; none needs to.
        const configs = [
          '/etc/parallel/config',
          ...configDirs.map((dir) => join(dir, 'config')),
          join(home, '.parallelrc'),
        ];
        return configs.filter((path) => existsSync(path)).flatMap(wordsOfProfile);
      }
      return named.flatMap((name) => {
        // ./name and /name are paths; any other name is looked up in the config directories.
        const candidates = /^\.?\//.test(name) ? [name] : configDirs.map((dir) => join(dir, name));
        const found = candidates.filter((path) => existsSync(path));
        if (found.length === 0)
          throw new UsageError(
            `--profile ${name}: no such profile (looked in ${candidates.join(', ') || '~/.parallel'}); create it or give its path`,
          );
        return found.flatMap(wordsOfProfile);
      });
    },
    environmentWords: () => (env.PARALLEL ? shellWords(env.PARALLEL, '$PARALLEL') : []),
  };
}

/** Options and the words after them (a profile may hold a command prefix such as `nice`). */
function splitAtOptionsEnd(words: readonly string[], where: string): { options: string[]; rest: string[] } {
  let end: number;
  try {
    end = scanOptions(words).end;
  } catch (error) {
    throw error instanceof UsageError ? new UsageError(`${where}: ${error.message}`) : error;
  }
  const options = words.slice(0, end);
  if (options.at(-1) === '--') options.pop();
  return { options, rest: words.slice(end) };
}

/**
 * `argv` with the default options before its own, as GNU parallel puts them: the profiles'
 * options, `$PARALLEL`'s, the command line's; then any words after the profiles' and
 * `$PARALLEL`'s options, before the command. `argv` itself when there are none or `--plain` is given.
 */
export function withDefaultOptions(
  argv: readonly string[],
  given: ScannedOptions,
  defaults: OptionDefaults,
): readonly string[] {
  if (given.flags.has('plain')) return argv;
  const profile = splitAtOptionsEnd(defaults.profileWords(given.lists.get('profile') ?? []), 'in a profile');
  const environment = splitAtOptionsEnd(defaults.environmentWords(), 'in $PARALLEL');
  if (profile.options.length + profile.rest.length + environment.options.length + environment.rest.length === 0)
    return argv;
  return [
    ...profile.options,
    ...environment.options,
    ...argv.slice(0, given.end),
    ...profile.rest,
    ...environment.rest,
    ...argv.slice(given.end),
  ];
}
