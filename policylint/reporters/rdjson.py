"""``--format rdjson``: reviewdog's Diagnostic Format (``reviewdog -f=rdjson``).

    {"source": {"name": "policylint", "url": "..."}, "severity": "ERROR",
     "diagnostics": [{"message": "...", "severity": "ERROR",
                      "location": {"path": "posts/a.md",
                                   "range": {"start": {"line": 4, "column": 1},
                                             "end": {"line": 4, "column": 11}}},
                      "code": {"value": "finance.promissory", "url": "https://..."},
                      "suggestions": [{"range": {...}, "text": "aims to"}]}]}

reviewdog counts columns in UTF-8 bytes (1-based, ends exclusive), so columns are converted
using the finding's line from ``sources=`` or the file. When the line is not available the
range keeps only line numbers, which reviewdog reads as whole lines: coarse but never wrong.
A suggestion is attached only when the range is known to hold exactly the matched text.
Inputs that could not be checked are ERROR diagnostics with the code ``input-error``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from policylint._model.posts import InputError
from policylint._model.reports import Finding, Report
from policylint._model.severity import Severity
from policylint.reporters.base import RenderOptions
from policylint.reporters.columns import (
    SourceLines,
    display_path,
    suggestion_applies,
    utf8_column,
)
from policylint.reporters.sarif import INFORMATION_URI

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

    Json = dict[str, Any]

__all__ = ["build_result", "render"]

_SEVERITIES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    json.dump(build_result(report, sources=options.sources), out, ensure_ascii=False, indent=2)
    out.write("\n")


def build_result(report: Report, *, sources: Mapping[str, str] | None = None) -> Json:
    """The ``DiagnosticResult`` for ``report`` as a JSON-ready dict."""
    lines = SourceLines(sources)
    diagnostics = [_diagnostic(finding, lines) for finding in report.findings]
    diagnostics += [_error_diagnostic(error, lines) for error in report.errors]
    result: Json = {"source": {"name": "policylint", "url": INFORMATION_URI}}
    severities = [f.severity for f in report.findings] + [Severity.ERROR] * bool(report.errors)
    if severities:
        result["severity"] = _SEVERITIES[max(severities, key=lambda s: s.rank)]
    result["diagnostics"] = diagnostics
    return result


def _diagnostic(finding: Finding, lines: SourceLines) -> Json:
    start = _position(lines, finding.path, finding.line, finding.column)
    end = _position(lines, finding.path, finding.end_line, finding.end_column)
    if "column" not in start or "column" not in end:
        start, end = {"line": finding.line}, {"line": finding.end_line}
    code: Json = {"value": finding.rule}
    if finding.reference_url:
        code["url"] = finding.reference_url
    diagnostic: Json = {
        "message": finding.message,
        "location": {"path": display_path(finding.path), "range": {"start": start, "end": end}},
        "severity": _SEVERITIES[finding.severity],
        "code": code,
    }
    if "column" in start and suggestion_applies(finding, lines):
        range_ = {"start": start, "end": end}
        diagnostic["suggestions"] = [{"range": range_, "text": finding.suggestion}]
    return diagnostic


def _error_diagnostic(error: InputError, lines: SourceLines) -> Json:
    return {
        "message": error.message,
        "location": {
            "path": display_path(error.path),
            "range": {"start": _position(lines, error.path, error.line, error.column)},
        },
        "severity": "ERROR",
        "code": {"value": "input-error"},
    }


def _position(lines: SourceLines, path: str | None, line: int, column: int) -> Json:
    """A reviewdog position; without the line's text, only its number."""
    text = lines.line(path, line)
    if text is None:
        return {"line": line}
    return {"line": line, "column": utf8_column(text, column)}
