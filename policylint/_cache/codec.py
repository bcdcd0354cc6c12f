"""An executable policy as JSON and back, every part checked as it is made.

JSON is data: decoding instantiates only the classes listed in ``_NODE_TYPES`` with plain
values, and checks each node as it makes it (its field types and allowed values, counts and
distances, term ids within the term list): what the engine relies on holds, or the entry is
:class:`Corrupt`. Nothing is walked twice. Facts kept in a table are written once and
referred to by their row: a regex node is the row of the regex table (its pattern, flags and
prefilter atoms, checked once there), a terms node the row of the table of distinct term-id
lists, so no cross-check between copies is needed and nodes that share a regex or a list
share one object.

Nodes are stored by position: the format names the fields of every node class (``FORMAT``),
so a class whose fields change, even only in order, never reads an older entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain, repeat

from policylint._hashing import sha256
from policylint._model.rules import RuleExample, RuleInfo
from policylint._model.severity import Severity
from policylint._runtime.conditions import (
    AndNode,
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
from policylint._runtime.dispatch import Route, Trigger
from policylint._runtime.engine import ExecutablePolicy
from policylint._runtime.patterns import (
    AllNode,
    AllowException,
    AnyNode,
    ContextException,
    DetectNode,
    InsideException,
    MaskedTermsNode,
    MatchException,
    MetaTermsNode,
    NearNode,
    PatternNode,
    RegexNode,
    ScopedNode,
    TermsNode,
)
from policylint._runtime.regexes import RegexIndex
from policylint._runtime.rules import CompiledRule
from policylint._runtime.terms import TermIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FORMAT", "Corrupt", "decode", "encode"]

#: Raised with every change of what an entry holds or means.
FORMAT_VERSION = 20

# Keyed "@" + class name, as entries write them. RegexNode and TermsNode are written as the
# row of their table (see the module's docstring).
_NODE_TYPES: dict[str, type[Any]] = {
    "@" + cls.__name__: cls
    for cls in (
        DetectNode,
        MaskedTermsNode,
        MetaTermsNode,
        ScopedNode,
        NearNode,
        AnyNode,
        AllNode,
        Getter,
        CompareNode,
        MemberNode,
        ContainsNode,
        TruthyNode,
        QuantifierNode,
        NotNode,
        AndNode,
        OrNode,
        ContextException,
        AllowException,
        InsideException,
        RuleExample,
        RuleInfo,
        CompiledRule,
    )
}


def _fields(cls: type[Any]) -> tuple[str, ...]:
    """A node class's fields: a struct's ``FIELDS``, a record's ``_fields``."""
    return getattr(cls, "FIELDS", None) or cls._fields  # type: ignore[no-any-return]


def _format(node_types: Mapping[str, type[Any]]) -> str:
    schema = ";".join(f"{key}:{','.join(_fields(cls))}" for key, cls in node_types.items())
    # The two written as table rows: the rows hold their fields.
    schema += f";@RegexNode:{','.join(RegexNode.FIELDS)};@TermsNode:{','.join(TermsNode.FIELDS)}"
    return f"{FORMAT_VERSION}/" + sha256(schema.encode()).hexdigest()[:16]


FORMAT = _format(_NODE_TYPES)


class Corrupt(Exception):
    """The entry is not what this version writes."""


# ----------------------------------------------------------------------------- encoding
def encode(policy: ExecutablePolicy) -> dict[str, Any]:
    """The parts of ``policy`` as JSON values (the entry's other keys are the cache's)."""
    encoder = _Encoder(policy.regexes)
    terms, keys = policy.terms.data()
    return {
        "name": policy.name,
        "description": policy.description,
        "files": list(policy.files),
        "settings": encoder.value(policy.settings),
        "terms": terms,
        "keys": keys,
        "regexes": policy.regexes.table(),
        "rules": [encoder.value(rule) for rule in policy.rules],
        "lists": encoder.lists,
        "routes": [_encode_route(known) for known in policy.routes],
    }


class _Encoder:
    def __init__(self, regexes: RegexIndex) -> None:
        self.regexes = regexes
        #: The distinct term-id lists of the terms nodes, and each one's row.
        self.lists: list[list[int]] = []
        self.rows: dict[tuple[int, ...], int] = {}

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind is RegexNode:
            regex_id = self.regexes.id_of(value.source, value.flags)
            if regex_id < 0:
                raise TypeError("a regex missing from the policy's index")
            return {"@RegexNode": regex_id}
        if kind is TermsNode:
            row = self.rows.get(value.term_ids)
            if row is None:
                row = self.rows[value.term_ids] = len(self.lists)
                self.lists.append(list(value.term_ids))
            return {"@TermsNode": row}
        if kind is Severity:
            return {"@severity": value.value}
        if _NODE_TYPES.get("@" + kind.__name__) is kind:
            # By position, in field order (FORMAT names that order).
            return {"@" + kind.__name__: [self.value(getattr(value, f)) for f in _fields(kind)]}
        if isinstance(value, tuple | list):
            return [self.value(v) for v in value]
        if isinstance(value, frozenset | set):
            return {"@set": sorted(value)}
        if isinstance(value, Mapping):
            return {"@map": {str(k): self.value(v) for k, v in value.items()}}
        if value is None or isinstance(value, str | int | float | bool):
            return value
        raise TypeError(f"cannot cache {kind.__name__}")


def _encode_route(known: Route) -> list[Any]:
    needed, platforms = known
    parts = None if needed is None else [sorted(part) for part in needed]
    return [parts, None if platforms is None else sorted(platforms)]


# ----------------------------------------------------------------------------- decoding
def decode(data: Mapping[str, Any]) -> ExecutablePolicy:
    """The policy an entry describes, every part of it checked (raises :class:`Corrupt`,
    ``ValueError``, ``KeyError``, ``TypeError``...)."""
    terms = data["terms"]
    index = TermIndex.from_data(terms, _key_table(data["keys"], len(terms)))
    regexes = RegexIndex.from_table(data["regexes"])
    decoder = _Decoder(len(terms), regexes, data["lists"])
    rules = tuple(decoder.value(rule) for rule in data["rules"])
    if not all(type(rule) is CompiledRule for rule in rules):
        raise Corrupt("not a rule")
    # What compiling makes: a table row for each regex and each list the rules use, no more.
    if len(decoder.regex_nodes) != len(regexes):
        raise Corrupt("a regex in the table no rule has")
    if len(decoder.terms_nodes) != len(decoder.lists):
        raise Corrupt("a term list no rule has")
    if len({rule.info.id for rule in rules}) != len(rules):
        raise Corrupt("a rule id twice")
    routes = tuple(_decode_route(item, len(terms), len(regexes)) for item in data["routes"])
    if len(routes) != len(rules):
        raise Corrupt("not a route per rule")
    settings = decoder.value(data["settings"])
    name, description, files = data["name"], data["description"], data["files"]
    if not (
        type(settings) is dict
        and _data(settings)
        and type(name) is str
        and (description is None or type(description) is str)
        and type(files) is list
        and all(type(f) is str for f in files)
    ):
        raise Corrupt("the policy's name, description, files or settings")
    return ExecutablePolicy(
        name=name,
        description=description,
        rules=rules,
        terms=index,
        regexes=regexes,
        routes=routes,
        settings=settings,
        files=tuple(files),
    )


# JSON scalars decode to themselves: checked inline, they cost no call (a warm start decodes
# ~16,000 values).
_SCALARS = frozenset({str, int, float, bool, type(None)})


class _Decoder:
    """Makes an entry's JSON back into nodes, checking each as it is made: what the engine
    relies on holds, or :class:`Corrupt` is raised."""

    def __init__(self, term_count: int, regexes: RegexIndex, lists: Any) -> None:
        self.term_count = term_count
        self.regexes = regexes
        if type(lists) is not list or not all(_ints_below(ids, term_count) for ids in lists):
            raise Corrupt("the term lists")
        self.lists = lists
        # One node per regex and per list: nodes that share one share its caches too.
        self.regex_nodes: dict[int, RegexNode] = {}
        self.terms_nodes: dict[int, TermsNode] = {}

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind is list:
            return tuple([v if type(v) in _SCALARS else self.value(v) for v in value])
        if kind is not dict or len(value) != 1:
            raise Corrupt("unexpected value")
        ((key, fields),) = value.items()
        cls = _NODE_TYPES.get(key)
        if cls is not None:
            if type(fields) is not list or len(fields) != len(_fields(cls)):
                raise Corrupt(f"{key}: not its fields")
            node = cls(*[v if type(v) in _SCALARS else self.value(v) for v in fields])
            if not _CHECKS[cls](node):
                raise Corrupt(f"{key}: a field out of its range")
            return node
        if key == "@RegexNode":
            return self.regex(fields)
        if key == "@TermsNode":
            return self.terms(fields)
        if key == "@set":
            if type(fields) is not list:
                raise Corrupt("@set: not a list")
            return frozenset(fields)  # TypeError for an unhashable item
        if key == "@map":
            if type(fields) is not dict:
                raise Corrupt("@map: not an object")
            return {k: v if type(v) in _SCALARS else self.value(v) for k, v in fields.items()}
        if key == "@severity":
            return Severity(fields)  # ValueError for an unknown level
        raise Corrupt("unexpected object")

    def regex(self, regex_id: Any) -> RegexNode:
        """The node of row ``regex_id`` of the regex table (checked when the table was)."""
        if type(regex_id) is not int or not 0 <= regex_id < len(self.regexes):
            raise Corrupt("@RegexNode: not a row of the regex table")
        node = self.regex_nodes.get(regex_id)
        if node is None:
            node = self.regex_nodes[regex_id] = RegexNode(*self.regexes.facts(regex_id))
            node.regex_id = regex_id
        return node

    def terms(self, row: Any) -> TermsNode:
        """The node of row ``row`` of the term lists (checked when the lists were)."""
        if type(row) is not int or not 0 <= row < len(self.lists):
            raise Corrupt("@TermsNode: not a row of the term lists")
        node = self.terms_nodes.get(row)
        if node is None:
            node = self.terms_nodes[row] = TermsNode(tuple(self.lists[row]))
        return node


def _ints_below(values: Any, bound: int) -> bool:
    """Whether ``values`` is a tuple or list of ints (not bools) in ``range(bound)``."""
    if type(values) not in (tuple, list, frozenset):
        return False
    return not values or (
        set(map(type, values)) == {int} and min(values) >= 0 and max(values) < bound
    )


def _all_strings(values: list[Any]) -> bool:
    """Whether every item is a string: ``str.join`` checks them in C, a loop in Python
    would cost ~1 ms over the built-in packs' 14,000 term keys."""
    try:
        "".join(values)
    except TypeError:
        return False
    return True


def _strs(values: Any) -> bool:
    return type(values) in (tuple, frozenset) and set(map(type, values)) <= _STR


def _optional_str(value: Any) -> bool:
    return value is None or type(value) is str


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _all(values: Any, base: type) -> bool:
    return type(values) is tuple and all(map(isinstance, values, repeat(base)))


def _data(value: Any) -> bool:
    """Whether ``value`` is plain data (a constant, a setting, an example's metadata)."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is tuple:
        return all(_data(v) for v in value)
    if kind is dict:
        return all(type(k) is str and _data(v) for k, v in value.items())
    return False


_STR = frozenset({str})
_UNITS = frozenset({"words", "chars", "lines"})
_SCOPES = frozenset({"first", "last", "hashtags", "mentions", "links", "field"})
_DIRECTIONS = frozenset({"preceded", "followed", "near"})
_GETTERS = frozenset({"const", "platform", "metric", "meta", "item"})
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
_INFO_CHECKS = tuple(_CHECK_BY_ANNOTATION[text] for text in RuleInfo.__annotations__.values())

#: Each node class's check of its fields (its children are checked already). The tests are
#: written out: a warm start checks ~3,000 nodes, and a call costs as much as a test.
_CHECKS: dict[type[Any], Any] = {
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
    Getter: lambda n: (
        n.kind in _GETTERS
        and (
            _data(n.value)
            if n.kind == "const"
            else n.value is None
            if n.kind == "platform"
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
    RuleExample: lambda n: (
        n.expect in _EXPECT
        and type(n.text) is str
        and _optional_str(n.platform)
        and type(n.meta) is dict
        and (not n.meta or _data(n.meta))
        and _count(n.line)
    ),
    RuleInfo: lambda n: all(check(value) for check, value in zip(_INFO_CHECKS, n, strict=True)),
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
assert set(_CHECKS) == set(_NODE_TYPES.values())


def _key_table(table: Any, term_count: int) -> dict[str, Any]:
    """The term automaton's key table (``TermIndex.data``), checked: sorted distinct keys,
    each with the ids (and flags) of terms that exist, and the lengths by start."""
    keys, targets, starts = table["keys"], table["targets"], table["starts"]
    # Checked a list at a time, not an item at a time: the built-in packs have 14,000 keys.
    if not (
        type(keys) is list
        and type(targets) is list
        and len(targets) == len(keys)
        and _all_strings(keys)
        and "" not in keys
        and keys == sorted(keys)  # the lookup bisects them
        and type(starts) is dict
        and set(map(type, starts.values())) <= {list}
        and _ints_below(list(chain.from_iterable(starts.values())), 1 << 30)
    ):
        raise Corrupt("the term table")
    bound = term_count << 3  # a target is a term id and three flag bits (terms._target)
    single = [t for t in targets if type(t) is int]
    several = [t for t in targets if type(t) is not int]
    if not (
        _ints_below(single, bound)
        and set(map(type, several)) <= {list}
        and [] not in several
        and _ints_below(list(chain.from_iterable(several)), bound)
    ):
        raise Corrupt("the term table's targets")
    return table  # type: ignore[no-any-return]


def _decode_route(item: Any, term_count: int, regex_count: int) -> Route:
    parts, platforms = item
    needed = None
    if parts is not None:
        terms, regexes, meta, prechecks = parts
        if not (_ints_below(terms, term_count) and _ints_below(regexes, regex_count)):
            raise Corrupt("a route's term and regex ids are not the policy's")
        if not all(type(v) is str for v in (*meta, *prechecks)):
            raise Corrupt("a route's metadata keys and prechecks are not strings")
        needed = Trigger(
            frozenset(terms), frozenset(regexes), frozenset(meta), frozenset(prechecks)
        )
    if platforms is not None:
        if not all(type(v) is str for v in platforms):
            raise Corrupt("a route's platforms are not strings")
        platforms = frozenset(platforms)
    return needed, platforms
