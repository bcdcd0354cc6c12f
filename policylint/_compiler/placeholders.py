"""The placeholders of a rule's message and suggestion templates (``{match}``,
``{meta.KEY}``...): which names a template uses, and where one is written (for a caret)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from policylint._lang import ast

__all__ = ["BUILTIN_PLACEHOLDERS", "locate_in_line", "names_in"]

_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
#: What every finding can fill in, besides metrics, settings and metadata.
BUILTIN_PLACEHOLDERS = (
    "match",
    "rule",
    "platform",
    "suggestion",
    "owner",
    "category",
    "camelcase",  # the match as a CamelCase hashtag (policylint._text.camelcase)
    "label",  # the label of the detection matched (a card's network, a model's heaviest words)
)


def names_in(template: str) -> list[str]:
    """The placeholder names of ``template`` (``{{`` and ``}}`` are literal braces)."""
    return _PLACEHOLDER_RE.findall(template.replace("{{", "").replace("}}", ""))


def locate_in_line(lines: Sequence[str], pos: ast.Pos, needle: str) -> ast.Pos:
    """The position of ``needle`` inside the token at ``pos`` (for a sharper caret)."""
    if 0 < pos.line <= len(lines):
        index = lines[pos.line - 1].find(needle, pos.column - 1)
        if index >= 0:
            return ast.Pos(pos.line, index + 1, pos.line, index + 1 + len(needle))
    return pos
