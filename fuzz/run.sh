#!/usr/bin/env bash
# Run each atheris harness for a bounded time (default 30 s each) over its seed corpus.
#   fuzz/run.sh [SECONDS] [PYTHON]
# FUZZ_SEED=N makes the run repeatable (fuzz/ci.sh sets it, so CI explores the same inputs
# each time and a red run is never a coin toss); without it each run explores new inputs.
# New interesting inputs go to a scratch copy of the corpus, not into the repository. A crash
# is saved as fuzz/artifacts/crash-<hash> and the script exits 1: turn the input into a
# regression test (tests/test_hostile_policies.py for the parser and the grammar-aware
# fuzzer, which prints the policy its bytes stand for; tests/test_properties.py for the
# engine).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
python="${2:-${PYTHON:-python3}}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p artifacts
status=0
for target in parser grammar engine; do
    mkdir -p "$work/$target"
    cp corpus/"$target"/* "$work/$target/"
    echo "== fuzz_$target: ${seconds} s"
    set +e
    "$python" "fuzz_$target.py" "$work/$target" \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=8192 \
        -artifact_prefix="$PWD/artifacts/" -print_final_stats=1 ${FUZZ_SEED:+-seed="$FUZZ_SEED"} >"$work/$target.log" 2>&1
    code=$?
    set -e
    grep -E "^Done |stat::number_of_executed_units|stat::peak_rss_mb" \
        "$work/$target.log" || true
    if [ "$code" -ne 0 ]; then
        echo "fuzz_$target FAILED (exit $code): the crashing input is in fuzz/artifacts/" >&2
        tail -40 "$work/$target.log" >&2
        status=1
    fi
done
exit "$status"
