"""Condition nodes: what ``when`` guards and ``unless`` conditions test of a post.

A condition reads values through a :class:`Getter` (a constant, the platform, a metric, a
metadata path) and compares them; comparisons are case-insensitive on strings and only ever
order two numbers or two strings.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

from policylint._model.posts import truthy
from policylint._model.struct import NamedTuple, Struct, Value
from policylint._runtime.state import EvalState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._runtime.patterns import PatternNode
    from policylint._text.post import PostViews

__all__ = [
    "AndNode",
    "AtLeastNode",
    "CompareNode",
    "ConditionNode",
    "ContainsNode",
    "Getter",
    "MemberNode",
    "NotNode",
    "OrNode",
    "QuantifierNode",
    "TruthyNode",
    "Witness",
    "compare",
    "is_number",
    "oriented",
    "truthy",
]


class Getter(Value):
    """Where an operand's value comes from: a constant, the platform, a metric, metadata."""

    __slots__ = ("kind", "value")
    FIELDS = ("kind", "value")

    def __init__(self, kind: str, value: Any = None) -> None:
        # const | platform | metric | meta | item (a field of a quantifier's current item)
        # | lang (the post's language)
        self.kind = kind
        # the constant, the metric's name or the metadata (or item) path
        self.value = value

    def __call__(self, state: EvalState) -> Any:
        kind = self.kind
        if kind == "const":
            return self.value
        if kind == "platform":
            return state.ctx.platform
        if kind == "metric":
            return state.ctx.metric(self.value)
        if kind == "lang":
            return state.ctx.language
        value: Any = state.item if kind == "item" else state.ctx.meta
        for key in self.value.split(".") if "." in self.value else (self.value,):
            if isinstance(value, Mapping) and key in value:
                value = value[key]
            else:
                return None
        return value


class ConditionNode(Struct):
    __slots__ = ()

    def holds(self, state: EvalState) -> bool:
        raise NotImplementedError


class CompareNode(ConditionNode):
    """``left op right`` on metrics, metadata, settings and constants."""

    __slots__ = ("_rules_out", "left", "op", "right")
    FIELDS = ("left", "op", "right")

    def __init__(self, left: Getter, op: str, right: Getter) -> None:
        self.left = left
        self.op = op
        self.right = right
        #: Decides "false" from a metric's cheap upper bound (``length > 280`` on a short post):
        #: None until first used, False when the comparison has none.
        self._rules_out: Any = None

    def holds(self, state: EvalState) -> bool:
        rules_out = self._rules_out
        if rules_out is None:
            rules_out = self._rules_out = _bound_test(self)
        if rules_out is not False and rules_out(state.ctx):
            return False
        return compare(self.left(state), self.op, self.right(state))


def _bound_test(node: CompareNode) -> Callable[[PostViews], bool] | bool:
    """For ``metric > c`` (``>=``, ``==``, or the same mirrored) on a metric with an upper
    bound (:attr:`policylint._runtime.metrics.Metric.bound`): a test that is true when the bound
    alone shows the comparison fails. False when there is no such test."""
    sides = oriented(node)
    if sides is None or sides[0].kind != "metric" or not is_number(sides[2]):
        return False
    getter, op, constant = sides
    from policylint._runtime.metrics import METRICS

    found = METRICS.get(str(getter.value))
    bound = found.bound if found is not None else None
    if bound is None:
        return False
    if op == ">":
        return lambda ctx: bound(ctx) <= constant
    if op in (">=", "=="):
        return lambda ctx: bound(ctx) < constant
    return False


#: Comparisons turned around so that the getter is on the left: ``3 < x`` is ``x > 3``.
_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def oriented(node: CompareNode) -> tuple[Getter, str, Any] | None:
    """``node`` as (getter, operator, constant) with the getter on the left, when one side
    is a constant."""
    if node.right.kind == "const":
        return node.left, node.op, node.right.value
    if node.left.kind == "const":
        return node.right, _MIRRORED[node.op], node.left.value
    return None


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _comparable(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    # Dates given through the API compare like the ISO strings files contain. No value can
    # be a date before something imported datetime (it costs ~1.4 ms a start).
    dates = sys.modules.get("datetime")
    if dates is not None and isinstance(value, dates.date):
        return value.isoformat().casefold()
    return value


def compare(left: Any, op: str, right: Any) -> bool:
    moments = None
    if _may_be_date(left) or _may_be_date(right):
        from policylint._runtime.instants import instants

        moments = instants(left, right)
    if moments is None:
        left, right = _comparable(left), _comparable(right)
    elif moments[0] != moments[0] or moments[1] != moments[1]:  # INVALID is NaN
        # A date against something that is not a valid date: no order, not equal.
        return op == "!="
    else:
        left, right = moments
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    # Order comparisons need two numbers or two strings; anything else is simply false.
    if isinstance(left, bool) or isinstance(right, bool):
        return False
    both_numbers = isinstance(left, int | float) and isinstance(right, int | float)
    if not (both_numbers or (isinstance(left, str) and isinstance(right, str))):
        return False
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def _may_be_date(value: Any) -> bool:
    """Cheap: whether a value could be a date or time (``instants`` decides)."""
    if isinstance(value, str):
        return value[4:5] == "-" or value.lstrip()[4:5] == "-"
    # No value can be a date before something imported datetime (~1.4 ms a start).
    return "datetime" in sys.modules and not isinstance(value, int | float | type(None))


class MemberNode(ConditionNode):
    """``operand in values`` (or ``not in``)."""

    __slots__ = ("_constant", "negated", "operand", "values")
    FIELDS = ("operand", "values", "negated")

    def __init__(self, operand: Getter, values: Getter, negated: bool) -> None:
        self.operand = operand
        self.values = values
        self.negated = negated
        self._constant: frozenset[Any] | None = None

    def holds(self, state: EvalState) -> bool:
        value = _comparable(self.operand(state))
        members = self._constant
        if members is None:
            raw = self.values(state)
            if not isinstance(raw, list | tuple | set | frozenset):
                raw = [raw]
            members = frozenset(_comparable(m) for m in raw if _hashable(m))
            if self.values.kind == "const":
                self._constant = members
        found = _hashable(value) and value in members
        return found != self.negated


def _hashable(value: Any) -> bool:
    return not isinstance(value, list | dict | set)


class ContainsNode(ConditionNode):
    """Whether a pattern matches anywhere in the post (``contains``)."""

    __slots__ = ("pattern",)
    FIELDS = ("pattern",)

    def __init__(self, pattern: PatternNode) -> None:
        self.pattern = pattern

    def holds(self, state: EvalState) -> bool:
        return bool(self.pattern.matches(state))


class TruthyNode(ConditionNode):
    """Whether a value is set and not empty or false."""

    __slots__ = ("getter",)
    FIELDS = ("getter",)

    def __init__(self, getter: Getter) -> None:
        self.getter = getter

    def holds(self, state: EvalState) -> bool:
        return truthy(self.getter(state))


class Witness(NamedTuple):
    """The item of a metadata list that decided a quantifier (``{item.index}``)."""

    position: int  # in the list, from 0
    item: Mapping[str, Any]


class QuantifierNode(ConditionNode):
    """``any|all|none LIST where (CONDITION)`` over the objects of a metadata list. A
    missing or non-list value has no items: ``any`` is false, ``all`` and ``none`` true.
    Items that are not objects are skipped. The item that decides (the first that holds
    for ``any`` and ``none``, the first that fails for ``all``) is left in
    ``state.witness`` for the finding's message; None when no item decided."""

    __slots__ = ("condition", "items", "quantifier")
    FIELDS = ("quantifier", "items", "condition")

    def __init__(self, quantifier: str, items: Getter, condition: ConditionNode) -> None:
        self.quantifier = quantifier
        self.items = items
        self.condition = condition

    def holds(self, state: EvalState) -> bool:
        values = self.items(state)
        # "all": an item that fails decides; "any" and "none": an item that holds does.
        deciding = self.quantifier != "all"
        witness: Witness | None = None
        if isinstance(values, list | tuple):
            outer = state.item  # a quantifier inside another one's condition
            try:
                for index, item in enumerate(values):
                    if not isinstance(item, Mapping):
                        continue
                    state.item = item
                    if self.condition.holds(state) == deciding:
                        witness = Witness(index, item)
                        break
            finally:
                state.item = outer
        state.witness = witness
        if witness is None:
            return self.quantifier != "any"
        return self.quantifier == "any"


class NotNode(ConditionNode):
    """``not item``."""

    __slots__ = ("item",)
    FIELDS = ("item",)

    def __init__(self, item: ConditionNode) -> None:
        self.item = item

    def holds(self, state: EvalState) -> bool:
        return not self.item.holds(state)


class AndNode(ConditionNode):
    """Every condition holds."""

    __slots__ = ("items",)
    FIELDS = ("items",)

    def __init__(self, items: tuple[ConditionNode, ...]) -> None:
        self.items = items

    def holds(self, state: EvalState) -> bool:
        return all(item.holds(state) for item in self.items)


class OrNode(ConditionNode):
    """Some condition holds."""

    __slots__ = ("items",)
    FIELDS = ("items",)

    def __init__(self, items: tuple[ConditionNode, ...]) -> None:
        self.items = items

    def holds(self, state: EvalState) -> bool:
        return any(item.holds(state) for item in self.items)


class AtLeastNode(ConditionNode):
    """At least ``count`` of the conditions hold (asked in order, until decided). When it
    holds, the names of the named cues that held go to ``state.cues`` for ``{cues}``."""

    __slots__ = ("count", "items", "labels")
    FIELDS = ("count", "items", "labels")

    def __init__(
        self, count: int, items: tuple[ConditionNode, ...], labels: tuple[str, ...]
    ) -> None:
        self.count = count
        self.items = items
        self.labels = labels

    def holds(self, state: EvalState) -> bool:
        needed, left = self.count, len(self.items)
        before, held = state.cues, []
        for item, label in zip(self.items, self.labels, strict=True):
            if needed > left:
                break
            left -= 1
            if item.holds(state):
                needed -= 1
                if label:
                    held.append(label)
                if needed <= 0:
                    state.cues = (*state.cues, *held)
                    return True
        state.cues = before  # a nested `at least` that held does not name this failure's cues
        return False
