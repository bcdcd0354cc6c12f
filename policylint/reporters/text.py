"""``--format text`` (the default): compiler-style findings people can act on.

    posts/launch.md:4:1: error finance.promissory Promissory claim 'Guaranteed' ...
      |
    4 | Guaranteed 12% returns every single year!
      | ^^^^^^^^^^
      = owner: Compliance · FINRA Rule 2210(d)(1)(B)
      = see: https://www.finra.org/rules-guidance/rulebooks/finra-rules/2210
      = suggestion: aims to (fix with --fix)

The first line is ``path:line:col: severity rule message`` (editors and CI log parsers jump
to it); the excerpt underlines the matched characters, measured in display cells so wide
characters and tabs line up. Colour is used only when the caller says so (the command
line decides: a terminal, ``NO_COLOR``, ``FORCE_COLOR``, ``--color``). Control and bidi
characters of posts are shown as visible stand-ins so a post cannot drive the terminal.
Waived findings are left out unless ``show_waived``; they never count in the summary.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from policylint.records import FindingData, ReportData
from policylint.reporters.columns import SourceLines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["render", "render_statistics", "visible"]

_SEVERITY_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m"}
_CARET_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _BLUE, _GREEN, _RESET = "\033[1m", "\033[2m", "\033[34m", "\033[32m", "\033[0m"

# C0 controls show as the Unicode "control pictures" (U+2400 + code), DEL as U+2421; C1
# controls and bidi overrides/isolates (which can reorder what a terminal shows) as U+FFFD.
# One character for one, so columns and carets still line up.
_VISIBLE = {code: 0x2400 + code for code in range(0x20) if code != 0x09}
_VISIBLE[0x7F] = 0x2421
_VISIBLE.update({code: 0xFFFD for code in range(0x80, 0xA0)})
_VISIBLE.update({code: 0xFFFD for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})

Paint = Callable[[str, str], str]


def visible(text: str) -> str:
    """``text`` with control and bidi characters replaced by visible stand-ins."""
    return text.translate(_VISIBLE)


def render(
    report: ReportData,
    out: TextIO,
    *,
    color: bool = False,
    sources: Mapping[str, str] | None = None,
    show_waived: bool = False,
    fixable: Collection[FindingData] = (),
    unsafe_fixable: Collection[FindingData] = (),
    **options: Any,
) -> None:
    """Write every finding (waived ones only with ``show_waived``), input errors and a
    summary line. ``fixable``/``unsafe_fixable`` are the findings ``--fix`` (with
    ``--unsafe-fixes``) would fix, for the hints."""
    paint = _painter(color)
    lines = SourceLines(sources)
    for finding in report.findings:
        if _waived(finding) and not show_waived:
            continue
        fix = "--fix" if finding in fixable else None
        if fix is None and finding in unsafe_fixable:
            fix = "--fix --unsafe-fixes"
        _render_finding(finding, out, paint, lines, fix)
    for error in report.errors:
        out.write(
            f"{paint(_BOLD, f'{error.path}:{error.line}:{error.column}:')} "
            f"{paint(_SEVERITY_COLOURS['error'], 'input-error')} {visible(error.message)}\n"
        )
    waived = sum(1 for f in report.findings if _waived(f))
    out.write(paint(_BOLD, _summary_line(report, waived, len(fixable), len(unsafe_fixable))) + "\n")


def render_statistics(
    findings: Iterable[FindingData],
    out: TextIO,
    *,
    color: bool = False,
    fixable: Collection[FindingData] = (),
) -> None:
    """``--statistics``: one line per rule (count, rule, severity, ``[*]`` when --fix can
    fix some), most frequent first, then the total."""
    paint = _painter(color)
    counts: dict[str, list[Any]] = {}
    for finding in findings:
        if _waived(finding):
            continue
        entry = counts.setdefault(finding.rule, [0, finding.severity.value, False])
        entry[0] += 1
        entry[2] = entry[2] or finding in fixable
    width = max((len(rule) for rule in counts), default=0)
    total = 0
    for rule, (count, severity, can_fix) in sorted(counts.items(), key=lambda i: (-i[1][0], i[0])):
        total += count
        marker = "  [*]" if can_fix else ""
        pad = " " * (7 - len(severity)) if marker else ""
        out.write(
            f"{count:>5}  {paint(_BOLD, rule.ljust(width))}  "
            f"{paint(_SEVERITY_COLOURS[severity], severity)}{pad}{marker}\n"
        )
    out.write(paint(_BOLD, f"{total} finding{'s' if total != 1 else ''}") + "\n")


def _painter(color: bool) -> Paint:
    if color:
        return lambda code, text: f"{code}{text}{_RESET}"
    return lambda code, text: text


def _waived(finding: FindingData) -> bool:
    return bool(getattr(finding, "waived", False))


def _render_finding(
    finding: FindingData,
    out: TextIO,
    paint: Paint,
    lines: SourceLines,
    fix: str | None,
) -> None:
    where = f"{finding.path or '<text>'}:{finding.line}:{finding.column}:"
    if finding.post and (finding.path is None or not finding.path.endswith((".txt", ".md"))):
        where += f" [{visible(finding.post)}]"
    severity = finding.severity.value
    waived = _waived(finding)
    headline = (
        f"{paint(_BOLD, where)} {paint(_SEVERITY_COLOURS[severity], severity)} "
        f"{paint(_BOLD, finding.rule)} {visible(finding.message)}"
    )
    out.write(
        (
            paint(_DIM, f"{where} {severity} {finding.rule} {finding.message}")
            if waived
            else headline
        )
        + "\n"
    )
    gutter = str(finding.line)
    pad = " " * len(gutter)
    bar = paint(_BLUE, "|")
    source_line = lines.line(finding.path, finding.line) if finding.field is None else None
    underlined = False
    if source_line is not None:
        shown = visible(source_line)
        out.write(f"{pad} {bar}\n{paint(_BLUE, gutter)} {bar} {shown}\n")
        start = finding.column - 1
        stop = finding.end_column - 1 if finding.end_line == finding.line else len(source_line)
        first = finding.match.split("\n")[0].split("\r")[0]
        insertion = not finding.match and finding.suggestion is not None
        if (stop > start and source_line[start:stop] == first) or insertion:
            from policylint.carets import caret_line

            # caret_line marks one cell for an empty span: where a suggestion is inserted.
            caret = caret_line(shown, finding.column, max(stop - start, 0))
            out.write(f"{pad} {bar} {paint(_CARET_COLOURS[severity], caret)}\n")
            underlined = True
    notes: list[str] = []
    if finding.field is not None and finding.match:
        notes.append(f"in {finding.field}: '{visible(finding.match)}'")
    elif not underlined and finding.match and source_line is None:
        notes.append(f"match: '{visible(finding.match)}'")
    details = [d for d in (finding.owner and f"owner: {finding.owner}", finding.reference) if d]
    if details:
        notes.append(paint(_DIM, visible(" · ".join(details))))
    if finding.reference_url:
        notes.append(paint(_DIM, f"see: {visible(finding.reference_url)}"))
    if finding.suggestion is not None:
        hint = f" (fix with {fix})" if fix and not waived else ""
        text = visible(finding.suggestion)
        if text != text.strip() or not text:
            text = f'"{text}"'  # make leading/trailing spaces visible
        verb = "insert " if not finding.match else ""
        notes.append(f"suggestion: {verb}{paint(_GREEN, text)}{hint}")
    if waived:
        reason = getattr(finding, "waiver_reason", None)
        notes.append(paint(_DIM, f"waived: {visible(reason) if reason else 'no reason given'}"))
    for note in notes:
        out.write(f"{pad} {paint(_BLUE, '=')} {note}\n")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _summary_line(report: ReportData, waived: int = 0, fixable: int = 0, unsafe: int = 0) -> str:
    summary = report.summary
    counts = ", ".join(
        _plural(summary.by_severity[s], s)
        for s in ("error", "warning", "info")
        if summary.by_severity.get(s)
    )
    text = _plural(summary.findings, "finding")
    if counts:
        text += f" ({counts})"
    text += f" in {_plural(summary.posts_checked, 'post')}"
    if summary.files:
        text += f" from {_plural(summary.files, 'file')}"
    if report.errors:
        text += f"; {_plural(len(report.errors), 'input')} could not be checked"
    if waived:
        text += f"; {waived} waived"
    if fixable:
        text += f"; {fixable} fixable with --fix"
    if unsafe:
        text += f"; {unsafe} more with --unsafe-fixes"
    return text + "."
