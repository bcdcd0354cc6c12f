"""The per-user cache directory (parsed grammar, compiled policies, regex programs).

Never a predictable shared path such as /tmp/policylint (another user could plant a file
there), never inside site-packages (read-only, shared). The directory is created private
(0700) and is used only if it is owned by the current user and not writable by others.
``POLICYLINT_CACHE_DIR`` overrides the location; ``POLICYLINT_NO_CACHE=1`` disables caching.

Every JSON file of the cache is sealed: it starts with a keyed BLAKE2b MAC of its content
and of its name in the folder, under a random key kept in the folder (``key``, 32 bytes,
0600, made on first use). :func:`read_json_object` gives back only what this user's
policylint wrote under that name, so a file edited, truncated, corrupted, copied from
another machine or moved to another entry's name is a miss, and is rebuilt. It is no
defence against someone with the user's rights, who can read the key (or edit the policy
files themselves): see docs/security.md, section 5.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from functools import cache
from pathlib import Path

from policylint._hashing import blake2b

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["cache_dir", "read_json_object", "write_json"]

#: The MAC key's file in the cache directory, and its length.
KEY_FILE = "key"
_KEY_BYTES = 32
# A sealed file: {"mac":"<64 hex digits>", then the rest of the JSON object.
_SEAL = b'{"mac":"'
_MAC_HEX = 64


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
    """The JSON object in ``path`` if this user's policylint wrote it there (its seal
    checks, see the module); empty if it is missing, unreadable, unsealed, sealed for
    another name or with another key, or not an object: a cache file that is not what it
    should be is only a slower run."""
    import json

    key = _mac_key()
    if key is None:
        return {}
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    start = len(_SEAL) + _MAC_HEX + 1  # past the MAC's closing quote
    if not data.startswith(_SEAL) or data[start - 1 : start] != b'"':
        return {}
    sealed = data[len(_SEAL) : start - 1]
    # Not a constant-time comparison: whoever could plant files to time it can read the key.
    if sealed != _mac(key, path, memoryview(data)[start:]):
        return {}
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(value, dict):
        return {}
    del value["mac"]
    return value


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` (a JSON object) to ``path`` atomically (a reader sees the old file or
    the new one), sealed; a failure only means the next run does the work again."""
    import json
    import tempfile  # only when storing: a warm run never imports it

    key = _mac_key()
    if key is None:
        return
    try:
        # ASCII with \u escapes: it loads faster than UTF-8 (confusable and emoji keys).
        body = json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    except (TypeError, ValueError, RecursionError):
        return
    rest = b"," + body[1:] if len(body) > 2 else b"}"
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_SEAL + _mac(key, path, rest) + b'"' + rest)
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except OSError:
        return


def _mac(key: bytes, path: Path, content: bytes | memoryview) -> bytes:
    """The seal of ``content`` written at ``path``: bound to the file's name in the cache
    folder, so that an entry moved over another is refused."""
    directory = cache_dir()
    try:
        name = path.relative_to(directory).as_posix() if directory is not None else str(path)
    except ValueError:  # not in the cache folder (a test's file): named in full
        name = str(path)
    digest = blake2b(key=key, digest_size=_MAC_HEX // 2)
    digest.update(name.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(content)
    return digest.hexdigest().encode("ascii")


def _mac_key() -> bytes | None:
    """This user's MAC key, made on first use; None when there is no cache or the key file
    is not this user's private regular file (nothing is then read from the cache)."""
    directory = cache_dir()
    return None if directory is None else _key_in(directory)


@cache
def _key_in(directory: Path) -> bytes | None:
    path = directory / KEY_FILE
    found = _read_key(path)
    if found is not None:
        return found if len(found) == _KEY_BYTES else _make_key(path, replace=True)
    return _make_key(path, replace=False) if not os.path.lexists(path) else None


def _read_key(path: Path) -> bytes | None:
    """The key file's bytes (any length), or None if it is missing or not this user's
    private regular file."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return None
        if sys.platform != "win32" and (info.st_uid != os.getuid() or info.st_mode & 0o077):
            return None
        return os.read(descriptor, _KEY_BYTES + 1)
    finally:
        os.close(descriptor)


def _make_key(path: Path, *, replace: bool) -> bytes | None:
    """Write a new random key; if another process made one first, use theirs."""
    import tempfile

    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".key")  # 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(os.urandom(_KEY_BYTES))
            if replace:  # a damaged key: every entry sealed with it is refused anyway
                os.replace(temp, path)
            else:
                with contextlib.suppress(FileExistsError):
                    os.link(temp, path)  # never over a key another process just made
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    except OSError:
        return None
    found = _read_key(path)
    return found if found is not None and len(found) == _KEY_BYTES else None
