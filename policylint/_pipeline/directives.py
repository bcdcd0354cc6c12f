"""Waiver directives: finding them in a post's text and metadata.

This module reads what is written; :mod:`policylint._pipeline.waivers` applies it.

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
from collections.abc import Mapping, Sequence

from policylint._model.severity import Severity
from policylint._model.struct import NamedTuple, Struct

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Directives", "Problem", "Waiver", "meta_waivers", "parse_directives"]

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
