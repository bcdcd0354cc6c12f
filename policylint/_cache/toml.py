"""Parsed TOML configuration kept between runs: a start without ``tomllib``.

Importing ``tomllib`` costs ~7 ms (it brings ``typing`` and ``datetime``), about a tenth of
a pre-commit run, and a configuration file changes far less often than it is read. So the
parsed table of each configuration file is kept in the per-user cache directory with the
SHA-256 of the text it was parsed from, and used again only for that exact text: nothing
depends on modification times. A table holding values JSON cannot carry as they are (TOML
dates and times) is not kept: such a file is parsed every time.

The file is sealed (:mod:`policylint._cache.folder`): an entry this user's policylint did not
write (one naming the real file's hash with ``ignore = ["*"]`` in its table, say) is never
used, and one that is not a table of plain values is parsed afresh.
"""

from __future__ import annotations

import math

from policylint._cache.folder import cache_dir, read_json_object, write_json
from policylint._hashing import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = ["MAX_FILES", "loads"]

#: Most configuration files remembered (the last parsed first).
MAX_FILES = 64
_FILE_NAME = "toml-v1.json"


def loads(path: Path, text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, taken from the cache when ``path`` last held this text.
    Raises ``tomllib.TOMLDecodeError`` (a ``ValueError``) for invalid TOML."""
    digest = sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    key = str(path)
    known = _read()
    entry = known.get(key)
    if isinstance(entry, list) and len(entry) == 2 and entry[0] == digest:
        data = entry[1]
        if isinstance(data, dict) and _plain(data):
            return data
    import tomllib

    data = tomllib.loads(text)
    if _plain(data):
        known.pop(key, None)
        kept = {key: [digest, data], **dict(list(known.items())[: MAX_FILES - 1])}
        store = _store_path()
        if store is not None:
            write_json(store, kept)
    return data


def _plain(value: Any) -> bool:
    """Whether JSON gives ``value`` back as it is (no dates or times, no infinities): what
    a table is stored as, and what one read back must be."""
    if isinstance(value, dict):
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str | int | bool)


def _read() -> dict[str, Any]:
    store = _store_path()
    return {} if store is None else read_json_object(store)


def _store_path() -> Path | None:
    directory = cache_dir()
    return None if directory is None else directory / _FILE_NAME
