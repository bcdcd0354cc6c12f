"""The data that crosses policylint's public surface: posts in, findings and reports out.

These are pydantic models so that embedding tools get validation and JSON Schemas for free.
The engine builds findings with ``model_construct`` on its hot path; everything it passes is
already validated there.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from policylint._model.records import PLATFORM_ALIASES, REPORT_VERSION, normalise_platform
from policylint._model.severity import Severity

__all__ = [
    "PLATFORMS",
    "PLATFORM_ALIASES",
    "Finding",
    "InputError",
    "Post",
    "Report",
    "Severity",
    "SourceLocation",
    "Summary",
    "normalise_platform",
]

#: Platforms the built-in metrics know how to count for.
PLATFORMS: tuple[str, ...] = (
    "x",
    "linkedin",
    "instagram",
    "facebook",
    "tiktok",
    "threads",
    "bluesky",
    "mastodon",
    "youtube",
    "pinterest",
)


class SourceLocation(BaseModel):
    """Where a post's text sits in the file it was read from.

    ``line``/``column`` (1-based, columns in code points) give the first character of the
    text. When ``verbatim`` is true the text appears character for character in the file from
    there, so any offset in the text can be mapped to a line and column of the file. When it
    is false (a JSON string with escapes, a CSV field with doubled quotes) only the record's
    own position is known and findings point at it.
    """

    model_config = ConfigDict(frozen=True)

    path: str
    line: int = 1
    column: int = 1
    verbatim: bool = False


class Post(BaseModel):
    """One drafted post: its text, where it will be published, and what we know about it."""

    model_config = ConfigDict(frozen=True)

    id: str | None = None
    text: str
    platform: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    source: SourceLocation | None = None

    @field_validator("platform", mode="before")
    @classmethod
    def _canonical_platform(cls, value: Any) -> Any:
        if isinstance(value, str):
            return normalise_platform(value)
        return value

    @classmethod
    def from_data(cls, data: Any) -> Post:
        """A validated ``Post`` from any object with the same attributes (e.g. PostData)."""
        source = data.source
        return cls(
            id=data.id,
            text=data.text,
            platform=data.platform,
            meta=dict(data.meta),
            source=SourceLocation.model_validate(source, from_attributes=True)
            if source is not None
            else None,
        )

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value


class Finding(BaseModel):
    """One place where a post breaks a rule."""

    model_config = ConfigDict(frozen=True)

    rule: str
    category: str
    severity: Severity
    message: str
    owner: str | None = None
    reference: str | None = None
    reference_url: str | None = None
    path: str | None = None
    post: str | None = None
    line: int
    column: int
    end_line: int
    end_column: int
    start: int = Field(description="Offset of the match in the post's text (code points).")
    end: int = Field(description="End offset (exclusive) of the match in the post's text.")
    match: str = Field(description="The exact characters matched: text[start:end].")
    field: str | None = Field(
        default=None,
        description="Set when the match is inside a metadata field (e.g. 'meta.alt') "
        "rather than the post text; offsets are then relative to that field.",
    )
    suggestion: str | None = None
    waived: bool = Field(
        default=False,
        description="True when a waiver silences the finding; kept in reports as an audit trail.",
    )
    waiver_reason: str | None = None

    @classmethod
    def from_data(cls, data: Any) -> Finding:
        """A ``Finding`` from the engine's FindingData (already validated there)."""
        return cls.model_construct(**data.as_dict())

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


class InputError(BaseModel):
    """An input that could not be checked (unreadable file, malformed record, ...)."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int = 1
    column: int = 1
    message: str


class Summary(BaseModel):
    """What a check counted. Waived findings are not counted."""

    posts_checked: int = Field(default=0, description="Posts checked.")
    posts_with_errors: int = Field(
        default=0, description="Posts with at least one finding of severity error."
    )
    input_errors: int = Field(
        default=0, description="Inputs that could not be checked (the report's errors)."
    )
    files: int = Field(default=0, description="Files read (standard input counts as one).")
    findings: int = Field(default=0, description="Findings.")
    by_severity: dict[str, int] = Field(
        default_factory=dict, description="Findings by severity: error, warning, info."
    )


class Report(BaseModel):
    """What a check produced: the findings, the inputs that failed, and a summary."""

    version: int = Field(
        REPORT_VERSION,
        description="Raised when a field is added, removed or changes meaning.",
    )
    findings: list[Finding] = Field(default_factory=list)
    errors: list[InputError] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)

    @classmethod
    def from_data(cls, data: Any) -> Report:
        """A ``Report`` from the command line's ReportData."""
        return cls(
            version=data.version,
            findings=[Finding.from_data(f) for f in data.findings],
            errors=[InputError(**e.model_dump()) for e in data.errors],
            summary=Summary(**data.summary.model_dump()),
        )

    @property
    def ok(self) -> bool:
        return not self.findings and not self.errors

    def at_or_above(self, threshold: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity.rank >= threshold.rank]
