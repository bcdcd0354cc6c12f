"""``--statistics``: one line per rule instead of the findings, as text or as JSON.

    12  tone.shouting       warning  [*]
     3  fin.promissory      error
    15 findings

Rules are listed most frequent first (then by id), each with its count, its severity and
``[*]`` when ``--fix`` can fix some of its findings; waived findings are not counted. The
total follows unless ``--quiet``. In JSON: ``[{"rule", "severity", "count", "fixable"}]``.
"""

from __future__ import annotations

import json

from policylint._model.reports import Finding, Report
from policylint.reporters.base import RenderOptions
from policylint.reporters.text import BOLD, SEVERITY_COLOURS, painter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["render_json", "render_text"]


class _Count:
    """A rule's findings: how many, of which severity, how many ``--fix`` can fix."""

    __slots__ = ("count", "fixable", "severity")

    def __init__(self, severity: str) -> None:
        self.severity = severity
        self.count = 0
        self.fixable = 0


def _counts(findings: list[Finding], fixable: Any) -> list[tuple[str, _Count]]:
    """Each rule with unwaived findings and its count, most frequent first."""
    counts: dict[str, _Count] = {}
    for finding in findings:
        if finding.waived:
            continue
        entry = counts.get(finding.rule)
        if entry is None:
            entry = counts[finding.rule] = _Count(finding.severity.value)
        entry.count += 1
        entry.fixable += finding in fixable
    return sorted(counts.items(), key=lambda item: (-item[1].count, item[0]))


def render_text(report: Report, out: TextIO, options: RenderOptions) -> None:
    paint = painter(options.color)
    counts = _counts(report.findings, options.fixable)
    width = max((len(rule) for rule, _ in counts), default=0)
    total = 0
    for rule, entry in counts:
        total += entry.count
        marker = "  [*]" if entry.fixable else ""
        pad = " " * (7 - len(entry.severity)) if marker else ""
        colour = SEVERITY_COLOURS[entry.severity]
        out.write(
            f"{entry.count:>5}  {paint(BOLD, rule.ljust(width))}  "
            f"{paint(colour, entry.severity)}{pad}{marker}\n"
        )
    if options.summary:
        out.write(paint(BOLD, f"{total} finding{'s' if total != 1 else ''}") + "\n")


def render_json(report: Report, out: TextIO, options: RenderOptions) -> None:
    listed = [
        {"rule": rule, "severity": entry.severity, "count": entry.count, "fixable": entry.fixable}
        for rule, entry in _counts(report.findings, options.fixable)
    ]
    json.dump(listed, out, indent=2)
    out.write("\n")
