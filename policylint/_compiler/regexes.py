"""Regular expressions of a policy: checked, compiled once to validate them, analysed.

A ``/regex/`` of the rule language becomes a :class:`~policylint._runtime.patterns.RegexNode`
only if RE2 accepts it, it uses nothing RE2 lacks (``PL302``, explained for people rather than
C++ programmers), and it stays within the group and program limits (``PL218``); its required
literals are worked out for the per-post prefilter (:mod:`policylint._compiler.regexatoms`).

What is learned of a pattern does not depend on the policy around it, so the caller may pass
the *facts* an earlier compile learned (``regex_key(source, flags)`` -> ``[atoms, also,
non_ascii, exact, repeats]``): a known pattern is then neither compiled nor analysed again
(~115 ms after a policy edit for the built-in packs). The new facts are handed back
(:attr:`RegexChecker.learned`); keeping them is the caller's business (the cache's).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from policylint._compiler.regexatoms import analyse
from policylint._compiler.regexlint import regex_warnings
from policylint._lang import ast
from policylint._lang.regexerrors import explain as explain_regex
from policylint._lang.regexerrors import scan as scan_regex
from policylint._limits import MAX_REGEX_GROUPS, MAX_REGEX_PROGRAM
from policylint._runtime.patterns import RegexNode
from policylint._runtime.regexes import compile_regex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["RegexChecker", "regex_key"]

#: Reports a diagnostic: (code, message, position, hint).
Report = Callable[[str, str, ast.Pos, "str | None"], None]

# RE2 rejects these too, but with messages written for C++ programmers.
_UNSUPPORTED = (
    (re.compile(r"\\[1-9]|\(\?P=|\\k<"), "backreferences (\\1, (?P=name)) are not supported"),
    # \C matches one byte, so a match could end inside a character's UTF-8 encoding.
    (re.compile(r"(?<!\\)(?:\\\\)*\\C"), "\\C (any single byte) is not supported"),
    (re.compile(r"\(\?<?[=!]"), "lookahead and lookbehind are not supported"),
    (re.compile(r"\(\?>"), "atomic groups are not supported"),
    # a++ a*+ a?+ a{2,3}+ (but not \p{L}+, where the brace closes a class name)
    (
        re.compile(r"(?<!\\)[*+?][+]|(?<!\\[pP])\{\d+(?:,\d*)?\}\+"),
        "possessive quantifiers are not supported",
    ),
)


def regex_key(source: str, flags: str) -> str:
    """The key of a pattern's facts."""
    return f"{flags}\0{source}"


class RegexChecker:
    """Makes the regex nodes of one compile, reporting each mistake where it is written."""

    def __init__(self, report: Report, known: Mapping[str, Any], warn: Report) -> None:
        self.report = report
        #: Reports a warning (PL3xx): the regex works, but misses what it seems to say.
        self.warn = warn
        self.known = known
        #: Facts learned by this compile, for patterns ``known`` lacked.
        self.learned: dict[str, list[Any]] = {}

    def node(self, node: ast.Regex, line: str) -> RegexNode | None:
        """The node of ``node`` (written on ``line`` of its file), or None after an error."""
        # Warnings are worked out at every compile, known pattern or not: they are about
        # where the policy writes it, and they are cheap (one scan of the pattern).
        for warning in regex_warnings(node.source, node.flags):
            where = _position(node, line, warning.offset, warning.length)
            self.warn(warning.code, warning.message, where, warning.hint)
        key = regex_key(node.source, node.flags)
        known = _facts(self.known.get(key))
        if known is not None:
            # Validated and analysed by an earlier compile: RE2 compiles it when first used.
            if not self.supported(node, line):
                return None
            return RegexNode(node.source, node.flags, *known)
        regex = self.compiled(node, line)
        if regex is None:
            return None
        facts = analyse(node.source, node.flags)
        atoms = tuple(sorted(facts.atoms or ()))
        also = tuple(sorted(facts.also or ()))
        self.learned[key] = [list(atoms), list(also), facts.non_ascii, facts.exact, facts.repeats]
        fields = (node.source, node.flags, atoms, also, facts.non_ascii, facts.exact, facts.repeats)
        return RegexNode(*fields).with_compiled(regex)

    def supported(self, node: ast.Regex, line: str) -> bool:
        """False (with an error) for syntax RE2 lacks, such as look-around (PL302), or for
        more capture groups than the limit (PL218)."""
        for check, message in _UNSUPPORTED:
            found = check.search(node.source)
            if found:
                self.report(
                    "PL302",
                    message,
                    _position(node, line, found.start(), len(found.group())),
                    "policylint uses RE2 (linear time, no backtracking); match the "
                    "context with 'near', 'followed by' or 'unless preceded by' instead",
                )
                return False
        if node.source.count("(") <= MAX_REGEX_GROUPS:
            return True  # too few '(' to be too many groups: no need to scan
        groups = scan_regex(node.source).groups
        if len(groups) > MAX_REGEX_GROUPS:
            self.report(
                "PL218",
                f"a regular expression has at most {MAX_REGEX_GROUPS} capture groups; this "
                f"one has {len(groups):,}",
                _position(node, line, groups[MAX_REGEX_GROUPS], 1),
                "group with (?:...): findings report the whole match, so capture "
                "groups only cost time",
            )
            return False
        return True

    def compiled(self, node: ast.Regex, line: str) -> Any:
        """The compiled regex, or None (with an error) when RE2 cannot compile it or its
        program is over the limit."""
        if not self.supported(node, line):
            return None
        import re2

        try:
            compiled = compile_regex(node.source, node.flags)
        except re2.error as error:
            detail = error.args[0] if error.args else error
            if isinstance(detail, bytes):
                detail = detail.decode("utf-8", "replace")
            self.invalid(node, line, str(detail))
            return None
        if compiled.programsize > MAX_REGEX_PROGRAM:
            self.report(
                "PL218",
                f"a regular expression compiles to at most {MAX_REGEX_PROGRAM:,} "
                f"instructions; this one to {compiled.programsize:,}",
                node.pos,
                "matching time grows with the program: lower the repetition counts "
                "({n}) or split the pattern into rules or term lists",
            )
            return None
        return compiled

    def invalid(self, node: ast.Regex, line: str, detail: str) -> None:
        """PL301 at the mistake itself when it can be placed, else on the whole regex."""
        problem = explain_regex(node.source, detail)
        if problem is None:
            self.report("PL301", f"invalid regular expression: {detail}", node.pos, None)
            return
        self.report(
            "PL301",
            f"invalid regular expression: {problem.message}",
            _position(node, line, problem.offset, problem.length),
            problem.hint,
        )


def _position(node: ast.Regex, line: str, offset: int, length: int) -> ast.Pos:
    """The position of ``length`` characters at ``offset`` in a regex's pattern, in the
    file: the pattern starts after the '/', and each '/' in it was written '\\/'."""
    start = node.pos.column  # index of the first character after the '/'
    column = _written_index(line, start, offset)
    end = _written_index(line, start, offset + length)
    return ast.Pos(node.pos.line, column + 1, node.pos.line, max(end, column + 1) + 1)


def _written_index(line: str, start: int, offset: int) -> int:
    """The index in ``line`` of pattern character ``offset``, the pattern written from
    index ``start`` with '/' escaped as '\\/' (ast.Regex.source has them unescaped)."""
    index = start
    for _ in range(offset):
        if index >= len(line):
            return start + offset  # the line is not the one parsed: keep the plain offset
        index += 2 if line.startswith("\\/", index) else 1
    return index


def _facts(entry: Any) -> tuple[tuple[str, ...], tuple[str, ...], bool, bool, int] | None:
    """A facts entry as (atoms, also, non_ascii, exact, repeats), or None if it is not one
    (the caller's store may hold anything: it is checked like any other input)."""
    if not (
        isinstance(entry, list)
        and len(entry) == 5
        and isinstance(entry[2], bool)
        and isinstance(entry[3], bool)
        and type(entry[4]) is int
        and entry[4] >= 1
    ):
        return None
    atoms, also, non_ascii, exact, repeats = entry
    if not all(
        isinstance(part, list) and all(isinstance(a, str) for a in part) for part in (atoms, also)
    ):
        return None
    return tuple(atoms), tuple(also), non_ascii, exact, repeats
