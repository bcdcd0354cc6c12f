"""Required literals of a regex: a cheap test that rules a regex out before RE2 runs it.

``required_atoms(pattern)`` returns a set of short strings, at least one of which occurs in
any text the pattern matches somewhere (both case-folded), or None when the pattern gives no
such guarantee (``\\w+``). A post whose folded text holds none of a regex's atoms cannot
match it, so the regex is neither compiled nor searched: most regexes of a policy are never
compiled by a pre-commit run over a few posts, and a bulk run skips the RE2 sets that cannot
hit. This is the classic "required substrings" analysis behind RE2's own prefilter and code
search trigram indexes, done on the pattern's syntax tree.

The tree comes from Python's regex parser, after rewriting the few RE2 spellings it lacks
(``\\p{L}``, ``\\x{1F600}``); a pattern it cannot read, or whose meaning differs between the
two engines, gets None. Atoms and text are both case-folded (``str.casefold`` gives every
character of an RE2 case-folding orbit the same folding). ``analyse`` gives a case-sensitive
regex (no ``i`` flag, none inline) exact atoms instead, looked up in the text as it is: the
street words of an address pattern ("St", "Pl") rule out far more posts than their foldings
("just", "example").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

__all__ = ["RegexFacts", "analyse", "atom_sets", "needs_non_ascii", "required_atoms"]

#: Largest set a node's exact strings, or a character class, may expand to.
_MAX_SET = 64
#: Longest atom kept: longer literals are cut (any part of a required literal is required).
_MAX_ATOM = 12
#: Classes of at most this many characters become literal alternatives ("[$£€]", "\\d").
_MAX_CLASS = 16
#: Largest set of atoms made by joining literals to the alternation after them ("#" and 600
#: hashtag words): one substring test each, far cheaper than compiling the regex.
_MAX_JOINED = 2048

# RE2 spellings Python's parser lacks, rewritten into ones with the same atoms (a class is
# never an atom beyond _MAX_CLASS characters, so any large class stands for \\p{...}).
_ESCAPE = re.compile(r"\\(?:[pP]\{[^}]*\}|[pP][A-Za-z]|x\{[0-9A-Fa-f]+\}|.)", re.DOTALL)
# Constructs whose meaning differs between RE2 and Python: never analysed.
_UNSAFE = re.compile(r"\\[QEC]|\[:\^?[a-z]+:\]|\{,|\(\?[a-zA-Z]*U")

_DIGITS = frozenset("0123456789")
#: Properties no ASCII character has, in any case: the combining marks (\p{Mn} and the
#: like) and the scripts other than Latin, Common and Inherited (a homoglyph rule's
#: \p{Greek}, \p{Cherokee}). tests/test_regexatoms.py asks RE2 that each, case-folded,
#: matches no ASCII character.
_NEVER_ASCII = frozenset(
    {"M", "Mn", "Mc", "Me"}
    | {"Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Syriac", "Thaana", "Devanagari"}
    | {"Bengali", "Gurmukhi", "Gujarati", "Tamil", "Telugu", "Kannada", "Malayalam", "Thai"}
    | {"Lao", "Tibetan", "Myanmar", "Georgian", "Hangul", "Ethiopic", "Cherokee", "Khmer"}
    | {"Canadian_Aboriginal", "Mongolian", "Hiragana", "Katakana", "Bopomofo", "Han", "Yi"}
)
#: What such a property is read as: characters of the same atoms (none, being over
#: _MAX_CLASS) that needs_non_ascii reads as foreign (no ASCII twin above U+FFFF).
_FOREIGN_RANGE = "\\U00010000-\\U0010ffff"
#: The non-ASCII characters with an ASCII letter in their lower, upper, title or folded
#: case ("\u212a" KELVIN SIGN is "k" lowered): a case-insensitive regex may match ASCII
#: text with them. tests/test_regexatoms.py derives this list from the whole of Unicode.
_ASCII_TWINS = frozenset(
    {0xDF, 0x130, 0x131, 0x149, 0x17F, 0x1F0, 0x1E96, 0x1E97, 0x1E98, 0x1E99, 0x1E9A, 0x1E9E}
    | {0x212A, 0xFB00, 0xFB01, 0xFB02, 0xFB03, 0xFB04, 0xFB05, 0xFB06}
)


class RegexFacts(NamedTuple):
    """What the prefilter knows of a regex: two sets of required atoms (None: unknown),
    whether every match holds a non-ASCII character, whether the atoms are exact (to be
    found in the text as it is) rather than case-folded (in the folded text), and how many
    times at least a match holds ``atoms`` (``(?:#\\w+\\s*){3,}``: three "#")."""

    atoms: frozenset[str] | None
    also: frozenset[str] | None
    non_ascii: bool
    exact: bool = False
    repeats: int = 1


_UNKNOWN_FACTS = RegexFacts(None, None, False)
# An inline flag group that may turn case-insensitivity on: "(?i)", "(?mi:", "(?s-i:"...
# (the last clears it, but reading it as folded is merely less selective).
_INLINE_FLAGS_I = re.compile(r"\(\?[a-zA-Z-]*i")


def analyse(pattern: str, flags: str = "") -> RegexFacts:
    """Everything below from one parse of ``pattern`` (the compiler's entry point); with
    exact atoms when the regex is case-sensitive (``flags`` without ``i``, no inline one)."""
    exact = "i" not in flags and not _INLINE_FLAGS_I.search(pattern)
    return _analyse(pattern, fold=not exact)


def _analyse(pattern: str, *, fold: bool) -> RegexFacts:
    tree = _parse(pattern)
    if tree is None:
        return _UNKNOWN_FACTS
    try:
        info = _sequence(tree, fold)
        atoms, also, repeats = _atom_sets(info)
        if also is None:
            also = _second_of_alternation(tree, fold)
            also = None if also == atoms else also
        return RegexFacts(atoms, also, _foreign_sequence(tree, fold), not fold, repeats)
    except RecursionError:
        return _UNKNOWN_FACTS


def required_atoms(pattern: str) -> frozenset[str] | None:
    """Folded strings, one of which is in any text ``pattern`` matches; None if unknown."""
    return _analyse(pattern, fold=True).atoms


def atom_sets(pattern: str) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """The most selective set of required atoms (as :func:`required_atoms`) and the next
    one: a match holds an atom of each. ``\\d{1,5} \\w+ (?:Street|Road)`` needs a digit
    and a street word; a post without digits skips it whatever street words it holds."""
    facts = _analyse(pattern, fold=True)
    return facts.atoms, facts.also


def needs_non_ascii(pattern: str) -> bool:
    """Whether every match of ``pattern`` holds a non-ASCII character (``[\u2460-\u24ff]+``,
    a fancy-letter class): such a regex cannot match an ASCII post. False when unsure."""
    return _analyse(pattern, fold=True).non_ascii


def _parse(pattern: str) -> list[tuple[Any, Any]] | None:
    """Python's syntax tree of ``pattern`` after rewriting RE2 spellings; None if unsafe."""
    translated = _translate(pattern)
    if translated is None:
        return None
    from re import _parser

    try:
        return list(_parser.parse(translated, 0))
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


def _atom_sets(info: _Info) -> tuple[frozenset[str] | None, frozenset[str] | None, int]:
    """The best two sets of required atoms, and how many times a match holds the first."""
    best = sorted(_candidates(info), key=_score, reverse=True)
    ranked = [_reduced(atoms) for atoms in best]
    if not ranked:
        return None, None, 1
    second = next((atoms for atoms in ranked[1:] if atoms != ranked[0]), None)
    # Each occurrence of a dropped atom holds one of a kept atom: the count carries over.
    return ranked[0], second, info.times.get(frozenset(best[0]), 1)


def _second_of_alternation(tree: list[tuple[Any, Any]], fold: bool) -> frozenset[str] | None:
    """For a regex that is one alternation (with zero-width parts around it, such as the
    ``\\b`` the parser takes out of every branch): a second set one of whose members every match
    holds, made of a set of each branch other than its best (its best where it has no other
    of three characters or more). The first set takes the best of each branch, one word of
    a long list ("return", "for"), which lets many a post through: with this second one,
    "returns" alone no longer makes a warm start compile a regex that wants "returns fraud"
    (~9 ms for one of the built-in packs'). None when a branch has no set at all."""
    parts = [(op, arg) for op, arg in tree if str(op) != "AT"]
    if len(parts) != 1 or str(parts[0][0]) != "BRANCH":
        return None
    second: set[str] = set()
    for branch in parts[0][1][1]:
        ranked = sorted(_candidates(_sequence(list(branch), fold)), key=_score, reverse=True)
        if not ranked:
            return None
        second |= next((atoms for atoms in ranked[1:] if _score(atoms)[0] >= 3), ranked[0])
    return _reduced(second)


def _reduced(atoms: set[str]) -> frozenset[str]:
    # An atom holding another is redundant: wherever it occurs, so does the shorter one.
    return frozenset(a for a in atoms if not any(b != a and b in a for b in atoms))


def _foreign_sequence(items: Iterable[tuple[Any, Any]], fold: bool) -> bool:
    return any(_foreign_node(op, arg, fold) for op, arg in items)


def _foreign_node(op: Any, arg: Any, fold: bool) -> bool:
    name = str(op)
    if name == "LITERAL":
        return _foreign_range(arg, arg, fold)
    if name == "IN":
        return all(_foreign_member(str(item), value, fold) for item, value in arg)
    if name == "SUBPATTERN":
        return _foreign_sequence(arg[-1], fold)
    if name == "ATOMIC_GROUP":
        return _foreign_sequence(arg, fold)
    if name == "BRANCH":
        return all(_foreign_sequence(branch, fold) for branch in arg[1])
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _, item = arg
        return bool(low >= 1 and _foreign_sequence(item, fold))
    return False


def _foreign_member(name: str, value: Any, fold: bool) -> bool:
    # \p{..} was rewritten to \w, a category: never taken as foreign (nor is a negation)
    if name == "LITERAL":
        return _foreign_range(value, value, fold)
    if name != "RANGE":
        return False
    low, high = value
    return _foreign_range(low, high, fold)


def _foreign_range(low: int, high: int, fold: bool) -> bool:
    """Whether no character from ``low`` to ``high`` is ASCII or, when the regex ignores
    case (``fold``), matches ASCII in any case. A case-sensitive class of Latin Extended
    letters (U+01DD-U+0217 holds U+01F0, whose upper case is "J" and a caron) cannot match
    an ASCII post: taken as foreign, its costly RE2 program is never compiled for one."""
    if low < 0x80:
        return False
    return not fold or not any(low <= code <= high for code in _ASCII_TWINS)


def _translate(pattern: str) -> str | None:
    """``pattern`` in Python's syntax, with the atoms and foreignness of RE2's reading; None
    when the engines read it otherwise. An escape is rewritten knowing whether it stands
    inside a class: there a class of its own would be read as a literal "[" and "]"."""
    if _UNSAFE.search(pattern):
        return None
    out: list[str] = []
    at, in_class = 0, False
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            escape = _ESCAPE.match(pattern, at)
            if escape is None:
                return None  # a trailing backslash
            out.append(_escape(escape.group(), in_class))
            at = escape.end()
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            # A class opens; "^" negates it and a "]" right after is a member, not its end.
            opening = re.match(r"\[\^?\]?", pattern[at:])
            assert opening is not None
            out.append(opening.group())
            at += opening.end()
            in_class = True
            continue
        out.append(char)
        at += 1
    return "".join(out)


def _escape(text: str, in_class: bool) -> str:
    """One RE2 escape as Python reads it with the same atoms (see :func:`_translate`)."""
    if text[1] == "p" and text[2:].strip("{}") in _NEVER_ASCII:
        return _FOREIGN_RANGE if in_class else f"[{_FOREIGN_RANGE}]"
    if text[1] in "pP":
        return r"\w"
    if text[1] == "x" and text[2:3] == "{":
        code = int(text[3:-1], 16)
        return f"\\U{code:08x}" if code <= 0x10FFFF else r"\w"
    if text == r"\z":
        return r"\Z"  # the end of the text (Python's \Z is RE2's \z; RE2 has no \Z)
    return text


class _Info:
    """What a node can match: ``exact`` is every string it matches (None: too many or
    unknown); ``required`` holds sets of which one member must occur in any match;
    ``first`` is a set of which every match starts with a member (empty: unknown); ``times``
    says how many non-overlapping occurrences of a required set a match holds, if more
    than one."""

    __slots__ = ("exact", "first", "required", "times")

    def __init__(
        self,
        exact: set[str] | None,
        required: list[set[str]] | None = None,
        first: set[str] | None = None,
    ) -> None:
        self.exact = exact
        self.required = required or []
        self.first = _known(exact if first is None else first)
        self.times: dict[frozenset[str], int] = {}


_UNKNOWN = None  # marker for readability: an exact set nobody can list


def _node(op: Any, arg: Any, fold: bool) -> _Info:
    name = str(op)
    if name == "LITERAL":
        return _Info({_fold_char(arg) if fold else chr(arg)})
    if name == "IN":
        return _Info(_class_chars(arg, fold))
    if name == "SUBPATTERN":
        return _sequence(list(arg[-1]), fold)
    if name == "ATOMIC_GROUP":
        return _sequence(list(arg), fold)
    if name == "BRANCH":
        return _branch([_sequence(list(branch), fold) for branch in arg[1]])
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, item = arg
        return _repeat(low, high, _sequence(list(item), fold))
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        return _Info({""})  # zero-width: matches the empty string as far as atoms go
    return _Info(_UNKNOWN)  # ANY, NOT_LITERAL, CATEGORY, GROUPREF...: no literal


def _sequence(items: Iterable[tuple[Any, Any]], fold: bool) -> _Info:
    run: set[str] = {""}  # the exact strings of the current run of known parts
    whole = True  # every part so far is exactly known and joined into ``run``
    first: set[str] = set()  # what every match starts with, once past the first run
    required: list[set[str]] = []
    times: dict[frozenset[str], int] = {}
    for op, arg in items:
        part = _node(op, arg, fold)
        required.extend(part.required)
        for atoms, count in part.times.items():
            times[atoms] = max(count, times.get(atoms, 1))
        if part.exact is not None:
            joined = _product(run, part.exact)
            if joined is not None:
                run = joined
                continue
            # The run is too big (or too long) to extend: what it was is required.
            head = _joined(run, part.first)
            required.append(head if head is not None else run)
            if whole:
                first = _first(run, head, part)
            run = set(part.exact)
        else:
            # "#(?:Monday|...600 words)": every match holds "#" and a word together.
            head = _joined(run, part.first)
            required.append(head if head is not None else run)
            if whole:
                first = _first(run, head, part)
            run = {""}
        whole = False
    info = _Info(run, required) if whole else _Info(_UNKNOWN, [*required, run], first)
    info.times = times
    return info


def _branch(branches: list[_Info]) -> _Info:
    exacts = [b.exact for b in branches if b.exact is not None]
    if len(exacts) == len(branches):
        union = set().union(*exacts)
        if len(union) <= _MAX_SET:
            return _Info(union)
    # A match starts as its branch does.
    firsts = [b.first for b in branches]
    first = set().union(*firsts) if all(firsts) else set()
    if len(first) > _MAX_JOINED:
        first = set()
    # One atom of each branch's best set: a match goes through one of the branches.
    merged: set[str] = set()
    for b in branches:
        best = _best(b)
        if best is None or "" in best:
            return _Info(_UNKNOWN, [], first)
        merged |= best
    return _Info(_UNKNOWN, [merged], first)


def _repeat(low: int, high: int, item: _Info) -> _Info:
    if low == 0:
        if high == 1 and item.exact is not None:
            return _Info(item.exact | {""})
        return _Info(_UNKNOWN, [], set())
    if low == high and item.exact is not None:
        exact: set[str] | None = {""}
        for _ in range(low):
            exact = _product(exact, item.exact) if exact is not None else None
        if exact is not None:
            return _Info(exact)
    # At least one repetition: whatever one needs, all do, and a match starts as one does.
    best = _best(item)
    info = _Info(_UNKNOWN, [best] if best is not None else [], item.first)
    if best is not None and low > 1:
        # The repetitions do not overlap: "(?:#\w+\s*){3,}" holds three "#".
        info.times[frozenset(best)] = low * item.times.get(frozenset(best), 1)
    return info


def _product(left: set[str], right: set[str]) -> set[str] | None:
    if len(left) * len(right) > _MAX_SET:
        return None
    out = {a + b for a in left for b in right}
    if any(len(s) > _MAX_ATOM for s in out):
        return None
    return out


def _first(run: set[str], head: set[str] | None, part: _Info) -> set[str]:
    """What a sequence starts with, given its leading run and the part that ends it."""
    if head is not None:
        return head
    return part.first if run == {""} else _known(run)


def _known(first: set[str] | None) -> set[str]:
    """``first`` if it says something (a set without ""), else the empty set."""
    return first if first and "" not in first else set()


def _joined(left: set[str], right: set[str]) -> set[str] | None:
    """Each of ``left`` followed by each of ``right``, cut to ``_MAX_ATOM`` characters (a
    part of a required literal is required); None when there is nothing to join or there
    would be too many."""
    if not right or "" in right or left == {""} or len(left) * len(right) > _MAX_JOINED:
        return None
    return {(a + b)[:_MAX_ATOM] for a in left for b in right}


def _best(info: _Info) -> set[str] | None:
    """The most selective of the sets one of whose members every match holds."""
    candidates = _candidates(info)
    if not candidates:
        return None
    return max(candidates, key=_score)


def _candidates(info: _Info) -> list[set[str]]:
    """The sets one of whose members every match holds (none empty or holding "")."""
    candidates = [s for s in info.required if s and "" not in s]
    if info.exact is not None and info.exact and "" not in info.exact:
        candidates.append(info.exact)
    return candidates


def _score(atoms: set[str]) -> tuple[int, int]:
    # Longer shortest atom first (rarer in text), then fewer atoms.
    return (min(len(a) for a in atoms), -len(atoms))


def _fold_char(code: int) -> str:
    # casefold() maps every character RE2's case-insensitive matching equates to the same
    # string (tests/test_regexatoms.py checks each character with a case mapping), so an
    # atom folded here is found in the folded text whatever the case of the match.
    return chr(code).casefold()


def _class_chars(items: list[tuple[Any, Any]], fold: bool) -> set[str] | None:
    char = _fold_char if fold else chr
    chars: set[str] = set()
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            chars.add(char(arg))
        elif name == "RANGE":
            low, high = arg
            if high - low >= _MAX_CLASS:
                return None
            chars.update(char(code) for code in range(low, high + 1))
        elif name == "CATEGORY" and str(arg) == "CATEGORY_DIGIT":
            chars |= _DIGITS  # RE2's \d is ASCII only
        else:  # NEGATE, other categories
            return None
        if len(chars) > _MAX_CLASS:
            return None
    return chars or None
