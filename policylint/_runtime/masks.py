"""Masked spellings of a term list's words: ``f*ck``, ``f**k``, ``sh!t``, ``ca**o``, ``s***``.

A list defined ``terms NAME = masked [...]`` also matches a word of the same length as one
of its single-word terms whose first letter is that term's first letter and whose other
characters each are the term's letter or a mask symbol (``* # @ $ % ! . -``), at least one
of them a mask. Leetspeak (``m3rde``, ``p@ss``, ``sh!t`` between letters) is already undone
by the folded view, so only words that still hold a mask symbol there are looked up: the
words are found by one regular expression over the folded text, and each is compared with
the terms of its (first letter, length) only. The pattern node is
:class:`policylint._runtime.patterns.MaskedTermsNode`; this module is imported only when a
post may hold a masked word.

Two spellings are not masks: a word whose only mask is its last character (``Free*``,
``put*``: a footnote star far more often than an oath), and sentence punctuation after a
word (``hell.``, ``damn!``: that is the word itself, which the term list matches).
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MASKS", "could_hold_mask", "index_of", "maskable", "masked_words"]

#: The symbols that may stand for a letter.
MASKS = frozenset("*#@$%!.-")
#: Masks that are also sentence punctuation: dropped from a word's end.
_TRAILING = ".!-"
# A word that may be masked: a letter, then letters, digits and mask symbols; not preceded
# by any of them (so it is matched from its first character).
_WORD = re.compile(r"(?<![\w*#@$%!.\-])[^\W\d_][\w*#@$%!.\-]+")
# A mask symbol that can be inside or at the end of a masked word (see could_hold_mask).
_MASK_HINT = re.compile(r"[*#@$%]|[^\W\d_][!.\-]+[^\W\d_]")


def maskable(word: str) -> bool:
    """Whether a (folded) term can have masked spellings: one word of letters, two or more."""
    return len(word) >= 2 and word.isalpha()


def could_hold_mask(text: str) -> bool:
    """False when ``text`` holds no masked word: no ``* # @ $ %``, and no ``! . -`` between
    two letters. Cheap enough to ask of every post (the rule dispatch's precheck)."""
    return _MASK_HINT.search(text) is not None


def index_of(words: Iterable[str]) -> dict[tuple[str, int], tuple[str, ...]]:
    index: dict[tuple[str, int], list[str]] = {}
    for word in words:
        index.setdefault((word[0], len(word)), []).append(word)
    return {key: tuple(found) for key, found in index.items()}


def masked_words(text: str, index: dict[tuple[str, int], tuple[str, ...]]) -> list[tuple[int, int]]:
    """Spans of ``text`` (folded) that are masked spellings of an indexed word."""
    spans = []
    for found in _WORD.finditer(text):
        word = found.group().rstrip(_TRAILING)
        masks = [i for i, ch in enumerate(word) if ch in MASKS]
        if not masks or masks == [len(word) - 1]:
            continue  # no mask, or only a footnote star
        for candidate in index.get((word[0], len(word)), ()):
            if all(ch == want or ch in MASKS for ch, want in zip(word, candidate, strict=True)):
                spans.append((found.start(), found.start() + len(word)))
                break
    return spans
