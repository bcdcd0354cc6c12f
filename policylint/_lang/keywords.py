"""The keywords of the rule language, read from its grammar rather than written out again.

Syntax errors name keywords ("unknown keyword 'flg'; did you mean 'flag'?", "'when' starts a
new statement; finish the previous one first"), and error recovery splits a broken file at
the words that start a top-level block. All of them come from ``grammar/policy.lark``
through the parser built from it: a keyword is a terminal spelled as a word, a statement
keyword is the first terminal of a statement of a rule block, a block keyword the first
terminal of a top-level item. A keyword added to the grammar is known here with no other
change.
"""

from __future__ import annotations

from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lark import Lark

__all__ = ["Keywords", "read_keywords"]


class Keywords(NamedTuple):
    """The grammar's words."""

    #: Every keyword: a terminal that is a word ("flag", "within", "platform"...).
    words: frozenset[str]
    #: The keywords that start a statement of a rule block ("category", "flag"...).
    statements: frozenset[str]
    #: The keywords that start a top-level block ("policy", "terms", "setting", "rule").
    blocks: tuple[str, ...]


def read_keywords(parser: Lark) -> Keywords:
    """The keywords of ``parser``'s grammar (see the module)."""
    from lark.lexer import PatternStr

    spelling = {
        terminal.name: terminal.pattern.value
        for terminal in parser.terminals
        if isinstance(terminal.pattern, PatternStr) and terminal.pattern.value.isalpha()
    }
    expansions: dict[str, list[list[str]]] = {}
    for rule in parser.rules:
        expansions.setdefault(rule.origin.name, []).append([s.name for s in rule.expansion])

    def first_words(item: str) -> list[str]:
        """The keywords that start each statement an ``item`` rule can be."""
        found = []
        for (statement,) in expansions[item]:
            first = {spelling.get(symbols[0]) for symbols in expansions[statement]}
            found += sorted(word for word in first if word is not None)
        return found

    return Keywords(
        words=frozenset(spelling.values()),
        statements=frozenset(first_words("_rule_stmt")),
        blocks=tuple(first_words("_item")),
    )
