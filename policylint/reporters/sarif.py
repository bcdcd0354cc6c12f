"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run. ``tool.driver.rules`` describes every rule that has a finding, and every rule of
the policy when the caller passes ``rules=`` (``Policy.rules``). Each finding becomes a
result with its region, a partial fingerprint that survives the post moving within its file,
the post id in ``properties.post``, and a fix when the rule suggests a replacement. Inputs
that could not be checked become error notifications of the invocation, which is then not
``executionSuccessful``.

Columns: SARIF counts UTF-16 code units unless ``run.columnKind`` says otherwise. Converting
needs each finding's line, taken from ``sources=`` or read from the file; when a file's line
is not available the whole run keeps code-point columns and says ``unicodeCodePoints``.

Message strings double ``{`` and ``}`` as SARIF §3.11.5 requires (braces are placeholders).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import quote

from policylint._model.posts import InputError
from policylint._model.reports import Finding, Report
from policylint._model.rules import RuleInfo
from policylint._model.severity import Severity
from policylint._version import __version__
from policylint.reporters.base import RenderOptions
from policylint.reporters.columns import (
    STDIN,
    SourceLines,
    display_path,
    suggestion_applies,
    utf16_column,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

    Json = dict[str, Any]

__all__ = ["INFORMATION_URI", "SCHEMA_URI", "build_log", "render"]

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/policylint/"
#: Name of the partial fingerprint; bump the version if what it hashes changes.
FINGERPRINT = "policylint/v1"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    log = build_log(report, sources=options.sources, rules=options.rules)
    json.dump(log, out, ensure_ascii=False, indent=2)
    out.write("\n")


def build_log(
    report: Report,
    *,
    sources: Mapping[str, str] | None = None,
    rules: Iterable[RuleInfo] | None = None,
) -> Json:
    """The SARIF log for ``report`` as a JSON-ready dict."""
    columns = _Columns(SourceLines(sources), report.findings)
    descriptors = _descriptors(report.findings, rules or ())
    rule_index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    results = [
        _result(finding, rule_index[finding.rule], fingerprint, columns)
        for finding, fingerprint in zip(
            report.findings, _fingerprints(report.findings), strict=True
        )
    ]
    invocation: Json = {
        "executionSuccessful": not report.errors,
        "toolExecutionNotifications": [_notification(e, columns) for e in report.errors],
    }
    run: Json = {
        "tool": {
            "driver": {
                "name": "policylint",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "invocations": [invocation],
        "columnKind": columns.kind,
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


class _Columns:
    """Converts code-point columns to the run's column kind.

    UTF-16 when the lines of every finding from a file are available; otherwise the whole run
    keeps code points. Text that came from no file (``path`` None) has no lines to convert
    with, so in a UTF-16 run its regions give lines only.
    """

    def __init__(self, lines: SourceLines, findings: Iterable[Finding]) -> None:
        self.lines = lines
        self.utf16 = all(
            lines.line(f.path, f.line) is not None and lines.line(f.path, f.end_line) is not None
            for f in findings
            if f.path is not None
        )
        self.kind = "utf16CodeUnits" if self.utf16 else "unicodeCodePoints"

    def column(self, path: str | None, line: int, column: int) -> int | None:
        if not self.utf16:
            return column
        text = self.lines.line(path, line)
        return None if text is None else utf16_column(text, column)

    def region(self, finding: Finding) -> Json:
        start = self.column(finding.path, finding.line, finding.column)
        end = self.column(finding.path, finding.end_line, finding.end_column)
        if start is None or end is None:
            return {"startLine": finding.line, "endLine": finding.end_line}
        return {
            "startLine": finding.line,
            "startColumn": start,
            "endLine": finding.end_line,
            "endColumn": end,
        }


def _result(finding: Finding, rule_index: int, fingerprint: str, columns: _Columns) -> Json:
    uri = _uri(finding.path)
    region = columns.region(finding)
    result: Json = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": _message(finding.message),
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }
    properties = {"post": finding.post, "field": finding.field}
    if any(properties.values()):
        result["properties"] = {key: value for key, value in properties.items() if value}
    if suggestion_applies(finding, columns.lines):
        change = {
            "artifactLocation": {"uri": uri},
            "replacements": [
                {"deletedRegion": region, "insertedContent": {"text": finding.suggestion}}
            ],
        }
        description = f"Replace '{finding.match}' with '{finding.suggestion}'"
        result["fixes"] = [{"description": _message(description), "artifactChanges": [change]}]
    return result


def _fingerprints(findings: Iterable[Finding]) -> list[str]:
    """A hash of rule, path, post and match, numbered when the same one occurs again, so that
    an alert keeps its identity when lines above it are added or removed."""
    seen: Counter[str] = Counter()
    fingerprints = []
    for finding in findings:
        key = "\x1f".join(
            (finding.rule, display_path(finding.path), finding.post or "", finding.match)
        )
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        seen[digest] += 1
        fingerprints.append(f"{digest}:{seen[digest]}")
    return fingerprints


def _descriptors(findings: Iterable[Finding], metadata: Iterable[RuleInfo]) -> list[Json]:
    """Rules from the metadata in its order, then rules only known from findings, by id."""
    described: dict[str, Json] = {}
    for rule in metadata:
        described.setdefault(
            rule.id,
            _descriptor(
                rule.id,
                rule.category,
                rule.severity,
                rule.owner,
                rule.reference,
                rule.reference_url,
                rule.message,
                rule.description,
            ),
        )
    for f in sorted(findings, key=lambda f: f.rule):
        if f.rule not in described:
            described[f.rule] = _descriptor(
                f.rule, f.category, f.severity, f.owner, f.reference, f.reference_url, None, None
            )
    return list(described.values())


def _descriptor(
    rule_id: str,
    category: str,
    severity: Severity,
    owner: str | None,
    reference: str | None,
    reference_url: str | None,
    template: str | None,
    description: str | None,
) -> Json:
    help_lines = [description or template or rule_id]
    help_lines += [
        f"{label}: {value}"
        for label, value in (("Owner", owner), ("Reference", reference))
        if value
    ]
    descriptor: Json = {
        "id": rule_id,
        "shortDescription": _message(template or rule_id),
        "help": _message("\n".join(help_lines)),
        "defaultConfiguration": {"level": _LEVELS[severity]},
    }
    if description:
        descriptor["fullDescription"] = _message(description)
    if reference_url:
        descriptor["helpUri"] = reference_url
    properties = {"category": category, "owner": owner, "reference": reference}
    descriptor["properties"] = {k: v for k, v in properties.items() if v} | {"tags": [category]}
    return descriptor


def _notification(error: InputError, columns: _Columns) -> Json:
    region: Json = {"startLine": error.line}
    column = columns.column(error.path, error.line, error.column)
    if column is not None:
        region["startColumn"] = column
    location = {
        "physicalLocation": {"artifactLocation": {"uri": _uri(error.path)}, "region": region}
    }
    return {"level": "error", "message": _message(error.message), "locations": [location]}


def _uri(path: str | None) -> str:
    """A relative URI reference with forward slashes, a file URI outside the working
    directory, or ``stdin``."""
    if path is None or path == STDIN:
        return "stdin"
    shown = display_path(path)
    if Path(shown).is_absolute():
        return Path(shown).as_uri()
    return quote(shown, safe="/")


def _message(text: str) -> Json:
    return {"text": text.replace("{", "{{").replace("}", "}}")}
