"""``--format github``: GitHub Actions workflow commands, shown as annotations on the run
and on the pull request's diff.

    ::error file=posts/a.md,line=4,col=1,endLine=4,endColumn=11,title=finance.promissory::…
    ::error file=posts/broken.json,line=2,col=5,title=input-error::invalid JSON
    2 findings (2 errors) in 3 posts from 2 files; 1 input could not be checked.

Severities map to ``error``, ``warning`` and ``notice``. Message data escapes ``%``, CR
and LF; property values also escape ``:`` and ``,`` (the escaping of ``@actions/core``).
A finding spanning lines carries no columns (GitHub takes columns only within one line).
Text read from standard input has no file to annotate, so its annotations carry no
location properties and name the position in the message instead.
"""

from __future__ import annotations

from policylint._model.posts import InputError
from policylint._model.reports import Finding, Report
from policylint.reporters.base import RenderOptions
from policylint.reporters.columns import STDIN, display_path
from policylint.reporters.text import summary_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["escape_data", "escape_property", "render"]

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    """Escape a command's message (the text after ``::``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value (``key=value`` before the ``::``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    for finding in report.findings:
        out.write(_finding_command(finding) + "\n")
    for error in report.errors:
        out.write(_error_command(error) + "\n")
    out.write(summary_line(report) + "\n")


def _finding_command(finding: Finding) -> str:
    if finding.end_line == finding.line:
        where = {
            "line": finding.line,
            "col": finding.column,
            "endLine": finding.end_line,
            "endColumn": finding.end_column,
        }
    else:
        # GitHub takes a column range only within one line.
        where = {"line": finding.line, "endLine": finding.end_line}
    severity = _COMMANDS[finding.severity.value]
    return _command(severity, finding, where, finding.rule, finding.message)


def _error_command(error: InputError) -> str:
    where = {"line": error.line, "col": error.column}
    return _command("error", error, where, "input-error", error.message)


def _command(
    name: str, item: Finding | InputError, where: dict[str, int], title: str, message: str
) -> str:
    if item.path is None or item.path == STDIN:
        properties: dict[str, object] = {"title": title}
        message = f"stdin:{item.line}:{item.column}: {message}"
    else:
        properties = {"file": display_path(item.path), **where, "title": title}
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {rendered}::{escape_data(message)}"
