"""What the compiler reads off the syntax tree and the settings, and the constant operands it
makes of them: small pure functions, no diagnostics (the compiler reports what they find)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from policylint._lang import ast
from policylint._model.posts import normalise_platform
from policylint._runtime.conditions import Getter

__all__ = [
    "constant",
    "default_message",
    "detectors_in",
    "platform_literal",
    "quantified",
    "whole",
]


def whole(value: Any) -> int | None:
    """A setting's value as a count (``12``, ``12.0``), None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 <= value < 2**53 or value != int(value):  # also NaN and infinities
        return None
    return int(value)


def quantified(node: ast.Condition) -> bool:
    """Whether a condition holds a quantifier (outside a ``not``, which would hide the
    item that decided it)."""
    if isinstance(node, ast.Quantified):
        return True
    if isinstance(node, ast.And | ast.Or | ast.AtLeast):
        return any(quantified(item) for item in node.items)
    return False


def detectors_in(patterns: Iterable[ast.Pattern]) -> set[str]:
    names: set[str] = set()

    def walk(node: ast.Pattern) -> None:
        if isinstance(node, ast.Detect):
            names.add(node.name)
        elif isinstance(node, ast.Scoped | ast.Guarded):
            walk(node.pattern)
        elif isinstance(node, ast.Near | ast.FollowedBy):
            walk(node.left)
        elif isinstance(node, ast.AnyOf | ast.AllOf):
            for item in node.items:
                walk(item)

    for pattern in patterns:
        walk(pattern)
    return names


def default_message(node: ast.RuleNode) -> str:
    if node.flags:
        return f"'{{match}}' is not allowed by {node.id}"
    if node.requires:
        return f"required text is missing ({node.id})"
    return f"post breaks {node.id}"


def constant(value: Any) -> Getter:
    """An operand that is a constant (a literal, a setting's value)."""
    return Getter("const", value)


def platform_literal(value: Any) -> Any:
    """A literal compared with ``platform``, folded as posts' platforms are (``"Twitter"``
    is ``"x"``)."""
    return normalise_platform(value) if isinstance(value, str) else value
