#!/bin/sh
# andon's watchdog. andon appends "+PGID" to the registry file when it starts a job's process
# group and "-PGID" when the group is gone, and writes "bye" on this script's stdin when it
# shuts down cleanly. If stdin closes without "bye", andon died (SIGKILL, a crash): kill every
# group still on record, and (Linux) every process carrying this run's marker in its
# environment, TERM first and KILL 200 ms later. Runs in its own session and ignores INT and
# HUP, so neither a Ctrl+C at the terminal nor a hang-up removes it before the cleanup.
#   watchdog.sh MARKER REGISTRY
trap '' INT HUP
marker=$1
registry=$2
clean=
while IFS= read -r line; do
  [ "$line" = bye ] && clean=1
done

cleanup() {
  if [ -z "$clean" ]; then
    # Groups still on record: every "+PGID" without a later "-PGID".
    groups=$(awk '/^\+/ { live[substr($0, 2)] = 1 } /^-/ { delete live[substr($0, 2)] } END { for (g in live) print g }' "$registry" 2>/dev/null)
    marked=
    if [ -d /proc/self ]; then
      marked=$(grep -l -a "ANDON_WATCHDOG=$marker" /proc/[0-9]*/environ 2>/dev/null | sed -e 's#^/proc/##' -e 's#/environ$##' | grep -v "^$$\$")
    fi
    for signal in TERM KILL; do
      for g in $groups; do kill -s "$signal" -- "-$g" 2>/dev/null; done
      for p in $marked; do kill -s "$signal" "$p" 2>/dev/null; done
      [ "$signal" = TERM ] && sleep 0.2
    done
  fi
  rm -rf "$(dirname "$registry")"
}
cleanup
