"""``--format jsonl``: one JSON object per line, for streaming and ``jq``.

Each finding is a line ``{"type": "finding", ...}`` with the fields of the json reporter's
findings; each input that could not be checked follows as ``{"type": "error", "path",
"line", "column", "message"}``. Callers that produce findings incrementally can write them
as they come with :func:`write_finding` and :func:`write_error`.
"""

from __future__ import annotations

import json

from policylint._model.posts import InputError
from policylint._model.reports import Finding, Report
from policylint.reporters.base import RenderOptions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["render", "write_error", "write_finding"]

# Characters JSON leaves unescaped but str.splitlines() and some JSON Lines readers treat as
# line breaks; escaped, every record stays on one line for every reader.
_LINE_SEPARATORS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    for finding in report.findings:
        write_finding(finding, out)
    for error in report.errors:
        write_error(error, out)


def write_finding(finding: Finding, out: TextIO) -> None:
    """Write one finding as a line of JSON."""
    _write_line({"type": "finding", **finding.model_dump(mode="json")}, out)


def write_error(error: InputError, out: TextIO) -> None:
    """Write one input error as a line of JSON."""
    _write_line({"type": "error", **error.model_dump(mode="json")}, out)


def _write_line(record: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(record, ensure_ascii=False).translate(_LINE_SEPARATORS))
    out.write("\n")
