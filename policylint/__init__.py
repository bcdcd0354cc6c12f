"""policylint: a policy-as-code linter for social-media posts.

    >>> import policylint
    >>> policy = policylint.load_policy('''
    ... rule finance.promissory {
    ...   severity error
    ...   flag ["guarantee*"] near ["return*"] within 4 words
    ... }''')
    >>> [f.match for f in policy.check("Guaranteed returns!").findings]
    ['Guaranteed']

The public surface is what this module exports; everything else may change.
Imports are lazy so that ``import policylint`` stays cheap for the CLI.
"""

from __future__ import annotations

from policylint._version import __version__

__all__ = [
    "ExampleResult",
    "Finding",
    "InputError",
    "Policy",
    "PolicyError",
    "Post",
    "Report",
    "RuleInfo",
    "SelectorError",
    "Severity",
    "SourceLocation",
    "Summary",
    "__version__",
    "load_policy",
    "read_path",
    "read_text",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._api import load_policy, read_path, read_text
    from policylint._model.errors import PolicyError, SelectorError
    from policylint._model.posts import InputError, Post, SourceLocation
    from policylint._model.reports import Finding, Report, Summary
    from policylint._model.rules import ExampleResult, RuleInfo
    from policylint._model.severity import Severity
    from policylint._pipeline.policy import Policy

_LAZY = {
    "load_policy": "policylint._api",
    "Policy": "policylint._pipeline.policy",
    "RuleInfo": "policylint._model.rules",
    "ExampleResult": "policylint._model.rules",
    "PolicyError": "policylint._model.errors",
    "SelectorError": "policylint._model.errors",
    "Finding": "policylint._model.reports",
    "InputError": "policylint._model.posts",
    "Post": "policylint._model.posts",
    "Report": "policylint._model.reports",
    "Severity": "policylint._model.severity",
    "SourceLocation": "policylint._model.posts",
    "Summary": "policylint._model.reports",
    "read_path": "policylint._api",
    "read_text": "policylint._api",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'policylint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
