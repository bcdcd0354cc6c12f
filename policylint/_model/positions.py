"""Turn offsets in a text into 1-based line and column numbers.

Inputs keep their newlines exactly as written (a finding's span must be a slice of the
original text), so ``\\r\\n``, a lone ``\\r`` and ``\\n`` each count as one line break here,
the way editors count them. Columns are in code points, the unit Python strings index in.

The engine converts many offsets per post, so the line starts are computed once and each
lookup is a binary search.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from policylint._model.posts import SourceLocation

__all__ = ["LineIndex", "line_starts", "locate_in_source", "position_of"]

# "\r\n" must be tried before a lone "\r" so that it counts as a single break.
_LINE_BREAK = re.compile(r"\r\n?|\n")


def line_starts(text: str) -> list[int]:
    """Offsets at which each line of ``text`` begins; the first is always 0.

    A text ending in a line break has a last, empty line starting at ``len(text)``.
    """
    starts = [0]
    starts.extend(match.end() for match in _LINE_BREAK.finditer(text))
    return starts


# A handful of texts at most: callers converting offsets of one post in a row hit the cache,
# and a small size keeps large files from being held alive for long. Keyed on the string
# itself; str caches its hash and equal-identity strings compare in O(1).
@lru_cache(maxsize=8)
def _cached_starts(text: str) -> tuple[int, ...]:
    return tuple(line_starts(text))


def position_of(text: str, offset: int, *, starts: Sequence[int] | None = None) -> tuple[int, int]:
    """The (line, column) of ``offset`` in ``text``, both 1-based.

    ``offset`` may equal ``len(text)`` (the position just past the end, for exclusive span
    ends). Pass ``starts`` from :func:`line_starts` when converting many offsets of a text
    that is not the same object each time.
    """
    if not 0 <= offset <= len(text):
        raise ValueError(f"offset {offset} outside text of length {len(text)}")
    if starts is None:
        starts = _cached_starts(text)
    index = bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1


class LineIndex:
    """Precomputed line starts of one text, for repeated offset -> position lookups."""

    __slots__ = ("first_line", "starts", "text")

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.starts: list[int] = line_starts(text)
        #: The file line ``text`` starts on (a chunk of a file read piece by piece).
        self.first_line = first_line

    def position(self, offset: int) -> tuple[int, int]:
        line, column = position_of(self.text, offset, starts=self.starts)
        return line + self.first_line - 1, column

    def line_span(self, line: int) -> tuple[int, int]:
        """Start and end offsets of ``line`` (1-based, counted in ``text`` whatever
        ``first_line`` is), the end excluding its line break."""
        start = self.starts[line - 1]
        if line < len(self.starts):
            end = self.starts[line]
            # Step back over the break: "\r\n" is two characters, "\r" or "\n" one.
            if self.text.startswith("\r\n", end - 2) and end - 2 >= start:
                return start, end - 2
            return start, end - 1
        return start, len(self.text)

    @property
    def line_count(self) -> int:
        return len(self.starts)


def locate_in_source(
    source: SourceLocation,
    text: str,
    offset: int,
    *,
    starts: Sequence[int] | None = None,
) -> tuple[int, int]:
    """Map ``offset`` in a post's ``text`` to a (line, column) in the file it came from.

    Only a verbatim text can be mapped character by character; for any other text every
    offset maps to the record's own position (``source.line``, ``source.column``).
    """
    if not source.verbatim:
        return source.line, source.column
    line, column = position_of(text, offset, starts=starts)
    if line == 1:
        # Still on the line where the text starts, which may begin mid-line in the file.
        return source.line, source.column + column - 1
    return source.line + line - 1, column
