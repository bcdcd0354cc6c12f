"""Diagnostics of policy files: a stable code, the exact token, a caret, a hint.

Rendered like a compiler's::

    policy/org.policy:12:9: error[PL201]: unknown term list 'guarantes'
       |
    12 |   flag  guarantes near ["return*"] within 6 words
       |         ^^^^^^^^^
       = hint: did you mean 'guarantees'?
"""

from __future__ import annotations

from policylint._model.carets import caret_line
from policylint._model.struct import NamedTuple

__all__ = ["CODES", "Diagnostic"]

#: Every diagnostic code, with its symbolic name. docs/language.md lists them with examples.
CODES: dict[str, str] = {
    "PL100": "unreadable-policy",
    "PL101": "syntax-error",
    "PL102": "unterminated-string",
    "PL103": "invalid-escape",
    "PL104": "unexpected-character",
    "PL201": "unknown-name",
    "PL202": "duplicate-rule",
    "PL203": "duplicate-definition",
    "PL204": "invalid-severity",
    "PL205": "unknown-detector",
    "PL206": "unknown-metric",
    "PL207": "unknown-rule",
    "PL208": "extends-cycle",
    "PL209": "extends-not-found",
    "PL210": "rule-does-nothing",
    "PL211": "repeated-field",
    "PL212": "invalid-term",
    "PL213": "unknown-setting",
    "PL214": "type-mismatch",
    "PL215": "invalid-placeholder",
    "PL216": "invalid-value",
    "PL217": "multiple-headers",
    "PL218": "limit-exceeded",
    "PL301": "invalid-regex",
    "PL302": "unsupported-regex-feature",
    "PL303": "ascii-word-boundary",
    "PL304": "case-class-ignored",
}


#: Characters of a source line a diagnostic quotes; a longer line is cut around the caret.
_SHOWN = 160


class Diagnostic(NamedTuple):
    """One problem of a policy: where (``path:line:column``, to ``end_line:end_column``),
    what (a stable ``code`` and a message), and what to do (a ``hint``)."""

    code: str
    message: str
    path: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None
    hint: str | None = None
    source_line: str | None = None
    severity: str = "error"

    @property
    def name(self) -> str:
        return CODES.get(self.code, "error")

    def headline(self) -> str:
        return (
            f"{self.path}:{self.line}:{self.column}: {self.severity}[{self.code}]: {self.message}"
        )

    def render(self) -> str:
        lines = [self.headline()]
        if self.source_line is not None:
            gutter = str(self.line)
            pad = " " * len(gutter)
            text, column, length = self._shown(self.source_line.rstrip("\r\n"))
            lines.append(f"{pad} |")
            lines.append(f"{gutter} | {text}")
            lines.append(f"{pad} | {caret_line(text, column, length)}")
        if self.hint:
            lines.append(f"{' ' * len(str(self.line))} = hint: {self.hint}")
        return "\n".join(lines)

    def _caret_length(self) -> int:
        if self.end_line == self.line and self.end_column and self.end_column > self.column:
            return self.end_column - self.column
        return 1

    def _shown(self, text: str) -> tuple[str, int, int]:
        """The quoted line, its caret's column and length: a long line is cut to the part
        around the caret, so that 5,000 errors on one 1 MB line do not print it 5,000 times."""
        length = self._caret_length()
        if len(text) <= _SHOWN:
            return text, self.column, length
        start = max(0, min(self.column - 1 - _SHOWN // 4, len(text) - _SHOWN))
        end = start + _SHOWN
        shown = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
        column = self.column - start + (1 if start else 0)
        return shown, column, min(length, _SHOWN // 2)
