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
characters and tabs line up. A long line is cut to a window around the match (``…`` marks
each cut), so a 10 KB line costs a line of report per finding, not 10 KB. A post read from
a record (JSON, JSON Lines, CSV, YAML) is shown by its id and the line of its text, not as
the raw record (``p3 line 2 | text``), when the caller passes the post's text in
``post_texts``. Colour is used only when the caller says so (the command line decides: a
terminal, ``NO_COLOR``, ``FORCE_COLOR``, ``--color``). Control and bidi characters of posts
are shown as visible stand-ins so a post cannot drive the terminal.
Waived findings are left out unless ``show_waived``; they never count in the summary.
"""

from __future__ import annotations

from collections.abc import Callable

from policylint._model.reports import Finding, Report
from policylint._model.struct import NamedTuple
from policylint.reporters.base import RenderOptions
from policylint.reporters.columns import SourceLines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["BOLD", "SEVERITY_COLOURS", "painter", "render", "summary_line", "visible"]

SEVERITY_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m"}
_CARET_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
BOLD, _DIM, _BLUE, _GREEN, _RESET = "\033[1m", "\033[2m", "\033[34m", "\033[32m", "\033[0m"

# C0 controls show as the Unicode "control pictures" (U+2400 + code), DEL as U+2421; C1
# controls and bidi overrides/isolates (which can reorder what a terminal shows) as U+FFFD.
# One character for one, so columns and carets still line up.
_VISIBLE = {code: 0x2400 + code for code in range(0x20) if code != 0x09}
_VISIBLE[0x7F] = 0x2421
_VISIBLE.update({code: 0xFFFD for code in range(0x80, 0xA0)})
_VISIBLE.update({code: 0xFFFD for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})

Paint = Callable[[str, str], str]

#: The most display cells of a line shown under a finding, and of them, how many at least
#: before and after the match (a long match is cut to leave room for them).
_WIDTH, _CONTEXT = 100, 30


def visible(text: str) -> str:
    """``text`` with control and bidi characters replaced by visible stand-ins."""
    return text.translate(_VISIBLE)


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    """Write every finding (waived ones only with ``show_waived``), input errors and a
    summary line (unless not ``summary``: ``--quiet``). ``fixable``/``unsafe_fixable`` are
    the findings ``--fix`` (with ``--unsafe-fixes``) would fix, for the hints;
    ``post_texts`` the text of the post of findings read from records."""
    paint = painter(options.color)
    lines = SourceLines(options.sources)
    texts = options.post_texts or {}
    fixable, unsafe_fixable = options.fixable, options.unsafe_fixable
    for finding in report.findings:
        if finding.waived and not options.show_waived:
            continue
        fix = "--fix" if finding in fixable else None
        if fix is None and finding in unsafe_fixable:
            fix = "--fix --unsafe-fixes"
        _render_finding(finding, out, paint, _excerpt_of(finding, lines, texts.get(finding)), fix)
    for error in report.errors:
        out.write(
            f"{paint(BOLD, f'{error.path}:{error.line}:{error.column}:')} "
            f"{paint(SEVERITY_COLOURS['error'], 'input-error')} {visible(error.message)}\n"
        )
    if not options.summary:
        return
    waived = sum(1 for f in report.findings if f.waived)
    out.write(paint(BOLD, summary_line(report, waived, len(fixable), len(unsafe_fixable))) + "\n")


def painter(color: bool) -> Paint:
    """Paints text with an ANSI code, or leaves it as it is without colour."""
    if color:
        return lambda code, text: f"{code}{text}{_RESET}"
    return lambda code, text: text


class _Excerpt(NamedTuple):
    """The line a finding is shown on: its label in the gutter (a line number, or a post's
    id and line), its text, and the matched span in it (code points, end exclusive; None
    when the line does not hold the match)."""

    label: str
    text: str
    span: tuple[int, int] | None


def _excerpt_of(finding: Finding, lines: SourceLines, post_text: str | None) -> _Excerpt | None:
    """The line to show under a finding: its post's (a record's text) or its file's."""
    if finding.field is not None:
        return None  # the match is in a metadata field: a note says what
    if post_text is not None:
        return _post_excerpt(finding, post_text)
    text = lines.line(finding.path, finding.line)
    if text is None:
        return None
    start = finding.column - 1
    stop = finding.end_column - 1 if finding.end_line == finding.line else len(text)
    first = finding.match.split("\n")[0].split("\r")[0]
    insertion = not finding.match and finding.suggestion is not None
    # caret_line marks one cell for an empty span: where a suggestion is inserted.
    if (stop > start and text[start:stop] == first) or insertion:
        return _Excerpt(str(finding.line), text, (start, max(stop, start)))
    return _Excerpt(str(finding.line), text, None)


def _post_excerpt(finding: Finding, text: str) -> _Excerpt:
    """The line of a record's text holding the match, labelled with the post's id (and the
    line's number in the text, when it has more than one)."""
    start = max(0, min(finding.start, len(text)))
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    ends = [i for i in (text.find("\n", start), text.find("\r", start)) if i >= 0]
    line_end = min(ends, default=len(text))
    number = 1 + text.count("\n", 0, line_start) + text.count("\r", 0, line_start)
    number -= text.count("\r\n", 0, line_start)
    one_line = line_start == 0 and line_end == len(text)
    if finding.post:
        label = finding.post if one_line else f"{finding.post} line {number}"
    else:
        label = f"line {number}"
    holds = text[finding.start : finding.end] == finding.match
    stop = min(max(finding.end, start), line_end)
    span = (start - line_start, stop - line_start) if holds else None
    return _Excerpt(visible(label), text[line_start:line_end], span)


def _window(text: str, span: tuple[int, int] | None) -> tuple[str, tuple[int, int] | None]:
    """``text`` cut to at most :data:`_WIDTH` display cells around ``span`` (the start when
    None), ``…`` standing for each cut; the span moved into the cut text. Only the window's
    characters are measured, so a 10 KB line costs no more than a short one."""
    from policylint._model.carets import display_width

    if len(text) <= _WIDTH and sum(display_width(ch) for ch in text) <= _WIDTH:
        return text, span
    start, stop = span if span is not None else (0, 0)
    budget = _WIDTH - 2  # room for the two "…"
    stop = min(stop, len(text))
    left = _extend_back(text, start, 0, _CONTEXT)
    budget -= _cells(text, left, start)
    # The match, with room for context after it; a match too long for that is cut at the
    # window's end instead, and nothing after it is shown.
    end = _extend(text, start, stop, budget - _CONTEXT)
    if end < stop:
        end = _extend(text, start, stop, budget)
    budget -= _cells(text, start, end)
    right = end if end < stop else _extend(text, end, len(text), budget)
    budget -= _cells(text, end, right)
    left = _extend_back(text, left, 0, budget)  # what the right side did not need
    head = "…" if left > 0 else ""
    tail = "…" if right < len(text) else ""
    shown = head + text[left:right] + tail
    if span is None:
        return shown, None
    offset = len(head) - left
    # A match cut short is underlined up to the cut, and the "…" after it too.
    cut = 1 if end < stop else 0
    return shown, (start + offset, end + offset + cut)


def _cells(text: str, start: int, end: int) -> int:
    from policylint._model.carets import display_width

    return sum(display_width(ch) for ch in text[start:end])


def _extend(text: str, start: int, limit: int, cells: int) -> int:
    """How far right of ``start`` (up to ``limit``) ``cells`` display cells reach."""
    from policylint._model.carets import display_width

    end = start
    while end < limit and display_width(text[end]) <= cells:
        cells -= display_width(text[end])
        end += 1
    return end


def _extend_back(text: str, start: int, limit: int, cells: int) -> int:
    """How far left of ``start`` (down to ``limit``) ``cells`` display cells reach."""
    from policylint._model.carets import display_width

    begin = start
    while begin > limit and display_width(text[begin - 1]) <= cells:
        cells -= display_width(text[begin - 1])
        begin -= 1
    return begin


def _render_finding(
    finding: Finding,
    out: TextIO,
    paint: Paint,
    excerpt: _Excerpt | None,
    fix: str | None,
) -> None:
    where = f"{finding.path or '<text>'}:{finding.line}:{finding.column}:"
    if finding.post and (finding.path is None or not finding.path.endswith((".txt", ".md"))):
        where += f" [{visible(finding.post)}]"
    severity = finding.severity.value
    waived = finding.waived
    headline = (
        f"{paint(BOLD, where)} {paint(SEVERITY_COLOURS[severity], severity)} "
        f"{paint(BOLD, finding.rule)} {visible(finding.message)}"
    )
    out.write(
        (
            paint(_DIM, f"{where} {severity} {finding.rule} {finding.message}")
            if waived
            else headline
        )
        + "\n"
    )
    gutter = excerpt.label if excerpt is not None else str(finding.line)
    pad = " " * len(gutter)
    bar = paint(_BLUE, "|")
    underlined = False
    if excerpt is not None:
        text, span = _window(excerpt.text, excerpt.span)
        shown = visible(text)
        out.write(f"{pad} {bar}\n{paint(_BLUE, gutter)} {bar} {shown}\n")
        if span is not None:
            from policylint._model.carets import caret_line

            caret = caret_line(shown, span[0] + 1, span[1] - span[0])
            out.write(f"{pad} {bar} {paint(_CARET_COLOURS[severity], caret)}\n")
            underlined = True
    notes: list[str] = []
    if finding.field is not None and finding.match:
        notes.append(f"in {finding.field}: '{visible(_clip(finding.match))}'")
    elif not underlined and finding.match:
        notes.append(f"match: '{visible(_clip(finding.match))}'")
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


def _clip(text: str) -> str:
    """``text`` cut to :data:`_WIDTH` characters, ``…`` standing for the rest."""
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def summary_line(report: Report, waived: int = 0, fixable: int = 0, unsafe: int = 0) -> str:
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
