"""Light records for the engine's hot path and the command line: no pydantic.

Importing pydantic and building its models costs about 85 ms, more than the rest of a
pre-commit run, so the readers, the engine and the reporters pass these slotted records
around; the library API (policylint._model.models) converts them to and from pydantic models at the
boundary. Field names match the pydantic models one for one, and ``model_dump`` mirrors
pydantic's, so the reporters accept either.
"""

from __future__ import annotations

from collections.abc import Iterable

from policylint._model.severity import Severity
from policylint._model.struct import NamedTuple, Struct

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

__all__ = [
    "PLATFORM_ALIASES",
    "REPORT_VERSION",
    "ErrorData",
    "FindingData",
    "Location",
    "PostData",
    "ReportData",
    "SummaryData",
    "has_error",
    "normalise_platform",
]

#: Other spellings people use, mapped to the canonical platform name.
PLATFORM_ALIASES: dict[str, str] = {
    "twitter": "x",
    "x.com": "x",
    "tweet": "x",
    "ig": "instagram",
    "insta": "instagram",
    "fb": "facebook",
    "meta": "facebook",
    "li": "linkedin",
    "linked-in": "linkedin",
    "tik-tok": "tiktok",
    "tt": "tiktok",
    "yt": "youtube",
    "bsky": "bluesky",
}


def normalise_platform(value: str | None) -> str | None:
    """The canonical platform name for ``value`` (``"Twitter"`` -> ``"x"``).

    Unknown names are kept (lower-cased): an organisation may publish somewhere we do not
    know, and a rule guarded on ``platform == "intranet"`` should still work.
    """
    if value is None:
        return None
    key = value.strip().lower()
    if not key:
        return None
    return PLATFORM_ALIASES.get(key, key)


class Location(NamedTuple):
    """Where a post's text sits in its file (see ``policylint._model.models.SourceLocation``)."""

    path: str
    line: int = 1
    column: int = 1
    verbatim: bool = False

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "verbatim": self.verbatim,
        }


class PostData(Struct):
    """A post as the readers produce it (see ``policylint._model.models.Post``). Not changed once
    made (``Final``): ``replace`` makes a new one."""

    __slots__ = ("id", "meta", "platform", "source", "text")
    FIELDS = ("text", "id", "platform", "meta", "source")

    def __init__(
        self,
        text: str,
        id: str | None = None,
        platform: str | None = None,
        meta: dict[str, Any] | None = None,
        source: Location | None = None,
    ) -> None:
        if isinstance(id, int) and not isinstance(id, bool):
            id = str(id)
        self.text: Final = text
        self.id: Final = id
        self.platform: Final = None if platform is None else normalise_platform(platform)
        self.meta: Final[dict[str, Any]] = {} if meta is None else meta
        self.source: Final = source

    def __reduce__(self) -> tuple[type[PostData], tuple[Any, ...]]:
        # Worker pools pickle every post: by its fields this is a third of the cost of the
        # default slot state (the constructor's normalising is idempotent).
        return PostData, (self.text, self.id, self.platform, self.meta, self.source)


class ErrorData(NamedTuple):
    """An input that could not be checked (see ``policylint._model.models.InputError``)."""

    path: str
    message: str
    line: int = 1
    column: int = 1

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class FindingData(NamedTuple):
    """One finding (see ``policylint._model.models.Finding`` for the meaning of each field)."""

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
    #: Set when an inline or metadata waiver silences the finding (kept for the audit trail).
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

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        data = self.as_dict()
        if mode == "json":
            data["severity"] = self.severity.value
        return data


#: The JSON report's ``version``: raised when a field is added, removed or changes meaning
#: (2: ``summary.posts_with_errors`` counts posts with error findings, no longer input
#: errors, which ``summary.input_errors`` counts).
REPORT_VERSION = 2


def has_error(findings: Iterable[FindingData]) -> bool:
    """Whether an unwaived finding of error severity is among ``findings`` (one post's)."""
    return any(f.severity is Severity.ERROR and not f.waived for f in findings)


class SummaryData(Struct):
    """A report's counts (see ``policylint._model.models.Summary`` for each field's meaning)."""

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


class ReportData(Struct):
    """What a run produced (see ``policylint._model.models.Report``)."""

    __slots__ = ("errors", "findings", "summary", "version")
    FIELDS = ("findings", "errors", "summary", "version")

    def __init__(
        self,
        findings: list[FindingData] | None = None,
        errors: list[ErrorData] | None = None,
        summary: SummaryData | None = None,
        version: int = REPORT_VERSION,
    ) -> None:
        self.findings = [] if findings is None else findings
        self.errors = [] if errors is None else errors
        self.summary = SummaryData() if summary is None else summary
        self.version = version

    def at_or_above(self, threshold: Severity) -> list[FindingData]:
        return [f for f in self.findings if f.severity.rank >= threshold.rank]

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {
            "version": self.version,
            "findings": [f.model_dump(mode) for f in self.findings],
            "errors": [e.model_dump(mode) for e in self.errors],
            "summary": self.summary.model_dump(mode),
        }


def summarise(
    findings: list[FindingData],
    errors: list[ErrorData],
    checked: int,
    files: int | None = None,
    *,
    posts_with_errors: int | None = None,
) -> ReportData:
    """A report with its summary counted from the findings and errors. Callers that saw
    the posts pass ``posts_with_errors``; else the posts are told apart by path and id."""
    by_severity: dict[str, int] = {}
    for finding in findings:
        key = finding.severity.value
        by_severity[key] = by_severity.get(key, 0) + 1
    if files is None:
        files = len({f.path for f in findings if f.path} | {e.path for e in errors})
    summary = SummaryData(
        posts_checked=checked,
        posts_with_errors=len({(f.path, f.post) for f in findings if has_error((f,))})
        if posts_with_errors is None
        else posts_with_errors,
        input_errors=len(errors),
        files=files,
        findings=len(findings),
        by_severity=by_severity,
    )
    return ReportData(findings=findings, errors=errors, summary=summary)
