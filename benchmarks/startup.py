"""Cold start: ``policylint check one-post.txt`` against proselint on the same post.

Each figure is the median wall-clock time of N fresh processes, measured in this run:

- ``python -c pass``: the floor (the interpreter alone);
- ``policylint --version``;
- ``policylint check one-post.txt`` with the compiled-policy cache warm (the pre-commit case),
  and the same post without its phone number (plain-post.txt: phonenumbers is not loaded);
- the same from a project folder whose ``pyproject.toml`` configures policylint (the
  pre-commit case: configuration discovered and read; the policy named there);
- the same right after the policy changed (the cache entry is stale: one rebuild per run);
- the same with caching off (``POLICYLINT_NO_CACHE=1``);
- ``proselint check one-post.txt`` (PyPI, in benchmarks/.venvs/proselint).

Then ``python -X importtime`` of ``policylint --version`` and of the check: the modules
that cost the most to import.

    python benchmarks/startup.py [--runs 20] [--json FILE]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _proselint
from _common import (
    DATA,
    POLICYLINT,
    PYTHON,
    Command,
    bench_policy,
    clean_env,
    emit,
    fmt_ms,
    median,
    parser,
    ratio,
    require_data,
    time_interleaved,
)

CACHE = DATA / "cache"


def importtime(argv: list[str], env: dict[str, str], top: int = 12) -> dict[str, Any]:
    """Run ``python -X importtime ...`` and return the costliest imports."""
    done = subprocess.run(
        [PYTHON, "-X", "importtime", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=DATA,
    )
    entries = []
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if found:
            self_us, cumulative_us, indent, name = found.groups()
            entries.append((name, int(self_us), int(cumulative_us), len(indent) // 2))
    top_level = [e for e in entries if e[3] == 0]
    total = sum(e[2] for e in top_level)
    by_cumulative = sorted(top_level, key=lambda e: -e[2])[:top]
    by_self = sorted(entries, key=lambda e: -e[1])[:top]
    return {
        "command": " ".join(["python -X importtime", *argv]),
        "total_ms": total / 1000,
        "modules": len(entries),
        "top_cumulative": [(name, cum / 1000) for name, _, cum, _ in by_cumulative],
        "top_self": [(name, own / 1000) for name, own, _, _ in by_self],
        "loaded": sorted({e[0].split(".")[0] for e in entries}),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = parser(__doc__ or "")
    p.add_argument("--runs", type=int, default=20)
    args = p.parse_args(argv)
    runs = 5 if args.quick else args.runs
    post = require_data("one-post.txt")
    chosen = bench_policy()
    if CACHE.exists():
        shutil.rmtree(CACHE)
    CACHE.mkdir(parents=True)
    env = clean_env(POLICYLINT_CACHE_DIR=str(CACHE))
    check = [POLICYLINT, "check", "--isolated", "--policy", chosen.cli_arg, str(post)]

    results: dict[str, Any] = {"policy": chosen.label, "note": chosen.note, "runs": runs}

    # "The policy changed": a policy extending the benchmark policy, rewritten before each
    # run, so its cache entry is always stale while the grammar cache stays warm.
    changed_dir = DATA / "changed"
    changed_dir.mkdir(exist_ok=True)
    changed = changed_dir / "changed.policy"
    if chosen.cli_arg.startswith("builtin:"):
        body = f'policy "changed" {{ extends "{chosen.cli_arg}" }}\n'
    else:
        body = Path(chosen.cli_arg).read_text(encoding="utf-8")
    counter = [0]

    def touch() -> None:
        counter[0] += 1
        changed.write_text(f"{body}\n# edit {counter[0]}\n", encoding="utf-8")

    changed_check = [POLICYLINT, "check", "--isolated", "--policy", str(changed), str(post)]
    # A project configured in its pyproject.toml, as a pre-commit hook finds it.
    project = DATA / "project"
    project.mkdir(exist_ok=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "site"\n\n[tool.policylint]\n'
        f'policy = "{chosen.cli_arg}"\nfail-on = "error"\n',
        encoding="utf-8",
    )
    shutil.copyfile(post, project / "one-post.txt")
    config_check = [POLICYLINT, "check", "one-post.txt"]
    plain_check = [*check[:-1], str(require_data("plain-post.txt"))]
    prose_cmd = [*_proselint.proselint(), str(post)]
    # Round-robin, so that other load on the machine hits every command alike.
    times = time_interleaved(
        {
            "floor": Command([PYTHON, "-c", "pass"], env=env),
            "version": Command([POLICYLINT, "--version"], env=env),
            "warm": Command(check, env=env, cwd=DATA),
            "warm_plain": Command(plain_check, env=env, cwd=DATA),
            "warm_config": Command(config_check, env=env, cwd=project),
            "stale": Command(changed_check, env=env, cwd=DATA, before_each=touch),
            "uncached": Command(check, env=clean_env(POLICYLINT_NO_CACHE="1"), cwd=DATA),
            "proselint": Command(prose_cmd, env=clean_env(), cwd=_proselint.run_dir()),
        },
        runs,
        warmup=2,
    )
    floor, version, warm = times["floor"], times["version"], times["warm"]
    stale, uncached, prose = times["stale"], times["uncached"], times["proselint"]

    results.update(
        {
            "python_pass_s": median(floor),
            "policylint_version_s": median(version),
            "check_warm_s": median(warm),
            "check_warm_no_number_s": median(times["warm_plain"]),
            "check_warm_configured_s": median(times["warm_config"]),
            "check_policy_changed_s": median(stale),
            "check_no_cache_s": median(uncached),
            "proselint_s": median(prose),
            "proselint_version": _proselint.version(),
        }
    )
    results["ratio_vs_proselint"] = ratio(results["check_warm_s"], results["proselint_s"])
    results["changed_over_warm_s"] = results["check_policy_changed_s"] - results["check_warm_s"]
    results["importtime_version"] = importtime(["-m", "policylint", "--version"], env)
    results["importtime_check"] = importtime(
        ["-m", "policylint", *check[1:]],
        env,
    )

    print(f"start-up, one post (median of {runs} runs; policy: {chosen.label})")
    if chosen.note:
        print(f"  note: {chosen.note}")
    rows = [
        ("python -c pass (floor)", results["python_pass_s"]),
        ("policylint --version", results["policylint_version_s"]),
        ("policylint check, warm cache", results["check_warm_s"]),
        ("  the same post without the phone number", results["check_warm_no_number_s"]),
        ("  the same, configured in pyproject.toml", results["check_warm_configured_s"]),
        ("policylint check, policy just changed", results["check_policy_changed_s"]),
        ("policylint check, no cache", results["check_no_cache_s"]),
        (f"proselint {results['proselint_version']} check", results["proselint_s"]),
    ]
    for label, seconds in rows:
        print(f"  {label:<42} {fmt_ms(seconds):>10}")
    print(
        f"  ratio policylint/proselint: {results['ratio_vs_proselint']:.2f} (target <= 0.60); "
        f"warm target < 80 ms; a changed policy costs "
        f"+{fmt_ms(results['changed_over_warm_s'])} once"
    )
    for key in ("importtime_version", "importtime_check"):
        info = results[key]
        print(f"\n  {info['command']}: {info['total_ms']:.1f} ms, {info['modules']} modules")
        print("    top (cumulative, top-level):")
        for name, ms in info["top_cumulative"]:
            print(f"      {ms:8.1f} ms  {name}")
        print("    top (self):")
        for name, ms in info["top_self"][:8]:
            print(f"      {ms:8.1f} ms  {name}")
    emit(results, args.json)
    return results


if __name__ == "__main__":
    main()
