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
from functools import cache

from policylint._model.struct import NamedTuple
from policylint.detectors.base import Detection, Detector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._text.post import PostViews

__all__ = ["DETECTOR", "EVERYDAY_NAMES", "ConditionDetector"]

#: ICD-10-CM names that are everyday words far more often than a diagnosis in a post.
EVERYDAY_NAMES = frozenset(
    {"shock", "illness", "plague", "pinta", "worries", "unhappiness", "nervousness",
     "weakness", "hostility", "flushing", "overactivity", "infestation", "impulsiveness"}
)  # fmt: skip
#: ICD-10-CM single-word names this short are abbreviations (ALPS, POTS, SIRS).
_ABBREVIATION_LETTERS = 4
# A word of the folded view: letters and digits (apostrophes and hyphens separate words).
_WORD = re.compile(r"[^\W_]+")


# A name: its words, whether the last matches any word it starts, the condition, its kind.
_Name = tuple[tuple[str, ...], bool, str, str]


class _Vocabulary(NamedTuple):
    by_first: dict[str, list[_Name]]  # names whose first word is whole, by that word
    by_stem: dict[str, list[_Name]]  # one-word prefix names, by their first three letters


_ACCENTS = re.compile("[\u0300-\u036f]")


def fold_names(text: str) -> str:
    """Names folded as the folded view folds a post (casefold, accents dropped), all of them
    in one pass: name by name through the view's folding would cost tens of milliseconds,
    paid by every check that reaches a condition rule. ``tests/test_data_detectors.py``
    checks that both agree on every name of the data file."""
    return _ACCENTS.sub("", unicodedata.normalize("NFD", text.casefold()))


def _usable(name: str, source: str) -> bool:
    if name.startswith("~") or not name.strip("*"):
        return False
    if source == "icd10cm" and " " not in name:
        return len(name) > _ABBREVIATION_LETTERS and name not in EVERYDAY_NAMES
    return True


@cache
def _vocabulary() -> _Vocabulary:
    from policylint._resources import rules_dir

    text = (rules_dir() / "data" / "health_conditions.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and line[0] != "#"]
    folded = fold_names("\n".join(row[4] for row in rows)).split("\n")
    by_first: dict[str, list[_Name]] = {}
    by_stem: dict[str, list[_Name]] = {}
    for (condition, kind, _lang, source, _names), names in zip(rows, folded, strict=True):
        for name in names.split("|"):
            if not _usable(name, source):
                continue
            stem = name.rstrip("*")
            # most names are words and spaces: split them without the regex
            plain = stem.replace(" ", "").isalnum()
            words = tuple(stem.split()) if plain else tuple(_WORD.findall(stem))
            if not words:
                continue
            prefix = name.endswith("*")
            entry = (words, prefix, condition, kind)
            if prefix and len(words) == 1:
                by_stem.setdefault(words[0][:3], []).append(entry)
            else:
                by_first.setdefault(words[0], []).append(entry)
    return _Vocabulary(by_first, by_stem)


def _matches(name: _Name, words: list[str], at: int) -> bool:
    named, prefix = name[0], name[1]
    count = len(named)
    if at + count > len(words):
        return False
    if prefix:
        return words[at : at + count - 1] == list(named[:-1]) and words[at + count - 1].startswith(
            named[-1]
        )
    return tuple(words[at : at + count]) == named


def find_conditions(folded: str) -> Iterator[tuple[int, int, _Name]]:
    """Conditions named in a folded text: start, end and the name found, longest first at
    each word, without overlaps."""
    vocabulary = _vocabulary()
    spans = [(m.start(), m.end()) for m in _WORD.finditer(folded)]
    words = [folded[start:end] for start, end in spans]
    at = 0
    while at < len(words):
        word = words[at]
        candidates = [*vocabulary.by_first.get(word, ()), *vocabulary.by_stem.get(word[:3], ())]
        best = max(
            (name for name in candidates if _matches(name, words, at)),
            key=lambda name: len(name[0]),
            default=None,
        )
        if best is None:
            at += 1
            continue
        last = at + len(best[0]) - 1
        yield spans[at][0], spans[last][1], best
        at = last + 1


class ConditionDetector:
    name = "condition"
    description = (
        "Health conditions by lay and ICD-10-CM names in six languages "
        "(rules/data/health_conditions.tsv)."
    )

    def detect(self, post: PostViews) -> list[Detection]:
        folded = post.folded
        return [
            Detection(*folded.to_original(start, end), name[2], name[3])
            for start, end, name in find_conditions(folded.text)
        ]

    def canonical(self, text: str) -> str:
        from policylint._text.views import fold_term

        for _start, _end, name in find_conditions(fold_term(text)):
            return name[2]
        return " ".join(text.split()).lower()


DETECTOR: Detector = ConditionDetector()
