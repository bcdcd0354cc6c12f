"""Readers that turn input files into posts, with the location of each post's text.

Formats: plain text, Markdown with front matter, JSON, JSON Lines, CSV and YAML content
calendars (one module each). Nothing read is lost: what cannot be read becomes an
:class:`~policylint.InputError` in the :class:`~policylint.ReadResult`, next to the posts that
could be, and no bad input makes the readers raise. :func:`read_record` makes one record
already parsed (a dict) a post by the same rules, raising :class:`RecordError` if it is not.

To add a format, write its reader (text, path and defaults in, a ``ReadResult`` out) and add
a line to :data:`~policylint.sources.formats.READERS` and its suffixes to ``SUFFIX_FORMATS``.
"""

from __future__ import annotations

from policylint._model.posts import ReadResult
from policylint.sources.decode import MAX_BYTES
from policylint.sources.discover import discover
from policylint.sources.formats import FORMATS, SUPPORTED_SUFFIXES, format_for
from policylint.sources.reader import read_bytes, read_path, read_text
from policylint.sources.records import TEXT_FIELDS, RecordError, read_record

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "TEXT_FIELDS",
    "ReadResult",
    "RecordError",
    "discover",
    "format_for",
    "read_bytes",
    "read_path",
    "read_record",
    "read_text",
]
