"""Files written whole or not at all: reports (``--output``) and fixed posts (``--fix``).

The content goes to a temporary file in the target's own folder (so that the rename cannot
cross file systems), is flushed and fsync'ed, takes the target's permission bits (a new
file: those ``open`` would give it), and only then replaces the target with ``os.replace``.
Until that rename, and whatever fails before it (a full disk, a file-size limit, a
read-only file system, an interrupted run), the target keeps its previous content and no
temporary file is left behind.

A target that exists and is not a regular file (``/dev/stdout``, a named pipe) cannot be
replaced: :func:`open_output` writes to it directly, as ``open`` would.
"""

from __future__ import annotations

import contextlib
import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import BinaryIO, TextIO

__all__ = ["AtomicFile", "folder_fsync", "open_output"]


class AtomicFile:
    """A temporary file beside ``target``, written through :attr:`stream` (binary), that
    :meth:`commit` renames over it. Raises ``OSError`` when the temporary file cannot be
    made (a read-only folder, say)."""

    def __init__(self, target: str, *, suffix: str = ".tmp") -> None:
        import tempfile

        #: The file replaced (a symlink's target: the link keeps pointing at it).
        self.target = os.path.realpath(target)
        folder = os.path.dirname(self.target) or "."
        self.folder = folder
        try:
            self.original: os.stat_result | None = os.stat(self.target)
        except FileNotFoundError:
            self.original = None
        descriptor, self.temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(self.target)}.", suffix=suffix, dir=folder
        )
        try:
            self.stream: BinaryIO = os.fdopen(descriptor, "wb")
        except BaseException:
            os.close(descriptor)
            os.unlink(self.temporary)
            raise

    def commit(self, before_replace: Callable[[], None] | None = None) -> None:
        """Make the content durable and put it in place of the target. Anything raised
        (``OSError``, or by ``before_replace``, called just before the rename) leaves the
        target as it was and removes the temporary file."""
        try:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
            self._take_permissions()
            if before_replace is not None:
                before_replace()
            os.replace(self.temporary, self.target)
        except BaseException:
            self.discard()
            raise
        folder_fsync(self.folder)

    def discard(self) -> None:
        """Remove the temporary file; the target is left as it was."""
        with contextlib.suppress(OSError):
            self.stream.close()  # a no-op once closed
        with contextlib.suppress(OSError):
            os.unlink(self.temporary)

    def _take_permissions(self) -> None:
        if self.original is None:
            os.chmod(self.temporary, 0o666 & ~_umask())
            return
        os.chmod(self.temporary, stat.S_IMODE(self.original.st_mode))
        owner = (self.original.st_uid, self.original.st_gid)
        if hasattr(os, "chown") and owner != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):  # only root may give a file away
                os.chown(self.temporary, *owner)


def open_output(path: str) -> tuple[TextIO, AtomicFile | None]:
    """A UTF-8 text stream for a report to ``path``, and the :class:`AtomicFile` to commit
    (or discard) once the stream is flushed; None for a target that is not a regular file,
    which is written directly. Raises ``OSError``."""
    # backslashreplace: a post may hold a lone surrogate (a JSON "\ud800"), which the engine
    # matches around; the report writes it as that same escape instead of failing.
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        return open(path, "w", encoding="utf-8", errors="backslashreplace"), None
    import io

    atomic = AtomicFile(path, suffix=".policylint-report")
    return io.TextIOWrapper(atomic.stream, encoding="utf-8", errors="backslashreplace"), atomic


def folder_fsync(folder: str) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY | flags)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _umask() -> int:
    mask = os.umask(0o022)  # read it by setting it...
    os.umask(mask)  # ... and set it back at once
    return mask
