"""Autofix: apply rules' ``suggest`` replacements to the files posts were read from.

``policylint check --fix`` applies the suggestions of rules that mark them ``safe``
(``suggest "aims to" safe``); ``--unsafe-fixes`` adds the others; ``--diff`` prints what
would change as a unified diff and writes nothing. Guarantees:

* Only a post whose text is *verbatim* in its file (a Markdown body, a plain-text file, a
  JSON/YAML/CSV string without escapes) is edited, only inside that text (never front
  matter or other fields), and only where the file still holds exactly the matched text.
* Overlapping fixes are resolved deterministically: by position, then rule id; a fix that
  overlaps one already chosen is left for the next pass (which sees the new text) or, if
  it still overlaps, left alone.
* A fix whose replacement its own rule would flag again is never applied (it could never
  settle); fixing repeats until no fixable finding is left (at most :data:`MAX_PASSES`),
  so a second run changes nothing.
* After each pass the file is read again as the checker reads it; if the posts, their ids
  or their metadata would change (a replacement that breaks a JSON string, say), the file
  is left as it was.
* Writes keep the encoding, byte-order mark and line endings; they go to a temporary file
  in the same folder, fsync'ed, then ``os.replace``d over the original, unless the file
  changed on disk since it was read (then it is left alone and the problem reported).
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Callable, Sequence
from contextlib import suppress

from policylint.records import FindingData, PostData
from policylint.struct import NamedTuple, Struct, Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

# difflib, hashlib and tempfile are imported where used: every text report imports this
# module to tell which findings --fix could fix, and only --fix and --diff need them.

__all__ = [
    "MAX_PASSES",
    "ChangedOnDisk",
    "Edit",
    "FileFix",
    "FixError",
    "SourceFile",
    "apply_edits",
    "edits_for",
    "fix_file",
    "load_source",
    "resolve_overlaps",
    "unified_diff",
    "write_atomic",
]

#: Fixing a file repeats at most this many times (each pass re-checks the new text).
MAX_PASSES = 10

# Same order as policylint.sources.decode: UTF-32 LE's mark starts with UTF-16 LE's.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_NEWLINE = re.compile(r"\r\n?|\n")

#: Checks a file's text as the checker would: ``(post, findings)`` for each post.
CheckText = Callable[[str], Sequence[tuple[PostData, Sequence[FindingData]]]]
#: Whether a fix may be applied at all (safe, or unsafe fixes allowed).
Allowed = Callable[[FindingData], bool]
#: Whether a fix settles: its rule does not flag the replacement again.
Stable = Callable[[PostData, FindingData], bool]


class FixError(Exception):
    """A file that cannot be fixed (unreadable, not text, changed on disk)."""


class ChangedOnDisk(FixError):
    """The file changed after it was read; it was not overwritten."""


class SourceFile(NamedTuple):
    """A file as read for fixing: its bytes, decoded text and how to encode it back."""

    path: str
    data: bytes
    text: str
    encoding: str
    bom: bytes
    newline: str

    @property
    def digest(self) -> bytes:
        import hashlib

        return hashlib.sha256(self.data).digest()

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)


class Edit(Value):
    """Replace ``text[start:end]`` of the file's decoded text with ``replacement``
    (``finding``, the finding it fixes, is not compared)."""

    __slots__ = ("end", "finding", "replacement", "rule", "start")
    FIELDS = ("start", "end", "replacement", "rule")

    def __init__(
        self, start: int, end: int, replacement: str, rule: str, finding: FindingData
    ) -> None:
        self.start: Final = start
        self.end: Final = end
        self.replacement: Final = replacement
        self.rule: Final = rule
        self.finding: Final = finding

    @property
    def sort_key(self) -> tuple[int, str, int, str]:
        return (self.start, self.rule, self.end, self.replacement)


class FileFix(Struct):
    """What fixing one file did (or, with ``write=False``, would do)."""

    __slots__ = ("applied", "problem", "results", "source", "text")
    FIELDS = ("source", "text", "applied", "results", "problem")

    def __init__(
        self,
        source: SourceFile,
        text: str,
        applied: list[Edit] | None = None,
        results: Sequence[tuple[PostData, Sequence[FindingData]]] = (),
        problem: str | None = None,
    ) -> None:
        self.source = source
        self.text = text
        self.applied: list[Edit] = [] if applied is None else applied
        #: The last check of :attr:`text`: what is left to report.
        self.results = results
        self.problem = problem

    @property
    def changed(self) -> bool:
        return self.text != self.source.text


def load_source(path: str, max_bytes: int | None = None) -> SourceFile:
    """Read a file for fixing; raises :class:`FixError` if it is not text we can write back."""
    from policylint.sources.decode import MAX_BYTES, DecodeError, decode

    try:
        with open(path, "rb") as handle:
            data = handle.read((max_bytes or MAX_BYTES) + 1)
    except OSError as error:
        raise FixError(f"cannot read: {error.strerror or error}") from None
    try:
        text = decode(data, max_bytes=max_bytes or MAX_BYTES)
    except DecodeError as error:
        raise FixError(error.message) from None
    encoding, bom = "utf-8", b""
    for mark, name in _BOMS:
        if data.startswith(mark):
            encoding, bom = name, mark
            break
    found = _NEWLINE.search(text)
    newline = found.group(0) if found else "\n"
    return SourceFile(path, data, text, encoding, bom, newline)


def _text_start(file_text: str, starts: Sequence[int], post: PostData) -> int | None:
    """Offset in the file's text at which a verbatim post's text begins, if it does."""
    source = post.source
    if source is None or not source.verbatim or not 0 < source.line <= len(starts):
        return None
    base = starts[source.line - 1] + source.column - 1
    if file_text[base : base + len(post.text)] != post.text:
        return None
    return base


def edits_for(
    text: str,
    results: Sequence[tuple[PostData, Sequence[FindingData]]],
    allowed: Allowed,
    newline: str = "\n",
) -> list[Edit]:
    """The fixes offered by the findings of a file's posts, in offsets of the file's
    ``text``; line breaks in a replacement become ``newline`` (the file's own)."""
    from policylint.sources.positions import line_starts

    starts = line_starts(text)
    edits = []
    for post, findings in results:
        base: int | None = None
        located = False
        for finding in findings:
            if not fixable(finding) or not allowed(finding):
                continue
            if not located:
                base, located = _text_start(text, starts, post), True
            if base is None:
                break
            start, end = base + finding.start, base + finding.end
            if text[start:end] != finding.match:
                continue
            replacement = _NEWLINE.sub(newline, finding.suggestion or "")
            edits.append(Edit(start, end, replacement, finding.rule, finding))
    return edits


def fixable(finding: FindingData) -> bool:
    """Whether a finding offers a replacement of text (whatever its rule's safety).

    A finding with an empty match (a ``require`` rule's, or one about the whole post) sits
    at a point of the text; its suggestion is inserted there (``suggest "#ad "``).
    """
    return (
        finding.suggestion is not None
        and not getattr(finding, "waived", False)
        and finding.field is None
        and finding.suggestion != finding.match
    )


def resolve_overlaps(edits: Sequence[Edit]) -> tuple[list[Edit], list[Edit]]:
    """(kept, dropped): by position then rule id, dropping edits that overlap a kept one.

    Two rules offering the very same replacement of the same text count once.
    """
    kept: list[Edit] = []
    dropped: list[Edit] = []
    last_end = -1
    for edit in sorted(edits, key=lambda e: e.sort_key):
        if kept and (edit.start, edit.end, edit.replacement) == (
            kept[-1].start,
            kept[-1].end,
            kept[-1].replacement,
        ):
            continue
        if edit.start < last_end:
            dropped.append(edit)
            continue
        kept.append(edit)
        last_end = edit.end
    return kept, dropped


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with non-overlapping ``edits`` (sorted by position) applied."""
    pieces = []
    position = 0
    for edit in sorted(edits, key=lambda e: e.start):
        pieces.append(text[position : edit.start])
        pieces.append(edit.replacement)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


def fix_file(
    path: str,
    check: CheckText,
    *,
    allowed: Allowed,
    stable: Stable,
    write: bool = True,
    source: SourceFile | None = None,
) -> FileFix:
    """Fix one file until nothing fixable is left; write it (atomically) if ``write``.

    Raises :class:`FixError` if the file cannot be read; a file that cannot be fixed safely
    comes back unchanged with :attr:`FileFix.problem` set.
    """
    source = source or load_source(path)
    results = check(source.text)
    fix = FileFix(source=source, text=source.text, results=results)
    unstable: set[tuple[str, str, str]] = set()
    for _ in range(MAX_PASSES):
        candidates = []
        for edit in edits_for(fix.text, fix.results, allowed, source.newline):
            key = (edit.rule, edit.finding.match, edit.replacement)
            if key in unstable:
                continue
            post = _post_of(fix.results, edit.finding)
            if post is not None and not stable(post, edit.finding):
                unstable.add(key)
                continue
            candidates.append(edit)
        kept, _ = resolve_overlaps(candidates)
        if not kept:
            break
        new_text = apply_edits(fix.text, kept)
        new_results = check(new_text)
        problem = _compare(fix.text, fix.results, new_text, new_results, kept)
        if problem is not None:
            fix.problem = problem
            break
        fix.text, fix.results = new_text, new_results
        fix.applied.extend(kept)
    if write and fix.changed:
        try:
            write_atomic(path, source.encode(fix.text), source.digest)
        except FixError as error:
            fix.problem = str(error)
            fix.text, fix.applied, fix.results = source.text, [], results
    return fix


def _post_of(
    results: Sequence[tuple[PostData, Sequence[FindingData]]], finding: FindingData
) -> PostData | None:
    for post, findings in results:
        if any(f is finding for f in findings):
            return post
    return None


def _compare(
    old_text: str,
    old: Sequence[tuple[PostData, Sequence[FindingData]]],
    new_text: str,
    new: Sequence[tuple[PostData, Sequence[FindingData]]],
    edits: Sequence[Edit],
) -> str | None:
    """Why the fixed text does not read back as the same posts with only their text
    edited, or None when it does."""
    from policylint.sources.positions import line_starts

    if len(old) != len(new):
        return "fixing would change the posts the file holds; not fixed"
    starts = line_starts(old_text)
    for (before, _), (after, _) in zip(old, new, strict=True):
        if (before.id, before.platform, before.meta) != (after.id, after.platform, after.meta):
            return "fixing would change a post's id, platform or metadata; not fixed"
        base = _text_start(old_text, starts, before)
        if base is None:
            if before.text != after.text:
                return "fixing would change a post that cannot be fixed; not fixed"
            continue
        inside = [
            Edit(e.start - base, e.end - base, e.replacement, e.rule, e.finding)
            for e in edits
            if base <= e.start and e.end <= base + len(before.text)
        ]
        if apply_edits(before.text, inside) != after.text:
            return "fixing would not read back as the intended text (quoting?); not fixed"
    return None


def write_atomic(path: str, data: bytes, expected_digest: bytes | None = None) -> None:
    """Replace the file at ``path`` with ``data`` atomically.

    The data goes to a temporary file in the same folder (so the rename cannot cross file
    systems), is flushed and fsync'ed, gets the original's permission bits, and replaces the
    original with ``os.replace``. With ``expected_digest`` (the SHA-256 of the bytes the fix
    was computed from) a file changed on disk in the meantime is left alone:
    :class:`ChangedOnDisk` is raised and the temporary file removed.
    """
    import hashlib
    import tempfile

    target = os.path.realpath(path)  # a symlink keeps pointing at the fixed file
    folder = os.path.dirname(target) or "."
    try:
        info = os.stat(target)
    except OSError as error:
        raise FixError(f"cannot write: {error.strerror or error}") from None
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.", suffix=".policylint-fix", dir=folder
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
            with suppress(OSError):
                os.chown(temporary, info.st_uid, info.st_gid)
        if expected_digest is not None:
            with open(target, "rb") as current:
                if hashlib.sha256(current.read()).digest() != expected_digest:
                    raise ChangedOnDisk("changed on disk since it was read; not fixed")
        os.replace(temporary, target)
    except BaseException as error:
        with suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise FixError(f"cannot write: {error.strerror or error}") from None
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:
        return
    with suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY | flags)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def unified_diff(label: str, before: str, after: str) -> str:
    """A unified diff of two texts in ``git diff`` style (``a/`` and ``b/`` prefixes), with
    the "No newline at end of file" marker so that ``git apply`` / ``patch`` accept it."""
    import difflib

    lines = difflib.unified_diff(
        _lines(before),
        _lines(after),
        fromfile=f"a/{label}",
        tofile=f"b/{label}",
    )
    out = []
    for line in lines:
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines with their breaks, split only at \\r\\n, \\r and \\n (as the readers do)."""
    lines = []
    position = 0
    for found in _NEWLINE.finditer(text):
        lines.append(text[position : found.end()])
        position = found.end()
    if position < len(text):
        lines.append(text[position:])
    return lines
