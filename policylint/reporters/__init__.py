"""Output formats. Each reporter is one module with ``render(report, out, **options)``.

The registry maps a format name to its module, imported only when that format is used.
"""

from __future__ import annotations

import importlib

from policylint._model.reports import Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol, TextIO
else:
    Protocol = object  # a structural type: nothing to check at run time

__all__ = ["FORMATS", "render"]


class Reporter(Protocol):
    def render(self, report: Report, out: TextIO, **options: Any) -> None: ...


FORMATS: dict[str, str] = {
    "text": "policylint.reporters.text",
    "json": "policylint.reporters.json",
    "jsonl": "policylint.reporters.jsonl",
    "sarif": "policylint.reporters.sarif",
    "github": "policylint.reporters.github",
    "rdjson": "policylint.reporters.rdjson",
}


def render(format_name: str, report: Report, out: TextIO, **options: Any) -> None:
    module: Any = importlib.import_module(FORMATS[format_name])
    module.render(report, out, **options)
