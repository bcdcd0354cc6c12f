"""Caret lines under a line of source text, as the policy diagnostics and the text
reporter draw them (its own module: the reporter needs it on every run, the language's
error classes only when a policy has a mistake)."""

from __future__ import annotations

import unicodedata

__all__ = ["caret_line", "display_width"]


def display_width(ch: str) -> int:
    """The terminal cells one character takes: 0 (combining, joiners), 1 or 2 (wide)."""
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0f\ufe0e":
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


def caret_line(text: str, column: int, length: int) -> str:
    """Spaces up to ``column`` (1-based, code points) then carets, measured in display cells.

    Tabs are copied so the caret lines up whatever the terminal's tab width; wide characters
    (CJK, most emoji) take two cells.
    """
    before = text[: column - 1]
    pad = "".join("\t" if ch == "\t" else " " * display_width(ch) for ch in before)
    marked = text[column - 1 : column - 1 + length]
    width = sum(display_width(ch) for ch in marked) if marked else 1
    return pad + "^" * max(width, 1)
