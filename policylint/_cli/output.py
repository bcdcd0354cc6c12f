"""Where a check's output goes: the report (to stdout or ``--output``, written whole or not
at all), the progress line, and what the run collected on the way.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable

from policylint._cli.exits import fail

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn, TextIO

    from policylint._cli.contexts import Context, Contexts
    from policylint._cli.options import CheckOptions
    from policylint._model.posts import InputError, Post
    from policylint._model.reports import Finding, PostResult
    from policylint._pipeline.atomicfile import AtomicFile
    from policylint.sources.discover import Skip

__all__ = [
    "Output",
    "OutputFailed",
    "Progress",
    "Run",
    "escape_lone_surrogates",
    "use_color",
    "write_report",
]

# Formats that keep waived findings (marked "waived": true): the audit trail. The others
# are read by code-review tools that would show them as problems.
_AUDIT_FORMATS = ("text", "json", "jsonl")


def escape_lone_surrogates(stream: TextIO | None) -> None:
    """A post read from JSON may hold a lone surrogate (``"\\ud800"``), which the engine
    matches around: the report writes it as that same escape instead of failing."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


class OutputFailed(Exception):
    """Writing the streamed report failed (a full disk, a file-size limit)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class Output:
    """The ``--output`` file: written whole or not at all (:mod:`policylint._pipeline.atomicfile`).
    Any failure exits with the error code and leaves the previous report as it was."""

    def __init__(self, path: str, stream: TextIO, atomic: AtomicFile | None) -> None:
        self.path = path
        self.stream = stream
        self.atomic = atomic

    @classmethod
    def open(cls, path: str) -> Output:
        from policylint._pipeline.atomicfile import open_output

        try:
            stream, atomic = open_output(path)
        except OSError as error:
            fail(f"error: cannot write {path}: {error.strerror or error}")
        return cls(path, stream, atomic)

    def commit(self) -> None:
        try:
            self.stream.flush()
            if self.atomic is None:
                self.stream.close()
            else:
                self.atomic.commit()
        except OSError as error:
            self.failed(error)

    def discard(self) -> None:
        import contextlib

        with contextlib.suppress(OSError, ValueError):  # what could not be flushed is dropped
            self.stream.close()
        if self.atomic is not None:
            self.atomic.discard()

    def failed(self, error: OSError) -> NoReturn:
        self.discard()
        fail(f"error: cannot write {self.path}: {error.strerror or error}")


class Progress:
    """``checked 120/800 files, 5000 posts`` on stderr, for runs long enough to wonder
    about: only on a terminal, only after half a second, at most ten updates a second."""

    def __init__(self, total: int) -> None:
        stream = sys.stderr
        self.enabled = (
            total > 1
            and stream is not None
            and stream.isatty()
            and os.environ.get("TERM") != "dumb"
        )
        self.total = total
        self.files = 0
        self.posts = 0
        self.started = time.monotonic()
        self.shown = 0.0

    def advance(self, posts: int) -> None:
        self.files += 1
        self.posts += posts
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < 0.5 or now - self.shown < 0.1:
            return
        self.shown = now
        sys.stderr.write(
            f"\r\033[2Kpolicylint: checked {self.files}/{self.total} files, {self.posts} posts"
        )
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled and self.shown:
            sys.stderr.write("\r\033[2K")
            sys.stderr.flush()


class Run:
    """What a check run collected."""

    __slots__ = (
        "diffs",
        "errors",
        "failing",
        "files",
        "findings",
        "fixable",
        "fixed",
        "fixed_files",
        "notes",
        "observe",
        "post_texts",
        "posts",
        "posts_with_errors",
        "skipped",
        "sources",
        "stream",
        "streamed_errors",
        "unfixed",
        "unsafe_fixable",
    )

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.errors: list[InputError] = []
        self.posts = 0
        #: Posts with an unwaived finding of severity error.
        self.posts_with_errors = 0
        self.files = 0
        self.failing = False
        self.fixable: set[Finding] = set()
        self.unsafe_fixable: set[Finding] = set()
        self.diffs: list[str] = []
        self.fixed = 0
        self.fixed_files = 0
        #: Files whose fixes could not be written (a full disk, a read-only file): exit 2.
        self.unfixed = 0
        self.notes: list[str] = []
        #: Files found or named that were not read (policylint.sources.discover).
        self.skipped: list[Skip] = []
        #: Texts read from stdin, by label, for the text report's excerpts.
        self.sources: dict[str, str] = {}
        #: The text of the post of each finding read from a record (JSON, CSV...), for the
        #: text report's excerpts: the post's line, not the raw record.
        self.post_texts: dict[Finding, str] = {}
        #: ``--format jsonl``: findings and errors are written here as they come, not held.
        self.stream: TextIO | None = None
        self.streamed_errors = 0
        #: Called with each post checked and its findings (``policylint score`` tallies).
        self.observe: Callable[[Post, list[Finding]], None] | None = None

    @property
    def had_errors(self) -> bool:
        return bool(self.errors) or self.streamed_errors > 0 or self.unfixed > 0

    def add_error(self, error: InputError) -> None:
        if self.stream is None:
            self.errors.append(error)
            return
        from policylint.reporters.jsonl import write_error

        try:
            write_error(error, self.stream)
        except BrokenPipeError:
            raise  # the reader is gone (| head): the entry point ends the run quietly
        except OSError as failure:
            raise OutputFailed(failure) from None
        self.streamed_errors += 1

    def add(self, contexts: Contexts, context: Context, results: Iterable[PostResult]) -> None:
        """Add the results of one file: its posts' findings, then its input errors."""
        errors = []
        for result in results:
            if result.error is not None:
                errors.append(result.error)
            else:
                assert result.post is not None  # a result without an error is a post's
                self.add_post(contexts, context, result.post, result.findings)
        for error in errors:
            self.add_error(error)

    def add_post(
        self, contexts: Contexts, context: Context, post: Post, findings: list[Finding]
    ) -> None:
        from policylint._model.reports import has_error

        threshold = context.threshold
        stream = self.stream
        self.posts += 1
        if self.observe is not None:
            self.observe(post, findings)
        self.posts_with_errors += has_error(findings)
        record = stream is None and bool(findings) and _from_record(post)
        for finding in findings:
            if stream is not None:
                from policylint.reporters.jsonl import write_finding

                try:
                    write_finding(finding, stream)
                except BrokenPipeError:
                    raise
                except OSError as failure:
                    raise OutputFailed(failure) from None
            else:
                self.findings.append(finding)
            if record:
                self.post_texts[finding] = post.text
            if finding.waived:
                continue
            if finding.severity.rank >= threshold:
                self.failing = True
            if stream is not None:
                continue  # which findings --fix could fix is for the text report
            kind = contexts.fix_kind(context, post, finding)
            if kind == "safe":
                self.fixable.add(finding)
            elif kind == "unsafe":
                unsafe = contexts.request.unsafe_fixes
                (self.fixable if unsafe else self.unsafe_fixable).add(finding)


#: Formats whose posts are records (a field of the file holds the text).
_RECORD_FORMATS = ("json", "jsonl", "csv", "yaml")


def _from_record(post: Post) -> bool:
    """Whether the post is a record's text rather than a whole file's (Markdown, text)."""
    from policylint.sources import format_for

    return post.source is not None and format_for(post.source.path) in _RECORD_FORMATS


def write_report(run: Run, contexts: Contexts, options: CheckOptions) -> None:
    """Write the report of ``run`` as ``options`` ask (format, statistics, file, colour)."""
    from policylint._model.reports import Report
    from policylint.reporters import RenderOptions, reporter

    audit = options.output_format in _AUDIT_FORMATS
    shown = run.findings if audit else [f for f in run.findings if not f.waived]
    report = Report.counted(
        shown, run.errors, run.posts, run.files, posts_with_errors=run.posts_with_errors
    )
    render = reporter(options.output_format, statistics=options.statistics)
    render_options = RenderOptions(
        sources=run.sources,
        rules=sorted(contexts.rules.values(), key=lambda r: r.id),
        show_waived=options.show_waived,
        summary=not options.quiet,
        fixable=run.fixable,
        unsafe_fixable=run.unsafe_fixable,
        post_texts=run.post_texts,
    )
    if options.output:
        report_file = Output.open(options.output)
        try:
            render(report, report_file.stream, render_options._replace(color=bool(options.color)))
        except OSError as error:
            report_file.failed(error)
        report_file.commit()
        return
    try:
        render(report, sys.stdout, render_options._replace(color=use_color(options.color)))
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader is gone (| head): the entry point ends the run quietly
    except OSError as error:
        fail(f"error: cannot write the report: {error.strerror or error}")


def use_color(flag: bool | None) -> bool:
    """--color/--no-color, else NO_COLOR (set and not empty: never), else FORCE_COLOR (set,
    not empty, not 0/false: always), else whether stdout is a terminal (not TERM=dumb)."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force is not None and force != "":
        return force.lower() not in ("0", "false", "no")
    if os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout is not None and sys.stdout.isatty()
