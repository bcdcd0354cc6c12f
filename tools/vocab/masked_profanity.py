"""Regular expressions for masked spellings of profanity ("ca**o", "m*rda", "h*ll"), written
into rules/tone/profanity.policy.

Term lists match leetspeak, letter spacing and look-alike letters, but a term's "*" is a
wildcard, so a word with its inside starred out is matched by a pattern instead. For each word
the pattern keeps the first and the last letter and lets the letters between be any mix of the
word's own inner letters and mask symbols, with at least one mask: "cazzo" gives
c[az*#%_]{0,2}[*#%_][az*#%_]{0,2}o, which matches "ca**o", "c*zzo" and "c***o". Masks at the
end of a word are left alone: "Free*" and "put*" are footnote stars far more often than oaths.

    python tools/vocab/masked_profanity.py          print both patterns
    python tools/vocab/masked_profanity.py --write  rewrite them in rules/tone/profanity.policy
    python tools/vocab/masked_profanity.py --check  exit 1 if the policy is out of date

The English f-word family has its own hand-written pattern in the policy (mf***er, f**k...).
"""

from __future__ import annotations

import sys
from pathlib import Path

POLICY = Path(__file__).resolve().parents[2] / "rules" / "tone" / "profanity.policy"
# "@" is left out: it is leetspeak for "a" (which the term lists already fold) and the at sign
# of e-mail addresses.
MASKS = "*#%_"

#: Strong obscenity, by language (the words people star out; the plain spellings are in the
#: policy's term lists).
STRONG = {
    "en": ["bullshit", "bastard", "dickhead", "wanker", "bollocks", "twat", "whore", "pissed"],
    "es": ["mierda", "puta", "puto", "joder", "cabron", "pendejo", "gilipollas", "chingada"],
    "de": ["scheisse", "arschloch", "ficken", "hurensohn", "wichser"],
    "fr": ["merde", "putain", "connard", "salope", "encule"],
    "it": ["cazzo", "merda", "stronzo", "vaffanculo", "minchia", "coglione", "puttana"],
    "pt": ["caralho", "porra", "foda", "buceta", "arrombado"],
}
#: Mild swearing (reported only when organisation.profanity is "mild").
MILD = {"en": ["damn", "hell", "crap", "bloody", "bugger"], "de": ["verdammt"]}

#: The marker comment on the line before each generated `flag` line.
MARKERS = {"strong": "# generated: masked strong words", "mild": "# generated: masked mild words"}


def masked(word: str) -> str:
    """The pattern for ``word`` with one or more of its inner letters masked."""
    inner = "".join(sorted(set(word[1:-1])))
    room = len(word) - 3  # the inner letters, less the one mask that is required
    either = f"[{inner}{MASKS}]"
    return f"{word[0]}{either}{{0,{room}}}[{MASKS}]{either}{{0,{room}}}{word[-1]}"


def pattern(words: dict[str, list[str]]) -> str:
    flat = sorted({w for ws in words.values() for w in ws})
    return r"/(?i)\b(?:" + "|".join(masked(w) for w in flat) + r")\b/"


def generated() -> dict[str, str]:
    return {"strong": pattern(STRONG), "mild": pattern(MILD)}


def rewrite(text: str) -> str:
    """``text`` (the policy) with the line after each marker set to its pattern."""
    lines = text.split("\n")
    for name, marker in MARKERS.items():
        at = next(i for i, line in enumerate(lines) if line.strip() == marker)
        indent = lines[at + 1][: len(lines[at + 1]) - len(lines[at + 1].lstrip())]
        lines[at + 1] = f"{indent}flag      {generated()[name]}"
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if "--write" in argv or "--check" in argv:
        text = POLICY.read_text(encoding="utf-8")
        new = rewrite(text)
        if "--check" in argv:
            if new != text:
                print(f"{POLICY} is out of date: run {sys.argv[0]} --write", file=sys.stderr)
                return 1
            return 0
        POLICY.write_text(new, encoding="utf-8")
        return 0
    for name, regex in generated().items():
        print(f"{name}: {regex}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
