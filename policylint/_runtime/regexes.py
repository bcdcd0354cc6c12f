"""RE2 helpers: policylint's regex options, and sets that prefilter many regexes at once."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any


__all__ = ["REGEX_MAX_MEM", "AtomIndex", "RegexIndex", "compile_regex", "encode", "spans"]

REGEX_MAX_MEM = 8 << 20

# UTF-8 continuation bytes: every other byte starts a character.
_CONTINUATION = bytes(range(0x80, 0xC0))
#: The flags a regex of the rule language may carry (``/.../ims``).
_FLAGS = frozenset("ims")


def compile_regex(source: str, flags: str) -> Any:
    """Compile an RE2 regex with policylint's options (flags: i, m, s). Raises re2.error.

    Groups never capture: policylint needs only where a match is, and RE2 pays for every
    group of a match it is asked to report (1,000 groups on a 10 KB post took 14 s, and
    100,000 nested ones more memory than the machine had)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = REGEX_MAX_MEM
    options.never_capture = True
    if "i" in flags:
        options.case_sensitive = False
    if "s" in flags:
        options.dot_nl = True
    if "m" in flags:
        source = "(?m)" + source
    return re2.compile(source, options)


def encode(text: str) -> bytes:
    """``text`` as RE2 reads it: UTF-8, with a lone surrogate (half of a UTF-16 pair, from a
    truncated string or a JSON escape) kept as its own 3-byte sequence, which RE2 reads as
    one character that only ``.`` and negated classes match."""
    return text.encode("utf-8", "surrogatepass")


def spans(regex: Any, text: str, encoded: bytes | None = None) -> Iterator[tuple[int, int]]:
    """The non-empty matches of ``regex`` (from :func:`compile_regex`) in ``text``, leftmost
    first and without overlaps, as code-point spans; ``encoded`` is :func:`encode` of it.

    One pass over one encoding: searching the text as ``str`` again after each match, as
    google-re2 does, encodes it again each time (quadratic: ``/a/`` on 40 KB took 8 s).
    RE2 runs on UTF-8 and never starts or ends a non-empty match inside a character (its
    programs match whole sequences, and ``\\C`` is refused at load); an empty match can fall
    inside one when google-re2 steps a byte past it, and is skipped like every empty match
    (a finding always covers some text).
    """
    if encoded is None:
        encoded = encode(text)
    if len(encoded) == len(text):  # ASCII: byte offsets are character offsets
        for found in regex.finditer(encoded):
            start, end = found.span()
            if start != end:
                yield start, end
        return
    # Offsets only grow: count the characters between one match and the next, once.
    byte_mark = char_mark = 0
    for found in regex.finditer(encoded):
        start, end = found.span()
        if start == end:
            continue
        char_start = char_mark + _characters(encoded, byte_mark, start)
        char_mark = char_start + _characters(encoded, start, end)
        byte_mark = end
        yield char_start, char_mark


def _characters(encoded: bytes, start: int, end: int) -> int:
    """How many characters begin in ``encoded[start:end]``."""
    return len(encoded[start:end].translate(None, _CONTINUATION))


def _with_flags(source: str, flags: str) -> str:
    """The pattern RE2 compiles: ``source`` with ``flags`` (i, m, s) inline."""
    inline = "".join(f for f in "ims" if f in flags)
    return f"(?{inline}){source}" if inline else source


#: Atoms with the regexes that hold them: the atoms, the regex ids of each laid end to end,
#: and where each atom's ids end.
AtomIndex = tuple[list[str], "Sequence[int]", "Sequence[int]"]

# (regexes without atoms, the folded atoms' index, the exact atoms' index,
#  {regex: (its second atom set, whether exact)}, regexes needing non-ASCII text,
#  {regex: (its atoms, whether exact, how many times a match holds them)} when more than once)
_Finder = tuple[
    frozenset[int],
    AtomIndex,
    AtomIndex,
    dict[int, tuple[tuple[str, ...], bool]],
    frozenset[int],
    dict[int, tuple[tuple[str, ...], bool, int]],
]


class RegexIndex:
    """All regexes of a policy, prefiltered: one pass finds which can match a post.

    The first posts of a run are filtered by each regex's required literals (its
    ``atoms``, see :mod:`policylint._compiler.regexatoms`), looked up in the folded post:
    a regex none of whose atoms is there cannot match, and is neither compiled nor searched.
    Once enough posts have been seen to pay for compiling them all, RE2 sets find the regexes
    that match.

    The Python wrapper costs a few microseconds per ``finditer`` call, which dominates when a
    policy has dozens of regexes and most posts match none. Sets are kept small (``CHUNK``
    patterns) so their DFA stays well inside RE2's memory budget: an RE2 set that ran out of
    memory would report no match, and a prefilter must never hide one.
    """

    #: Patterns per set. Measured on builtin:all's 90 regexes over 3,000 tweets: 4 per set
    #: 18.6 us/post (per-call overhead), 8 8.7 us, 16 13.1 us, 32 20.4 us (a set's DFA grows
    #: with the product of its patterns' states and falls back to slower matching). Again
    #: with 459 regexes (2026-12-07, 2,000 tweets, each set warmed): the 288 matched on
    #: every post cost 47-49 us in sets of 8, 43-46 in sets of 16; but the on-demand sets
    #: cost 84-90 us in sets of 8 and 155-168 in sets of 16 (their worst set 24 us, then
    #: 50: a few regexes multiply their set's DFA states, none costs 3 us alone), and 20
    #: or more leave sets that do not compile. Giving regexes with wide counted
    #: repetitions sets of their own made the eager sets dearer (76-79 us). So 8.
    CHUNK = 8
    #: Posts checked before the sets are built: compiling every regex of a big policy costs
    #: ~65 ms, more than a pre-commit run over a few posts saves, so short runs compile only
    #: the regexes whose atoms their posts hold and whose rules they reach.
    WARM_UP = 16

    def __init__(self) -> None:
        self._patterns: list[str] = []
        self._atoms: list[tuple[str, ...]] = []
        self._also: list[tuple[str, ...]] = []
        self._non_ascii: list[bool] = []
        self._exact: list[bool] = []
        self._repeats: list[int] = []
        self._sources: list[tuple[str, str]] = []  # each regex's source and flags
        self._ids: dict[str, int] = {}
        self._sets: list[tuple[tuple[int, ...], Any]] | None = None
        self._always: frozenset[int] = frozenset()
        self._finder: _Finder | None = None  # for the warm-up's candidates
        self._atom_index: tuple[AtomIndex, AtomIndex] | None = None  # its largest part
        self._uses = 0
        # Regexes every post's dispatch needs (None: all); the others' sets run on demand.
        self._eager: frozenset[int] | None = None
        self._lazy_sets: list[tuple[tuple[int, ...], Any]] = []
        self._lazy_of: dict[int, int] = {}

    def add(
        self,
        source: str,
        flags: str,
        atoms: tuple[str, ...] = (),
        *,
        also: tuple[str, ...] = (),
        non_ascii: bool = False,
        exact: bool = False,
        repeats: int = 1,
    ) -> int:
        """Register a regex; ``atoms`` are folded literals one of which any match holds, as
        are ``also`` (a second such set), and ``non_ascii`` says that every match holds a
        non-ASCII character. With ``exact`` the atoms are not folded: they are looked up in
        the text as it is (``regexatoms.analyse`` of a case-sensitive regex). A match holds
        ``repeats`` non-overlapping occurrences of ``atoms``."""
        pattern = _with_flags(source, flags)
        found = self._ids.get(pattern)
        if found is None:
            found = self._ids[pattern] = len(self._patterns)
            self._patterns.append(pattern)
            self._atoms.append(tuple(atoms))
            self._also.append(tuple(also))
            self._non_ascii.append(non_ascii)
            self._exact.append(exact)
            self._repeats.append(repeats if atoms else 1)
            self._sources.append((source, flags))
            self._finder = self._atom_index = None
            self._forget_sets()
        return found

    def __len__(self) -> int:
        return len(self._patterns)

    def table(self) -> list[list[Any]]:
        """Every regex as registered, in id order (JSON-able: the compiled-policy cache)."""
        return [
            [source, flags, list(atoms), list(also), non_ascii, exact, repeats]
            for (source, flags), atoms, also, non_ascii, exact, repeats in zip(
                self._sources,
                self._atoms,
                self._also,
                self._non_ascii,
                self._exact,
                self._repeats,
                strict=True,
            )
        ]

    @classmethod
    def from_table(
        cls, table: list[Any], atom_index: tuple[AtomIndex, AtomIndex] | None = None
    ) -> RegexIndex:
        """The index :meth:`table` describes, with the same ids, every row checked: raises
        ``ValueError`` for anything else. ``atom_index``: its :meth:`atom_index`, as kept
        (the caller checked that its regex ids are the table's)."""
        index = cls()
        for position, entry in enumerate(table):
            if not (isinstance(entry, list) and len(entry) == 7):
                raise ValueError("not a regex entry")
            source, flags, atoms, also, non_ascii, exact, repeats = entry
            if not (
                type(source) is str
                and type(flags) is str
                and set(flags) <= _FLAGS
                and type(atoms) is list
                and type(also) is list
                and all(type(a) is str for a in (*atoms, *also))
                and type(non_ascii) is bool
                and type(exact) is bool
                and type(repeats) is int
                and repeats >= 1
            ):
                raise ValueError("not a regex entry")
            added = index.add(
                source,
                flags,
                tuple(atoms),
                also=tuple(also),
                non_ascii=non_ascii,
                exact=exact,
                repeats=repeats,
            )
            if added != position:
                raise ValueError("a regex registered twice")
        index._atom_index = atom_index
        return index

    def facts(
        self, regex_id: int
    ) -> tuple[str, str, tuple[str, ...], tuple[str, ...], bool, bool, int]:
        """What regex ``regex_id`` was registered with: (source, flags, atoms, also,
        non_ascii, exact, repeats)."""
        source, flags = self._sources[regex_id]
        return (
            source,
            flags,
            self._atoms[regex_id],
            self._also[regex_id],
            self._non_ascii[regex_id],
            self._exact[regex_id],
            self._repeats[regex_id],
        )

    def id_of(self, source: str, flags: str) -> int:
        """The id ``source`` with ``flags`` was registered under, or -1."""
        return self._ids.get(_with_flags(source, flags), -1)

    def _forget_sets(self) -> None:
        """Drop the RE2 sets (built again on the next post after warm-up)."""
        self._sets = None
        self._lazy_sets = []
        self._lazy_of = {}
        self._always = frozenset()

    def atom_index(self) -> tuple[AtomIndex, AtomIndex]:
        """The folded atoms and the exact ones, each with the regexes that hold it (made
        once; the compiled-policy cache keeps it: ~2 ms for builtin:all's 13,000 atoms)."""
        if self._atom_index is None:
            folded: dict[str, list[int]] = {}
            exact: dict[str, list[int]] = {}
            for regex_id, atoms in enumerate(self._atoms):
                by_atom = exact if self._exact[regex_id] else folded
                for atom in atoms:
                    by_atom.setdefault(atom, []).append(regex_id)
            self._atom_index = (_laid_out(folded), _laid_out(exact))
        return self._atom_index

    def _build_finder(self) -> _Finder:
        """The regexes without atoms, each atom with the regexes it stands for, each
        regex's second set of atoms, and the regexes that need a non-ASCII character."""
        folded, exact = self.atom_index()
        unfiltered = frozenset(i for i, atoms in enumerate(self._atoms) if not atoms)
        also = {i: (atoms, self._exact[i]) for i, atoms in enumerate(self._also) if atoms}
        foreign = frozenset(i for i, needed in enumerate(self._non_ascii) if needed)
        counted = {
            i: (self._atoms[i], self._exact[i], times)
            for i, times in enumerate(self._repeats)
            if times > 1
        }
        finder = (
            unfiltered,
            folded,
            exact,
            also,
            foreign,
            counted,
        )
        self._finder = finder
        return finder

    def candidates(self, text: str) -> set[int]:
        """Ids of the regexes ``text`` holds an atom of (of each set, when there are two;
        folded atoms in the folded text, exact ones in the text as it is; as many times as a
        match holds them), and of those without atoms; on ASCII text, not those that need a
        non-ASCII one."""
        # Only the first posts of a run come here: a substring test per atom (~1,200 for
        # builtin:all, 0.1 ms a post) costs less than building an automaton of them first.
        unfiltered, folded_atoms, exact_atoms, also, foreign, counted = (
            self._finder if self._finder is not None else self._build_finder()
        )
        found = set(unfiltered)
        folded = text.casefold()
        for (keys, ids, ends), haystack in ((folded_atoms, folded), (exact_atoms, text)):
            start = 0
            for atom, end in zip(keys, ends, strict=True):
                if atom in haystack:
                    found.update(ids[start:end])
                start = end
        for regex_id in found & also.keys():
            second, exact = also[regex_id]
            haystack = text if exact else folded
            if not any(atom in haystack for atom in second):
                found.discard(regex_id)
        for regex_id in found & counted.keys():
            atoms, exact, times = counted[regex_id]
            haystack = text if exact else folded
            # str.count finds the most non-overlapping occurrences of each atom, so the sum
            # is never less than what a match holds.
            if sum(haystack.count(atom) for atom in atoms) < times:
                found.discard(regex_id)
        if foreign and text.isascii():
            found -= foreign
        return found

    def set_eager(self, ids: frozenset[int]) -> None:
        """The regexes whose matches every post needs (those rules are dispatched by); the
        sets of the others (used in guards and exceptions) run only when a rule asks."""
        self._eager = ids
        self._forget_sets()

    def lazy_set(self, regex_id: int) -> int | None:
        """The on-demand set holding ``regex_id``: None when the id is matched eagerly (or
        the sets are not built yet), -1 when no set could hold it (it may always match)."""
        return self._lazy_of.get(regex_id)

    def match_lazy(self, set_index: int, encoded: bytes) -> frozenset[int]:
        """Ids of the regexes of on-demand set ``set_index`` that match ``encoded`` text."""
        ids, regex_set = self._lazy_sets[set_index]
        hits = regex_set.Match(encoded)
        return frozenset(ids[hit] for hit in hits) if hits else frozenset()

    def _build(self) -> list[tuple[tuple[int, ...], Any]]:
        every = range(len(self._patterns))
        eager = [i for i in every if self._eager is None or i in self._eager]
        lazy = [i for i in every if self._eager is not None and i not in self._eager]
        always: set[int] = set()
        sets = self._chunk(eager, always)
        self._lazy_sets = self._chunk(lazy, always)
        self._lazy_of = {i: k for k, (ids, _) in enumerate(self._lazy_sets) for i in ids}
        self._lazy_of.update((i, -1) for i in lazy if i in always)
        self._always = frozenset(always - set(lazy))
        self._sets = sets
        return sets

    def _chunk(self, ids: list[int], always: set[int]) -> list[tuple[tuple[int, ...], Any]]:
        """RE2 sets of ``CHUNK`` of ``ids``; a set that fails to compile (out of memory) is
        split in two, and the id of a regex that fails alone goes to ``always`` (it may
        match anything)."""
        sets: list[tuple[tuple[int, ...], Any]] = []
        pending = [tuple(ids[at : at + self.CHUNK]) for at in range(0, len(ids), self.CHUNK)]
        while pending:
            chunk = pending.pop(0)
            regex_set = self._compiled_set(chunk)
            if regex_set is not None:
                sets.append((chunk, regex_set))
            elif len(chunk) > 1:
                half = len(chunk) // 2
                pending[:0] = [chunk[:half], chunk[half:]]
            else:
                always.update(chunk)
        return sets

    def _compiled_set(self, chunk: tuple[int, ...]) -> Any:
        """An RE2 set of the regexes ``chunk`` names, or None if it does not compile."""
        import re2

        options = re2.Options()
        options.log_errors = False
        options.max_mem = REGEX_MAX_MEM
        regex_set = re2.Set.SearchSet(options)
        try:
            for regex_id in chunk:
                regex_set.Add(self._patterns[regex_id])
            regex_set.Compile()
        except re2.error:
            return None
        return regex_set

    def matching(self, text: str, encoded: Callable[[], bytes] | None = None) -> frozenset[int]:
        """Ids of the regexes that may match somewhere in ``text``: the atom candidates
        while warming up, then exactly the eager ones that match (plus any no set could
        hold); ask :meth:`lazy_set` about the others. ``encoded`` gives :func:`encode` of
        ``text`` when it may already be known."""
        if not text:
            return frozenset()  # matches are never empty (see RegexNode.matches)
        if self._sets is None:
            if self._uses < self.WARM_UP:
                self._uses += 1
                return frozenset(self.candidates(text))
            self._build()
        # In bulk the sets alone are cheaper than atoms and sets: the posts of a real
        # archive hold atoms of a quarter of the regexes, spread over most sets (measured on
        # 10,000 tweets: 10.5 us/post for the sets, 18 us with the atoms first).
        found = set(self._always)
        utf8 = encoded() if encoded is not None else encode(text)
        for ids, regex_set in self._sets or ():
            hits = regex_set.Match(utf8)
            if hits:
                found.update(ids[hit] for hit in hits)
        return frozenset(found)


def _laid_out(by_atom: dict[str, list[int]]) -> AtomIndex:
    """``by_atom`` as an :data:`AtomIndex`."""
    ids: list[int] = []
    ends: list[int] = []
    for regexes in by_atom.values():
        ids += regexes
        ends.append(len(ids))
    return list(by_atom), ids, ends
