"""What a valid node of a compiled-policy cache entry looks like: one check per node class and
per column of the examples' table, written out as plain tests (a warm start checks
thousands of nodes, and a function call costs as much as a test). The codec
(:mod:`policylint._cache.codec`) runs them as it decodes; a node class added to the runtime
gets its line in ``NODE_CHECKS`` (the codec asserts the tables cover the same classes).
"""

from __future__ import annotations

from itertools import repeat

from policylint._model.rules import RuleExample, RuleInfo
from policylint._model.severity import Severity
from policylint._runtime.conditions import (
    AndNode,
    AtLeastNode,
    CompareNode,
    ConditionNode,
    ContainsNode,
    Getter,
    MemberNode,
    NotNode,
    OrNode,
    QuantifierNode,
    TruthyNode,
)
from policylint._runtime.patterns import (
    AllNode,
    AllowException,
    AnyNode,
    ContextException,
    DetectNode,
    GuardedNode,
    InsideException,
    MaskedTermsNode,
    MatchException,
    MetaTermsNode,
    NearNode,
    PatternNode,
    ScopedNode,
)
from policylint._runtime.rules import CompiledRule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["EXAMPLE_COLUMNS", "INFO_CHECKS", "NODE_CHECKS", "SCALARS", "ints_below", "plain_data"]

SCALARS = frozenset({str, int, float, bool, type(None)})


def ints_below(values: Any, bound: int) -> bool:
    """Whether ``values`` is a tuple or list of ints (not bools) in ``range(bound)``."""
    if type(values) not in (tuple, list, frozenset):
        return False
    return not values or (
        set(map(type, values)) == {int} and min(values) >= 0 and max(values) < bound
    )


def _strs(values: Any) -> bool:
    return type(values) in (tuple, frozenset) and set(map(type, values)) <= _STR


def _optional_str(value: Any) -> bool:
    return value is None or type(value) is str


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _all(values: Any, base: type) -> bool:
    return type(values) is tuple and all(map(isinstance, values, repeat(base)))


def plain_data(value: Any) -> bool:
    """Whether ``value`` is plain data (a constant, a setting, an example's metadata)."""
    kind = type(value)
    if kind in SCALARS:
        return True
    if kind is tuple:
        return all(plain_data(v) for v in value)
    if kind is dict:
        return all(type(k) is str and plain_data(v) for k, v in value.items())
    return False


_STR = frozenset({str})
_UNITS = frozenset({"words", "chars", "lines", "sentences"})
_SCOPES = frozenset({"first", "last", "hashtags", "mentions", "links", "field"})
_DIRECTIONS = frozenset({"preceded", "followed", "near"})
_GETTERS = frozenset({"const", "platform", "metric", "meta", "item", "lang"})
_QUANTIFIERS = frozenset({"any", "all", "none"})
_OPERATORS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_EXPECT = frozenset({"pass", "fail"})
_Pattern, _Condition = PatternNode, ConditionNode

# A rule's metadata is checked from RuleInfo's own annotations, so a field added there needs
# nothing here; a field of a type this table does not know fails at import, to be added.
_CHECK_BY_ANNOTATION: dict[str, Any] = {
    "str": lambda v: type(v) is str,
    "str | None": _optional_str,
    "bool": lambda v: type(v) is bool,
    "int": _count,
    "Severity": lambda v: type(v) is Severity,
    "tuple[str, ...]": _strs,
    "tuple[RuleExample, ...]": lambda v: _all(v, RuleExample),
}
INFO_CHECKS = tuple(_CHECK_BY_ANNOTATION[text] for text in RuleInfo.__annotations__.values())

#: Each node class's check of its fields (its children are checked already). The tests are
#: written out: a warm start checks ~3,000 nodes, and a call costs as much as a test.
NODE_CHECKS: dict[type[Any], Any] = {
    DetectNode: lambda n: type(n.name) is str,
    MetaTermsNode: lambda n: type(n.path) is str and n.path != "",
    MaskedTermsNode: lambda n: (
        type(n.words) is tuple
        and len(n.words) > 0
        and all(type(w) is str and len(w) >= 2 and w.isalpha() for w in n.words)
    ),
    ScopedNode: lambda n: (
        isinstance(n.inner, _Pattern)
        and n.kind in _SCOPES
        and _count(n.amount)
        and n.unit in _UNITS
        and type(n.path) is str
    ),
    NearNode: lambda n: (
        isinstance(n.left, _Pattern)
        and isinstance(n.right, _Pattern)
        and _count(n.distance)
        and n.unit in _UNITS
        and type(n.negated) is bool
        and type(n.ordered) is bool
    ),
    AnyNode: lambda n: _all(n.items, _Pattern),
    AllNode: lambda n: _all(n.items, _Pattern),
    GuardedNode: lambda n: (
        isinstance(n.inner, _Pattern)
        and _all(n.guards, _Condition)
        and _all(n.post_exceptions, _Condition)
        and _all(n.match_exceptions, MatchException)
    ),
    Getter: lambda n: (
        n.kind in _GETTERS
        and (
            plain_data(n.value)
            if n.kind == "const"
            else n.value is None
            if n.kind in ("platform", "lang")
            else type(n.value) is str
        )
    ),
    CompareNode: lambda n: (
        type(n.left) is Getter and n.op in _OPERATORS and type(n.right) is Getter
    ),
    MemberNode: lambda n: (
        type(n.operand) is Getter and type(n.values) is Getter and type(n.negated) is bool
    ),
    ContainsNode: lambda n: isinstance(n.pattern, _Pattern),
    TruthyNode: lambda n: type(n.getter) is Getter,
    QuantifierNode: lambda n: (
        n.quantifier in _QUANTIFIERS
        and type(n.items) is Getter
        and n.items.kind in ("meta", "item")
        and isinstance(n.condition, _Condition)
    ),
    NotNode: lambda n: isinstance(n.item, _Condition),
    AndNode: lambda n: _all(n.items, _Condition),
    OrNode: lambda n: _all(n.items, _Condition),
    AtLeastNode: lambda n: (
        type(n.count) is int and 1 <= n.count <= len(n.items) and _all(n.items, _Condition)
    ),
    ContextException: lambda n: (
        n.direction in _DIRECTIONS
        and isinstance(n.pattern, _Pattern)
        and _count(n.distance)
        and n.unit in _UNITS
    ),
    AllowException: lambda n: (
        type(n.literal) is frozenset
        and _strs(n.literal)
        and type(n.by_detector) is dict
        and all(type(v) is frozenset and _strs(v) for v in n.by_detector.values())
    ),
    InsideException: lambda n: isinstance(n.pattern, _Pattern),
    RuleInfo: lambda n: all(check(value) for check, value in zip(INFO_CHECKS, n, strict=True)),
    CompiledRule: lambda n: (
        type(n.info) is RuleInfo
        and _all(n.guards, _Condition)
        and _all(n.post_exceptions, _Condition)
        and _all(n.flags, _Pattern)
        and _all(n.match_exceptions, MatchException)
        and _all(n.requires, _Pattern)
        and _strs(n.placeholders)
    ),
}

_OPTIONAL_STR = frozenset({str, type(None)})
_INT = frozenset({int})

#: The check of each column of the examples' table, a whole column at a time (a warm start
#: reads ~1,100 examples). The meta column is made into values first (_examples).
EXAMPLE_COLUMNS: dict[str, Any] = {
    "expect": lambda column: set(column) <= _EXPECT,
    "text": lambda column: set(map(type, column)) <= _STR,
    "platform": lambda column: set(map(type, column)) <= _OPTIONAL_STR,
    "meta": lambda column: all(
        type(meta) is dict and (not meta or plain_data(meta)) for meta in column
    ),
    "line": lambda column: set(map(type, column)) <= _INT and min(column, default=0) >= 0,
}
