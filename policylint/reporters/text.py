"""``--format text`` (the default): compiler-style findings people can act on.

posts/launch.md:4:1: error finance.promissory Promissory claim 'Guaranteed' ...
  |
4 | Guaranteed 12% returns every single year!
  | ^^^^^^^^^^
  = owner: Compliance · FINRA Rule 2210(d)(1)(B)
  = suggestion: aims to
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TextIO

from policylint.models import Finding, Report

__all__ = ["render"]

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


class _SourceLines:
    """Reads the lines of checked files on demand, for the excerpt under each finding."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = dict(texts)
        self._lines: dict[str, list[str] | None] = {}

    def line(self, path: str | None, number: int) -> str | None:
        if path is None:
            return None
        if path not in self._lines:
            text = self._texts.get(path)
            if text is None:
                try:
                    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
                        text = f.read()
                except OSError:
                    text = None
            self._lines[path] = text.splitlines() if text is not None else None
        lines = self._lines[path]
        if lines is None or not 0 < number <= len(lines):
            return None
        return lines[number - 1]


def render(
    report: Report,
    out: TextIO,
    *,
    color: bool = False,
    sources: Mapping[str, str] | None = None,
    **options: Any,
) -> None:
    paint: Callable[[str, str], str] = (
        (lambda code, text: f"{code}{text}{_RESET}") if color else (lambda code, text: text)
    )
    lines = _SourceLines(sources or {})
    for finding in report.findings:
        _render_finding(finding, out, paint, lines)
    for error in report.errors:
        out.write(
            f"{paint(_BOLD, f'{error.path}:{error.line}:{error.column}:')} "
            f"{paint(_COLOURS['error'], 'input-error')} {error.message}\n"
        )
    out.write(_summary_line(report) + "\n")


def _render_finding(
    finding: Finding,
    out: TextIO,
    paint: Callable[[str, str], str],
    lines: _SourceLines,
) -> None:
    where = f"{finding.path or '<text>'}:{finding.line}:{finding.column}:"
    if finding.post and (finding.path is None or not finding.path.endswith((".txt", ".md"))):
        where += f" [{finding.post}]"
    severity = finding.severity.value
    out.write(
        f"{paint(_BOLD, where)} {paint(_COLOURS[severity], severity)} "
        f"{paint(_BOLD, finding.rule)} {finding.message}\n"
    )
    source_line = lines.line(finding.path, finding.line) if finding.field is None else None
    gutter = str(finding.line)
    pad = " " * len(gutter)
    if source_line is not None:
        out.write(f"{pad} |\n{gutter} | {source_line}\n")
        start = finding.column - 1
        stop = finding.end_column - 1 if finding.end_line == finding.line else len(source_line)
        if source_line[start:stop] == finding.match.split("\n")[0].rstrip("\r") and stop > start:
            from policylint.language.errors import caret_line

            caret = caret_line(source_line, finding.column, stop - start)
            out.write(f"{pad} | {paint(_COLOURS[severity], caret)}\n")
    details = [d for d in (finding.owner and f"owner: {finding.owner}", finding.reference) if d]
    if details:
        out.write(f"{pad} = {paint(_DIM, ' · '.join(details))}\n")
    if finding.suggestion:
        out.write(f"{pad} = suggestion: {finding.suggestion}\n")


def _summary_line(report: Report) -> str:
    summary = report.summary
    counts = ", ".join(
        f"{summary.by_severity[s]} {s}{'s' if summary.by_severity[s] != 1 else ''}"
        for s in ("error", "warning", "info")
        if summary.by_severity.get(s)
    )
    found = f"{summary.findings} finding{'s' if summary.findings != 1 else ''}"
    if counts:
        found += f" ({counts})"
    text = f"{found} in {summary.posts_checked} post{'s' if summary.posts_checked != 1 else ''}"
    if summary.files:
        text += f" from {summary.files} file{'s' if summary.files != 1 else ''}"
    if report.errors:
        text += f"; {len(report.errors)} input{'s' if len(report.errors) != 1 else ''} "
        text += "could not be checked"
    return text + "."
