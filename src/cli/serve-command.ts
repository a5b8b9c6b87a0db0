/**
 * `andon serve [[ADDR:]PORT] [--redis URL [--queue NAME]]`: one live page of every run `andon
 * status` sees (and with --redis the workers), refreshed every second and pushed over
 * Server-Sent Events, with a stop button per run that does what `andon stop` does. The same
 * security as a run's own page (control/live-server.ts): loopback unless told otherwise, a
 * random token on every request, stops only as a POST from the page's own origin.
 */
import { LiveServer } from '../control/live-server.js';
import { overviewPage } from '../control/overview-page-html.js';
import { UsageError } from '../errors.js';
import type { QueueBoardPlan, ServeBoardPlan } from './control-args.js';
import type { ByteSink } from './output.js';
import { reportOf, reportOfRecords } from '../report/report.js';
import { type Board, queueRunJobs, readBoard, type ShownRun, stopRuns } from './run-board.js';
import { isLoopback, notOnLoopbackWarning } from './serve-args.js';

/** What the page shows at a moment. */
interface Overview extends Board {
  /** When the board was read, in epoch ms. */
  readonly at: number;
  /** Why the board may be out of date (Redis unreachable), if it is. */
  readonly problem: string | undefined;
}

/** A page saying why there is no timeline to show. */
const note = (text: string): string =>
  `<!doctype html><meta charset="utf-8"><p style="font:14px system-ui,sans-serif;color:#666">${text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`;

/**
 * The run's timeline, as `andon report` draws it: from its job log, for a run of this machine
 * that writes one; else, for a run on a queue, from the settled jobs its submitter keeps in
 * Redis (wherever it runs).
 */
async function timelineOf(run: ShownRun | undefined, redis: QueueBoardPlan | undefined): Promise<string> {
  if (run === undefined) return note('This run is no longer in progress.');
  try {
    if (run.jobLog !== undefined) return reportOf(run.jobLog).html;
    if (run.queue === undefined || redis === undefined)
      return note(`Run ${run.id} writes no job log, so there is no timeline to draw here (its --serve page has one).`);
    const records = await queueRunJobs(redis, { ...run, queue: run.queue });
    if (records.length === 0 && run.command === undefined)
      return note(`Run ${run.id} is a library's pool, which keeps no timeline on the queue.`);
    return reportOfRecords(`andon: run ${run.id} on ${run.host}`, records).html;
  } catch (error) {
    return note((error as Error).message);
  }
}

/** The board is read this often. */
const REFRESH_MS = 1_000;

/** Serves the page until SIGINT or SIGTERM; resolves with the exit code. @throws UsageError for a port in use */
export async function serveBoard(plan: ServeBoardPlan, stderr: ByteSink): Promise<number> {
  // A bad --redis fails here, in one line, before anything listens.
  let overview: Overview = { ...(await readBoard(plan.redis)), at: Date.now(), problem: undefined };
  const server = new LiveServer<Overview>(
    {
      ...plan.listen,
      page: overviewPage(),
      documents: {
        '/report': (query) =>
          timelineOf(
            overview.runs.find((shown) => shown.id === query.get('run')),
            plan.redis,
          ),
      },
      stop: async (request) => {
        const run = overview.runs.find((shown) => shown.id === request.run);
        if (run === undefined) throw new Error(`run ${String(request.run)} is no longer in progress`);
        const [answer] = await stopRuns(
          run.id,
          request.force === true,
          run.queue === undefined ? undefined : plan.redis,
        );
        return answer?.state;
      },
    },
    () => overview,
  );
  const { host, port } = plan.listen;
  const url = await server.listen().catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(
      error.code === 'EADDRINUSE'
        ? `${host}:${port} is in use; give andon serve another port (0 picks a free one)`
        : `andon serve cannot listen on ${host}:${port}: ${error.message}`,
    );
  });
  stderr.write(`andon: live page of every run: ${url}\n`);
  if (!isLoopback(host)) stderr.write(`${notOnLoopbackWarning(host, 'runs')}\n`);
  const refresh = setInterval(() => {
    readBoard(plan.redis).then(
      (board) => {
        overview = { ...board, at: Date.now(), problem: undefined };
        server.changed();
      },
      (error: Error) => {
        overview = { ...overview, problem: `not up to date: ${error.message}` };
        server.changed();
      },
    );
  }, REFRESH_MS);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(refresh);
  server.close(() => overview);
  return 0;
}
