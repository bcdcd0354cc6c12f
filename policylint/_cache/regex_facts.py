"""What the compiler learned of each regex, kept across policies.

Whether RE2 accepts a pattern, and its required literals (``regexatoms.analyse``), do not
depend on the policy around it: kept, they spare a recompile after a policy edit ~115 ms of
RE2 validation and syntax-tree analysis for the unchanged patterns. The file is keyed by the
RE2 build (its module's size and time: the build decides which patterns compile) and
policylint's version, sealed like every file of the cache folder, and read as untrusted
input by the compiler (:mod:`policylint._compiler.regexes` checks each entry).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from policylint._cache.folder import cache_dir, read_json_object, write_json
from policylint._hashing import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = ["MAX_REGEX_FACTS", "load", "store"]

#: Most patterns kept (the most recently learned win).
MAX_REGEX_FACTS = 4096


def _path() -> Path | None:
    directory = cache_dir()
    if directory is None:
        return None
    from re2 import _re2  # its build decides which patterns compile

    from policylint._cache.codec import FORMAT_VERSION
    from policylint._version import __version__

    try:
        engine = os.stat(_re2.__file__)
    except (OSError, TypeError):
        return None
    from policylint._cache.code import checkout_stamp

    parts = (FORMAT_VERSION, __version__, engine.st_size, engine.st_mtime_ns, checkout_stamp())
    digest = sha256("\0".join(map(str, parts)).encode()).hexdigest()[:24]
    return directory / "regexes" / f"{digest}.json"


def load() -> dict[str, Any]:
    """What earlier compiles learned: ``regex_key(source, flags)`` -> ``[atoms, also,
    non_ascii, exact, repeats]`` (see :mod:`policylint._compiler.regexes`)."""
    path = _path()
    return {} if path is None else read_json_object(path)


def store(facts: Mapping[str, Any]) -> None:
    path = _path()
    if path is None:
        return
    write_json(path, dict(list(facts.items())[-MAX_REGEX_FACTS:]))
