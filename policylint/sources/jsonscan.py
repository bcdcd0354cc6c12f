"""Find where values sit in JSON text that :func:`json.loads` has already accepted.

The standard parser gives no positions, so after it has validated (and decoded) a document
this scanner walks the same text to find each record and each member's value. Because the
text is known to be valid JSON the scanner only has to skip values, never to check them,
and it does so without recursion: nesting depth costs nothing here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "array_items",
    "loads",
    "object_members",
    "skip_whitespace",
    "string_content",
    "value_end",
]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A whole string literal; written as "unrolled loop" so it runs in linear time.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# Numbers, true, false, null, and the NaN/Infinity that Python's json also accepts.
_SCALAR = re.compile(r"[^\s,\]}]+")
# What changes nesting while skipping a container; strings are skipped whole so that
# brackets inside them do not count.
_STRUCTURE = re.compile(r'["\[\]{}]')


def loads(text: str) -> Any:
    """``json.loads(text)``, except that an integer longer than Python reads (4,300 digits)
    becomes an :class:`~policylint.sources.jsonable.UnreadableValue`: an error for the
    record holding it, where ``json.loads`` fails for the whole document. Raises what
    ``json.loads`` raises for anything else."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:  # only an integer too long to read; parsed again, rarely
        from policylint.sources.jsonable import int_or_unreadable

        return json.loads(text, parse_int=int_or_unreadable)


def skip_whitespace(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def value_end(text: str, index: int) -> int:
    """Offset just past the value that starts at ``index``."""
    first = text[index]
    if first == '"':
        return _string_end(text, index)
    if first not in "[{":
        match = _SCALAR.match(text, index)
        return match.end() if match else index + 1
    depth = 0
    position = index
    while True:
        match = _STRUCTURE.search(text, position)
        if match is None:  # cannot happen in valid JSON; do not loop forever if it does
            return len(text)
        char = match.group()
        if char == '"':
            position = _string_end(text, match.start())
            continue
        depth += 1 if char in "[{" else -1
        position = match.end()
        if depth == 0:
            return position


def array_items(text: str, index: int) -> Iterator[int]:
    """Start offsets of the items of the array whose ``[`` is at ``index``."""
    position = skip_whitespace(text, index + 1)
    if text[position] == "]":
        return
    while True:
        yield position
        position = skip_whitespace(text, value_end(text, position))
        if text[position] != ",":
            return
        position = skip_whitespace(text, position + 1)


def object_members(text: str, index: int) -> dict[str, int]:
    """Start offsets of the member values of the object whose ``{`` is at ``index``, by key.

    Keys are decoded (``"t\\u0065xt"`` is ``text``), and the last of duplicate keys wins, as
    it does in the dict that :func:`json.loads` builds.
    """
    members: dict[str, int] = {}
    position = skip_whitespace(text, index + 1)
    if text[position] == "}":
        return members
    while True:
        key_end = _string_end(text, position)
        key = text[position + 1 : key_end - 1]
        if "\\" in key:  # only escaped keys need decoding
            key = json.loads(text[position:key_end])
        colon = skip_whitespace(text, key_end)
        position = skip_whitespace(text, colon + 1)
        members[key] = position
        position = skip_whitespace(text, value_end(text, position))
        if text[position] != ",":
            return members
        position = skip_whitespace(text, position + 1)


def string_content(text: str, index: int, value: str) -> tuple[int, bool]:
    """Where the string value starting at ``index`` begins, and whether it is verbatim.

    Verbatim means ``value`` is exactly the file's characters from that offset: true when
    the literal has no escape sequences. A value that is not a string literal is located at
    its first character and is never verbatim.
    """
    if text[index] != '"':
        return index, False
    start = index + 1
    return start, text[start : _string_end(text, index) - 1] == value


def _string_end(text: str, index: int) -> int:
    match = _STRING.match(text, index)
    return match.end() if match else len(text)
