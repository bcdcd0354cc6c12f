"""policylint: a policy-as-code linter for social-media posts.

    >>> import policylint
    >>> policy = policylint.load_policy('''
    ... rule finance.promissory {
    ...   severity error
    ...   flag ["guarantee*"] near ["return*"] within 4 words
    ... }''')
    >>> [f.match for f in policylint.check("Guaranteed returns!", policy=policy).findings]
    ['Guaranteed']

The public surface is what this module exports (docs/api.md); everything else may change.
Imports are lazy so that ``import policylint`` stays cheap for the command line.
"""

from __future__ import annotations

from policylint._version import __version__

__all__ = [
    "Diagnostic",
    "ExampleResult",
    "Finding",
    "InputError",
    "Policy",
    "PolicyError",
    "PolicyMismatchError",
    "PolicylintError",
    "Post",
    "PostResult",
    "ReadResult",
    "Report",
    "RuleExample",
    "RuleInfo",
    "SelectorError",
    "Severity",
    "SourceLocation",
    "Summary",
    "WorkerStartError",
    "__version__",
    "check",
    "check_many",
    "load_policy",
    "read_path",
    "read_text",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint._api import check, check_many, load_policy, read_path, read_text
    from policylint._model.diagnostics import Diagnostic
    from policylint._model.errors import (
        PolicyError,
        PolicylintError,
        PolicyMismatchError,
        SelectorError,
        WorkerStartError,
    )
    from policylint._model.posts import InputError, Post, ReadResult, SourceLocation
    from policylint._model.reports import Finding, PostResult, Report, Summary
    from policylint._model.rules import ExampleResult, RuleExample, RuleInfo
    from policylint._model.severity import Severity
    from policylint._pipeline.policy import Policy

#: Where each public name is defined, imported on first use.
_LAZY = {
    "check": "policylint._api",
    "check_many": "policylint._api",
    "load_policy": "policylint._api",
    "read_path": "policylint._api",
    "read_text": "policylint._api",
    "Policy": "policylint._pipeline.policy",
    "Diagnostic": "policylint._model.diagnostics",
    "PolicyError": "policylint._model.errors",
    "PolicyMismatchError": "policylint._model.errors",
    "PolicylintError": "policylint._model.errors",
    "SelectorError": "policylint._model.errors",
    "WorkerStartError": "policylint._model.errors",
    "InputError": "policylint._model.posts",
    "Post": "policylint._model.posts",
    "ReadResult": "policylint._model.posts",
    "SourceLocation": "policylint._model.posts",
    "Finding": "policylint._model.reports",
    "PostResult": "policylint._model.reports",
    "Report": "policylint._model.reports",
    "Summary": "policylint._model.reports",
    "ExampleResult": "policylint._model.rules",
    "RuleExample": "policylint._model.rules",
    "RuleInfo": "policylint._model.rules",
    "Severity": "policylint._model.severity",
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
