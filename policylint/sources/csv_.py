"""CSV content calendars: a header row, then one post per row.

* Header names are trimmed and lower-cased (spreadsheets write ``Text``, rules say
  ``meta.industry``); an unnamed column is called ``column_N``. Duplicate names are an
  error for the file, since one column would otherwise silently hide the other.
* The text column is the first of ``text``, ``body``, ``caption``, ``content`` present
  (see :mod:`records`); a file with none of them is an error.
* ``id`` and ``platform`` are the post's own. A ``meta`` column, if any, holds a JSON object
  (the only way to give nested values such as a media list in a flat file).
* Every other column with a non-empty cell goes into meta as a string, except that
  ``true``/``false`` (any case) become booleans so rules can guard on ``meta.sponsored``.
  Empty cells are absent, not empty strings.
* Rows whose cells are all empty are skipped (spreadsheets export trailing ``,,,`` rows).
  A row with more or fewer cells than the header, or that the csv module rejects (an
  unclosed quote), is an error for that row; the other rows are still read.
* The delimiter is ``,`` unless the header line has more ``;`` or tabs (European
  spreadsheet exports). Quotes are ``"``, doubled inside a quoted field.

Posts without an id are named after the line their row starts on. Each post is located at
its text cell, verbatim unless the cell contains doubled quotes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from policylint._model.positions import LineIndex
from policylint._model.posts import InputError, Post, ReadResult, SourceLocation
from policylint.sources.jsonscan import loads
from policylint.sources.records import (
    OWN_FIELDS,
    TEXT_FIELDS,
    Defaults,
    RecordError,
    post_from_record,
    text_field,
)
from policylint.sources.result import error_at

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["header_delimiter", "read"]

_QUOTE = '"'
_DELIMITERS = (",", ";", "\t")

# States of _cell_starts.
_START, _UNQUOTED, _QUOTED, _AFTER_QUOTE = range(4)


class _Lines:
    """The text's physical lines, fed to csv.reader one at a time, counting how many it took.

    csv.reader pulls exactly the lines a record spans and no more, so the count before and
    after a record gives the record's first line and its raw text, including multi-line
    quoted fields, with the same line-break rules as :mod:`positions`.
    """

    def __init__(self, lines: LineIndex) -> None:
        self.lines = lines
        self.consumed = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        starts = self.lines.starts
        if self.consumed >= len(starts) or starts[self.consumed] >= len(self.lines.text):
            raise StopIteration
        self.consumed += 1
        return self.lines.text[starts[self.consumed - 1] : self.offset]

    @property
    def offset(self) -> int:
        """Offset just past the lines consumed so far."""
        starts = self.lines.starts
        return starts[self.consumed] if self.consumed < len(starts) else len(self.lines.text)


class _Reader:
    """Reads one CSV text, accumulating posts and errors."""

    def __init__(self, text: str, path: str, defaults: Defaults) -> None:
        self.path = path
        self.defaults = defaults
        self.lines = LineIndex(text)
        self.delimiter = header_delimiter(text[: self.lines.line_span(1)[1]])
        self.source = _Lines(self.lines)
        self.rows = csv.reader(self.source, delimiter=self.delimiter, quotechar=_QUOTE, strict=True)
        self.posts: list[Post] = []
        self.errors: list[InputError] = []

    def read(self) -> ReadResult:
        header = self._header()
        if header is not None:
            while self._row(header):
                pass
        return ReadResult(self.posts, self.errors)

    def _header(self) -> list[str] | None:
        while True:
            start = self.source.offset
            try:
                cells = next(self.rows)
            except StopIteration:
                self._error(0, "empty CSV file: expected a header row naming a 'text' column")
                return None
            except csv.Error as error:
                self._error(start, f"invalid CSV header: {error}")
                return None
            if any(cell.strip() for cell in cells):
                break
        names = [cell.strip().lower() or f"column_{i}" for i, cell in enumerate(cells, 1)]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            self._error(start, f"duplicate column {duplicates[0]!r} in the header")
            return None
        if not any(name in names for name in TEXT_FIELDS):
            expected = ", ".join(TEXT_FIELDS)
            self._error(start, f"no text column in the header: expected one of {expected}")
            return None
        return names

    def _row(self, header: list[str]) -> bool:
        """Read the next row; False at the end of the file."""
        start = self.source.offset
        try:
            cells = next(self.rows)
        except StopIteration:
            return False
        except csv.Error as error:
            self._error(start, f"invalid CSV: {error}")
            return True
        if not any(cells):
            return True
        if len(cells) != len(header):
            self._error(start, f"row has {len(cells)} cells but the header has {len(header)}")
            return True
        raw = self.lines.text[start : self.source.offset]
        offsets = [start + cell for cell in _cell_starts(raw, self.delimiter, len(header))]
        record = {name: cell for name, cell in zip(header, cells, strict=True) if cell != ""}
        try:
            self.posts.append(self._post(record, header, offsets, start))
        except RecordError as error:
            where = offsets[header.index(error.field)] if error.field in header else start
            self._error(where, error.message)
        return True

    def _post(
        self, record: dict[str, str], header: list[str], offsets: list[int], start: int
    ) -> Post:
        fields: dict[str, Any] = {
            name: value if name in OWN_FIELDS or name in TEXT_FIELDS else _meta_value(value)
            for name, value in record.items()
        }
        if "meta" in fields:
            fields["meta"] = _meta_column(record["meta"])
        line, column = self.lines.position(start)
        source = SourceLocation(path=self.path, line=line, column=column)
        name = text_field(fields)
        if name is not None:
            text_start = offsets[header.index(name)]
            text = record[name]
            if self.lines.text.startswith(_QUOTE, text_start):
                text_start += 1
            verbatim = self.lines.text.startswith(text, text_start)
            text_line, text_column = self.lines.position(text_start)
            source = SourceLocation(
                path=self.path, line=text_line, column=text_column, verbatim=verbatim
            )
        return post_from_record(fields, source=source, default_id=str(line), defaults=self.defaults)

    def _error(self, offset: int, message: str) -> None:
        self.errors.append(error_at(self.path, self.lines, offset, message))


def read(text: str, path: str, defaults: Defaults) -> ReadResult:
    return _Reader(text, path, defaults).read()


def header_delimiter(header_line: str) -> str:
    """The delimiter of a file whose header is ``header_line``."""
    # max() keeps the first of equal counts, so "," wins ties (and a one-column header).
    return max(_DELIMITERS, key=header_line.count)


def _cell_starts(raw: str, delimiter: str, count: int) -> list[int]:
    """Offsets in ``raw`` (one record as written) at which each of its cells starts.

    A small version of the csv module's own state machine: only delimiters outside quotes
    start a cell, and a quote inside a quoted cell is either its end or half of a doubled
    quote, which the next character tells apart.
    """
    starts = [0]
    state = _START
    for index, char in enumerate(raw):
        if len(starts) == count:
            break
        if state in (_START, _UNQUOTED, _AFTER_QUOTE) and char == delimiter:
            starts.append(index + 1)
            state = _START
        elif state == _START:
            state = _QUOTED if char == _QUOTE else _UNQUOTED
        elif state == _QUOTED:
            state = _AFTER_QUOTE if char == _QUOTE else _QUOTED
        elif state == _AFTER_QUOTE:
            state = _QUOTED if char == _QUOTE else _UNQUOTED
    return starts + [len(raw)] * (count - len(starts))


def _meta_value(value: str) -> str | bool:
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return value


def _meta_column(value: str) -> dict[str, Any]:
    try:
        meta = loads(value)
    except (json.JSONDecodeError, RecursionError):
        meta = None
    if not isinstance(meta, dict):
        raise RecordError("the 'meta' column must hold a JSON object", field="meta")
    return meta
