"""The built-in rule packs shipped in ``rules/``, named ``builtin:NAME`` in a policy.

A pack is a ``NAME.policy`` file or a ``NAME/`` folder of them (``builtin:privacy/contact``
names one file of a folder pack).
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["BUILTIN_PREFIX", "builtin_files", "builtin_packs"]

BUILTIN_PREFIX = "builtin:"


def builtin_packs() -> list[str]:
    """Names usable as ``builtin:NAME``."""
    from policylint._resources import rules_dir

    root = rules_dir()
    names = {p.stem for p in root.glob("*.policy")}
    names |= {p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.policy"))}
    return sorted(names)


_PACK_NAME = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)?")


def builtin_files(name: str) -> list[Path] | None:
    """The files of the pack ``name`` (in name order for a folder), or None if there is no
    such pack."""
    from policylint._resources import rules_dir

    # A pack name is one or two plain path segments ("privacy", "privacy/contact"): never an
    # absolute path or '..', so builtin: cannot reach outside the shipped packs.
    if not _PACK_NAME.fullmatch(name):
        return None
    root = rules_dir().resolve()
    single = root / f"{name}.policy"
    if not single.resolve().is_relative_to(root) or not (root / name).resolve().is_relative_to(
        root
    ):
        return None
    if single.is_file():
        return [single]
    folder = root / name
    if folder.is_dir():
        files = sorted(folder.glob("*.policy"))
        if files:
            return files
    return None
