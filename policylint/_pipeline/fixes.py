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

import os
import re
import stat
from bisect import bisect_left
from collections.abc import Callable, Sequence

from policylint._model.posts import Post
from policylint._model.reports import Finding
from policylint._model.struct import NamedTuple, Struct, Value
from policylint.sources.decode import BOMS

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

_NEWLINE = re.compile(r"\r\n?|\n")

#: Checks a file's text as the checker would: ``(post, findings)`` for each post.
CheckText = Callable[[str], Sequence[tuple[Post, Sequence[Finding]]]]
#: Whether a fix may be applied at all (safe, or unsafe fixes allowed).
Allowed = Callable[[Finding], bool]
#: The findings of one rule (its id) on a post whose text is replaced by the given text:
#: tells whether fixes settle (their rule does not flag the replacement again).
Rescan = Callable[[Post, str, str], Sequence[Finding]]


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

    def __init__(self, start: int, end: int, replacement: str, rule: str, finding: Finding) -> None:
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

    __slots__ = ("applied", "failed", "problem", "results", "source", "text")
    FIELDS = ("source", "text", "applied", "results", "problem", "failed")

    def __init__(
        self,
        source: SourceFile,
        text: str,
        applied: list[Edit] | None = None,
        results: Sequence[tuple[Post, Sequence[Finding]]] = (),
        problem: str | None = None,
        failed: bool = False,
    ) -> None:
        self.source = source
        self.text = text
        self.applied: list[Edit] = [] if applied is None else applied
        #: The last check of :attr:`text`: what is left to report.
        self.results = results
        #: Why the file was not fixed (or not completely), if it was not.
        self.problem = problem
        #: The fixed text could not be written (``problem`` says why): an error, where a
        #: fix refused as unsafe is only a note.
        self.failed = failed

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
    for mark, name in BOMS:
        if data.startswith(mark):
            encoding, bom = name, mark
            break
    found = _NEWLINE.search(text)
    newline = found.group(0) if found else "\n"
    return SourceFile(path, data, text, encoding, bom, newline)


def _text_start(file_text: str, starts: Sequence[int], post: Post) -> int | None:
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
    results: Sequence[tuple[Post, Sequence[Finding]]],
    allowed: Allowed,
    newline: str = "\n",
) -> list[Edit]:
    """The fixes offered by the findings of a file's posts, in offsets of the file's
    ``text``; line breaks in a replacement become ``newline`` (the file's own)."""
    from policylint._model.positions import line_starts

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


def fixable(finding: Finding) -> bool:
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
    rescan: Rescan,
    write: bool = True,
    source: SourceFile | None = None,
) -> FileFix:
    """Fix one file until nothing fixable is left; write it (atomically) if ``write``.

    Raises :class:`FixError` if the file cannot be read; a file that cannot be fixed safely
    comes back unchanged with :attr:`FileFix.problem` set, and one whose fixed text cannot
    be written with :attr:`FileFix.failed` too.

    Each pass costs a check of the file and a scan of each post by each rule it fixes, so
    the time grows with the size of the file and the number of fixes, not their product.
    """
    source = source or load_source(path)
    results = check(source.text)
    fix = FileFix(source=source, text=source.text, results=results)
    unstable: set[tuple[str, str, str]] = set()
    for _ in range(MAX_PASSES):
        kept = _settled_edits(fix, allowed, rescan, unstable)
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
            fix.problem, fix.failed = str(error), True
            fix.text, fix.applied, fix.results = source.text, [], results
    return fix


def _key(edit: Edit) -> tuple[str, str, str]:
    return (edit.rule, edit.finding.match, edit.replacement)


def _settled_edits(
    fix: FileFix, allowed: Allowed, rescan: Rescan, unstable: set[tuple[str, str, str]]
) -> list[Edit]:
    """The edits of the next pass: non-overlapping, and none whose replacement its own rule
    would flag again (such a fix could never settle; its key goes into ``unstable``)."""
    offered = edits_for(fix.text, fix.results, allowed, fix.source.newline)
    post_of = {id(f): post for post, findings in fix.results for f in findings}
    while True:
        kept, _ = resolve_overlaps([e for e in offered if _key(e) not in unstable])
        flagged = _unsettled(kept, post_of, rescan)
        if not flagged:
            return kept
        unstable.update(_key(edit) for edit in flagged)


def _unsettled(kept: list[Edit], post_of: dict[int, Post], rescan: Rescan) -> list[Edit]:
    """The edits among ``kept`` whose rule flags their replacement again once every edit
    of that rule is made in its post: one scan per post and rule, not one per edit."""
    groups: dict[tuple[int, str], list[Edit]] = {}
    for edit in kept:
        groups.setdefault((id(post_of[id(edit.finding)]), edit.rule), []).append(edit)
    flagged: list[Edit] = []
    for (_, rule), edits in groups.items():
        post = post_of[id(edits[0].finding)]
        # The post's text with the group's edits made, and where each replacement lands.
        pieces, spans, position, shift = [], [], 0, 0
        for edit in edits:
            start, end = edit.finding.start, edit.finding.end
            pieces += [post.text[position:start], edit.replacement]
            spans.append((start + shift, start + shift + len(edit.replacement)))
            shift += len(edit.replacement) - (end - start)
            position = end
        pieces.append(post.text[position:])
        found = [(f.start, f.end) for f in rescan(post, rule, "".join(pieces))]
        for edit, span in zip(edits, spans, strict=True):
            if any(_lands_on(hit, span) for hit in found):
                flagged.append(edit)
    return flagged


def _lands_on(hit: tuple[int, int], span: tuple[int, int]) -> bool:
    """Whether a finding at ``hit`` is about the replacement at ``span``: it overlaps it,
    or sits at a point inside it or at its edges (a ``require`` rule's finding)."""
    (found_start, found_end), (start, end) = hit, span
    if found_start == found_end:
        return start <= found_start <= end
    return found_start < end and found_end > start


def _compare(
    old_text: str,
    old: Sequence[tuple[Post, Sequence[Finding]]],
    new_text: str,
    new: Sequence[tuple[Post, Sequence[Finding]]],
    edits: Sequence[Edit],
) -> str | None:
    """Why the fixed text does not read back as the same posts with only their text
    edited, or None when it does."""
    from policylint._model.positions import line_starts

    if len(old) != len(new):
        return "fixing would change the posts the file holds; not fixed"
    starts = line_starts(old_text)
    edits = sorted(edits, key=lambda e: e.start)
    starts_of_edits = [e.start for e in edits]
    for (before, _), (after, _) in zip(old, new, strict=True):
        if (before.id, before.platform, before.meta) != (after.id, after.platform, after.meta):
            return "fixing would change a post's id, platform or metadata; not fixed"
        base = _text_start(old_text, starts, before)
        if base is None:
            if before.text != after.text:
                return "fixing would change a post that cannot be fixed; not fixed"
            continue
        # The edits are sorted by position: those inside this post are found by bisection
        # (a file of many posts would otherwise cost posts x edits).
        first = bisect_left(starts_of_edits, base)
        inside = []
        for e in edits[first:]:
            if e.start > base + len(before.text):
                break
            if e.end <= base + len(before.text):
                inside.append(Edit(e.start - base, e.end - base, e.replacement, e.rule, e.finding))
        if apply_edits(before.text, inside) != after.text:
            return "fixing would not read back as the intended text (quoting?); not fixed"
    return None


def write_atomic(path: str, data: bytes, expected_digest: bytes | None = None) -> None:
    """Replace the file at ``path`` with ``data`` atomically
    (:mod:`policylint._pipeline.atomicfile`:
    a temporary file in the same folder, fsync'ed, given the original's permission bits and
    owner, renamed over it). Raises :class:`FixError`, leaving the file as it was, when it
    cannot be written (a full disk, a read-only file system) or its permissions do not let
    this user write it.

    With ``expected_digest`` (the SHA-256 of the bytes the fix was computed from) a file
    changed on disk in the meantime is left alone: :class:`ChangedOnDisk` is raised.
    """
    from policylint._pipeline.atomicfile import AtomicFile

    try:
        info = os.stat(path)
    except OSError as error:
        raise FixError(f"cannot write: {error.strerror or error}") from None
    if not _may_write(path, info):
        mode = stat.filemode(info.st_mode)
        raise FixError(f"not writable ({mode}); not fixed")

    def unchanged() -> None:
        if expected_digest is not None:
            import hashlib

            with open(path, "rb") as current:
                if hashlib.sha256(current.read()).digest() != expected_digest:
                    raise ChangedOnDisk("changed on disk since it was read; not fixed")

    try:
        output = AtomicFile(path, suffix=".policylint-fix")
        try:
            output.stream.write(data)
        except BaseException:
            output.discard()
            raise
        output.commit(before_replace=unchanged)
    except OSError as error:
        raise FixError(f"cannot write: {error.strerror or error}; not fixed") from None


def _may_write(path: str, info: os.stat_result) -> bool:
    """Whether this user may write the file: as the system says, and for root (whom the
    system lets write anything) only if some write permission bit is set. The rename that
    replaces a file needs only the folder's permission: without this a read-only (0444)
    file would be replaced."""
    if not os.access(path, os.W_OK):
        return False
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return not is_root or bool(info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


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
