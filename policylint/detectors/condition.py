"""Health conditions, by their lay and formal names, in six languages.

The vocabulary is ``rules/data/health_conditions.tsv`` (ICD-10-CM names and lay names written
for policylint in English, Spanish, German, French, Portuguese and Italian; its header gives
the format), read the first time a post is searched. Names match like terms do: on the
folded view (case, accents and leetspeak folded), as whole words, a trailing ``*`` matching
the rest of the word (``ekzem*``: Ekzeme); punctuation and spaces between words are
interchangeable (``covid-19`` = ``covid 19``), and the longest name wins (``plaque
psoriasis`` over ``psoriasis``).

Not reported: names the data marks ambiguous in everyday posts (``~cold``, ``~bug``,
``~pickel``: a rule that wants them pairs them with medical context itself), ICD-10-CM
abbreviations of four letters or fewer (``alps``, ``pots``) and the few ICD-10-CM names that
are everyday words (:data:`EVERYDAY_NAMES`).

The value is the condition's id (the ICD-10-CM code such as ``L40``, or ``lay.NAME`` /
``vet.NAME``), so ``allow ["psoriasis"]`` allows every name of psoriasis in every language;
the label is its kind (``disease``, ``infection``, ``symptom``, ``pseudo``, ``vet``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

from policylint._model.struct import NamedTuple
from policylint.detectors.base import Detection, Detector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._text.post import PostViews

__all__ = [
    "DETECTOR",
    "EVERYDAY_NAMES",
    "ConditionDetector",
    "conditions_in",
    "vocabulary_loaded",
]

#: ICD-10-CM names that are everyday words far more often than a diagnosis in a post.
EVERYDAY_NAMES = frozenset(
    {"shock", "illness", "plague", "pinta", "worries", "unhappiness", "nervousness",
     "weakness", "hostility", "flushing", "overactivity", "infestation", "impulsiveness"}
)  # fmt: skip
#: ICD-10-CM single-word names this short are abbreviations (ALPS, POTS, SIRS).
_ABBREVIATION_LETTERS = 4
# A word of the folded view: letters and digits (apostrophes and hyphens separate words).
_WORD = re.compile(r"[^\W_]+")


# What a name stands for: the condition, its kind, and the source of the name.
_Entry = tuple[str, str, str]


class _Vocabulary(NamedTuple):
    names: dict[str, _Entry]  # whole names, their words joined by single spaces
    stems: dict[str, list[tuple[str, _Entry]]]  # "ekzem*", "fungal infection*": by their
    # words with the last cut to three letters ("ekz", "fungal inf"), with the whole stem
    longest: int  # the most words in a name
    firsts: frozenset[str]  # the first words of names and of stems of several words, and
    # the three letters of one-word stems: a post's word in neither starts no name


_ACCENTS = re.compile("[\u0300-\u036f]")
# What separates the words of a name (spaces, hyphens, apostrophes, slashes): one space.
_SEPARATORS = re.compile(r"[^\w*|\n~]+")


def fold_names(text: str) -> str:
    """Names folded as the folded view folds a post (casefold, accents dropped), all of them
    in one pass: name by name through the view's folding would cost tens of milliseconds,
    paid by every check that reaches a condition rule. ``tests/test_data_detectors.py``
    checks that both agree on every name of the data file."""
    return _ACCENTS.sub("", unicodedata.normalize("NFD", text.casefold()))


def _usable(name: str, entry: _Entry) -> bool:
    """Whether a name found in a post counts (ambiguous names never match: a post's words
    never start with "~")."""
    if entry[2] == "icd10cm" and " " not in name:
        return len(name) > _ABBREVIATION_LETTERS and name not in EVERYDAY_NAMES
    return True


@cache
def _vocabulary() -> _Vocabulary:
    """The names of the data file, keyed as a post's words are looked up. Built with whole-
    file passes and one dictionary per kind of name: this runs in every check that reaches a
    condition rule."""
    from policylint._resources import rules_dir

    text = (rules_dir() / "data" / "health_conditions.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and line[0] != "#"]
    column = _SEPARATORS.sub(" ", fold_names("\n".join(row[4] for row in rows)))
    pairs = [
        (name.strip(), (row[0], row[1], row[3]))
        for row, names in zip(rows, column.split("\n"), strict=True)
        for name in names.split("|")
    ]
    # reversed: a name listed twice keeps its first condition
    names = {name: entry for name, entry in reversed(pairs) if name[-1:] != "*"}
    stems: dict[str, list[tuple[str, _Entry]]] = {}
    for name, entry in pairs:
        if name[-1:] == "*":
            stem = name.rstrip("*").strip()
            head, _, last = stem.rpartition(" ")
            stems.setdefault(f"{head} {last[:3]}".lstrip(), []).append((stem, entry))
    longest = max(name.count(" ") for name, _ in pairs) + 1
    firsts = frozenset(name.partition(" ")[0].rstrip("*") for name, _ in pairs)
    return _Vocabulary(names, stems, longest, firsts | {key for key in stems if " " not in key})


def vocabulary_loaded() -> bool:
    """Whether this process has read the vocabulary (a detection has been asked for)."""
    return _vocabulary.cache_info().currsize > 0


@lru_cache(maxsize=1)
def conditions_in(folded: str) -> tuple[tuple[int, int, _Entry], ...]:
    """:func:`find_conditions` of the post last asked about, kept: the ``condition``
    precheck (:mod:`policylint._runtime.prechecks`) and the detector then search a post once."""
    return tuple(find_conditions(folded))


def find_conditions(folded: str) -> Iterator[tuple[int, int, _Entry]]:
    """Conditions named in a folded text: start, end and what the name stands for, the
    longest name first at each word, without overlaps."""
    vocabulary = _vocabulary()
    spans = [(m.start(), m.end()) for m in _WORD.finditer(folded)]
    words = [folded[start:end] for start, end in spans]
    at = 0
    while at < len(words):
        found = _longest_at(vocabulary, words, at)
        if found is None:
            at += 1
            continue
        last, entry = found
        yield spans[at][0], spans[last][1], entry
        at = last + 1


def _longest_at(vocabulary: _Vocabulary, words: list[str], at: int) -> tuple[int, _Entry] | None:
    """The last word and entry of the longest name starting at word ``at``, if any."""
    if words[at] not in vocabulary.firsts and words[at][:3] not in vocabulary.firsts:
        return None
    for count in range(min(vocabulary.longest, len(words) - at), 0, -1):
        phrase = " ".join(words[at : at + count])
        entry = vocabulary.names.get(phrase)
        if entry is not None and _usable(phrase, entry):
            return at + count - 1, entry
        head, _, last = phrase.rpartition(" ")
        for stem, entry in vocabulary.stems.get(f"{head} {last[:3]}".lstrip(), ()):
            if phrase.startswith(stem) and phrase.count(" ") == stem.count(" "):
                return at + count - 1, entry
    return None


class ConditionDetector:
    name = "condition"
    description = (
        "Health conditions by lay and ICD-10-CM names in six languages "
        "(rules/data/health_conditions.tsv)."
    )

    def detect(self, post: PostViews) -> list[Detection]:
        folded = post.folded
        return [
            Detection(*folded.to_original(start, end), entry[0], entry[1])
            for start, end, entry in conditions_in(folded.text)
        ]

    def canonical(self, text: str) -> str:
        from policylint._text.views import fold_term

        for _start, _end, entry in find_conditions(fold_term(text)):
            return entry[0]
        return " ".join(text.split()).lower()


DETECTOR: Detector = ConditionDetector()
