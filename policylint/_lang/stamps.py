"""What a compile read: each policy file's size, modification time and SHA-256, and each
pack folder's listing, recorded at the moment of reading.

The compiled-policy cache (:mod:`policylint._cache.policies`) keeps an entry only while its
inputs are unchanged, so it must record the inputs the rules were built from. Recorded when
the entry is stored instead, a file edited while a compile runs was recorded with its new
content next to rules built from the old, and every later run used the old rules (issue 15).
"""

from __future__ import annotations

import os
import time

from policylint._hashing import sha256
from policylint._model.struct import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["FileStamp", "folder_listing", "read_policy_text"]


class FileStamp(Value):
    """A policy file as it was read. (A struct, not a named tuple: a warm start imports
    this module, and making a named tuple class costs ~0.3 ms.)"""

    __slots__ = ("digest", "mtime_ns", "read_ns", "size")
    FIELDS = ("size", "mtime_ns", "digest", "read_ns")

    def __init__(self, size: int, mtime_ns: int, digest: str, read_ns: int) -> None:
        self.size = size
        self.mtime_ns = mtime_ns
        #: SHA-256 (hex) of the bytes read.
        self.digest = digest
        #: When it was read (``time.time_ns()``, taken before the read).
        self.read_ns = read_ns


def read_policy_text(path: Path) -> tuple[str, FileStamp]:
    """The file's text as ``Path.read_text(encoding="utf-8")`` gives it (universal
    newlines), and its stamp: the size and time of the open file before its bytes were read,
    and their digest. Raises ``OSError`` and ``UnicodeDecodeError``."""
    read_ns = time.time_ns()
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        data = handle.read()
    text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return text, FileStamp(info.st_size, info.st_mtime_ns, sha256(data).hexdigest(), read_ns)


def folder_listing(folder: str) -> list[str]:
    """The ``.policy`` names in ``folder``, sorted (empty if it cannot be listed)."""
    # os.listdir, not Path.glob: a fifth of the time, and only ever compared with itself.
    try:
        return sorted(name for name in os.listdir(folder) if name.endswith(".policy"))
    except OSError:
        return []
