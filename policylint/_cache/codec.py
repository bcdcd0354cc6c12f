"""An executable policy as JSON and back, every part checked as it is made.

A rule is written as its info and its nodes (every other field) as one JSON text, which is
decoded and checked the first time the rule is evaluated (:class:`_RuleNodes`): a post's
dispatch selects a few dozen of a large policy's rules, and a start made and checked the
thousands of nodes of all of them. Everything else is decoded and checked on load.

JSON is data: decoding instantiates only the classes listed in ``_NODE_TYPES`` with plain
values, and checks each node as it makes it (its field types and allowed values, counts and
distances, term ids within the term list): what the engine relies on holds, or the entry is
:class:`Corrupt`. Nothing is walked twice. Facts kept in a table are written once and
referred to by their row: a regex node is the row of the regex table (its pattern, flags and
prefilter atoms, checked once there), a terms node the row of the table of distinct term-id
lists, so no cross-check between copies is needed and nodes that share a regex or a list
share one object. A rule's examples (a thousand in the built-in packs, half the nodes) are
rows of a table kept by column, each column checked at once (``checks.EXAMPLE_COLUMNS``),
stored as one JSON text read only when a rule's examples are asked for (``policylint test``,
``explain``, the docs; :meth:`_RuleNodes.examples`): a check never needs them.

Nodes are stored by position: the format names the fields of every node class (``FORMAT``),
so a class whose fields change, even only in order, never reads an older entry.

The large tables (a big policy's terms, its automaton's keys and their targets, the rules'
term lists and routes: hundreds of thousands of items) are compact: strings joined into one
(:func:`~policylint._cache.packed.pack_strings`), integers as one base64 array
(:func:`~policylint._cache.packed.pack_ints`). Decoding them
is a few C calls (``str.split``, ``a2b_base64``), and they are checked as wholes, by their
invariants (lengths, bounds, order), never item by item in Python: a warm start of a large
policy spent more time making and checking 56,000 small JSON values than anything else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from policylint._cache.checks import (
    EXAMPLE_COLUMNS,
    NODE_CHECKS,
    SCALARS,
    ints_below,
    plain_data,
)
from policylint._cache.examples import decode_examples
from policylint._cache.packed import (
    increasing,
    pack_ints,
    pack_strings,
    unpack_ints,
    unpack_strings,
)
from policylint._cache.routes import decode_route, encode_route
from policylint._hashing import sha256
from policylint._model.rules import RuleExample, RuleInfo
from policylint._model.severity import Severity
from policylint._runtime.conditions import (
    AndNode,
    AtLeastNode,
    CompareNode,
    ContainsNode,
    Getter,
    MemberNode,
    NotNode,
    OrNode,
    QuantifierNode,
    TruthyNode,
)
from policylint._runtime.engine import ExecutablePolicy
from policylint._runtime.patterns import (
    AllNode,
    AllowException,
    AnyNode,
    ContextException,
    DetectNode,
    GuardedNode,
    InsideException,
    MaskedTermsNode,
    MetaTermsNode,
    NearNode,
    RegexNode,
    ScopedNode,
    TermsNode,
)
from policylint._runtime.regexes import AtomIndex, RegexIndex
from policylint._runtime.rules import (
    CompiledRule,
    LazyRule,
    RawFinding,
    Rule,
    described,
    with_nodes,
)
from policylint._runtime.state import EvalState
from policylint._runtime.terms import TermIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from array import array
    from typing import Any

    from policylint._model.diagnostics import Diagnostic

__all__ = ["FORMAT", "Corrupt", "decode", "encode"]

#: Raised with every change of what an entry holds or means.
FORMAT_VERSION = 30

# Keyed "@" + class name, as entries write them. RegexNode, TermsNode and RuleExample are
# written as the row of their table (see the module's docstring).
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
        GuardedNode,
        Getter,
        CompareNode,
        MemberNode,
        ContainsNode,
        TruthyNode,
        QuantifierNode,
        NotNode,
        AndNode,
        OrNode,
        AtLeastNode,
        ContextException,
        AllowException,
        InsideException,
        RuleInfo,
        CompiledRule,
    )
}


def _fields(cls: type[Any]) -> tuple[str, ...]:
    """A node class's fields: a struct's ``FIELDS``, a record's ``_fields``."""
    return getattr(cls, "FIELDS", None) or cls._fields  # type: ignore[no-any-return]


#: A rule is written as its info and, as one JSON text, these fields (its nodes).
_RULE_NODE_FIELDS = _fields(CompiledRule)[1:]
assert _fields(CompiledRule)[0] == "info"


def _format(node_types: Mapping[str, type[Any]]) -> str:
    schema = ";".join(f"{key}:{','.join(_fields(cls))}" for key, cls in node_types.items())
    # Those written as table rows: the rows hold their fields.
    for cls in (RegexNode, TermsNode, RuleExample):
        schema += f";@{cls.__name__}:{','.join(_fields(cls))}"
    return f"{FORMAT_VERSION}/" + sha256(schema.encode()).hexdigest()[:16]


FORMAT = _format(_NODE_TYPES)


class Corrupt(Exception):
    """The entry is not what this version writes."""


# ----------------------------------------------------------------------------- encoding
def encode(policy: ExecutablePolicy) -> dict[str, Any]:
    """The parts of ``policy`` as JSON values (the entry's other keys are the cache's)."""
    encoder = _Encoder(policy.regexes)
    terms, (keys, firsts, more), starts = policy.terms.data()
    rules = [encoder.rule(with_nodes(rule)) for rule in policy.rules]
    return {
        "name": policy.name,
        "description": policy.description,
        "files": list(policy.files),
        "settings": encoder.value(policy.settings),
        "terms": pack_strings(terms),
        "keys": {
            "keys": pack_strings(keys),
            "targets": pack_ints(firsts),
            # position, how many more, and those targets, for each key that has more
            "more": pack_ints([n for at in sorted(more) for n in (at, len(more[at]), *more[at])]),
            "starts": {start: list(lengths) for start, lengths in starts.items()},
        },
        "regexes": policy.regexes.table(),
        # the regex prefilter's atoms, each with the regexes that hold it: folded, exact
        "atoms": [
            [pack_strings(atoms), pack_ints(ids), pack_ints(ends)]
            for atoms, ids, ends in policy.regexes.atom_index()
        ],
        "rules": rules,
        "lists": [
            pack_ints([term for ids in encoder.lists for term in ids]),
            pack_ints(_ends(encoder.lists)),
        ],
        # JSON text (a check never reads it): by column, in RuleExample's field order, and
        # where each rule's rows end
        "examples": json.dumps(
            [
                [list(column) for column in zip(*encoder.examples, strict=True)]
                or [[] for _ in EXAMPLE_COLUMNS],
                encoder.example_ends,
            ],
            separators=(",", ":"),
        ),
        "routes": [encode_route(known) for known in policy.routes],
        "warnings": [list(warning[:9]) for warning in policy.warnings],
    }


class _Encoder:
    def __init__(self, regexes: RegexIndex) -> None:
        self.regexes = regexes
        #: The distinct term-id lists of the terms nodes, and each one's row.
        self.lists: list[list[int]] = []
        self.rows: dict[tuple[int, ...], int] = {}
        #: Every rule's examples, their fields as JSON values, and where each rule's rows end.
        self.examples: list[list[Any]] = []
        self.example_ends: list[int] = []

    def rule(self, rule: CompiledRule) -> list[Any]:
        """A rule as ``[info, nodes]``: its nodes (every field after ``info``) as JSON text,
        decoded only when the rule is first evaluated (:class:`LazyRule`)."""
        nodes = [self.value(getattr(rule, f)) for f in _RULE_NODE_FIELDS]
        info = described(rule)
        for example in info.examples:
            self.examples.append([self.value(getattr(example, f)) for f in _fields(RuleExample)])
        self.example_ends.append(len(self.examples))
        return [
            self.value(info._replace(examples=())),
            json.dumps(nodes, separators=(",", ":")),
        ]

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


def _ends(lists: list[list[int]]) -> list[int]:
    """Where each list ends in the lists laid end to end."""
    ends, total = [], 0
    for ids in lists:
        total += len(ids)
        ends.append(total)
    return ends


# ----------------------------------------------------------------------------- decoding
def decode(
    data: Mapping[str, Any], recover: Callable[[], ExecutablePolicy] | None = None
) -> ExecutablePolicy:
    """The policy an entry describes, checked (raises :class:`Corrupt`, ``ValueError``,
    ``KeyError``, ``TypeError``...): all of it now but each rule's nodes, which are decoded
    and checked when the rule is first evaluated (:class:`_RuleNodes`). ``recover`` makes
    the policy afresh, for a rule whose nodes turn out not to be what this version writes."""
    terms = unpack_strings(data["terms"])
    index = TermIndex.from_data(terms, *_key_table(data["keys"], len(terms)))
    regexes = RegexIndex.from_table(data["regexes"], _atom_index(data["atoms"], data["regexes"]))
    decoder = _Decoder(len(terms), regexes, _term_lists(data["lists"], len(terms)))
    if type(data["examples"]) is not str:
        raise Corrupt("the examples' table")
    nodes = _RuleNodes(decoder, (terms, data["regexes"], data["examples"]), recover)
    rules = tuple(nodes.rule(position, item) for position, item in enumerate(data["rules"]))
    if len({rule.info.id for rule in rules}) != len(rules):
        raise Corrupt("a rule id twice")
    routes = tuple(decode_route(item, len(terms), len(regexes)) for item in data["routes"])
    if len(routes) != len(rules):
        raise Corrupt("not a route per rule")
    settings = decoder.value(data["settings"])
    name, description, files = data["name"], data["description"], data["files"]
    if not (
        type(settings) is dict
        and plain_data(settings)
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
        warnings=tuple(map(_warning, data["warnings"])),
    )


def _warning(fields: Any) -> Diagnostic:
    """A compiler's warning (a Diagnostic's first nine fields), checked. Imported only for
    a policy that has warnings: a warm start of the others does not load diagnostics."""
    from policylint._model.diagnostics import CODES, Diagnostic

    if not (
        type(fields) is list
        and len(fields) == 9
        and fields[0] in CODES
        and all(type(fields[i]) is str for i in (1, 2))
        and all(type(fields[i]) is int for i in (3, 4, 5, 6))
        and all(value is None or type(value) is str for value in fields[7:])
    ):
        raise Corrupt("a warning")
    return Diagnostic(*fields)._replace(severity="warning")


# JSON scalars decode to themselves: checked inline, they cost no call (a warm start decodes
# ~16,000 values).


class _Decoder:
    """Makes an entry's JSON back into nodes, checking each as it is made: what the engine
    relies on holds, or :class:`Corrupt` is raised."""

    def __init__(self, term_count: int, regexes: RegexIndex, lists: _TermLists) -> None:
        self.term_count = term_count
        self.regexes = regexes
        self.lists = lists
        # One node per regex and per list: nodes that share one share its caches too.
        self.regex_nodes: dict[int, RegexNode] = {}
        self.terms_nodes: dict[int, TermsNode] = {}

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind is list:
            return tuple([v if type(v) in SCALARS else self.value(v) for v in value])
        if kind is not dict or len(value) != 1:
            raise Corrupt("unexpected value")
        ((key, fields),) = value.items()
        cls = _NODE_TYPES.get(key)
        if cls is not None:
            if type(fields) is not list or len(fields) != len(_fields(cls)):
                raise Corrupt(f"{key}: not its fields")
            node = cls(*[v if type(v) in SCALARS else self.value(v) for v in fields])
            if not NODE_CHECKS[cls](node):
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
            return {k: v if type(v) in SCALARS else self.value(v) for k, v in fields.items()}
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
        ids, ends = self.lists
        if type(row) is not int or not 0 <= row < len(ends):
            raise Corrupt("@TermsNode: not a row of the term lists")
        node = self.terms_nodes.get(row)
        if node is None:
            start = ends[row - 1] if row else 0
            node = self.terms_nodes[row] = TermsNode(tuple(ids[start : ends[row]]))
        return node


#: What decoding an entry's JSON raises when the entry is not what this version writes.
_UNREADABLE = (ValueError, KeyError, TypeError, AttributeError, RecursionError, Corrupt)


class _RuleNodes:
    """Makes each rule's nodes from its JSON text the first time the rule is evaluated,
    checked as the whole entry once was. A rule whose text is not what this version writes
    takes its nodes from the policy compiled afresh (``recover``, once per policy), which
    stores a good entry over this one: the findings are those of a fresh compile. The rules'
    examples are made the same way, all at once, the first time a rule's are asked for."""

    def __init__(
        self,
        decoder: _Decoder,
        tables: tuple[list[str], list[Any], str],
        recover: Callable[[], ExecutablePolicy] | None,
    ) -> None:
        self.decoder = decoder
        #: The terms and the regex table the nodes' numbers refer to, as the entry has them,
        #: and the examples' table as JSON text.
        self.terms, self.regexes, self.example_text = tables
        self.recover = recover
        self.fresh: ExecutablePolicy | None = None
        self.rule_count = 0
        self.examples_by_rule: list[tuple[RuleExample, ...]] | None = None

    def rule(self, position: int, item: Any) -> LazyRule:
        """Rule ``item`` of the entry (``[info, nodes as JSON text]``), its info checked."""
        if not (type(item) is list and len(item) == 2 and type(item[1]) is str):
            raise Corrupt("not a rule")
        info = self.decoder.value(item[0])
        if type(info) is not RuleInfo:
            raise Corrupt("not a rule's info")
        if info.examples:
            raise Corrupt("a rule's examples outside the examples' table")
        text = item[1]
        self.rule_count += 1
        return LazyRule(
            info,
            lambda: self.nodes(position, info, text),
            lambda: self.examples(position, info),
        )

    def nodes(self, position: int, info: RuleInfo, text: str) -> CompiledRule:
        try:
            return self.decode(info, text)
        except _UNREADABLE as error:
            if self.recover is None:
                raise Corrupt(f"rule {info.id}: its nodes") from error
            return self.afresh(position, info)

    def decode(self, info: RuleInfo, text: str) -> CompiledRule:
        fields = json.loads(text)
        if type(fields) is not list or len(fields) != len(_RULE_NODE_FIELDS):
            raise Corrupt("@CompiledRule: not its fields")
        value = self.decoder.value
        rule = CompiledRule(info, *[v if type(v) in SCALARS else value(v) for v in fields])
        if not NODE_CHECKS[CompiledRule](rule):
            raise Corrupt("@CompiledRule: a field out of its range")
        return rule

    def examples(self, position: int, info: RuleInfo) -> tuple[RuleExample, ...]:
        """Rule ``position``'s examples, from the table decoded and checked on the first
        call, or from the policy compiled afresh when the table is not what this version
        writes."""
        try:
            if self.examples_by_rule is None:
                self.examples_by_rule = decode_examples(
                    self.example_text, self.decoder.value, self.rule_count
                )
            return self.examples_by_rule[position]
        except _UNREADABLE as error:
            if self.recover is None:
                raise Corrupt("the examples' table") from error
            same = self.same_rule_afresh(info)
            return () if same is None else described(same).examples

    def same_rule_afresh(self, info: RuleInfo) -> Rule | None:
        """The rule with ``info``'s id of the policy compiled afresh (None: it has none)."""
        fresh = self.fresh
        if fresh is None:
            assert self.recover is not None
            fresh = self.fresh = self.recover()
        return next((rule for rule in fresh.rules if rule.info.id == info.id), None)

    def afresh(self, position: int, info: RuleInfo) -> CompiledRule:
        """Rule ``position`` of the policy compiled afresh. Its nodes name terms and regexes
        by number: they are used with this entry's tables only if those are the fresh ones."""
        same = self.same_rule_afresh(info)
        if same is None:
            return CompiledRule(info, guards=(_NEVER,))  # a rule the policy no longer has
        fresh = self.fresh
        assert fresh is not None
        rule = with_nodes(same)
        if fresh.terms.data()[0] == self.terms and fresh.regexes.table() == self.regexes:
            return rule
        # An entry sealed with this user's key but not what compiling makes (docs/security.md
        # section 5): the fresh rule runs with the tables its numbers refer to.
        return _OnTablesOf(*rule).on(fresh)


#: A guard that never holds.
_NEVER = TruthyNode(Getter("const", False))


class _OnTablesOf(CompiledRule):
    """A rule of another compile of the policy, evaluated with that compile's term and regex
    tables (its nodes number terms and regexes as those do)."""

    fresh: ExecutablePolicy

    def on(self, fresh: ExecutablePolicy) -> _OnTablesOf:
        self.fresh = fresh
        return self

    def evaluate(self, state: EvalState) -> list[RawFinding]:
        fresh = self.fresh
        own = EvalState(state.ctx, fresh.terms, state.field_name, fresh.regexes)
        return CompiledRule.evaluate(self, own)


def _key_table(
    table: Any, term_count: int
) -> tuple[tuple[list[str], array[int], dict[int, array[int]]], dict[str, list[int]]]:
    """The term automaton's key table (``TermIndex.data``), checked: sorted distinct keys,
    each with the targets of terms that exist, and the lengths by start."""
    keys, starts = unpack_strings(table["keys"]), table["starts"]
    bound = term_count << 3  # a target is a term id and three flag bits (terms._target)
    firsts = unpack_ints(table["targets"], bound)
    # Checked as wholes, in C: the built-in packs have 56,000 keys.
    if not (
        len(firsts) == len(keys)
        and "" not in keys
        and keys == sorted(keys)  # the lookup bisects them (timsort: one pass when sorted)
        and type(starts) is dict
        and set(map(type, starts.values())) <= {list}
        and ints_below([n for lengths in starts.values() for n in lengths], 1 << 30)
    ):
        raise Corrupt("the term table")
    return (keys, firsts, _more_targets(table["more"], len(keys), bound)), starts


def _more_targets(packed: Any, key_count: int, bound: int) -> dict[int, array[int]]:
    """The further targets of the keys that have several (``[position, count, targets...]``
    repeated, positions increasing), checked."""
    flat = unpack_ints(packed, max(key_count, bound))
    more: dict[int, array[int]] = {}
    at, last = 0, -1
    while at < len(flat):
        position, count = flat[at], flat[at + 1] if at + 1 < len(flat) else 0
        targets = flat[at + 2 : at + 2 + count]
        if not (last < position < key_count and count and len(targets) == count):
            raise Corrupt("the term table's further targets")
        if max(targets) >= bound:
            raise Corrupt("the term table's targets")
        more[position] = targets
        at, last = at + 2 + count, position
    return more


def _atom_index(packed: Any, table: list[Any]) -> tuple[AtomIndex, AtomIndex]:
    """The regex prefilter's atom index (``RegexIndex.atom_index``), checked: the folded
    and the exact atoms, each with ids of regexes of the table, ending where the next
    starts."""
    if not (type(packed) is list and len(packed) == 2 and type(table) is list):
        raise Corrupt("the regexes' atoms")
    made = []
    for packed_atoms, packed_ids, packed_ends in packed:  # ValueError unless three parts
        atoms, ids = unpack_strings(packed_atoms), unpack_ints(packed_ids, len(table))
        ends = unpack_ints(packed_ends, len(ids) + 1)
        if not (
            len(ends) == len(atoms) and increasing(ends) and (ends[-1] if ends else 0) == len(ids)
        ):
            raise Corrupt("the regexes' atoms")
        made.append((atoms, ids, ends))
    return made[0], made[1]


#: The rules' distinct term-id lists, laid end to end, and where each ends.
_TermLists = tuple["array[int]", "array[int]"]


def _term_lists(packed: Any, term_count: int) -> _TermLists:
    """The term lists of the terms nodes, checked: ids of terms that exist, each list
    ending where the next starts."""
    if not (type(packed) is list and len(packed) == 2):
        raise Corrupt("the term lists")
    ids = unpack_ints(packed[0], term_count)
    ends = unpack_ints(packed[1], len(ids) + 1)
    if not (increasing(ends) and (ends[-1] if ends else 0) == len(ids)):
        raise Corrupt("the term lists' ends")
    return ids, ends


assert set(NODE_CHECKS) == set(_NODE_TYPES.values())
assert tuple(EXAMPLE_COLUMNS) == _fields(RuleExample)
