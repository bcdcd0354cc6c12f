"""YAML content calendars.

A document is a list of post mappings, a mapping with a ``posts`` list (whose other keys
are defaults for its posts, see :meth:`records.Defaults.under_container`), or one post
mapping. A file may hold several ``---``-separated documents; an empty one holds no posts.

Values are loaded with PyYAML's safe loader only. ``text``, ``id`` and ``platform`` are
taken as written (``id: 0042`` is ``"0042"``, not 42); dates elsewhere become ISO strings
in meta so that posts stay JSON-shaped. A post without an ``id`` is named after the line
its mapping starts on, and is located at its text scalar: verbatim when the file holds the
text character for character from there (a one-line plain or quoted scalar without
escapes, say), otherwise at the scalar's first character.

Malformed YAML stops the file at the first problem (posts of earlier documents are kept);
a malformed record is an error for that record only.
"""

from __future__ import annotations

from collections.abc import Iterable

from yaml.nodes import Node, SequenceNode

from policylint._model.positions import LineIndex
from policylint._model.posts import InputError, Post, ReadResult, SourceLocation
from policylint.sources.records import (
    CONTAINER_KEY,
    TEXT_FIELDS,
    Defaults,
    RecordError,
    default_ids,
    post_from_record,
    text_field,
)
from policylint.sources.result import error_at
from policylint.sources.yamlnodes import (
    YamlProblem,
    content_offset,
    documents,
    key_nodes,
    with_raw_scalars,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["read"]

_AS_WRITTEN = (*TEXT_FIELDS, "id", "platform")


class _Reader:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.lines = LineIndex(text)
        self.posts: list[Post] = []
        self.errors: list[InputError] = []

    def read(self, defaults: Defaults) -> ReadResult:
        try:
            for node, data in documents(self.text):
                self._document(node, data, defaults)
        except YamlProblem as problem:
            self._error(problem.offset, problem.message)
        return ReadResult(self.posts, self.errors)

    def _document(self, node: Node, data: Any, defaults: Defaults) -> None:
        if data is None:
            return
        if isinstance(data, dict) and isinstance(data.get(CONTAINER_KEY), list):
            pairs = key_nodes(node)
            try:
                defaults = defaults.under_container(with_raw_scalars(data, pairs, ("platform",)))
            except RecordError as error:
                self._error(self._field_offset(node, pairs, error.field), error.message)
                return
            posts = data[CONTAINER_KEY]
            items = _items(pairs[CONTAINER_KEY][1], len(posts))
            self._records(zip(posts, items, strict=True), defaults)
        elif isinstance(data, dict):
            self._records([(data, node)], defaults)
        elif isinstance(data, list):
            self._records(zip(data, _items(node, len(data)), strict=True), defaults)
        else:
            expected = f"a list of posts, a mapping with a '{CONTAINER_KEY}' list, or one post"
            self._error(node.start_mark.index, f"expected {expected}")

    def _records(self, records: Iterable[tuple[Any, Node]], defaults: Defaults) -> None:
        pairs_of_records = list(records)
        positions = [self.lines.position(node.start_mark.index) for _, node in pairs_of_records]
        ids = default_ids(positions)
        for (record, node), default_id in zip(pairs_of_records, ids, strict=True):
            if not isinstance(record, dict):
                self._error(node.start_mark.index, "expected a post mapping of keys to values")
                continue
            pairs = key_nodes(node)
            record = with_raw_scalars(record, pairs, _AS_WRITTEN)
            try:
                source = self._source(record, node, pairs)
                self.posts.append(
                    post_from_record(
                        record, source=source, default_id=default_id, defaults=defaults
                    )
                )
            except RecordError as error:
                self._error(self._field_offset(node, pairs, error.field), error.message)

    def _source(
        self, record: dict[Any, Any], node: Node, pairs: dict[str, tuple[Node, Node]]
    ) -> SourceLocation:
        """The location of a record's text scalar, or of the record if it has none."""
        name = text_field(record)
        if name is not None and name in pairs and isinstance(record[name], str):
            start = content_offset(self.text, pairs[name][1])
            verbatim = self.text.startswith(record[name], start)
            line, column = self.lines.position(start)
            return SourceLocation(path=self.path, line=line, column=column, verbatim=verbatim)
        line, column = self.lines.position(node.start_mark.index)
        return SourceLocation(path=self.path, line=line, column=column)

    def _field_offset(
        self, node: Node, pairs: dict[str, tuple[Node, Node]], field: str | None
    ) -> int:
        if field is not None and field in pairs:
            offset: int = pairs[field][1].start_mark.index
            return offset
        start: int = node.start_mark.index
        return start

    def _error(self, offset: int, message: str) -> None:
        self.errors.append(error_at(self.path, self.lines, offset, message))


def read(text: str, path: str, defaults: Defaults) -> ReadResult:
    return _Reader(text, path).read(defaults)


def _items(node: Node, count: int) -> list[Node]:
    """The nodes of a list's ``count`` items; the list's own node for each when the list
    was built some other way (a ``!!omap`` tag, say) and items have no node of their own."""
    if isinstance(node, SequenceNode) and len(node.value) == count:
        return list(node.value)
    return [node] * count
