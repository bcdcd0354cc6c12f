"""Run every benchmark and print one table of medians, ratios and targets.

    python benchmarks/run_all.py            # the full run (about half an hour on 2 cores)
    python benchmarks/run_all.py --quick    # fewer runs, smaller inputs: a smoke test

Builds the inputs first if they are missing (corpus.py), runs startup.py, throughput.py,
memory.py and profile.py as separate processes (so none measures another's leftovers),
prints their own reports as they go, then the summary table with the date and the machine,
and saves it to benchmarks/data/results-<date>.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DATA, HERE, PYTHON, machine


def run(script: str, extra: list[str], quick: bool) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    argv = [PYTHON, str(HERE / script), "--json", str(out), *extra]
    if quick:
        argv.append("--quick")
    print(f"\n$ {' '.join(argv[1:])}", flush=True)
    started = time.perf_counter()
    subprocess.run(argv, check=True)
    print(f"({script}: {time.perf_counter() - started:.0f} s)", flush=True)
    try:
        return dict(json.loads(out.read_text()))
    finally:
        out.unlink(missing_ok=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def per_s(value: float) -> str:
    return f"{value:,.0f}/s"


def mib(value: float) -> str:
    return f"{value:.0f} MiB"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def table(
    info: dict[str, Any],
    start: dict[str, Any],
    thr: dict[str, Any],
    mem: dict[str, Any],
    prof: dict[str, Any],
) -> str:
    rows: list[tuple[str, str, str, str]] = []
    add = rows.append
    add(("start-up: python -c pass (floor)", ms(start["python_pass_s"]), "", ""))
    add(("start-up: policylint --version", ms(start["policylint_version_s"]), "", ""))
    warm = start["check_warm_s"]
    add(("start-up: check one post, cache warm", ms(warm), "< 80 ms", verdict(warm < 0.080)))
    plain = start.get("check_warm_no_number_s")
    if plain is not None:
        add(("start-up: the same post without its number", ms(plain), "", ""))
    configured = start.get("check_warm_configured_s")
    if configured is not None:
        add(("start-up: the same post, pyproject.toml config", ms(configured), "", ""))
    add(("start-up: check one post, policy changed", ms(start["check_policy_changed_s"]), "", ""))
    add(("start-up: check one post, no cache", ms(start["check_no_cache_s"]), "", ""))
    add((f"start-up: proselint {start['proselint_version']}", ms(start["proselint_s"]), "", ""))
    r = start["ratio_vs_proselint"]
    add(("start-up ratio policylint/proselint", f"{r:.2f}x", "<= 0.60x", verdict(r <= 0.6)))
    eng = thr["engine_posts_per_s"]
    add(("throughput 10k: engine (scan stage)", per_s(eng), ">= 10,000/s", verdict(eng >= 1e4)))
    add(("throughput 10k: API (Policy.check_many)", per_s(thr["api_posts_per_s"]), "", ""))
    add(("throughput 10k: CLI --format jsonl", per_s(thr["cli_posts_per_s"]), "", ""))
    add(("throughput 10k: proselint, one file", per_s(thr["proselint_posts_per_s"]), "", ""))
    a = thr["api_vs_proselint"]
    add(("throughput ratio API/proselint", f"{a:.2f}x", ">= 10x", verdict(a >= 10)))
    c = thr["cli_vs_proselint"]
    add(("throughput ratio CLI/proselint", f"{c:.2f}x", ">= 10x", verdict(c >= 10)))
    n = f"{thr['scaling_posts'] // 1000}k"
    add((f"parallel {n}: jobs=1", per_s(thr["jobs1_posts_per_s"]), "", ""))
    add((f"parallel {n}: jobs=2", per_s(thr["jobs2_posts_per_s"]), "", ""))
    s = thr["scaling_ratio"]
    add(("parallel ratio jobs=2/jobs=1", f"{s:.2f}x", ">= 1.7x", verdict(s >= 1.7)))
    add(("parallel: cores obtained, jobs=2", f"{thr['jobs2_cores_used']:.2f}", "2", ""))
    share = thr["jobs2_cpu_parent_s"] / max(1e-9, thr["jobs2_cpu_workers_s"])
    add(("parallel: pool overhead (parent/worker CPU)", f"{share:.1%}", "", ""))
    one = mem["one_post"]["peak_mib"]
    add(("peak RSS: one post", mib(one), "<= 80 MiB", verdict(one <= 80)))
    for size in ("100k", "1m"):
        cli = mem.get(f"cli_{size}")
        if cli:
            status = "" if cli["exit"] in (0, 1) else f"exit {cli['exit']}"
            add((f"peak RSS: CLI --format jsonl, {size}", mib(cli["peak_mib"]), "flat", status))
        stream = mem.get(f"stream_{size}")
        if stream:
            label = f"peak RSS: streaming, {size}"
            if stream.get("stopped_early"):
                label += f" (stopped at {stream['posts']:,})"
            add((label, mib(stream["peak_mib"]), "flat", ""))
    stages = prof["stages_us_per_post"]
    scan = stages.get("scan (end to end)")
    if isinstance(scan, float):
        add(("profile: scan per post", f"{scan:.0f} us", "<= 100 us", verdict(scan <= 100)))
    width = max(len(row[0]) for row in rows)
    lines = [
        f"policylint benchmarks, {info['date']}",
        f"machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, {info['os']}, "
        f"Python {info['python']}, policylint {info['install']}; "
        f"load average at start {info['load']}",
        f"policy: {thr['policy']} ({thr['rules']} rules)"
        + (f"; {thr['note']}" if thr.get("note") else ""),
        "",
        f"| {'measure':<{width}} | {'median':>12} | {'target':>11} | {'':<7} |",
        f"|{'-' * (width + 2)}|{'-' * 14}|{'-' * 13}|{'-' * 9}|",
    ]
    for name, value, target, status in rows:
        lines.append(f"| {name:<{width}} | {value:>12} | {target:>11} | {status:<7} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--max-seconds", default="600", help="time budget of the 1M streaming run")
    p.add_argument("--skip-1m", action="store_true")
    args = p.parse_args(argv)
    needed = [
        "tweets-10k.jsonl",
        "tweets-100k.jsonl",
        "tweets-10k.txt",
        "one-post.txt",
        "plain-post.txt",
    ]
    if not args.skip_1m:
        needed.append("tweets-1m.jsonl")
    if not all((DATA / name).exists() for name in needed) or not (DATA / "standin.policy").exists():
        subprocess.run([PYTHON, str(HERE / "corpus.py")], check=True)
    info = machine()
    info["load"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    start = run("startup.py", [], args.quick)
    thr = run("throughput.py", [], args.quick)
    mem_args = ["--max-seconds", args.max_seconds] + (["--skip-1m"] if args.skip_1m else [])
    mem = run("memory.py", mem_args, args.quick)
    prof = run("profile.py", [], args.quick)
    info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = table(info, start, thr, mem, prof) + f"\n(load average at the end: {info['load_end']})"
    print("\n" + text)
    stamp = time.strftime("%Y%m%d-%H%M")
    (DATA / f"results-{stamp}.md").write_text(text + "\n", encoding="utf-8")
    (DATA / f"results-{stamp}.json").write_text(
        json.dumps(
            {"machine": info, "startup": start, "throughput": thr, "memory": mem, "profile": prof},
            indent=2,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
