/** `--serve[=[ADDR:]PORT]` on the command line (the page itself is live-run.ts, loaded only when asked for). */
import { UsageError } from '../errors.js';

/** Where the page listens. */
export interface ServePlan {
  readonly host: string;
  readonly port: number;
}

/**
 * `--serve`'s value (or `andon serve`'s, with `spelling` 'andon serve '): nothing (a free port
 * on 127.0.0.1), PORT, or ADDR:PORT. @throws UsageError
 */
export function servePlanOf(text: string, spelling = '--serve='): ServePlan {
  if (text === '') return { host: '127.0.0.1', port: 0 };
  const found = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(text);
  const port = Number(found?.[2]);
  if (found === null || port > 65_535)
    throw new UsageError(
      `${spelling}${text}: give a port (0-65535) or ADDR:PORT, e.g. ${spelling}8080 or ${spelling}127.0.0.1:8080`,
    );
  return { host: found[1] || '127.0.0.1', port };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host);
}

/** The warning for a page listening off loopback: its stop buttons reach `what` (the run, or runs). */
export function notOnLoopbackWarning(host: string, what: 'the run' | 'runs'): string {
  return `andon: warning: the live page listens on ${host} without TLS: anyone who sees the token can stop ${what}; put TLS in front of it`;
}
