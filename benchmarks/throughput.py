"""Throughput: posts per second on 10,000 real tweets, and scaling with worker processes.

In one process, on data/tweets-10k.jsonl (median of N runs):

- engine: the pipeline's scan stage (the policy's rules over posts already read, no waivers);
- API: ``Policy.check_many`` over posts already read (scan, waivers, one result per post);
- API end to end: ``read_path`` + ``Policy.check_many``;
- CLI: ``policylint check tweets-10k.jsonl --format jsonl`` as a subprocess (start-up,
  reading, checking and writing included);
- proselint on the same 10,000 posts in one file (data/tweets-10k.txt).

Parallel scaling on data/tweets-100k.jsonl: ``Policy.check_many`` with jobs=1 (in process)
and jobs=2 (two worker processes); and the CLI's ``--jobs`` when it has one.

    python benchmarks/throughput.py [--runs 3] [--scaling-runs 3] [--json FILE]
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _proselint
from _common import (
    DATA,
    POLICYLINT,
    Command,
    clean_env,
    emit,
    fmt_rate,
    load_bench_policy,
    median,
    parser,
    ratio,
    require_data,
    time_interleaved,
)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("nan")


def timed(fn: Any, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def cpu_times() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def cli_has_jobs() -> bool:
    out = subprocess.run([POLICYLINT, "check", "--help"], capture_output=True, text=True).stdout
    return "--jobs" in out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = parser(__doc__ or "")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--scaling-runs", type=int, default=3)
    p.add_argument("--scaling-posts", type=int, default=100_000)
    args = p.parse_args(argv)
    runs = 1 if args.quick else args.runs
    scaling_runs = 1 if args.quick else args.scaling_runs
    scaling_posts = 20_000 if args.quick else args.scaling_posts

    from policylint._pipeline.policy import checker_of
    from policylint.sources import read_path

    policy, chosen = load_bench_policy()
    scan = checker_of(policy).scan  # the scan stage (not a public name)
    small = require_data("tweets-10k.jsonl")
    posts = read_path(small).posts
    count = len(posts)
    for post in posts[:50]:  # build the automaton and regex sets outside the timings
        scan(post)

    engine = timed(lambda: [scan(p) for p in posts], runs)
    api = timed(lambda: list(policy.check_many(posts)), runs)
    api_read = timed(lambda: list(policy.check_many(read_path(small).posts)), runs)
    findings = sum(len(scan(p)) for p in posts)

    env = clean_env(POLICYLINT_CACHE_DIR=str(DATA / "cache"))
    cli_cmd = [POLICYLINT, "check", "--isolated", "--policy", chosen.cli_arg]
    prose_txt = require_data("tweets-10k.txt")
    # Round-robin, so that other load on the machine hits both alike.
    times = time_interleaved(
        {
            "cli": Command([*cli_cmd, "--format", "jsonl", str(small)], env=env, cwd=DATA),
            "proselint": Command(
                [*_proselint.proselint(), str(prose_txt)],
                env=clean_env(),
                cwd=_proselint.run_dir(),
            ),
        },
        runs,
        warmup=1,
    )
    cli, prose = times["cli"], times["proselint"]

    results: dict[str, Any] = {
        "policy": chosen.label,
        "note": chosen.note,
        "rules": chosen.rules,
        "posts": count,
        "findings": findings,
        "runs": runs,
        "engine_posts_per_s": rate(count, median(engine)),
        "api_posts_per_s": rate(count, median(api)),
        "api_with_read_posts_per_s": rate(count, median(api_read)),
        "cli_posts_per_s": rate(count, median(cli)),
        "cli_s": median(cli),
        "proselint_posts_per_s": rate(count, median(prose)),
        "proselint_s": median(prose),
        "proselint_version": _proselint.version(),
    }
    results["api_vs_proselint"] = ratio(
        results["api_posts_per_s"], results["proselint_posts_per_s"]
    )
    results["cli_vs_proselint"] = ratio(
        results["cli_posts_per_s"], results["proselint_posts_per_s"]
    )

    # ----------------------------------------------------------------- parallel scaling
    big = require_data("tweets-100k.jsonl")
    many = read_path(big).posts[:scaling_posts]
    scaled: dict[int, list[float]] = {1: [], 2: []}
    cpu = {1: [0.0, 0.0], 2: [0.0, 0.0]}
    for _ in range(scaling_runs):
        for jobs in (1, 2):  # alternated, so that other load hits both alike
            before = cpu_times()
            scaled[jobs] += timed(
                lambda jobs=jobs: sum(1 for _ in policy.check_many(many, jobs=jobs)), 1
            )
            after = cpu_times()
            cpu[jobs][0] += after[0] - before[0]
            cpu[jobs][1] += after[1] - before[1]
    results.update(
        {
            "scaling_posts": len(many),
            "scaling_runs": scaling_runs,
            "jobs1_posts_per_s": rate(len(many), median(scaled[1])),
            "jobs2_posts_per_s": rate(len(many), median(scaled[2])),
            # CPU seconds of this process and of the workers, and the cores the run got
            # (CPU / wall): below 2 with jobs=2 means other processes took the machine.
            "jobs1_cpu_parent_s": cpu[1][0],
            "jobs2_cpu_parent_s": cpu[2][0],
            "jobs2_cpu_workers_s": cpu[2][1],
            "jobs1_cores_used": (cpu[1][0] + cpu[1][1]) / sum(scaled[1]),
            "jobs2_cores_used": (cpu[2][0] + cpu[2][1]) / sum(scaled[2]),
        }
    )
    results["scaling_ratio"] = ratio(results["jobs2_posts_per_s"], results["jobs1_posts_per_s"])
    results["cli_has_jobs"] = cli_has_jobs()
    if results["cli_has_jobs"]:
        by_jobs = time_interleaved(
            {
                str(jobs): Command(
                    [*cli_cmd, "--format", "jsonl", "--jobs", str(jobs), str(big)],
                    env=env,
                    cwd=DATA,
                )
                for jobs in (1, 2)
            },
            scaling_runs,
            warmup=0,
        )
        cli_jobs = {int(jobs): median(values) for jobs, values in by_jobs.items()}
        results["cli_jobs1_posts_per_s"] = rate(100_000, cli_jobs[1])
        results["cli_jobs2_posts_per_s"] = rate(100_000, cli_jobs[2])
        results["cli_scaling_ratio"] = ratio(cli_jobs[1], cli_jobs[2])

    print(f"throughput, {count:,} tweets, one process (median of {runs}; policy: {chosen.label})")
    if chosen.note:
        print(f"  note: {chosen.note}")
    print(f"  {findings:,} findings from {chosen.rules} rules")
    rows = [
        ("engine: the scan stage", results["engine_posts_per_s"]),
        ("API: Policy.check_many", results["api_posts_per_s"]),
        ("API: read_path + Policy.check_many", results["api_with_read_posts_per_s"]),
        ("CLI: check --format jsonl (whole process)", results["cli_posts_per_s"]),
        (f"proselint {results['proselint_version']} (one file)", results["proselint_posts_per_s"]),
    ]
    for label, value in rows:
        print(f"  {label:<44} {fmt_rate(value):>18}")
    print(
        f"  API/proselint {results['api_vs_proselint']:.2f}x, "
        f"CLI/proselint {results['cli_vs_proselint']:.2f}x (target >= 10x; >= 10,000 posts/s)"
    )
    print(f"\nparallel scaling, {len(many):,} posts (median of {scaling_runs})")
    print(f"  check_many jobs=1 (in process)  {fmt_rate(results['jobs1_posts_per_s']):>18}")
    print(f"  check_many jobs=2 (2 workers)   {fmt_rate(results['jobs2_posts_per_s']):>18}")
    print(f"  ratio jobs=2/jobs=1: {results['scaling_ratio']:.2f}x (target >= 1.7x)")
    print(
        f"  cores obtained: jobs=1 {results['jobs1_cores_used']:.2f}, "
        f"jobs=2 {results['jobs2_cores_used']:.2f} (of 2; less means a busy machine); "
        f"pool overhead in this process: {results['jobs2_cpu_parent_s']:.1f} s CPU vs "
        f"{results['jobs2_cpu_workers_s']:.1f} s in the workers"
    )
    if results["cli_has_jobs"]:
        print(f"  CLI --jobs 2 / --jobs 1: {results['cli_scaling_ratio']:.2f}x")
    else:
        print("  CLI: no --jobs option yet (not measured)")
    emit(results, args.json)
    return results


if __name__ == "__main__":
    main()
