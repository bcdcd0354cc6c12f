"""JSON and JSON Lines.

``.json`` holds one post object, a list of post objects, or an object with a ``posts`` list
(whose other keys are defaults for its posts, see :meth:`records.Defaults.under_container`).
Malformed JSON is one error for the file, since nothing after the mistake can be trusted.

``.jsonl``/``.ndjson`` hold one post object per line. Each line is parsed on its own, so a
bad line is an error for that line only; blank lines are skipped and an empty file is zero
posts.

A record without an ``id`` is named after the line it starts on. Each post's location is
its text's string literal; it is verbatim when the literal has no escape sequences.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from policylint._model.positions import LineIndex
from policylint._model.posts import InputError, Post, ReadResult, SourceLocation
from policylint.sources.jsonscan import (
    array_items,
    loads,
    object_members,
    skip_whitespace,
    string_content,
)
from policylint.sources.records import (
    CONTAINER_KEY,
    Defaults,
    RecordError,
    default_ids,
    post_from_record,
    text_field,
)
from policylint.sources.result import error_at

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["read_json", "read_jsonl"]

_EXPECTED = f"a post object, a list of post objects, or an object with a '{CONTAINER_KEY}' list"


def read_json(text: str, path: str, defaults: Defaults) -> ReadResult:
    lines = LineIndex(text)
    if not text.strip():
        return ReadResult.failure(path, f"empty JSON file: expected {_EXPECTED}")
    try:
        data = loads(text)
    except json.JSONDecodeError as error:
        # Located from the offset: the exception's own lineno counts only "\n" as a break.
        return ReadResult([], [error_at(path, lines, error.pos, f"invalid JSON: {error.msg}")])
    except RecursionError:
        return ReadResult.failure(path, "invalid JSON: nested too deeply")
    root = skip_whitespace(text, 0)
    if isinstance(data, dict) and isinstance(data.get(CONTAINER_KEY), list):
        try:
            defaults = defaults.under_container(data)
        except RecordError as error:
            offset = object_members(text, root).get(error.field or "", root)
            return ReadResult([], [error_at(path, lines, offset, error.message)])
        items = array_items(text, object_members(text, root)[CONTAINER_KEY])
        records = zip(data[CONTAINER_KEY], items, strict=True)
        return _read_records(text, lines, path, records, defaults)
    if isinstance(data, dict):
        return _read_records(text, lines, path, [(data, root)], defaults)
    if isinstance(data, list):
        records = zip(data, array_items(text, root), strict=True)
        return _read_records(text, lines, path, records, defaults)
    return ReadResult([], [error_at(path, lines, root, f"expected {_EXPECTED}")])


def read_jsonl(text: str, path: str, defaults: Defaults, first_line: int = 1) -> ReadResult:
    """Posts of a JSON Lines text; ``first_line`` is the file line it starts on, when it is a
    chunk of a larger file (see :mod:`policylint.sources.stream`)."""
    lines = LineIndex(text, first_line)
    posts: list[Post] = []
    errors: list[InputError] = []
    for number in range(1, lines.line_count + 1):
        start, end = lines.line_span(number)
        line = text[start:end]
        if not line.strip():
            continue
        try:
            data = loads(line)
        except json.JSONDecodeError as error:
            message = f"invalid JSON: {error.msg}"
            errors.append(error_at(path, lines, start + error.pos, message))
            continue
        except RecursionError:
            errors.append(error_at(path, lines, start, "invalid JSON: nested too deeply"))
            continue
        result = _read_records(text, lines, path, [(data, skip_whitespace(text, start))], defaults)
        posts.extend(result.posts)
        errors.extend(result.errors)
    return ReadResult(posts, errors)


def _read_records(
    text: str,
    lines: LineIndex,
    path: str,
    records: Iterable[tuple[Any, int]],
    defaults: Defaults,
) -> ReadResult:
    """Posts from (decoded record, offset of the record in ``text``) pairs."""
    posts: list[Post] = []
    errors: list[InputError] = []
    pairs = list(records)
    ids = default_ids([lines.position(offset) for _, offset in pairs])
    for (record, offset), default_id in zip(pairs, ids, strict=True):
        if not isinstance(record, dict):
            message = f"expected a post object, not {_kind(record)}"
            errors.append(error_at(path, lines, offset, message))
            continue
        members = object_members(text, offset)
        try:
            source = _source(text, lines, path, record, offset, members)
            posts.append(
                post_from_record(record, source=source, default_id=default_id, defaults=defaults)
            )
        except RecordError as error:
            where = members.get(error.field or "", offset)
            errors.append(error_at(path, lines, where, error.message))
    return ReadResult(posts, errors)


def _source(
    text: str,
    lines: LineIndex,
    path: str,
    record: dict[str, Any],
    offset: int,
    members: dict[str, int],
) -> SourceLocation:
    """The location of a record's text string, or of the record if it has none."""
    name = text_field(record)
    if name is not None and isinstance(record[name], str):
        start, verbatim = string_content(text, members[name], record[name])
        line, column = lines.position(start)
        return SourceLocation(path=path, line=line, column=column, verbatim=verbatim)
    line, column = lines.position(offset)
    return SourceLocation(path=path, line=line, column=column)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"
