"""The compiled-policy cache: skip parsing and compiling when no policy file changed.

A policy is compiled once and stored as JSON in the per-user cache directory, sealed with
this user's key (:mod:`policylint.cachedir`): an entry is read only if this user's
policylint wrote it under its name, so an entry edited by hand, corrupted, copied from
elsewhere or moved over another is a miss, and is rebuilt.

JSON is data: loading it instantiates only the node classes listed in ``_NODE_TYPES`` with
plain values, and every entry is validated in full before it is used (:class:`_Decoder`):
each node's field types and allowed values, counts and distances, term ids within the term
list, regex and term ids of the dispatch routes, the key table of the term automaton, and
the regex table against the regexes of the rules. Anything else makes the entry a miss.

An entry records what its compile read (:mod:`policylint.stamps`): every policy file's
size, modification time and SHA-256 as read, and the listing of every pack folder it
globbed; it is used only while all are unchanged (a file is hashed again unless its size
and time match and it was last modified well before it was read). The key covers the
policylint version, the grammar, the root policy, the working directory (relative extends
of text policies) and the settings.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Mapping
from itertools import chain, repeat
from pathlib import Path

from policylint import compiled as c
from policylint.cachedir import read_json_object, sha256, write_json
from policylint.regexset import RegexIndex
from policylint.severity import Severity
from policylint.stamps import FileStamp, folder_listing
from policylint.struct import NamedTuple, Struct
from policylint.terms import TermIndex

__all__ = ["STALE_AFTER_S", "CachedPolicy", "cache_key", "indexed", "load", "store"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMAT_VERSION = 18

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

_UNITS = frozenset({"words", "chars", "lines"})
_SCOPES = frozenset({"first", "last", "hashtags", "mentions", "links", "field"})
_DIRECTIONS = frozenset({"preceded", "followed", "near"})
_GETTERS = frozenset({"const", "platform", "metric", "meta"})
_OPERATORS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_EXPECT = frozenset({"pass", "fail"})
_REGEX_FLAGS = frozenset("ims")
_STR = frozenset({str})


class _Decoder:
    """Makes an entry's JSON back into nodes, checking each as it is made: what the engine
    relies on (types, allowed values, counts, term ids within the term list) holds, or
    :class:`_Corrupt` is raised. The regex nodes made are kept, to be checked against the
    entry's regex table."""

    def __init__(self, term_count: int) -> None:
        self.term_count = term_count
        self.regexes: list[c.RegexNode] = []

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind is list:
            return tuple([v if type(v) in _SCALARS else self.value(v) for v in value])
        if kind is not dict or len(value) != 1:
            raise _Corrupt("unexpected value")
        ((key, fields),) = value.items()
        cls = _NODE_TYPES.get(key)
        if cls is not None:
            if type(fields) is not list or len(fields) != len(cls.FIELDS):
                raise _Corrupt(f"{key}: not its fields")
            node = cls(*[v if type(v) in _SCALARS else self.value(v) for v in fields])
            if not _CHECKS[cls](self, node):
                raise _Corrupt(f"{key}: a field out of its range")
            return node
        if key == "@set":
            if type(fields) is not list:
                raise _Corrupt("@set: not a list")
            return frozenset(fields)  # TypeError for an unhashable item
        if key == "@map":
            if type(fields) is not dict:
                raise _Corrupt("@map: not an object")
            return {k: v if type(v) in _SCALARS else self.value(v) for k, v in fields.items()}
        if key == "@severity":
            return Severity(fields)  # ValueError for an unknown level
        raise _Corrupt("unexpected object")

    def term_ids(self, ids: Any) -> bool:
        return _ints_below(ids, self.term_count)

    def regex(self, node: c.RegexNode) -> bool:
        self.regexes.append(node)
        return (
            type(node.source) is str
            and type(node.flags) is str
            and set(node.flags) <= _REGEX_FLAGS
            and _strs(node.atoms)
            and _strs(node.also)
            and type(node.non_ascii) is bool
            and type(node.exact) is bool
            and type(node.repeats) is int
            and node.repeats >= 1
        )


def _ints_below(values: Any, bound: int) -> bool:
    """Whether ``values`` is a tuple or list of ints (not bools) in ``range(bound)``."""
    if type(values) not in (tuple, list, frozenset):
        return False
    return not values or (
        set(map(type, values)) == {int} and min(values) >= 0 and max(values) < bound
    )


def _all_strings(values: list[Any]) -> bool:
    """Whether every item is a string: ``str.join`` checks them in C, a loop in Python
    would cost ~1 ms over the built-in packs' 14,000 term keys."""
    try:
        "".join(values)
    except TypeError:
        return False
    return True


def _strs(values: Any) -> bool:
    return type(values) in (tuple, frozenset) and set(map(type, values)) <= _STR


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _optional_str(value: Any) -> bool:
    return value is None or type(value) is str


def _all(values: Any, base: type) -> bool:
    return type(values) is tuple and all(map(isinstance, values, repeat(base)))


def _data(value: Any) -> bool:
    """Whether ``value`` is plain data (a constant, a setting, an example's metadata)."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is tuple:
        return all(_data(v) for v in value)
    if kind is dict:
        return all(type(k) is str and _data(v) for k, v in value.items())
    return False


_Pattern, _Condition = c.PatternNode, c.ConditionNode

#: Each node class's check of its fields (its children are checked already). The tests are
#: written out: a warm start checks ~4,000 nodes, and a call costs as much as a test.
_CHECKS: dict[type[Any], Any] = {
    c.TermsNode: lambda d, n: d.term_ids(n.term_ids),
    c.RegexNode: lambda d, n: d.regex(n),
    c.DetectNode: lambda d, n: type(n.name) is str,
    c.ScopedNode: lambda d, n: (
        isinstance(n.inner, _Pattern)
        and n.kind in _SCOPES
        and (type(n.amount) is int and n.amount >= 0)
        and n.unit in _UNITS
        and type(n.path) is str
    ),
    c.NearNode: lambda d, n: (
        isinstance(n.left, _Pattern)
        and isinstance(n.right, _Pattern)
        and (type(n.distance) is int and n.distance >= 0)
        and n.unit in _UNITS
        and type(n.negated) is bool
        and type(n.ordered) is bool
    ),
    c.AnyNode: lambda d, n: _all(n.items, _Pattern),
    c.AllNode: lambda d, n: _all(n.items, _Pattern),
    c.Getter: lambda d, n: (
        n.kind in _GETTERS
        and (
            _data(n.value)
            if n.kind == "const"
            else n.value is None
            if n.kind == "platform"
            else type(n.value) is str
        )
    ),
    c.CompareNode: lambda d, n: (
        type(n.left) is c.Getter and n.op in _OPERATORS and type(n.right) is c.Getter
    ),
    c.MemberNode: lambda d, n: (
        type(n.operand) is c.Getter and type(n.values) is c.Getter and type(n.negated) is bool
    ),
    c.ContainsNode: lambda d, n: isinstance(n.pattern, _Pattern),
    c.TruthyNode: lambda d, n: type(n.getter) is c.Getter,
    c.NotNode: lambda d, n: isinstance(n.item, _Condition),
    c.AndNode: lambda d, n: _all(n.items, _Condition),
    c.OrNode: lambda d, n: _all(n.items, _Condition),
    c.ContextException: lambda d, n: (
        n.direction in _DIRECTIONS
        and isinstance(n.pattern, _Pattern)
        and (type(n.distance) is int and n.distance >= 0)
        and n.unit in _UNITS
    ),
    c.AllowException: lambda d, n: (
        type(n.literal) is frozenset
        and _strs(n.literal)
        and type(n.by_detector) is dict
        and all(type(v) is frozenset and _strs(v) for v in n.by_detector.values())
    ),
    c.InsideException: lambda d, n: isinstance(n.pattern, _Pattern),
    c.ExampleSpec: lambda d, n: (
        n.expect in _EXPECT
        and type(n.text) is str
        and (n.platform is None or type(n.platform) is str)
        and type(n.meta) is dict
        and (not n.meta or _data(n.meta))
        and (type(n.line) is int and n.line >= 0)
    ),
    c.CompiledRule: lambda d, n: (
        type(n.id) is str
        and type(n.category) is str
        and type(n.severity) is Severity
        and (n.owner is None or type(n.owner) is str)
        and (n.reference is None or type(n.reference) is str)
        and (n.reference_url is None or type(n.reference_url) is str)
        and type(n.message) is str
        and (n.description is None or type(n.description) is str)
        and (n.suggestion is None or type(n.suggestion) is str)
        and type(n.fix_safe) is bool
        and type(n.waivable) is bool
        and type(n.path) is str
        and (type(n.line) is int and n.line >= 0)
        and _all(n.guards, _Condition)
        and _all(n.post_exceptions, _Condition)
        and _all(n.flags, _Pattern)
        and _all(n.requires, _Pattern)
        and _all(n.match_exceptions, c.MatchException)
        and _all(n.examples, c.ExampleSpec)
        and _strs(n.placeholders)
    ),
}
assert set(_CHECKS) == set(_NODE_TYPES.values())


# ----------------------------------------------------------------------------- keys
def cache_key(source: str | None, text: str | None, settings: Mapping[str, Any] | None) -> str:
    from policylint import __version__
    from policylint.resources import grammar_path, rules_dir

    digest = sha256()
    for part in (
        _FORMAT,
        __version__,
        # Where this copy of policylint lives: two installs of the same version (two virtual
        # environments, a checkout beside a release) have their own built-in packs and code,
        # and must not use each other's entries through a shared cache folder.
        str(Path(__file__).resolve().parent),
        str(rules_dir().resolve()),
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
    from policylint.cachedir import cache_dir

    directory = cache_dir()
    if directory is None:
        return None
    return directory / "policies" / f"{key}.json"


def _is_stamp(value: Any) -> bool:
    return value is None or (
        type(value) is list
        and len(value) == 3
        and _count(value[0])
        and type(value[1]) is int
        and type(value[2]) is str
        and len(value[2]) == 64
    )


# ----------------------------------------------------------------------------- load / store
def load(key: str) -> CachedPolicy | None:
    """The cached policy for ``key`` if present, sealed, valid and up to date; else None."""
    path = _entry_path(key)
    if path is None:
        return None
    data = read_json_object(path)
    if data.get("format") != _FORMAT:
        return None
    try:
        if not _inputs_unchanged(path, data):
            return None
        return _decoded(data)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, _Corrupt):
        return None


def _inputs_unchanged(path: Path, data: dict[str, Any]) -> bool:
    """Whether the files and folders the entry was compiled from are as they were read.
    Stamps found by hashing are recorded again (see :func:`_refresh`); a used entry is
    touched (see :func:`_prune`)."""
    inputs = data["inputs"]
    recorded_ns, files, folders = inputs["recorded_ns"], inputs["files"], inputs["folders"]
    if not (type(recorded_ns) is int and type(files) is dict and type(folders) is dict):
        raise _Corrupt("inputs")
    checked_ns = time.time_ns()  # before any file is looked at: what a new record may say
    rehashed = False
    for file_path, stamp in files.items():
        if not _is_stamp(stamp):
            raise _Corrupt("a file's stamp")
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


def _decoded(data: dict[str, Any]) -> CachedPolicy:
    """The policy an entry describes, every part of it validated (raises ``_Corrupt``,
    ``ValueError``...)."""
    terms = data["terms"]
    index = TermIndex.from_data(terms, _key_table(data["keys"], len(terms)))
    # The regexes as numbered when stored: no walk over every rule to number them again
    # (a rule's regex nodes look their ids up on first use).
    regexes = RegexIndex.from_table(data["regexes"])
    decoder = _Decoder(len(terms))
    rules = [decoder.value(rule) for rule in data["rules"]]
    if not all(type(rule) is c.CompiledRule for rule in rules):
        raise _Corrupt("not a rule")
    if len({rule.id for rule in rules}) != len(rules):
        raise _Corrupt("a rule id twice")
    _check_regex_table(decoder.regexes, regexes)
    routes = [_decode_route(item, len(terms), len(regexes)) for item in data["routes"]]
    if len(routes) != len(rules):
        raise _Corrupt("not a route per rule")
    settings = decoder.value(data["settings"])
    name, description, files = data["name"], data["description"], data["files"]
    if not (
        type(settings) is dict
        and _data(settings)
        and type(name) is str
        and _optional_str(description)
        and type(files) is list
        and all(type(f) is str for f in files)
    ):
        raise _Corrupt("the policy's name, description, files or settings")
    return CachedPolicy(
        name=name,
        description=description,
        rules=rules,
        term_index=index,
        settings=settings,
        files=files,
        routes=routes,
        regex_index=regexes,
    )


def _key_table(table: Any, term_count: int) -> dict[str, Any]:
    """The term automaton's key table (``TermIndex.data``), checked: sorted distinct keys,
    each with the ids (and flags) of terms that exist, and the lengths by start."""
    keys, targets, starts = table["keys"], table["targets"], table["starts"]
    # Checked a list at a time, not an item at a time: the built-in packs have 14,000 keys.
    if not (
        type(keys) is list
        and type(targets) is list
        and len(targets) == len(keys)
        and _all_strings(keys)
        and "" not in keys
        and keys == sorted(keys)  # the lookup bisects them
        and type(starts) is dict
        and set(map(type, starts.values())) <= {list}
        and _ints_below(list(chain.from_iterable(starts.values())), 1 << 30)
    ):
        raise _Corrupt("the term table")
    bound = term_count << 3  # a target is a term id and three flag bits (terms._target)
    single = [t for t in targets if type(t) is int]
    several = [t for t in targets if type(t) is not int]
    if not (
        _ints_below(single, bound)
        and set(map(type, several)) <= {list}
        and [] not in several
        and _ints_below(list(chain.from_iterable(several)), bound)
    ):
        raise _Corrupt("the term table's targets")
    return table  # type: ignore[no-any-return]


def _check_regex_table(nodes: list[c.RegexNode], table: RegexIndex) -> None:
    """Every regex of the rules is in the table with the same facts (the prefilter reads
    the table, a rule its node), and the table holds nothing else."""
    rows = table.table()
    seen: set[int] = set()
    for node in nodes:
        found = table.id_of(node.source, node.flags)
        if found < 0:
            raise _Corrupt("a regex missing from the table")
        row = [
            node.source,
            node.flags,
            list(node.atoms),
            list(node.also),
            node.non_ascii,
            node.exact,
            node.repeats if node.atoms else 1,
        ]
        if rows[found] != row:
            raise _Corrupt("a regex's facts differ from the table's")
        seen.add(found)
    if len(seen) != len(rows):
        raise _Corrupt("a regex in the table no rule has")


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
    policy: CachedPolicy,
    file_stamps: Mapping[str, FileStamp | None],
    folder_listings: Mapping[str, list[str] | None],
) -> None:
    """Write a cache entry atomically, recording the inputs as the compile read them
    (``policylint.stamps``); failures only mean the next run compiles again."""
    path = _entry_path(key)
    if path is None:
        return
    read = [stamp.read_ns for stamp in file_stamps.values() if stamp is not None]
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
                # The racy-clean rule compares each file's time with this: when the first
                # file was read, or now if none was (a policy given as text, builtin-free).
                "recorded_ns": min(read, default=time.time_ns()),
                "files": {
                    name: None if stamp is None else [stamp.size, stamp.mtime_ns, stamp.digest]
                    for name, stamp in file_stamps.items()
                },
                "folders": dict(folder_listings),
            },
            "settings": _encode(policy.settings),
            "terms": terms,
            "keys": keys,
            "rules": [_encode(rule) for rule in policy.rules],
            "regexes": regexes.table(),
            "routes": [_encode_route(route) for route in known],
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


def indexed(rules: list[c.CompiledRule]) -> tuple[RegexIndex, list[c.Route]]:
    """The rules' regexes, numbered (compiled.index_regexes), and each rule's dispatch
    route by those numbers."""
    regexes = c.index_regexes(rules)
    return regexes, [c.route(rule) for rule in rules]


def _encode_route(known: c.Route) -> list[Any]:
    needed, platforms = known
    parts = None if needed is None else [sorted(part) for part in needed]
    return [parts, None if platforms is None else sorted(platforms)]


def _decode_route(item: Any, term_count: int, regex_count: int) -> c.Route:
    parts, platforms = item
    needed = None
    if parts is not None:
        terms, regexes, meta, prechecks = parts
        if not (_ints_below(terms, term_count) and _ints_below(regexes, regex_count)):
            raise _Corrupt("a route's term and regex ids are not the policy's")
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
    write_json(path, dict(list(facts.items())[-MAX_REGEX_FACTS:]))
