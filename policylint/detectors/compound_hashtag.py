"""Hashtags that run several words together in one case: ``#throwbackthursday``.

Screen readers read ``#throwbackthursday`` as one made-up word and ``#ThrowbackThursday`` as
two. A hashtag is reported when it is written all in lower case or all in capitals and its
letters split completely into two or more words of the shipped frequency lists
(:mod:`policylint._text.wordsplit`): the post's language and English when ``meta.lang``
names one of the six, all six otherwise (posts mix languages). A hashtag with a capital on
its first letter only (which does not help either: ``#Mondaymotivation``) is most often one
word the lists lack (``#Hautpflege``, ``#Instafood``), so it is reported only when made of
the common hashtag words of ``rules/data/hashtag_words.txt``.

Not reported: a hashtag that is itself a word of any of the lists (``#sustainability``,
``#buongiorno``, ``#Abendessen``) or a name or closed compound of
``rules/data/a11y_hashtag_single_words.txt`` (``#homemade``, ``#facebook``); CamelCase; a
hashtag with a digit or joiner inside (trailing digits are ignored: ``#throwback2024``); and
a split with a word rarer than :data:`WORD_RANK` (not a hashtag word), with a rare one- or
two-letter word, or starting or ending with a one-letter word: the usual ways a word the
lists lack falls into pieces (``#freshers``, ``#theanine``).

The value is the hashtag lower-cased (so ``allow ["#blackfriday"]`` allows it in any case);
the ``{camelcase}`` message placeholder gives the CamelCase form, split the same way.
"""

from __future__ import annotations

from functools import cache

from policylint._text.wordsplit import LANGUAGES, Split, fold, languages_for, likeliest_split, rank
from policylint.detectors.base import Detection, Detector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._text.post import PostViews

__all__ = ["DETECTOR", "CompoundHashtagDetector", "compound_split"]

#: Fewest letters of a hashtag worth splitting (two words of three letters).
MIN_LETTERS = 6
#: How common a one- or two-letter word must be to count as a word of a split ("a", "in",
#: "of", "la", "di"): rarer ones are abbreviations that cut names into pieces.
_SHORT_WORD_RANK = {1: 12, 2: 300}
#: How common any other word of a split must be, unless it is a hashtag word of
#: rules/data/hashtag_words.txt (#vibes, #throwback): the rarest words of the lists ("ers",
#: "dough") are how an unlisted word (#freshers, #sourdough) falls into pieces.
WORD_RANK = 10_000


@cache
def _listed(name: str) -> frozenset[str]:
    """The folded words of a data file of one word a line (a line may hold several)."""
    from policylint._resources import rules_dir

    text = (rules_dir() / "data" / name).read_text(encoding="utf-8")
    return frozenset(
        fold(word) for line in text.splitlines() if line[:1] != "#" for word in line.split()
    )


def _one_case(letters: str) -> bool:
    """All lower case, all capitals, or a capital on the first letter only."""
    return letters.islower() or letters.isupper() or letters[1:].islower()


def compound_split(letters: str, langs: tuple[str, ...] = LANGUAGES) -> list[str] | None:
    """The words a run of letters is made of, when it is two or more listed words and not a
    single word itself; None otherwise."""
    folded = fold(letters)
    if (
        len(folded) < MIN_LETTERS
        or folded in _listed("a11y_hashtag_single_words.txt")
        or rank(folded) is not None
    ):
        return None
    found = likeliest_split(letters, langs)
    if (
        found is None
        or len(found.words) < 2
        or not all(_plausible(word, found, at) for at, word in enumerate(found.words))
    ):
        return None
    if letters[:1].isupper() and letters[1:].islower() and not _capitalised_compound(found):
        return None
    return list(found.words)  # a copy: the split is shared (likeliest_split remembers it)


def _plausible(word: str, found: Split, at: int) -> bool:
    """Whether a word of a split is one a hashtag is made of, not a stray piece."""
    folded = fold(word)
    if folded in _listed("hashtag_words.txt"):
        return True
    found_rank = rank(folded, found.langs)
    if found_rank is None:
        return False
    if len(folded) == 1 and at in (0, len(found.words) - 1):
        return False  # "#oatlatte" is not "o at latte", "#theanine" not "... in e"
    return found_rank <= _SHORT_WORD_RANK.get(len(folded), WORD_RANK)


def _capitalised_compound(found: Split) -> bool:
    """Whether a hashtag with a capital on its first letter only (#Mondaymotivation) reads as
    run-together words rather than one capitalised word. Written so, it is most often one
    word the lists lack: a German compound noun (#Hautpflege), a name or a coinage
    (#Instafood, #Fintech). So it counts only when made wholly of the common hashtag words of
    rules/data/hashtag_words.txt, as the pattern this detector replaced read it."""
    return all(fold(word) in _listed("hashtag_words.txt") for word in found.words)


def _letters(hashtag: str) -> str | None:
    """A hashtag's letters without the sign and trailing digits, if letters is all they are."""
    letters = hashtag[1:].rstrip("0123456789")
    return letters if letters.isalpha() else None


class CompoundHashtagDetector:
    name = "compound_hashtag"
    description = (
        "Hashtags in one case that run two or more words together (#throwbackthursday), "
        "split with the shipped word lists of six languages."
    )

    def detect(self, post: PostViews) -> list[Detection]:
        found: list[Detection] = []
        langs = languages_for(post.meta)
        for start, end in post.entities.hashtags:
            hashtag = post.text[start:end]
            letters = _letters(hashtag)
            if letters and _one_case(letters) and compound_split(letters, langs):
                found.append(Detection(start, end, hashtag.lower()))
        return found

    def canonical(self, text: str) -> str:
        return text.strip().lower()


DETECTOR: Detector = CompoundHashtagDetector()
