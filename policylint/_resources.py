"""Where the shipped grammar and built-in rule packs live.

In the repository they sit at the top level (``grammar/``, ``rules/``); the wheel maps them
into the package as ``policylint/_grammar`` and ``policylint/_rules`` (see pyproject.toml).
An editable install or a source checkout uses the former, an installed wheel the latter.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["grammar_path", "rules_dir", "tables_path"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        "policylint's data files are missing (looked in "
        + ", ".join(str(c) for c in candidates)
        + "); reinstall the package"
    )


@cache
def grammar_path() -> Path:
    return _first_existing(
        _PACKAGE_DIR / "_grammar" / "policy.lark",
        _PACKAGE_DIR.parent / "grammar" / "policy.lark",
    )


def tables_path() -> Path:
    """The grammar's LALR tables (policylint._lang.tables), shipped beside it."""
    return grammar_path().with_name("policy.tables.json")


@cache
def rules_dir() -> Path:
    return _first_existing(_PACKAGE_DIR / "_rules", _PACKAGE_DIR.parent / "rules")
