"""A compiled rule: its metadata, its guards, exceptions and patterns as nodes, and how it
evaluates.

:meth:`CompiledRule.evaluate` runs one rule over one post's
:class:`~policylint._runtime.state.EvalState` and gives its :class:`RawFinding` spans; the
pipeline turns those into findings. What the policy says about the rule (id, severity, owner,
message, examples...) is its :class:`~policylint._model.rules.RuleInfo`, carried whole: a new
rule field is declared there, not here.
"""

from __future__ import annotations

from policylint._model.struct import NamedTuple
from policylint._runtime.state import EvalState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from policylint._model.rules import RuleExample, RuleInfo
    from policylint._runtime.conditions import ConditionNode
    from policylint._runtime.patterns import MatchException, PatternNode

__all__ = ["CompiledRule", "LazyRule", "RawFinding", "Rule", "described", "with_nodes"]


class RawFinding(NamedTuple):
    """A rule's match before it becomes a finding (offsets in the post's text)."""

    rule: CompiledRule
    start: int
    end: int
    field: str | None
    #: The metadata item that decided the rule's quantifier (a ``Witness``), if any.
    item: Any = None
    #: The named cues of the rule's ``at least`` conditions that held (``{cues}``).
    cues: tuple[str, ...] = ()
    #: The label of the detection that matched (``{label}``), if a detector matched.
    label: str | None = None


class CompiledRule(NamedTuple):
    """A rule ready to evaluate: its metadata, and its guards, exceptions and patterns as
    nodes."""

    info: RuleInfo
    #: ``when``: every guard must hold for the rule to report anything.
    guards: tuple[ConditionNode, ...] = ()
    #: ``unless`` conditions: any that holds excuses the whole post.
    post_exceptions: tuple[ConditionNode, ...] = ()
    #: ``flag``: each match is a finding...
    flags: tuple[PatternNode, ...] = ()
    #: ... unless one of these ``unless`` contexts excuses it.
    match_exceptions: tuple[MatchException, ...] = ()
    #: ``require``: a post where one of these finds nothing is a finding.
    requires: tuple[PatternNode, ...] = ()
    #: Placeholders the message uses (besides {match}), resolved when a finding is made.
    placeholders: tuple[str, ...] = ()

    def evaluate(self, state: EvalState) -> list[RawFinding]:
        state.witness, state.cues = None, ()  # what another rule's conditions left
        for guard in self.guards:
            if not guard.holds(state):
                return []
        # What decided the `when`, for messages: a quantifier's item, the cues that held.
        witness, cues = state.witness, state.cues
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
                    found.append(
                        RawFinding(
                            self, match.start, match.end, match.field, witness, cues, match.label
                        )
                    )
        for pattern in self.requires:
            if not pattern.matches(state):
                found.append(RawFinding(self, 0, 0, None, witness, cues))
                break
        if not self.flags and not self.requires:
            found.append(RawFinding(self, 0, 0, None, witness, cues))
        return _merged(found) if len(found) > 1 else found


class LazyRule:
    """A rule whose nodes are made the first time it is evaluated: a large policy's cache
    entry holds each rule's nodes as data, and most rules never run on a given post (the
    dispatch skips them), so a start makes only the ``info`` every rule needs (ids,
    selections, waivers, messages). ``load`` makes (and checks) the nodes, or raises.

    Its ``info`` may lack the rule's examples, which only ``policylint test``, ``explain``
    and the docs read: ``examples`` then makes them (:func:`described`)."""

    __slots__ = ("_described", "_examples", "_load", "_rule", "info")

    def __init__(
        self,
        info: RuleInfo,
        load: Callable[[], CompiledRule],
        examples: Callable[[], tuple[RuleExample, ...]] | None = None,
    ) -> None:
        self.info = info
        self._load = load
        self._rule: CompiledRule | None = None
        self._examples = examples
        self._described: RuleInfo | None = None

    def compiled(self) -> CompiledRule:
        """The rule with its nodes, made on the first call."""
        rule = self._rule
        if rule is None:
            rule = self._rule = self._load()
        return rule

    def described(self) -> RuleInfo:
        """The rule's info with its examples, made on the first call."""
        if self._examples is None:
            return self.info
        if self._described is None:
            self._described = self.info._replace(examples=self._examples())
        return self._described

    def evaluate(self, state: EvalState) -> list[RawFinding]:
        return self.compiled().evaluate(state)


#: A rule as the engine runs it: with its nodes, or making them when first evaluated.
Rule = CompiledRule | LazyRule


def with_nodes(rule: Rule) -> CompiledRule:
    """``rule`` with its nodes made."""
    return rule.compiled() if type(rule) is LazyRule else rule  # type: ignore[return-value]


def described(rule: Rule) -> RuleInfo:
    """``rule``'s info with its examples (a cached rule's ``info`` may lack them)."""
    return rule.described() if type(rule) is LazyRule else rule.info


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
