"""Positions and paths for the machine-readable reporters (SARIF, rdjson, GitHub).

Findings count columns in Unicode code points, 1-based, ends exclusive. Other tools count
differently: SARIF defaults to UTF-16 code units, reviewdog to UTF-8 bytes. Converting needs
the text of the line, so :class:`SourceLines` reads checked files on demand, splitting them
into lines exactly as the readers do (``\\r\\n``, ``\\r`` and ``\\n`` each end a line).

    >>> line = "\\U0001F600 Guaranteed returns"
    >>> utf16_column(line, 3), utf8_column(line, 3)
    (4, 6)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from policylint._model.positions import LineIndex
from policylint._model.reports import Finding
from policylint.sources.decode import DecodeError, decode

__all__ = [
    "STDIN",
    "SourceLines",
    "display_path",
    "suggestion_applies",
    "utf8_column",
    "utf16_column",
]

#: The path the CLI gives to text read from standard input.
STDIN = "<stdin>"


def utf16_column(line: str, column: int) -> int:
    """The 1-based UTF-16 code-unit column of code-point ``column`` on ``line``.

    Columns past the end of the line (an exclusive end at the line break) count one unit
    per code point, so the result is never smaller than the input.
    """
    prefix = line[: max(column - 1, 0)]
    beyond = max(column - 1 - len(prefix), 0)
    return 1 + len(prefix.encode("utf-16-le", "surrogatepass")) // 2 + beyond


def utf8_column(line: str, column: int) -> int:
    """The 1-based UTF-8 byte column of code-point ``column`` on ``line``."""
    prefix = line[: max(column - 1, 0)]
    beyond = max(column - 1 - len(prefix), 0)
    return 1 + len(prefix.encode("utf-8", "surrogatepass")) + beyond


def display_path(path: str | None) -> str:
    """``path`` as reporters show it: relative to the working directory when it is inside it,
    with forward slashes; ``"stdin"`` for standard input or text that came from no file."""
    if path is None or path == STDIN:
        return "stdin"
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.relative_to(Path.cwd())
        except ValueError:
            return candidate.as_posix()
    return candidate.as_posix()


class SourceLines:
    """The text of checked files, from ``sources`` (path -> text) or read from disk once."""

    def __init__(self, sources: Mapping[str, str] | None = None) -> None:
        self._sources = dict(sources or {})
        self._indexes: dict[str, LineIndex | None] = {}

    def index(self, path: str | None) -> LineIndex | None:
        if path is None:
            return None
        if path not in self._indexes:
            text = self._sources.get(path)
            if text is None and path != STDIN:
                text = _read(path)
            self._indexes[path] = LineIndex(text) if text is not None else None
        return self._indexes[path]

    def line(self, path: str | None, number: int) -> str | None:
        """Line ``number`` (1-based) of ``path`` without its line break, if known."""
        index = self.index(path)
        if index is None or not 0 < number <= index.line_count:
            return None
        start, end = index.line_span(number)
        return index.text[start:end]

    def span(
        self, path: str | None, line: int, column: int, end_line: int, end_column: int
    ) -> str | None:
        """The text between two positions (code-point columns, end exclusive), if known."""
        start = self._offset(path, line, column)
        end = self._offset(path, end_line, end_column)
        index = self.index(path)
        if index is None or start is None or end is None or end < start:
            return None
        return index.text[start:end]

    def _offset(self, path: str | None, line: int, column: int) -> int | None:
        text = self.line(path, line)
        index = self.index(path)
        if text is None or index is None or not 0 < column <= len(text) + 1:
            return None
        return index.starts[line - 1] + column - 1


def suggestion_applies(finding: Finding, lines: SourceLines) -> bool:
    """Whether ``finding.suggestion`` can be offered as a replacement of its region.

    Only when the region is known to hold exactly the matched text: the region of a
    non-verbatim source or of a metadata field is the record's position, and a file may have
    changed since it was checked; replacing there would corrupt the file.
    """
    if finding.suggestion is None or not finding.match or finding.field is not None:
        return False
    if finding.path is None or finding.path == STDIN:
        return False
    region = (finding.line, finding.column, finding.end_line, finding.end_column)
    return lines.span(finding.path, *region) == finding.match


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return decode(handle.read())
    except (OSError, DecodeError):
        return None
