"""A syntax error explained: the diagnostic for what Lark could not parse.

Lark says which token it did not expect and which terminals it would have taken; a person
needs the mistake itself: an unterminated string, a bracket left open (where it opens, not
where the file ends), ``=`` for ``==``, a proximity without its distance, a misspelt keyword
("did you mean 'flag'?"), a statement keyword where the previous statement is unfinished.
The keywords come from the grammar (:mod:`policylint._lang.keywords`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from policylint._lang.keywords import Keywords
from policylint._model.diagnostics import Diagnostic
from policylint._model.errors import did_you_mean

__all__ = ["syntax_diagnostic"]

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


def syntax_diagnostic(
    keywords: Keywords,
    error: Exception,
    path: str,
    lines: list[str],
    offset: int = 0,
    chunk: str | None = None,
    ends_file: bool = True,
    stops_at: Callable[[str], tuple[int, int] | None] | None = None,
) -> Diagnostic:
    """The diagnostic for Lark's ``error``, in a block ``offset`` lines into the file (whose
    text is ``chunk``, the last block if ``ends_file``; the whole file when None).

    ``stops_at`` parses a text and says where it stops (line, column), None if it parses:
    with it, a misspelt keyword just before the error is named (``maskd`` for ``masked``)
    when writing the keyword there would let the parse go further."""
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
        expected_keywords = [
            t.lstrip("_").lower() for t in expected_terms if t.lstrip("_").lower() in keywords.words
        ]
        text = "\n".join(lines) if chunk is None else chunk
        misspelt = _misspelt_before(keywords, text, line - offset, column, stops_at)
        if misspelt is not None:
            word, at, keyword = misspelt
            return make("PL101", f"unknown keyword '{word}'", f"did you mean '{keyword}'?",
                        len(word), column - at)  # fmt: skip
        if token.type == "LBRACE" and _statement_at(keywords, text, line - offset, column) in (
            "require",
            "when",
            "unless",
        ):
            return make(
                "PL101",
                "only a 'flag' takes a block of its own conditions and exceptions",
                "write the rule's own 'when' / 'unless' without braces, or put the pattern "
                "in a 'flag P { when ... unless ... }'",
            )
        if token.type == "EQUAL" and "COMPARE" in expected_terms:
            return make("PL101", "a condition compares with '==', not '='", "did you mean '=='?")
        if token.type == "EQUAL" and source_line and source_line[column - 2 : column] == "==":
            # `with meta.x == 1`: the first '=' was read as the assignment
            return make("PL101", "a value is set with '=', not '=='", "did you mean '='?", 2, 1)
        if token.type in ("NAME", "DOTTED") and expected_keywords:
            guess = did_you_mean(value, expected_keywords)
            if guess:
                return make("PL101", f"unknown keyword '{value}'", guess, len(value))
        if (
            "_WITHIN" in expected_terms
            and token.type != "_WITHIN"
            and _in_proximity(keywords, text, line - offset, column)
        ):
            return make(
                "PL101",
                "a proximity needs a distance",
                "write it as: [...] near [...] within 5 words",
                len(value),
            )
        if value in keywords.words and token.type not in expected_terms:
            message = f"unexpected keyword '{value}'"
            if "_WITHIN" in expected_terms:
                hint = "proximity needs a distance: near [...] within 5 words"
            else:
                hint = f"expected {_join(expected)}"
            if value in keywords.statements and "RBRACE" in expected_terms:
                hint = f"'{value}' starts a new statement; finish the previous one first"
            return make("PL101", message, hint, len(value))
        shown = value if len(value) <= 40 else value[:37] + "..."
        return make("PL101", f"unexpected {shown!r}", f"expected {_join(expected)}", len(value))

    return make("PL101", str(error).splitlines()[0], None)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PROXIMITY = frozenset({"near", "followed", "preceded"})


def _words_before(text: str, line: int, column: int) -> list[str]:
    """The words of ``text`` before ``line:column``, strings, regexes and comments left out."""
    rows = text.split("\n")[:line]
    if rows:
        rows[-1] = rows[-1][: column - 1]
    return _WORD.findall(_SKIPPED.sub(" ", "\n".join(rows)))


def _in_proximity(keywords: Keywords, text: str, line: int, column: int) -> bool:
    """Whether ``line:column`` of ``text`` is inside a proximity (``P near Q``) that has no
    ``within`` yet: LALR's merged states expect 'within' after any list, also in a
    ``terms`` definition, so the expected tokens alone cannot tell."""
    for word in reversed(_words_before(text, line, column)):
        if word in _PROXIMITY:
            return True
        if word == "within" or word in keywords.statements or word in keywords.blocks:
            return False
    return False


def _statement_at(keywords: Keywords, text: str, line: int, column: int) -> str | None:
    """The keyword of the statement ``line:column`` of ``text`` is in (None: none)."""
    words = _words_before(text, line, column)
    return next((w for w in reversed(words) if w in keywords.statements), None)


# The word just before a place in a line (and the blanks after it).
_LAST_WORD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*$")


def _misspelt_before(
    keywords: Keywords,
    text: str,
    line: int,
    column: int,
    stops_at: Callable[[str], tuple[int, int] | None] | None,
) -> tuple[str, int, str] | None:
    """(word, its column, keyword) when the word before ``line:column`` of ``text`` is a
    misspelt keyword: ``terms x = maskd [...]`` parses ``maskd`` as a list's name and
    stops at '[', where the expected tokens say nothing useful (LALR's merged states even
    expect a proximity's 'within'). The closest keyword is tried in its place: if the parse
    then goes further, it is the one meant."""
    rows = text.split("\n")
    if stops_at is None or not 0 < line <= len(rows):
        return None
    found = _LAST_WORD.search(rows[line - 1], 0, column - 1)
    if found is None or found.group(1) in keywords.words:
        return None
    word = found.group(1)
    import difflib  # only on a mistake

    close = difflib.get_close_matches(word, sorted(keywords.words), n=1, cutoff=0.75)
    if not close:
        return None
    keyword = close[0]
    start = found.start(1)
    rows[line - 1] = rows[line - 1][:start] + keyword + rows[line - 1][found.end(1) :]
    stop = stops_at("\n".join(rows))
    if stop is not None and stop <= (line, column + len(keyword) - len(word)):
        return None
    return word, start + 1, keyword


def _join(items: list[str]) -> str:
    if len(items) > 8:
        items = [*items[:8], "..."]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
