"""proselint, the comparison: installed from PyPI into its own venv under benchmarks/.venvs/.

proselint stops after ``max_errors`` findings (1,000 by default), which would make it look
fast on a large file; the runs here use a configuration with no practical limit, placed in
the working directory proselint is started in (its ``--config`` option is not applied by
0.16's ``check`` command).
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

from _common import VENVS

PROSELINT_SPEC = "proselint"
ENV_DIR = VENVS / "proselint"
WORKDIR = VENVS / "proselint-run"


def proselint() -> list[str]:
    """The command that runs proselint, installing it first if needed."""
    exe = ENV_DIR / "bin" / "proselint"
    if not exe.exists():
        print(f"installing {PROSELINT_SPEC} from PyPI into {ENV_DIR} ...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(ENV_DIR)
        subprocess.run(
            [str(ENV_DIR / "bin" / "python"), "-m", "pip", "install", "--quiet", PROSELINT_SPEC],
            check=True,
        )
    WORKDIR.mkdir(parents=True, exist_ok=True)
    (WORKDIR / ".proselintrc.json").write_text(
        json.dumps({"max_errors": 1_000_000_000}), encoding="utf-8"
    )
    return [str(exe), "--output-format", "compact", "check"]


def version() -> str:
    out = subprocess.run(
        [str(ENV_DIR / "bin" / "python"), "-m", "pip", "show", "proselint"],
        capture_output=True,
        text=True,
    ).stdout
    for line in out.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return "?"


def run_dir() -> Path:
    return WORKDIR
