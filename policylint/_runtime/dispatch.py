"""Which rules a post can trigger, found from the post's hits instead of by asking every rule.

Each rule is filed by what it needs to report anything (:class:`Trigger`: terms, regexes,
metadata keys, prechecks) or, when it needs nothing, by the platforms its guards allow; a
post then evaluates only the rules its hits name (:class:`RuleDispatch`). The regexes of a
policy are numbered here too (:func:`index_regexes`): the dispatch and the per-post prefilter
share those numbers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from policylint._model.struct import NamedTuple
from policylint._runtime.conditions import (
    AndNode,
    AtLeastNode,
    CompareNode,
    ConditionNode,
    ContainsNode,
    Getter,
    MemberNode,
    OrNode,
    QuantifierNode,
    TruthyNode,
    is_number,
    oriented,
)
from policylint._runtime.patterns import (
    AllNode,
    AnyNode,
    DetectNode,
    GuardedNode,
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
from policylint._runtime.rules import CompiledRule, Rule, with_nodes
from policylint._runtime.state import EvalState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "Route",
    "RuleDispatch",
    "Trigger",
    "guard_trigger",
    "index_regexes",
    "platforms_of",
    "route",
    "trigger",
]


def index_regexes(rules: Sequence[CompiledRule]) -> RegexIndex:
    """Register every regex node of ``rules`` in one RegexIndex (the per-post prefilter)."""
    index = RegexIndex()
    seen: set[int] = set()

    node_types = (PatternNode, ConditionNode, MatchException)
    walkable = (*node_types, tuple)
    names: dict[type, tuple[str, ...]] = {}  # each node class's field names, looked up once

    def walk(value: Any) -> None:
        if isinstance(value, RegexNode):
            if id(value) not in seen:
                seen.add(id(value))
                value.regex_id = index.add(
                    value.source,
                    value.flags,
                    value.atoms,
                    also=value.also,
                    non_ascii=value.non_ascii,
                    exact=value.exact,
                    repeats=value.repeats,
                )
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, walkable):
                    walk(item)
        elif isinstance(value, node_types):
            kind = type(value)
            found = names.get(kind)
            if found is None:
                found = names[kind] = kind.FIELDS
            for name in found:
                child = getattr(value, name)
                if isinstance(child, walkable):
                    walk(child)

    for rule in rules:
        for part in (rule.guards, rule.post_exceptions, rule.flags, rule.requires):
            walk(part)
        walk(rule.match_exceptions)
    return index


class Trigger(NamedTuple):
    """What a post must contain for a rule to report anything, any one of: these terms, a
    match of one of these regexes (by their ids in the policy's RegexIndex), one of these
    top-level metadata keys, or a pass of one of these prechecks
    (:mod:`policylint._runtime.prechecks`)."""

    terms: frozenset[int] = frozenset()
    regexes: frozenset[int] = frozenset()
    meta: frozenset[str] = frozenset()
    prechecks: frozenset[str] = frozenset()

    def size(self) -> int:
        return sum(len(part) for part in self)


def trigger(rule: CompiledRule) -> Trigger | None:
    """What ``rule``'s flags need to report anything (:class:`Trigger`), or None when the
    rule can fire without a term, a regex match or a precheck (``require``, a metric, a
    metadata field). Call it after :func:`index_regexes`, which numbers the regexes.

    Most rules flag term lists or patterns; a post that contains none of a rule's is skipped
    before its guards and exceptions are evaluated, which is most of the per-post work.
    """
    if rule.requires or not rule.flags:
        return None
    return _any_trigger(rule.flags)


def _pattern_trigger(node: PatternNode) -> Trigger | None:
    """What a match of ``node`` needs (None: it can match without any of it)."""
    if isinstance(node, TermsNode):
        return Trigger(terms=frozenset(node.term_ids))
    if isinstance(node, RegexNode):
        return Trigger(regexes=frozenset({node.regex_id})) if node.regex_id >= 0 else None
    if isinstance(node, DetectNode):
        from policylint.detectors import DETECTORS

        precheck = DETECTORS.precheck(node.name)
        return Trigger(prechecks=frozenset({precheck})) if precheck else None
    if isinstance(node, MetaTermsNode):  # no terms without the metadata key
        return Trigger(meta=frozenset({node.path.split(".", 1)[0]}))
    if isinstance(node, MaskedTermsNode):
        return Trigger(prechecks=frozenset({"mask"}))
    if isinstance(node, ScopedNode):
        if node.kind != "field":
            return _pattern_trigger(node.inner)
        # A metadata field is matched on another text (its terms are not the post's), but
        # there is none without its key; an item's field (``item.alt``) may be any post's.
        head, _, rest = node.path.partition(".")
        return Trigger(meta=frozenset({rest.split(".", 1)[0]})) if head == "meta" else None
    if isinstance(node, NearNode):
        # A proximity reports matches of its left side; unless negated, only those with a
        # match of its right side nearby, so either side's need will do.
        left = _pattern_trigger(node.left)
        return left if node.negated else _narrower((left, _pattern_trigger(node.right)))
    if isinstance(node, GuardedNode):
        return _pattern_trigger(node.inner)  # its guards only take matches away
    if isinstance(node, AnyNode):
        return _any_trigger(node.items)
    if isinstance(node, AllNode):
        return _narrower(map(_pattern_trigger, node.items))  # every item must match
    return None


def _narrower(needs: Iterable[Trigger | None]) -> Trigger | None:
    """Of needs that must all be met, the one fewer posts meet: terms, regexes and metadata
    keys rather than a precheck (a letter, a capital: most posts pass those); else the
    first. ``(detect(condition) or ...) followed by ["cured"]`` is then dispatched by
    "cured", not by every post with a letter."""
    best: Trigger | None = None
    for need in needs:
        if need is not None and (best is None or (best.prechecks and not need.prechecks)):
            best = need
    return best


def _any_trigger(nodes: Sequence[PatternNode]) -> Trigger | None:
    """What a match of any of ``nodes`` needs: the union of theirs (None if one needs
    nothing)."""
    return _union(map(_pattern_trigger, nodes))


def _union(needs: Iterable[Trigger | None]) -> Trigger | None:
    """What any one of several alternatives needs: the union of theirs, None if one of them
    needs nothing. Gathered in mutable sets: a union per alternative would copy the growing
    sets each time, quadratic in the alternatives (100,000 'or's took a minute)."""
    parts: tuple[set[Any], ...] = (set(), set(), set(), set())
    for needed in needs:
        if needed is None:
            return None
        for part, more in zip(parts, needed, strict=True):
            part.update(more)
    return Trigger(*map(frozenset, parts))


def platforms_of(rule: CompiledRule) -> frozenset[str] | None:
    """The platforms (casefolded) a rule is limited to by a guard such as ``when platform ==
    "x" and ...`` or ``when platform in [...]``; None when it may fire on any post."""
    return _all_platforms(rule.guards)


def _all_platforms(guards: Sequence[ConditionNode]) -> frozenset[str] | None:
    """The platforms allowed by every one of ``guards`` (None: no guard limits them)."""
    found: frozenset[str] | None = None
    for guard in guards:
        limited = _guard_platforms(guard)
        if limited is not None:
            found = limited if found is None else found & limited
    return found


def _guard_platforms(node: ConditionNode) -> frozenset[str] | None:
    if isinstance(node, AndNode):
        return _all_platforms(node.items)
    if isinstance(node, CompareNode) and node.op == "==":
        sides = (node.left, node.right)
        for this, other in (sides, sides[::-1]):
            if this.kind == "platform" and other.kind == "const" and isinstance(other.value, str):
                return frozenset({other.value.casefold()})
    members = _constant_members(node, "platform")
    if members is not None and all(isinstance(v, str) for v in members):
        return frozenset(v.casefold() for v in members)
    return None


def _constant_members(node: ConditionNode, kind: str) -> Sequence[Any] | None:
    """The constant list of a ``<kind> in [...]`` condition (not negated), else None."""
    if (
        isinstance(node, MemberNode)
        and not node.negated
        and node.operand.kind == kind
        and node.values.kind == "const"
        and isinstance(node.values.value, list | tuple)
    ):
        return node.values.value
    return None


#: How the dispatch files a rule: what its flags or guards need (None: nothing); the
#: platforms its guards limit it to (None: any); and when its flags gave the need, what its
#: guards need besides (None: nothing). A rule runs only on a post that has all three.
Route = tuple[Trigger | None, frozenset[str] | None, Trigger | None]


def route(rule: CompiledRule) -> Route:
    """``rule``'s :data:`Route` (after :func:`index_regexes`, which numbers the regexes).

    The guards' platforms and needs gate a rule its flags dispatch too: ``when platform in
    ["instagram", "facebook"]`` or ``when meta.reply or ...`` hold on few posts, and a rule
    they rule out is skipped before its terms and regexes are looked at."""
    flagged = trigger(rule)
    guarded = guard_trigger(rule)
    if flagged is None:
        return guarded, platforms_of(rule), None
    return flagged, platforms_of(rule), guarded


def guard_trigger(rule: CompiledRule) -> Trigger | None:
    """What a post must contain for every guard of ``rule`` to hold (``when meta.sponsored
    or contains paid_signals``, ``when exclamations > 3``): None when the guards can hold on
    any post."""
    return _all_needs(rule.guards)


def _all_needs(guards: Sequence[ConditionNode]) -> Trigger | None:
    """Every guard must hold, so any one guard's need will do: the narrowest."""
    best: Trigger | None = None
    for guard in guards:
        need = _guard_need(guard)
        if need is not None and (best is None or need.size() < best.size()):
            best = need
    return best


def _guard_need(node: ConditionNode) -> Trigger | None:
    if isinstance(node, AndNode):
        return _all_needs(node.items)
    if isinstance(node, OrNode):
        return _union(map(_guard_need, node.items))
    if isinstance(node, AtLeastNode):
        # All of them, when all must hold; otherwise any one may be among those that do.
        if node.count == len(node.items):
            return _all_needs(node.items)
        return _union(map(_guard_need, node.items))
    if isinstance(node, ContainsNode):
        return _pattern_trigger(node.pattern)
    if isinstance(node, QuantifierNode):
        # "any" needs a list to look in; "all" and "none" hold without one.
        if node.quantifier == "any" and node.items.kind == "meta":
            return _meta_need(node.items)
        return None
    if isinstance(node, TruthyNode):
        if node.getter.kind == "meta":
            return _meta_need(node.getter)  # an absent key is not truthy
        return _getter_need(node.getter, "!=", 0)  # a metric is truthy when it is not 0
    if isinstance(node, CompareNode):
        sides = oriented(node)
        return _getter_need(*sides) if sides is not None else None
    members = _constant_members(node, "meta")
    if isinstance(node, MemberNode) and members is not None and None not in members:
        return _meta_need(node.operand)
    return None


def _getter_need(getter: Getter, op: str, constant: Any) -> Trigger | None:
    """What ``getter op constant`` needs to hold."""
    if getter.kind == "meta":
        # An absent key reads as None: equal to no constant and ordered against none
        # (compare() orders only two numbers or two strings), but unequal to all.
        if op == "!=" or constant is None:
            return None
        return _meta_need(getter)
    if getter.kind == "metric":
        from policylint._runtime.metrics import METRICS

        metric = METRICS.get(str(getter.value))
        if metric is None or metric.precheck is None or not is_number(constant):
            return None
        # The metric is 0 when its precheck fails: does "0 op constant" fail too?
        fails_at_zero = {
            ">": constant >= 0,
            ">=": constant > 0,
            "==": constant != 0,
            "!=": constant == 0,
        }.get(op, False)
        return Trigger(prechecks=frozenset({metric.precheck})) if fails_at_zero else None
    return None


def _meta_need(getter: Getter) -> Trigger:
    return Trigger(meta=frozenset({str(getter.value).split(".", 1)[0]}))


class RuleDispatch:
    """Which rules a post can trigger, found from the post's hits instead of by asking
    every rule: rules are indexed by the terms and regexes they report (:func:`trigger`) and
    by what their guards need (:func:`guard_trigger`: metadata keys, terms, regexes,
    prechecks) and the platforms they require (:func:`platforms_of`). The skipped rules are
    exactly those that could not have reported anything for the post.

    A rule its flags file is *gated* by its guards too: left out on a post whose platform
    they do not allow (one set difference per post), and, when chosen, kept only if the
    post has what its guards need (a metadata key, a precheck, a term or a regex), before
    any of its nodes are evaluated."""

    __slots__ = (
        "_anywhere",
        "_by_meta",
        "_by_platform",
        "_by_precheck",
        "_by_regex",
        "_by_term",
        "_gates",
        "_limited",
        "_off_platform",
        "_regex_rules",
    )

    def __init__(self, rules: Sequence[Rule], routes: Sequence[Route] | None = None) -> None:
        """``routes``: each rule's :func:`route`, when known (the compiled-policy cache
        keeps them); else they are worked out from the rules' nodes."""
        # A large policy's rules report tens of thousands of terms: they are indexed a
        # rule at a time (_index_all), not a term at a time.
        by_term: dict[int, tuple[int, ...]] = {}
        self._by_regex: dict[int, list[int]] = {}
        regex_rules: set[int] = set()
        # rules without a trigger, on any platform / on the platforms their guards name
        anywhere: list[int] = []
        by_platform: dict[str, list[int]] = {}
        # rules with a trigger: those whose guards name platforms, and those with a gate
        limited_to: dict[int, frozenset[str]] = {}
        self._gates: dict[int, Trigger] = {}
        self._by_meta: dict[str, list[int]] = {}
        by_precheck: dict[str, list[int]] = {}
        for position, rule in enumerate(rules):
            needed, limited, gate = (
                routes[position] if routes is not None else route(with_nodes(rule))
            )
            if needed is not None:
                _index_all(by_term, needed.terms, position)
                for regex in needed.regexes:
                    self._by_regex.setdefault(regex, []).append(position)
                    regex_rules.add(position)
                for key in needed.meta:
                    self._by_meta.setdefault(key, []).append(position)
                for name in needed.prechecks:
                    by_precheck.setdefault(name, []).append(position)
                if limited is not None:
                    limited_to[position] = limited
                if gate is not None:
                    self._gates[position] = gate
            elif limited is None:
                anywhere.append(position)
            else:
                for platform in limited:
                    by_platform.setdefault(platform, []).append(position)
        self._by_term = by_term
        self._anywhere = frozenset(anywhere)
        self._by_platform = {
            name: self._anywhere | frozenset(extra) for name, extra in by_platform.items()
        }
        # The rules with a trigger that each platform rules out; any other platform (or
        # none) rules out all that are limited.
        self._limited = frozenset(limited_to)
        self._off_platform = {
            name: frozenset(p for p, allowed in limited_to.items() if name not in allowed)
            for name in {name for allowed in limited_to.values() for name in allowed}
        }
        self._regex_rules = frozenset(regex_rules)
        from policylint._runtime.prechecks import PRECHECKS

        self._by_precheck = [(PRECHECKS[name], found) for name, found in by_precheck.items()]

    @property
    def regex_triggers(self) -> frozenset[int]:
        """The regexes rules are dispatched by: every post needs their matches."""
        return frozenset(self._by_regex)

    def candidates(self, state: EvalState) -> list[int]:
        """Positions of the rules to evaluate for this post, in policy order."""
        platform = state.ctx.platform
        folded_platform = platform.casefold() if isinstance(platform, str) else None
        chosen = set(
            self._by_platform.get(folded_platform, self._anywhere)
            if folded_platform is not None
            else self._anywhere
        )
        meta = state.ctx.meta
        if meta and self._by_meta:
            by_meta = self._by_meta
            for key in meta:
                found = by_meta.get(key)
                if found is not None:
                    chosen.update(found)
        ctx = state.ctx
        for precheck, found in self._by_precheck:
            if precheck(ctx):
                chosen.update(found)
        by_term = self._by_term
        for term in state.term_hits():
            positions = by_term.get(term)
            if positions is not None:
                chosen.update(positions)
        if self._by_regex:
            hits = state.regex_hits()
            if hits is None:
                chosen |= self._regex_rules
            else:
                by_regex = self._by_regex
                for regex in hits:
                    found = by_regex.get(regex)
                    if found is not None:
                        chosen.update(found)
        if self._limited:
            off = self._off_platform.get(folded_platform) if folded_platform is not None else None
            chosen -= self._limited if off is None else off
        gates = self._gates
        for position in chosen.intersection(gates):
            if not _has(state, gates[position]):
                chosen.discard(position)
        return sorted(chosen)


def _has(state: EvalState, needed: Trigger) -> bool:
    """Whether the post of ``state`` has one of what ``needed`` names (a metadata key, a
    passing precheck, a term, a regex that matches), the cheapest looked at first."""
    meta = state.ctx.meta
    if needed.meta and meta and not needed.meta.isdisjoint(meta):
        return True
    if needed.prechecks:
        from policylint._runtime.prechecks import PRECHECKS

        if any(PRECHECKS[name](state.ctx) for name in needed.prechecks):
            return True
    # isdisjoint walks the post's few hits, not the rule's terms
    if needed.terms and not needed.terms.isdisjoint(state.term_hits()):
        return True
    return any(state.regex_may_match(regex) for regex in needed.regexes)


def _index_all(index: dict[int, tuple[int, ...]], keys: Collection[int], position: int) -> None:
    """Add ``position`` to the entry of each of ``keys``, in a few C calls: the keys new to
    ``index`` share one tuple, and only those already there (few) are visited one by one."""
    shared = index.keys() & keys
    earlier = {key: index[key] for key in shared}
    index.update(dict.fromkeys(keys, (position,)))
    for key, positions in earlier.items():
        index[key] = (*positions, position)
