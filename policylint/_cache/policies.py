"""The compiled-policy cache: load a policy without parsing or compiling it when no policy file
changed. :func:`load_or_compile` is the only way a policy is loaded.

A policy is compiled once and stored as JSON in the per-user cache directory, sealed with
this user's key (:mod:`policylint._cache.folder`): an entry is read only if this user's
policylint wrote it under its name, so an entry edited by hand, corrupted, copied from
elsewhere or moved over another is a miss, and is rebuilt. Every entry is validated in full
as it is decoded (:mod:`policylint._cache.codec`); anything unexpected makes it a miss.

An entry records what its compile read (:mod:`policylint._lang.stamps`): every policy file's
size, modification time and SHA-256 as read, and the listing of every pack folder it
globbed; it is used only while all are unchanged (a file is hashed again unless its size
and time match and it was last modified well before it was read). The key covers the
policylint version, the grammar, the root policy, the working directory (relative extends
of text policies) and the settings; run from a source checkout, the code too
(:mod:`policylint._cache.code`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from policylint._cache import codec, regex_facts
from policylint._cache.code import checkout_stamp
from policylint._cache.folder import read_json_object, write_json
from policylint._hashing import sha256
from policylint._lang.stamps import FileStamp, folder_listing
from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from policylint._runtime.engine import ExecutablePolicy

__all__ = ["STALE_AFTER_S", "PolicySpec", "cache_key", "load", "load_or_compile", "store"]


class PolicySpec(NamedTuple):
    """Which policy to load: a ``.policy`` file or ``builtin:NAME`` (``source``), or policy
    ``text``, with ``settings`` overriding the policy's own; all None: ``builtin:all``."""

    source: str | None = None
    text: str | None = None
    settings: Mapping[str, Any] = MappingProxyType({})


def load_or_compile(spec: PolicySpec) -> ExecutablePolicy:
    """The policy ``spec`` names, from the cache when it holds it up to date, else parsed,
    resolved and compiled (and stored). Raises ``policylint.PolicyError``."""
    key = cache_key(spec)
    # Loading makes ~100,000 objects and no garbage cycle: the collector, run every 700
    # allocations, would only walk them over and over (a third of a warm load's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        # A rule whose nodes turn out corrupt when first used takes them from a fresh compile.
        cached = load(key, recover=lambda: _compile(spec, key))
        return cached if cached is not None else _compile(spec, key)
    finally:
        if collecting:
            gc.enable()


def _compile(spec: PolicySpec, key: str) -> ExecutablePolicy:
    """Parse, resolve and compile (the slow path), then store the result."""
    from policylint._compiler.compiler import compile_policy
    from policylint._lang.resolve import resolve_policy

    resolved = resolve_policy(path=spec.source, text=spec.text, settings=spec.settings)
    known = regex_facts.load()
    compiled = compile_policy(resolved, known)
    if compiled.learned_regexes:
        regex_facts.store({**known, **compiled.learned_regexes})
    store(key, compiled.policy, resolved.file_stamps, resolved.folder_listings)
    return compiled.policy


# ----------------------------------------------------------------------------- keys
def cache_key(spec: PolicySpec) -> str:
    from policylint._resources import grammar_path, rules_dir
    from policylint._version import __version__

    source, text = spec.source, spec.text
    digest = sha256()
    for part in (
        codec.FORMAT,
        __version__,
        # Where this copy of policylint lives: two installs of the same version (two virtual
        # environments, a checkout beside a release) have their own built-in packs and code,
        # and must not use each other's entries through a shared cache folder.
        str(Path(__file__).resolve().parent.parent),
        checkout_stamp(),
        str(rules_dir().resolve()),
        sha256(grammar_path().read_bytes()).hexdigest(),
        str(Path(source).resolve()) if source and not source.startswith("builtin:") else "",
        source or "",
        text or "",
        os.getcwd() if text is not None else "",
        json.dumps(dict(spec.settings), sort_keys=True, default=str),
    ):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


# A policy file whose size and modification time are those recorded is taken as unchanged
# without hashing it again (~1.5 ms a start for the built-in packs' 34 files), unless it was
# modified less than this long before it was read: a second edit within the file system's
# timestamp granularity could then keep both (git's "racily clean" files).
_RACY_NS = 2_000_000_000

_CHANGED = object()


def _restamp(path: str, stamp: Any, recorded_ns: int) -> Any:
    """The file's stamp now (``[size, mtime_ns, digest]``) if its content is the one
    recorded (``stamp`` itself when stat alone tells), else ``_CHANGED``."""
    if stamp is None:  # unreadable when recorded
        return stamp if _file_digest(path) is None else _CHANGED
    size, mtime_ns, digest = stamp
    try:
        info = os.stat(path)
    except OSError:
        return _CHANGED
    if (info.st_size, info.st_mtime_ns) == (size, mtime_ns) and mtime_ns < recorded_ns - _RACY_NS:
        return stamp
    if _file_digest(path) != digest:
        return _CHANGED
    return [info.st_size, info.st_mtime_ns, digest]  # stat before the read: never newer


def _file_digest(path: str) -> str | None:
    try:
        return sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _entry_path(key: str) -> Path | None:
    from policylint._cache.folder import cache_dir

    directory = cache_dir()
    if directory is None:
        return None
    return directory / "policies" / f"{key}.json"


def _is_stamp(value: Any) -> bool:
    return value is None or (
        type(value) is list
        and len(value) == 3
        and type(value[0]) is int
        and value[0] >= 0
        and type(value[1]) is int
        and type(value[2]) is str
        and len(value[2]) == 64
    )


# ----------------------------------------------------------------------------- load / store
def load(
    key: str, recover: Callable[[], ExecutablePolicy] | None = None
) -> ExecutablePolicy | None:
    """The cached policy for ``key`` if present, sealed, valid and up to date; else None.
    Each rule's nodes are checked when the rule is first evaluated: ``recover`` makes the
    policy afresh for one that fails (without it, the rule raises ``codec.Corrupt``)."""
    path = _entry_path(key)
    if path is None:
        return None
    data = read_json_object(path)
    if data.get("format") != codec.FORMAT:
        return None
    try:
        if not _inputs_unchanged(path, data):
            return None
        return codec.decode(data, recover)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, codec.Corrupt):
        return None


def _inputs_unchanged(path: Path, data: dict[str, Any]) -> bool:
    """Whether the files and folders the entry was compiled from are as they were read.
    Stamps found by hashing are recorded again (see :func:`_refresh`); a used entry is
    touched (see :func:`_prune`)."""
    inputs = data["inputs"]
    recorded_ns, files, folders = inputs["recorded_ns"], inputs["files"], inputs["folders"]
    if not (type(recorded_ns) is int and type(files) is dict and type(folders) is dict):
        raise codec.Corrupt("inputs")
    checked_ns = time.time_ns()  # before any file is looked at: what a new record may say
    rehashed = False
    for file_path, stamp in files.items():
        if not _is_stamp(stamp):
            raise codec.Corrupt("a file's stamp")
        now = _restamp(file_path, stamp, recorded_ns)
        if now is _CHANGED:
            return False
        if now is not stamp:
            files[file_path] = now
            rehashed = True
    for folder, names in folders.items():
        if folder_listing(folder) != names:  # None (changed while globbed) never equals
            return False
    if not (rehashed and _refresh(path, data, checked_ns)):
        with contextlib.suppress(OSError):
            os.utime(path)  # in use: see _prune
    return True


def _refresh(path: Path, data: dict[str, Any], checked_ns: int) -> bool:
    """Record again the stamps of files that were hashed because they were written too
    close to the entry (an entry stored right after ``pip install``) or touched since (a
    ``git checkout``): once they are older than the new record, stat alone tells again, and
    every later start is spared hashing them (~1.5 ms for the built-in packs). The new
    record is the time the files began to be checked. Whether the entry was written."""
    inputs = data["inputs"]
    if not any(
        stamp is not None and stamp[1] < checked_ns - _RACY_NS for stamp in inputs["files"].values()
    ):
        return False  # all still too young: a record now would spare the next start nothing
    inputs["recorded_ns"] = checked_ns
    write_json(path, data)
    return True


def store(
    key: str,
    policy: ExecutablePolicy,
    file_stamps: Mapping[str, FileStamp | None],
    folder_listings: Mapping[str, list[str] | None],
) -> None:
    """Write a cache entry atomically, recording the inputs as the compile read them
    (``policylint._lang.stamps``); failures only mean the next run compiles again."""
    path = _entry_path(key)
    if path is None:
        return
    read = [stamp.read_ns for stamp in file_stamps.values() if stamp is not None]
    try:
        data = {
            "format": codec.FORMAT,
            "inputs": {
                # The racy-clean rule compares each file's time with this: when the first
                # file was read, or now if none was (a policy given as text, builtin-free).
                "recorded_ns": min(read, default=time.time_ns()),
                "files": {
                    name: None if stamp is None else [stamp.size, stamp.mtime_ns, stamp.digest]
                    for name, stamp in file_stamps.items()
                },
                "folders": dict(folder_listings),
            },
            **codec.encode(policy),
        }
    except (TypeError, ValueError):
        return
    write_json(path, data)
    _prune(path.parent)


#: Entries not used for this long are deleted when another is stored: those of policies
#: gone, moved or edited under another name, and of earlier policylint versions (~1 MB each).
STALE_AFTER_S = 30 * 24 * 3600


def _prune(folder: Path) -> None:
    """Delete the entries of ``folder`` unused for ``STALE_AFTER_S`` (a load touches its
    entry), and temporary files a killed process left (after an hour)."""
    now = time.time()
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(".tmp-"):
            old = 3600
        elif name.endswith(".json"):
            old = STALE_AFTER_S
        else:
            continue  # not ours
        with contextlib.suppress(OSError):
            if os.stat(folder / name).st_mtime < now - old:
                os.unlink(folder / name)
