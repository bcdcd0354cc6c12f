"""Light records for the engine's hot path and the command line: no pydantic.

Importing pydantic and building its models costs about 85 ms, more than the rest of a
pre-commit run, so the readers, the engine and the reporters pass these slotted records
around; the library API (policylint.models) converts them to and from pydantic models at the
boundary. Field names match the pydantic models one for one, and ``model_dump`` mirrors
pydantic's, so the reporters accept either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from policylint.severity import Severity

__all__ = [
    "PLATFORM_ALIASES",
    "ErrorData",
    "FindingData",
    "Location",
    "PostData",
    "ReportData",
    "SummaryData",
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
    """Where a post's text sits in its file (see ``policylint.models.SourceLocation``)."""

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


@dataclass(frozen=True, slots=True)
class PostData:
    """A post as the readers produce it (see ``policylint.models.Post``)."""

    text: str
    id: str | None = None
    platform: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    source: Location | None = None

    def __post_init__(self) -> None:
        if self.platform is not None:
            object.__setattr__(self, "platform", normalise_platform(self.platform))
        if isinstance(self.id, int) and not isinstance(self.id, bool):
            object.__setattr__(self, "id", str(self.id))

    def __reduce__(self) -> tuple[type[PostData], tuple[Any, ...]]:
        # Worker pools pickle every post: by its fields this costs a third of what the
        # dataclass's generated slot state does (its __post_init__ is idempotent).
        return PostData, (self.text, self.id, self.platform, self.meta, self.source)


class ErrorData(NamedTuple):
    """An input that could not be checked (see ``policylint.models.InputError``)."""

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
    """One finding (see ``policylint.models.Finding`` for the meaning of each field)."""

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


@dataclass(slots=True)
class SummaryData:
    """A report's counts: posts checked and with errors, files, findings (and by severity)."""

    posts_checked: int = 0
    posts_with_errors: int = 0
    files: int = 0
    findings: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {
            "posts_checked": self.posts_checked,
            "posts_with_errors": self.posts_with_errors,
            "files": self.files,
            "findings": self.findings,
            "by_severity": dict(self.by_severity),
        }


@dataclass(slots=True)
class ReportData:
    """What a run produced (see ``policylint.models.Report``)."""

    findings: list[FindingData] = field(default_factory=list)
    errors: list[ErrorData] = field(default_factory=list)
    summary: SummaryData = field(default_factory=SummaryData)
    version: int = 1

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
    findings: list[FindingData], errors: list[ErrorData], checked: int, files: int | None = None
) -> ReportData:
    """A report with its summary counted from the findings and errors."""
    by_severity: dict[str, int] = {}
    for finding in findings:
        key = finding.severity.value
        by_severity[key] = by_severity.get(key, 0) + 1
    if files is None:
        files = len({f.path for f in findings if f.path} | {e.path for e in errors})
    summary = SummaryData(
        posts_checked=checked,
        posts_with_errors=len(errors),
        files=files,
        findings=len(findings),
        by_severity=by_severity,
    )
    return ReportData(findings=findings, errors=errors, summary=summary)
