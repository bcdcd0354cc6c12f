"""Which reader handles which file: formats, their names and their file suffixes."""

from __future__ import annotations

import os
from pathlib import PurePath

__all__ = [
    "FORMATS",
    "READERS",
    "SUFFIX_FORMATS",
    "SUPPORTED_SUFFIXES",
    "canonical_format",
    "format_for",
]

#: Each format's reader, ``"module:function"``, imported on first use: a commit touching one
#: Markdown file should not pay for the CSV and YAML readers (PyYAML alone is ~9 ms of
#: start-up).
READERS: dict[str, str] = {
    "txt": "policylint.sources.txt:read",
    "markdown": "policylint.sources.markdown:read",
    "json": "policylint.sources.json_:read_json",
    "jsonl": "policylint.sources.json_:read_jsonl",
    "csv": "policylint.sources.csv_:read",
    "yaml": "policylint.sources.yaml_:read",
}

#: Canonical format names, one per reader.
FORMATS: tuple[str, ...] = tuple(READERS)

#: File suffixes (lower case) and the format each is read as.
SUFFIX_FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".yaml": "yaml",
    ".yml": "yaml",
}

#: Suffixes that discover() picks up when it walks a folder.
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(SUFFIX_FORMATS)

# Other names people pass for a format (`--format md`, `--format yml`).
_ALIASES: dict[str, str] = {"text": "txt", "md": "markdown", "ndjson": "jsonl", "yml": "yaml"}


def format_for(path: str | os.PathLike[str]) -> str | None:
    """The format of ``path`` from its suffix (case-insensitive), or None if unsupported."""
    return SUFFIX_FORMATS.get(PurePath(path).suffix.lower())


def canonical_format(name: str) -> str:
    """The canonical name of a format given by name, alias or suffix (``"yml"``, ``".md"``).

    An unknown name is the caller's mistake, not bad input, so it raises ValueError.
    """
    key = name.strip().lower().removeprefix(".")
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        raise ValueError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}")
    return key
