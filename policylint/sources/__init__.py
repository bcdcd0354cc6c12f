"""Readers that turn input files into posts, with the location of each post's text.

Formats: plain text, Markdown with front matter, JSON, JSON Lines, CSV and YAML content
calendars (one module each). Nothing read is lost: what cannot be read becomes an
:class:`~policylint._model.records.InputError` in the :class:`ReadResult`, next to the posts that
could be, and no bad input makes these functions raise.
"""

from __future__ import annotations

from policylint._model.posts import ReadResult
from policylint.sources.decode import MAX_BYTES
from policylint.sources.discover import discover
from policylint.sources.formats import FORMATS, SUPPORTED_SUFFIXES, format_for
from policylint.sources.reader import read_bytes, read_path, read_text
from policylint.sources.records import TEXT_FIELDS

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "TEXT_FIELDS",
    "ReadResult",
    "discover",
    "format_for",
    "read_bytes",
    "read_path",
    "read_text",
]
