"""Stream a JSONL archive through the engine: what ``check big.jsonl --format jsonl`` can be.

Reads one line at a time, checks with ``policylint.check_many`` (bounded chunks in flight
with ``--jobs``), and writes each finding as a JSON line as soon as it is known, so memory does not
grow with the input. Prints the resident set size at checkpoints on stderr, and stops early
after ``--max-seconds`` (saying how far it got) so that a slow engine still gives a figure.

    python benchmarks/stream_check.py data/tweets-1m.jsonl --policy builtin:all > /dev/null
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from typing import Any

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * _PAGE / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_jsonl(path: str) -> Iterator[Any]:
    from policylint._model.posts import SourceLocation
    from policylint.sources.records import Defaults, RecordError, post_from_record

    defaults = Defaults()
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = SourceLocation(path=path, line=number, column=1)
            try:
                record = json.loads(line)
                yield post_from_record(
                    record, source=where, default_id=str(number), defaults=defaults
                )
            except (ValueError, RecordError) as error:
                print(f"{path}:{number}: {error}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("path")
    p.add_argument("--policy", default=None)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--checkpoint", type=int, default=100_000)
    p.add_argument("--max-seconds", type=float, default=0, help="stop after this long (0: never)")
    p.add_argument("--stats", metavar="FILE", help="write the checkpoints as JSON to FILE")
    args = p.parse_args(argv)

    import policylint
    from policylint.reporters.jsonl import write_finding

    policy = policylint.load_policy(args.policy)
    out = sys.stdout
    start = time.perf_counter()
    checkpoints: list[dict[str, float]] = []
    count = findings = 0
    stopped = False
    results = policylint.check_many(read_jsonl(args.path), policy=policy, jobs=args.jobs)
    for item in results:
        for finding in item.findings:
            write_finding(finding, out)
            findings += 1
        count += 1
        if count % args.checkpoint == 0:
            mark = {
                "posts": count,
                "seconds": time.perf_counter() - start,
                "rss_mib": rss_mib(),
                "peak_mib": peak_mib(),
            }
            checkpoints.append(mark)
            print(
                f"{count:>10,} posts  {mark['seconds']:7.1f} s  RSS {mark['rss_mib']:6.1f} MiB  "
                f"peak {mark['peak_mib']:6.1f} MiB",
                file=sys.stderr,
            )
            if args.max_seconds and mark["seconds"] > args.max_seconds:
                stopped = True
                break
    results.close()  # type: ignore[attr-defined]
    summary = {
        "posts": count,
        "findings": findings,
        "seconds": time.perf_counter() - start,
        "peak_mib": peak_mib(),
        "stopped_early": stopped,
        "checkpoints": checkpoints,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "checkpoints"}), file=sys.stderr)
    if args.stats:
        with open(args.stats, "w", encoding="utf-8") as handle:
            json.dump(summary, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
