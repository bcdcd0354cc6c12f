"""JSON Lines read piece by piece, for archives larger than memory.

:func:`iter_jsonl` yields a file's posts (and an error for each line it cannot read) in file
order while holding only one chunk of about a megabyte: the command line checks a
million-post export with flat memory, and the whole-file size limit does not apply (each
line is limited instead). Posts, locations, default ids and messages are the same as
:func:`~policylint.sources.read_path` gives for the file.

Differences from reading the file whole, both in the reader's favour: a line that is not
UTF-8 is an error for that line (the rest of the file is still read), and a line longer than
``max_line_bytes`` is an error for that line instead of the file being refused.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Mapping

from policylint._model.positions import line_starts
from policylint._model.posts import InputError, Post
from policylint.sources.decode import MAX_BYTES, DecodeError, decode
from policylint.sources.json_ import read_jsonl
from policylint.sources.reader import describe_os_error, read_path
from policylint.sources.records import Defaults

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CHUNK_BYTES", "iter_jsonl"]

#: Bytes decoded and parsed at a time (whole lines; a longer line is a chunk of its own).
CHUNK_BYTES = 1 << 20

# Files starting with these are UTF-16/32.
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"


def iter_jsonl(
    path: str | os.PathLike[str],
    *,
    default_platform: str | None = None,
    default_meta: Mapping[str, Any] | None = None,
    max_line_bytes: int = MAX_BYTES,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[Post | InputError]:
    """The posts of a JSON Lines file, and an ``InputError`` for each line that is not one,
    in file order, reading about ``chunk_bytes`` at a time."""
    label = os.fspath(path)
    defaults = Defaults(platform=default_platform, meta=default_meta or {})
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as error:
        yield _error(label, 1, f"cannot read file: {describe_os_error(error)}")
        return
    with stream:
        head = stream.peek(len(_UTF8_BOM))[: len(_UTF8_BOM)]
        if head.startswith(_WIDE_BOMS):
            # UTF-16/32 cannot be split on b"\n": read whole, with the whole-file limit
            result = read_path(
                label, format="jsonl", default_platform=default_platform, default_meta=default_meta
            )
            yield from _in_order(result.posts, list(result.errors))
            return
        if head == _UTF8_BOM:
            stream.read(len(_UTF8_BOM))
        yield from _lines(label, stream, defaults, max_line_bytes, chunk_bytes)


def _lines(
    label: str,
    stream: io.BufferedReader,
    defaults: Defaults,
    max_line_bytes: int,
    chunk_bytes: int,
) -> Iterator[Post | InputError]:
    line = 1  # the file line the next chunk starts on
    offset = stream.tell()  # and its first byte
    parts: list[bytes] = []
    size = 0
    while True:
        raw = stream.readline(max_line_bytes + 1)
        too_long = len(raw) > max_line_bytes
        if not too_long and raw:
            parts.append(raw)
            size += len(raw)
        if parts and (too_long or not raw or size >= chunk_bytes):
            text, errors = _decode_lines(label, b"".join(parts), line, offset)
            result = read_jsonl(text, label, defaults, first_line=line)
            yield from _in_order(result.posts, [*errors, *result.errors])
            line += len(line_starts(text)) - 1
            offset += size
            parts, size = [], 0
        if too_long:
            _skip_line(stream, raw)
            offset = stream.tell()
            yield _error(label, line, f"line longer than {max_line_bytes} bytes (the limit)")
            line += 1
        elif not raw:
            return


def _skip_line(stream: io.BufferedReader, start: bytes) -> None:
    line = start
    while line and not line.endswith(b"\n"):
        line = stream.readline(CHUNK_BYTES)


def _decode_lines(
    label: str, chunk: bytes, first_line: int, byte_offset: int
) -> tuple[str, list[InputError]]:
    """The chunk as text; a line that is not UTF-8 becomes an error and blank lines (as many
    line breaks as it had, so later lines keep their numbers)."""
    try:
        return decode(chunk, max_bytes=len(chunk)), []
    except DecodeError:
        pass
    texts: list[str] = []
    errors: list[InputError] = []
    line = first_line
    for raw in chunk.splitlines(keepends=True):
        try:
            text = decode(raw, max_bytes=len(raw), byte_offset=byte_offset)
        except DecodeError as error:
            errors.append(_error(label, line + error.line - 1, error.message, error.column))
            shown = raw.decode("utf-8", errors="replace")
            text = "\n" * (len(line_starts(shown)) - 1)
        texts.append(text)
        line += len(line_starts(text)) - 1
        byte_offset += len(raw)
    return "".join(texts), errors


def _in_order(posts: list[Post], errors: list[InputError]) -> Iterator[Post | InputError]:
    """Posts and errors of one chunk, merged by line."""
    errors.sort(key=lambda e: (e.line, e.column))
    index = 0
    for post in posts:
        where = post.source.line if post.source is not None else 0
        while index < len(errors) and errors[index].line < where:
            yield errors[index]
            index += 1
        yield post
    yield from errors[index:]


def _error(path: str, line: int, message: str, column: int = 1) -> InputError:
    return InputError(path=path, line=line, column=column, message=message)
