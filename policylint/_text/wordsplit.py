"""Run-together words split apart: ``throwbackthursday`` -> throwback + thursday.

A small unigram segmenter over the shipped frequency lists ``rules/data/a11y_words_LANG.txt``
(one word a line, the most frequent first). The design follows the usual unigram model
(Norvig's *Natural Language Corpus Data*, as wordsegment uses it): a word of rank r in a list
of n words makes up about 1/(r log n) of running text (Zipf), so its cost is log(r log n),
and the best reading of a run of letters is the sequence of words whose costs add up to the
least, found by dynamic programming (Viterbi) over the letters. Unlike a general segmenter it
never invents a word: a run that the known words cannot cover completely has no split, so a
name or a typo is left alone rather than cut into pieces.

Words and text are compared folded, letter for letter (lower case, accents dropped: hashtags
are often typed without them, #recetasfaciles for recetas fáciles), so a split maps back to
the letters typed. A list is read the first time a text in its language is split, never at
start-up.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from functools import cache, lru_cache

from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "LANGUAGES",
    "Split",
    "fold",
    "languages_for",
    "likeliest_split",
    "rank",
    "split_words",
]

#: The languages with a word list, in the order their lists are read.
LANGUAGES = ("en", "es", "de", "fr", "it", "pt")
#: Longest word looked for, in letters: no listed word a hashtag is made of is longer.
LONGEST = 24
#: How much cheaper (in cost, a log) an English reading counts when other languages compete.
ENGLISH_PRIOR = 3.0
#: The least a word of one or two letters costs: that of a word ranked about 1,000th (one
#: letter) or 10,000th (two letters: "am ano" must not beat "a mano").
SHORT_WORD_COST = {1: math.log(1_000 * math.log(20_000)), 2: math.log(10_000 * math.log(20_000))}


def languages_for(meta: Mapping[str, Any]) -> tuple[str, ...]:
    """The lists to split a post's words with: its language (``meta.lang``, such as "it" or
    "pt-BR") and English, which posts everywhere mix in; all six when it names none of them."""
    lang = meta.get("lang")
    if isinstance(lang, str):
        code = lang.strip().lower()[:2]
        if code in LANGUAGES:
            return (code,) if code == "en" else (code, "en")
    return LANGUAGES


def _fold_char(ch: str) -> str:
    """One letter lower-cased without its accent, always one character (``ß`` stays)."""
    lowered = ch.lower()
    if lowered.isascii():
        return lowered[:1] or ch
    return unicodedata.normalize("NFD", lowered)[0]


def fold(text: str) -> str:
    """``text`` lower-cased without accents, with exactly one character per character of
    ``text`` (so offsets in the folded text are offsets in ``text``)."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


# Combining accents, dropped when a whole list is folded at once (see _fold_list).
_ACCENTS = re.compile("[\u0300-\u036f]")


def _fold_list(text: str) -> str:
    """A whole word list folded as :func:`fold` folds each of its words, in one pass:
    letter by letter would cost a tenth of a second per list."""
    if text.isascii():
        return text.lower()
    return _ACCENTS.sub("", unicodedata.normalize("NFD", text.lower()))


@cache
def _ranks(lang: str) -> dict[str, int]:
    """The folded words of a language's list and their rank (1 = most frequent)."""
    from policylint._resources import rules_dir

    path = rules_dir() / "data" / f"a11y_words_{lang}.txt"
    words = _fold_list(path.read_text(encoding="utf-8")).splitlines()
    header = 0  # the comment lines, all at the top
    while header < len(words) and words[header][:1] == "#":
        header += 1
    del words[:header]
    # built from the rarest up, so a word listed twice keeps its better rank
    return dict(zip(reversed(words), range(len(words), 0, -1), strict=True))


@cache
def _scale(lang: str) -> float:
    return math.log(len(_ranks(lang)))


def rank(word: str, langs: tuple[str, ...] = LANGUAGES) -> int | None:
    """The best rank of a folded ``word`` in the lists of ``langs``, or None if none has it."""
    found = [r for r in (_ranks(lang).get(word) for lang in langs) if r is not None]
    return min(found, default=None)


def _cost(word: str, langs: tuple[str, ...]) -> float | None:
    costs = [
        math.log(r * _scale(lang)) for lang in langs if (r := _ranks(lang).get(word)) is not None
    ]
    if not costs:
        return None
    # One- and two-letter words are the commonest of all, yet a split that needs one is most
    # often a longer word the lists lack, cut up ("map le" for maple, "te a party"): they
    # cost at least what a word of middling frequency costs.
    return max(min(costs), SHORT_WORD_COST.get(len(word), 0.0))


class Split(NamedTuple):
    """A reading of a run of letters: its words (slices of the text), their total cost and
    the languages whose lists it was read with."""

    words: list[str]
    cost: float
    langs: tuple[str, ...]


def split_words(text: str, langs: tuple[str, ...] = LANGUAGES) -> list[str] | None:
    """``text`` (letters) as its likeliest sequence of words, each word in one language of
    ``langs`` and English at most: one language's hashtag mixed with English words
    (#pastalover), never a patchwork of six languages' short words ("avo ca do" for
    avocado). None when no such reading covers it completely."""
    found = likeliest_split(text, langs)
    return list(found.words) if found is not None else None  # a copy: the split is shared


# Hashtags recur over the posts of a run (a campaign's tag, #ad, #throwbackthursday: of the
# 7,053 hashtags of the benchmarks' 10,000 tweets, 1,503 are distinct), and a split costs
# a Viterbi pass per language: each text is split once. Bounded, for a stream of millions.
@lru_cache(maxsize=4096)
def likeliest_split(text: str, langs: tuple[str, ...] = LANGUAGES) -> Split | None:
    """The cheapest :class:`Split` of ``text`` over the groups (each language of ``langs``
    with English), or None. Remembered: do not change its words."""
    groups = {(lang,) if lang == "en" else (lang, "en") for lang in langs}
    splits = [found for group in sorted(groups) if (found := _viterbi(text, group))]
    # A post of no stated language is most often English: an English reading wins unless
    # another is clearly likelier (#oneofthosedays is not German "oft" + "hose").
    return min(
        splits,
        key=lambda found: found.cost - ENGLISH_PRIOR * (found.langs == ("en",)),
        default=None,
    )


def _viterbi(text: str, langs: tuple[str, ...]) -> Split | None:
    """``text`` as its cheapest sequence of words of ``langs``, or None."""
    folded = fold(text)
    # best[end]: the least cost of reading folded[:end] as words, and where its last word starts
    best: list[tuple[float, int] | None] = [(0.0, 0)] + [None] * len(folded)
    for end in range(1, len(folded) + 1):
        for start in range(max(0, end - LONGEST), end):
            before = best[start]
            if before is None:
                continue
            cost = _cost(folded[start:end], langs)
            if cost is None:
                continue
            total = before[0] + cost
            current = best[end]
            if current is None or total < current[0]:
                best[end] = (total, start)
    last = best[-1]
    if last is None or not folded:
        return None
    words: list[str] = []
    end = len(folded)
    while end:
        step = best[end]
        assert step is not None
        words.append(text[step[1] : end])
        end = step[1]
    return Split(words[::-1], last[0], langs)
