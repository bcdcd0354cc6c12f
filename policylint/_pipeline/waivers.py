"""Waivers applied: a post's findings, each waived or not, and the problems with its waivers.

What a post says about waivers (:mod:`policylint._pipeline.directives`) meets its findings
here. A waived finding is kept, marked ``waived`` with the waiver's reason, so the report is
an audit trail; it never counts towards the exit code. Problems with waivers themselves are
findings of the synthetic rule ``policylint.waiver`` (see :data:`WAIVER_RULE`): a waiver
without a reason (an error when ``[waivers] require-reason`` is on, a warning unless it is
explicitly off), a waiver of a rule marked ``waivable false``, a malformed directive, an
unknown rule and (``--report-unused-waivers``) a waiver that waives nothing.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence

from policylint._model.posts import Post
from policylint._model.reports import Finding
from policylint._model.severity import Severity
from policylint._model.struct import NamedTuple
from policylint._pipeline.directives import Problem, Waiver, meta_waivers, parse_directives
from policylint._pipeline.selection import matches as rule_matches

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._model.rules import RuleInfo

__all__ = [
    "DEFAULT_OPTIONS",
    "WAIVER_CATEGORY",
    "WAIVER_RULE",
    "RuleTable",
    "WaiverOptions",
    "check_post",
]

#: The synthetic rule that problems with waivers are reported under.
WAIVER_RULE = "policylint.waiver"
WAIVER_CATEGORY = "policylint"


class WaiverOptions(NamedTuple):
    """How waivers are checked: whether each needs a reason, whether unused ones are reported.

    ``require_reason``: True refuses a waiver without ``-- reason`` (an error), False accepts
    it silently, None (the default) accepts it with a warning, so a reason-less waiver never
    goes unnoticed unless the configuration says reasons are optional."""

    require_reason: bool | None = None
    report_unused: bool = False


DEFAULT_OPTIONS = WaiverOptions()


class RuleTable:
    """What waivers need to know about the rules: all of the policy's, and those that ran."""

    def __init__(self, rules: Iterable[RuleInfo], selected: Iterable[str]) -> None:
        self.rules: dict[str, RuleInfo] = {rule.id: rule for rule in rules}
        self.selected = frozenset(selected)

    def matching(self, pattern: str, *, only_selected: bool = False) -> list[RuleInfo]:
        pool = self.rules.values()
        return [
            r
            for r in pool
            if rule_matches(pattern, r.id, r.category)
            and (not only_selected or r.id in self.selected)
        ]


def check_post(
    post: Post,
    scan: Callable[[Post], list[Finding]],
    rules: RuleTable,
    options: WaiverOptions = DEFAULT_OPTIONS,
) -> list[Finding]:
    """The findings ``scan`` gives for ``post`` with its waivers applied, and the problems
    with its waivers. Directive lines are removed from the text before it is scanned (they
    are instructions, not content); findings still point into the original text."""
    directives = parse_directives(post.text)
    from_meta, meta_problems = meta_waivers(post.meta)
    if directives.removed:
        stripped = post.replace(text=directives.text)
        found = [_restore(f, post, directives.removed) for f in scan(stripped)]
    else:
        found = scan(post)
    waivers = directives.waivers + from_meta
    problems = directives.problems + meta_problems
    if not waivers and not problems:
        return found

    usable: list[Waiver] = []
    for waiver in waivers:
        if waiver.reason is None and options.require_reason:
            problems.append(
                Problem(
                    f"waiver of {waiver.rule} needs a reason ('-- why'): "
                    "this repository's configuration requires one",
                    Severity.ERROR,
                    waiver.at,
                )
            )
            continue
        if waiver.reason is None and options.require_reason is None:
            problems.append(
                Problem(
                    f"waiver of {waiver.rule} gives no reason ('-- why'); it applies, but "
                    "say why (or set [waivers] require-reason = false)",
                    Severity.WARNING,
                    waiver.at,
                )
            )
        known = rules.matching(waiver.rule)
        if not known:
            from policylint._model.errors import did_you_mean

            hint = did_you_mean(waiver.rule, rules.rules)
            problems.append(
                Problem(
                    f"waiver of unknown rule '{waiver.rule}'" + (f"; {hint}" if hint else ""),
                    Severity.WARNING,
                    waiver.at,
                )
            )
            continue
        if waiver.rule in rules.rules and not rules.rules[waiver.rule].waivable:
            problems.append(_not_waivable(waiver.rule, waiver.at))
            continue
        usable.append(waiver)

    used: set[int] = set()
    refused: set[tuple[int, str]] = set()
    result: list[Finding] = []
    for finding in found:
        covering = [
            index
            for index, waiver in enumerate(usable)
            if rule_matches(waiver.rule, finding.rule, finding.category)
            and _covers(waiver, finding)
        ]
        if not covering:
            result.append(finding)
            continue
        info = rules.rules.get(finding.rule)
        if info is not None and not info.waivable:
            for index in covering:
                if (index, finding.rule) not in refused:
                    refused.add((index, finding.rule))
                    problems.append(_not_waivable(finding.rule, usable[index].at))
            result.append(finding)
            continue
        used.update(covering)
        result.append(finding._replace(waived=True, waiver_reason=usable[covering[0]].reason))

    if options.report_unused:
        for index, waiver in enumerate(usable):
            if index in used or not rules.matching(waiver.rule, only_selected=True):
                continue
            what = "this post" if waiver.span is None else _scope(waiver)
            problems.append(
                Problem(
                    f"unused waiver: no {waiver.rule} finding in {what}",
                    Severity.WARNING,
                    waiver.at,
                )
            )

    result.extend(_problem_finding(post, problem) for problem in _unique(problems))
    return sorted(result, key=Finding.sort_key)


def _scope(waiver: Waiver) -> str:
    return "the next line" if waiver.kind == "disable-next-line" else "the disabled block"


def _not_waivable(rule: str, at: tuple[int, int] | None) -> Problem:
    return Problem(
        f"{rule} cannot be waived (the rule says 'waivable false'); fix the post instead",
        Severity.ERROR,
        at,
    )


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    kept = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            kept.append(problem)
    return kept


def _covers(waiver: Waiver, finding: Finding) -> bool:
    if waiver.span is None:
        return True
    if finding.field is not None:
        return False  # a metadata field is not a line of the text; waive it in meta
    start, end = waiver.span
    return start <= finding.start < end or (finding.start == finding.end == start)


def _restore(finding: Finding, post: Post, removed: Sequence[tuple[int, int]]) -> Finding:
    """A finding made on the text without directive lines, moved back to the original."""
    if finding.field is not None:
        return finding
    mapping = _OffsetMap(removed)
    start = mapping.original(finding.start)
    end = mapping.original_end(finding.end) if finding.end > finding.start else start
    line, column = _locate(post, start)
    end_line, end_column = _locate(post, end)
    return finding._replace(
        start=start,
        end=end,
        match=post.text[start:end],
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
    )


class _OffsetMap:
    """Offsets of a text with some ranges removed -> offsets of the original text."""

    def __init__(self, removed: Sequence[tuple[int, int]]) -> None:
        # Each kept segment: (offset in the stripped text, offset in the original).
        self.stripped: list[int] = [0]
        self.original_starts: list[int] = [0]
        total = 0
        for start, end in removed:
            total += end - start
            self.stripped.append(end - total)
            self.original_starts.append(end)
        # Adjacent removals give equal stripped offsets; bisect_right picks the later one.

    def original(self, offset: int) -> int:
        index = bisect_right(self.stripped, offset) - 1
        return self.original_starts[index] + offset - self.stripped[index]

    def original_end(self, offset: int) -> int:
        return self.original(offset - 1) + 1


def _locate(post: Post, offset: int) -> tuple[int, int]:
    from policylint._model.positions import locate_in_source, position_of

    if post.source is None:
        return position_of(post.text, offset)
    return locate_in_source(post.source, post.text, offset)


def _problem_finding(post: Post, problem: Problem) -> Finding:
    source = post.source
    if problem.at is None:
        line, column = (source.line, source.column) if source is not None else (1, 1)
        start = end = 0
        end_line, end_column = line, column
        match, field_name = "", "meta.policylint.waive"
    else:
        start, end = problem.at
        line, column = _locate(post, start)
        end_line, end_column = _locate(post, end)
        match, field_name = post.text[start:end], None
    return Finding(
        rule=WAIVER_RULE,
        category=WAIVER_CATEGORY,
        severity=problem.severity,
        message=problem.message,
        owner=None,
        reference=None,
        reference_url=None,
        path=source.path if source is not None else None,
        post=post.id,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        start=start,
        end=end,
        match=match,
        field=field_name,
        suggestion=None,
    )
