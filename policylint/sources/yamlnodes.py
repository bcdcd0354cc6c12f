"""Load YAML safely while keeping its nodes, so that each record and text can be located.

Used by the YAML reader and by Markdown front matter. Only PyYAML's pure-Python
``SafeLoader`` is used: it builds nothing but plain data (no arbitrary objects), and its
marks are character indexes into the string we gave it, which :mod:`positions` turns into
lines and columns with the same line-break rules as every other format. (PyYAML's own line
numbers also count U+0085, U+2028 and U+2029 as breaks, so they are not used.)

A scalar its tag cannot make (``!!int abc``, ``!!timestamp 2024-13-45``, ``!!bool maybe``,
an integer of 5,000 digits) makes PyYAML raise from deep inside the document, losing all of
it; here it becomes an :class:`~policylint.sources.jsonable.UnreadableValue` instead, an
error for the record that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.reader import ReaderError

from policylint.sources.jsonable import UnreadableValue, int_or_unreadable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "YamlProblem",
    "content_offset",
    "documents",
    "key_nodes",
    "with_raw_scalars",
]

_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_LINE_BREAK = re.compile(r"\r\n?|\n")


class YamlProblem(ValueError):
    """YAML that cannot be loaded; ``offset`` is where, in the text that was loaded."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, with :func:`_forgiving` scalar constructors."""


def _forgiving(tag: str) -> Any:
    construct = yaml.SafeLoader.yaml_constructors[tag]
    short = "!!" + tag.rsplit(":", 1)[-1]

    def constructor(loader: yaml.SafeLoader, node: Node) -> Any:
        try:
            return construct(loader, node)
        # What the constructors raise for a scalar they cannot read (int(), float(), a dict
        # lookup, a regex that did not match, datetime's range checks).
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            return _unreadable(node, short)

    return constructor


def _unreadable(node: Node, tag: str) -> UnreadableValue:
    value = str(node.value)
    digits = value.lstrip("+-").replace("_", "")
    if tag == "!!int" and digits.isdigit():
        found = int_or_unreadable(digits)
        if isinstance(found, UnreadableValue):
            return found
    shown = value if len(value) <= 40 else value[:40] + "..."
    shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")
    return UnreadableValue(f"cannot read {shown!r} as {tag}")


for _tag in ("bool", "int", "float", "binary", "timestamp"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _forgiving(f"tag:yaml.org,2002:{_tag}"))


def documents(text: str) -> Iterator[tuple[Node, Any]]:
    """Yield each document of ``text`` as its root node and the data built from it.

    Raises :class:`YamlProblem` at the first document that cannot be loaded; the documents
    before it have already been yielded.
    """
    try:
        # The reader checks every character up front, so the constructor itself can fail.
        loader = _Loader(text)
    except ReaderError as error:
        raise _reader_problem(error) from None
    try:
        while True:
            try:
                if not loader.check_node():
                    return
                node = loader.get_node()
                if node is None:  # check_node() said there is one
                    return
                data = loader.construct_document(node)
            except yaml.MarkedYAMLError as error:
                raise _problem(error) from None
            except ReaderError as error:
                raise _reader_problem(error) from None
            except yaml.YAMLError as error:
                raise YamlProblem(f"invalid YAML: {error}") from None
            except RecursionError:
                # The composer and constructor recurse once per nesting level.
                raise YamlProblem("invalid YAML: nested too deeply") from None
            yield node, data
    finally:
        loader.dispose()


def _reader_problem(error: ReaderError) -> YamlProblem:
    return YamlProblem(
        f"invalid YAML: character U+{error.character:04X} is not allowed", error.position
    )


def _problem(error: yaml.MarkedYAMLError) -> YamlProblem:
    mark = error.problem_mark or error.context_mark
    message = error.problem or error.context or "cannot be read"
    if error.problem and error.context:
        message = f"{error.problem} ({error.context})"
    return YamlProblem(f"invalid YAML: {message}", mark.index if mark is not None else 0)


def key_nodes(node: Node) -> dict[str, tuple[Node, Node]]:
    """A mapping node's (key node, value node) pairs by key; the last of duplicates wins,
    as it does in the data PyYAML builds."""
    pairs: dict[str, tuple[Node, Node]] = {}
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                pairs[str(key.value)] = (key, value)
    return pairs


def with_raw_scalars(
    record: Mapping[Any, Any], pairs: Mapping[str, tuple[Node, Node]], names: tuple[str, ...]
) -> dict[Any, Any]:
    """``record`` with the fields ``names`` as written in the file rather than as YAML 1.1
    typed them.

    ``id: 0042``, ``id: 2024-05-01`` or ``text: no`` are meant as strings; YAML reads them
    as a number, a date and ``False``. A null stays null (the field is then absent).
    """
    copy = dict(record)
    for name in names:
        if name not in pairs or name not in copy:
            continue
        value_node = pairs[name][1]
        if (
            isinstance(value_node, ScalarNode)
            and value_node.tag not in (_NULL_TAG, _STR_TAG)
            and not isinstance(copy[name], str)
        ):
            copy[name] = value_node.value
    return copy


def content_offset(text: str, node: Node) -> int:
    """Offset in ``text`` of the first character of a scalar's content.

    That is past the quote of a quoted scalar, and on the first non-blank content line of a
    ``|`` or ``>`` block scalar. Callers compare the file from there with the value to know
    whether the value is verbatim.
    """
    start: int = node.start_mark.index
    style = node.style if isinstance(node, ScalarNode) else None
    if style in ('"', "'"):
        return start + 1
    if style not in ("|", ">"):
        return start
    end: int = node.end_mark.index
    line_break = _LINE_BREAK.search(text, start, end)
    position = line_break.end() if line_break else end
    while position < end:
        indented = position
        while indented < end and text[indented] == " ":
            indented += 1
        blank_line = _LINE_BREAK.match(text, indented)
        if blank_line is None:
            return indented if indented < end else start
        position = blank_line.end()
    return start
