"""A reference word segmenter over the shipped word lists (rules/data/a11y_words_LANG.txt):
how the hashtag detector should read them, and the tool that checks them.

    python tools/vocab/segment.py cucinaitaliana frühstückmitfreunden throwbackthursday
    python tools/vocab/segment.py --lang it cucinaitaliana
    python tools/vocab/segment.py --evaluate        # tools/vocab/hashtag_samples.tsv, per language

Each list holds one word a line, the most frequent first. A word's cost is its Zipf cost,
log(rank * log(n)) for a list of n words (a word of rank r is about 1/(r log n) of running
text), and a hashtag is split into the words whose costs add up to the least, by dynamic
programming over its letters; a run of letters no word covers costs far more than any word,
so a hashtag that is mostly words is still split around an unknown name. A hashtag is
"several words" when its cheapest split has two or more words and is cheaper than reading it
as one unknown token.

This module is a build and review tool: the engine does not import it (the lead's detector
will do the same work inside policylint, loading a list only when a post has a lower-case
hashtag).
"""

from __future__ import annotations

import math
import sys
import unicodedata
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "rules" / "data"
LANGUAGES = ("en", "es", "de", "fr", "it", "pt")
#: Longest word looked for (letters): longer runs are split or left unknown.
LONGEST = 24
#: Cost of one letter no word covers: an unknown letter costs more than the rarest word.
UNKNOWN_LETTER = 12.0


def read_words(path: Path) -> list[str]:
    """The words of a list file, most frequent first (comment lines start with '#')."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def fold(text: str) -> str:
    """Lower case without accents: hashtags are often typed without them (#recetasfaciles
    for recetas fáciles), so words and hashtags are compared folded."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@cache
def costs(lang: str) -> dict[str, float]:
    words = read_words(DATA / f"a11y_words_{lang}.txt")
    scale = math.log(len(words))
    table: dict[str, float] = {}
    for rank, word in enumerate(words, start=1):
        table.setdefault(fold(word), math.log(rank * scale))
    return table


def segment(text: str, langs: tuple[str, ...] = LANGUAGES) -> list[str]:
    """``text`` (letters, folded with :func:`fold`) as its cheapest sequence of words of
    ``langs``."""
    tables = [costs(lang) for lang in langs]

    def cost(word: str) -> float:
        found = [t[word] for t in tables if word in t]
        return min(found) if found else UNKNOWN_LETTER * len(word)

    best: list[tuple[float, int]] = [(0.0, 0)]
    for end in range(1, len(text) + 1):
        best.append(
            min(
                (best[start][0] + cost(text[start:end]), start)
                for start in range(max(0, end - LONGEST), end)
            )
        )
    words: list[str] = []
    end = len(text)
    while end:
        start = best[end][1]
        words.append(text[start:end])
        end = start
    return words[::-1]


def evaluate(samples: Path) -> dict[str, tuple[int, int]]:
    """Per language, (right, total) over a file of ``lang<TAB>hashtag<TAB>words`` lines,
    each hashtag read with its language's list and the English one (posts mix them)."""
    scores: dict[str, tuple[int, int]] = {}
    for line in samples.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        lang, tag, words = line.split("\t")
        langs = (lang,) if lang == "en" else (lang, "en")
        got = segment(fold(tag), langs)
        right, total = scores.get(lang, (0, 0))
        ok = got == fold(words).split()
        if not ok:
            print(f"  {lang} {tag}: {' '.join(got)} (wanted {words})", file=sys.stderr)
        scores[lang] = (right + ok, total + 1)
    return scores


def main(argv: list[str]) -> int:
    if argv[:1] == ["--evaluate"]:
        samples = (
            Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("hashtag_samples.tsv")
        )
        for lang, (right, total) in evaluate(samples).items():
            print(f"{lang}: {right}/{total}")
        return 0
    langs = LANGUAGES
    if argv[:1] == ["--lang"]:
        langs, argv = tuple(argv[1].split(",")), argv[2:]
    for tag in argv:
        print(tag, "->", " ".join(segment(fold(tag.lstrip("#")), langs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
