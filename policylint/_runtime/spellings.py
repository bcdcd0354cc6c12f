"""How a phrase's spellings are found: one key per phrase, matched on the text without
separators.

A term's words may be joined by a space, a hyphen or nothing (``risk-free`` = ``risk free``
= ``riskfree``), and an apostrophe may be left out (``can't`` = ``cant``). Listing every
spelling as a key of the term automaton made 3**n keys for n separators (118,202 keys for
the built-in packs' 23,230 terms: 2.6 MB of the compiled-policy cache, read on every start).
Instead the phrase automaton (policylint._runtime.terms) holds each phrase once, its
separators dropped (its *key*), and runs on the post with its separators dropped (the
*stripped* view); a hit is then read back in the folded text (:func:`fold_back`) and kept
only if it is one of the phrase's spellings there. A post's stripped view costs a split and
a join; only keys that hit ever have their spellings worked out.

Which spellings a term accepts is unchanged from the key-per-spelling design:

- up to three separators: each one a space, a hyphen or nothing (``risk free fund`` also
  matches ``risk-freefund``);
- more than three: all spaces, all hyphens, or as written (a long phrase is rarely joined);
- a separator next to another or at either end (``draft - do not post``, ``-like``): as
  written only.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Sequence

from policylint._model.struct import NamedTuple

__all__ = ["MAX_SEPARATORS", "Spelling", "fold_back", "key_of", "spellings", "stripped", "texts"]

#: Separators whose every combination a term accepts (3**n spellings); a term with more
#: accepts all spaces, all hyphens or its own.
MAX_SEPARATORS = 3

_SEPARATOR_CHARS = " -"
_SEPARATOR = re.compile("[ -]")
_DROP = str.maketrans("", "", _SEPARATOR_CHARS)


class Spelling(NamedTuple):
    """What a hit of one of a term's keys must be in the folded text: the separators
    ``lead`` before and ``trail`` after the key's span (a term that starts or ends with
    one), and the folded strings that are the term (its accepted spellings)."""

    lead: int
    trail: int
    accepted: frozenset[str]


def texts(core: str) -> tuple[str, ...]:
    """A term's texts: as written, and without its apostrophes if it has any."""
    return (core, core.replace("'", "")) if "'" in core else (core,)


#: Rank in the segmenter's frequency lists (``policylint._text.wordsplit``) at or above which
#: a word is common: leaving out an apostrophe must not spell one (see :func:`index_texts`).
COMMON_WORD_RANK = 5_000


def index_texts(core: str) -> tuple[str, ...]:
    """The texts a term is looked for by: :func:`texts`, less the one without apostrophes
    when leaving one out spells a different common word of the six languages: ``we're`` is
    not ``were``, ``it's`` not ``its``, ``we'll`` not ``well``, ``don't`` not French
    ``dont``, ``I'm`` not German ``im`` (``can't`` still matches ``cant``). Read at compile
    time only: the lists load then, never for a check from the cache."""
    found = texts(core)
    if len(found) == 1:
        return found
    from policylint._text.wordsplit import fold, rank

    for word in core.split():
        if "'" in word:
            plain = fold(word.replace("'", ""))
            common = rank(plain)
            if common is not None and common <= COMMON_WORD_RANK:
                return found[:1]
    return found


def key_of(text: str) -> str:
    """The automaton's key for a text: the text without separators ('' for a text of
    separators only, which is looked for as written)."""
    return text.translate(_DROP)


def spellings(text: str) -> Spelling:
    """The spellings of one of a term's texts (see the module docstring)."""
    lead = len(text) - len(text.lstrip(_SEPARATOR_CHARS))
    trail = len(text) - len(text.rstrip(_SEPARATOR_CHARS))
    parts = _SEPARATOR.split(text)
    if not all(parts):  # an empty word: a separator at an end or next to another
        return Spelling(lead, trail, frozenset((text,)))
    seps = _SEPARATOR.findall(text)
    if len(seps) > MAX_SEPARATORS:
        accepted = {" ".join(parts), "-".join(parts), text}
    else:
        accepted = {
            "".join(itertools.chain.from_iterable(zip(parts, (*choice, ""), strict=True)))
            for choice in itertools.product((" ", "-", ""), repeat=len(seps))
        }
    return Spelling(0, 0, frozenset(accepted))


def stripped(folded: str) -> tuple[str, Sequence[int] | None]:
    """The folded text without separators, and where its separators were: the length of
    the stripped text before each one, in order (None when it has none)."""
    if " " not in folded and "-" not in folded:
        return folded, None
    words = _SEPARATOR.split(folded)
    return "".join(words), list(itertools.accumulate(map(len, words)))


def fold_back(gaps: Sequence[int] | None, index: int) -> int:
    """A position of the stripped text as a position of the folded text: each separator
    that came before it (its gap at or before ``index``) moves it one on."""
    return index if gaps is None else index + bisect_right(gaps, index)
