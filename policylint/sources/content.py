"""Is this file a post? The rule a folder walk and the pre-commit hook apply.

A content repository holds more than posts: a README, a ``package.json``, an ``mkdocs.yml``.
Read as posts, those are findings or input errors that block every commit. So when
policylint chooses the files itself (walking a folder, or ``--force-exclude``, which the
pre-commit hook passes), a file is checked only if it can hold posts:

* Markdown and ``.txt``: always, except a repository's own documents, known by their name
  (README, CHANGELOG, LICENSE, CONTRIBUTING...: :data:`REPOSITORY_DOCUMENTS`), unless a
  Markdown one opens with front matter (a first line ``---``): a site's page written as a
  post;
* CSV: when its header names a text column (``text``, ``body``, ``caption``, ``content``);
* JSON, YAML: when some record has a text field, or the document is a ``posts`` container
  (the structures :mod:`records` reads); ``package.json`` and ``mkdocs.yml`` have neither;
* JSON Lines: when some line is a record with a text field.

Skipping a post would be a silent false negative, so whatever cannot be decided is a post:
a Markdown or text file is one by default (a docs page too: ``exclude`` or ``include`` say
otherwise), and a file that cannot be read or parsed is left to the reader, which reports
why, so a broken calendar is never skipped (unless it does not even mention a text field:
a ``tsconfig.json`` with comments). ``include`` in the configuration replaces this rule
with globs (see :meth:`policylint._config.config.Config.is_included`).
"""

from __future__ import annotations

import codecs
import os
import re
from functools import cache

from policylint.sources.decode import MAX_BYTES, DecodeError, decode
from policylint.sources.formats import format_for
from policylint.sources.records import CONTAINER_KEY, TEXT_FIELDS, text_field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["REPOSITORY_DOCUMENTS", "REPOSITORY_DOCUMENTS_IN_CAPITALS", "not_a_post"]

#: A repository's own documents, by the part of their name before the first dot, "-" read
#: as "_": README.md, readme.de.md, CODE-OF-CONDUCT.md, LICENSE.txt. Not posts, whatever
#: they say. These names mean nothing else, in any case; the words that could also name a
#: post (news.md, history.txt, security.md) count only in capitals, as repositories write
#: them (NEWS, SECURITY.md).
REPOSITORY_DOCUMENTS = frozenset(
    {"CHANGELOG", "CODE_OF_CONDUCT", "CODEOWNERS", "CONTRIBUTING", "COPYING", "LICENCE"}
    | {"LICENSE", "README"}
)
REPOSITORY_DOCUMENTS_IN_CAPITALS = frozenset(
    {"AUTHORS", "CHANGES", "CONTRIBUTORS", "GOVERNANCE", "HISTORY", "MAINTAINERS", "NEWS"}
    | {"NOTICE", "SECURITY", "SUPPORT"}
)

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
    if format in ("txt", "markdown"):
        reason = _repository_document(path)
        if reason is not None and format == "markdown" and _has_front_matter(path):
            return None  # a README with front matter: a site's page, written as a post
        return reason
    if format == "jsonl":
        return _jsonl(path)
    text = _text(path)
    if text is None:
        return None
    return _DECIDERS[format](text)


def _repository_document(path: str | os.PathLike[str]) -> str | None:
    stem = os.path.basename(path).split(".", 1)[0].replace("-", "_")
    if stem.upper() in REPOSITORY_DOCUMENTS or stem in REPOSITORY_DOCUMENTS_IN_CAPITALS:
        return f"a repository document ({stem.upper()})"
    return None


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


def _has_front_matter(path: str | os.PathLike[str]) -> bool:
    # The reader's test (sources.markdown): a first line "---", trailing blanks allowed. A
    # file that cannot be read is the reader's to report.
    text = _text(path)
    return text is None or _first_line(text).rstrip(" \t") == "---"


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

    try:
        found = any(_holds_posts(data) for data in yaml.load_all(text, Loader=_yaml_loader()))
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None
    return None if found else _NO_RECORD


@cache
def _yaml_loader() -> Any:
    """A safe loader that reads any tag it does not know as null: only the document's shape
    matters here, and an ``mkdocs.yml`` is full of ``!!python/name:`` and ``!ENV`` tags that
    would otherwise make it unreadable, and so content. libyaml when PyYAML has it: the
    reader's own pure-Python parse of a calendar is slow enough without a second one."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class ShapeLoader(base):  # type: ignore[misc]
        pass

    ShapeLoader.add_multi_constructor("", lambda loader, suffix, node: None)
    return ShapeLoader


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
    "csv": _csv,
    "json": _json,
    "yaml": _yaml,
}
