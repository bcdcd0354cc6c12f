"""Write a11y.hashtag_case's two patterns (rules/accessibility/hashtags.policy) from the word
lists: which hashtags run several words together, and which single words only look as if
they did.

    python tools/vocab/hashtag_pattern.py           rewrite the patterns in the policy
    python tools/vocab/hashtag_pattern.py --check   exit 1 if the policy is out of date

The flag pattern is a hashtag made wholly of words of rules/data/hashtag_words.txt (two or
more, joined optionally by the function words on its last line), in lower case except perhaps
the first letter. A policy cannot read data files, so the words are spelled out in it; a word
with accents matches with or without them (#frühstück, #fruhstuck).

The exception pattern lists the real words that such a split would misread: every word of the
shipped frequency lists (rules/data/a11y_words_LANG.txt, six languages) that the flag pattern
would split (carpet is not car + pet; Sportart is one German word), plus the names and closed
compounds of rules/data/a11y_hashtag_single_words.txt. A word of hashtag_words.txt itself is
never excused (#goodmorning is two words even though it is on the list).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "accessibility" / "hashtags.policy"
DATA = ROOT / "rules" / "data"
MARKERS = {
    "flag": "# generated: hashtags made of several listed words",
    "unless": "# generated: single words the split would misread",
}
#: Shortest real word checked against the split (three-letter words are rarely split).
SHORTEST = 4


def hashtag_words() -> tuple[list[str], list[str]]:
    """(words, function words) of hashtag_words.txt: one word a line, function words last."""
    lines = [
        line
        for line in (DATA / "hashtag_words.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return [w for line in lines[:-1] for w in line.split()], lines[-1].split()


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


def _spellings(word: str, first: bool) -> list[str]:
    """``word`` and, if it has accents, its plain spelling; each also capitalised when it
    may start a hashtag. Literal alternatives, not character classes, so the engine can
    take each "#word" as an atom and skip the pattern for posts without those hashtags."""
    forms = list(dict.fromkeys([word, _plain(word)]))
    if first:
        forms += [f[:1].upper() + f[1:] for f in forms]
    return forms


def _alternation(words: list[str], first: bool) -> str:
    forms = {form for word in words for form in _spellings(word, first)}
    # longest first (an alternation takes the first that fits); capitals before lower case
    return "|".join(sorted(forms, key=lambda w: (-len(w), w)))


def flag_pattern() -> str:
    words, function = hashtag_words()
    head = _alternation(words, first=True)
    tail = _alternation(words, first=False)
    joins = "|".join(sorted(function, key=lambda w: (-len(w), w)))
    return rf"/#(?:{head})(?:(?:{joins})*(?:{tail}))+\d*\b/ in hashtags"


def single_words() -> list[str]:
    """Real words the flag pattern would split, and the listed names and compounds."""
    words, _ = hashtag_words()
    listed = set(words)
    flagged = re.compile(flag_pattern().split(" in hashtags")[0][1:-1].replace(r"\d*\b", r"\d*$"))
    chosen = set((DATA / "a11y_hashtag_single_words.txt").read_text(encoding="utf-8").split("\n"))
    chosen = {w for w in chosen if w and not w.startswith("#")}
    for path in sorted(DATA.glob("a11y_words_*.txt")):
        for word in path.read_text(encoding="utf-8").splitlines():
            if word.startswith("#") or len(word) < SHORTEST or word in listed:
                continue
            if flagged.match("#" + word):
                chosen.add(word)
    return sorted(chosen)


def unless_pattern() -> str:
    return r"/(?i)#(?:" + _alternation(single_words(), first=False) + r")s?\d*\b/"


def rewrite(text: str) -> str:
    lines = text.split("\n")
    patterns = {"flag": flag_pattern(), "unless": "matches " + unless_pattern()}
    for name, marker in MARKERS.items():
        at = next(i for i, line in enumerate(lines) if line.strip() == marker)
        lines[at + 1] = f"  {name:<9} {patterns[name]}"
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = POLICY.read_text(encoding="utf-8")
    new = rewrite(text)
    if "--check" in argv:
        if new != text:
            print(f"{POLICY} is out of date: run {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    POLICY.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
