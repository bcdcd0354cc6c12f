"""``--format json``: the whole report as one JSON document (schema: ``Report``).

{"version": 1,
 "findings": [{"rule", "category", "severity", "message", "owner", "reference",
               "reference_url", "path", "post", "line", "column", "end_line",
               "end_column", "start", "end", "match", "field", "suggestion"}],
 "errors": [{"path", "line", "column", "message"}],
 "summary": {"posts_checked", "posts_with_errors", "files", "findings", "by_severity"}}
"""

from __future__ import annotations

import json

from policylint._model.reports import Report
from policylint.reporters.base import RenderOptions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["render"]


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    json.dump(report.model_dump(mode="json"), out, ensure_ascii=False, indent=2)
    out.write("\n")
