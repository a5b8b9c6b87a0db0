/**
 * Errors across a thread or process boundary. Structured clone keeps an Error's message and
 * stack but drops its custom name, `code` and other fields, so errors travel as plain records
 * and are revived on the other side with all of those intact.
 */
import { inspect } from 'node:util';

/** An error as it travels. */
export interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable fields (`code`, `errno`, anything the thrower added), if they clone. */
  readonly fields: Record<string, unknown>;
  readonly cause: ErrorRecord | { readonly value: unknown } | undefined;
}

/** Describes any value without running user code that could throw (no toString, no getters). */
function describeSafely(value: unknown): string {
  try {
    return inspect(value, { depth: 2, breakLength: Infinity, getters: false, customInspect: false });
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** Turns anything thrown into a record that survives `postMessage` and JSON. */
export function toErrorRecord(thrown: unknown, depth = 0): ErrorRecord {
  if (!(thrown instanceof Error)) {
    const described = describeSafely(thrown);
    return {
      name: 'NonErrorThrownError',
      message: `Task threw a non-Error value: ${typeof thrown === 'string' ? thrown : described}`,
      stack: undefined,
      fields: { code: 'ANDON_NON_ERROR', value: cloneable(thrown) ? thrown : described },
      cause: undefined,
    };
  }
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (key === 'cause') continue;
    try {
      // A getter may throw; that field is then left out, not the whole error.
      const value: unknown = (thrown as unknown as Record<string, unknown>)[key];
      if (cloneable(value)) fields[key] = value;
    } catch {
      // left out
    }
  }
  let cause: ErrorRecord['cause'];
  if ('cause' in thrown && thrown.cause !== undefined && depth < 8) {
    cause =
      thrown.cause instanceof Error
        ? toErrorRecord(thrown.cause, depth + 1)
        : { value: cloneable(thrown.cause) ? thrown.cause : describeSafely(thrown.cause) };
  }
  return {
    name: String(thrown.name),
    message: String(thrown.message),
    stack: typeof thrown.stack === 'string' ? thrown.stack : undefined,
    fields,
    cause,
  };
}

/** Rebuilds an `Error` with the original name, message, stack, fields and cause. */
export function fromErrorRecord(record: ErrorRecord): Error {
  const error = new Error(record.message);
  Object.defineProperty(error, 'name', { value: record.name, writable: true, configurable: true, enumerable: false });
  if (record.stack !== undefined) error.stack = record.stack;
  Object.assign(error, record.fields);
  if (record.cause !== undefined) {
    const cause = 'message' in record.cause ? fromErrorRecord(record.cause) : record.cause.value;
    Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true, enumerable: false });
  }
  return error;
}
