"""Waivers: silencing a finding on purpose, with a reason and an audit trail.

Three ways to waive, each naming rules by id, glob (``tone.*``) or category:

* in Markdown/HTML, an HTML comment on a line of its own::

      <!-- policylint-disable-next-line tone.shouting -- launch-day tone agreed with comms -->
      <!-- policylint-disable legal.trademark -- quoting the court's ruling -->
      ...
      <!-- policylint-enable legal.trademark -->

* in plain text, a line of its own (``disable-next-line`` and ``enable`` work too)::

      policylint: disable=tone.shouting -- launch-day tone agreed with comms

* in metadata (front matter, a JSON/YAML/CSV record): a list of rules waived for the whole
  post, ``policylint: {waive: [{rule: tone.shouting, reason: "..."}]}``.

Directive lines are removed from the text before it is checked (they are instructions, not
content; offsets, lines and columns of findings still point into the original text).
``disable-next-line`` covers the next line that is neither blank nor another directive;
``disable`` covers everything up to a matching ``enable`` (or the end of the text).

Waived findings are kept, marked ``waived`` with the waiver's reason, so the JSON report is
an audit trail; they never count towards the exit code. Problems with waivers themselves are
findings of the synthetic rule ``policylint.waiver`` (see :data:`WAIVER_RULE`): a waiver
without a reason (an error when ``[waivers] require-reason`` is on, a warning unless it is
explicitly off), a waiver of a rule marked
``waivable false``, a malformed directive, an unknown rule and (``--report-unused-waivers``)
a waiver that waives nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence

from policylint._model.posts import Post
from policylint._model.reports import Finding
from policylint._model.severity import Severity
from policylint._model.struct import NamedTuple, Struct
from policylint._pipeline.selection import matches as rule_matches

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._model.rules import RuleInfo
    from policylint._pipeline.policy import Policy

__all__ = [
    "WAIVER_CATEGORY",
    "WAIVER_RULE",
    "AuditedFinding",
    "Directives",
    "RuleTable",
    "Waiver",
    "WaiverOptions",
    "check_post",
    "parse_directives",
    "rule_matches",
]

#: The synthetic rule that problems with waivers are reported under.
WAIVER_RULE = "policylint.waiver"
WAIVER_CATEGORY = "policylint"

_VERBS = ("disable-next-line", "disable", "enable")
_HTML = re.compile(
    r"^[ \t]*<!--[ \t]*policylint-(?P<verb>disable-next-line|disable|enable)"
    r"(?=[\s=]|-->)(?P<rest>.*?)-->[ \t]*$"
)
_PLAIN = re.compile(
    r"^[ \t]*policylint:[ \t]*(?P<verb>disable-next-line|disable|enable)"
    r"(?=[\s=]|$)(?P<rest>.*?)[ \t]*$"
)
# Something that looks like an attempt at a directive; if a line holding it is not a
# directive, the author is told rather than the waiver silently doing nothing.
_ATTEMPT = re.compile(r"policylint(?:-|:[ \t]*)(?:disable|enable)", re.IGNORECASE)
_MENTION = re.compile(r"policylint", re.IGNORECASE)
_REASON_SPLIT = re.compile(r"(?:^|\s)--(?:\s|$)")
_RULE_PATTERN = re.compile(r"^[A-Za-z0-9_*?\[\]][A-Za-z0-9_*?\[\].\-]*$")
_LINE_BREAK = re.compile(r"\r\n?|\n")


#: A finding with its waiver state (``waived``, ``waiver_reason``): what the CLI reports.
AuditedFinding = Finding


class WaiverOptions(NamedTuple):
    """How waivers are checked: whether each needs a reason, whether unused ones are reported.

    ``require_reason``: True refuses a waiver without ``-- reason`` (an error), False accepts
    it silently, None (the default) accepts it with a warning, so a reason-less waiver never
    goes unnoticed unless the configuration says reasons are optional."""

    require_reason: bool | None = None
    report_unused: bool = False


_DEFAULT_OPTIONS = WaiverOptions()


class Waiver(NamedTuple):
    """One rule pattern waived over a range of the original text (or the whole post)."""

    rule: str
    reason: str | None
    #: The covered range of the original text; None for a waiver of the whole post.
    span: tuple[int, int] | None
    #: Where the directive is written: a range of the original text, or None for metadata.
    at: tuple[int, int] | None
    #: How it was written, for messages: "disable-next-line", "disable" or "meta".
    kind: str


class Problem(NamedTuple):
    """A directive that cannot work as written."""

    message: str
    severity: Severity
    at: tuple[int, int] | None


class Directives(Struct):
    """The waivers written in a text, and the text with the directive lines removed."""

    __slots__ = ("problems", "removed", "text", "waivers")
    FIELDS = ("text", "waivers", "problems", "removed")

    def __init__(
        self,
        text: str,
        waivers: list[Waiver] | None = None,
        problems: list[Problem] | None = None,
        removed: list[tuple[int, int]] | None = None,
    ) -> None:
        self.text = text
        self.waivers: list[Waiver] = [] if waivers is None else waivers
        self.problems: list[Problem] = [] if problems is None else problems
        #: Ranges of the original text removed from :attr:`text`, in order.
        self.removed: list[tuple[int, int]] = [] if removed is None else removed


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


# ---------------------------------------------------------------------------- parsing


def parse_directives(text: str) -> Directives:
    """Find the waiver directives of a text (see the module docstring)."""
    result = Directives(text=text)
    if not _MENTION.search(text):
        return result
    lines = _lines(text)
    directive_lines: set[int] = set()
    parsed: list[tuple[int, str, list[str], str | None, tuple[int, int]]] = []
    for number, (start, end, _) in enumerate(lines):
        line = text[start:end]
        found = _HTML.match(line) or _PLAIN.match(line)
        if found is None:
            attempt = _ATTEMPT.search(line)
            if attempt is not None:
                result.problems.append(
                    Problem(
                        "not a waiver: a directive must be alone on its line, e.g. "
                        "'<!-- policylint-disable-next-line RULE -- reason -->' or "
                        "'policylint: disable=RULE -- reason'",
                        Severity.WARNING,
                        (start + attempt.start(), start + attempt.end()),
                    )
                )
            continue
        at = _trimmed(text, start, end)
        rules, reason, problem = _arguments(found.group("verb"), found.group("rest"))
        directive_lines.add(number)
        if problem is not None:
            result.problems.append(Problem(problem, Severity.ERROR, at))
            continue
        parsed.append((number, found.group("verb"), rules, reason, at))

    open_blocks: dict[str, tuple[str | None, tuple[int, int], int]] = {}
    for number, verb, rules, reason, at in parsed:
        line_start, _, line_end = lines[number]
        if verb == "disable-next-line":
            target = _next_content_line(lines, text, number, directive_lines)
            if target is None:
                result.problems.append(
                    Problem("disable-next-line has no line after it to waive", Severity.WARNING, at)
                )
                continue
            result.waivers.extend(
                Waiver(rule, reason, target, at, "disable-next-line") for rule in rules
            )
        elif verb == "disable":
            for rule in rules:
                if rule in open_blocks:
                    _close(result, rule, open_blocks.pop(rule), line_start)
                open_blocks[rule] = (reason, at, line_end)
        else:  # enable
            names = rules or list(open_blocks)
            if not names:
                result.problems.append(
                    Problem("enable without a disable before it", Severity.WARNING, at)
                )
            for rule in names:
                block = open_blocks.pop(rule, None)
                if block is None:
                    result.problems.append(
                        Problem(f"enable {rule}: it was not disabled", Severity.WARNING, at)
                    )
                    continue
                _close(result, rule, block, line_start)
    for rule, block in open_blocks.items():
        _close(result, rule, block, len(text))

    result.removed = [(lines[n][0], lines[n][2]) for n in sorted(directive_lines)]
    if result.removed:
        pieces = []
        previous = 0
        for start, end in result.removed:
            pieces.append(text[previous:start])
            previous = end
        pieces.append(text[previous:])
        result.text = "".join(pieces)
    return result


def _close(
    result: Directives, rule: str, block: tuple[str | None, tuple[int, int], int], end: int
) -> None:
    reason, at, start = block
    if end <= start:
        message = f"disable {rule} covers no text; put it before the lines it waives"
        result.problems.append(Problem(message, Severity.WARNING, at))
        return
    result.waivers.append(Waiver(rule, reason, (start, end), at, "disable"))


def _lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end without the line break, end with it) of every line."""
    lines = []
    position = 0
    for found in _LINE_BREAK.finditer(text):
        lines.append((position, found.start(), found.end()))
        position = found.end()
    if position < len(text) or not lines:
        lines.append((position, len(text), len(text)))
    return lines


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    segment = text[start:end]
    left = len(segment) - len(segment.lstrip())
    right = len(segment.rstrip())
    return start + left, start + max(left, right)


def _next_content_line(
    lines: Sequence[tuple[int, int, int]], text: str, number: int, directives: set[int]
) -> tuple[int, int] | None:
    for index in range(number + 1, len(lines)):
        start, end, full_end = lines[index]
        if index in directives or not text[start:end].strip():
            continue
        return start, full_end
    return None


def _arguments(verb: str, rest: str) -> tuple[list[str], str | None, str | None]:
    """The rule patterns and the reason of a directive, or a problem."""
    rest = rest.strip().removeprefix("=").strip()
    pieces = _REASON_SPLIT.split(rest, maxsplit=1)
    names = [name for name in re.split(r"[,\s]+", pieces[0].strip()) if name]
    reason = pieces[1].strip() if len(pieces) > 1 else None
    for name in names:
        if not _RULE_PATTERN.match(name):
            return [], None, f"'{name}' is not a rule id, glob or category"
    if not names and verb != "enable":
        return [], None, f"policylint-{verb} must name the rules it waives"
    return names, reason or None, None


def meta_waivers(meta: Mapping[str, Any]) -> tuple[list[Waiver], list[Problem]]:
    """Waivers listed in ``meta.policylint.waive``."""
    own = meta.get("policylint")
    if own is None:
        return [], []
    where = "meta.policylint"
    if not isinstance(own, Mapping):
        return [], [Problem(f"{where} must be a mapping with a 'waive' list", Severity.ERROR, None)]
    problems = [
        Problem(f"unknown key '{where}.{key}': expected 'waive'", Severity.ERROR, None)
        for key in own
        if key != "waive"
    ]
    entries = own.get("waive", [])
    if not isinstance(entries, list):
        entries = [entries]
    waivers: list[Waiver] = []
    for number, entry in enumerate(entries, start=1):
        rules: Any
        reason: Any = None
        if isinstance(entry, str):
            rules, _, reason = (part.strip() for part in entry.partition(" -- "))
        elif isinstance(entry, Mapping):
            rules = entry.get("rule", entry.get("rules"))
            reason = entry.get("reason")
            extra = sorted(set(entry) - {"rule", "rules", "reason"})
            if extra:
                problems.append(
                    Problem(
                        f"{where}.waive[{number}]: unknown key '{extra[0]}' "
                        "(expected rule, reason)",
                        Severity.ERROR,
                        None,
                    )
                )
                continue
        else:
            rules = None
        names = [rules] if isinstance(rules, str) else rules
        valid = (
            isinstance(names, list)
            and names
            and all(isinstance(n, str) and _RULE_PATTERN.match(n) for n in names)
        )
        if not valid or (reason is not None and not isinstance(reason, str)):
            problems.append(
                Problem(
                    f'{where}.waive[{number}] must be {{rule: RULE, reason: "..."}}',
                    Severity.ERROR,
                    None,
                )
            )
            continue
        text_reason = reason.strip() if isinstance(reason, str) and reason.strip() else None
        waivers.extend(Waiver(name, text_reason, None, None, "meta") for name in names)
    return waivers, problems


# ---------------------------------------------------------------------------- checking


def check_post(
    policy: Policy,
    post: Post,
    rules: RuleTable,
    options: WaiverOptions = _DEFAULT_OPTIONS,
) -> list[AuditedFinding]:
    """The findings for one post with its waivers applied, and problems with the waivers."""
    directives = parse_directives(post.text)
    from_meta, meta_problems = meta_waivers(post.meta)
    if directives.removed:
        stripped = post.replace(text=directives.text)
        found = [_restore(f, post, directives.removed) for f in policy.scan(stripped)]
    else:
        found = policy.scan(post)
    waivers = directives.waivers + from_meta
    problems = directives.problems + meta_problems
    if not waivers and not problems:
        return [_audited(f) for f in found]

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
    result: list[AuditedFinding] = []
    for finding in found:
        covering = [
            index
            for index, waiver in enumerate(usable)
            if rule_matches(waiver.rule, finding.rule, finding.category)
            and _covers(waiver, finding)
        ]
        if not covering:
            result.append(_audited(finding))
            continue
        info = rules.rules.get(finding.rule)
        if info is not None and not info.waivable:
            for index in covering:
                if (index, finding.rule) not in refused:
                    refused.add((index, finding.rule))
                    problems.append(_not_waivable(finding.rule, usable[index].at))
            result.append(_audited(finding))
            continue
        used.update(covering)
        result.append(_audited(finding, waived=True, reason=usable[covering[0]].reason))

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


def _audited(
    finding: Finding, *, waived: bool = False, reason: str | None = None
) -> AuditedFinding:
    if not waived:
        return finding
    return finding._replace(waived=waived, waiver_reason=reason)


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


def _problem_finding(post: Post, problem: Problem) -> AuditedFinding:
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
    return AuditedFinding(
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
