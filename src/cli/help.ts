/** The text of `andon --help`. Every option listed here works; differences from GNU parallel are named. */
import { DEFAULTS } from '../options/defaults.js';

/** What `--help` was asked about: a run, or one of the subcommands. */
export type HelpTopic = 'run' | 'report' | 'worker' | 'demo' | 'control';

/** `andon --help`, `andon report --help`, ... */
export interface HelpPlan {
  readonly action: 'help';
  readonly topic: HelpTopic;
}

/** The help text of a topic, with the default number of jobs filled in. */
export function helpFor(topic: HelpTopic, defaultJobs: number): string {
  if (topic === 'run') return helpText(defaultJobs);
  if (topic === 'worker') return `${workers()}\n`;
  if (topic === 'report') return `${report()}\n`;
  if (topic === 'control') return `${control()}\n`;
  return `${demo()}\n`;
}

/** The help text, with the default number of jobs filled in. */
export function helpText(defaultJobs: number): string {
  const sections = [
    usage(),
    replacementStrings(),
    options(defaultJobs),
    stopping(),
    workers(),
    exitStatus(),
    differences(),
  ];
  // Each section ends without a newline: the blank line between two sections is the join's.
  return `${sections.join('\n\n')}\n`;
}

/** What andon is, its forms of command line, and how values reach the command. */
function usage(): string {
  return `andon — run jobs in parallel; Ctrl+C stops them cleanly, a second Ctrl+C forces

Usage:
  andon [options] command [args] ::: value...     one job per value
  andon [options] command [args] :::: file...     one job per line of each file
  ... | andon [options] command [args]            one job per line of stdin
  ... | andon --pipe [options] command            one job per block of stdin, on its stdin
  andon --pipepart -a FILE [options] command      the same for blocks cut from FILE
  andon demo                                      watch a built-in batch; press Ctrl+C
  ... | andon [options]                           each line of stdin is a command
  andon report JOBLOG [-o FILE]                   a timeline of a job log as an HTML page
  andon status [--json] [--redis URL]             your runs in progress (--redis: on its queues too)
  andon stop RUN|--all [--force] [--redis URL]    stop a run from another shell or machine
  andon serve [[ADDR:]PORT] [--redis URL]         a live page of every run, with stop buttons
  andon --serve [options] command ...             the same, with a live page in a browser
  andon --redis URL --queue NAME [options] command ...   run the jobs on andon workers
  andon worker --redis URL --queue NAME [-j N] [--module PATH]   serve a queue

Several ::: and :::: sources give every combination (the last one varies fastest).
Each job's command line runs through the shell andon was started from (bash, zsh, ...;
$PARALLEL_SHELL to choose; /bin/sh if none), with every value shell-quoted:
  andon echo pre {} post ::: 'two words'   passes 'two words' as one argument.`;
}

/** The replacement strings a command may hold. */
function replacementStrings(): string {
  return `Replacement strings:
  {}     the value (all values, space-separated, with several sources)
  {.}    without extension      {/}   basename      {//}  dirname
  {/.}   basename without extension
  {#}    the job's sequence number, from 1
  {%}    the job's slot, from 1 to -j
  {1} {2} ...  the value of input source 1, 2, ... (also {1.} {1/} {1//} {1/.}); {-1} the last
  {= perl =} {=1 perl =}  the value changed by the Perl GNU's documentation uses most:
         s/re/str/gi (any delimiter, $1 ${1} $&), tr/// y///, $_++ $_-- $_ OP= N
         (+ - * / % .), $_ = uc($_) lc ucfirst lcfirst Q, $_ = "text $_", 'text',
         $_=$job->seq(), $_=total_jobs(), if (COND) { skip() } (COND compares $_,
         $arg[N], numbers, strings: == != < > <= >= eq ne lt gt, joined by or / and);
         other Perl is refused. --rpl '{TAG} perl' defines {TAG} (and {1TAG}) the same
         way; a TAG with (groups) is a regular expression, $$1 its first group's text.
         --parens LR spells {= =} with L and R (--parens ,,,, : ,,s/a/b/,,).
With no replacement string, the values are appended to the command. Each job has
$PARALLEL_SEQ and $PARALLEL_JOBSLOT ({#} and {%}) in its environment, and the slot less
one in $PARALLEL_JOBSLOT0 (or the variable --process-slot-var NAME names).
With --plus, also GNU parallel's:
  {+/} {+.} {+..} {+...}  what {//} {.} {..} {...} take away
  {..} {...} {/..} {/...}  without two or three extensions   {##}  the number of jobs
  {0#} {0%}  zero-padded {#} and {%}   {slot} {host}  $PARALLEL_JOBSLOT, $PARALLEL_SSHHOST
  {:-str} {:n} {:n:m} {#re} {##re} {%re} {%%re} {/re/str} {//re/str} {/#re/str}
  {/%re/str} {^str} {^^str} {,str} {,,str}  as bash's \${a:-str} ... (re: a regular expression)
  {choose_k} {uniq}  skip the jobs whose values are not increasing / not distinct
  (a skipped job counts as failed in the exit status, as in GNU parallel)`;
}

/** Every option of a run, those of a local run first, then those of a run on Redis. */
function options(defaultJobs: number): string {
  return `${localOptions(defaultJobs)}
${redisOptions()}
  -h, --help          show this help
  -V, --version       show the version`;
}

/** The options of a run on this machine, under their heading. */
function localOptions(defaultJobs: number): string {
  return `Options:
  -j, --jobs N        run N jobs at once (default: ${defaultJobs}, the number of cores); also
                      N% of the cores, +N or -N cores, 0 for as many as possible (256),
                      or a FILE holding one of those: read again as jobs finish (and
                      every second), so the run can be resized while it goes on
  -0, --null          input records end with NUL, not newline
  -d, --delimiter C   input records end with C (\n, \t, \0 or one character)
  -E STR              a record STR ends the input (-eSTR, --eof=STR: the same; -e alone:
                      none)
  -a, --arg-file FILE the same as :::: FILE (before the other sources); - is stdin
  --arg-sep SEP, --arg-file-sep SEP   words to use instead of ::: and ::::
  --link, --xapply    pair the sources by position instead of combining them (a
                      shorter source starts over); :::+ and ::::+ link one source to
                      the one before it (stopping with the shorter)
  -n, --max-args N    N input records per job (-N: the same; -N0 runs each job with none)
  -m                  as many records per job as fit in one command line (-s CHARS,
                      default 63664), the last ones spread over the job slots
  -X                  the same, repeating each word that holds a replacement string
                      once per value; --xargs: as -m, without the spreading; with
                      -n N, at most N records in each of these lines
  -L N                N input lines per job, put in as -X does (-m, --xargs: as they
                      do); a line ending in a blank goes on in the next; -l [N],
                      --max-lines [N]: the same, N 1 by default, not implying -X
  -C, --colsep REGEX  split each record into columns: {1}, {2}, ...
  --csv               records are CSV: columns split at a comma (or --colsep's one
                      character), "quoted" fields may hold it, "" and newlines
  --trim n|l|r|lr     remove white space around each value
  -r                  a record that is only white space runs no job
  -I STR              STR instead of {} in the command (-i: the same as -I {});
                      --er, --bnr, --dnr, --bner, --seqreplace, --slotreplace for the others
  -t, --verbose       print each job's command line on stderr, -v on stdout
  --tagstring STR     --tag with STR (replacement strings filled in) as the tag
  --pipe              give each job a block of stdin on its own stdin (a pipe), cut on
                      record boundaries; {#} is the block's number
  --block SIZE        bytes per block (default 1M; K M G = 1024s, k m g = 1000s); a block
                      ends at the last record end in it
  -N N                with --pipe: N records per block instead
  -L N                with --pipe: a record is N lines (N --recend's), so blocks are cut
                      only between groups of N lines
  --recend STR, --recstart STR
                      what ends and starts a record (default: --recend '\n'); --rrs
                      removes them from the blocks
  --header :|N|REGEX  with --pipe: the first line (N lines, what REGEX matches) heads
                      every block; without: each source's first line names its columns
                      ({name} as {1}, split at --colsep, a tab by default)
  --group-by VAL      with --pipe: consecutive lines with the same value are one record
                      (VAL: a column number or name, with --colsep, optionally followed
                      by a Perl expression on it; or an expression on the line)
  --pipepart          with -a FILE: cut the file without reading it through (--block -N:
                      N parts per job slot; default -10)
  --cat, --fifo       with --pipe (implied) or --pipepart: the job's block in a temporary
                      file (--fifo: a named pipe, which the job must read) named by {}
                      ($PARALLEL_TMP), removed when the job ends
  --round-robin       with --pipe or --pipepart: one job per job slot, reading block after
                      block (each block to the next job that has read its last one)
  -k, --keep-order    print output in input order
  --group             print each job's output in one piece when it ends (default)
  --line-buffer, --lb print whole lines as they come (never half a line); -u, --ungroup:
                      the same (GNU's may mix half lines of two jobs)
  --plus              GNU parallel's extra replacement strings (see above)
  --shuf              run the jobs in random order (stdin is read to its end first)
  --delay SECS        start each job at least SECS after the one before it
  --tag               put the job's values and a tab before each output line
  --dry-run           print the commands instead of running them (--shellquote: each
                      shell-quoted once more, to compose into another command)
  --compress          keep output held for its turn compressed in memory (jobs write
                      through pipes then, not temporary files)
  --use-cpus-instead-of-cores   -j's default and its N% +N -N count CPU packages
  --serve[=[ADDR:]PORT]   a live page of the run (timeline, counts, failures, a stop
                      button), on 127.0.0.1 and a free port unless given; its URL, with
                      the token every request needs, is printed at the start
  --load N            start a job only while fewer than N processes run on the machine
                      (N as -j reads it: 100% is one per core)
  --noswap            start no job while the machine swaps both in and out
  --env VAR           accepted: every job has andon's whole environment already
  --bar               on a terminal, a progress line (done/total, failed, running, rate,
                      ETA) at the bottom, with all output printed above it; --eta and
                      --progress show the same line
  --results NAME      save each job's output in NAME/1/VALUE/2/VALUE/{stdout,stderr,seq}
                      (column names for the numbers with --header) instead of printing
                      it; a NAME with replacement strings is the stdout file (.err, .seq
                      beside it), or the directory if it ends in /; NAME.csv, .tsv, .json:
                      one table with a row per job (the job log's columns, the values,
                      stdout, stderr); -.csv, -.tsv, -.json: the table on stdout
  --files             print the name of each job's stdout file instead of its output (a
                      parXXXXX.par in $TMPDIR without --results)
  --tmpdir DIR        $TMPDIR for andon and the jobs
  --wd DIR            run each job in DIR (replacement strings filled in), made if missing;
                      ... is a new directory per job under ~/.parallel/tmp (left there)
  --nice N            run each job under nice -n N
  --shell             run every job's line through the shell; without it, a line of
                      plain words under /bin/sh runs its program directly (same output)
  -q, --quote         quote each command word, so the shell runs the words as given
                      (replacement strings in them still filled in)
  --timeout SECS      stop a job after SECS seconds (termination sequence); it fails.
                      1m30s, 2h, 1d as in GNU; N% is N% of the median successful
                      job's run time (no limit until a job has succeeded)
  --retries N         try a failing job up to N times in all (GNU parallel's meaning;
                      the library's retries: N-1)
  --halt POLICY       stop early: never (default), or now|soon with fail=N, success=N
                      or done=N, N a count or a percentage of all jobs, e.g. --halt
                      soon,fail=1 or now,fail=10%; 1, 2, -1, -2 and N% as in GNU. soon
                      lets running jobs finish; now kills them. Exit code: the failing
                      job's for a count of 1, else the jobs failed (at most 101), or for
                      a percentage the share of all jobs that failed, in %, as in GNU.
  --grace SECS        after the first Ctrl+C, wait up to SECS for jobs to exit before
                      forcing (default: ${DEFAULTS.grace / 1000}; 0 forces at once)
  --termseq SEQ       how to force a job: signals and milliseconds in turn
                      (default: ${DEFAULTS.termseq})
  --joblog FILE       append a record of every finished job to FILE (GNU parallel's
                      columns); interrupted and never-started jobs are not recorded.
                      - or /dev/stdout, /dev/stderr, a pipe: written only (no --resume);
                      +FILE appends, as FILE always does
  --resume            with --joblog: skip the jobs FILE has (succeeded or failed)
  --resume-failed     with --joblog: skip the jobs FILE has as succeeded, rerun the rest
  --retry-failed      with --joblog: run FILE's failed jobs again, each its Command column
                      under its Seq (the command and inputs given are not used, as in GNU)
  -J, --profile NAME  read options from ~/.parallel/NAME (or ./NAME, /path) instead of the
                      config files (/etc/parallel/config, ~/.parallel/config, $PARALLEL_HOME,
                      $XDG_CONFIG_HOME/parallel); $PARALLEL's options come after them, the
                      command line's last; --plain leaves all of them out`;
}

/** The options that send a run's jobs to workers through Redis. */
function redisOptions(): string {
  return `  --redis URL         put the jobs on a BullMQ queue in Redis (redis://[:PASSWORD@]HOST:PORT)
                      for \`andon worker\` processes on any machines to run; output, exit
                      code, job log (Host column: the worker), --bar and Ctrl+C work as
                      for a local run. -j is then the number of jobs on the queue at once
                      (default: ${DEFAULTS.queuedJobs}); --line-buffer is not available (output comes at the
                      end of each job)
  --queue NAME        the queue, shared by the submitting andon and its workers
  --reconnect-timeout SECS
                      after losing Redis, keep reconnecting this long, then fail
                      (default: ${DEFAULTS.reconnectTimeout / 1000}); jobs not finished are not logged, so --resume runs them`;
}

/** What the first and second Ctrl+C do. */
function stopping(): string {
  return `Stopping:
  Every job runs in its own process group. The first Ctrl+C (or SIGTERM, SIGHUP) starts
  no new job and sends SIGINT to every running job's group; jobs get the grace period to
  exit. A second Ctrl+C, or the end of the grace period, runs the termination sequence
  on whatever is left. The same signal twice within 50 ms is one press (some launchers
  deliver one Ctrl+C twice). Then andon dies of that signal, so a shell script that
  called it stops too. Ctrl+Z stops every job and andon; fg or bg continues them, and
  --timeout does not count the time stopped. A closed output (andon ... | head) stops
  the jobs, and andon ends quietly as SIGPIPE ends the rest of the pipeline. A watchdog
  process kills all jobs if andon itself is killed.`;
}

/** `andon worker`: its options, and how it starts, stops and hands jobs back. */
function workers(): string {
  return `Workers:
  andon worker --redis URL --queue NAME [-j N] [--module PATH] [--grace SECS]
               [--lock-duration SECS] [--reconnect-timeout SECS]
  runs the queue's jobs, N at a time (default: the number of cores), each command in its
  own process group under a watchdog as locally; --module loads the module whose exports
  function tasks name (library pools with a backend). Ctrl+C on the submitting andon stops
  the jobs on whichever worker runs them. SIGTERM or Ctrl+C on a worker: it takes no new
  job, gives running jobs --grace (default: ${DEFAULTS.grace / 1000}) to finish, then ends them and hands them back
  to the queue for another worker, and exits 0 (a second signal hands back at once). A
  worker killed outright: its jobs' processes die with it (watchdog) and another worker
  takes the jobs after --lock-duration (default: ${DEFAULTS.lockDuration / 1000}, BullMQ's lock).`;
}

/** `andon report`. */
function report(): string {
  return `Report:
  andon report JOBLOG [-o FILE]
  writes a timeline of the job log's runs as one HTML page (JOBLOG.html unless -o names
  the file): one bar per job, by slot, failures in red, each run's start, stop and end.
  The page needs no server and no network; open it in any browser.`;
}

/** `andon status` and `andon stop`. */
function control(): string {
  return `Status and stop:
  andon status [--json]
  lists your runs in progress on this machine: id, pid and host, how long it has run,
  done / failed / running / left, rate, ETA and command line (--json: the same as JSON).
  andon stop RUN [--force]     andon stop --all [--force]
  stops a run (RUN: its id, or the start of it) as Ctrl+C in its own terminal would: its
  running jobs get the grace period, then are forced; a second andon stop, or --force,
  forces at once. The run's terminal says who stopped it, its job log and resume hint are
  as after Ctrl+C, and it exits 143, as after SIGTERM (the signal andon stop stands for).
  andon stop exits 0 when every run took the stop, 1 when one did not (a line says which).
  Runs register in $XDG_RUNTIME_DIR/andon, or /tmp/andon-UID (0700):
  other users can neither see nor stop them. A run killed with kill -9 is not listed.
  --redis URL [--queue NAME]
  also the runs submitted to the server's queues (or to the one queue) from any machine,
  and the workers serving them with what each runs now; andon stop --redis stops such a run
  through its submitter, as Ctrl+C in its terminal (exit 143 there). It needs the server's
  credentials and reaches only runs on that server. --json with --redis: {"runs", "workers"}.
  andon serve [[ADDR:]PORT] [--redis URL [--queue NAME]]
  one page of everything andon status sees, updated every second, with a stop button per
  run (then Force). As --serve: 127.0.0.1 unless ADDR says otherwise, a random token in the
  printed URL needed by every request, stops only from the page itself. A click on a run
  shows its timeline, from its job log (runs of this machine with --joblog). Ctrl+C ends it.`;
}

/** `andon demo`. */
function demo(): string {
  return `Demo:
  andon demo
  pulls 10 simulated container images, 3 at a time, with a progress line and a job log,
  and prints the andon command line that does the same. Press Ctrl+C to stop it (twice to
  force), then run it again: it pulls only what is left.`;
}

/** The exit codes. */
function exitStatus(): string {
  return `Exit status:
  0 all jobs succeeded; 1-100 that many jobs failed; 101 more than 100 failed;
  130/143/129 died of SIGINT/SIGTERM/SIGHUP after stopping its jobs; 141 its output was
  closed (SIGPIPE); 255 a usage error, or Redis that
  cannot be reached or was lost for longer than --reconnect-timeout.`;
}

/** Where andon differs from GNU parallel, for its users. */
function differences(): string {
  return `Where andon differs from GNU parallel:
  -j 0 means 256 at once. GNU's options andon lacks
  (--sshlogin, --tee, --regexp, ...) are refused by
  name with what to use instead. Long options may be
  shortened as in GNU (--keep); short options bundle
  as in GNU (-kj2, -kX).
  In the job log a --pipe block is named by its number and byte range, so --resume with
  the same input and --block skips exactly the blocks done (GNU matches the sequence
  number only).
  A ::: with nothing after it, a blank command, and an unterminated replacement
  string such as {1 are errors (GNU runs with them). A command whose first word is not
  found on PATH is refused before any job starts (GNU fails every job).
  A csh or fish parent shell gives /bin/sh (andon quotes for POSIX shells only).
  A second Ctrl+C forces at once, and --grace (andon's own) bounds the wait after the
  first. After Ctrl+C andon dies of SIGINT (GNU exits 255, and a calling loop goes on).
  {= perl =} and --rpl read a subset of Perl (see above; its patterns are JavaScript
  regular expressions); {0#} and {0%} without --plus are refused. --compress keeps output
  held for its turn compressed in memory (GNU compresses its temporary files); --env is
  accepted, every job having the whole environment (GNU's --env matters for remote jobs). --joblog FILE appends to FILE (GNU empties it without
  + or --resume). --plus's patterns are JavaScript
  regular expressions (GNU's are Perl's; the common ones read the same), and a job
  {choose_k} or {uniq} skips takes no sequence number (GNU gives it one). -t prints a job's command line with its output, not as it
  starts; -s counts the line andon builds, which GNU counts a little differently. A byte that is not UTF-8 in a value is written
  as "$(printf '\\351')" in the shell line (and --dry-run), where GNU writes the byte.
  --resume recognises a job by its command line, not its sequence number, so a reordered
  or extended input still resumes right; {%} stays as {%} in the job log's Command column
  (a job's slot changes from run to run). A job log written for another command is refused.
  Grouped output goes to temporary files, as in GNU parallel, but they are deleted as
  soon as they are opened. Processes a job leaves running in its process group are
  ended when andon finishes (GNU leaves them running).`;
}
