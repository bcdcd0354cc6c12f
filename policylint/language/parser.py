"""Parse policy text into a ``PolicyFile``, reporting every independent syntax error.

The LALR tables ship with the grammar as JSON (``policylint.language.tables``): nothing is
built, cached or unpickled at run time.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from policylint.language import ast
from policylint.language.errors import Diagnostic, PolicyError, did_you_mean
from policylint.language.transform import build_policy_file

if TYPE_CHECKING:
    from lark import Lark

__all__ = ["KEYWORDS", "is_syntax_error", "parse_policy", "parse_policy_collect"]

# What an expected terminal looks like to a person.
_TERMINAL_NAMES: dict[str, str] = {
    "STRING": 'a string ("...")',
    "LONG_STRING": 'a string ("...")',
    "NAME": "a name",
    "DOTTED": "a dotted name (meta.x, a.rule.id)",
    "INT": "a whole number",
    "NUMBER": "a number",
    "REGEX": "a /regular expression/",
    "COMPARE": "a comparison (==, !=, <, <=, >, >=)",
    "RULE_GLOB": "a rule pattern (tone.*)",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "EQUAL": "'='",
    "PLUS": "'+'",
    "$END": "end of file",
}

#: Statement keywords that may start a line in a rule block / a policy header / the file.
_RULE_KEYWORDS = [
    "category",
    "severity",
    "owner",
    "reference",
    "message",
    "description",
    "when",
    "flag",
    "require",
    "unless",
    "suggest",
    "waivable",
    "example",
]
_TOP_KEYWORDS = ["policy", "terms", "setting", "rule"]
KEYWORDS = frozenset(
    _RULE_KEYWORDS
    + _TOP_KEYWORDS
    + [
        "extends",
        "disable",
        "set",
        "with",
        "detect",
        "near",
        "followed",
        "preceded",
        "by",
        "within",
        "in",
        "first",
        "last",
        "hashtags",
        "mentions",
        "links",
        "allow",
        "matches",
        "contains",
        "platform",
        "and",
        "or",
        "not",
        "fail",
        "pass",
        "safe",
        "unsafe",
        "words",
        "chars",
        "lines",
        "true",
        "false",
    ]
)

_TOP_LEVEL_START = re.compile(r"^(policy|terms|setting|rule)\b", re.MULTILINE)


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    keyword = name.lstrip("_").lower()
    return f"'{keyword}'"


@cache
def _parser() -> Lark:
    from policylint.language.tables import load_parser

    return load_parser()


def parse_policy(source: str, path: str = "<policy>") -> ast.PolicyFile:
    """Parse one policy file. Raises ``PolicyError`` with every problem found."""
    result, diagnostics = parse_policy_collect(source, path)
    if diagnostics:
        raise PolicyError(diagnostics)
    return result


def parse_policy_collect(
    source: str, path: str = "<policy>"
) -> tuple[ast.PolicyFile, list[Diagnostic]]:
    """Parse one policy file, returning what could be parsed and every problem found.

    Blocks with a syntax error are left out of the result; other problems (a bad escape, an
    unknown severity) leave the rest of their block in it.
    """
    from lark.exceptions import UnexpectedInput

    from policylint.limits import MAX_POLICY_BYTES

    lines = source.split("\n")
    diagnostics: list[Diagnostic] = []
    if len(source) > MAX_POLICY_BYTES or len(source.encode("utf-8", "replace")) > MAX_POLICY_BYTES:
        diagnostics.append(
            Diagnostic(
                "PL218",
                f"policy file is larger than {MAX_POLICY_BYTES // (1024 * 1024)} MB",
                path,
                1,
                1,
                hint="split it into files that extend each other",
            )
        )
        return ast.PolicyFile(path=path, source=""), diagnostics
    try:
        tree = _parser().parse(source)
    except UnexpectedInput as first_error:
        diagnostics.append(_syntax_diagnostic(first_error, path, lines))
        tree = _parse_by_blocks(source, path, lines, diagnostics, first_error)
    tree = _drop_too_deep(tree, path, lines, diagnostics)
    result, semantic = build_policy_file(tree, source, path)
    diagnostics.extend(semantic)
    diagnostics.sort(key=lambda d: (d.line, d.column))
    return result, diagnostics


def _drop_too_deep(tree: Any, path: str, lines: list[str], diagnostics: list[Diagnostic]) -> Any:
    """Refuse top-level blocks nested deeper than the limit (PL218).

    Later stages walk patterns and conditions recursively; measuring the depth here, with an
    explicit stack, turns ten thousand '(' into a clear error instead of a RecursionError.
    """
    from lark import Tree

    from policylint.limits import MAX_NESTING_DEPTH

    # A block's own statements take a few levels; each nested construct adds one or two.
    allowed = 2 * MAX_NESTING_DEPTH + 8
    kept = []
    for item in tree.children:
        depth = _depth(item)
        if depth <= allowed:
            kept.append(item)
            continue
        line = item.meta.line if not getattr(item.meta, "empty", True) else 1
        diagnostics.append(
            Diagnostic(
                "PL218",
                f"this block nests deeper than {MAX_NESTING_DEPTH} levels",
                path,
                line,
                1,
                hint="split the pattern or condition into named term lists or separate rules",
                source_line=lines[line - 1] if 0 < line <= len(lines) else None,
            )
        )
    return Tree(tree.data, kept, tree.meta) if len(kept) != len(tree.children) else tree


def _depth(node: Any) -> int:
    from lark import Tree

    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(current, Tree):
            stack.extend((child, depth + 1) for child in current.children)
    return deepest


def is_syntax_error(diagnostic: Diagnostic) -> bool:
    """Syntax errors drop whole blocks, so later checks would only report their echoes."""
    return diagnostic.code in ("PL101", "PL102", "PL104")


def _parse_by_blocks(
    source: str,
    path: str,
    lines: list[str],
    diagnostics: list[Diagnostic],
    first_error: Exception,
) -> Any:
    """Recover from a syntax error: parse each top-level block on its own.

    A block starts at a line beginning (column 1) with policy/terms/setting/rule. Each block is
    parsed with the text before it blanked to newlines, so positions stay exact. The block
    holding the first error is skipped (it is already reported); every other broken block
    adds its own error. One mistake gives one error; independent mistakes are all reported.
    """
    from lark import Tree
    from lark.exceptions import UnexpectedInput

    starts = [m.start() for m in _TOP_LEVEL_START.finditer(source)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    first_line = getattr(first_error, "line", 1)
    children: list[Any] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(source)
        block_first_line = source.count("\n", 0, start) + 1
        block_last_line = source.count("\n", 0, end) + 1
        if block_first_line <= first_line < block_last_line or (
            first_line == block_last_line and index + 1 == len(starts)
        ):
            continue
        chunk = "\n" * (block_first_line - 1) + source[start:end]
        try:
            parsed = _parser().parse(chunk)
        except UnexpectedInput as error:
            diagnostics.append(_syntax_diagnostic(error, path, lines))
            continue
        children.extend(parsed.children)
    return Tree("start", children)


def _syntax_diagnostic(error: Exception, path: str, lines: list[str]) -> Diagnostic:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    line = getattr(error, "line", 1) or 1
    column = getattr(error, "column", 1) or 1
    if isinstance(error, UnexpectedEOF) or line < 1:
        line = len(lines)
        column = len(lines[-1]) + 1 if lines else 1
    source_line = lines[line - 1] if 0 < line <= len(lines) else None

    def make(code: str, message: str, hint: str | None, length: int = 1) -> Diagnostic:
        return Diagnostic(
            code, message, path, line, column, line, column + max(length, 1), hint, source_line
        )

    if isinstance(error, UnexpectedCharacters):
        char = error.char
        if char == '"':
            return make(
                "PL102",
                "unterminated string",
                'close it with " on the same line; use """...""" for text over several lines',
            )
        if char == "/":
            return make(
                "PL102",
                "unterminated regular expression",
                "a regular expression is written /like this/ on one line; escape '/' as '\\/'",
            )
        expected = sorted({_describe_terminal(t) for t in error.allowed or ()})
        hint = f"expected {_join(expected)}" if expected else None
        return make("PL104", f"unexpected character {char!r}", hint)

    if isinstance(error, UnexpectedToken):
        token = error.token
        value = str(token)
        expected_terms = set(error.expected or ())
        expected = sorted({_describe_terminal(t) for t in expected_terms})
        if token.type == "$END":
            return make(
                "PL101",
                "unexpected end of file",
                f"expected {_join(expected)}; is a '}}' missing?",
            )
        keywords = [
            t.lstrip("_").lower() for t in expected_terms if t.lstrip("_").lower() in KEYWORDS
        ]
        if "_WITHIN" in expected_terms and token.type != "_WITHIN":
            return make(
                "PL101",
                "a proximity needs a distance",
                "write it as: [...] near [...] within 5 words",
                len(value),
            )
        if token.type in ("NAME", "DOTTED") and keywords:
            guess = did_you_mean(value, keywords)
            if guess:
                return make("PL101", f"unknown keyword '{value}'", guess, len(value))
        if value in KEYWORDS and token.type not in expected_terms:
            message = f"unexpected keyword '{value}'"
            if "_WITHIN" in expected_terms:
                hint = "proximity needs a distance: near [...] within 5 words"
            else:
                hint = f"expected {_join(expected)}"
            if value in _RULE_KEYWORDS and "RBRACE" in expected_terms:
                hint = f"'{value}' starts a new statement; finish the previous one first"
            return make("PL101", message, hint, len(value))
        shown = value if len(value) <= 40 else value[:37] + "..."
        return make("PL101", f"unexpected {shown!r}", f"expected {_join(expected)}", len(value))

    return make("PL101", str(error).splitlines()[0], None)


def _join(items: list[str]) -> str:
    if len(items) > 8:
        items = [*items[:8], "..."]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
