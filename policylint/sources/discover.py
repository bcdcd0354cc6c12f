"""Expand the paths a user names into the files to read.

Folders are walked recursively for files with a supported suffix, skipping hidden files
and folders (``.git``, ``.venv``, editor backups) and dependency folders. A file named
explicitly is always yielded, whatever its suffix and even if it does not exist: reading
it then reports the problem, rather than the file being silently left out.

``exclude`` holds glob patterns, applied to explicit files too (so that a pre-commit hook
passing every changed file still honours them):

* a pattern without ``/`` matches any single path component below a walked folder, or of
  a relative path as named (of an absolute one, only its last): ``drafts`` leaves out
  every folder or file called ``drafts``, ``*.bak.md`` every such file;
* a pattern with ``/`` matches the whole path, either as given or relative to the folder
  being walked: ``archive/2023/*``, ``**/old/*``. ``*`` crosses ``/`` here.

Matching is case-sensitive so results do not depend on the operating system. The output
is sorted within each named path, deduplicated, and otherwise in the order given.

:func:`skip_reason` then decides, with each file's configuration, which of them are read:
``exclude`` leaves out any file; of the files policylint chooses itself (a walked folder's,
or every named file with ``--force-exclude``, as the pre-commit hook runs it), only content
is read: what ``include`` names, or by default a file that can hold posts
(:mod:`policylint.sources.content`). A file named on the command line without
``--force-exclude`` is always read, post or not: the reader then says what is wrong with it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from policylint._model.struct import NamedTuple
from policylint.sources.formats import SUPPORTED_SUFFIXES, format_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class ContentPatterns(Protocol):
        """What a configuration says about which files are content (its ``include`` and
        ``exclude`` globs): all :func:`skip_reason` asks of it."""

        @property
        def include(self) -> tuple[str, ...]: ...
        def is_included(self, path: str | os.PathLike[str]) -> bool: ...
        def is_excluded(self, path: str | os.PathLike[str]) -> bool: ...


__all__ = ["SKIPPED_DIRS", "Skip", "discover", "skip_reason"]

#: Folder names never walked into, besides hidden ones: they hold dependencies, not posts.
SKIPPED_DIRS: frozenset[str] = frozenset({"node_modules", "__pycache__"})


def discover(paths: Iterable[str | Path], *, exclude: Sequence[str] = ()) -> Iterator[Path]:
    """Yield the files to read for ``paths``: folders expanded, ``exclude`` applied."""
    patterns = _Patterns(exclude)
    seen: set[str] = set()
    for given in paths:
        root = Path(given)
        if patterns.excludes(_own_part(root), _as_posix(root)):
            continue
        found: Iterable[Path] = _walk(root, patterns) if root.is_dir() else (root,)
        for path in found:
            # The same file reached twice ("posts" and "posts/a.md") is read once.
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                yield path


class Skip(NamedTuple):
    """A file that is not read, and why (``--verbose`` lists them)."""

    path: str
    reason: str
    #: Judged by its contents (no front matter, no text field...), not by a glob the user
    #: wrote: such skips are counted even without --verbose, since a heuristic can be wrong.
    by_contents: bool = False


def skip_reason(path: str | Path, config: ContentPatterns, *, chosen: bool) -> Skip | None:
    """Why ``path`` is not read, or None when it is. ``chosen``: policylint chose the file
    itself (a folder's, or with ``--force-exclude``), so it is read only if it is content."""
    label = str(path)
    if config.is_excluded(path):
        return Skip(label, "excluded by 'exclude'")
    if not chosen:
        return None
    if config.include and format_for(path) is not None:
        return None if config.is_included(path) else Skip(label, "not in 'include'")
    from policylint.sources.content import not_a_post

    reason = not_a_post(path)
    return None if reason is None else Skip(label, f"not a post: {reason}", by_contents=True)


def _walk(root: Path, patterns: _Patterns) -> list[Path]:
    files: list[Path] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # an unreadable subfolder is skipped, like an unsupported file
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            if patterns.excludes(_as_posix(path.relative_to(root)), _as_posix(path)):
                continue
            # Symlinked folders are not followed: they can loop, or leave the tree.
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIPPED_DIRS:
                    pending.append(path)
            elif entry.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(path)
    # Sorting on the components keeps a folder's files together ("a/b.md" before "a.md", which
    # plain string order would split) and is the same on every system.
    files.sort(key=lambda path: path.relative_to(root).parts)
    return files


def _own_part(path: Path) -> str:
    """The part of a named path that name patterns look at: all of a relative path (it is
    inside the project the excludes are written for), only the name of an absolute one."""
    if path.is_absolute():
        return path.name
    return "/".join(part for part in path.parts if part not in (".", ".."))


def _as_posix(path: Path) -> str:
    return PurePosixPath(*path.parts).as_posix().removeprefix("./")


class _Patterns:
    __slots__ = ("names", "paths")

    def __init__(self, patterns: Sequence[str]) -> None:
        cleaned = [p.strip().replace("\\", "/").removeprefix("./").rstrip("/") for p in patterns]
        self.names = [p for p in cleaned if p and "/" not in p]
        paths = [p for p in cleaned if "/" in p]
        # "**/x" should also match "x" at the top, which fnmatch's "*/" would not.
        self.paths = paths + [p.removeprefix("**/") for p in paths if p.startswith("**/")]

    def excludes(self, relative: str, full: str) -> bool:
        """Whether a path is excluded, given relative to the folder being walked and in full.

        Name patterns look only at ``relative``, so that walking ``/home/me/drafts/posts``
        with ``exclude=["drafts"]`` does not leave out everything.
        """
        parts = relative.split("/")
        if any(fnmatchcase(part, name) for part in parts for name in self.names):
            return True
        return any(
            fnmatchcase(candidate, pattern)
            for candidate in (relative, full)
            for pattern in self.paths
        )
