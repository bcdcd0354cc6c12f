"""Term lists compiled into one Aho-Corasick automaton per policy.

A term is case-insensitive and whole-word; ``*`` at either end matches the rest of a word
(``guarantee*`` -> guaranteed, guarantees; ``*partner`` -> BrandPartner). Spaces and hyphens
between words are interchangeable (``risk-free`` = ``risk free`` = ``riskfree``), and an
apostrophe may be left out (``can't`` = ``cant``). Terms and text are folded the same way
(policylint._text.views.fold_term), so confusables, accents and leetspeak match too.

A term of one word is a key of the *word* automaton, which runs on the folded post. A phrase
is one key of the *phrase* automaton, its separators dropped, which runs on the post without
separators; a hit there is read back in the folded post and kept if it is one of the
phrase's spellings (policylint._runtime.spellings). Two automata, not one on the stripped
post: there, every short word key would also hit across words ("he b" in "the best"), and
a post has twice as many raw hits.

One pass of the automaton over a post finds every term of every rule; each term set (a
rule's list) then only looks up its own term ids. A ``*`` inside a term is rare and is
matched with RE2 on the folded text instead.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from policylint._model.struct import NamedTuple
from policylint._runtime.regexes import compile_regex, encode, spans
from policylint._runtime.spellings import (
    Spelling,
    fold_back,
    index_texts,
    key_of,
    spellings,
    stripped,
    texts,
)
from policylint._text.views import fold_term, is_word_char

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    # A target as find() reads it: the term id, its wildcard ends, whether it runs as a
    # regex, and the spellings a hit must be (None for a regex).
    _Target = tuple[int, bool, bool, bool, Spelling | None]
    # A key's length, whether its first and last characters are word characters, the ids of
    # its terms when every hit without a separator is theirs as it stands (no wildcard, no
    # regex, no separator at an end: else None), and its targets.
    _Row = tuple[int, bool, bool, tuple[int, ...] | None, Sequence[_Target]]
    # Every key (sorted), each key's first target and the further targets of the keys that
    # have more than one (by position): see TermIndex._key_table.
    _KeyTable = tuple[Sequence[str], Sequence[int], Mapping[int, Sequence[int]]]

__all__ = ["TermIndex", "TermSpec", "parse_term"]

#: What starts a phrase key (the rest is the phrase without separators): a word key holds
#: no space. The phrase key of nothing else, " " itself, stands for the terms made of
#: separators only (``-``, `` - ``), which find() looks for as written.
_PHRASE = " "


class TermSpec(NamedTuple):
    """A term, folded and split into its literal core and wildcard ends (a named tuple:
    made from a cached row in a fraction of a dataclass's time)."""

    source: str
    core: str
    left_wild: bool
    right_wild: bool
    inner_regex: str | None = None


def parse_term(term: str) -> TermSpec:
    left_wild = term.startswith("*")
    right_wild = term.endswith("*") and len(term) > 1
    core = term.strip("*")
    folded = fold_term(core)
    inner: str | None = None
    if "*" in core:
        import re

        pieces = [re.escape(fold_term(p)) for p in core.split("*")]
        inner = r"\w*".join(pieces)
    return TermSpec(term, folded, left_wild, right_wild, inner)


class TermIndex:
    """All literal terms of a policy, found in one pass over a post's folded text."""

    #: Posts looked up key by key before the automaton is built. Building it for a big
    #: policy (14,000 keys) costs ~15 ms; looking up the substrings of a short post that
    #: start as some key starts and are as long (~0.4 ms) needs no table of all the keys
    #: (hashing 14,000 keys for a dict costs ~2 ms of a start): the keys are sorted, so a
    #: binary search finds each. A pre-commit run over a few posts never builds either.
    WARM_UP = 8
    #: Longest post looked up key by key: the lookup costs a few binary searches per
    #: character (1.6 s on 200,000), far more than building the automaton on a long post.
    LOOKUP_MAX = 5_000

    def __init__(self) -> None:
        # A term's spec, or the term as written (from the compiled cache) until its spec is
        # first asked for: a start needs a handful of the thousands of terms.
        self._specs: list[TermSpec | str] = []
        self._ids: dict[str, int] | None = {}  # term -> id; None: not made yet
        self._automata: tuple[Any, Any] | None = None  # words, phrases
        self._regex_cache: dict[int, Any] = {}
        # Every key and, for each, its terms as encoded targets (see _target): computed from
        # the terms, or loaded from the compiled cache. The automaton's values and the
        # lookup's entries are positions in these lists.
        self._table: _KeyTable | None = None
        self._rows: list[_Row | None] = []  # per key, made by _row() on its first hit
        self._entries: dict[str, int] | None = None  # key -> position (for the automaton)
        # A key's first two characters (its only one, for a one-character key) -> the
        # lengths of the keys that start so, longest first (for the lookup)
        self._starts: Mapping[str, Sequence[int]] | None = None
        self._uses = 0
        # The bare key's row (an empty tuple: no bare key); None: not looked up yet
        self._bare: tuple[_Row, ...] | None = None

    @classmethod
    def from_data(
        cls, terms: list[Any], table: _KeyTable, starts: Mapping[str, Sequence[int]]
    ) -> TermIndex:
        """An index from the compiled cache: the terms, key table and key starts of
        :meth:`data` (checked by the cache's codec). Raises ``ValueError`` for terms that
        are not strings."""
        if not set(map(type, terms)) <= {str}:
            raise ValueError("terms are not strings")
        index = cls()
        index._specs = list(terms)
        index._ids = None
        index._table = table
        index._starts = starts
        return index

    def data(self) -> tuple[list[str], _KeyTable, Mapping[str, Sequence[int]]]:
        """The terms as written, the key table (every key, sorted; each one's first target;
        the other targets of keys with more than one, by position) and the key starts (for
        the compiled cache: a spec is made again from its term when needed)."""
        terms = [spec.source for spec in self._all_specs()]
        return terms, self._key_table(), self._key_starts()

    def add(self, term: str) -> int:
        """Register a term (idempotent); returns its id."""
        ids = self._term_ids()
        existing = ids.get(term)
        if existing is not None:
            return existing
        term_id = len(self._specs)
        self._specs.append(parse_term(term))
        ids[term] = term_id
        self._forget_keys()
        return term_id

    def _forget_keys(self) -> None:
        """Drop everything derived from the terms (keys, their table, the automaton)."""
        self._automata = None
        self._table = None
        self._entries = None
        self._starts = None
        self._rows = []
        self._bare = None

    def spec(self, term_id: int) -> TermSpec:
        spec = self._specs[term_id]
        if isinstance(spec, str):  # a term from the cache
            spec = self._specs[term_id] = parse_term(spec)
        return spec

    def _all_specs(self) -> list[TermSpec]:
        return [self.spec(term_id) for term_id in range(len(self._specs))]

    def _term_ids(self) -> dict[str, int]:
        if self._ids is None:
            terms = (s if isinstance(s, str) else s.source for s in self._specs)
            self._ids = dict(zip(terms, range(len(self._specs)), strict=True))
        return self._ids

    def __len__(self) -> int:
        return len(self._specs)

    def keys(self) -> Sequence[str]:
        """Every key the automaton looks for, in sorted order."""
        return self._key_table()[0]

    def _key_table(self) -> _KeyTable:
        """Every key with the terms it stands for: each term's texts (_key: a word as it is,
        a phrase without separators after _PHRASE), and the longest literal piece of each
        term with an inner wildcard."""
        if self._table is not None:
            return self._table
        entries: dict[str, list[int]] = {}
        pieces: dict[str, list[int]] = {}
        wild = [(i, s) for i, s in enumerate(self._all_specs()) if s.inner_regex is not None]
        shared = Counter(piece for _, spec in wild for piece in set(_pieces_of(spec)))
        for term_id, spec in wild:
            # A term with an inner '*' runs as a regex, but only on posts where the automaton
            # saw its rarest literal piece (the longest of those): keyed by a piece 100,000
            # terms share ("guarantee*..."), every post holding it ran them all (7.7 s).
            findable = [p for p in _pieces_of(spec) if key_of(p)]
            piece = min(findable, key=lambda p: (shared[p], -len(p)), default="")
            pieces.setdefault(_key(piece or spec.core), []).append(term_id)
        for term_id, spec in enumerate(self._all_specs()):
            if spec.inner_regex is not None:
                continue
            for text in index_texts(spec.core):
                entries.setdefault(_key(text), []).append(term_id)
        specs = self._all_specs()
        keys = sorted(entries.keys() | pieces.keys())
        firsts: list[int] = []
        more: dict[int, list[int]] = {}
        for position, key in enumerate(keys):
            # The wildcard flags travel with each id so the hot loop needs no spec lookup.
            found = [
                _target(i, specs[i].left_wild, specs[i].right_wild, False)
                for i in entries.get(key, ())
            ] + [_target(i, False, False, True) for i in pieces.get(key, ())]
            # One int per key (a flat array in the cache); the few keys of several terms
            # keep the rest aside.
            firsts.append(found[0])
            if len(found) > 1:
                more[position] = found[1:]
        self._table = (keys, firsts, more)  # kept until a term is added
        return self._table

    def _entries_table(self) -> dict[str, int]:
        """Number the keys: the automaton's values (positions in the sorted keys)."""
        if self._entries is None:
            keys = self._key_table()[0]
            self._entries = dict(zip(keys, range(len(keys)), strict=True))
        return self._entries

    def _key_starts(self) -> Mapping[str, Sequence[int]]:
        """A key's first two characters (a phrase key's after _PHRASE, which stays in
        front) -> the lengths of the keys that start so, without _PHRASE, longest first."""
        if self._starts is None:
            lengths: dict[str, set[int]] = {}
            for key in self._key_table()[0]:
                body = key[1:] if key[0] == _PHRASE else key
                lengths.setdefault(key[: len(key) - len(body) + 2], set()).add(len(body))
            self._starts = {s: sorted(found, reverse=True) for s, found in lengths.items()}
        return self._starts

    def _build(self) -> tuple[Any, Any]:
        """The word automaton and the phrase automaton (None for one without keys)."""
        import ahocorasick

        words, phrases = [], []
        for key, entry in self._entries_table().items():
            if key[0] != _PHRASE:
                words.append((key, entry))
            elif len(key) > 1:  # " " alone: the terms of separators only (_find_bare)
                phrases.append((key[1:], entry))
        built = []
        for keys in (words, phrases):
            # Integer values build about five times faster than Python objects.
            automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for key, entry in keys:
                automaton.add_word(key, entry)
            if keys:
                automaton.make_automaton()
            built.append(automaton if keys else None)
        self._automata = (built[0], built[1])
        return self._automata

    def find(self, folded: str) -> dict[int, list[tuple[int, int]]]:
        """Every term occurrence in ``folded``: term id -> spans (in folded coordinates)."""
        hits: dict[int, list[tuple[int, int]]] = {}
        regex_candidates: set[int] = set()
        if folded:
            if not self._rows:
                self._rows = [None] * len(self._key_table()[0])
            lookup = self._automata is None and self._uses < self.WARM_UP
            if lookup:
                self._uses += 1
            self._find_words(folded, lookup, hits, regex_candidates)
            self._find_phrases(folded, lookup, hits, regex_candidates)
            self._find_bare(folded, hits, regex_candidates)
        if regex_candidates:
            self._find_wild(folded, regex_candidates, hits)
        return hits

    def _find_words(
        self,
        folded: str,
        lookup: bool,
        hits: dict[int, list[tuple[int, int]]],
        regex_candidates: set[int],
    ) -> None:
        """The word keys' hits in the folded text: whole words, or wildcard ends."""
        length = len(folded)
        rows = self._rows
        for end_index, entry in self._raw_hits(folded, lookup, ""):
            row = rows[entry]
            if row is None:
                row = rows[entry] = self._row(entry)
            key_length, first_is_word, last_is_word, plain_ids, targets = row
            end = end_index + 1
            start = end - key_length
            # Most raw hits are inside longer words ('ad' in 'made'): reject those before
            # anything else. A boundary is only needed where both sides are word chars,
            # and the key's own side of it is known in advance.
            left_inside = False
            if first_is_word and start:
                ch = folded[start - 1]
                left_inside = ch.isalnum() or ch == "_"
            right_inside = False
            if last_is_word and end < length:
                ch = folded[end]
                right_inside = ch.isalnum() or ch == "_"
            if plain_ids is not None:
                if not (left_inside or right_inside):
                    for term_id in plain_ids:
                        hits.setdefault(term_id, []).append((start, end))
                continue
            for term_id, left_wild, right_wild, via_regex, _ in targets:
                if via_regex:
                    regex_candidates.add(term_id)
                    continue
                if (left_inside and not left_wild) or (right_inside and not right_wild):
                    continue
                span_start, span_end = start, end
                if left_wild:
                    while span_start > 0 and _is_word(folded[span_start - 1]):
                        span_start -= 1
                if right_wild:
                    while span_end < length and _is_word(folded[span_end]):
                        span_end += 1
                hits.setdefault(term_id, []).append((span_start, span_end))

    def _find_phrases(
        self,
        folded: str,
        lookup: bool,
        hits: dict[int, list[tuple[int, int]]],
        regex_candidates: set[int],
    ) -> None:
        """The phrase keys' hits in the text without separators, read back in the folded
        text and kept where they are one of the phrase's spellings."""
        view, gaps = stripped(folded)
        rows = self._rows
        for end_index, entry in self._raw_hits(view, lookup, _PHRASE):
            row = rows[entry]
            if row is None:
                row = rows[entry] = self._row(entry)
            start = fold_back(gaps, end_index + 1 - row[0])
            end = fold_back(gaps, end_index) + 1
            self._check_targets(folded, start, end, row[4], hits, regex_candidates)

    @staticmethod
    def _check_targets(
        folded: str,
        start: int,
        end: int,
        targets: Sequence[_Target],
        hits: dict[int, list[tuple[int, int]]],
        regex_candidates: set[int],
    ) -> None:
        """A phrase key's hit read back in the folded text, term by term: a spelling of the
        term (with its separators at either end), whole words or wildcard ends."""
        for term_id, left_wild, right_wild, via_regex, spelling in targets:
            if via_regex or spelling is None:
                regex_candidates.add(term_id)
                continue
            low, high = start - spelling.lead, end + spelling.trail
            if low < 0 or folded[low:high] not in spelling.accepted:
                continue
            span = _fit(folded, len(folded), low, high, left_wild, right_wild)
            if span is not None:
                hits.setdefault(term_id, []).append(span)

    def _find_bare(
        self,
        folded: str,
        hits: dict[int, list[tuple[int, int]]],
        regex_candidates: set[int],
    ) -> None:
        """The terms of separators only (rare: no built-in pack has one), found as written."""
        bare = self._bare_row()
        if bare is None:
            return
        for term_id, left_wild, right_wild, via_regex, spelling in bare[4]:
            if via_regex or spelling is None:
                regex_candidates.add(term_id)
                continue
            for text in spelling.accepted:
                at = folded.find(text)
                while at >= 0:
                    span = _fit(folded, len(folded), at, at + len(text), left_wild, right_wild)
                    if span is not None:
                        hits.setdefault(term_id, []).append(span)
                    at = folded.find(text, at + 1)

    def _bare_row(self) -> _Row | None:
        if self._bare is None:
            keys = self._key_table()[0]
            entry = bisect_left(keys, _PHRASE)
            self._bare = (self._row(entry),) if entry < len(keys) and keys[entry] == _PHRASE else ()
        return self._bare[0] if self._bare else None

    def _find_wild(
        self, folded: str, candidates: set[int], hits: dict[int, list[tuple[int, int]]]
    ) -> None:
        """Hits of the terms with an inner ``*`` whose key the automaton found: a regex runs
        only for a term every piece of which is in the post (each piece looked for once)."""
        present: dict[str, bool] = {}
        encoded: bytes | None = None
        for term_id in sorted(candidates):
            spec = self.spec(term_id)
            if not all(
                present[piece] if piece in present else present.setdefault(piece, piece in folded)
                for piece in _pieces_of(spec)
            ):
                continue
            regex = self._regex_cache.get(term_id)
            if regex is None:
                regex = self._regex_cache[term_id] = compile_regex(spec.inner_regex or "", "")
            if encoded is None:
                encoded = encode(folded)
            for start, end in spans(regex, folded, encoded):
                span = _fit(folded, len(folded), start, end, spec.left_wild, spec.right_wild)
                if span is not None:
                    hits.setdefault(term_id, []).append(span)

    def _row(self, entry: int) -> _Row:
        """What find() needs of a key, worked out on its first hit (most keys never hit)."""
        keys, firsts, more = self._key_table()
        key = keys[entry]
        body = key[1:] if key[0] == _PHRASE else key
        targets = tuple(
            self._target(key, code >> 3, bool(code & 4), bool(code & 2), bool(code & 1))
            for code in (firsts[entry], *more.get(entry, ()))
        )
        plain = not any(left or right or regex for _, left, right, regex, _ in targets)
        return (
            len(body),
            bool(body) and _is_word(body[0]),
            bool(body) and _is_word(body[-1]),
            tuple(target[0] for target in targets) if plain else None,
            targets,
        )

    def _target(
        self, key: str, term_id: int, left_wild: bool, right_wild: bool, via_regex: bool
    ) -> _Target:
        """A key's target with, for a phrase key, the spellings of the term's text that has
        this key."""
        spelling = None
        if not via_regex and key[0] == _PHRASE:
            core = self.spec(term_id).core
            found = (text for text in texts(core) if _key(text) == key)
            spelling = spellings(next(found, core))
        return term_id, left_wild, right_wild, via_regex, spelling

    def _raw_hits(self, text: str, lookup: bool, prefix: str) -> Iterable[tuple[int, int]]:
        """Every occurrence in ``text`` of the word keys (``prefix`` "") or of the phrase keys
        (``prefix`` _PHRASE) as (end index, entry in ``_table``): at each end, longest key
        first (the automaton's order, which the lookup reproduces)."""
        if lookup and len(text) <= self.LOOKUP_MAX:
            return self._lookup(text, prefix)
        automata = self._automata if self._automata is not None else self._build()
        automaton = automata[1 if prefix else 0]
        return automaton.iter(text) if automaton is not None else ()

    def _lookup(self, text: str, prefix: str) -> list[tuple[int, int]]:
        keys = self._key_table()[0]
        count = len(keys)
        starts = self._key_starts()
        size = len(text)
        found: list[tuple[int, int, int]] = []  # (end index, -length, entry)
        for start in range(size):
            pair = prefix + text[start : start + 2]
            both = (pair, pair[:-1]) if len(pair) == len(prefix) + 2 else (pair,)
            for lengths in map(starts.get, both):
                if lengths is None:
                    continue
                for key_length in lengths:
                    end = start + key_length
                    if end > size:
                        continue
                    piece = prefix + text[start:end]
                    entry = bisect_left(keys, piece)
                    if entry < count and keys[entry] == piece:
                        found.append((end - 1, -key_length, entry))
        found.sort()
        return [(end, entry) for end, _, entry in found]

    def terms(self) -> Sequence[TermSpec]:
        return tuple(self._all_specs())

    def ids_for(self, terms: Iterable[str]) -> tuple[int, ...]:
        return tuple(sorted({self.add(t) for t in terms}))


def _key(text: str) -> str:
    """A text's key: a word as it is; a phrase without separators, after _PHRASE."""
    stripped_text = key_of(text)
    return text if stripped_text == text else _PHRASE + stripped_text


def _pieces_of(spec: TermSpec) -> list[str]:
    """The literal pieces of a term with an inner ``*``, as the automaton can find them."""
    return [piece for part in spec.core.split("*") if (piece := part.strip())]


def _target(term_id: int, left_wild: bool, right_wild: bool, via_regex: bool) -> int:
    """A key's target as one int (the cache stores thousands): the term id and its flags."""
    return term_id << 3 | left_wild << 2 | right_wild << 1 | via_regex


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _fit(
    text: str, length: int, start: int, end: int, left_wild: bool, right_wild: bool
) -> tuple[int, int] | None:
    """Apply whole-word boundaries and wildcard extension to a raw literal hit."""
    if left_wild:
        while start > 0 and is_word_char(text[start - 1]):
            start -= 1
    elif start > 0 and is_word_char(text[start - 1]) and is_word_char(text[start]):
        return None
    if right_wild:
        while end < length and is_word_char(text[end]):
            end += 1
    elif end < length and is_word_char(text[end]) and is_word_char(text[end - 1]):
        return None
    return start, end
