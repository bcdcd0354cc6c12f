"""What the rules share while checking one post: its evaluation state.

An ``EvalState`` holds, for one post (or one metadata field of it), what every rule may ask
and should compute only once: the term hits of the policy's single automaton pass, the
regexes that may match, word, line and sentence boundaries, the views of metadata fields,
and the results patterns memoise. Spans (:class:`Match`) are always in the ORIGINAL text's
code points: term hits (found on the folded view) and regex hits (on the plain view) are
mapped back before they leave their node, so nodes combine freely and a finding's match is
``text[start:end]``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence

from policylint._model.struct import NamedTuple
from policylint._runtime.context import PostContext
from policylint._runtime.regexes import encode
from policylint._text.sentences import sentence_starts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._runtime.regexes import RegexIndex
    from policylint._runtime.terms import TermIndex

__all__ = ["EvalState", "Match", "SpanIndex", "lookup_path"]

_WORD_RE = re.compile(r"\S+")
# A sentence ends at . ! ? ; or a line break; negation context does not cross it.
_SENTENCE_END_RE = re.compile(r"[.!?;。！？]+(?=\s|$)|\n")


class Match(NamedTuple):
    start: int
    end: int
    field: str | None = None
    detector: str | None = None
    value: str | None = None
    #: The detector's label for the match (a sub-kind, a learned model's heaviest words).
    label: str | None = None


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
        "_sentence_starts",
        "_word_spans",
        "_word_starts",
        "ctx",
        "cues",
        "field_name",
        "indexes",
        "item",
        "memo",
        "regex_index",
        "term_index",
        "witness",
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
        self._sentence_starts: list[int] | None = None
        # By path, and for an item's field by path and item (items live as long as the post).
        self._fields: dict[object, EvalState | None] = {}
        self._encoded: bytes | None = None
        #: The object a quantifier is asking its condition about (``item.alt``), and the
        #: item that decided the last quantifier (a ``Witness``, for ``{item.index}``).
        self.item: Mapping[str, Any] | None = None
        self.witness: Any = None
        #: The named cues of the ``at least`` conditions that held (``{cues}``).
        self.cues: tuple[str, ...] = ()

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

    def word_spans(self) -> list[tuple[int, int]]:
        """The spans of the text's space-delimited words."""
        return self._words()

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

    def window(self, first: bool, amount: int, unit: str) -> tuple[int, int]:
        """The offsets of the first (or last) ``amount`` chars, words, lines or sentences."""
        length = len(self.ctx.text)
        if unit == "chars":
            return (0, amount) if first else (max(0, length - amount), length)
        if unit == "words":
            if first:
                return 0, self.nth_word_end(amount)
            return self.nth_word_from_end_start(amount), length
        if unit == "sentences":
            starts = self.sentence_starts()
            if first:
                return 0, starts[amount] if amount < len(starts) else length
            if amount <= 0:
                return length, length
            return (starts[-amount] if amount <= len(starts) else 0), length
        lines = self.ctx.text.splitlines(keepends=True)
        if first:
            return 0, sum(len(line) for line in lines[:amount])
        return length - sum(len(line) for line in lines[-amount:]), length

    def line_index(self, offset: int) -> int:
        if self._line_starts is None:
            text = self.ctx.text
            self._line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        return bisect.bisect_right(self._line_starts, offset) - 1

    def sentence_starts(self) -> list[int]:
        """Where each sentence starts (the ``sentences`` unit; see :mod:`.sentences`)."""
        if self._sentence_starts is None:
            self._sentence_starts = sentence_starts(self.ctx.text)
        return self._sentence_starts

    def sentence_index(self, offset: int) -> int:
        return bisect.bisect_right(self.sentence_starts(), offset) - 1

    def crosses_sentence(self, start: int, end: int) -> bool:
        """Is there a sentence boundary between offsets ``start`` and ``end``?"""
        if self._sentence_ends is None:
            self._sentence_ends = [m.start() for m in _SENTENCE_END_RE.finditer(self.ctx.text)]
        index = bisect.bisect_left(self._sentence_ends, start)
        return index < len(self._sentence_ends) and self._sentence_ends[index] < end

    def field_state(self, path: str) -> EvalState | None:
        """State over the text of a metadata field (``meta.alt``) or of a field of the
        quantifier's current item (``item.alt``), or None if not text."""
        item = path.startswith("item.")
        key = (path, id(self.item)) if item else path
        if key in self._fields:
            return self._fields[key]
        if item:
            value = lookup_path(self.item or {}, path.removeprefix("item."))
        else:
            value = lookup_path(self.ctx.meta, path.removeprefix("meta."))
        state: EvalState | None = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = "\n".join(value)
        if isinstance(value, str):
            sub = PostContext(value, self.ctx.platform, self.ctx.meta, self.ctx.settings)
            state = EvalState(sub, self.term_index, path, self.regex_index)
        self._fields[key] = state
        return state

    def distance(self, a: Match, b: Match, unit: str) -> int:
        """How far apart two spans are: words strictly between them, chars between, or how
        many line or sentence boundaries lie between them (0: the same line or sentence)."""
        if a.end > b.start and b.end > a.start:
            return 0
        first, second = (a, b) if a.end <= b.start else (b, a)
        if unit == "chars":
            return second.start - first.end
        last = max(first.end - 1, first.start)
        if unit == "lines":
            return self.line_index(second.start) - self.line_index(last)
        if unit == "sentences":
            return self.sentence_index(second.start) - self.sentence_index(last)
        return max(0, self.word_index(second.start) - self.word_index(last) - 1)


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
        if self._unit == "chars":
            return match.start, match.end
        last, state = max(match.end - 1, match.start), self._state
        if self._unit == "lines":
            return state.line_index(match.start), state.line_index(last)
        if self._unit == "sentences":
            return state.sentence_index(match.start), state.sentence_index(last)
        return state.word_index(match.start), state.word_index(last)

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
