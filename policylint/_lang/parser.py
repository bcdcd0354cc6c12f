"""Parse policy text into a ``PolicyFile``, reporting every independent syntax error.

The LALR tables ship with the grammar as JSON (``policylint._lang.tables``): nothing is
built, cached or unpickled at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any

from policylint._lang import ast
from policylint._lang.transform import build_policy_file
from policylint._model.diagnostics import Diagnostic
from policylint._model.errors import PolicyError, did_you_mean

if TYPE_CHECKING:
    from lark import Lark, Token

__all__ = ["KEYWORDS", "parse_policy", "parse_policy_collect"]

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
# The grammar's LONG_STRING: a top-level keyword inside one starts no block.
_LONG_STRING = re.compile(r'"""[\s\S]*?"""')


_CLOSING = {"{": "}", "[": "]", "(": ")"}
# What the bracket scan steps over: strings, regular expressions and comments.
_SKIPPED = re.compile(r'"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|/(?:\\.|[^/\\\n])+/|#[^\n]*')


def _unclosed_bracket(text: str) -> tuple[int, int, str] | None:
    """The innermost bracket left open in ``text`` (outside strings, regular expressions and
    comments), as (line, column, bracket), or None."""
    open_at: list[tuple[int, str]] = []
    index, size = 0, len(text)
    while index < size:
        ch = text[index]
        if ch in '"/#':
            skipped = _SKIPPED.match(text, index)
            index = skipped.end() if skipped else index + 1
            continue
        if ch in _CLOSING:
            open_at.append((index, ch))
        elif ch in "}])" and open_at:
            open_at.pop()
        index += 1
    if not open_at:
        return None
    where, bracket = open_at[-1]
    line_start = text.rfind("\n", 0, where) + 1
    return text.count("\n", 0, where) + 1, where - line_start + 1, bracket


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    keyword = name.lstrip("_").lower()
    return f"'{keyword}'"


@cache
def _parser() -> Lark:
    from policylint._lang.tables import load_parser

    return load_parser(postlex=_TokenBudget())


#: Tokens a parse may still read: set for each file by parse_policy_collect (a one-item
#: list, so that the block-by-block parses of error recovery share it).
_TOKENS_LEFT: ContextVar[list[int] | None] = ContextVar("policylint_tokens_left", default=None)


class _TooManyTokens(Exception):
    def __init__(self, token: Token) -> None:
        super().__init__(token)
        self.token = token


class _TokenBudget:
    """Lark's post-lexer hook, used to count tokens: parsing costs ~15-25 us a token, so a
    4 MB file of dense tokens (``or ["a1"] or ...``) took a minute. Ignored text (spaces,
    comments) is not counted."""

    always_accept: tuple[str, ...] = ()

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        left = _TOKENS_LEFT.get()
        for token in stream:
            if left is not None:
                left[0] -= 1
                if left[0] < 0:
                    raise _TooManyTokens(token)
            yield token


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

    from policylint._limits import MAX_POLICY_BYTES, MAX_POLICY_TOKENS

    # Editors on Windows may start a UTF-8 file with a byte-order mark; it is not text.
    source = source.removeprefix("\ufeff")
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
        return ast.PolicyFile(path=path, source="", broken=[("*", "")]), diagnostics
    broken: list[tuple[str, str]] = []
    budget = _TOKENS_LEFT.set([MAX_POLICY_TOKENS])
    try:
        try:
            tree = _parser().parse(source)
        except UnexpectedInput as first_error:
            tree = _parse_by_blocks(source, path, lines, diagnostics, broken)
            if not diagnostics:  # every block parses alone (the split was wrong): say so
                diagnostics.append(_syntax_diagnostic(first_error, path, lines))
    except _TooManyTokens as too_many:
        diagnostics.append(_too_many_tokens(too_many.token, path, lines))
        return ast.PolicyFile(path, source, lines=lines, broken=[("*", "")]), diagnostics
    finally:
        _TOKENS_LEFT.reset(budget)
    tree = _drop_too_deep(tree, path, lines, diagnostics, broken)
    result, semantic = build_policy_file(tree, source, path, lines)
    result.broken = broken
    diagnostics.extend(semantic)
    diagnostics.sort(key=lambda d: (d.line, d.column))
    return result, diagnostics


def _too_many_tokens(token: Token, path: str, lines: list[str]) -> Diagnostic:
    from policylint._limits import MAX_POLICY_TOKENS

    line, column = token.line or 1, token.column or 1
    return Diagnostic(
        "PL218",
        f"a policy file holds at most {MAX_POLICY_TOKENS:,} tokens (names, strings, "
        "numbers, operators); this is one more",
        path,
        line,
        column,
        line,
        column + max(len(token), 1),
        hint="split it into files that extend each other; use a regular expression or a "
        "detector for very large vocabularies",
        source_line=lines[line - 1] if 0 < line <= len(lines) else None,
    )


def _drop_too_deep(
    tree: Any,
    path: str,
    lines: list[str],
    diagnostics: list[Diagnostic],
    broken: list[tuple[str, str]],
) -> Any:
    """Refuse top-level blocks nested deeper than the limit (PL218).

    Later stages walk patterns and conditions recursively; measuring the depth here, with an
    explicit stack, turns ten thousand '(' into a clear error instead of a RecursionError.
    """
    from lark import Tree

    from policylint._limits import MAX_NESTING_DEPTH

    # A block's own statements take a few levels; each nested construct adds one or two.
    allowed = 2 * MAX_NESTING_DEPTH + 8
    kept = []
    for item in tree.children:
        depth = _depth(item)
        if depth <= allowed:
            kept.append(item)
            continue
        line = item.meta.line if not getattr(item.meta, "empty", True) else 1
        broken.append(_block_name(lines[line - 1] if 0 < line <= len(lines) else ""))
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


def _parse_by_blocks(
    source: str,
    path: str,
    lines: list[str],
    diagnostics: list[Diagnostic],
    broken: list[tuple[str, str]],
) -> Any:
    """Recover from a syntax error: parse each top-level block on its own.

    A block starts at a line beginning (column 1) with policy/terms/setting/rule, outside a
    triple-quoted string. Each block is parsed alone and its positions moved down to where it
    starts, so they stay exact and the work stays linear in the file (20,000 broken rules
    are 20,000 small parses). Each broken block gives one error, found inside it: a list or
    a brace left open is reported where it opens, not at the next block's first word. What
    each broken block would have defined is noted in ``broken``.
    """
    from lark import Tree
    from lark.exceptions import UnexpectedInput

    starts = _block_starts(source)
    children: list[Any] = []
    block_first_line = 1
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(source)
        if index:
            block_first_line += source.count("\n", starts[index - 1], start)
        chunk = source[start:end]
        try:
            parsed = _parser().parse(chunk)
        except _TooManyTokens as too_many:
            _move_down(too_many.token, block_first_line - 1)
            raise
        except UnexpectedInput as error:
            last = index + 1 == len(starts)
            diagnostics.append(
                _syntax_diagnostic(error, path, lines, block_first_line - 1, chunk, last)
            )
            broken.append(_block_name(chunk))
            continue
        _move_down(parsed, block_first_line - 1)
        children.extend(parsed.children)
    return Tree("start", children)


def _block_starts(source: str) -> list[int]:
    """Where top-level blocks start: offset 0, and each line that starts with a top-level
    keyword outside a triple-quoted string."""
    long_strings = [(m.start(), m.end()) for m in _LONG_STRING.finditer(source)]
    starts = [0]
    inside = 0  # index of the first long string that does not end before the offset
    for found in _TOP_LEVEL_START.finditer(source):
        offset = found.start()
        while inside < len(long_strings) and long_strings[inside][1] <= offset:
            inside += 1
        if inside < len(long_strings) and long_strings[inside][0] < offset:
            continue
        if offset:
            starts.append(offset)
    return starts


_BLOCK_NAME = re.compile(r"(policy|terms|setting|rule)\s+([A-Za-z_][A-Za-z0-9_.]*)?")


def _block_name(chunk: str) -> tuple[str, str]:
    """What a top-level block defines, as (keyword, name), read from its first words."""
    found = _BLOCK_NAME.match(chunk)
    if found is None:
        return ("", "")
    keyword, name = found.groups()
    return (keyword, "" if keyword == "policy" else name or "")


def _move_down(tree: Any, lines: int) -> None:
    """Add ``lines`` to every line number in a parse tree (its tokens and their spans)."""
    from lark import Token

    if not lines:
        return
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Token):
            if node.line is not None:
                node.line += lines
            if node.end_line is not None:
                node.end_line += lines
            continue
        if node is None:
            continue
        meta = node.meta
        if not getattr(meta, "empty", True):
            meta.line += lines
            meta.end_line += lines
        stack.extend(node.children)


def _syntax_diagnostic(
    error: Exception,
    path: str,
    lines: list[str],
    offset: int = 0,
    chunk: str | None = None,
    ends_file: bool = True,
) -> Diagnostic:
    """The diagnostic for Lark's ``error``, in a block ``offset`` lines into the file (whose
    text is ``chunk``, the last block if ``ends_file``; the whole file when None)."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    line = (getattr(error, "line", 1) or 1) + offset
    column = getattr(error, "column", 1) or 1
    token = getattr(error, "token", None)
    if token is not None and token.type == "$END" and token.end_line is not None:
        # Lark places the end of the text on the last token: point just after it.
        line, column = token.end_line + offset, token.end_column or column
    if isinstance(error, UnexpectedEOF) or line < 1 + offset:
        # Point just after the last thing written, not at the empty line after it.
        text = "\n".join(lines) if chunk is None else chunk
        line = offset + text.rstrip().count("\n") + 1
        column = len(lines[line - 1].rstrip()) + 1 if 0 < line <= len(lines) else 1
    source_line = lines[line - 1] if 0 < line <= len(lines) else None

    def make(
        code: str, message: str, hint: str | None, length: int = 1, back: int = 0
    ) -> Diagnostic:
        """The diagnostic, its caret ``length`` long and ``back`` characters before the
        token."""
        start = column - back
        end = start + max(length, 1)
        return Diagnostic(code, message, path, line, start, line, end, hint, source_line)

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
            text = "\n".join(lines) if chunk is None else chunk
            opened = _unclosed_bracket(text)
            if opened is not None:
                at_line, at_column, bracket = opened
                return Diagnostic(
                    "PL101",
                    f"'{bracket}' is never closed",
                    path,
                    at_line + offset,
                    at_column,
                    at_line + offset,
                    at_column + 1,
                    f"close it with '{_CLOSING[bracket]}'",
                    lines[at_line + offset - 1],
                )
            if chunk is not None and not ends_file:
                return make(
                    "PL101", "this block ends before it is complete", f"expected {_join(expected)}"
                )
            return make("PL101", "unexpected end of file", f"expected {_join(expected)}")
        keywords = [
            t.lstrip("_").lower() for t in expected_terms if t.lstrip("_").lower() in KEYWORDS
        ]
        if token.type == "EQUAL" and "COMPARE" in expected_terms:
            return make("PL101", "a condition compares with '==', not '='", "did you mean '=='?")
        if token.type == "EQUAL" and source_line and source_line[column - 2 : column] == "==":
            # `with meta.x == 1`: the first '=' was read as the assignment
            return make("PL101", "a value is set with '=', not '=='", "did you mean '='?", 2, 1)
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
