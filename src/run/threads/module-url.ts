/** Where a worker module is: a path or a `file:` URL, checked before any thread starts. */
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OptionError } from '../../errors.js';
import { optionError } from '../../options/validate.js';

/** The module's `file:` URL. @throws OptionError if it is not a file path or URL, or does not exist. */
export function resolveModuleUrl(module: unknown): string {
  let url: URL;
  if (module instanceof URL) url = module;
  else if (typeof module === 'string' && /^[a-z][a-z\d+.-]+:/i.test(module)) url = new URL(module);
  else if (typeof module === 'string' && module !== '') url = pathToFileURL(resolvePath(module));
  else throw optionError('module', 'a path or a file: URL of the module that exports the task', module);
  if (url.protocol !== 'file:')
    throw optionError('module', 'a path or a file: URL of the module that exports the task', String(url));
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new OptionError(
      `Worker module not found: ${path}; pass a path relative to the current directory or new URL('./task.js', import.meta.url)`,
    );
  }
  return url.href;
}
