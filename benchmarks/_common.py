"""Shared helpers for the benchmark scripts: paths, the policy under test, timing, results.

Every script works on its own (``python benchmarks/startup.py``) and with ``--json FILE``
also writes its figures for ``run_all.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
VENVS = HERE / ".venvs"
CORPORA = Path(os.environ.get("POLICYLINT_CORPORA", ROOT.parent / "shared" / "corpora"))

PYTHON = sys.executable
#: The ``policylint`` console script next to this interpreter (the installed entry point).
POLICYLINT = str(Path(PYTHON).with_name("policylint"))

BUILTIN_PACKS = (
    "regulatory",
    "legal",
    "privacy",
    "tone",
    "accessibility",
    "platform",
    "security",
)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def fmt_rate(rate: float) -> str:
    return f"{rate:,.0f} posts/s"


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


# ---------------------------------------------------------------------------- the policy


@dataclass(frozen=True)
class BenchPolicy:
    """The policy the figures are measured with, and how to name it on the command line."""

    cli_arg: str  # value for ``policylint check --policy``
    label: str  # what the report calls it
    note: str  # why this one (empty for builtin:all)
    rules: int


def bench_policy() -> BenchPolicy:
    """``builtin:all`` when it loads; otherwise the built-in packs that do load plus the
    stand-in policy ``corpus.py`` generates (data/standin.policy), and a note saying so."""
    import policylint

    try:
        policy = policylint.load_policy("builtin:all")
        return BenchPolicy("builtin:all", "builtin:all", "", len(policy.rules))
    except policylint.PolicyError as error:
        first = error.diagnostics[0].message if error.diagnostics else str(error)
    # Greedily keep the packs that load together (packs being written may clash).
    loadable: list[str] = []
    for pack in BUILTIN_PACKS:
        extends = ", ".join(f'"builtin:{p}"' for p in (*loadable, pack))
        try:
            policylint.load_policy(f'policy "probe" {{ extends {extends} }}\n')
        except policylint.PolicyError:
            continue
        loadable.append(pack)
    standin = DATA / "standin.policy"
    if not standin.exists():
        raise SystemExit(f"{standin} is missing: run python benchmarks/corpus.py first")
    write_standin_header(standin, loadable)
    policy = policylint.load_policy(str(standin))
    packs = ", ".join(f"builtin:{p}" for p in loadable) or "none"
    note = (
        f"builtin:all does not load yet ({first}); measured with the stand-in "
        f"benchmarks/data/standin.policy ({len(policy.rules)} rules) extending the packs "
        f"that load: {packs}"
    )
    return BenchPolicy(str(standin), "stand-in", note, len(policy.rules))


_HEADER_START = "# --- header (rewritten by benchmarks/_common.py) ---"
_HEADER_END = "# --- end of header ---"


def write_standin_header(path: Path, packs: Sequence[str]) -> None:
    """Point the stand-in's ``extends`` at the built-in packs that load today."""
    text = path.read_text(encoding="utf-8")
    extends = ", ".join(f'"builtin:{p}"' for p in ("organisation", *packs))
    header = (
        f"{_HEADER_START}\n"
        'policy "benchmark-stand-in" {\n'
        '  description "Stand-in for builtin:all while the built-in packs are written"\n'
        f"  extends {extends}\n"
        "}\n"
        f"{_HEADER_END}\n"
    )
    if _HEADER_START in text:
        before, _, rest = text.partition(_HEADER_START)
        _, _, after = rest.partition(_HEADER_END + "\n")
        text = before + header + after
    else:
        text = header + text
    path.write_text(text, encoding="utf-8")


def load_bench_policy() -> tuple[Any, BenchPolicy]:
    import policylint

    chosen = bench_policy()
    return policylint.load_policy(chosen.cli_arg), chosen


# ---------------------------------------------------------------------------- timing


def time_command(
    argv: Sequence[str],
    runs: int,
    *,
    env: dict[str, str] | None = None,
    warmup: int = 1,
    expect: Sequence[int] = (0, 1),
    before_each: Callable[[], None] | None = None,
    cwd: Path | None = None,
) -> list[float]:
    """Wall-clock seconds of ``runs`` runs of ``argv`` (stdout discarded)."""
    for _ in range(warmup):
        if before_each is not None:
            before_each()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    times = []
    for _ in range(runs):
        if before_each is not None:
            before_each()
        start = time.perf_counter()
        done = subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd
        )
        times.append(time.perf_counter() - start)
        if done.returncode not in expect:
            raise RuntimeError(
                f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-2000:]}"
            )
    return times


@dataclass
class Command:
    """One command of an interleaved timing (see :func:`time_interleaved`)."""

    argv: Sequence[str]
    env: dict[str, str] | None = None
    cwd: Path | None = None
    before_each: Callable[[], None] | None = None
    expect: Sequence[int] = (0, 1)


def time_interleaved(
    commands: dict[str, Command], runs: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Time several commands round-robin (A B C A B C ...), so that a machine that gets
    busier or quieter during the run affects them all alike; wall-clock seconds per run."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(warmup + runs):
        for name, command in commands.items():
            if command.before_each is not None:
                command.before_each()
            start = time.perf_counter()
            done = subprocess.run(
                command.argv,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=command.env,
                cwd=command.cwd,
            )
            elapsed = time.perf_counter() - start
            if done.returncode not in command.expect:
                raise RuntimeError(
                    f"{' '.join(command.argv)} exited {done.returncode}: "
                    f"{done.stderr.decode()[-2000:]}"
                )
            if round_ >= warmup:
                times[name].append(elapsed)
    return times


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(extra)
    return env


# ---------------------------------------------------------------------------- machine, results


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        cores = os.cpu_count() or 1
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu,
        "cores": cores,
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "install": _install_kind(),
    }


def _install_kind() -> str:
    """How the measured policylint is installed: start-up differs by ~9 ms between a pip
    install and an editable one (its import hook runs on every start)."""
    import importlib.util

    spec = importlib.util.find_spec("policylint")
    origin = spec.origin if spec is not None and spec.origin else ""
    return "pip-installed" if "site-packages" in origin else f"from source ({origin})"


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    p.add_argument("--quick", action="store_true", help="fewer runs, smaller inputs")
    return p


def emit(results: dict[str, Any], json_path: str | None) -> None:
    if json_path:
        Path(json_path).write_text(json.dumps(results, indent=2), encoding="utf-8")


def require_corpora(*names: str) -> None:
    """Exit with a clear message unless each of ``names`` (paths under :data:`CORPORA`) is
    there. The reference corpora are optional extras beside the repository, never in it."""
    missing = [name for name in names if not (CORPORA / name).is_file()]
    if missing:
        raise SystemExit(
            f"{CORPORA} does not hold {', '.join(missing)}.\n"
            "These benchmarks need the reference corpora (shared/corpora/SOURCES.md), which a "
            "clone of the repository does not have: put them at ../shared/corpora beside it, "
            "or set POLICYLINT_CORPORA to their folder."
        )


def require_data(name: str) -> Path:
    path = DATA / name
    if not path.exists():
        raise SystemExit(f"{path} is missing: run python benchmarks/corpus.py first")
    return path
