#!/usr/bin/env node
/**
 * The `andon` command: parses the command line and hands it to the library. Usage errors are
 * one line on stderr and exit code 255, as GNU parallel.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { displayArgs, parseCommandLine } from './args.js';
import { DEMO_ARGS, DEMO_JOB_LOG, demoPlan } from './demo.js';
import { helpText } from './help.js';
import { runPlan } from './run.js';
import { ProcessEnd } from './process-end.js';
import { runWorker } from './worker.js';
import { UsageError } from '../errors.js';
import { writeReport } from '../report/report.js';
import { JobLogError } from '../joblog/job-log-error.js';

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
    const plan = parseCommandLine(argv, availableParallelism());
    switch (plan.action) {
      case 'help':
        process.stdout.write(helpText(availableParallelism()));
        return 0;
      case 'version':
        process.stdout.write(`${version()}\n`);
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
        process.stderr.write(`  the same by hand: andon ${displayArgs(DEMO_ARGS)}\n\n`);
        processEnd.running();
        const code = await runPlan(demo, io, { alwaysSummarize: true });
        if (code === 130) process.stderr.write('andon demo: run `andon demo` again to pull the rest.\n');
        return code;
      }
      case 'run':
        processEnd.running();
        return await runPlan(plan, io);
      case 'worker':
        diesOfItsSignal = false;
        processEnd.running();
        return await runWorker(plan, process.stderr);
      case 'report': {
        const shown = writeReport(plan.jobLog, plan.output);
        process.stderr.write(`andon: wrote ${plan.output} (${shown} jobs)\n`);
        return 0;
      }
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof JobLogError) {
      process.stderr.write(`andon: ${error.message}\n`);
      return 255;
    }
    throw error;
  }
}

/** False for `andon worker`: a stopped worker exits 0, since SIGTERM is how a worker is told to go. */
let diesOfItsSignal = true;
const code = await cli(process.argv.slice(2));
processEnd.exit(code, diesOfItsSignal);
