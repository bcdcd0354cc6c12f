"""A compiled rule: its guards, exceptions and patterns as nodes, and how it evaluates.

:meth:`CompiledRule.evaluate` runs one rule over one post's
:class:`~policylint._runtime.state.EvalState` and gives its :class:`RawFinding` spans; the
engine turns those into findings.
"""

from __future__ import annotations

from collections.abc import Mapping

from policylint._model.severity import Severity
from policylint._model.struct import NamedTuple, Struct
from policylint._runtime.state import EvalState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._runtime.conditions import ConditionNode
    from policylint._runtime.patterns import MatchException, PatternNode

__all__ = ["CompiledRule", "ExampleSpec", "RawFinding"]


class ExampleSpec(Struct):
    """A rule's ``example pass|fail``, as ``policylint test`` runs it."""

    __slots__ = ("expect", "line", "meta", "platform", "text")
    FIELDS = ("expect", "text", "platform", "meta", "line")

    def __init__(
        self, expect: str, text: str, platform: str | None, meta: Mapping[str, Any], line: int
    ) -> None:
        self.expect = expect
        self.text = text
        self.platform = platform
        self.meta = meta
        self.line = line


class RawFinding(NamedTuple):
    """A rule's match before it becomes a finding (offsets in the post's text)."""

    rule: CompiledRule
    start: int
    end: int
    field: str | None


class CompiledRule(Struct):
    """A rule ready to evaluate: its guards, exceptions and patterns as nodes."""

    __slots__ = (
        "category",
        "description",
        "examples",
        "fix_safe",
        "flags",
        "guards",
        "id",
        "line",
        "match_exceptions",
        "message",
        "owner",
        "path",
        "placeholders",
        "post_exceptions",
        "reference",
        "reference_url",
        "requires",
        "severity",
        "suggestion",
        "supersedes",
        "waivable",
    )
    FIELDS = (
        "id",
        "category",
        "severity",
        "owner",
        "reference",
        "reference_url",
        "message",
        "description",
        "suggestion",
        "fix_safe",
        "waivable",
        "path",
        "line",
        "guards",
        "post_exceptions",
        "flags",
        "requires",
        "match_exceptions",
        "examples",
        "placeholders",
        "supersedes",
    )

    def __init__(
        self,
        id: str,
        category: str,
        severity: Severity,
        owner: str | None,
        reference: str | None,
        reference_url: str | None,
        message: str,
        description: str | None,
        suggestion: str | None,
        fix_safe: bool,
        waivable: bool,
        path: str,
        line: int,
        guards: tuple[ConditionNode, ...] = (),
        post_exceptions: tuple[ConditionNode, ...] = (),
        flags: tuple[PatternNode, ...] = (),
        requires: tuple[PatternNode, ...] = (),
        match_exceptions: tuple[MatchException, ...] = (),
        examples: tuple[ExampleSpec, ...] = (),
        placeholders: tuple[str, ...] = (),
        supersedes: tuple[str, ...] = (),
    ) -> None:
        self.id = id
        self.category = category
        self.severity = severity
        self.owner = owner
        self.reference = reference
        self.reference_url = reference_url
        self.message = message
        self.description = description
        self.suggestion = suggestion
        self.fix_safe = fix_safe
        self.waivable = waivable
        self.path = path
        self.line = line
        self.guards = guards
        self.post_exceptions = post_exceptions
        self.flags = flags
        self.requires = requires
        self.match_exceptions = match_exceptions
        self.examples = examples
        #: Placeholders the message uses (besides {match}), resolved when a finding is made.
        self.placeholders = placeholders
        #: Ids of the rules whose finding on the same text this rule's replaces.
        self.supersedes = supersedes

    def evaluate(self, state: EvalState) -> list[RawFinding]:
        for guard in self.guards:
            if not guard.holds(state):
                return []
        for exception in self.post_exceptions:
            if exception.holds(state):
                return []
        found: list[RawFinding] = []
        if self.flags:
            seen: set[tuple[int, int, str | None]] = set()
            for pattern in self.flags:
                for match in pattern.matches(state):
                    key = (match.start, match.end, match.field)
                    if key in seen:
                        continue
                    seen.add(key)
                    if any(x.excuses(state, match) for x in self.match_exceptions):
                        continue
                    found.append(RawFinding(self, match.start, match.end, match.field))
        for pattern in self.requires:
            if not pattern.matches(state):
                found.append(RawFinding(self, 0, 0, None))
                break
        if not self.flags and not self.requires:
            found.append(RawFinding(self, 0, 0, None))
        return _merged(found) if len(found) > 1 else found


def _merged(found: list[RawFinding]) -> list[RawFinding]:
    """One finding per stretch of text: overlapping matches of one rule ("earn 8%" and "8% a
    year") are one problem, reported once over their union."""
    found.sort(key=lambda f: (f.field or "", f.start, f.end))
    merged = [found[0]]
    for finding in found[1:]:
        last = merged[-1]
        if finding.field == last.field and finding.start < last.end:
            if finding.end > last.end:
                merged[-1] = last._replace(end=finding.end)
        else:
            merged.append(finding)
    return merged
