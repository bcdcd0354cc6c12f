"""A flag with conditions and exceptions of its own: ``flag P { when C  unless E }``.

Its own module: it holds both pattern and condition nodes, and the conditions module
already names the patterns (``contains P``).
"""

from __future__ import annotations

from policylint._runtime.conditions import ConditionNode
from policylint._runtime.patterns import MatchException, PatternNode
from policylint._runtime.state import EvalState, Match

__all__ = ["GuardedNode"]


class GuardedNode(PatternNode):
    """A flag with conditions and exceptions of its own (``flag P { when C unless E }``):
    the matches of ``inner`` when every guard holds and no post exception does, less those
    a match exception excuses."""

    __slots__ = ("guards", "inner", "match_exceptions", "post_exceptions")
    FIELDS = ("inner", "guards", "post_exceptions", "match_exceptions")

    def __init__(
        self,
        inner: PatternNode,
        guards: tuple[ConditionNode, ...],
        post_exceptions: tuple[ConditionNode, ...],
        match_exceptions: tuple[MatchException, ...],
    ) -> None:
        self.inner = inner
        self.guards = guards
        self.post_exceptions = post_exceptions
        self.match_exceptions = match_exceptions

    def matches(self, state: EvalState) -> list[Match]:
        # The guards first: they are cheaper than most patterns, and a metadata condition
        # (`when meta.reply`) spares the pattern on most posts.
        if not all(guard.holds(state) for guard in self.guards):
            return []
        if any(excuse.holds(state) for excuse in self.post_exceptions):
            return []
        found = self.inner.matches(state)
        exceptions = self.match_exceptions
        if not found or not exceptions:
            return found
        return [m for m in found if not any(x.excuses(state, m) for x in exceptions)]
