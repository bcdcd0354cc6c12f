"""Read posts from a path, from bytes or from text, dispatching on the format.

None of these raise for bad input: a missing file, undecodable bytes or a malformed record
come back as :class:`~policylint.InputError` entries in the result. An exception
escaping them is a bug (or the caller's mistake, such as an unknown format name).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from policylint._model.posts import ReadResult
from policylint.sources.decode import MAX_BYTES, DecodeError, decode
from policylint.sources.formats import READERS, canonical_format, format_for
from policylint.sources.records import Defaults

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["read_bytes", "read_path", "read_text"]


def _reader(format: str) -> Callable[[str, str, Defaults], ReadResult]:
    module, _, function = READERS[canonical_format(format)].partition(":")
    reader: Callable[[str, str, Defaults], ReadResult] = getattr(
        importlib.import_module(module), function
    )
    return reader


def read_text(
    text: str,
    *,
    path: str = "<stdin>",
    format: str = "txt",
    default_platform: str | None = None,
    default_meta: Mapping[str, Any] | None = None,
) -> ReadResult:
    """Read posts from text already in memory (stdin, an API caller).

    ``path`` is only used to label locations and errors. ``format`` is a format name, an
    alias or a suffix (``"md"``, ``".yml"``); an unknown one raises ValueError. A leading
    byte-order mark is dropped, as :func:`read_bytes` does.
    """
    reader = _reader(format)
    # Text read by the caller may still start with a byte-order mark; it is not content, and
    # json.loads would refuse it.
    text = text.removeprefix("\ufeff")
    return reader(text, path, Defaults(platform=default_platform, meta=default_meta or {}))


def read_bytes(
    data: bytes,
    *,
    path: str,
    format: str | None = None,
    default_platform: str | None = None,
    default_meta: Mapping[str, Any] | None = None,
    max_bytes: int = MAX_BYTES,
) -> ReadResult:
    """Decode and read a file's contents; the format defaults to the one ``path`` implies,
    and to plain text when its suffix is not one we know."""
    try:
        text = decode(data, max_bytes=max_bytes)
    except DecodeError as error:
        return ReadResult.failure(path, error.message, error.line, error.column)
    return read_text(
        text,
        path=path,
        format=format or format_for(path) or "txt",
        default_platform=default_platform,
        default_meta=default_meta,
    )


def read_path(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    default_platform: str | None = None,
    default_meta: Mapping[str, Any] | None = None,
    max_bytes: int = MAX_BYTES,
) -> ReadResult:
    """Read the posts in the file at ``path``; its format comes from its suffix unless
    ``format`` is given, and an unknown suffix is read as plain text."""
    label = os.fspath(path)
    if format is not None:
        canonical_format(format)  # a bad name is the caller's mistake: raise before any I/O
    try:
        data = _read_limited(Path(path), max_bytes)
    except _TooLarge as error:
        return ReadResult.failure(label, str(error))
    except OSError as error:
        return ReadResult.failure(label, f"cannot read file: {describe_os_error(error)}")
    return read_bytes(
        data,
        path=label,
        format=format,
        default_platform=default_platform,
        default_meta=default_meta,
        max_bytes=max_bytes,
    )


class _TooLarge(Exception):
    pass


def _read_limited(path: Path, max_bytes: int) -> bytes:
    if path.is_dir():
        raise IsADirectoryError(21, "is a directory", str(path))
    with path.open("rb") as stream:
        # The size is checked before reading so a huge file is never loaded, and the read is
        # bounded anyway: devices and pipes report a size of 0 and may never end.
        size = os.fstat(stream.fileno()).st_size
        if size > max_bytes:
            raise _TooLarge(f"file too large: {size} bytes (the limit is {max_bytes})")
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _TooLarge(f"file too large: more than {max_bytes} bytes (the limit)")
    return data


def describe_os_error(error: OSError) -> str:
    """A short reason an input could not be read ("no such file", ...)."""
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "is a directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    return error.strerror or str(error)
