#!/usr/bin/env node
/**
 * Checks andon's layering: every file under src/ belongs to a layer, and imports (relatively)
 * only from its own layer and the layers the table below allows it. Type-only imports count:
 * a type is as much a dependency as a value.
 *
 *   node scripts/check-layers.mjs [ROOT]     (ROOT defaults to the repository root)
 *
 * Prints one line per offending import (or file in no layer) on stderr and exits 1; exits 0
 * when the tree keeps to the table. No dependencies: a small scanner skips comments and the
 * insides of strings, template literals and regular expressions, so an import written in a
 * comment or a string does not count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layers, lowest first: which files each holds (a file, or `dir/**` for everything under
 * a folder) and which other layers it may import. A layer may always import itself.
 */
export const LAYERS = [
  {
    name: 'base',
    files: ['src/errors.ts', 'src/bytes.ts', 'src/format.ts', 'src/uncaught.ts', 'src/options/**', 'src/stop/**'],
    mayImport: [],
  },
  { name: 'command', files: ['src/command/**'], mayImport: ['base'] },
  { name: 'run', files: ['src/run/**'], mayImport: ['base', 'command'] },
  { name: 'pool', files: ['src/pool/**'], mayImport: ['base', 'run'] },
  { name: 'interrupt', files: ['src/interrupt/**'], mayImport: ['base'] },
  { name: 'joblog', files: ['src/joblog/**'], mayImport: ['base', 'pool'] },
  { name: 'output', files: ['src/output/**'], mayImport: ['base', 'pool'] },
  { name: 'report', files: ['src/report/**'], mayImport: ['base', 'joblog'] },
  { name: 'control', files: ['src/control/**'], mayImport: ['base', 'pool'] },
  {
    name: 'api',
    files: ['src/index.ts', 'src/main.ts', 'src/api/**'],
    mayImport: ['base', 'command', 'run', 'pool', 'interrupt', 'joblog', 'output', 'report', 'control'],
  },
  { name: 'redis', files: ['src/redis/**'], mayImport: ['base', 'command', 'run', 'pool', 'interrupt', 'control'] },
  { name: 'cli', files: ['src/cli/**'], mayImport: '*' },
];

const SOURCE = /\.(?:ts|mts|cts|tsx)$/;

/** The layer a repository-relative path (with forward slashes) belongs to, or undefined. */
export function layerOf(path) {
  return LAYERS.find((layer) =>
    layer.files.some((pattern) => (pattern.endsWith('/**') ? path.startsWith(pattern.slice(0, -2)) : path === pattern)),
  );
}

function mayImport(from, to) {
  return from === to || from.mayImport === '*' || from.mayImport.includes(to.name);
}

function allowedText(layer) {
  return layer.mayImport.length === 0
    ? `${layer.name} may import no other layer`
    : `${layer.name} may import only ${layer.mayImport.join(', ')}`;
}

/** Every TypeScript file under `dir`, as paths relative to `root` with forward slashes. */
function sourceFiles(root, dir) {
  const found = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && SOURCE.test(entry.name)) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found.sort();
}

const REGEX_AFTER = new Set([
  '(',
  ',',
  '=',
  ':',
  '[',
  '!',
  '&',
  '|',
  '?',
  '{',
  '}',
  ';',
  '+',
  '-',
  '*',
  '%',
  '<',
  '>',
  '~',
  '^',
]);
const REGEX_AFTER_WORD =
  /(?:^|[^\w$.])(?:return|typeof|case|do|else|in|of|instanceof|new|delete|void|throw|yield|await)$/;

/**
 * The code of a module with every comment removed and every string literal replaced by
 * `"@N"`, N indexing `strings` (its value, escapes left as written); template literals and
 * regular expressions become empty placeholders. Enough to find import specifiers, which are
 * always plain string literals, without being misled by text that merely looks like one.
 */
export function mask(text) {
  const strings = [];
  let code = '';
  let i = 0;
  /** The last character of code emitted that is not white space (for telling `/` apart). */
  const previous = () => code.trimEnd();
  const skipString = (quote) => {
    let value = '';
    i++;
    while (i < text.length && text[i] !== quote && text[i] !== '\n') {
      if (text[i] === '\\') {
        value += text.slice(i, i + 2);
        i += 2;
      } else value += text[i++];
    }
    i++;
    return value;
  };
  const skipTemplate = () => {
    i++;
    while (i < text.length && text[i] !== '`') {
      if (text[i] === '\\') i += 2;
      else if (text[i] === '$' && text[i + 1] === '{') {
        i += 2;
        scan('}');
        i++;
      } else i++;
    }
    i++;
  };
  const skipRegex = () => {
    let inClass = false;
    i++;
    while (i < text.length && text[i] !== '\n') {
      const c = text[i];
      if (c === '\\') i += 2;
      else {
        i++;
        if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        else if (c === '/' && !inClass) break;
      }
    }
    while (i < text.length && /[a-z]/i.test(text[i])) i++;
  };
  /** Scans code until `end` (a `}` closing a template's `${`) at depth 0, or the end of text. */
  function scan(end) {
    let depth = 0;
    while (i < text.length) {
      const c = text[i];
      const next = text[i + 1];
      if (c === '/' && next === '/') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === '/' && next === '*') {
        const close = text.indexOf('*/', i + 2);
        i = close === -1 ? text.length : close + 2;
        code += ' ';
      } else if (c === '"' || c === "'") {
        strings.push(skipString(c));
        code += `"@${strings.length - 1}"`;
      } else if (c === '`') {
        skipTemplate();
        code += '``';
      } else if (c === '/') {
        const before = previous();
        const last = before.at(-1);
        if (last === undefined || REGEX_AFTER.has(last) || REGEX_AFTER_WORD.test(before)) {
          skipRegex();
          code += '/re/';
        } else {
          code += c;
          i++;
        }
      } else {
        if (c === '{') depth++;
        else if (c === '}') {
          if (depth === 0 && end === '}') return;
          depth--;
        }
        code += c;
        i++;
      }
    }
  }
  scan(undefined);
  return { code, strings };
}

const IMPORTS = [
  // import x from '…', import { a, type B } from '…', import type { C } from '…', import * as d from '…'
  /(?:^|[^\w$.])import\s+(?!\()[^;"]*?\bfrom\s*"@(\d+)"/g,
  // import '…' (for its side effects)
  /(?:^|[^\w$.])import\s*"@(\d+)"/g,
  // export * from '…', export * as e from '…', export { f } from '…', export type { G } from '…'
  /(?:^|[^\w$.])export\s+(?:type\s+)?(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*"@(\d+)"/g,
  // import('…'), in code or in a type (typeof import('…'))
  /(?:^|[^\w$.])import\s*\(\s*"@(\d+)"\s*[,)]/g,
];

/** The specifiers a module's text imports or re-exports from, in order of appearance. */
export function importsOf(text) {
  const { code, strings } = mask(text);
  const found = [];
  for (const pattern of IMPORTS) {
    for (const match of code.matchAll(pattern)) found.push({ at: match.index, specifier: strings[Number(match[1])] });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.specifier);
}

/** The source file a relative specifier names, relative to the root: `./x.js` is `x.ts`. */
function target(file, specifier) {
  const path = posix.normalize(posix.join(posix.dirname(file), specifier));
  return path.replace(/\.([mc]?)js(x?)$/, '.$1ts$2');
}

/** The problems in the tree at `root`, one line each. */
export function check(root) {
  const problems = [];
  for (const file of sourceFiles(root, join(root, 'src'))) {
    const layer = layerOf(file);
    if (layer === undefined) {
      problems.push(`${file} belongs to no layer; add it to the table in scripts/check-layers.mjs`);
      continue;
    }
    for (const specifier of importsOf(readFileSync(join(root, file), 'utf8'))) {
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) continue;
      const to = target(file, specifier);
      if (!to.startsWith('src/')) {
        problems.push(`${file} imports ${to}, which is outside src/`);
        continue;
      }
      const toLayer = layerOf(to);
      // A file in no layer is reported as such; what imports it is judged once it has one.
      if (toLayer !== undefined && !mayImport(layer, toLayer))
        problems.push(`${file} imports ${to}: ${allowedText(layer)}`);
    }
  }
  // Two statements importing from the same file (a type and a value) make one line.
  return [...new Set(problems)];
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const problems = check(root);
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  if (problems.length > 0) {
    process.stderr.write(`layers: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    process.exitCode = 1;
  }
}
