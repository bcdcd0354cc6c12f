#!/usr/bin/env bash
# Short fuzz run for CI: install atheris if this Python can, then fuzz each harness 20 s.
# Exits 0 (with a message) when atheris cannot be installed here; non-zero on a crash.
set -euo pipefail
cd "$(dirname "$0")"
python="${PYTHON:-python3}"
seconds="${FUZZ_SECONDS:-20}"
if ! "$python" -c "import atheris" 2>/dev/null; then
    if ! "$python" -m pip install --quiet atheris 2>/dev/null \
        || ! "$python" -c "import atheris" 2>/dev/null; then
        echo "fuzz/ci.sh: atheris cannot be installed on $("$python" --version 2>&1); skipping the fuzz run"
        exit 0
    fi
fi
export FUZZ_SEED="${FUZZ_SEED:-1}"
exec ./run.sh "$seconds" "$python"
