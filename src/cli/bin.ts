#!/usr/bin/env node
/**
 * The `andon` command: parses the command line and hands it to the library. Every error that
 * ends it is one line on stderr and exit code 255, as GNU parallel's usage errors.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { displayArgs, parseCommandLine } from './args.js';
import { userOptionDefaults } from './option-defaults.js';
import { DEMO_ARGS, DEMO_JOB_LOG, demoPlan } from './demo.js';
import { helpFor } from './help.js';
import { invokedAs } from './invoked-as.js';
import { runPlan } from './run.js';
import { ProcessEnd } from './process-end.js';
import { rawArguments } from './raw-args.js';
import { isAndonError } from '../errors.js';
import { describeNativeSpawn } from '../run/process/native-spawn.js';

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

const processEnd = new ProcessEnd();
processEnd.install([process.stdout, process.stderr]);

async function cli(argv: readonly string[]): Promise<number> {
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  try {
    const plan = parseCommandLine(argv, availableParallelism(), userOptionDefaults(process.env));
    switch (plan.action) {
      case 'help':
        process.stdout.write(helpFor(plan.topic, availableParallelism()));
        return 0;
      case 'version':
        process.stdout.write(`${version()}\n${describeNativeSpawn()}\n`);
        return 0;
      case 'demo': {
        const { plan: demo, alreadyPulled } = demoPlan();
        process.stderr.write(
          `andon demo: pulling 10 images, 3 at a time (simulated). Press Ctrl+C to stop; twice to force.\n`,
        );
        if (alreadyPulled > 0)
          process.stderr.write(
            `  resuming: ${alreadyPulled} of 10 were pulled before the last Ctrl+C (job log ${DEMO_JOB_LOG})\n`,
          );
        process.stderr.write(`  the same by hand: ${invokedAs()} ${displayArgs(DEMO_ARGS)}\n\n`);
        processEnd.running();
        const code = await runPlan(demo, io, { alwaysSummarize: true });
        if (code === 130) process.stderr.write(`andon demo: run \`${invokedAs()} demo\` again to pull the rest.\n`);
        return code;
      }
      case 'run':
        processEnd.running();
        return await runPlan(plan, io);
      case 'worker':
        diesOfItsSignal = false;
        processEnd.running();
        // Loaded only here: a run's start-up pays for no module it does not use.
        return await (await import('./worker.js')).runWorker(plan, process.stderr);
      case 'status':
        return await (await import('./control-commands.js')).showStatus(plan, process.stdout);
      case 'stop':
        return await (await import('./control-commands.js')).stopRunsAsAsked(plan, process.stderr);
      case 'serve':
        // Ctrl+C is how a page server is told to go: it closes and exits 0, as a worker does.
        diesOfItsSignal = false;
        processEnd.signalsAnsweredByCommand();
        return await (await import('./serve-command.js')).serveBoard(plan, process.stderr);
      case 'report': {
        const { writeReport } = await import('../report/report.js');
        const shown = writeReport(plan.jobLog, plan.output);
        process.stderr.write(`andon: wrote ${plan.output} (${shown} jobs)\n`);
        return 0;
      }
    }
  } catch (error) {
    process.stderr.write(`andon: ${describeFailure(error)}\n`);
    return 255;
  }
}

/**
 * Whatever ended the command, in one line: andon's own errors and the system's (EACCES, EIO)
 * say what to fix; anything else is a fault in andon, whose stack ANDON_DEBUG=1 prints.
 */
function describeFailure(error: unknown): string {
  if (isAndonError(error)) return error.message;
  if (!(error instanceof Error)) return `unexpected failure: ${String(error)}`;
  if (process.env.ANDON_DEBUG === '1') return error.stack ?? error.message;
  if (typeof (error as NodeJS.ErrnoException).code === 'string') return error.message;
  return `unexpected ${error.name}: ${error.message} (ANDON_DEBUG=1 prints where)`;
}

/** False for `andon worker` and `andon serve`: stopped, they exit 0, since a signal is how they are told to go. */
let diesOfItsSignal = true;
const code = await cli(rawArguments());
processEnd.exit(code, diesOfItsSignal);
