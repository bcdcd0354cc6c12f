"""Try and evaluate the hashtag segmenter of ``detect(compound_hashtag)`` on the shipped word
lists (rules/data/a11y_words_LANG.txt). The segmenter itself is
policylint/_text/wordsplit.py; the decision (two or more words, not a single word, no rare
short pieces) is policylint/detectors/compound_hashtag.py.

    python tools/vocab/segment.py cucinaitaliana frühstückmitfreunden throwbackthursday
    python tools/vocab/segment.py --lang it cucinaitaliana
    python tools/vocab/segment.py --evaluate        # tools/vocab/hashtag_samples.tsv, per language
"""

from __future__ import annotations

import sys
from pathlib import Path

from policylint._text.wordsplit import LANGUAGES, fold, languages_for
from policylint.detectors.compound_hashtag import compound_split


def reading(tag: str, langs: tuple[str, ...]) -> list[str]:
    """The words the detector hears in a hashtag's letters (one word when it is not split)."""
    letters = tag.lstrip("#")
    return [fold(word) for word in compound_split(letters, langs) or [letters]]


def evaluate(samples: Path) -> dict[str, tuple[int, int]]:
    """Per language, (right, total) over a file of ``lang<TAB>hashtag<TAB>words`` lines, each
    hashtag read as a post in that language would be."""
    scores: dict[str, tuple[int, int]] = {}
    for line in samples.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        lang, tag, words = line.split("\t")
        got = reading(tag, languages_for({"lang": lang}))
        ok = got == fold(words).split()
        if not ok:
            print(f"  {lang} {tag}: {' '.join(got)} (wanted {words})", file=sys.stderr)
        right, total = scores.get(lang, (0, 0))
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
        print(tag, "->", " ".join(reading(tag, langs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
