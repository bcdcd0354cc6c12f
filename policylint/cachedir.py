"""The per-user cache directory (parsed grammar, compiled policies, regex programs).

Never a predictable shared path such as /tmp/policylint (another user could plant a file
there), never inside site-packages (read-only, shared). The directory is created private
(0700) and is used only if it is owned by the current user and not writable by others.
``POLICYLINT_CACHE_DIR`` overrides the location; ``POLICYLINT_NO_CACHE=1`` disables caching.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from functools import cache
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hashlib import sha256
    from typing import Any
else:
    # CPython's built-in SHA-256: hashlib's digests without loading OpenSSL, which hashlib
    # does whatever the algorithm (~2.5 ms of a ~100 ms start-up).
    try:
        from _sha256 import sha256  # CPython 3.11
    except ImportError:  # the module's name and presence depend on the version and build
        try:
            from _sha2 import sha256  # CPython 3.12 and later
        except ImportError:
            from hashlib import sha256

__all__ = ["cache_dir", "read_json_object", "sha256", "write_atomic"]


def _default_location() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "policylint" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "policylint"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policylint"


def _is_private(path: Path) -> bool:
    if sys.platform == "win32":
        return True
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


@cache
def cache_dir() -> Path | None:
    """The cache directory, created if needed, or None when caching is off or unsafe."""
    if os.environ.get("POLICYLINT_NO_CACHE", "") not in ("", "0"):
        return None
    override = os.environ.get("POLICYLINT_CACHE_DIR")
    path = Path(override) if override else _default_location()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _is_private(path):
            return None
    except OSError:
        return None
    return path


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; empty if it is missing, unreadable or not an object
    (a cache file that is not what it should be is only a slower run)."""
    import json

    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a reader sees the old file or the new one);
    a failure only means the next run does the work again."""
    import tempfile  # only when storing: a warm run never imports it

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except OSError:
        return
