"""Where the time goes: per-stage cost of checking 10,000 tweets, and of loading the policy.

Each stage is timed on its own with ``time.perf_counter`` by calling policylint's internals
on every post of data/tweets-10k.jsonl:

    read        sources.read_path (decode, parse JSONL, build posts)
    normalise   text.fold_for_matching (term view) and text.plain_view (regex view)
    match       the policy's term automaton (its executable policy's terms.find) on the folded text
    regex       the policy's RE2 prefilter sets (its regexes.matching) on the plain text
    entities    hashtags, mentions, links, emoji
    detectors   each registered detector on every post
    metrics     each metric on every post (sentiment is VADER)
    scan        the scan stage end to end (everything above that the rules ask for, and the
                rules' own evaluation), for comparison with the sum of the stages
    check       the scan stage and the waivers: what ``Policy.check_many`` runs per post
    report      the jsonl reporter's lines

Stages are lazy inside ``scan`` (a detector runs only if a rule needs it, after its guard),
so the sum of the isolated stages is an upper bound; the cProfile of ``scan`` that follows
shows what ``scan`` really spends. Then the start-up side: loading the policy from the
compiled-policy cache and without it, and the first post (lazy automaton/regex-set builds).

    python benchmarks/profile.py [--posts 10000] [--json FILE]
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import DATA, emit, load_bench_policy, parser, require_data  # noqa: E402

# This file is named profile.py, like the standard library module cProfile imports: take
# benchmarks/ off the path before importing it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.modules.pop("profile", None)

import cProfile  # noqa: E402
import pstats  # noqa: E402


def per_post_us(fn: Callable[[Any], Any], items: Sequence[Any]) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return (time.perf_counter() - start) / max(1, len(items)) * 1e6


def stage(results: dict[str, Any], name: str, fn: Callable[[], float]) -> None:
    try:
        results[name] = fn()
    except Exception as error:  # internals move while the engine is being optimised
        results[name] = f"n/a ({type(error).__name__}: {error})"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = parser(__doc__ or "")
    p.add_argument("--posts", type=int, default=10_000)
    p.add_argument("--top", type=int, default=25)
    args = p.parse_args(argv)
    os.environ.setdefault("POLICYLINT_CACHE_DIR", str(DATA / "cache"))

    from policylint._pipeline.policy import checker_of
    from policylint._runtime.context import PostContext
    from policylint._text.views import fold_for_matching, plain_view
    from policylint.sources import read_path

    policy, chosen = load_bench_policy()
    checker = checker_of(policy)  # the pipeline behind the policy (internals)
    executable = checker.engine.executable
    path = require_data("tweets-10k.jsonl")
    start = time.perf_counter()
    read = read_path(path)
    read_us = (time.perf_counter() - start) / max(1, len(read.posts)) * 1e6
    posts = read.posts[: 2_000 if args.quick else args.posts]
    texts = [post.text for post in posts]
    for post in posts[:50]:
        checker.scan(post)  # lazy builds (automaton, regex sets, VADER) outside the timings

    stages: dict[str, Any] = {"read": read_us}
    stage(stages, "normalise: fold_for_matching", lambda: per_post_us(fold_for_matching, texts))
    stage(stages, "normalise: plain_view", lambda: per_post_us(plain_view, texts))
    folded = [fold_for_matching(t).text for t in texts]
    plain = [plain_view(t).text for t in texts]
    stage(stages, "match: term automaton", lambda: per_post_us(executable.terms.find, folded))
    regexes = executable.regexes
    stage(stages, "regex: RE2 prefilter sets", lambda: per_post_us(regexes.matching, plain))

    def entities() -> float:
        from policylint._text.entities import extract_entities

        return per_post_us(extract_entities, texts)

    stage(stages, "entities", entities)

    def contexts() -> list[PostContext]:
        out = []
        for post in posts:
            ctx = PostContext(post.text, post.platform, post.meta, policy.settings)
            ctx.plain  # noqa: B018 - computed outside the detector timings
            ctx.folded  # noqa: B018
            out.append(ctx)
        return out

    from policylint._runtime.metrics import METRICS
    from policylint.detectors import DETECTORS

    for name in DETECTORS.names():
        ctxs = contexts()
        detector = DETECTORS[name]
        stage(
            stages,
            f"detector: {name}",
            lambda d=detector, c=ctxs: per_post_us(lambda x: list(d.detect(x)), c),
        )
    for name, metric in METRICS.items():
        ctxs = contexts()
        stage(
            stages,
            f"metric: {name}",
            lambda m=metric, c=ctxs: per_post_us(m.compute, c),
        )
    stage(stages, "scan (end to end)", lambda: per_post_us(checker.scan, posts))
    stage(stages, "check (scan and waivers)", lambda: per_post_us(checker.check, posts))

    found = [f for post in posts for f in checker.scan(post)]

    def to_jsonl() -> float:
        from policylint.reporters.jsonl import write_finding

        out = io.StringIO()
        return per_post_us(lambda f: write_finding(f, out), found) * len(found) / len(posts)

    stage(stages, "report: jsonl lines", to_jsonl)

    # ------------------------------------------------------------------ cProfile of scan
    profiler = cProfile.Profile()
    profiler.enable()
    for post in posts:
        checker.scan(post)
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("tottime").print_stats(args.top)
    scan_profile = buffer.getvalue()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(args.top)
    scan_profile_cumulative = buffer.getvalue()

    # ------------------------------------------------------------------ load / first post
    import policylint

    source = chosen.cli_arg
    load: dict[str, float] = {}
    start = time.perf_counter()
    loaded = policylint.load_policy(source)
    load["load_policy, compiled-policy cache warm"] = time.perf_counter() - start
    start = time.perf_counter()
    loaded.check(posts[0])
    load["first post after a warm load (lazy builds)"] = time.perf_counter() - start
    os.environ["POLICYLINT_NO_CACHE"] = "1"
    try:
        import policylint._cache.folder as cachedir

        cachedir.cache_dir.cache_clear()
        start = time.perf_counter()
        policylint.load_policy(source)
        load["load_policy, no cache (parse + compile)"] = time.perf_counter() - start
    finally:
        del os.environ["POLICYLINT_NO_CACHE"]
        cachedir.cache_dir.cache_clear()
    load_profiler = cProfile.Profile()
    load_profiler.enable()
    policylint.load_policy(source).check(posts[0])
    load_profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(load_profiler, stream=buffer).sort_stats("tottime").print_stats(15)
    load_profile = buffer.getvalue()

    results: dict[str, Any] = {
        "policy": chosen.label,
        "note": chosen.note,
        "posts": len(posts),
        "findings": len(found),
        "stages_us_per_post": stages,
        "load_s": load,
        "scan_profile_tottime": scan_profile,
        "scan_profile_cumulative": scan_profile_cumulative,
        "load_profile_tottime": load_profile,
    }

    print(f"per-stage profile, {len(posts):,} tweets (policy: {chosen.label})")
    if chosen.note:
        print(f"  note: {chosen.note}")
    total = stages.get("scan (end to end)")
    for name, value in stages.items():
        if isinstance(value, float):
            share = f"{value / total:6.1%} of scan" if isinstance(total, float) else ""
            print(f"  {name:<40} {value:10.1f} us/post  {share}")
        else:
            print(f"  {name:<40} {value}")
    print("\nloading the policy")
    for name, seconds in load.items():
        print(f"  {name:<46} {seconds * 1000:9.1f} ms")
    print(f"\ncProfile of the scan stage over {len(posts):,} posts, by own time:")
    print(_trim(scan_profile))
    print("cProfile of the scan stage, by cumulative time:")
    print(_trim(scan_profile_cumulative))
    print("cProfile of load_policy (warm cache) + first post, by own time:")
    print(_trim(load_profile))
    emit(results, args.json)
    return results


def _trim(report: str) -> str:
    """pstats output without its preamble, paths shortened to the package."""
    lines = report.splitlines()
    for index, line in enumerate(lines):
        if line.strip().startswith("ncalls"):
            lines = lines[index:]
            break
    root = str(Path(__file__).resolve().parent.parent) + "/"
    out = []
    for line in lines:
        line = line.replace(root, "")
        line = line.replace(sys.prefix + "/lib/python3.11/site-packages/", "")
        out.append(line.rstrip())
    return "\n".join(out)


if __name__ == "__main__":
    main()
