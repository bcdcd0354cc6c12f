"""Python regexes compiled in an earlier run: a start-up without ``re``'s Python compiler.

Python compiles a regex in two steps: a parser and code generator written in Python turn
the pattern into a list of integers (the SRE program), then ``_sre.compile`` (C) makes the
pattern object from it. The first step is nearly all of the cost: ~8 ms for the patterns
``phonenumbers`` compiles when it is imported, ~11 ms of a check of one post with a phone
number in it. The command line installs this module, which keeps each program in the
per-user cache directory and hands it straight to ``_sre.compile`` on later runs.

Only the command line installs it: a library must not change ``re`` for the program that
imports it. It depends on CPython's ``re`` internals, so it installs itself only after
checking that a pattern it builds equals (code included) the one ``re`` builds; anything
unexpected (another Python, a corrupt entry or file) leaves ``re`` to do its own work.
The file is JSON (integers and strings, keyed by the Python build and the SRE version) in
the private cache directory, sealed (:mod:`policylint._cache.folder`: a program this user's
policylint did not write is never used, so none can make a pattern match something else),
and ``_sre.compile`` validates every program it is given.
"""

from __future__ import annotations

import atexit
import sys
from collections.abc import Callable

from policylint._cache.folder import cache_dir, read_json_object, write_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["MAX_ENTRIES", "install", "installed", "save", "uninstall"]

#: Most programs kept in the file (those used by the last run first).
MAX_ENTRIES = 2048

_DEBUG = 128  # re.DEBUG: the program is printed as it is compiled, so never cached

_original: Callable[..., Any] | None = None  # re._compiler.compile while installed
_table: dict[str, list[Any]] = {}  # key -> [flags, code, groups, groupindex, indexgroup]
_used: dict[str, list[Any]] = {}  # what this run compiled or took from the file
_learned = False  # whether this run compiled a program the file lacks


def installed() -> bool:
    return _original is not None


def install() -> None:
    """Compile ``str`` regexes from the cached programs (and learn new ones) from now on,
    and save what was learned when the interpreter exits. Does nothing if caching is off,
    if this Python's ``re`` is not one it knows, or if already installed."""
    global _original, _table
    if _original is not None or sys.implementation.name != "cpython":
        return
    path = _path()
    if path is None:
        return
    try:
        _compiler, _ = _internals()
        if not _agrees(_compiler.compile, "(?P<n>a)[b-d]", 0):
            return
    except Exception:  # internals this version lacks: leave re alone
        return
    _table = read_json_object(path)
    _original = _compiler.compile
    _compiler.compile = _compile
    atexit.register(save)


def uninstall() -> None:
    """Give ``re`` its own compiler back (tests); what was learned is not saved."""
    global _original, _learned
    if _original is None:
        return
    _compiler, _ = _internals()
    _compiler.compile = _original
    _original = None
    _learned = False
    _table.clear()
    _used.clear()
    atexit.unregister(save)


def save() -> None:
    """Write the programs this run learned, with those of the file (another process may
    have written it since it was read), keeping the ones this run used first."""
    global _learned
    path = _path()
    if not _learned or path is None:
        return
    _learned = False
    kept = dict(_used)
    for key, entry in read_json_object(path).items():
        if len(kept) >= MAX_ENTRIES:
            break
        kept.setdefault(key, entry)
    write_json(path, kept)


def _compile(pattern: Any, flags: int = 0) -> Any:
    """``re._compiler.compile``, taking the program from the table when it has it."""
    global _learned
    assert _original is not None
    if type(pattern) is not str or flags & _DEBUG:
        return _original(pattern, flags)
    flags = int(flags)  # a RegexFlag: the key is the plain number
    key = f"{flags}:{pattern}"
    entry = _table.get(key)
    if entry is not None:
        try:
            compiled = _make(pattern, entry)
        except (TypeError, ValueError, RuntimeError, OverflowError):
            pass  # not a program this Python accepts: compiled afresh below
        else:
            _used[key] = entry
            return compiled
    compiled, entry = _build(pattern, flags)
    _table[key] = _used[key] = entry
    _learned = True
    return compiled


def _agrees(compile_: Callable[..., Any], pattern: str, flags: int) -> bool:
    """Whether :func:`_build` makes the pattern ``compile_`` (re's own) makes: the same
    program, flags and groups."""
    built, fresh = _build(pattern, flags)[0], compile_(pattern, flags)
    return bool(
        built == fresh  # compares the flags and the program
        and (built.groups, built.groupindex) == (fresh.groups, fresh.groupindex)
    )


def _build(pattern: str, flags: int) -> tuple[Any, list[Any]]:
    """Compile ``pattern`` as ``re._compiler.compile`` does, keeping the program."""
    _compiler, _parser = _internals()
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    state = parsed.state
    groupindex = dict(state.groupdict)
    indexgroup: list[str | None] = [None] * state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    entry = [flags | state.flags, code, state.groups - 1, groupindex, indexgroup]
    return _make(pattern, entry), entry


def _internals() -> tuple[Any, Any]:
    """``re``'s compiler and parser modules (private: typeshed does not describe them)."""
    from importlib import import_module

    return import_module("re._compiler"), import_module("re._parser")


def _make(pattern: str, entry: list[Any]) -> Any:
    import _sre

    final_flags, code, groups, groupindex, indexgroup = entry
    if type(groupindex) is not dict or type(indexgroup) is not list:
        raise TypeError("not a cached program")
    return _sre.compile(pattern, final_flags, code, groups, groupindex, tuple(indexgroup))


def _path() -> Any:
    directory = cache_dir()
    if directory is None:
        return None
    import _sre

    tag = f"{sys.implementation.cache_tag}-{_sre.MAGIC}-{_sre.CODESIZE}"
    return directory / "sre" / f"{tag}.json"
