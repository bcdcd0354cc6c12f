"""Normalised views of a post, each with an exact map back to the original text.

Rules match on a normalised view but findings are reported on the text the author wrote, so
every character of a view records the code-point range ``[start, end)`` of the original it
came from. Two views exist:

* :func:`plain_view` (regexes and detectors): NFKC per character, invisible characters
  removed, typographic quotes and dashes made ASCII. Case and digits are kept.
* :func:`fold_for_matching` (term lists): the plain view, then case-folded, accents
  stripped, lookalike letters mapped to Latin, leetspeak undone inside words, spaced-out
  letters joined and whitespace runs collapsed to one space.

Both run on every post, so pure-ASCII input takes a fast path and the per-character path
works from cached per-character results.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["NormalisedText", "fold_for_matching", "fold_term", "is_word_char", "plain_view"]


class NormalisedText:
    """A normalised string with, for each of its characters, the original range it came from.
    Immutable: views are shared by every rule that checks the post."""

    __slots__ = ("ends", "original_length", "starts", "text")
    text: str
    #: ``starts[i]``/``ends[i]``: the original code-point range ``text[i]`` came from.
    #: Both are non-decreasing; several characters may share a range (``"ß"`` -> ``"ss"``).
    starts: Sequence[int]
    ends: Sequence[int]
    original_length: int

    def __init__(
        self, text: str, starts: Sequence[int], ends: Sequence[int], original_length: int
    ) -> None:
        setter = object.__setattr__
        setter(self, "text", text)
        setter(self, "starts", starts)
        setter(self, "ends", ends)
        setter(self, "original_length", original_length)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"NormalisedText is immutable: cannot set {name!r}")

    def __repr__(self) -> str:
        return f"NormalisedText({self.text!r}, original_length={self.original_length})"

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span ``[start, end)`` of ``text`` to the span of the original text.

        An empty span maps to a zero-width span: at 0 at the start of ``text``, at
        ``original_length`` at its end, otherwise just after the previous character.
        """
        length = len(self.text)
        if not 0 <= start <= end <= length:
            raise ValueError(f"span [{start}, {end}) outside normalised text of length {length}")
        if start < end:
            # Ends are non-decreasing, so the last character's end is the span's end.
            return self.starts[start], self.ends[end - 1]
        if start == 0:
            return 0, 0
        if start == length:
            return self.original_length, self.original_length
        position = self.ends[start - 1]
        return position, position

    # The maps may be ranges (fast path) or tuples; compare their values, not their types.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NormalisedText):
            return NotImplemented
        return (
            self.text == other.text
            and self.original_length == other.original_length
            and tuple(self.starts) == tuple(other.starts)
            and tuple(self.ends) == tuple(other.ends)
        )

    def __hash__(self) -> int:
        return hash((self.text, self.original_length))


def is_word_char(ch: str) -> bool:
    """Whether ``ch`` counts as part of a word for whole-word matching on the folded text."""
    return ch.isalnum() or ch == "_"


# --- character tables ----------------------------------------------------------------------

_ZWJ = "\u200d"
# Invisible characters used to break up words; removed and mapped nowhere.
_INVISIBLE = frozenset("\u200b\u200c\u2060\ufeff\u00ad\u180e")
# Also invisible, but kept by the plain view (bidi marks matter to detectors showing text):
# bidi controls, invisible maths operators, the grapheme joiner and the Hangul fillers that
# spammers use as "blank" characters.
_FOLD_ONLY_INVISIBLE = frozenset(
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
    "\u2061\u2062\u2063\u2064\u034f\u115f\u1160\u3164\uffa0"
)
_FOLD_REMOVED = _INVISIBLE | _FOLD_ONLY_INVISIBLE

_PUNCTUATION = {
    "\u2019": "'",  # right single quotation mark
    "\u2018": "'",  # left single quotation mark
    "\u02bc": "'",  # modifier letter apostrophe
    "\u2032": "'",  # prime
    "\u201c": '"',
    "\u201d": '"',
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
}

# Characters that modify the one before them rather than standing alone: emoji skin tones,
# variation selectors and tag characters (subdivision flags). The folded view drops them
# but widens the previous character's range over them, so a match never splits a grapheme.
_ATTACH = frozenset(
    [chr(cp) for cp in range(0x1F3FB, 0x1F400)]
    + [chr(cp) for cp in range(0xFE00, 0xFE10)]
    + [chr(cp) for cp in range(0xE0100, 0xE01F0)]
    + [chr(cp) for cp in range(0xE0000, 0xE0080)]
)

# Combining classes kept when stripping accents: nukta (7), kana voicing (8) and virama (9)
# change which letter or cluster is written (ka/ga, क्ष/कष); they are not accents.
_KEEP_COMBINING = frozenset({0, 7, 8, 9})

# Lookalikes folded to Latin, keyed by their case-folded form (uppercase forms fold here too).
# Written as escapes: the letters themselves are indistinguishable from Latin in review.
_CONFUSABLES = dict(
    zip(
        # Cyrillic a ve ie ka em en o er es te u, kha i je dze komi-de palochka shha qa we ue
        "\u0430\u0432\u0435\u043a\u043c\u043d\u043e\u0440\u0441\u0442\u0443"
        "\u0445\u0456\u0458\u0455\u0501\u04cf\u04bb\u051b\u051d\u04af"
        # Greek alpha omicron nu rho tau upsilon iota kappa chi
        "\u03b1\u03bf\u03bd\u03c1\u03c4\u03c5\u03b9\u03ba\u03c7"
        # Latin dotless i, dotless j, script g, alpha
        "\u0131\u0237\u0261\u0251"
        # Armenian seh oh co vo ho za; their capitals case-fold to them (Ս and Օ look like U and
        # O). Left out: keh, ayb, gim, ra, liwn, whose hooks and tails set them apart.
        "\u057d\u0585\u0581\u0578\u0570\u0566",
        "abekmhopctyxijsdlhqwyaovptuikxijgauognhq",
        strict=True,
    )
)
# Cherokee letters drawn like Latin ones. Case folding turns Cherokee small letters into the
# capitals (small "ꮪꮋꭵꭲ" folds to "ᏚᎻᎥᎢ" and reads SHiT), so the capitals cover both. Left
# out: the ones with an extra stroke or tilde (Ꮤ Ꮥ Ᏻ) or a shape of their own (Ꮷ).
_CONFUSABLES.update(
    zip(
        "\u13a0\u13a1\u13a2\u13a5\u13a9\u13aa\u13ab\u13ac\u13b3\u13b7\u13bb\u13bd"
        "\u13c0\u13c2\u13c3\u13cf\u13d2\u13d9\u13da\u13de\u13df\u13e2\u13e6\u13f4",
        "drtiyajewmhyghzbrvslcpkb",
        strict=True,
    )
)
# Lisu (the Fraser alphabet) took its letters from Latin capitals: those drawn exactly like one.
# Left out: the turned and reversed ones (ꓕ ꓘ ꓛ ꓱ ꓭ) no Latin letter matches.
_CONFUSABLES.update(
    zip(
        "\ua4d0\ua4d1\ua4d2\ua4d3\ua4d4\ua4d6\ua4d7\ua4d9\ua4da\ua4dc\ua4dd\ua4df\ua4e0"
        "\ua4e1\ua4e2\ua4e3\ua4e6\ua4e7\ua4ea\ua4eb\ua4ec\ua4ee\ua4f0\ua4f2\ua4f3\ua4f4",
        "bpddtgkjczfmnlsrvhwxyaeiou",
        strict=True,
    )
)

# Leetspeak substitutions (see _fold_leet_token for when they apply).
_LEET = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "l",
}  # fmt: skip
_LEET_MAX_RUN = 3
# Leet symbols that are also ordinary punctuation between two words ("rt@user", "wow!great").
_LEET_PUNCTUATION = frozenset("@!|")
# "RT@user", "MT@user", "cc@user": a mention glued to a retweet marker, not "rtauser".
_MENTION_PREFIXES = frozenset({"rt", "mt", "cc"})
# A domain after "@" ("me@example.com") makes the token an address.
_DOMAIN = re.compile(r"\.[^\W\d_]")

# Per-character results are cached; the cap bounds memory for adversarial input that cycles
# through the whole code space (real posts use a few hundred distinct characters).
_CACHE_LIMIT = 1 << 16
_PLAIN_CACHE: dict[str, str] = {}
# Folded form and its character classes (see _ASCII_CLASSES).
_FOLD_CACHE: dict[str, tuple[str, str]] = {}

# Anything the plain view would change in text that is already NFKC.
_PLAIN_SPECIAL = re.compile(
    "[" + re.escape("".join(sorted(_INVISIBLE | {_ZWJ} | set(_PUNCTUATION)))) + "]"
)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_WS_RUN = re.compile(r"\s+")
_WS_TO_COLLAPSE = re.compile(r"[^\S ]|\s\s")
# A run of at most three leet candidates between letters ([^\W\d_] is a superset of
# str.isalpha). Every fold needs one (see _fold_leet_token), so it filters tokens cheaply.
_LEET_HINT = re.compile(r"[^\W\d_][01345789@$!|]{1,3}[^\W\d_]")

# The ASCII fast path classifies characters with one str.translate, then looks for the
# patterns that need work with substring tests, far cheaper than regex scans:
# a = letter, l = leet candidate, w = whitespace other than " ", s = a letter-spacing
# separator other than " ", 0 = other digit, o = anything else. The tests are necessary
# conditions only; the exact rules run afterwards.
_ASCII_CLASSES = {cp: "o" for cp in range(128)}
# (string.ascii_letters, written out: the string module compiles a regex at import)
_ASCII_CLASSES.update(
    dict.fromkeys(map(ord, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), "a")
)
_ASCII_CLASSES.update(dict.fromkeys(map(ord, "0123456789"), "0"))
_ASCII_CLASSES.update(dict.fromkeys(map(ord, _LEET), "l"))
_ASCII_CLASSES.update(dict.fromkeys(map(ord, "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"), "w"))
_ASCII_CLASSES.update(dict.fromkeys(map(ord, "._*-"), "s"))
_ASCII_CLASSES[ord(" ")] = " "

# Four or more single letters, each separated by the same separator ("f r e e", "G-U-A-R").
# A letter is single when no letter or digit touches it on either side.
_SPACED_LETTERS = re.compile(
    r"(?<![^\W_])[^\W\d_](?P<sep>[ ._*\-])[^\W\d_](?:(?P=sep)[^\W\d_]){2,}(?![^\W_])"
)


def _plain_char(ch: str) -> str:
    """What one character becomes in the plain view ("" = removed); ZWJ is decided in context."""
    if ch in _INVISIBLE or ch == _ZWJ:
        return ""
    normal = unicodedata.normalize("NFKC", ch)
    if normal == ch and ch not in _PUNCTUATION:
        return ch
    return "".join(_PUNCTUATION.get(c, c) for c in normal if c not in _INVISIBLE)


def _fold_char(ch: str) -> str:
    """What one character becomes in the folded view, before the context-dependent steps.

    "" means removed (invisible) or attached to the previous character; the caller tells them
    apart with ``_FOLD_REMOVED``.
    """
    if ch in _FOLD_REMOVED or ch == _ZWJ or ch in _ATTACH:
        return ""
    if unicodedata.category(ch) == "Me":  # enclosing marks (keycap) modify the previous char
        return ""
    decomposed = unicodedata.normalize("NFKD", _plain_char(ch).casefold())
    # What survives stays decomposed (Hangul as jamo, kana and voicing mark apart), so that
    # precomposed and decomposed input fold to the same string.
    return "".join(
        " " if c.isspace() else _CONFUSABLES.get(c) or _PUNCTUATION.get(c, c)
        for c in decomposed
        if c not in _ATTACH and unicodedata.combining(c) in _KEEP_COMBINING
    )


def _zwj_kept(original: str, index: int) -> bool:
    """Keep a ZWJ that joins emoji (neither neighbour a letter or digit); drop it in words."""
    before = original[index - 1] if index > 0 else " "
    after = original[index + 1] if index + 1 < len(original) else " "
    return not before.isalnum() and not after.isalnum()


def _classes(folded: str) -> str:
    """The character classes of folded text (see _ASCII_CLASSES), for the cheap probes."""
    return "".join(
        c.translate(_ASCII_CLASSES)
        if c.isascii()
        # Exactly the regex letter class [^\W\d_] used by the exact rules.
        else ("a" if c.isalnum() and not c.isdecimal() else "0" if c.isdecimal() else "o")
        for c in folded
    )


# --- plain view ----------------------------------------------------------------------------


def plain_view(original: str) -> NormalisedText:
    """The view regexes and detectors run on (see the module docstring)."""
    length = len(original)
    # NFKC-normalised text is unchanged by NFKC per character too, so the common case of
    # text with nothing to remove or fold maps onto itself.
    if original.isascii() or (
        _PLAIN_SPECIAL.search(original) is None and unicodedata.is_normalized("NFKC", original)
    ):
        return NormalisedText(original, range(length), range(1, length + 1), length)

    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cache = _PLAIN_CACHE
    position = 0
    # ASCII stretches are copied whole; only the non-ASCII characters are looked at singly.
    for run in _NON_ASCII_RUN.finditer(original):
        begin, stop = run.span()
        if position < begin:
            out.append(original[position:begin])
            starts.extend(range(position, begin))
            ends.extend(range(position + 1, begin + 1))
        for index in range(begin, stop):
            ch = original[index]
            rep = cache.get(ch)
            if rep is None:
                rep = _plain_char(ch)
                if len(cache) < _CACHE_LIMIT:
                    cache[ch] = rep
            if not rep:
                if ch == _ZWJ and _zwj_kept(original, index):
                    rep = ch
                else:
                    continue
            out.append(rep)
            starts.extend([index] * len(rep))
            ends.extend([index + 1] * len(rep))
        position = stop
    out.append(original[position:])
    starts.extend(range(position, length))
    ends.extend(range(position + 1, length + 1))
    return NormalisedText("".join(out), tuple(starts), tuple(ends), length)


# --- folded view ---------------------------------------------------------------------------


def _fold_chars(original: str) -> tuple[str, str, list[int], list[int]]:
    """Per-character folding, for any input; whitespace is collapsed afterwards.

    Returns the folded text, its character classes, and the maps.
    """
    out: list[str] = []
    classes: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cache = _FOLD_CACHE
    # Start of attaching characters met before any kept character: the first kept character
    # absorbs them instead.
    pending = -1
    position = 0
    # ASCII stretches only need lowering (no NFKC, accent or confusable applies there).
    for run in _NON_ASCII_RUN.finditer(original):
        begin, stop = run.span()
        if position < begin:
            lowered = original[position:begin].lower()
            out.append(lowered)
            classes.append(lowered.translate(_ASCII_CLASSES))
            starts.extend(range(position, begin))
            ends.extend(range(position + 1, begin + 1))
            if pending >= 0:
                starts[-(begin - position)] = pending
                pending = -1
        for index in range(begin, stop):
            ch = original[index]
            entry = cache.get(ch)
            if entry is None:
                rep = _fold_char(ch)
                entry = (rep, _classes(rep))
                if len(cache) < _CACHE_LIMIT:
                    cache[ch] = entry
            rep, rep_classes = entry
            if not rep:
                if ch == _ZWJ:
                    if not _zwj_kept(original, index):
                        continue
                    rep, rep_classes = ch, "o"
                elif ch in _FOLD_REMOVED:
                    continue
                elif starts:
                    # Widen every output character of the previous original character
                    # ("ß" -> "ss" then an accent: both s's must cover it).
                    group = starts[-1]
                    j = len(starts) - 1
                    while j >= 0 and starts[j] == group:
                        ends[j] = index + 1
                        j -= 1
                    continue
                else:
                    if pending < 0:
                        pending = index
                    continue
            out.append(rep)
            classes.append(rep_classes)
            starts.extend([index if pending < 0 else pending] * len(rep))
            ends.extend([index + 1] * len(rep))
            pending = -1
        position = stop
    if position < len(original):
        lowered = original[position:].lower()
        out.append(lowered)
        classes.append(lowered.translate(_ASCII_CLASSES))
        starts.extend(range(position, len(original)))
        ends.extend(range(position + 1, len(original) + 1))
        if pending >= 0:
            starts[-(len(original) - position)] = pending
    return "".join(out), "".join(classes), starts, ends


def _collapse_whitespace(
    text: str, starts: Sequence[int], ends: Sequence[int]
) -> tuple[str, Sequence[int], Sequence[int]]:
    """Turn each run of whitespace into one space covering the whole run."""
    if _WS_TO_COLLAPSE.search(text) is None:
        return text, starts, ends
    parts: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    position = 0
    for match in _WS_RUN.finditer(text):
        begin, stop = match.span()
        parts.append(text[position:begin])
        new_starts.extend(starts[position:begin])
        new_ends.extend(ends[position:begin])
        parts.append(" ")
        new_starts.append(starts[begin])
        new_ends.append(ends[stop - 1])
        position = stop
    parts.append(text[position:])
    new_starts.extend(starts[position:])
    new_ends.extend(ends[position:])
    return "".join(parts), new_starts, new_ends


def _letters_before(token: str, index: int) -> int:
    count = 0
    while index > 0 and token[index - 1].isalpha():
        index -= 1
        count += 1
    return count


def _letters_after(token: str, index: int) -> int:
    count = 0
    while index < len(token) and token[index].isalpha():
        index += 1
        count += 1
    return count


def _inner_run_folds(token: str, begin: int, stop: int) -> bool:
    """Whether a run with letters on both sides is leet rather than punctuation."""
    if stop - begin > _LEET_MAX_RUN:
        return False
    marks = [c for c in token[begin:stop] if c in _LEET_PUNCTUATION]
    if not marks:
        return True
    # "@", "!" and "|" also join two words ("rt@user", "act!Now", "a|b"). Obfuscation swaps
    # one letter of a word, so fold a single one only beside a short stretch of letters
    # ("sh!t", "p@ss", "bullsh!t"), and never in a mention after RT or an e-mail address.
    if len(marks) > 1:
        return False
    if min(_letters_before(token, begin), _letters_after(token, stop)) > 2:
        return False
    if marks[0] != "@":
        return True
    return token[:begin] not in _MENTION_PREFIXES and _DOMAIN.search(token, stop) is None


def _fold_leet_token(token: str) -> str:
    """Undo leetspeak in one whitespace-free token, only where it hides a word.

    Runs of digits and the symbols ``@ $ ! |`` are examined:

    * a number stays a number: nothing changes in a token with more digits than letters
      ("2024", "$50", "+44"), and a run holding a digit with no letter reading (2, 6) is left
      ("h264");
    * a run of at most three with a letter on both sides is folded ("h3ll0", "l33t",
      "a$$h0le", "sh!t", "p@ss"; "@", "!" and "|" have extra conditions, see
      ``_inner_run_folds``);
    * a run touching a letter on one side only is a suffix or prefix like "4pm", "Q4",
      "covid19", "1st", "mp3": its digits next to the letter (at most three) are folded only
      when the token also has a folded inner run, i.e. is evidently obfuscated ("h3ll0",
      "5h1t"). Symbols there never fold ("Sale!!!", "@user", "a$$").

    Folding digits never changes where words end (digits are word characters already), so
    the digit rules can be generous; a folded symbol joins two words, hence the caution.
    """
    letters = digits = 0
    for c in token:
        if c.isalpha():
            letters += 1
        elif c.isdigit():
            digits += 1
    if letters < digits:
        return token
    size = len(token)
    inner: list[tuple[int, int]] = []
    edges: list[tuple[int, int, bool]] = []
    i = 0
    while i < size:
        c = token[i]
        if not (c in _LEET or c.isdigit()):
            i += 1
            continue
        j = i + 1
        while j < size and (token[j] in _LEET or token[j].isdigit()):
            j += 1
        if all(c in _LEET for c in token[i:j]):
            letter_before = i > 0 and token[i - 1].isalpha()
            letter_after = j < size and token[j].isalpha()
            if letter_before and letter_after:
                if _inner_run_folds(token, i, j):
                    inner.append((i, j))
            elif letter_before or letter_after:
                edges.append((i, j, letter_before))
        i = j
    if not inner:
        return token
    chars = list(token)
    for begin, stop in inner:
        for k in range(begin, stop):
            chars[k] = _LEET[token[k]]
    for begin, stop, letter_before in edges:
        # The digits reading outwards from the letter.
        order = range(begin, stop) if letter_before else range(stop - 1, begin - 1, -1)
        run: list[int] = []
        for k in order:
            if not token[k].isdigit():
                break
            run.append(k)
        if len(run) <= _LEET_MAX_RUN:
            for k in run:
                chars[k] = _LEET[token[k]]
    return "".join(chars)


def _fold_leet(text: str) -> str:
    """Undo leetspeak token by token; the text keeps its length (one char for one char)."""
    parts: list[str] = []
    last = 0  # end of the text already copied into parts
    done = 0  # end of the last token examined
    for match in _LEET_HINT.finditer(text):
        if match.start() < done:
            continue
        begin = text.rfind(" ", 0, match.start()) + 1
        stop = text.find(" ", match.end())
        if stop < 0:
            stop = len(text)
        token = text[begin:stop]
        folded = _fold_leet_token(token)
        if folded != token:
            parts.append(text[last:begin])
            parts.append(folded)
            last = stop
        done = stop
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _join_spaced_letters(
    text: str, starts: Sequence[int], ends: Sequence[int]
) -> tuple[str, list[int], list[int]]:
    """Drop the separators of spaced-out letters; each letter keeps its own range."""
    dropped: set[int] = set()
    for match in _SPACED_LETTERS.finditer(text):
        dropped.update(range(match.start() + 1, match.end(), 2))
    keep = [k for k in range(len(text)) if k not in dropped]
    return (
        "".join(text[k] for k in keep),
        [starts[k] for k in keep],
        [ends[k] for k in keep],
    )


def fold_for_matching(original: str) -> NormalisedText:
    """The view term lists match on (see the module docstring)."""
    length = len(original)
    text: str
    starts: Sequence[int]
    ends: Sequence[int]
    if original.isascii():
        # Nothing in ASCII changes under NFKC, accent stripping or confusable folding, and
        # lower() is casefold() there.
        text = original.lower()
        classes = text.translate(_ASCII_CLASSES)
        starts, ends = range(length), range(1, length + 1)
    else:
        text, classes, starts, ends = _fold_chars(original)
    # Substring probes on the classes decide which of the (regex-based) steps can apply.
    collapse = "w" in classes or "  " in classes
    leet = "ala" in classes or "alla" in classes or "allla" in classes
    # Collapsing whitespace can bring spaced letters together ("f  r  e  e").
    spaced = collapse or "a a a a" in classes or "asasasa" in classes
    if collapse:
        text, starts, ends = _collapse_whitespace(text, starts, ends)
    if leet:
        text = _fold_leet(text)
    if spaced and _SPACED_LETTERS.search(text):
        text, starts, ends = _join_spaced_letters(text, starts, ends)
    if isinstance(starts, list):
        starts = tuple(starts)
    if isinstance(ends, list):
        ends = tuple(ends)
    return NormalisedText(text, starts, ends, length)


def fold_term(term: str) -> str:
    """Fold a rule term exactly as posts are folded, so the two compare equal."""
    return fold_for_matching(term).text
