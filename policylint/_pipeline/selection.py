"""Rule selectors: what ``--select``, ``--ignore``, ``--extend-select``, the configuration's
``select``/``extend-select``/``ignore`` (top level and ``[[overrides]]``), waivers and
``Policy.select`` use to name rules.

A selector names a rule by its id (``tone.shouting``), a glob (``tone.*``), a prefix
(``tone``, the same as ``tone.*``) or its category (``privacy``). A selector that names no
rule of the policy in use is a mistake, never a no-op: ``--select privcy`` used to check
nothing and pass, the worst way a linter can fail (issue 15). So is a selection that leaves
no rule at all. Both raise :class:`SelectorError`, with a "did you mean" when one is close.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from policylint._model.errors import SelectorError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class _Rule(Protocol):
        @property
        def id(self) -> str: ...
        @property
        def category(self) -> str: ...


__all__ = ["SelectorError", "check_selectors", "matches", "suggestion"]


def matches(selector: str, rule_id: str, category: str) -> bool:
    """Whether ``selector`` names the rule: its id, a glob, a prefix or its category."""
    if selector in (rule_id, category) or rule_id.startswith(selector + "."):
        return True
    # fnmatch only for a glob: it costs a microsecond, and select() asks rules x selectors.
    return _is_glob(selector) and fnmatchcase(rule_id, selector)


def _is_glob(selector: str) -> bool:
    return "*" in selector or "?" in selector or "[" in selector


def check_selectors(
    selectors: Iterable[str], rules: Sequence[_Rule], *, origin: str, policy: str
) -> None:
    """Raise :class:`SelectorError` for the first of ``selectors`` that names none of
    ``rules`` (those of ``policy``, a name for the message)."""
    for selector in selectors:
        if not any(matches(selector, rule.id, rule.category) for rule in rules):
            raise SelectorError(
                f"{origin} '{selector}' names no rule of {policy}",
                selector=selector,
                origin=origin,
                hint=suggestion(selector, rules),
            )


def suggestion(selector: str, rules: Sequence[_Rule]) -> str:
    """A "did you mean" for a selector that names nothing, else the policy's categories."""
    from policylint._model.errors import did_you_mean

    categories = sorted({rule.category for rule in rules})
    prefixes = {rule.id.rsplit(".", 1)[0] for rule in rules if "." in rule.id}
    candidates = sorted({*categories, *prefixes, *(rule.id for rule in rules)})
    close = did_you_mean(selector, candidates)
    if close:
        return close
    if not rules:
        return "the policy has no rules"
    return "the policy's categories are " + ", ".join(categories)
