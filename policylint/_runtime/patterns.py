"""Pattern nodes (what ``flag``, ``require`` and ``contains`` look for) and the match
exceptions of ``unless`` (what excuses one match).

A pattern node finds spans (:class:`~policylint._runtime.state.Match`) in a post through its
:class:`~policylint._runtime.state.EvalState`; an exception decides, for one match, whether
its context excuses it.
"""

from __future__ import annotations

from collections.abc import Mapping

from policylint._model.struct import Struct
from policylint._runtime.prechecks import MASKS, PRECHECKS
from policylint._runtime.regexes import compile_regex, spans
from policylint._runtime.state import EvalState, Match, SpanIndex, lookup_path
from policylint._text.views import fold_term

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    class _Condition(Protocol):
        """A condition node (:mod:`policylint._runtime.conditions`, which imports this
        module for ``contains P``: named here by what it does)."""

        def holds(self, state: EvalState) -> bool: ...


__all__ = [
    "MASKS",
    "NOT_INDEXED",
    "AllNode",
    "AllowException",
    "AnyNode",
    "ContextException",
    "DetectNode",
    "GuardedNode",
    "InsideException",
    "MaskedTermsNode",
    "MatchException",
    "MetaTermsNode",
    "NearNode",
    "PatternNode",
    "RegexNode",
    "ScopedNode",
    "TermsNode",
]


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
        # The list's terms the post hits, found in C (walking the hits: a post hits a few
        # terms, a list may hold thousands): most lists of most posts have none. The order
        # of their spans does not matter: they are sorted.
        hit = ids.intersection(hits)
        result: list[Match] = []
        if hit:
            spans = [span for term_id in hit for span in hits[term_id]]
            folded = state.ctx.folded
            field_name = state.field_name
            result = [
                Match(*folded.to_original(start, end), field_name)
                for start, end in _leftmost_longest(spans)
            ]
        memo[ids] = result
        return result


#: Masks that may end a masked word: ``.``, ``!`` and ``-`` there are punctuation.
_END_MASKS = frozenset("*#@$%")


class MaskedTermsNode(PatternNode):
    """Masked spellings of ``words``, the folded single words of a ``masked`` term list: a
    word of the same length whose first letter is the term's and whose other characters are
    its letters or mask symbols (:data:`policylint._runtime.prechecks.MASKS`), at least one
    of them a mask (docs/language.md, "Masked spellings"). Only the post's words that hold a
    mask are compared, each with the terms of its (first letter, length). The post's
    original text is read, not the folded view, where leetspeak has already turned ``f@ck``
    into ``fack``."""

    __slots__ = ("_index", "_key", "words")
    FIELDS = ("words",)

    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = words
        self._index: dict[tuple[str, int], tuple[str, ...]] | None = None
        self._key = ("masked", *words)

    def matches(self, state: EvalState) -> list[Match]:
        text = state.text
        if not PRECHECKS["mask"](state.ctx):  # no letter, mask, letter-or-mask in a row
            return []
        memo = state.memo
        cached = memo.get(self._key)  # rules sharing a list share the result
        if cached is not None:
            return cached
        index = self._index
        if index is None:
            index = self._index = _by_first_letter_and_length(self.words)
        result = []
        for start, end in state.word_spans():
            if not MASKS.isdisjoint(text[start:end]):
                span = _masked_span(text, start, end, index)
                if span is not None:
                    result.append(Match(span[0], span[1], state.field_name))
        memo[self._key] = result
        return result


def _by_first_letter_and_length(words: tuple[str, ...]) -> dict[tuple[str, int], tuple[str, ...]]:
    index: dict[tuple[str, int], list[str]] = {}
    for word in words:
        index.setdefault((word[0], len(word)), []).append(word)
    return {key: tuple(found) for key, found in index.items()}


def _masked_span(
    text: str, start: int, end: int, index: Mapping[tuple[str, int], tuple[str, ...]]
) -> tuple[int, int] | None:
    """The span of the (space-delimited) word ``text[start:end]`` if it is a masked
    spelling of an indexed word: quotes and brackets around it are left out, and so is
    punctuation after it; a word whose only mask is its last character (``Free*``, a
    footnote star) is not masked."""
    while start < end and not text[start].isalpha():
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in _END_MASKS):
        end -= 1
    word = text[start:end]
    masks = [i for i, ch in enumerate(word) if ch in MASKS]
    if not masks or masks == [len(word) - 1]:
        return None
    if not all(ch.isalpha() for ch in word if ch not in MASKS):
        return None  # digits or other signs: not a word (and the 'mask' precheck relies on it)
    folded = [ch if ch in MASKS else _fold_letter(ch) for ch in word]
    for candidate in index.get((folded[0], len(word)), ()):
        if all(ch == want or ch in MASKS for ch, want in zip(folded, candidate, strict=True)):
            return start, end
    return None


def _fold_letter(ch: str) -> str:
    """A character as the terms are folded (case, accents): ``É`` -> ``e``."""
    return ch.lower() if ch.isascii() else fold_term(ch)


class MetaTermsNode(PatternNode):
    """Terms the post's metadata gives (``unless matches meta.brand_names``): a string or a
    list of strings at ``path`` (without ``meta.``), matched as a term list's terms are.
    Their index is built only when a rule asks, once per post (or metadata field) and path;
    a missing value, or one that holds no string, matches nothing."""

    __slots__ = ("_key", "path")
    FIELDS = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path
        self._key = ("meta terms", path)

    def matches(self, state: EvalState) -> list[Match]:
        memo = state.memo
        cached = memo.get(self._key)
        if cached is not None:
            return cached
        result: list[Match] = []
        terms = _terms_in(lookup_path(state.ctx.meta, self.path))
        if terms:
            from policylint._runtime.terms import TermIndex

            index = TermIndex()
            for term in terms:
                index.add(term)
            folded = state.ctx.folded
            spans = [span for found in index.find(folded.text).values() for span in found]
            result = [
                Match(*folded.to_original(start, end), state.field_name)
                for start, end in _leftmost_longest(spans)
            ]
        memo[self._key] = result
        return result


def _terms_in(value: Any) -> list[str]:
    """The terms a metadata value holds: itself if a string, its strings if a list; none
    that is empty or only ``*`` (which a policy's list may not hold either)."""
    found = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [t for t in found if isinstance(t, str) and t.replace("*", "").strip()]


def _leftmost_longest(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort(key=lambda s: (s[0], -s[1]))
    kept: list[tuple[int, int]] = []
    last_end = -1
    for start, end in spans:
        if start >= last_end:
            kept.append((start, end))
            last_end = end
    return kept


NOT_INDEXED = -2  # a RegexNode's id before index_regexes or its first use


class RegexNode(PatternNode):
    """Matches of an RE2 regex on the plain view."""

    __slots__ = (
        "_compiled",
        "also",
        "atoms",
        "exact",
        "flags",
        "non_ascii",
        "regex_id",
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
        self.regex_id: int = NOT_INDEXED

    def with_compiled(self, regex: Any) -> RegexNode:
        """This node, given the RE2 object the compiler built to validate the pattern, so
        that it is not compiled a second time on first use."""
        self._compiled = regex
        return self

    @property
    def regex(self) -> Any:
        if self._compiled is None:
            self._compiled = compile_regex(self.source, self.flags)
        return self._compiled

    def matches(self, state: EvalState) -> list[Match]:
        regex_id = self.regex_id
        if regex_id == NOT_INDEXED and state.regex_index is not None:
            regex_id = self.regex_id = state.regex_index.id_of(self.source, self.flags)
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
            Match(d.start, d.end, state.field_name, self.name, d.value, d.label)
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
        low, high = state.window(self.kind == "first", self.amount, self.unit)
        return [m for m in found if m.start >= low and m.end <= high]


class NearNode(PatternNode):
    """Matches of ``left`` within ``distance`` words or chars of ``right``."""

    __slots__ = ("_sides", "distance", "left", "negated", "ordered", "right", "unit")
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
        # Without a right side nothing is kept (unless negated), so look there first when
        # the left side's detectors cost more to load: `(detect(condition) or ...) followed
        # by ["cured"]` then loads no vocabulary for the posts that never say "cured", and
        # `detect(condition) near detect(person)` none for posts that name no one.
        # Worked out on first use, not here: a warm start makes thousands of nodes.
        # Asked again on each post (a few lookups): once a side's detectors have run, their
        # load is paid, and a long run looks first at the left, the side rules list first.
        self._sides: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    def matches(self, state: EvalState) -> list[Match]:
        sides = self._sides
        if sides is None:
            sides = self._sides = (_detectors(self.left), _detectors(self.right))
        right_first = (
            bool(sides[1] or sides[0])
            and not self.negated
            and (_load_cost(sides[1]) < _load_cost(sides[0]))
        )
        if right_first:
            rights = self.right.matches(state)
            if not rights:
                return rights
            lefts = self.left.matches(state)
            if not lefts:
                return lefts
        else:
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


def _load_cost(names: tuple[str, ...]) -> float:
    """What matching a side may still cost in loading: its detectors' load costs, summed."""
    from policylint.detectors import DETECTORS

    return sum(DETECTORS.load_cost(name) if name in DETECTORS else 1.0 for name in names)


def _detectors(node: PatternNode) -> tuple[str, ...]:
    """The detectors ``node`` runs, in order."""
    if isinstance(node, DetectNode):
        return (node.name,)
    return tuple(
        name
        for field in node.FIELDS
        for value in [getattr(node, field)]
        for part in (value if isinstance(value, tuple) else (value,))
        if isinstance(part, PatternNode)
        for name in _detectors(part)
    )


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


class GuardedNode(PatternNode):
    """A flag with conditions and exceptions of its own (``flag P { when C unless E }``):
    the matches of ``inner`` when every guard holds and no post exception does, less those
    a match exception excuses."""

    __slots__ = ("guards", "inner", "match_exceptions", "post_exceptions")
    FIELDS = ("inner", "guards", "post_exceptions", "match_exceptions")

    def __init__(
        self,
        inner: PatternNode,
        guards: tuple[_Condition, ...],
        post_exceptions: tuple[_Condition, ...],
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
