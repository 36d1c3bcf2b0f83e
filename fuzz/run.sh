#!/usr/bin/env bash
# Builds every fuzz target and runs each for a fixed number of executions from the committed
# seeds (fuzz/seeds/<target>/) plus the grown corpus (fuzz/corpus/<target>/, not committed).
# Prints executions, exec/s and findings per target; exits non-zero when a target crashed
# (the reproducer is in fuzz/artifacts/<target>/).
#
# Usage: fuzz/run.sh [RUNS] [TARGET...]      (RUNS default 100000; all targets by default)
# Environment: FUZZ_SANITIZER=address|none (default address), FUZZ_MAX_TIME=seconds per target
# (0 = no limit). Targets run one after another.
# cargo-fuzz needs nightly; on stable, RUSTC_BOOTSTRAP=1 is set here.
set -uo pipefail
cd "$(dirname "$0")"

runs=${1:-100000}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(parse_subscribe engine_input render_assignment decrypt)
fi
sanitizer=${FUZZ_SANITIZER:-address}
max_time=${FUZZ_MAX_TIME:-0}
export RUSTC_BOOTSTRAP=1

cargo fuzz build -O -a --sanitizer "$sanitizer" || exit 2

failed=0
summary=()
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  log=$(mktemp)
  start=$(date +%s)
  cargo fuzz run -O -a --sanitizer "$sanitizer" "$target" "corpus/$target" "seeds/$target" -- \
    -runs="$runs" -max_total_time="$max_time" -print_final_stats=1 >"$log" 2>&1
  status=$?
  seconds=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "corpus/$target" -type f | wc -l)
  if [ "$status" -eq 0 ]; then
    findings=none
  else
    failed=1
    findings="CRASH (exit $status): $(grep -m1 -E 'panicked at|ERROR: (libFuzzer|AddressSanitizer)' "$log" || echo 'see log')"
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    [ -n "$artifact" ] && findings="$findings; reproducer $artifact"
    tail -40 "$log" >&2
  fi
  line="$target: ${execs:-?} executions in ${seconds}s (${rate:-?} exec/s), corpus $corpus, findings: $findings"
  echo "$line"
  summary+=("$line")
  rm -f "$log"
done

printf '\n== fuzz summary (%s runs per target, sanitizer %s)\n' "$runs" "$sanitizer"
printf '%s\n' "${summary[@]}"
exit "$failed"
