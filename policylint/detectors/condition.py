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


class _Name(NamedTuple):
    words: tuple[str, ...]
    prefix: bool  # the last word matches any word it starts
    condition: str
    kind: str


class _Vocabulary(NamedTuple):
    by_first: dict[str, list[_Name]]  # names whose first word is whole, by that word
    by_stem: dict[str, list[_Name]]  # one-word prefix names, by their first three letters
    longest: int  # the most words in a name


def _usable(name: str, source: str) -> bool:
    if name.startswith("~") or not name.strip("*"):
        return False
    if source == "icd10cm" and " " not in name:
        return len(name) > _ABBREVIATION_LETTERS and name not in EVERYDAY_NAMES
    return True


@cache
def _vocabulary() -> _Vocabulary:
    from policylint._resources import rules_dir
    from policylint._text.views import fold_term

    by_first: dict[str, list[_Name]] = {}
    by_stem: dict[str, list[_Name]] = {}
    longest = 1
    text = (rules_dir() / "data" / "health_conditions.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        condition, kind, _lang, source, names = line.split("\t")
        for name in names.split("|"):
            if not _usable(name, source):
                continue
            words = tuple(_WORD.findall(fold_term(name.rstrip("*"))))
            if not words:
                continue
            entry = _Name(words, name.endswith("*"), condition, kind)
            longest = max(longest, len(words))
            if entry.prefix and len(words) == 1:
                by_stem.setdefault(words[0][:3], []).append(entry)
            else:
                by_first.setdefault(words[0], []).append(entry)
    return _Vocabulary(by_first, by_stem, longest)


def _matches(name: _Name, words: list[str], at: int) -> bool:
    count = len(name.words)
    if at + count > len(words):
        return False
    if name.prefix:
        return words[at : at + count - 1] == list(name.words[:-1]) and words[
            at + count - 1
        ].startswith(name.words[-1])
    return tuple(words[at : at + count]) == name.words


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
            key=lambda name: len(name.words),
            default=None,
        )
        if best is None:
            at += 1
            continue
        last = at + len(best.words) - 1
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
            Detection(*folded.to_original(start, end), name.condition, name.kind)
            for start, end, name in find_conditions(folded.text)
        ]

    def canonical(self, text: str) -> str:
        from policylint._text.views import fold_term

        for _start, _end, name in find_conditions(fold_term(text)):
            return name.condition
        return " ".join(text.split()).lower()


DETECTOR: Detector = ConditionDetector()
