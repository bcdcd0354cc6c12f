"""Peak memory (maximum resident set size, from the kernel's rusage of each child process).

- ``python -c pass`` (the floor), ``policylint check one-post.txt``;
- ``policylint check tweets-100k.jsonl --format jsonl`` and the same on 1,000,000 posts
  (what the CLI does today: it reads whole files and holds every finding);
- the streaming path (benchmarks/stream_check.py: JSONL read line by line, checked with
  ``policylint.check_many``, findings written as they come) on 100,000 and
  1,000,000 posts, with the RSS at each 100,000 posts: flat is the target. A run longer
  than ``--max-seconds`` stops early and reports how far it got.

    python benchmarks/memory.py [--max-seconds 600] [--json FILE]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DATA, HERE, POLICYLINT, PYTHON, bench_policy, clean_env, emit, parser
from _common import require_data as data


def peak_rss(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``argv`` and return its peak RSS, time, exit status and first error message
    (from stderr, or the first ``"type": "error"`` line of a jsonl report)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=DATA)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        messages = [ln for ln in err.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        out.seek(0)
        for raw in out:
            if raw.startswith(b'{"type": "error"'):
                messages.insert(0, json.loads(raw)["message"])
                break
    return {
        "peak_mib": usage.ru_maxrss / 1024,
        "seconds": seconds,
        "exit": child.returncode,
        "stderr": "\n".join(messages)[-4000:],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = parser(__doc__ or "")
    p.add_argument("--max-seconds", type=float, default=600.0)
    p.add_argument("--skip-1m", action="store_true")
    args = p.parse_args(argv)
    chosen = bench_policy()
    env = clean_env(POLICYLINT_CACHE_DIR=str(DATA / "cache"))
    check = [POLICYLINT, "check", "--isolated", "--policy", chosen.cli_arg]
    results: dict[str, Any] = {"policy": chosen.label, "note": chosen.note}

    results["python_pass"] = peak_rss([PYTHON, "-c", "pass"], env)
    peak_rss([*check, str(data("one-post.txt"))], env)  # warm the compiled-policy cache
    results["one_post"] = peak_rss([*check, str(data("one-post.txt"))], env)

    sizes = ["100k"] if args.quick or args.skip_1m else ["100k", "1m"]
    for size in sizes:
        path = data(f"tweets-{size}.jsonl")
        results[f"cli_{size}"] = peak_rss([*check, "--format", "jsonl", str(path)], env)
        stats = DATA / f"stream-{size}.json"
        stream = [
            PYTHON,
            str(HERE / "stream_check.py"),
            str(path),
            "--policy",
            chosen.cli_arg,
            "--stats",
            str(stats),
        ]
        if size != "100k":
            stream += ["--max-seconds", str(args.max_seconds)]
        else:
            stream += ["--checkpoint", "20000"]
        run = peak_rss(stream, env)
        run.update(json.loads(stats.read_text()))
        results[f"stream_{size}"] = run

    print(f"peak RSS (policy: {chosen.label})")
    if chosen.note:
        print(f"  note: {chosen.note}")

    def show(label: str, run: dict[str, Any]) -> None:
        extra = ""
        if run["exit"] not in (0, 1):
            first = next((ln for ln in run["stderr"].splitlines() if ln.strip()), "")
            extra = f"  (exit {run['exit']}: {first[:90]})"
        print(f"  {label:<46} {run['peak_mib']:8.1f} MiB  {run['seconds']:7.1f} s{extra}")

    show("python -c pass (floor)", results["python_pass"])
    show("policylint check one-post.txt (target <= 80)", results["one_post"])
    for size in sizes:
        show(f"CLI check tweets-{size}.jsonl --format jsonl", results[f"cli_{size}"])
        run = results[f"stream_{size}"]
        label = f"streaming {size} (stream_check.py, jobs=1)"
        if run.get("stopped_early"):
            label = f"streaming {size}: stopped at {run['posts']:,}"
        show(label, run)
        marks = ", ".join(
            f"{m['posts'] // 1000:,}k: {m['rss_mib']:.0f}" for m in run.get("checkpoints", [])
        )
        if marks:
            print(f"      RSS (MiB) at: {marks}")
    emit(results, args.json)
    return results


if __name__ == "__main__":
    main()
