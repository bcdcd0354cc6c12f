"""Is this file a post? The rule a folder walk and the pre-commit hook apply.

A content repository holds more than posts: a README, a ``package.json``, an ``mkdocs.yml``.
Read as posts, those are findings or input errors that block every commit. So when
policylint chooses the files itself (walking a folder, or ``--force-exclude``, which the
pre-commit hook passes), a file is checked only if it can hold posts:

* ``.txt``: always (plain text has no way to say otherwise);
* Markdown: when it opens with front matter (a first line ``---``), which is how a post
  gives its platform and metadata; a README or a docs page without it is not a post;
* CSV: when its header names a text column (``text``, ``body``, ``caption``, ``content``);
* JSON, YAML: when some record has a text field, or the document is a ``posts`` container
  (the structures :mod:`records` reads); ``package.json`` and ``mkdocs.yml`` have neither;
* JSON Lines: when some line is a record with a text field.

Whatever cannot be decided is a post: a file that cannot be read or parsed is left to the
reader, which reports why, so a broken calendar is never skipped. A file whose format has
no post in it may still hold the field *names*; only a file that does not even mention one
is decided without parsing. ``include`` in the configuration replaces this rule with
globs (see :meth:`policylint.config.Config.is_included`).
"""

from __future__ import annotations

import codecs
import os
import re

from policylint.sources.decode import MAX_BYTES, DecodeError, decode
from policylint.sources.formats import format_for
from policylint.sources.records import CONTAINER_KEY, TEXT_FIELDS, text_field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["not_a_post"]

#: A post's field names as words: a file without one cannot hold a post record.
_POST_WORD = re.compile(rf"\b(?:{'|'.join((*TEXT_FIELDS, CONTAINER_KEY))})\b")
_NO_FIELDS = f"no {', '.join(TEXT_FIELDS)} or {CONTAINER_KEY} field"
# Up to the first line break, which may be "\r\n", "\n" or a lone "\r" (see positions).
_FIRST_LINE = re.compile(r"[^\r\n]*")
_NO_RECORD = "no record with a text field"
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def not_a_post(path: str | os.PathLike[str]) -> str | None:
    """Why the file at ``path`` holds no post ("Markdown without front matter"), or None
    when it may hold posts (and when that cannot be told: the reader then says why)."""
    format = format_for(path)
    if format is None:
        return "not a format policylint reads"
    if format == "txt":
        return None
    if format == "jsonl":
        return _jsonl(path)
    text = _text(path)
    if text is None:
        return None
    return _DECIDERS[format](text)


def _text(path: str | os.PathLike[str]) -> str | None:
    """The file's text, or None when it cannot be read as text (left to the reader)."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
        return decode(data)
    except (OSError, DecodeError):
        return None


def _first_line(text: str) -> str:
    match = _FIRST_LINE.match(text)
    return match.group() if match else ""


def _markdown(text: str) -> str | None:
    # The reader's test (sources.markdown): a first line "---", trailing blanks allowed.
    if _first_line(text).rstrip(" \t") == "---":
        return None
    return "Markdown without front matter"


def _csv(text: str) -> str | None:
    import csv
    import io

    from policylint.sources.csv_ import header_delimiter

    delimiter = header_delimiter(_first_line(text))
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for header in rows:
            if any(cell.strip() for cell in header):
                names = {cell.strip().lower() for cell in header}
                return None if names & set(TEXT_FIELDS) else "CSV without a text column"
    except csv.Error:
        return None
    return "empty CSV file"


def _json(text: str) -> str | None:
    import json

    if not _POST_WORD.search(text):
        return _NO_FIELDS
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return None if _holds_posts(data) else _NO_RECORD


def _yaml(text: str) -> str | None:
    if not _POST_WORD.search(text):
        return _NO_FIELDS
    import yaml

    # libyaml when PyYAML has it: this only looks at the structure, and the reader's own
    # pure-Python parse of a calendar is slow enough without a second one at its speed.
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        found = any(_holds_posts(data) for data in yaml.load_all(text, Loader=loader))
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None
    return None if found else _NO_RECORD


def _jsonl(path: str | os.PathLike[str]) -> str | None:
    """Lines are read one at a time until one is a post: a calendar is decided by its first
    line, and an archive of any size is never held in memory."""
    import json

    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError:
        return None
    with stream:
        if stream.peek(4)[:4].startswith(_WIDE_BOMS):
            return None  # UTF-16/32 lines cannot be split on b"\n": left to the reader
        mentioned = False
        while line := stream.readline(MAX_BYTES + 1):
            if len(line) > MAX_BYTES:
                return None
            if not _POST_WORD.search(line.decode("utf-8", errors="replace")):
                continue
            mentioned = True
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):
                return None  # a broken line that names a post field: the reader reports it
            if isinstance(record, dict) and text_field(record) is not None:
                return None
    return _NO_RECORD if mentioned else _NO_FIELDS


def _holds_posts(data: Any) -> bool:
    """Whether a JSON or YAML document is one of the structures that hold posts."""
    if isinstance(data, dict):
        return isinstance(data.get(CONTAINER_KEY), list) or text_field(data) is not None
    if isinstance(data, list):
        return any(isinstance(item, dict) and text_field(item) is not None for item in data)
    return False


_DECIDERS: dict[str, Callable[[str], str | None]] = {
    "markdown": _markdown,
    "csv": _csv,
    "json": _json,
    "yaml": _yaml,
}
