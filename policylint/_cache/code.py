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
    """What identifies the code of the copy of policylint at ``package``.

    From a source checkout (an editable install: not under site-packages), every module's
    size and modification time. There the code changes under one version number, and an
    entry written by other code (another key table, say) would be read with this code's
    meaning: the format version is bumped by hand and was once forgotten between two
    commits. An installed copy is identified by its installation's RECORD file, one stat
    (~1 ms of stats saved): pip rewrites it on every install, so a reinstall of another
    build under the same version number (``pip install --force-reinstall``) gets its own
    entries too."""
    if any(part in ("site-packages", "dist-packages") for part in package.parts):
        return _record_stamp(package)
    stamps = []
    for folder, folders, files in os.walk(package):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                found = os.stat(os.path.join(folder, name))
                stamps.append(f"{folder}/{name}:{found.st_size}:{found.st_mtime_ns}")
    return sha256("\n".join(stamps).encode()).hexdigest()


def _record_stamp(package: Path) -> str:
    """The size and time of the installed distribution's RECORD ("" without one: a copy
    put in place by other means is identified by its version and path alone)."""
    from policylint._version import __version__

    record = package.parent / f"policylint-{__version__}.dist-info" / "RECORD"
    try:
        found = record.stat()
    except OSError:
        return ""
    return f"{found.st_size}:{found.st_mtime_ns}"
