"""The policy grammar's LALR parser, shipped as JSON tables: nothing is unpickled at run time.

Building the parser from ``grammar/policy.lark`` takes Lark about half a second, so it used
to keep the built parser in the per-user cache folder. Lark's cache is a pickle, and loading
a pickle runs whatever code it names: anyone who could replace that file (a folder made
world-writable by ``umask 000``, a shared cache) could run code as each user of policylint.

Instead the tables are built once, when the grammar changes, and shipped next to it as
``grammar/policy.tables.json``: Lark's own serialised form of the parser (``memo_serialize``,
what ``lark.tools.standalone`` embeds in the code it generates), which holds only dicts,
lists, strings, numbers and booleans. JSON keeps no integer keys, so a dict keyed by
integers (parser states, the memo) is written as ``{"__int_keys__": [[key, value], ...]}``.
Regenerate the file after changing the grammar (``tests/test_grammar_tables.py`` fails
until it matches)::

    python -m policylint._lang.tables

If the file does not match the grammar beside it, or this Lark cannot read it, the parser is
built from the grammar instead: slower, never wrong.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from policylint._hashing import sha256

if TYPE_CHECKING:
    from lark import Lark

__all__ = ["PARSER_OPTIONS", "build_parser", "load_parser", "serialise_parser", "write_tables"]

#: How the policy language is parsed (also recorded in the tables).
PARSER_OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "lexer": "contextual",
    "propagate_positions": True,
    "maybe_placeholders": False,
}

_INT_KEYS = "__int_keys__"


def _grammar_digest(grammar: str) -> str:
    return sha256(grammar.encode("utf-8")).hexdigest()


def build_parser(grammar: str, **options: Any) -> Lark:
    """The parser, built from the grammar's text (the slow way). ``options`` are those
    Lark accepts for loaded tables too, such as ``postlex``."""
    from lark import Lark

    return Lark(grammar, **PARSER_OPTIONS, **options)


def serialise_parser(grammar: str) -> dict[str, Any]:
    """The JSON document of the tables for ``grammar``."""
    import lark
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = build_parser(grammar).memo_serialize([TerminalDef, Rule])
    data["parser"]["parser"] = _canonical_table(data["parser"]["parser"])
    return {
        "grammar_sha256": _grammar_digest(grammar),
        "lark": lark.__version__,
        "data": _to_json(data),
        "memo": _to_json(memo),
    }


def _canonical_table(table: dict[str, Any]) -> dict[str, Any]:
    """The LALR table with its states and symbols numbered in a fixed order.

    Lark numbers them as it meets them in sets, whose order changes from one process to the
    next; the table itself does not. Symbols are numbered by name, states in the order a
    walk from the start state meets them (following symbols by name), so the same grammar
    always gives the same file.
    """
    names: dict[int, str] = table["tokens"]
    states: dict[int, dict[int, tuple[int, Any]]] = table["states"]
    symbol = {name: number for number, name in enumerate(sorted(names.values()))}
    order: dict[int, int] = {}
    queue = [table["start_states"][start] for start in sorted(table["start_states"])]
    while queue:
        state = queue.pop(0)
        if state in order:
            continue
        order[state] = len(order)
        for token in sorted(states[state], key=names.__getitem__):
            action, target = states[state][token]
            if action == 0:  # a shift (or a goto): the state it leads to
                queue.append(target)
    if len(order) != len(states):
        raise ValueError("the parse table has states no walk from the start reaches")
    renumbered = {}
    for state, new in sorted(order.items(), key=lambda pair: pair[1]):
        actions = {}
        for token in sorted(states[state], key=names.__getitem__):
            action, target = states[state][token]
            actions[symbol[names[token]]] = (action, order[target] if action == 0 else target)
        renumbered[new] = actions
    return {
        "tokens": {number: name for name, number in symbol.items()},
        "states": renumbered,
        "start_states": {k: order[v] for k, v in sorted(table["start_states"].items())},
        "end_states": {k: order[v] for k, v in sorted(table["end_states"].items())},
    }


def load_parser(**options: Any) -> Lark:
    """The parser from the shipped tables, or built from the grammar if they do not fit.
    ``options``: see :func:`build_parser`."""
    from policylint._resources import grammar_path, tables_path

    grammar = grammar_path().read_text(encoding="utf-8")
    try:
        text = tables_path().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return build_parser(grammar, **options)
    try:
        document = json.loads(text, object_hook=_from_json_object)
        if document.get("grammar_sha256") == _grammar_digest(grammar):
            return _parser_from(document, options)
    except Exception:  # any shape Lark cannot read: the grammar is still there
        pass
    return build_parser(grammar, **options)


def _parser_from(document: dict[str, Any], options: dict[str, Any]) -> Lark:
    from lark import Lark

    # The classmethod lark.tools.standalone's generated parsers load their tables with.
    parser: Lark = Lark._load_from_dict(  # type: ignore[no-untyped-call]
        document["data"], document["memo"], **options
    )
    return parser


def _to_json(value: Any) -> Any:
    """Lark's serialised data as JSON values (tuples become lists; see the module doc for
    integer keys)."""
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: _to_json(item) for key, item in value.items()}
        if not all(type(key) is int for key in value):
            raise TypeError(f"unexpected keys in Lark's tables: {list(value)[:3]!r}")
        return {_INT_KEYS: [[key, _to_json(item)] for key, item in value.items()]}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"unexpected value in Lark's tables: {type(value).__name__}")


def _from_json_object(obj: dict[str, Any]) -> Any:
    pairs = obj.get(_INT_KEYS)
    if pairs is not None and len(obj) == 1:
        return {int(key): item for key, item in pairs}
    return obj


def write_tables() -> str:
    """Regenerate the shipped tables from the shipped grammar; returns the file's path."""
    from policylint._resources import grammar_path, tables_path

    document = serialise_parser(grammar_path().read_text(encoding="utf-8"))
    path = tables_path()
    # One line per top-level key keeps the file small; it is generated, not reviewed.
    path.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    return str(path)


if __name__ == "__main__":  # pragma: no cover
    print(f"wrote {write_tables()}")
