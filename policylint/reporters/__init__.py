"""Output formats: each reporter writes a :class:`~policylint.Report` to a text stream.

A reporter is a function following :class:`~policylint.reporters.base.Reporter`: the
report, the stream, and the :class:`~policylint.reporters.base.RenderOptions` the command line
gives (colour, the texts of standard input, the
rules that ran, which findings ``--fix`` could fix...). Each format is one module with a
``render`` function, imported only when that format is used; ``--statistics`` is a
reporter too (:mod:`policylint.reporters.statistics`). To add a format, write its module
and add a line to :data:`FORMATS`: ``--format`` offers what is there.
"""

from __future__ import annotations

import importlib

from policylint._model.reports import Report
from policylint.reporters.base import RenderOptions, Reporter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["FORMATS", "STATISTICS", "RenderOptions", "Reporter", "render", "reporter"]


#: ``--format`` names and the modules whose ``render`` writes them.
FORMATS: dict[str, str] = {
    "text": "policylint.reporters.text",
    "json": "policylint.reporters.json",
    "jsonl": "policylint.reporters.jsonl",
    "sarif": "policylint.reporters.sarif",
    "github": "policylint.reporters.github",
    "rdjson": "policylint.reporters.rdjson",
}
#: ``--statistics`` in each format it has: ``"module:function"``.
STATISTICS: dict[str, str] = {
    "text": "policylint.reporters.statistics:render_text",
    "json": "policylint.reporters.statistics:render_json",
}


def reporter(format_name: str, *, statistics: bool = False) -> Reporter:
    """The reporter of ``format_name`` (or its ``--statistics``), imported on first use.
    Raises ``KeyError`` for a format that has none."""
    spec = STATISTICS[format_name] if statistics else FORMATS[format_name] + ":render"
    module_name, _, function = spec.partition(":")
    found: Reporter = getattr(importlib.import_module(module_name), function)
    return found


def render(format_name: str, report: Report, out: TextIO, **options: Any) -> None:
    """Write ``report`` in ``format_name``; ``options`` are :class:`RenderOptions` fields."""
    reporter(format_name)(report, out, RenderOptions(**options))
