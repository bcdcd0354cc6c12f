"""Text written in "fancy" Unicode letters that screen readers spell out or skip.

Font generators turn "Hello" into 𝐇𝐞𝐥𝐥𝐨, 𝓗𝓮𝓵𝓵𝓸, Ｈｅｌｌｏ, Ⓗⓔⓛⓛⓞ, ʜᴇʟʟᴏ, ᴴᵉˡˡᵒ or ollǝH. They look
like letters but are symbols: a screen reader says "mathematical bold capital H, mathematical
bold small e..." or nothing at all, search does not find the words, and some apps show boxes.

This detector works on the ORIGINAL text (``post.text``): the plain view applies NFKC, which
folds most of these characters back to ASCII. It reports runs of three letters or more of one
of these kinds (the label):

* ``math``: Mathematical Alphanumeric Symbols (U+1D400-U+1D7FF: bold, italic, script, fraktur,
  double-struck, sans-serif, monospace) and the Letterlike Symbols that fill their gaps (ℎ ℯ ℴ
  ℬ ℍ ℝ...);
* ``fullwidth``: fullwidth Latin letters (U+FF21-FF3A, U+FF41-FF5A);
* ``circled``: Ⓐ-ⓩ (U+24B6-24E9) and the negative circled 🅐-🅩;
* ``parenthesized``: ⒜-⒵ (U+249C-24B5) and 🄐-🄩;
* ``squared``: 🄰-🅉 and the negative squared 🅰-🆉;
* ``small_caps``: ᴀ ʙ ᴄ... (the Phonetic Extensions U+1D00-1D2B and the small capitals
  elsewhere: ʙ ɢ ʜ ɪ ʟ ɴ ʀ ʏ ꜰ ꜱ);
* ``superscript`` and ``subscript``: ᴴᵉˡˡᵒ, ₕₑₗₗₒ (modifier letters); a run right after a letter
  or digit is an abbreviation, ordinal or exponent (Mˡˡᵉ, 4ᵗʰ) and is left alone;
* ``upside_down``: words flipped with turned letters (ɐ ǝ ɥ ɹ ʇ ʎ ∀...) and ordinary ones
  (``ʇxǝʇ uʍop ǝpısdn``); a word counts only with a letter that no living orthography uses (so
  Akan ɔ/ɛ and IPA transcriptions are not flagged), and three turned letters are needed;
* ``strikethrough`` and ``underline``: letters each followed by a combining overlay
  (U+0334-0338) or low line (U+0332, U+0333).

A run may contain spaces (and digits of the same style) between its letters; letters of
different kinds may mix, the label is then the kind most of its letters have. The value is
the run in plain lower-case letters (``hello``; upside-down text is turned back), so an
allow-list entry can be written plainly.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from functools import cache

from policylint._model.struct import NamedTuple
from policylint.detectors.base import Detection, Detector, Found, TextDetector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._text.post import PostViews

__all__ = ["DETECTOR", "MIN_LETTERS", "FancyTextDetector"]

#: Letters needed in a run before it is reported.
MIN_LETTERS = 3

# Letterlike Symbols standing in for the letters missing from the mathematical alphabets
# (script e, o, g, B, E, F, H, I, L, M, R; fraktur C, H, I, R, Z; double-struck C, H, N, P,
# Q, R, Z; italic h) and the double-struck italic ones.
_MATH_LETTERLIKE = frozenset(
    "\u2102\u210a\u210b\u210c\u210d\u210e\u2110\u2111\u2112\u2113\u2115\u2119\u211a\u211b"
    "\u211c\u211d\u2124\u2128\u212c\u212d\u212f\u2130\u2131\u2133\u2134\u2145\u2146\u2147"
    "\u2148\u2149"
)
# Small capitals (in U+1D00-1D2B and elsewhere), with the Latin letter each stands for; the
# rest of U+1D00-1D2B (turned, sideways and Greek small capitals) counts but reads as itself.
_SMALL_CAPS = {
    "\u1d00": "a", "\u0299": "b", "\u1d04": "c", "\u1d05": "d", "\u1d07": "e", "\ua730": "f",
    "\u0262": "g", "\u029c": "h", "\u026a": "i", "\u1d0a": "j", "\u1d0b": "k", "\u029f": "l",
    "\u1d0d": "m", "\u0274": "n", "\u1d0f": "o", "\u1d18": "p", "\ua7af": "q", "\u0280": "r",
    "\ua731": "s", "\u1d1b": "t", "\u1d1c": "u", "\u1d20": "v", "\u1d21": "w", "\u028f": "y",
    "\u1d22": "z",
}  # fmt: skip
# Turned letters of upside-down text and the letter each is when turned back. STRONG ones are
# used by no living orthography; the others (ɔ Ɔ ǝ Ǝ in West African alphabets, ʌ Λ in IPA
# and Greek) count only in a word that has a strong one.
_UPSIDE_STRONG = {
    "\u0250": "a", "\u025f": "f", "\u0183": "g", "\u0265": "h", "\u1d09": "i", "\u027e": "j",
    "\u029e": "k", "\u026f": "m", "\u0279": "r", "\u0287": "t", "\u028d": "w", "\u028e": "y",
    "\u2200": "a", "\u2132": "f", "\u2141": "g", "\u2142": "l", "\u2144": "y", "\ua4d8": "k",
    "\u0500": "p", "\u22a5": "t", "\u2534": "t", "\u02e5": "l",
}  # fmt: skip
_UPSIDE_WEAK = {
    "\u0254": "c", "\u0186": "c", "\u01dd": "e", "\u018e": "e", "\u028c": "v", "\u039b": "v",
    "\u0131": "i", "\u2229": "u",
}  # fmt: skip
_TURNED = {**_UPSIDE_STRONG, **_UPSIDE_WEAK}
_APOSTROPHES = frozenset("'\u2019")
_MAX_PLAIN_WORD = 4
# Letters small-caps generators leave as they are (few fonts have a small capital for them).
_SMALL_CAPS_GAPS = frozenset("sxq")
# Latin letters that upside-down text uses as they are, turned back.
_UPSIDE_LATIN = str.maketrans("bdnpqu", "qpudbn")
_STRIKE_MARKS = frozenset("\u0334\u0335\u0336\u0337\u0338")
_UNDERLINE_MARKS = frozenset("\u0332\u0333")
# Characters that may sit between the letters of a run: horizontal spaces and invisible
# characters (combining marks and variation selectors go with the letter before them).
_RUN_SPACES = frozenset(" \t\u00a0\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B))))
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\ufe0e\ufe0f")


class _Char(NamedTuple):
    kind: str
    letter: bool  # letters count towards MIN_LETTERS; digits only join a run


@cache
def _classify(ch: str) -> _Char | None:
    """The kind of a fancy letter or digit, None for anything else."""
    cp = ord(ch)
    if 0x1D400 <= cp <= 0x1D7FF:
        category = unicodedata.category(ch)
        if category == "Nd":
            return _Char("math", False)
        return _Char("math", True) if category.startswith("L") else None
    if ch in _MATH_LETTERLIKE:
        return _Char("math", True)
    if 0xFF21 <= cp <= 0xFF3A or 0xFF41 <= cp <= 0xFF5A:
        return _Char("fullwidth", True)
    if 0xFF10 <= cp <= 0xFF19:
        return _Char("fullwidth", False)
    if 0x24B6 <= cp <= 0x24E9 or 0x1F150 <= cp <= 0x1F169:
        return _Char("circled", True)
    if 0x2460 <= cp <= 0x2473 or 0x24EA <= cp <= 0x24FF or 0x2776 <= cp <= 0x2793:
        return _Char("circled", False)
    if 0x249C <= cp <= 0x24B5 or 0x1F110 <= cp <= 0x1F129:
        return _Char("parenthesized", True)
    if 0x2474 <= cp <= 0x249B:
        return _Char("parenthesized", False)
    if 0x1F130 <= cp <= 0x1F149 or 0x1F170 <= cp <= 0x1F189:
        return _Char("squared", True)
    if ch in _UPSIDE_STRONG:
        return None  # turned letters are judged word by word (see _upside_down_runs)
    if 0x1D00 <= cp <= 0x1D2B or ch in _SMALL_CAPS:
        return _Char("small_caps", True)
    if 0x2090 <= cp <= 0x209C or 0x1D62 <= cp <= 0x1D6A:
        return _Char("subscript", True)
    if 0x2080 <= cp <= 0x2089:
        return _Char("subscript", False)
    if (
        0x1D2C <= cp <= 0x1D61
        or 0x1D9B <= cp <= 0x1DBF
        or 0x02B0 <= cp <= 0x02B8
        or 0x02E0 <= cp <= 0x02E4
        or cp in (0x2071, 0x207F, 0xA7F8, 0xA7F9)
    ):
        return _Char("superscript", True)
    if cp in (0x2070, 0x00B9, 0x00B2, 0x00B3) or 0x2074 <= cp <= 0x2079:
        return _Char("superscript", False)
    return None


def _attaches(ch: str) -> bool:
    """Marks that belong to the character before them (accents, overlays, keycaps)."""
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def _readable(ch: str) -> str:
    """The plain lower-case letter (or digit) a fancy character stands for."""
    cp = ord(ch)
    if 0x1F150 <= cp <= 0x1F169:
        return chr(ord("a") + cp - 0x1F150)
    if 0x1F170 <= cp <= 0x1F189:
        return chr(ord("a") + cp - 0x1F170)
    small = _SMALL_CAPS.get(ch)
    if small is not None:
        return small
    folded = unicodedata.normalize("NFKC", ch).casefold()
    return folded.strip("().") or ch


class FancyTextDetector(TextDetector):
    name = "fancy_text"
    description = (
        "Runs of 'fancy' Unicode letters (math bold/script, fullwidth, circled, small caps, "
        "upside-down...) that screen readers spell out or skip."
    )

    def detect(self, post: PostViews) -> list[Detection]:
        # The original text: the plain view's NFKC would turn 𝐇𝐞𝐥𝐥𝐨 into Hello.
        return [Detection(f.start, f.end, f.value, f.label) for f in self.find(post.text)]

    def canonical(self, text: str) -> str:
        for found in self.find(text):
            return found.value
        return self.fallback(text)

    def find(self, text: str) -> Iterator[Found]:
        if text.isascii():
            return iter(())
        found = [*_styled_runs(text), *_combining_runs(text)]
        for run in _upside_down_runs(text):
            if all(run.end <= f.start or f.end <= run.start for f in found):
                found.append(run)
        found.sort()
        return iter(found)


def _styled_runs(text: str) -> Iterator[Found]:
    """Runs of characters that are fancy one by one (math, fullwidth, circled, small caps...)."""
    index, length = 0, len(text)
    while index < length:
        if _classify(text[index]) is None:
            index += 1
            continue
        start = end = position = index
        if _small_caps_gap(text, start - 1):
            start -= 1  # "sᴍᴀʟʟ"
        letters: dict[str, int] = {}
        while position < length:
            char = _classify(text[position])
            if char is not None:
                if char.letter:
                    letters[char.kind] = letters.get(char.kind, 0) + 1
                position += 1
                while position < length and _attaches(text[position]):
                    position += 1
                end = position
            elif text[position] in _RUN_SPACES or text[position] in _INVISIBLE:
                position += 1
            elif end == position and _small_caps_gap(text, position):
                position += 1  # "ᴄᴀᴘs", "ᴇxᴀᴍᴘʟᴇ"
                end = position
            else:
                break
        index = end  # the spaces after a run are not part of it
        if sum(letters.values()) < MIN_LETTERS:
            continue
        kind = max(letters, key=lambda k: letters[k])  # on a tie, the kind met first
        if kind in ("superscript", "subscript") and _attached(text, start):
            continue  # Mˡˡᵉ, 4ᵗʰ, x²ʸ: an abbreviation, ordinal or exponent
        yield Found(start, end, _plain(text[start:end], _readable), kind)


def _small_caps_gap(text: str, index: int) -> bool:
    """Whether ``text[index]`` is a plain s, x or q that small-caps text uses for want of a
    small capital, inside a word of small capitals."""
    if index < 0 or index >= len(text) or text[index] not in _SMALL_CAPS_GAPS:
        return False
    before = _classify(text[index - 1]) if index > 0 else None
    after = _classify(text[index + 1]) if index + 1 < len(text) else None
    small = [c for c in (before, after) if c is not None and c.kind == "small_caps"]
    # The letter must touch small capitals, and nothing else that is a letter.
    ends = [text[i] for i in (index - 1, index + 1) if 0 <= i < len(text)]
    return bool(small) and len(small) + sum(not ch.isalpha() for ch in ends) >= len(ends)


def _attached(text: str, start: int) -> bool:
    """Whether a run starts right after an ordinary letter or digit."""
    return start > 0 and text[start - 1].isalnum() and _classify(text[start - 1]) is None


def _plain(run: str, readable: Callable[[str], str]) -> str:
    """A run as plain lower-case words: marks and invisible characters dropped."""
    out = [
        " " if ch in _RUN_SPACES else readable(ch)
        for ch in run
        if ch not in _INVISIBLE and not _attaches(ch)
    ]
    return " ".join("".join(out).split()).lower()


def _combining_runs(text: str) -> Iterator[Found]:
    """Letters each struck through or underlined with a combining mark: s̶t̶r̶i̶k̶e̶, u̲n̲d̲e̲r̲."""
    index, length = 0, len(text)
    while index < length:
        if not text[index].isalnum() or _mark_after(text, index) is None:
            index += 1
            continue
        start = end = position = index
        counts = {"strikethrough": 0, "underline": 0}
        while position < length:
            ch = text[position]
            mark = _mark_after(text, position)
            if mark is not None and (ch.isalnum() or ch in _RUN_SPACES):
                counts[mark] += ch.isalnum()
                position += 1
                while position < length and _attaches(text[position]):
                    position += 1
                end = position
            elif ch in _RUN_SPACES:
                position += 1
            else:
                break
        index = end
        if sum(counts.values()) >= MIN_LETTERS:
            kind = max(counts, key=lambda k: counts[k])
            yield Found(start, end, _plain(text[start:end], str), kind)


def _mark_after(text: str, index: int) -> str | None:
    """The decoration that the marks right after ``text[index]`` add to it, if any."""
    position = index + 1
    while position < len(text) and _attaches(text[position]):
        if text[position] in _STRIKE_MARKS:
            return "strikethrough"
        if text[position] in _UNDERLINE_MARKS:
            return "underline"
        position += 1
    return None


def _upside_down_runs(text: str) -> Iterator[Found]:
    """Phrases written with turned letters.

    A run is a sequence of words separated by spaces, each made of turned letters and ASCII
    only, that starts and ends with a word holding a turned letter (the ASCII-only words in
    between have at most four letters). It is reported with at least MIN_LETTERS turned
    letters, one of them strong.
    """
    run: list[tuple[int, int, int, int]] = []  # start, end, turned letters, strong ones
    for word in [*_words(text), None]:
        # A run starts with a word holding a turned letter; ordinary words in it are the short
        # ones upside-down text leaves ASCII ("uo", "sos"), not prose.
        if (
            word is not None
            and (not run or _only_spaces(text[run[-1][1] : word[0]]))
            and (word[2] or (run and word[1] - word[0] <= _MAX_PLAIN_WORD))
        ):
            run.append(word)
            continue
        while run and not run[-1][2]:
            run.pop()  # ordinary words after the last turned one are not part of it
        if run and sum(w[2] for w in run) >= MIN_LETTERS and any(w[3] for w in run):
            start, end = run[0][0], run[-1][1]
            yield Found(start, end, _turn_back(text[start:end]), "upside_down")
        run = [word] if word is not None and word[2] else []


def _words(text: str) -> Iterator[tuple[int, int, int, int]]:
    """Words of turned letters and ASCII: start, end, turned letters, strong ones."""
    index, length = 0, len(text)
    while index < length:
        if not _word_char(text[index]):
            index += 1
            continue
        start = index
        while index < length and _word_char(text[index]):
            index += 1
        word = text[start:index]
        if all(ch.isascii() or ch in _TURNED or ch in _APOSTROPHES for ch in word):
            turned = sum(ch in _TURNED for ch in word)
            yield start, index, turned, sum(ch in _UPSIDE_STRONG for ch in word)


def _only_spaces(gap: str) -> bool:
    return all(ch in _RUN_SPACES for ch in gap)


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch in _TURNED or ch in _APOSTROPHES


def _turn_back(run: str) -> str:
    """``ʇxǝʇ uʍop`` -> ``down text``: each letter turned back, the order reversed."""
    letters = [_TURNED.get(ch) or ch.translate(_UPSIDE_LATIN) for ch in reversed(run)]
    return " ".join("".join(letters).split()).lower()


DETECTOR: Detector = FancyTextDetector()
