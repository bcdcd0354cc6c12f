"""The executable form of a policy: pattern, condition and exception nodes, and compiled rules.

The compiler (policylint._compiler) builds these from the AST; the engine runs them over one
post at a time through an ``EvalState``, which holds what every rule shares for that post:
the term hits of the policy's single automaton pass, word and sentence boundaries, and the
views of metadata fields.

All spans are in the ORIGINAL text's code points: term hits (found on the folded view) and
regex hits (on the plain view) are mapped back before they leave their node, so nodes can be
combined freely and a finding's match is always ``text[start:end]``.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence

from policylint._model.severity import Severity
from policylint._model.struct import NamedTuple, Struct, Value
from policylint._runtime.context import PostContext
from policylint._runtime.regexes import RegexIndex, compile_regex, encode, spans
from policylint._runtime.terms import TermIndex
from policylint._text.views import fold_term

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CompiledRule",
    "EvalState",
    "Match",
    "RawFinding",
    "RegexIndex",
    "RuleDispatch",
    "index_regexes",
]

_WORD_RE = re.compile(r"\S+")
# A sentence ends at . ! ? ; or a line break; negation context does not cross it.
_SENTENCE_END_RE = re.compile(r"[.!?;。！？]+(?=\s|$)|\n")


class Match(NamedTuple):
    start: int
    end: int
    field: str | None = None
    detector: str | None = None
    value: str | None = None


class EvalState:
    """What the rules share while checking one post (or one metadata field of it)."""

    __slots__ = (
        "_encoded",
        "_fields",
        "_hits",
        "_lazy_hits",
        "_line_starts",
        "_regex_hits",
        "_sentence_ends",
        "_word_spans",
        "_word_starts",
        "ctx",
        "field_name",
        "indexes",
        "memo",
        "regex_index",
        "term_index",
    )

    def __init__(
        self,
        ctx: PostContext,
        term_index: TermIndex,
        field_name: str | None = None,
        regex_index: RegexIndex | None = None,
    ) -> None:
        self.ctx = ctx
        self.term_index = term_index
        self.regex_index = regex_index
        self.field_name = field_name
        self._hits: dict[int, list[tuple[int, int]]] | None = None
        self._regex_hits: frozenset[int] | None = None
        self._lazy_hits: dict[int, frozenset[int]] | None = None
        #: Pattern results shared by rules within this post (same terms, same regex).
        self.memo: dict[Any, list[Match]] = {}
        self.indexes: dict[Any, SpanIndex] = {}
        self._word_spans: list[tuple[int, int]] | None = None
        self._word_starts: list[int] | None = None
        self._line_starts: list[int] | None = None
        self._sentence_ends: list[int] | None = None
        self._fields: dict[str, EvalState | None] = {}
        self._encoded: bytes | None = None

    @property
    def text(self) -> str:
        return self.ctx.text

    def encoded_plain(self) -> bytes:
        """The plain view in UTF-8, as RE2 reads it: encoded once per post for every regex."""
        if self._encoded is None:
            self._encoded = encode(self.ctx.plain.text)
        return self._encoded

    def term_hits(self) -> dict[int, list[tuple[int, int]]]:
        if self._hits is None:
            self._hits = self.term_index.find(self.ctx.folded.text)
        return self._hits

    def regex_may_match(self, regex_id: int) -> bool:
        if regex_id < 0:
            return True
        hits = self.regex_hits()
        if hits is None or regex_id in hits:
            return True
        assert self.regex_index is not None  # hits is None without one
        lazy = self.regex_index.lazy_set(regex_id)
        if lazy is None:
            return False
        if lazy < 0:
            return True
        if self._lazy_hits is None:
            self._lazy_hits = {}
        found = self._lazy_hits.get(lazy)
        if found is None:
            found = self._lazy_hits[lazy] = self.regex_index.match_lazy(lazy, self.encoded_plain())
        return regex_id in found

    def regex_hits(self) -> frozenset[int] | None:
        """Ids of the regexes that may match this post (atoms and RE2 sets, once per
        post), or None when every regex may (no index)."""
        if self.regex_index is None:
            return None
        if self._regex_hits is None:
            self._regex_hits = self.regex_index.matching(self.ctx.plain.text, self.encoded_plain)
        return self._regex_hits

    def _words(self) -> list[tuple[int, int]]:
        """The spans of the whitespace-separated words, found once per post."""
        if self._word_spans is None:
            self._word_spans = [m.span() for m in _WORD_RE.finditer(self.ctx.text)]
            self._word_starts = [start for start, _ in self._word_spans]
        return self._word_spans

    def word_index(self, offset: int) -> int:
        self._words()
        assert self._word_starts is not None
        return bisect.bisect_right(self._word_starts, offset) - 1

    def nth_word_end(self, count: int) -> int:
        words = self._words()
        if count <= 0:
            return 0
        if count >= len(words):
            return len(self.ctx.text)
        return words[count - 1][1]

    def nth_word_from_end_start(self, count: int) -> int:
        words = self._words()
        if count <= 0:
            return len(self.ctx.text)
        if count >= len(words):
            return 0
        return words[-count][0]

    def line_index(self, offset: int) -> int:
        if self._line_starts is None:
            text = self.ctx.text
            self._line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        return bisect.bisect_right(self._line_starts, offset) - 1

    def crosses_sentence(self, start: int, end: int) -> bool:
        """Is there a sentence boundary between offsets ``start`` and ``end``?"""
        if self._sentence_ends is None:
            self._sentence_ends = [m.start() for m in _SENTENCE_END_RE.finditer(self.ctx.text)]
        index = bisect.bisect_left(self._sentence_ends, start)
        return index < len(self._sentence_ends) and self._sentence_ends[index] < end

    def field_state(self, path: str) -> EvalState | None:
        """State over the text of a metadata field (``meta.alt``), or None if not text."""
        if path in self._fields:
            return self._fields[path]
        value = lookup_path(self.ctx.meta, path.removeprefix("meta."))
        state: EvalState | None = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = "\n".join(value)
        if isinstance(value, str):
            sub = PostContext(value, self.ctx.platform, self.ctx.meta, self.ctx.settings)
            state = EvalState(sub, self.term_index, path, self.regex_index)
        self._fields[path] = state
        return state

    def distance(self, a: Match, b: Match, unit: str) -> int:
        """How far apart two spans are: words/lines strictly between them, or chars between."""
        if a.end > b.start and b.end > a.start:
            return 0
        first, second = (a, b) if a.end <= b.start else (b, a)
        if unit == "chars":
            return second.start - first.end
        if unit == "lines":
            return self.line_index(second.start) - self.line_index(max(first.end - 1, first.start))
        last_word = self.word_index(max(first.end - 1, first.start))
        return max(0, self.word_index(second.start) - last_word - 1)


class SpanIndex:
    """Matches sorted by position in a unit, to find those near a span without comparing
    every pair: proximity stays O(n log n) on a long post with thousands of matches."""

    __slots__ = ("_items", "_keys", "_state", "_unit", "_width")

    def __init__(self, state: EvalState, matches: Sequence[Match], unit: str) -> None:
        self._state = state
        self._unit = unit
        located = sorted((self._bounds(m), m) for m in matches)
        self._keys = [lo for (lo, _), _ in located]
        self._items = [m for _, m in located]
        self._width = max((hi - lo for (lo, hi), _ in located), default=0)

    def _bounds(self, match: Match) -> tuple[int, int]:
        last = max(match.end - 1, match.start)
        if self._unit == "chars":
            return match.start, match.end
        if self._unit == "lines":
            state = self._state
            return state.line_index(match.start), state.line_index(last)
        return self._state.word_index(match.start), self._state.word_index(last)

    def near(self, probe: Match, distance: int) -> list[Match]:
        """Candidates that may lie within ``distance`` of ``probe`` (check them exactly)."""
        lo, hi = self._bounds(probe)
        first = bisect.bisect_left(self._keys, lo - distance - self._width - 1)
        last = bisect.bisect_right(self._keys, hi + distance + 1)
        return self._items[first:last]


def lookup_path(meta: Mapping[str, Any], dotted: str) -> Any:
    value: Any = meta
    for key in dotted.split("."):
        if isinstance(value, Mapping) and key in value:
            value = value[key]
        else:
            return None
    return value


# ----------------------------------------------------------------------------- patterns
class PatternNode(Struct):
    """Finds spans in a post. ``needs_terms`` lets the engine skip the automaton pass."""

    __slots__ = ()

    def matches(self, state: EvalState) -> list[Match]:
        raise NotImplementedError


class TermsNode(PatternNode):
    """Hits of a set of terms (ids in the policy's TermIndex)."""

    __slots__ = ("_id_set", "term_ids")
    FIELDS = ("term_ids",)

    def __init__(self, term_ids: tuple[int, ...]) -> None:
        self.term_ids = term_ids
        self._id_set: frozenset[int] | None = None

    def matches(self, state: EvalState) -> list[Match]:
        hits = state.term_hits()
        if not hits:
            return []
        # Rules often share a list (a named terms list, an organisation setting): the
        # result for the same ids is computed once per post.
        ids = self._id_set
        if ids is None:
            ids = self._id_set = frozenset(self.term_ids)
        memo = state.memo
        cached = memo.get(ids)  # a frozenset caches its hash
        if cached is not None:
            return cached
        # A post hits few terms, a list may hold hundreds: walk the hits, not the list.
        spans: list[tuple[int, int]] = []
        for term_id, found in hits.items():
            if term_id in ids:
                spans.extend(found)
        result: list[Match] = []
        if spans:
            folded = state.ctx.folded
            field_name = state.field_name
            result = [
                Match(*folded.to_original(start, end), field_name)
                for start, end in _leftmost_longest(spans)
            ]
        memo[ids] = result
        return result


def _leftmost_longest(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort(key=lambda s: (s[0], -s[1]))
    kept: list[tuple[int, int]] = []
    last_end = -1
    for start, end in spans:
        if start >= last_end:
            kept.append((start, end))
            last_end = end
    return kept


_NOT_INDEXED = -2  # a RegexNode's id before index_regexes or its first use


class RegexNode(PatternNode):
    """Matches of an RE2 regex on the plain view."""

    __slots__ = (
        "_compiled",
        "_regex_id",
        "also",
        "atoms",
        "exact",
        "flags",
        "non_ascii",
        "repeats",
        "source",
    )
    FIELDS = ("source", "flags", "atoms", "also", "non_ascii", "exact", "repeats")

    def __init__(
        self,
        source: str,
        flags: str = "",
        atoms: tuple[str, ...] = (),
        also: tuple[str, ...] = (),
        non_ascii: bool = False,
        exact: bool = False,
        repeats: int = 1,
    ) -> None:
        self.source = source
        self.flags = flags
        #: Literals one of which any match holds (``regexatoms.analyse``); () when none is
        #: known. Case-folded, unless ``exact``.
        self.atoms = atoms
        #: A second such set: any match holds one of each.
        self.also = also
        #: Every match holds a non-ASCII character (``regexatoms.needs_non_ascii``).
        self.non_ascii = non_ascii
        #: The regex is case-sensitive: its atoms are found in the text as it is.
        self.exact = exact
        #: How many non-overlapping occurrences of ``atoms`` a match holds at least.
        self.repeats = repeats
        self._compiled: Any = None
        #: Position in the policy's RegexIndex: assigned by index_regexes, or looked up on
        #: first use in a policy loaded from the cache with its index (-1: not prefiltered).
        self._regex_id: int = _NOT_INDEXED

    @property
    def regex(self) -> Any:
        if self._compiled is None:
            self._compiled = compile_regex(self.source, self.flags)
        return self._compiled

    def matches(self, state: EvalState) -> list[Match]:
        regex_id = self._regex_id
        if regex_id == _NOT_INDEXED and state.regex_index is not None:
            regex_id = self._regex_id = state.regex_index.id_of(self.source, self.flags)
        if not state.regex_may_match(regex_id):
            return []
        key = ("re", regex_id)
        cached = state.memo.get(key)
        if cached is not None:
            return cached
        plain = state.ctx.plain
        to_original = plain.to_original
        field_name = state.field_name
        out = [
            Match(*to_original(start, end), field_name)
            for start, end in spans(self.regex, plain.text, state.encoded_plain())
        ]
        if regex_id >= 0:
            state.memo[key] = out
        return out


class DetectNode(PatternNode):
    """What a detector finds (``detect(phone)``)."""

    __slots__ = ("name",)
    FIELDS = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def matches(self, state: EvalState) -> list[Match]:
        return [
            Match(d.start, d.end, state.field_name, self.name, d.value)
            for d in state.ctx.detections(self.name)
        ]


class ScopedNode(PatternNode):
    """A pattern's matches limited to where they are (first N chars, a field...)."""

    __slots__ = ("amount", "inner", "kind", "path", "unit")
    FIELDS = ("inner", "kind", "amount", "unit", "path")

    def __init__(
        self, inner: PatternNode, kind: str, amount: int = 0, unit: str = "chars", path: str = ""
    ) -> None:
        self.inner = inner
        self.kind = kind
        self.amount = amount
        self.unit = unit
        self.path = path

    def matches(self, state: EvalState) -> list[Match]:
        if self.kind == "field":
            sub = state.field_state(self.path)
            return self.inner.matches(sub) if sub is not None else []
        found = self.inner.matches(state)
        if not found:
            return found
        if self.kind in ("hashtags", "mentions", "links"):
            spans = getattr(state.ctx.entities, self.kind)
            return [m for m in found if any(s <= m.start and m.end <= e for s, e in spans)]
        low, high = self._window(state)
        return [m for m in found if m.start >= low and m.end <= high]

    def _window(self, state: EvalState) -> tuple[int, int]:
        length = len(state.text)
        if self.unit == "chars":
            if self.kind == "first":
                return 0, self.amount
            return max(0, length - self.amount), length
        if self.unit == "words":
            if self.kind == "first":
                return 0, state.nth_word_end(self.amount)
            return state.nth_word_from_end_start(self.amount), length
        lines = state.text.splitlines(keepends=True)
        if self.kind == "first":
            return 0, sum(len(line) for line in lines[: self.amount])
        return length - sum(len(line) for line in lines[-self.amount :]), length


class NearNode(PatternNode):
    """Matches of ``left`` within ``distance`` words or chars of ``right``."""

    __slots__ = ("distance", "left", "negated", "ordered", "right", "unit")
    FIELDS = ("left", "right", "distance", "unit", "negated", "ordered")

    def __init__(
        self,
        left: PatternNode,
        right: PatternNode,
        distance: int,
        unit: str,
        negated: bool,
        ordered: bool = False,
    ) -> None:
        self.left = left
        self.right = right
        self.distance = distance
        self.unit = unit
        self.negated = negated
        # 'followed by': right must come after left
        self.ordered = ordered

    def matches(self, state: EvalState) -> list[Match]:
        lefts = self.left.matches(state)
        if not lefts:
            return lefts
        rights = self.right.matches(state)
        index = SpanIndex(state, rights, self.unit) if rights else None
        kept = []
        for candidate in lefts:
            near = index is not None and any(
                (not self.ordered or other.start >= candidate.end)
                and state.distance(candidate, other, self.unit) <= self.distance
                for other in index.near(candidate, self.distance)
            )
            if near != self.negated:
                kept.append(candidate)
        return kept


class AnyNode(PatternNode):
    """Matches of any of the patterns (``a or b``)."""

    __slots__ = ("items",)
    FIELDS = ("items",)

    def __init__(self, items: tuple[PatternNode, ...]) -> None:
        self.items = items

    def matches(self, state: EvalState) -> list[Match]:
        seen: dict[tuple[int, int, str | None], Match] = {}
        for item in self.items:
            for found in item.matches(state):
                seen.setdefault((found.start, found.end, found.field), found)
        return sorted(seen.values())


class AllNode(PatternNode):
    """Matches of every pattern, when each has one (``a and b``)."""

    __slots__ = ("items",)
    FIELDS = ("items",)

    def __init__(self, items: tuple[PatternNode, ...]) -> None:
        self.items = items

    def matches(self, state: EvalState) -> list[Match]:
        collected: list[Match] = []
        for item in self.items:
            found = item.matches(state)
            if not found:
                return []
            collected.extend(found)
        return sorted(set(collected))


# ----------------------------------------------------------------------------- conditions
class Getter(Value):
    """Where an operand's value comes from: a constant, the platform, a metric, metadata."""

    __slots__ = ("kind", "value")
    FIELDS = ("kind", "value")

    def __init__(self, kind: str, value: Any = None) -> None:
        # const | platform | metric | meta
        self.kind = kind
        # the constant, the metric's name or the metadata path
        self.value = value

    def __call__(self, state: EvalState) -> Any:
        kind = self.kind
        if kind == "const":
            return self.value
        if kind == "platform":
            return state.ctx.platform
        if kind == "metric":
            return state.ctx.metric(self.value)
        value: Any = state.ctx.meta
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


def _bound_test(node: CompareNode) -> Callable[[PostContext], bool] | bool:
    """For ``metric > c`` (``>=``, ``==``, or the same mirrored) on a metric with an upper
    bound (:attr:`policylint._runtime.metrics.Metric.bound`): a test that is true when the bound
    alone shows the comparison fails. False when there is no such test."""
    oriented = _oriented(node)
    if oriented is None or oriented[0].kind != "metric" or not _is_number(oriented[2]):
        return False
    getter, op, constant = oriented
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


def _oriented(node: CompareNode) -> tuple[Getter, str, Any] | None:
    """``node`` as (getter, operator, constant) with the getter on the left, when one side
    is a constant."""
    if node.right.kind == "const":
        return node.left, node.op, node.right.value
    if node.left.kind == "const":
        return node.right, _MIRRORED[node.op], node.left.value
    return None


def _is_number(value: Any) -> bool:
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
    left, right = _comparable(left), _comparable(right)
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


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() not in ("", "false", "no", "0", "off", "none", "null")
    return bool(value)


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


# ----------------------------------------------------------------------------- exceptions
class MatchException(Struct):
    """Drops a match that has a certain context (negation, allow-list, ...)."""

    __slots__ = ()

    def excuses(self, state: EvalState, found: Match) -> bool:
        raise NotImplementedError


class ContextException(MatchException):
    """Excuses a match preceded, followed or neighboured by a pattern."""

    __slots__ = ("direction", "distance", "pattern", "unit")
    FIELDS = ("direction", "pattern", "distance", "unit")

    def __init__(self, direction: str, pattern: PatternNode, distance: int, unit: str) -> None:
        # preceded | followed | near
        self.direction = direction
        self.pattern = pattern
        self.distance = distance
        self.unit = unit

    def excuses(self, state: EvalState, found: Match) -> bool:
        target = state if found.field is None else (state.field_state(found.field) or state)
        # The context's matches are indexed once per post, not scanned for every match.
        key = ("context", id(self))
        index = target.indexes.get(key)
        if index is None:
            index = target.indexes[key] = SpanIndex(target, self.pattern.matches(target), self.unit)
        for other in index.near(found, self.distance):
            if self.direction == "preceded":
                if other.end > found.start:
                    continue
                if target.crosses_sentence(other.end, found.start):
                    continue
            elif self.direction == "followed":
                if other.start < found.end:
                    continue
                if target.crosses_sentence(found.end, other.start):
                    continue
            if target.distance(other, found, self.unit) <= self.distance:
                return True
        return False


class AllowException(MatchException):
    """``allow [...]``: compare canonical forms (a detector's, else the folded text)."""

    __slots__ = ("by_detector", "literal")
    FIELDS = ("literal", "by_detector")

    def __init__(self, literal: frozenset[str], by_detector: Mapping[str, frozenset[str]]) -> None:
        self.literal = literal
        self.by_detector = by_detector

    def excuses(self, state: EvalState, found: Match) -> bool:
        if found.detector is not None:
            allowed = self.by_detector.get(found.detector)
            if allowed is None:
                return False
            return (found.value or "") in allowed
        text = (state.field_state(found.field) or state).text if found.field else state.text
        return fold_term(text[found.start : found.end]) in self.literal


class InsideException(MatchException):
    """``matches P``: the match is part of a match of P (a product name, a disclaimer)."""

    __slots__ = ("pattern",)
    FIELDS = ("pattern",)

    def __init__(self, pattern: PatternNode) -> None:
        self.pattern = pattern

    def excuses(self, state: EvalState, found: Match) -> bool:
        target = state if found.field is None else (state.field_state(found.field) or state)
        return any(
            other.start <= found.start and found.end <= other.end
            for other in self.pattern.matches(target)
        )


# ----------------------------------------------------------------------------- rules
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
                value._regex_id = index.add(
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
        return Trigger(regexes=frozenset({node._regex_id})) if node._regex_id >= 0 else None
    if isinstance(node, DetectNode):
        from policylint.detectors import DETECTORS

        precheck = DETECTORS.precheck(node.name)
        return Trigger(prechecks=frozenset({precheck})) if precheck else None
    if isinstance(node, ScopedNode):
        # a metadata field is matched on another text: its terms are not the post's
        return None if node.kind == "field" else _pattern_trigger(node.inner)
    if isinstance(node, NearNode):
        return _pattern_trigger(node.left)  # a proximity reports matches of its left side
    if isinstance(node, AnyNode):
        return _any_trigger(node.items)
    if isinstance(node, AllNode):
        # every item must match; the first one that needs something is enough to test
        for item in node.items:
            needed = _pattern_trigger(item)
            if needed is not None:
                return needed
        return None
    return None


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


#: How the dispatch files a rule: what its flags or guards need (None: nothing), and when
#: they need nothing, the platforms its guards limit it to (None: any).
Route = tuple[Trigger | None, frozenset[str] | None]


def route(rule: CompiledRule) -> Route:
    """``rule``'s :data:`Route` (after :func:`index_regexes`, which numbers the regexes)."""
    needed = trigger(rule) or guard_trigger(rule)
    return needed, None if needed is not None else platforms_of(rule)


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
    if isinstance(node, ContainsNode):
        return _pattern_trigger(node.pattern)
    if isinstance(node, TruthyNode):
        if node.getter.kind == "meta":
            return _meta_need(node.getter)  # an absent key is not truthy
        return _getter_need(node.getter, "!=", 0)  # a metric is truthy when it is not 0
    if isinstance(node, CompareNode):
        oriented = _oriented(node)
        return _getter_need(*oriented) if oriented is not None else None
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
        if metric is None or metric.precheck is None or not _is_number(constant):
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
    exactly those that could not have reported anything for the post."""

    __slots__ = (
        "_anywhere",
        "_by_meta",
        "_by_platform",
        "_by_precheck",
        "_by_regex",
        "_by_term",
        "_regex_rules",
    )

    def __init__(
        self, rules: Sequence[CompiledRule], routes: Sequence[Route] | None = None
    ) -> None:
        """``routes``: each rule's :func:`route`, when known (the compiled-policy cache
        keeps them); else they are worked out from the rules' nodes."""
        self._by_term: dict[int, list[int]] = {}
        self._by_regex: dict[int, list[int]] = {}
        regex_rules: set[int] = set()
        # rules without a trigger, on any platform / on the platforms their guards name
        anywhere: list[int] = []
        by_platform: dict[str, list[int]] = {}
        self._by_meta: dict[str, list[int]] = {}
        by_precheck: dict[str, list[int]] = {}
        for position, rule in enumerate(rules):
            needed, limited = routes[position] if routes is not None else route(rule)
            if needed is not None:
                for term in needed.terms:
                    self._by_term.setdefault(term, []).append(position)
                for regex in needed.regexes:
                    self._by_regex.setdefault(regex, []).append(position)
                    regex_rules.add(position)
                for key in needed.meta:
                    self._by_meta.setdefault(key, []).append(position)
                for name in needed.prechecks:
                    by_precheck.setdefault(name, []).append(position)
                continue
            if limited is None:
                anywhere.append(position)
            else:
                for platform in limited:
                    by_platform.setdefault(platform, []).append(position)
        self._anywhere = frozenset(anywhere)
        self._by_platform = {
            name: self._anywhere | frozenset(extra) for name, extra in by_platform.items()
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
            found = by_term.get(term)
            if found is not None:
                chosen.update(found)
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
        return sorted(chosen)
