"""RE2 helpers: policylint's regex options, and sets that prefilter many regexes at once."""

from __future__ import annotations

from typing import Any

__all__ = ["REGEX_MAX_MEM", "RegexIndex", "compile_regex"]

REGEX_MAX_MEM = 8 << 20


def compile_regex(source: str, flags: str) -> Any:
    """Compile an RE2 regex with policylint's options (flags: i, m, s). Raises re2.error."""
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = REGEX_MAX_MEM
    if "i" in flags:
        options.case_sensitive = False
    if "s" in flags:
        options.dot_nl = True
    if "m" in flags:
        source = "(?m)" + source
    return re2.compile(source, options)


class RegexIndex:
    """All regexes of a policy, prefiltered: one pass finds which can match a post.

    Two filters run before any regex does. Each regex's required literals (its ``atoms``,
    see :mod:`policylint.regexatoms`) are looked up in the folded post with one
    Aho-Corasick automaton: a regex none of whose atoms is there cannot match, and is never
    compiled for it. The remaining candidates are then tested with RE2 sets, once enough
    posts have been seen to pay for compiling them.

    The Python wrapper costs a few microseconds per ``finditer`` call, which dominates when a
    policy has dozens of regexes and most posts match none. Sets are kept small (``CHUNK``
    patterns) so their DFA stays well inside RE2's memory budget: an RE2 set that ran out of
    memory would report no match, and a prefilter must never hide one.
    """

    #: Patterns per set. Measured on builtin:all's 90 regexes over 3,000 tweets: 4 per set
    #: 18.6 us/post (per-call overhead), 8 8.7 us, 16 13.1 us, 32 20.4 us (a set's DFA grows
    #: with the product of its patterns' states and falls back to slower matching).
    CHUNK = 8
    #: Posts checked before the sets are built: compiling every regex of a big policy costs
    #: ~65 ms, more than a pre-commit run over a few posts saves, so short runs compile only
    #: the regexes whose atoms their posts hold and whose rules they reach.
    WARM_UP = 16

    def __init__(self) -> None:
        self._patterns: list[str] = []
        self._atoms: list[tuple[str, ...]] = []
        self._ids: dict[str, int] = {}
        self._sets: list[tuple[tuple[int, ...], Any]] | None = None
        self._always: frozenset[int] = frozenset()
        self._finder: Any = None
        self._unfiltered: frozenset[int] = frozenset()
        self._uses = 0

    def add(self, source: str, flags: str, atoms: tuple[str, ...] = ()) -> int:
        """Register a regex; ``atoms`` are folded literals one of which any match holds."""
        inline = "".join(f for f in "ims" if f in flags)
        pattern = f"(?{inline}){source}" if inline else source
        found = self._ids.get(pattern)
        if found is None:
            found = self._ids[pattern] = len(self._patterns)
            self._patterns.append(pattern)
            self._atoms.append(tuple(atoms))
            self._sets = None
            self._finder = None
        return found

    def _build_finder(self) -> Any:
        import ahocorasick

        by_atom: dict[str, list[int]] = {}
        for regex_id, atoms in enumerate(self._atoms):
            for atom in atoms:
                by_atom.setdefault(atom, []).append(regex_id)
        self._unfiltered = frozenset(i for i, atoms in enumerate(self._atoms) if not atoms)
        finder = ahocorasick.Automaton()
        for atom, ids in by_atom.items():
            finder.add_word(atom, tuple(ids))
        if by_atom:
            finder.make_automaton()
        self._finder = finder
        return finder

    def candidates(self, text: str) -> set[int]:
        """Ids of the regexes ``text`` holds an atom of, and of those without atoms."""
        finder = self._finder if self._finder is not None else self._build_finder()
        found = set(self._unfiltered)
        if len(finder):
            for _, ids in finder.iter(text.casefold()):
                found.update(ids)
        return found

    def _build(self) -> list[tuple[tuple[int, ...], Any]]:
        import re2

        # Regexes without atoms run on every post: chunk them together, so that the chunks
        # of filtered regexes can be skipped whole.
        order = sorted(range(len(self._patterns)), key=lambda i: bool(self._atoms[i]))
        sets: list[tuple[tuple[int, ...], Any]] = []
        always: set[int] = set()
        for offset in range(0, len(order), self.CHUNK):
            ids = tuple(order[offset : offset + self.CHUNK])
            options = re2.Options()
            options.log_errors = False
            options.max_mem = REGEX_MAX_MEM
            regex_set = re2.Set.SearchSet(options)
            try:
                for regex_id in ids:
                    regex_set.Add(self._patterns[regex_id])
                regex_set.Compile()
            except re2.error:
                always.update(ids)
                continue
            sets.append((ids, regex_set))
        self._always = frozenset(always)
        self._sets = sets
        return sets

    def matching(self, text: str) -> frozenset[int]:
        """Ids of the regexes that may match somewhere in ``text``: exactly those that do
        once the RE2 sets are built, the atom candidates while warming up."""
        if not text:
            return frozenset()  # matches are never empty (see RegexNode.matches)
        candidates = self.candidates(text)
        if self._sets is None:
            if self._uses < self.WARM_UP:
                self._uses += 1
                return frozenset(candidates)
            self._build()
        found = self._always & candidates
        encoded = None
        for ids, regex_set in self._sets or ():
            if candidates.isdisjoint(ids):
                continue
            if encoded is None:
                encoded = text.encode("utf-8", "surrogatepass")
            hits = regex_set.Match(encoded)
            if hits:
                found = found | {ids[hit] for hit in hits}
        return found
