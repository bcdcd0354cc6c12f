"""Markdown: one post per file, with optional YAML front matter.

    ---
    platform: linkedin
    sponsored: true
    media: [{type: image, alt: "Team photo"}]
    ---
    The post text, checked exactly as written (Markdown syntax included).

Front matter starts with a first line ``---`` and ends at the next line that is ``---`` or
``...``. Its ``id``, ``platform`` and ``meta`` are the post's own; every other key goes into
meta (see :mod:`records`). Front matter that cannot be read is an error and the post is not
checked: checking it without its metadata could both miss and invent findings.
"""

from __future__ import annotations

from yaml.nodes import Node

from policylint._model.positions import LineIndex
from policylint._model.posts import ReadResult, SourceLocation
from policylint.sources.records import Defaults, RecordError, post_from_fields
from policylint.sources.result import error_at
from policylint.sources.yamlnodes import YamlProblem, documents, key_nodes, with_raw_scalars

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["read"]

_OPENING = "---"
_CLOSINGS = ("---", "...")


class _Unclosed(ValueError):
    pass


def read(text: str, path: str, defaults: Defaults) -> ReadResult:
    lines = LineIndex(text)
    front = _read_front_matter(path, lines)
    if isinstance(front, ReadResult):
        return front
    fields, pairs, yaml_start, body_start = front
    try:
        return _post(path, lines, body_start, fields, defaults)
    except RecordError as error:
        offset = yaml_start
        if error.field in pairs:
            offset += pairs[error.field][1].start_mark.index
        return ReadResult([], [error_at(path, lines, offset, f"front matter: {error.message}")])


def _read_front_matter(
    path: str, lines: LineIndex
) -> tuple[dict[Any, Any], dict[str, tuple[Node, Node]], int, int] | ReadResult:
    """The front matter's fields, their nodes, where its YAML and the body start; or the
    failed result when it cannot be read."""
    try:
        bounds = _front_matter_bounds(lines)
    except _Unclosed:
        message = "front matter opened on line 1 is never closed by a '---' line"
        return ReadResult.failure(path, message)
    if bounds is None:
        return {}, {}, 0, 0
    yaml_start, yaml_end, body_start = bounds
    try:
        loaded = list(documents(lines.text[yaml_start:yaml_end]))
    except YamlProblem as problem:
        message = f"front matter: {problem.message}"
        return ReadResult([], [error_at(path, lines, yaml_start + problem.offset, message)])
    if not loaded or loaded[0][1] is None:  # empty front matter
        return {}, {}, yaml_start, body_start
    node, fields = loaded[0]
    if not isinstance(fields, dict):
        message = f"front matter must be a mapping of keys to values, not a {_kind(fields)}"
        return ReadResult([], [error_at(path, lines, yaml_start, message)])
    pairs = key_nodes(node)
    return with_raw_scalars(fields, pairs, ("id", "platform")), pairs, yaml_start, body_start


def _post(
    path: str, lines: LineIndex, body_start: int, fields: dict[Any, Any], defaults: Defaults
) -> ReadResult:
    """The post whose text is the file from ``body_start`` on (raises RecordError)."""
    body = lines.text[body_start:]
    line, column = lines.position(body_start)
    source = SourceLocation(path=path, line=line, column=column, verbatim=True)
    post = post_from_fields(fields, text=body, source=source, default_id=None, defaults=defaults)
    return ReadResult(posts=[post], errors=[])


def _front_matter_bounds(lines: LineIndex) -> tuple[int, int, int] | None:
    """(start, end) of the YAML between the delimiters and where the body starts, or None
    when the file has no front matter."""
    if lines.line_count < 2 or _line(lines, 1) != _OPENING:
        return None
    for number in range(2, lines.line_count + 1):
        if _line(lines, number) in _CLOSINGS:
            body_start = lines.starts[number] if number < lines.line_count else len(lines.text)
            return lines.starts[1], lines.starts[number - 1], body_start
    raise _Unclosed


def _line(lines: LineIndex, number: int) -> str:
    start, end = lines.line_span(number)
    # Trailing blanks after a delimiter are invisible in an editor; accept them.
    return lines.text[start:end].rstrip(" \t")


def _kind(value: object) -> str:
    return "list" if isinstance(value, list) else type(value).__name__
