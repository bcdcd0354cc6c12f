"""What the code that wrote a cache entry was, where a version number does not say it."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from policylint._hashing import sha256

__all__ = ["checkout_stamp", "stamp_of"]


@cache
def checkout_stamp() -> str:
    """:func:`stamp_of` this copy of policylint, once per process."""
    return stamp_of(Path(__file__).resolve().parent.parent)


def stamp_of(package: Path) -> str:
    """For policylint run from a source checkout (an editable install: not under
    site-packages), every module's size and modification time. There the code changes
    under one version number, and an entry written by other code (another key table, say)
    would be read with this code's meaning: the format version is bumped by hand and was
    once forgotten between two commits. An installed copy's code changes only with its
    version or its path, so it skips the ~1 ms of stats."""
    if any(part in ("site-packages", "dist-packages") for part in package.parts):
        return ""
    stamps = []
    for folder, folders, files in os.walk(package):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                found = os.stat(os.path.join(folder, name))
                stamps.append(f"{folder}/{name}:{found.st_size}:{found.st_mtime_ns}")
    return sha256("\n".join(stamps).encode()).hexdigest()
