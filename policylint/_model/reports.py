"""Findings, each post's result, and the report of a check with its summary.

A :class:`Report` is what ``policylint check --format json`` writes, field for field
(``Report.model_dump(mode="json")``), and what :func:`policylint.check` returns. Waived
findings stay in it, marked ``waived`` with the waiver's reason, as an audit trail; they
never count in the summary, :attr:`Report.ok` or :meth:`Report.at_or_above`.
"""

from __future__ import annotations

from collections.abc import Iterable

from policylint._model.posts import InputError, Post
from policylint._model.severity import Severity
from policylint._model.struct import NamedTuple, Struct, Validated, dump_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["REPORT_VERSION", "Finding", "PostResult", "Report", "Summary", "has_error"]

#: The JSON report's ``version``: raised when a field is added, removed or changes meaning
#: (2: ``summary.posts_with_errors`` counts posts with error findings, no longer input
#: errors, which ``summary.input_errors`` counts).
REPORT_VERSION = 2


class Finding(NamedTuple):
    """One place where a post breaks a rule."""

    rule: str
    category: str
    severity: Severity
    message: str
    owner: str | None
    reference: str | None
    reference_url: str | None
    path: str | None
    post: str | None
    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int
    match: str
    field: str | None
    suggestion: str | None
    waived: bool = False
    waiver_reason: str | None = None

    def sort_key(self) -> tuple[str, str, int, int, str, int, int]:
        return (
            self.path or "",
            self.post or "",
            self.line,
            self.column,
            self.rule,
            self.start,
            self.end,
        )

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        data = self._asdict()
        if mode == "json":
            data["severity"] = self.severity.value
        return data

    def model_dump_json(self) -> str:
        """The finding as compact JSON (a line of ``--format jsonl`` without its type)."""
        return dump_json(self.model_dump(mode="json"))


def has_error(findings: Iterable[Finding]) -> bool:
    """Whether an unwaived finding of error severity is among ``findings`` (one post's)."""
    return any(f.severity is Severity.ERROR and not f.waived for f in findings)


class PostResult(NamedTuple):
    """One post's outcome: its findings (waivers applied, waived ones kept and marked), or
    the input error that kept it from being checked. ``post`` is None for an input that was
    not a post at all (a malformed record of a file)."""

    post: Post | None
    findings: list[Finding]
    error: InputError | None = None


class Summary(Struct):
    """What a check counted. Waived findings are not counted."""

    __slots__ = (
        "by_severity",
        "files",
        "findings",
        "input_errors",
        "posts_checked",
        "posts_with_errors",
    )
    FIELDS = (
        "posts_checked",
        "posts_with_errors",
        "input_errors",
        "files",
        "findings",
        "by_severity",
    )
    posts_checked: int
    posts_with_errors: int
    input_errors: int
    files: int
    findings: int
    by_severity: dict[str, int]

    def __init__(
        self,
        posts_checked: int = 0,
        posts_with_errors: int = 0,
        input_errors: int = 0,
        files: int = 0,
        findings: int = 0,
        by_severity: dict[str, int] | None = None,
    ) -> None:
        self.posts_checked = posts_checked
        self.posts_with_errors = posts_with_errors
        self.input_errors = input_errors
        self.files = files
        self.findings = findings
        self.by_severity = {} if by_severity is None else by_severity

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {
            "posts_checked": self.posts_checked,
            "posts_with_errors": self.posts_with_errors,
            "input_errors": self.input_errors,
            "files": self.files,
            "findings": self.findings,
            "by_severity": dict(self.by_severity),
        }


class Report(Validated):
    """What a check produced: the findings, the inputs that failed, and a summary."""

    __slots__ = ("errors", "findings", "summary", "version")
    FIELDS = ("findings", "errors", "summary", "version")
    # The JSON Schema's properties, in the order the JSON report writes them.
    version: int
    findings: list[Finding]
    errors: list[InputError]
    summary: Summary

    def __init__(
        self,
        findings: list[Finding] | None = None,
        errors: list[InputError] | None = None,
        summary: Summary | None = None,
        version: int = REPORT_VERSION,
    ) -> None:
        self.findings = [] if findings is None else findings
        self.errors = [] if errors is None else errors
        self.summary = Summary() if summary is None else summary
        self.version = version

    @classmethod
    def from_results(
        cls, results: Iterable[PostResult], *, errors: Iterable[InputError] = ()
    ) -> Report:
        """The report of ``results`` (``check_many``'s), with their summary; ``errors`` are
        input errors met elsewhere (``read_path``'s), reported after the posts'."""
        findings: list[Finding] = []
        failed: list[InputError] = []
        checked = with_errors = 0
        for result in results:
            if result.error is not None:
                failed.append(result.error)
                continue
            findings.extend(result.findings)
            checked += 1
            with_errors += has_error(result.findings)
        failed.extend(errors)
        return cls.counted(findings, failed, checked, posts_with_errors=with_errors)

    @classmethod
    def counted(
        cls,
        findings: list[Finding],
        errors: list[InputError],
        checked: int,
        files: int | None = None,
        *,
        posts_with_errors: int | None = None,
    ) -> Report:
        """A report with its summary counted from the findings and errors (waived findings
        are kept but not counted). Callers that saw the posts pass ``posts_with_errors``;
        else the posts are told apart by path and id."""
        by_severity: dict[str, int] = {}
        counted = [finding for finding in findings if not finding.waived]
        for finding in counted:
            key = finding.severity.value
            by_severity[key] = by_severity.get(key, 0) + 1
        if files is None:
            files = len({f.path for f in findings if f.path} | {e.path for e in errors})
        if posts_with_errors is None:
            posts_with_errors = len({(f.path, f.post) for f in counted if has_error((f,))})
        summary = Summary(
            posts_checked=checked,
            posts_with_errors=posts_with_errors,
            input_errors=len(errors),
            files=files,
            findings=len(counted),
            by_severity=by_severity,
        )
        return cls(findings=findings, errors=errors, summary=summary)

    @property
    def ok(self) -> bool:
        """No finding to act on (waived ones aside) and no input error."""
        return not self.errors and all(f.waived for f in self.findings)

    def at_or_above(self, threshold: Severity) -> list[Finding]:
        """The unwaived findings of severity ``threshold`` or higher."""
        return [f for f in self.findings if f.severity.rank >= threshold.rank and not f.waived]

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {
            "version": self.version,
            "findings": [f.model_dump(mode) for f in self.findings],
            "errors": [e.model_dump(mode) for e in self.errors],
            "summary": self.summary.model_dump(mode),
        }

    def model_dump_json(self) -> str:
        """The JSON report as compact text (``--format json`` writes it indented)."""
        return dump_json(self.model_dump(mode="json"))
