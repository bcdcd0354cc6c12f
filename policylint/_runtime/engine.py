"""A policy ready to run, and the engine that runs its rules over one post at a time.

:class:`ExecutablePolicy` is what the compiler makes of a policy and what the cache keeps:
the compiled rules, the one term automaton and the one regex index they share, each rule's
dispatch route, the settings. :class:`Engine` runs some or all of its rules over a post:
the dispatch picks the rules the post can trigger (most rules are never asked), each is
evaluated against the post's shared :class:`~policylint._runtime.state.EvalState`, and a
finding a superseding rule restates is dropped. What comes out are raw spans; the pipeline
turns them into findings with file positions and messages.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence

from policylint._model.struct import NamedTuple
from policylint._runtime.context import PostContext
from policylint._runtime.dispatch import Route, RuleDispatch
from policylint._runtime.regexes import RegexIndex
from policylint._runtime.rules import RawFinding, Rule
from policylint._runtime.state import EvalState
from policylint._runtime.terms import TermIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._model.diagnostics import Diagnostic

__all__ = ["Engine", "ExecutablePolicy"]


class ExecutablePolicy(NamedTuple):
    """A policy as the compiler makes it and the cache keeps it."""

    name: str
    description: str | None
    rules: tuple[Rule, ...]
    #: Every term of every rule, in one automaton (one pass per post finds them all).
    terms: TermIndex
    #: Every regex of every rule, numbered as the routes and the regex nodes number them.
    regexes: RegexIndex
    #: Each rule's dispatch route (:func:`policylint._runtime.dispatch.route`), in order.
    routes: tuple[Route, ...]
    settings: Mapping[str, Any]
    #: The policy files read, the root first (``builtin:`` packs by that name).
    files: tuple[str, ...]
    #: What the compiler warns about (PL3xx: a regex that silently misses), in file order.
    warnings: tuple[Diagnostic, ...] = ()


class Engine:
    """Runs the rules of an executable policy (all, or those ``kept``) over posts."""

    __slots__ = ("_dispatch", "_superseded_by", "executable", "routes", "rules")

    def __init__(self, executable: ExecutablePolicy, kept: Sequence[int] | None = None) -> None:
        """``kept``: positions of the rules to run, in policy order (None: all of them)."""
        self.executable = executable
        if kept is None:
            self.rules, self.routes = executable.rules, executable.routes
        else:
            self.rules = tuple(executable.rules[position] for position in kept)
            self.routes = tuple(executable.routes[position] for position in kept)
        self._dispatch = RuleDispatch(self.rules, self.routes)
        if kept is None:
            # Only the regexes rules are dispatched by are matched on every post. A selection
            # shares the whole policy's index, split by the whole policy's wider set of rules.
            executable.regexes.set_eager(self._dispatch.regex_triggers)
        #: For each rule another supersedes, the ids of those that do (``supersedes``).
        self._superseded_by = _superseded_by(self.rules)

    def state(self, text: str, platform: str | None, meta: Mapping[str, Any]) -> EvalState:
        """A fresh evaluation state for a post."""
        executable = self.executable
        ctx = PostContext(text, platform, meta, executable.settings)
        return EvalState(ctx, executable.terms, None, executable.regexes)

    def scan(self, state: EvalState) -> list[RawFinding]:
        """What the rules report on the post of ``state``, superseded findings left out."""
        rules = self.rules
        raw: list[RawFinding] = []
        for position in self._dispatch.candidates(state):
            raw.extend(rules[position].evaluate(state))
        if raw and self._superseded_by:
            raw = _without_restated(raw, self._superseded_by)
        return raw


def _superseded_by(rules: Sequence[Rule]) -> dict[str, frozenset[str]]:
    """Rule id -> the ids of the rules of ``rules`` that supersede it."""
    found: dict[str, set[str]] = {}
    for rule in rules:
        for target in rule.info.supersedes:
            found.setdefault(target, set()).add(rule.info.id)
    return {target: frozenset(by) for target, by in found.items()}


def _without_restated(
    raw: list[RawFinding], superseded_by: Mapping[str, frozenset[str]]
) -> list[RawFinding]:
    """``raw`` less the findings a superseding rule restates: in the same field, one on an
    overlapping (or the same empty) span; a finding of the whole post (empty, at 0), any.
    A rule's own spans are disjoint (one finding per stretch of text), so each lookup is a
    binary search."""
    spans: dict[tuple[str, str | None], tuple[list[int], list[int]]] = {}
    reporting = {finding.rule.info.id for finding in raw}
    for finding in sorted(raw, key=lambda f: f.start):
        starts, ends = spans.setdefault((finding.rule.info.id, finding.field), ([], []))
        starts.append(finding.start)
        ends.append(finding.end)

    def restated(finding: RawFinding) -> bool:
        rivals = superseded_by.get(finding.rule.info.id, frozenset())
        if finding.field is None and finding.start == finding.end == 0:
            return not rivals.isdisjoint(reporting)  # the post as a whole
        for rival in rivals:
            found = spans.get((rival, finding.field))
            if found is None:
                continue
            starts, ends = found
            index = bisect.bisect_right(starts, finding.start)
            if index and (ends[index - 1] > finding.start or starts[index - 1] == finding.start):
                return True  # one starting at or before it reaches into it (or is the same)
            if index < len(starts) and starts[index] < finding.end:
                return True
        return False

    return [finding for finding in raw if not restated(finding)]
