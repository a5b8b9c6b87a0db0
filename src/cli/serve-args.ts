/** `--serve[=[ADDR:]PORT]` on the command line (the page itself is live-run.ts, loaded only when asked for). */
import { UsageError } from '../errors.js';

/** Where the page listens. */
export interface ServePlan {
  readonly host: string;
  readonly port: number;
}

/** `--serve`'s value: nothing (a free port on 127.0.0.1), PORT, or ADDR:PORT. @throws UsageError */
export function servePlanOf(text: string): ServePlan {
  if (text === '') return { host: '127.0.0.1', port: 0 };
  const found = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(text);
  const port = Number(found?.[2]);
  if (found === null || port > 65_535)
    throw new UsageError(
      `--serve=${text}: give a port (0-65535) or ADDR:PORT, e.g. --serve=8080 or --serve=127.0.0.1:8080`,
    );
  return { host: found[1] || '127.0.0.1', port };
}
