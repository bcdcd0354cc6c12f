"""People named in running text: a title and a name, or a given name and a surname.

Two shapes are reported, in English, Spanish, German, French, Italian and Portuguese:

* a title and a capitalised name (``Mr. Okafor``, ``Frau Kessler``, ``Sr. Joaquim Pereira``,
  ``M. Dupont``, ``signora Bianchi``, ``Dr. Patel``), label ``title``;
* a given name of ``rules/data/privacy_given_names.tsv`` followed by a capitalised surname or
  an initial (``Rachel Okonkwo``, ``María Soledad Ortiz``, ``Brenda K.``), label ``name``.

The given names are those of the post's language when ``meta.lang`` names one of the six, of
all six otherwise. A name the data marks as also an ordinary word in those languages (Will,
Mark, Grace, Rosa) needs more evidence: it must not open a sentence, and its surname must not
be a common word (``Will Smith`` is not found, ``Mark Twain`` at a sentence's start neither).
The data's own caveat says its es and fr marks also cover proper nouns, so only the en, de,
it and pt marks count. A word after a title or given name does not count as a name when it
is one of the commonest words of the languages (``Mr Right``, ``Frau Sorgen``,
``Maria Happy``): the frequency lists of :mod:`policylint._text.wordsplit` decide.

A first name alone (``Harold``) is not reported: it identifies no one by itself. The value is
the name as written with single spaces (allow lists compare it case-insensitively).
"""

from __future__ import annotations

import re
from functools import cache

from policylint._model.struct import NamedTuple
from policylint._text.wordsplit import LANGUAGES, fold, languages_for, rank
from policylint.detectors.base import Detection, Detector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._text.post import PostViews

__all__ = ["COMMON_RANK", "DETECTOR", "TITLES", "PersonDetector"]

#: Titles before a name, by language, lower case, without their dot.
TITLES: dict[str, frozenset[str]] = {
    "en": frozenset({"mr", "mrs", "ms", "mx", "miss", "mister", "dr", "prof"}),
    "es": frozenset({"sr", "sra", "srta", "señor", "señora", "señorita", "don", "doña", "dr",
                     "dra"}),
    "de": frozenset({"herr", "frau", "dr", "prof"}),
    "fr": frozenset({"m", "mme", "mlle", "monsieur", "madame", "mademoiselle", "dr", "pr"}),
    "it": frozenset({"sig", "sig.ra", "signor", "signora", "signorina", "dott", "dott.ssa",
                     "prof"}),
    "pt": frozenset({"sr", "sra", "senhor", "senhora", "dona", "dr", "dra"}),
}  # fmt: skip
#: A word this frequent in the languages' lists is a word, not a name, after a title or given
#: name; for a given name that is also a word the surname must be rarer still.
COMMON_RANK = 400
_AMBIGUOUS_COMMON_RANK = 3000
# German capitalises every noun, so after Herr and Frau a word must be rarer still in the German
# list ("Frau Hilfe" is "woman help"; Müller, the commonest surname, ranks 1,310).
_NOUN_TITLES = frozenset({"herr", "frau"})
_NOUN_TITLE_RANK = 1000
#: A name inside a run of this many capitalised words holding a common one is a headline
#: or a title ("Drunk Guy Trips At Game"), not a person.
_HEADLINE_WORDS = 4
#: Languages whose "also a word" marks in the names data are trusted (see the module doc).
_TRUSTED_MARKS = frozenset({"en", "de", "it", "pt"})
# A word with its dots: letters, with inner hyphens and apostrophes (Jean-Luc, O'Brien), and
# the abbreviations of titles (Sig.ra, Dott.ssa).
_WORD = re.compile(r"[^\W\d_]+(?:[-'’.][^\W\d_]+)*\.?")
_SENTENCE_END = frozenset('.!?:;\n"“”«»¡¿')


class _Word(NamedTuple):
    start: int
    end: int  # after the dot, if any
    text: str  # without the dot
    dotted: bool


@cache
def _given_names() -> dict[str, str]:
    """Each given name and the rest of its line (its languages, then where it is a word):
    read whole, each line parsed only when its name is met (:func:`_given`)."""
    from policylint._resources import rules_dir

    path = rules_dir() / "data" / "privacy_given_names.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line and line[0] != "#")


def _given(name: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """A given name's languages and the trusted languages where it is also a word."""
    rest = _given_names().get(name)
    if rest is None:
        return None
    languages, _, also_word = rest.partition("\t")
    return frozenset(languages.split(",")), frozenset(also_word.split(",")) & _TRUSTED_MARKS


def _words(text: str) -> list[_Word]:
    words = []
    for m in _WORD.finditer(text):
        token = m.group()
        dotted = token.endswith(".")
        words.append(_Word(m.start(), m.end(), token.rstrip("."), dotted))
    return words


def _capitalised(word: str) -> bool:
    """A name's shape: a capital, then not only capitals (``Okafor``, ``McDonald``; an
    initial is handled apart)."""
    return len(word) > 1 and word[0].isupper() and not word.isupper()


def _common(word: str, langs: tuple[str, ...], limit: int = COMMON_RANK) -> bool:
    found = rank(fold(word), langs)
    return found is not None and found <= limit


def _adjacent(text: str, left: _Word, right: _Word) -> bool:
    """Whether only spaces (one line) separate two words."""
    gap = text[left.end : right.start]
    return 0 < len(gap) <= 2 and gap.isspace() and "\n" not in gap


def _opens_sentence(text: str, word: _Word) -> bool:
    before = text[: word.start].rstrip()
    return not before or before[-1] in _SENTENCE_END


class PersonDetector:
    name = "person"
    description = (
        "People's names: a title and a name (Mr. Okafor, Frau Kessler, Sr. Pereira) or a "
        "common given name and a surname or initial (Rachel Okonkwo, Brenda K.)."
    )

    def detect(self, post: PostViews) -> list[Detection]:
        plain = post.plain
        found = []
        for start, end, label in find_people(plain.text, languages_for(post.meta)):
            name = " ".join(plain.text[start:end].split())
            found.append(Detection(*plain.to_original(start, end), name, label))
        return found

    def canonical(self, text: str) -> str:
        return " ".join(text.split()).lower()


def find_people(text: str, langs: tuple[str, ...] = LANGUAGES) -> list[tuple[int, int, str]]:
    """Names of people in ``text``: start, end and label (``title`` or ``name``)."""
    titles = frozenset().union(*(TITLES[lang] for lang in langs))
    words = _words(text)
    found: list[tuple[int, int, str]] = []
    index = 0
    while index < len(words):
        word = words[index]
        last = _after_title(text, words, index, titles, langs)
        label = "title"
        if last is None:
            last = _after_given_name(text, words, index, langs)
            label = "name"
        if last is None or (label == "name" and _in_headline(text, words, index, last, langs)):
            index += 1
            continue
        found.append((word.start, _end(words[last]), label))
        index = last + 1
    return found


def _in_headline(
    text: str, words: list[_Word], first: int, last: int, langs: tuple[str, ...]
) -> bool:
    """Whether words ``first``..``last`` sit in a run of capitalised words long enough to be
    a headline, with a common word in it."""
    start, end = first, last
    while (
        start > 0
        and _adjacent(text, words[start - 1], words[start])
        and (words[start - 1].text[:1].isupper())
    ):
        start -= 1
    while (
        end + 1 < len(words)
        and _adjacent(text, words[end], words[end + 1])
        and (words[end + 1].text[:1].isupper())
    ):
        end += 1
    run = words[start : end + 1]
    return len(run) >= _HEADLINE_WORDS and any(_common(w.text, langs) for w in run)


def _end(word: _Word) -> int:
    """Where a name's last word ends: an initial keeps its dot, a surname does not."""
    return word.end if word.dotted and len(word.text) == 1 else word.start + len(word.text)


def _is_title(word: _Word, titles: frozenset[str]) -> bool:
    lowered = word.text.lower()
    if lowered not in titles:
        return False
    if lowered == "m":  # French "M." only written so
        return word.text == "M" and word.dotted
    # Short titles are capitalised ("Dr", "Sr"); spelt-out ones may not be ("signora Bianchi").
    return word.text[0].isupper() or len(lowered) > 4


def _name_word(word: _Word, langs: tuple[str, ...], noun_title: bool = False) -> bool:
    """A capitalised word that can be a name: not one of the commonest words, unless it is a
    given name too."""
    if not _capitalised(word.text) or "." in word.text:
        return False
    if noun_title and _common(word.text, ("de",), _NOUN_TITLE_RANK):
        return False
    return word.text in _given_names() or not _common(word.text, langs)


def _after_title(
    text: str, words: list[_Word], index: int, titles: frozenset[str], langs: tuple[str, ...]
) -> int | None:
    """The index of the last word of a name after a title at ``index``, or None."""
    if not _is_title(words[index], titles):
        return None
    noun_title = words[index].text.lower() in _NOUN_TITLES
    last = None
    for following in range(index + 1, min(index + 3, len(words))):
        if not _adjacent(text, words[following - 1], words[following]):
            break
        if not _name_word(words[following], langs, noun_title):
            break
        last = following
        if words[following].dotted:
            break  # a full stop ends the name
    return last


def _after_given_name(
    text: str, words: list[_Word], index: int, langs: tuple[str, ...]
) -> int | None:
    """The index of the surname or initial after a given name at ``index``, or None."""
    word = words[index]
    given = None if word.dotted else _given(word.text)
    if given is None or given[0].isdisjoint(langs):
        return None
    also_word = not given[1].isdisjoint(langs)
    if also_word and _opens_sentence(text, word):
        return None
    last = None
    for following in range(index + 1, min(index + 3, len(words))):
        candidate = words[following]
        if not _adjacent(text, words[following - 1], candidate):
            break
        if len(candidate.text) == 1 and candidate.text.isupper() and candidate.dotted:
            return following  # an initial: Brenda K.
        if not _name_word(candidate, langs):
            break
        if also_word and _common(candidate.text, langs, _AMBIGUOUS_COMMON_RANK):
            break
        last = following
        if candidate.dotted:
            break
    return last


DETECTOR: Detector = PersonDetector()
