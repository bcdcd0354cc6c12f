"""``policylint score``: how well the policy judges posts whose answer is known.

Each post names what it breaks in a field of its own (``expect`` unless ``--labels`` says
otherwise): categories or rule ids, ``[]`` for a clean post. The posts are checked by the
same path as ``policylint check`` (configuration, selection, waivers), then scored post by
post: per category, precision (of the posts flagged for it, how many break it) and recall
(of the posts that break it, how many were flagged), the share of clean posts flagged, and
for each rule a label names, how many of its posts it caught. A waived finding does not
count. ``--min-precision``, ``--min-recall`` and ``--max-clean-flagged`` make the exit code
1 when a category (or the clean posts) misses them, for a department's CI.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from policylint._cli.exits import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, NoReturn

    from policylint._model.posts import InputError, Post
    from policylint._model.reports import Finding

__all__ = ["ScoreOptions", "Scored", "Tally", "run_score"]


class ScoreOptions(NamedTuple):
    paths: tuple[str, ...]
    labels: str = "expect"
    policy: str | None = None
    config_file: str | None = None
    isolated: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    output_format: str = "text"
    verbose: bool = False
    min_precision: float | None = None
    min_recall: float | None = None
    max_clean_flagged: float | None = None


class Scored(NamedTuple):
    """One labelled post: where it is, what it should break, and what was found."""

    where: str
    line: int
    column: int
    labels: tuple[str, ...]
    categories: frozenset[str]
    rules: frozenset[str]
    #: Labelled ``[]``: breaks nothing (not merely nothing of the rules that ran).
    clean: bool = False


class Tally:
    """The labelled posts of a run, scored once every rule that ran is known."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.posts: list[Scored] = []
        self.errors: list[InputError] = []

    def add(self, post: Post, findings: list[Finding]) -> None:
        from policylint._model.posts import InputError

        source = post.source
        where = source.path if source is not None else (post.id or "-")
        line, column = (source.line, source.column) if source is not None else (1, 1)
        value = post.meta.get(self.field)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            got = "nothing" if value is None else f"{type(value).__name__} {value!r}"
            name = f"post {post.id}: " if post.id else ""
            message = (
                f"{name}'{self.field}' must list what the post breaks "
                f"(categories or rule ids, [] for a clean post), not {got}"
            )
            self.errors.append(InputError(where, message, line, column))
            return
        kept = [f for f in findings if not f.waived]
        self.posts.append(
            Scored(
                where,
                line,
                column,
                tuple(value),
                frozenset(f.category for f in kept),
                frozenset(f.rule for f in kept),
            )
        )

    def drop_labels(self, ran: Mapping[str, str], known: Mapping[str, str]) -> None:
        """Keep the labels that name a category or rule that ran (``ran``: rule id ->
        category); leave out those of rules and categories the selection left out
        (``known``, the whole policy's); and move the posts whose labels name neither to
        the errors, with a did-you-mean: a misspelt label must not read as a missed post."""
        from policylint._model.errors import did_you_mean
        from policylint._model.posts import InputError

        categories, everything = set(ran.values()), {*known, *known.values()}
        kept = []
        for post in self.posts:
            wrong = [label for label in post.labels if label not in everything]
            if not wrong:
                labels = (x for x in post.labels if x in ran or x in categories)
                kept.append(post._replace(labels=tuple(labels), clean=not post.labels))
                continue
            hint = did_you_mean(wrong[0], everything)
            message = f"'{self.field}' names '{wrong[0]}', no category or rule of the policy"
            self.errors.append(
                InputError(
                    post.where, message + (f"; {hint}" if hint else ""), post.line, post.column
                )
            )
        self.posts = kept

    def report(self, category_of: Mapping[str, str]) -> dict[str, Any]:
        """Per category and per labelled rule: posts, precision, recall; the clean posts
        flagged; and each post judged wrongly (its categories, or a labelled rule missed)."""
        counts: dict[str, Counter[str]] = {}
        rules: dict[str, Counter[str]] = {}
        wrong = []
        clean = clean_flagged = 0
        for post in self.posts:
            wanted = {category_of.get(label, label) for label in post.labels}
            for category in wanted | post.categories:
                found = category in post.categories
                key = ("tp" if found else "fn") if category in wanted else "fp"
                counts.setdefault(category, Counter())[key] += 1
            missed = [
                label for label in post.labels if label in category_of and label not in post.rules
            ]
            for label in post.labels:
                if label in category_of:
                    rules.setdefault(label, Counter())["fn" if label in missed else "tp"] += 1
            if post.clean:
                clean += 1
                clean_flagged += bool(post.categories)
            if wanted != post.categories or missed:
                wrong.append(
                    {
                        "path": post.where,
                        "line": post.line,
                        "column": post.column,
                        "expected": sorted(post.labels),
                        "found": sorted(post.rules),
                    }
                )
        total = sum(counts.values(), Counter())
        return {
            "posts": len(self.posts),
            "categories": {name: _ratios(c) for name, c in sorted(counts.items())},
            "micro": _ratios(total),
            "rules": {name: _ratios(c) for name, c in sorted(rules.items())},
            "clean": clean,
            "clean_flagged": clean_flagged,
            "wrong": wrong,
        }


def _ratios(counts: Counter[str]) -> dict[str, Any]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return {
        "posts": tp + fn,
        "flagged": tp + fp,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
    }


def run_score(options: ScoreOptions) -> NoReturn:
    """Check and score the labelled posts of ``options.paths``; print; exit (see the module)."""
    from policylint._cli.check import _check_targets, _inputs, request_for
    from policylint._cli.contexts import Contexts, make_resolver
    from policylint._cli.options import CheckOptions
    from policylint._cli.output import Run
    from policylint._config.config import ConfigError

    check = CheckOptions(
        paths=options.paths,
        policy=options.policy,
        config_file=options.config_file,
        isolated=options.isolated,
        select=options.select,
        ignore=options.ignore,
        quiet=True,
    )
    request = request_for(check, "never")
    resolver = make_resolver(options.config_file, options.isolated)
    contexts = Contexts(resolver, request)
    tally = Tally(options.labels)
    run = Run()
    run.observe = tally.add
    try:
        _check_targets(_inputs(options.paths, resolver, run), contexts, run, check)
    except ConfigError as problem:
        print(str(problem), file=sys.stderr)
        sys.exit(EXIT_ERROR)
    category_of = {info.id: info.category for info in contexts.rules.values()}
    tally.drop_labels(category_of, {info.id: info.category for info in contexts.known.values()})
    report = tally.report(category_of)
    errors = sorted([*run.errors, *tally.errors], key=lambda e: (e.path, e.line, e.column))
    failed = _gates(report, options)
    if options.output_format == "json":
        report["errors"] = [error.model_dump() for error in errors]
        report["failed"] = failed
        print(json.dumps(report, indent=2))
    else:
        _print_text(report, options.verbose, failed)
    for error in errors:
        print(f"{error.path}:{error.line}:{error.column}: {error.message}", file=sys.stderr)
    sys.exit(EXIT_ERROR if errors else EXIT_FINDINGS if failed else EXIT_CLEAN)


def _gates(report: Mapping[str, Any], options: ScoreOptions) -> list[str]:
    """What misses ``--min-precision``, ``--min-recall`` or ``--max-clean-flagged``."""
    failed = []
    for name, row in report["categories"].items():
        for gate, key, value in (
            ("--min-precision", "precision", options.min_precision),
            ("--min-recall", "recall", options.min_recall),
        ):
            if value is not None and row[key] is not None and row[key] < value:
                failed.append(f"{name}: {key} {row[key]:.3f} < {gate} {value}")
    limit, clean = options.max_clean_flagged, report["clean"]
    if limit is not None and clean and report["clean_flagged"] / clean > limit:
        share = report["clean_flagged"] / clean
        failed.append(f"clean posts flagged {share:.3f} > --max-clean-flagged {limit}")
    return failed


def _print_text(report: Mapping[str, Any], verbose: bool, failed: list[str]) -> None:
    def cell(value: float | None) -> str:
        return f"{value:>10.3f}" if value is not None else f"{'-':>10}"

    print(f"{'category':<16}{'posts':>6}{'flagged':>8}{'precision':>10}{'recall':>10}")
    for name, row in [*report["categories"].items(), ("micro", report["micro"])]:
        print(
            f"{name:<16}{row['posts']:>6}{row['flagged']:>8}"
            f"{cell(row['precision'])}{cell(row['recall'])}"
        )
    if report["rules"]:
        print(f"\n{'rule (named by a label)':<40}{'posts':>6}{'caught':>10}")
        for name, row in report["rules"].items():
            print(f"{name:<40}{row['posts']:>6}{cell(row['recall'])}")
    clean, flagged = report["clean"], report["clean_flagged"]
    share = f" = {flagged / clean:.3f}" if clean else ""
    print(f"\n{report['posts']} labelled posts, {len(report['wrong'])} judged wrongly; ", end="")
    print(f"clean posts flagged {flagged}/{clean}{share}")
    if verbose:
        for post in report["wrong"]:
            expected = ", ".join(post["expected"]) or "nothing"
            found = ", ".join(post["found"]) or "nothing"
            where = f"{post['path']}:{post['line']}:{post['column']}"
            print(f"{where}: expected {expected}; found {found}")
    for line in failed:
        print(f"failed: {line}")
