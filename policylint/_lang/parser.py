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
from policylint._lang.keywords import Keywords, read_keywords
from policylint._lang.syntax import syntax_diagnostic
from policylint._lang.transformer import PolicyTransformer
from policylint._model.diagnostics import Diagnostic
from policylint._model.errors import PolicyError
from policylint._model.struct import NamedTuple

if TYPE_CHECKING:
    from lark import Lark, Token

__all__ = ["keywords", "parse_policy", "parse_policy_collect"]

# The grammar's LONG_STRING: a top-level keyword inside one starts no block.
_LONG_STRING = re.compile(r'"""[\s\S]*?"""')


@cache
def _parser() -> Lark:
    from policylint._lang.tables import load_parser

    return load_parser(postlex=_TokenBudget())


@cache
def keywords() -> Keywords:
    """The keywords of the grammar the parser is built from."""
    return read_keywords(_parser())


class _Blocks(NamedTuple):
    """How a top-level block starts: a line beginning with a block keyword, and the name
    that follows the keyword."""

    start: re.Pattern[str]
    name: re.Pattern[str]


@cache
def _block_grammar() -> _Blocks:
    words = "|".join(keywords().blocks)
    return _Blocks(
        re.compile(rf"^({words})\b", re.MULTILINE),
        re.compile(rf"({words})\s+([A-Za-z_][A-Za-z0-9_.]*)?"),
    )


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
                diagnostics.append(
                    syntax_diagnostic(keywords(), first_error, path, lines, stops_at=_stops_at)
                )
    except _TooManyTokens as too_many:
        diagnostics.append(_too_many_tokens(too_many.token, path, lines))
        return ast.PolicyFile(path, source, lines=lines, broken=[("*", "")]), diagnostics
    finally:
        _TOKENS_LEFT.reset(budget)
    tree = _drop_too_deep(tree, path, lines, diagnostics, broken)
    transformer = PolicyTransformer(path, source, lines)
    result = transformer.transform(tree)
    result.broken = broken
    diagnostics.extend(transformer.diagnostics)
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
                syntax_diagnostic(
                    keywords(), error, path, lines, block_first_line - 1, chunk, last, _stops_at
                )
            )
            broken.append(_block_name(chunk))
            continue
        _move_down(parsed, block_first_line - 1)
        children.extend(parsed.children)
    return Tree("start", children)


def _stops_at(text: str) -> tuple[int, int] | None:
    """Where ``text`` stops parsing (line, column), None if it parses: to try a keyword in
    place of a misspelt one (:func:`policylint._lang.syntax.syntax_diagnostic`). Outside the
    token budget: a block is parsed at most twice, and the budget stays the file's own."""
    from lark.exceptions import UnexpectedInput

    budget = _TOKENS_LEFT.set(None)
    try:
        _parser().parse(text)
    except UnexpectedInput as error:
        return getattr(error, "line", 1) or 1, getattr(error, "column", 1) or 1
    finally:
        _TOKENS_LEFT.reset(budget)
    return None


def _block_starts(source: str) -> list[int]:
    """Where top-level blocks start: offset 0, and each line that starts with a top-level
    keyword outside a triple-quoted string."""
    long_strings = [(m.start(), m.end()) for m in _LONG_STRING.finditer(source)]
    starts = [0]
    inside = 0  # index of the first long string that does not end before the offset
    for found in _block_grammar().start.finditer(source):
        offset = found.start()
        while inside < len(long_strings) and long_strings[inside][1] <= offset:
            inside += 1
        if inside < len(long_strings) and long_strings[inside][0] < offset:
            continue
        if offset:
            starts.append(offset)
    return starts


def _block_name(chunk: str) -> tuple[str, str]:
    """What a top-level block defines, as (keyword, name), read from its first words."""
    found = _block_grammar().name.match(chunk)
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
