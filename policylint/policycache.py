"""The compiled-policy cache: skip parsing and compiling when no policy file changed.

A policy is compiled once and stored as JSON in the per-user cache directory. JSON is data:
loading it instantiates only the node classes listed in ``_NODE_TYPES`` with plain values, so
a planted or corrupt cache file cannot run code; anything unexpected in it makes the entry be
ignored and rebuilt. An entry records every policy file it was built from (its size,
modification time and SHA-256) and the listing of every pack folder it globbed, and is used
only if all of them are unchanged (a file is hashed again unless its size and time match and
it was last modified well before the entry was written). The key covers the policylint
version, the grammar, the root policy, the working directory (relative extends of text
policies) and the settings.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path

from policylint import compiled as c
from policylint.cachedir import read_json_object, sha256, write_atomic
from policylint.regexset import RegexIndex
from policylint.severity import Severity
from policylint.struct import NamedTuple, Struct
from policylint.terms import TermIndex

__all__ = ["STALE_AFTER_S", "CachedPolicy", "cache_key", "indexed", "load", "store"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMAT_VERSION = 17

# Keyed "@" + class name, as the cache writes them.
_NODE_TYPES: dict[str, type[Any]] = {
    "@" + cls.__name__: cls
    for cls in (
        c.TermsNode,
        c.RegexNode,
        c.DetectNode,
        c.ScopedNode,
        c.NearNode,
        c.AnyNode,
        c.AllNode,
        c.Getter,
        c.CompareNode,
        c.MemberNode,
        c.ContainsNode,
        c.TruthyNode,
        c.NotNode,
        c.AndNode,
        c.OrNode,
        c.ContextException,
        c.AllowException,
        c.InsideException,
        c.ExampleSpec,
        c.CompiledRule,
    )
}


# Nodes are stored by position: the entry's format names the fields of every node class, so
# a class whose fields change (even only in order) never reads an older entry.
def _format(node_types: Mapping[str, type[Any]]) -> str:
    schema = ";".join(f"{key}:{','.join(cls.FIELDS)}" for key, cls in node_types.items())
    return f"{FORMAT_VERSION}/" + sha256(schema.encode()).hexdigest()[:16]


_FORMAT = _format(_NODE_TYPES)


class CachedPolicy(NamedTuple):
    """What a compiled-policy cache entry holds."""

    name: str
    description: str | None
    rules: list[c.CompiledRule]
    term_index: TermIndex
    settings: dict[str, Any]
    files: list[str]
    #: Each rule's dispatch route (compiled.route), when the cache had them.
    routes: list[c.Route] | None = None
    #: The rules' regexes, numbered as the routes number them (compiled.index_regexes).
    regex_index: RegexIndex | None = None


class _Corrupt(Exception):
    """The cache entry is not what this version writes."""


# ----------------------------------------------------------------------------- encoding
def _encode(value: Any) -> Any:
    if isinstance(value, Severity):
        return {"@severity": value.value}
    if isinstance(value, Struct):
        name = type(value).__name__
        if _NODE_TYPES.get("@" + name) is not type(value):
            raise TypeError(f"cannot cache {name}")
        # By position, in FIELDS order (_FORMAT, above, names that order).
        return {"@" + name: [_encode(getattr(value, field)) for field in value.FIELDS]}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, frozenset | set):
        return {"@set": sorted(value)}
    if isinstance(value, Mapping):
        return {"@map": {str(k): _encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot cache {type(value).__name__}")


# JSON scalars decode to themselves: checked inline, they cost no call (a warm start decodes
# ~16,000 values).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _decode(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return tuple([v if type(v) in _SCALARS else _decode(v) for v in value])
    if kind is dict:
        if len(value) == 1:
            ((key, fields),) = value.items()
            cls = _NODE_TYPES.get(key)
            if cls is not None:
                if type(fields) is not list:
                    raise _Corrupt(f"{key}: fields are not a list")
                return cls(*[v if type(v) in _SCALARS else _decode(v) for v in fields])
        if "@set" in value:
            return frozenset(value["@set"])
        if "@map" in value:
            return {k: _decode(v) for k, v in value["@map"].items()}
        if "@severity" in value:
            return Severity(value["@severity"])
        raise _Corrupt("unexpected object")
    return value


# ----------------------------------------------------------------------------- keys
def cache_key(source: str | None, text: str | None, settings: Mapping[str, Any] | None) -> str:
    from policylint import __version__
    from policylint.resources import grammar_path

    digest = sha256()
    for part in (
        _FORMAT,
        __version__,
        sha256(grammar_path().read_bytes()).hexdigest(),
        str(Path(source).resolve()) if source and not source.startswith("builtin:") else "",
        source or "",
        text or "",
        os.getcwd() if text is not None else "",
        json.dumps(dict(settings or {}), sort_keys=True, default=str),
    ):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


# A policy file whose size and modification time are those recorded is taken as unchanged
# without hashing it again (~1.5 ms a start for the built-in packs' 34 files), unless it was
# modified less than this long before it was recorded: a second edit within the file
# system's timestamp granularity could then keep both (git's "racily clean" files).
_RACY_NS = 2_000_000_000


def _stamp(path: str) -> list[Any] | None:
    """What the cache records of a policy file: [size, mtime_ns, SHA-256 hex]."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    digest = _file_digest(path)
    return None if digest is None else [info.st_size, info.st_mtime_ns, digest]


_CHANGED = object()


def _restamp(path: str, stamp: Any, recorded_ns: int) -> Any:
    """The file's stamp now if its content is the one recorded (``stamp`` itself when stat
    alone tells), else ``_CHANGED``."""
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
    return [info.st_size, info.st_mtime_ns, digest]


def _file_digest(path: str) -> str | None:
    try:
        return sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _listing(folder: str) -> list[str]:
    # os.listdir, not Path.glob: a fifth of the time, and only ever compared with itself.
    try:
        return sorted(name for name in os.listdir(folder) if name.endswith(".policy"))
    except OSError:
        return []


def _entry_path(key: str) -> Path | None:
    from policylint.cachedir import cache_dir

    directory = cache_dir()
    if directory is None:
        return None
    return directory / "policies" / f"{key}.json"


# ----------------------------------------------------------------------------- load / store
def load(key: str) -> CachedPolicy | None:
    """The cached policy for ``key`` if present, well-formed and up to date; else None."""
    path = _entry_path(key)
    if path is None:
        return None
    try:
        data = json.loads(path.read_bytes())
        if data.get("format") != _FORMAT:
            return None
        inputs = data["inputs"]
        recorded_ns = inputs["recorded_ns"]
        rehashed = False
        for file_path, stamp in inputs["files"].items():
            now = _restamp(file_path, stamp, recorded_ns)
            if now is _CHANGED:
                return None
            if now is not stamp:
                inputs["files"][file_path] = now
                rehashed = True
        for folder, names in inputs["folders"].items():
            if _listing(folder) != names:
                return None
        index = TermIndex.from_data(data["terms"], data["keys"])
        # The regexes as numbered when stored: no walk over every rule to number them again
        # (a rule's regex nodes look their ids up on first use).
        regexes = RegexIndex.from_table(data["regexes"])
        rules = [_decode(rule) for rule in data["rules"]]
        if not all(isinstance(rule, c.CompiledRule) for rule in rules):
            return None
        if not (rehashed and _refresh(path, data)):
            with contextlib.suppress(OSError):
                os.utime(path)  # in use: see _prune
        return CachedPolicy(
            name=str(data["name"]),
            description=data["description"],
            rules=rules,
            term_index=index,
            settings=_decode(data["settings"]),
            files=list(data["files"]),
            routes=[_decode_route(item) for item in data["routes"]],
            regex_index=regexes,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError, _Corrupt):
        return None


def _refresh(path: Path, data: dict[str, Any]) -> bool:
    """Record again the stamps of files that were hashed because they were written too
    close to the entry (an entry stored right after ``pip install``) or touched since (a
    ``git checkout``): once they are older than the new record, stat alone tells again, and
    every later start is spared hashing them (~1.5 ms for the built-in packs). Whether
    the entry was written."""
    now = time.time_ns()
    inputs = data["inputs"]
    if not any(
        stamp is not None and stamp[1] < now - _RACY_NS for stamp in inputs["files"].values()
    ):
        return False  # all still too young: a record now would spare the next start nothing
    inputs["recorded_ns"] = now
    write_atomic(path, json.dumps(data, ensure_ascii=True, separators=(",", ":")))
    return True


def store(
    key: str,
    policy: CachedPolicy,
    input_files: list[str],
    input_folders: list[str],
) -> None:
    """Write a cache entry atomically; failures only mean the next run compiles again."""
    path = _entry_path(key)
    if path is None:
        return
    try:
        terms, keys = policy.term_index.data()
        if policy.routes is None or policy.regex_index is None:
            regexes, known = indexed(policy.rules)
        else:
            regexes, known = policy.regex_index, policy.routes
        data = {
            "format": _FORMAT,
            "name": policy.name,
            "description": policy.description,
            "files": policy.files,
            "inputs": {
                "recorded_ns": time.time_ns(),
                "files": {f: _stamp(f) for f in input_files},
                "folders": {d: _listing(d) for d in input_folders},
            },
            "settings": _encode(policy.settings),
            "terms": terms,
            "keys": keys,
            "rules": [_encode(rule) for rule in policy.rules],
            "regexes": regexes.table(),
            "routes": [_encode_route(route) for route in known],
        }
        # ASCII with \u escapes: it loads in 12 ms, UTF-8 in 20 (confusable and emoji keys).
        text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return
    write_atomic(path, text)
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


def indexed(rules: list[c.CompiledRule]) -> tuple[RegexIndex, list[c.Route]]:
    """The rules' regexes, numbered (compiled.index_regexes), and each rule's dispatch
    route by those numbers."""
    regexes = c.index_regexes(rules)
    return regexes, [c.route(rule) for rule in rules]


def _encode_route(known: c.Route) -> list[Any]:
    needed, platforms = known
    parts = None if needed is None else [sorted(part) for part in needed]
    return [parts, None if platforms is None else sorted(platforms)]


def _decode_route(item: Any) -> c.Route:
    parts, platforms = item
    needed = None
    if parts is not None:
        terms, regexes, meta, prechecks = parts
        if not all(type(v) is int for v in (*terms, *regexes)):
            raise _Corrupt("a route's term and regex ids are not integers")
        if not all(type(v) is str for v in (*meta, *prechecks)):
            raise _Corrupt("a route's metadata keys and prechecks are not strings")
        needed = c.Trigger(
            frozenset(terms), frozenset(regexes), frozenset(meta), frozenset(prechecks)
        )
    if platforms is not None:
        if not all(type(v) is str for v in platforms):
            raise _Corrupt("a route's platforms are not strings")
        platforms = frozenset(platforms)
    return needed, platforms


# ----------------------------------------------------------------------------- regex facts
# What the compiler learns of each regex (RE2 accepts it; its atoms, see regexatoms.analyse)
# does not depend on the policy around it: kept across policies, it spares a recompile after
# a policy edit ~115 ms of RE2 validation and syntax-tree analysis for the unchanged ones.

#: Most patterns kept (the most recently learned win).
MAX_REGEX_FACTS = 4096


def _regex_facts_path() -> Path | None:
    from policylint.cachedir import cache_dir

    directory = cache_dir()
    if directory is None:
        return None
    from re2 import _re2  # its build decides which patterns compile

    from policylint import __version__

    try:
        engine = os.stat(_re2.__file__)
    except (OSError, TypeError):
        return None
    parts = (FORMAT_VERSION, __version__, engine.st_size, engine.st_mtime_ns)
    digest = sha256("\0".join(map(str, parts)).encode()).hexdigest()[:24]
    return directory / "regexes" / f"{digest}.json"


def regex_key(source: str, flags: str) -> str:
    return f"{flags}\0{source}"


def load_regex_facts() -> dict[str, Any]:
    """Regexes an earlier compile validated with this RE2 build and analysed with this
    policylint: ``regex_key(source, flags)`` -> ``[atoms, also, non_ascii, exact, repeats]``."""
    path = _regex_facts_path()
    return {} if path is None else read_json_object(path)


def store_regex_facts(facts: Mapping[str, Any]) -> None:
    path = _regex_facts_path()
    if path is None:
        return
    kept = dict(list(facts.items())[-MAX_REGEX_FACTS:])
    write_atomic(path, json.dumps(kept, ensure_ascii=True, separators=(",", ":")))
