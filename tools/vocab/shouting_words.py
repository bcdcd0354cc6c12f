"""Write tone.shouting's "everyday words" pattern (rules/tone/shouting.policy): what makes a
run of capitals read as shouting rather than as a list of acronyms.

    python tools/vocab/shouting_words.py           rewrite the pattern in the policy
    python tools/vocab/shouting_words.py --check   exit 1 if the policy is out of date

"WE ARE CLOSED TODAY" and "SAD. UPSET. ANNOYED." shout; "AWS GCP OCI CLI" and "NASA ESA JAXA
CNES" name things. A shouted run holds an ordinary word and an acronym run does not, and
acronyms are short, so a run is reported when one of its words has six letters or more, or is
an everyday short word: one of the most frequent words of rules/data/a11y_words_LANG.txt (the
first TOP_EN English words of two to five letters, the first TOP_OTHER Spanish, German, French,
Italian and Portuguese words of four or five letters: shorter ones are too often acronyms as
well, IT, US, AI, ESA, DAS, DES), or a word of sales copy (SALE, FREE, NOW...). Accented words
match with and without their accents (TÖDLICH, TODLICH).
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "tone" / "shouting.policy"
DATA = ROOT / "rules" / "data"
MARKER = "# generated: the common words that make a capital run shouting"
TOP_EN = 3000
TOP_OTHER = 300
#: Words of sales copy that shout even when no function word does ("BIGGEST SALE EVER").
SALES = [
    "sale",
    "sales",
    "free",
    "now",
    "new",
    "off",
    "today",
    "only",
    "ever",
    "best",
    "biggest",
    "big",
    "huge",
    "last",
    "chance",
    "hurry",
    "shop",
    "buy",
    "deal",
    "deals",
    "save",
    "win",
    "limited",
    "exclusive",
    "final",
    "offer",
    "discount",
    "rebajas",
    "oferta",
    "ofertas",
    "angebot",
    "rabatt",
    "soldes",
    "promo",
    "saldi",
    "sconti",
    "promoção",
    "desconto",
    "gratis",
    "gratuit",
    "kostenlos",
    "ahora",
    "jetzt",
    "maintenant",
    "subito",
    "agora",
    "thank",
    "thanks",
    "sorry",
    "excited",
    "amazing",
    "love",
    "hate",
    "omg",
    "ugh",
    "yay",
    "lol",
    "yes",
    "wow",
    "closed",
    "open",
    "drill",
]
#: Frequent words that are also common acronyms or names in technical posts.
ACRONYMS = {
    "api",
    "aws",
    "cli",
    "ceo",
    "cto",
    "usa",
    "nasa",
    "eur",
    "usd",
    "gmt",
    "utc",
    "faq",
    "diy",
    "etc",
    "tbd",
    "asap",
    "ios",
    "mac",
    "pdf",
    "sms",
    "url",
    "vip",
    "it",
    "us",
    "uk",
    "eu",
    "ai",
    "am",
    "pm",
    "tv",
    "pc",
    "id",
    "ok",
    "st",
    "co",
    "ca",
    "ny",
    "la",
    "dc",
    "vs",
    "ad",
    "pr",
    "hr",
    "ip",
    "os",
    "ui",
    "ux",
    "cd",
    "dvd",
    "html",
    "http",
    "www",
    "com",
    "net",
    "org",
    "inc",
    "ltd",
    "llc",
    "fbi",
    "cia",
    "nba",
    "nfl",
    "bbc",
    "cnn",
    "ibm",
    "gop",
    "mr",
    "mrs",
    "ms",
    "dr",
    "jr",
    "sr",
}


def words() -> list[str]:
    chosen: set[str] = set(SALES)
    for path in sorted(DATA.glob("a11y_words_*.txt")):
        listed = [w for w in path.read_text(encoding="utf-8").splitlines() if w[:1] != "#"]
        english = path.name == "a11y_words_en.txt"
        top, shortest = (TOP_EN, 2) if english else (TOP_OTHER, 4)
        chosen |= {w for w in listed[:top] if shortest <= len(w) <= 5}
    return sorted(chosen - ACRONYMS, key=lambda w: (-len(w), w))


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def pattern() -> str:
    spellings: list[str] = []
    for word in words():
        for form in dict.fromkeys([word.upper(), _plain(word).upper()]):
            if form not in spellings:
                spellings.append(form.replace("'", "['’]"))
    # letters around a word end it (RE2's \b knows only ASCII letters: CAFÉ, TÖDLICH)
    return r"/(?:^|[^\pL\pN])(?:\p{Lu}{6,}|" + "|".join(spellings) + r")(?:[^\pL\pN]|$)/"


def rewrite(text: str) -> str:
    """``text`` (the policy) with the words after ``near`` on the flag line below the
    marker set to :func:`pattern`."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip() == MARKER) + 1
    run, _, _ = lines[at].rpartition(" near ")
    lines[at] = f"{run} near {pattern()} within 0 words"
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
