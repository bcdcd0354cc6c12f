"""Regular expressions that compile but silently miss: the warnings (PL3xx) a policy's
author sees from ``policylint test`` and ``check``, not errors.

- PL303: RE2's ``\\b`` and ``\\B`` know only ASCII word characters, so in ``/\\bcafé\\b/``
  the ``é`` is not a word character and ``\\b`` after it never matches before a space: the
  expression finds nothing in "un café noir".
- PL304: under the ``i`` flag (or ``(?i)``) case is ignored everywhere, classes included:
  ``[A-Z]``, ``\\p{Lu}`` and ``[[:upper:]]`` match every letter, not the capitals. (``[a-z]``
  under ``i`` is the common way to write "a letter" and is not warned about.)

The expression is read as written between its slashes (escapes such as ``\\/`` included),
one token at a time; offsets are into that text.
"""

from __future__ import annotations

import re

from policylint._lang.regexerrors import class_end
from policylint._model.struct import NamedTuple

__all__ = ["RegexWarning", "regex_warnings"]


class RegexWarning(NamedTuple):
    """A warning about a regular expression, at ``offset`` (``length`` characters) of its
    text as written."""

    code: str
    message: str
    offset: int
    length: int
    hint: str


class _Token(NamedTuple):
    kind: str  # literal | escape | boundary | class | quantifier | open | flags | close | or
    text: str
    offset: int


_QUANTIFIER = re.compile(r"[*+?]\??|\{\d*(?:,\d*)?\}\??")
# A group's opening: (, (?:, (?P<name>, or flags: (?i:...) for the group, (?i) from here on.
_OPENING = re.compile(
    r"\((?:\?P?<[^>]*>|\?(?P<on>[a-zA-Z]*)(?:-(?P<off>[a-zA-Z]*))?(?P<end>[:)]))?"
)
# What names capitals or lower-case letters in a class or an escape.
_CASED_CLASS = re.compile(r"\\[pP]\{L[ult]\}|\\[pP]\{(?:Upper|Lower)\}|\[:(?:upper|lower):\]")
_CAPITAL_RANGE = re.compile(r"A-Z")
_SMALL_RANGE = re.compile(r"a-z")


def _tokens(body: str) -> list[_Token]:
    tokens: list[_Token] = []
    index, size = 0, len(body)
    while index < size:
        ch = body[index]
        start = index
        if ch == "\\":
            nxt = body[index + 1 : index + 2]
            index += 2
            if nxt in ("p", "P", "x") and body[index : index + 1] == "{":
                close = body.find("}", index)
                index = size if close < 0 else close + 1
            kind = "boundary" if nxt in ("b", "B") else "class" if nxt in "pPdDwWsS" else "escape"
            tokens.append(_Token(kind, body[start:index], start))
            continue
        if ch == "[":
            end = class_end(body, index)
            index = size if end is None else end
            tokens.append(_Token("class", body[start:index], start))
            continue
        quantifier = _QUANTIFIER.match(body, index) if ch in "*+?{" else None
        if quantifier is not None:
            index = quantifier.end()
            tokens.append(_Token("quantifier", quantifier.group(), start))
            continue
        if ch == "(":
            opening = _OPENING.match(body, index)
            assert opening is not None  # a '(' alone matches
            index = opening.end()
            kind = "flags" if opening.group("end") == ")" else "open"
            tokens.append(_Token(kind, opening.group(), start))
            continue
        index += 1
        tokens.append(_Token("close" if ch == ")" else "or" if ch == "|" else "literal", ch, start))
    return tokens


def _case_blind(tokens: list[_Token], flags: str) -> list[bool]:
    """For each token, whether case is ignored there: the ``i`` flag, changed by inline
    flags for a group (``(?i:...)``, ``(?-i:...)``) or from there to its group's end
    (``(?i)``)."""
    blind = "i" in flags
    outer: list[bool] = []
    found = []
    for token in tokens:
        if token.kind in ("open", "flags"):
            if token.kind == "open":
                outer.append(blind)
            opening = _OPENING.match(token.text)
            on = (opening.group("on") or "") if opening else ""
            off = (opening.group("off") or "") if opening else ""
            blind = (blind or "i" in on) and "i" not in off
        elif token.kind == "close" and outer:
            blind = outer.pop()
        found.append(blind)
    return found


def _non_ascii_letter(token: _Token | None) -> bool:
    return (
        token is not None
        and token.kind == "literal"
        and token.text.isalpha()
        and not (token.text.isascii())
    )


def regex_warnings(body: str, flags: str) -> list[RegexWarning]:
    """The warnings about the expression ``body`` (as written) with ``flags``."""
    tokens = _tokens(body)
    warnings = [
        _boundary_warning(tokens, at) for at, t in enumerate(tokens) if t.kind == "boundary"
    ]
    found = [w for w in warnings if w is not None]
    if "i" in flags or "(?" in body:
        blind = _case_blind(tokens, flags)
        found += [
            warning
            for token, ignored in zip(tokens, blind, strict=True)
            if ignored and token.kind == "class"
            for warning in _case_warnings(token)
        ]
    return found


def _boundary_warning(tokens: list[_Token], at: int) -> RegexWarning | None:
    """PL303 for the ``\\b`` at ``tokens[at]`` if a non-ASCII letter is written next to it."""
    before = at - 1
    while before >= 0 and tokens[before].kind == "quantifier":
        before -= 1
    neighbours = [tokens[before] if before >= 0 else None]
    neighbours.append(tokens[at + 1] if at + 1 < len(tokens) else None)
    letter = next((t for t in neighbours if _non_ascii_letter(t)), None)
    if letter is None:
        return None
    boundary = tokens[at]
    return RegexWarning(
        "PL303",
        f"'{boundary.text}' next to '{letter.text}' is not a word boundary: RE2's '\\b' "
        "knows only ASCII letters, so this misses a word that starts or ends with it",
        boundary.offset,
        len(boundary.text),
        "use a term list instead (terms match whole words in every script), or "
        "(?:^|\\PL) and (?:\\PL|$) in place of \\b",
    )


def _case_warnings(token: _Token) -> list[RegexWarning]:
    """PL304 for a class naming capitals or lower-case letters, under the ``i`` flag."""
    text = token.text
    named = _CASED_CLASS.search(text)
    if named is None and not _SMALL_RANGE.search(text):
        named = _CAPITAL_RANGE.search(text)
    if named is None:
        return []
    written = named.group()
    lower = written in ("\\p{Ll}", "\\P{Ll}", "\\p{Lower}", "\\P{Lower}", "[:lower:]")
    return [
        RegexWarning(
            "PL304",
            f"'{written}' matches every letter under the 'i' flag, not only "
            + ("lower-case letters" if lower else "capitals"),
            token.offset + named.start(),
            len(written),
            "drop the 'i' flag and spell the other letters in both cases ([Aa]cme), or "
            "match the words with a term list, which ignores case itself",
        )
    ]
