"""Configuration: ``.policylint.toml`` or ``[tool.policylint]`` in ``pyproject.toml``.

Discovery works like ruff's: for each checked file, walk up from the file's folder; the
first folder holding a ``.policylint.toml``, or a ``pyproject.toml`` with a
``[tool.policylint]`` table, wins (``.policylint.toml`` first when a folder has both).
Standard input and commands that check no file start from the working directory.
``--config FILE`` uses one file for everything; ``--isolated`` uses none.

Every key is validated here, in one place; an unknown key is an error with a "did you mean".
docs/configuration.md documents each key; ``policylint schema config`` is the JSON Schema.

    [tool.policylint]
    policy = "policy/org.policy"          # a file or builtin:NAME (default builtin:all)
    select = ["privacy", "regulatory"]     # rule ids, globs (tone.*) or categories
    ignore = ["tone.exclamation"]
    fail-on = "warning"                    # error (default) | warning | info | never
    platform = "linkedin"                  # default platform for posts that do not say
    include = ["posts/**"]                 # what is content (default: files that hold posts)
    exclude = ["drafts/archive/**"]

    [[tool.policylint.overrides]]          # per-path changes, in order
    paths = ["posts/finance/**"]
    extend-select = ["regulatory"]
    meta = { industry = "finance" }

    [tool.policylint.waivers]
    require-reason = true

    [tool.policylint.organisation]         # settings the built-in packs read
    competitors = ["Initech"]

    [tool.policylint.thresholds]
    exclamation_run = 3
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from policylint._model.struct import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CONFIG_FILE",
    "KEYS",
    "OVERRIDE_KEYS",
    "SETTING_TABLES",
    "WAIVER_KEYS",
    "Config",
    "ConfigError",
    "ConfigResolver",
    "Override",
    "PathOptions",
    "WaiverSettings",
    "discover_config",
    "load_config",
]

#: The dedicated configuration file's name.
CONFIG_FILE = ".policylint.toml"

#: Top-level keys (tables included), in the order docs/configuration.md lists them.
KEYS: tuple[str, ...] = (
    "policy",
    "select",
    "extend-select",
    "ignore",
    "fail-on",
    "platform",
    "include",
    "exclude",
    "overrides",
    "waivers",
    "organisation",
    "thresholds",
)
#: Keys of one ``[[overrides]]`` entry.
OVERRIDE_KEYS: tuple[str, ...] = (
    "paths",
    "select",
    "extend-select",
    "ignore",
    "platform",
    "meta",
)
#: Keys of the ``[waivers]`` table.
WAIVER_KEYS: tuple[str, ...] = ("require-reason", "report-unused")
#: Tables whose keys become policy settings: ``[organisation] competitors = [...]`` is the
#: setting ``organisation.competitors``.
SETTING_TABLES: tuple[str, ...] = ("organisation", "thresholds")

_FAIL_ON = ("error", "warning", "info", "never")


class ConfigError(Exception):
    """A configuration file is malformed or has an unknown key."""

    def __init__(self, path: Path, message: str, hint: str | None = None) -> None:
        self.path = path
        self.message = message
        self.hint = hint
        text = f"{path}: error: {message}"
        if hint:
            text += f"\n  = hint: {hint}"
        super().__init__(text)


#: The default of the mapping fields below: read-only, so one instance serves every record.
_NOTHING: Mapping[str, Any] = MappingProxyType({})


class WaiverSettings(NamedTuple):
    """``[waivers]``: how inline and metadata waivers are policed."""

    #: A waiver without ``-- reason``: True refuses it (an error of ``policylint.waiver``),
    #: False allows it silently, None (not configured) lets it work but reports a warning.
    require_reason: bool | None = None
    #: Report waivers that waive nothing (same as ``--report-unused-waivers``).
    report_unused: bool = False


class Override(NamedTuple):
    """One ``[[overrides]]`` entry: changes for the files its ``paths`` globs match."""

    paths: tuple[str, ...]
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    platform: str | None = None
    meta: Mapping[str, Any] = _NOTHING

    def matches(self, relative: str | None) -> bool:
        return relative is not None and any(_glob_match(relative, p) for p in self.paths)


class PathOptions(NamedTuple):
    """What the configuration says for one file, overrides applied (before the command line)."""

    select: tuple[str, ...]
    extend_select: tuple[str, ...]
    ignore: tuple[str, ...]
    platform: str | None
    meta: Mapping[str, Any]


class Config(NamedTuple):
    """One configuration file's contents (or the defaults, with ``path`` None)."""

    path: Path | None = None
    policy: str | None = None
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "error"
    platform: str | None = None
    #: Globs of the files that are content; empty: files that can hold posts are (see
    #: :mod:`policylint.sources.content`).
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    overrides: tuple[Override, ...] = ()
    waivers: WaiverSettings = WaiverSettings()
    settings: Mapping[str, Any] = _NOTHING

    @property
    def root(self) -> Path:
        """The folder relative paths and globs of this configuration are taken from."""
        return self.path.parent if self.path else Path.cwd()

    def policy_path(self) -> str | None:
        """The configured policy, relative paths taken from the config file's folder."""
        if self.policy is None or self.policy.startswith("builtin:"):
            return self.policy
        return str(self.root / self.policy)

    def relative(self, path: str | os.PathLike[str]) -> str | None:
        """``path`` relative to :attr:`root`, with forward slashes; None when outside it."""
        absolute = os.path.abspath(path)
        root = os.path.abspath(self.root)
        try:
            relative = os.path.relpath(absolute, root)
        except ValueError:  # another drive on Windows
            return None
        if relative == os.curdir:
            return ""
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return None
        return PurePosixPath(*Path(relative).parts).as_posix()

    def is_excluded(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``exclude`` leaves ``path`` out.

        A pattern without ``/`` matches any single component of the path below the root
        (``drafts``, ``*.bak.md``); a pattern with ``/`` matches the path relative to the
        root or one of its parent folders (``archive/2023``, ``posts/*/old/**``). Files
        outside the root are matched on their name only.
        """
        return self._matches(path, self.exclude)

    def is_included(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``include`` names ``path`` as content, matched as ``exclude`` is. Only
        asked when ``include`` is set, of the files policylint chooses itself (a folder's,
        or every named file with ``--force-exclude``)."""
        return self._matches(path, self.include)

    def _matches(self, path: str | os.PathLike[str], patterns: tuple[str, ...]) -> bool:
        if not patterns:
            return False
        relative = self.relative(path)
        if relative is None:
            relative = Path(path).name
        return any(_glob_match(relative, pattern) for pattern in patterns)

    def check_settings(self, declared: Iterable[str]) -> None:
        """Raise :class:`ConfigError` for an ``[organisation]``/``[thresholds]`` key that the
        policy does not declare (a typo there would otherwise silently change nothing)."""
        known = sorted(declared)
        for name in self.settings:
            if name in known:
                continue
            table, _, key = name.partition(".")
            import difflib

            close = difflib.get_close_matches(name, known, n=1)
            in_table = [k for k in known if k.startswith(table + ".")]
            if close:
                hint = f"did you mean '{close[0].partition('.')[2]}' ({close[0]})?"
            elif in_table:
                hint = f"the policy declares: {', '.join(in_table)}"
            else:
                hint = f"the policy declares no [{table}] settings"
            raise ConfigError(
                self.path or Path(CONFIG_FILE),
                f"unknown setting '{key}' in [{table}]: the policy does not declare {name}",
                hint,
            )

    def selector_lists(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every rule-selector list of the file, keyed as messages name it (``select``,
        ``overrides[2].ignore``), so each can be checked against the policy."""
        lists = [
            ("select", self.select),
            ("extend-select", self.extend_select),
            ("ignore", self.ignore),
        ]
        for number, override in enumerate(self.overrides, start=1):
            lists.append((f"overrides[{number}].select", override.select or ()))
            lists.append((f"overrides[{number}].extend-select", override.extend_select))
            lists.append((f"overrides[{number}].ignore", override.ignore))
        return lists

    def locate(self, key: str, value: str) -> tuple[int, int] | None:
        """Line and column (1-based) of the string ``value`` written under ``key`` (as
        :meth:`selector_lists` names it), for error messages; None when it cannot be told.
        TOML parsers keep no positions, so the text is searched: the value's first quoted
        occurrence after the key's assignment, in the key's table."""
        if self.path is None:
            return None
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        import re

        table, _, name = key.rpartition(".")
        header = r"^[ \t]*\[tool\.policylint\]"  # pyproject.toml; none in .policylint.toml
        if table:  # "overrides[N]": the N-th [[overrides]] table
            header = r"^[ \t]*\[\[(?:tool\.policylint\.)?overrides\]\]"
        number = int(table[len("overrides[") : -1]) if table else 1
        headers = list(re.finditer(header, text, re.MULTILINE))
        if table and len(headers) < number:
            return None
        start = headers[number - 1].end() if len(headers) >= number else 0
        assignment = re.compile(rf"^[ \t]*{re.escape(name)}[ \t]*=", re.MULTILINE)
        assigned = assignment.search(text, start)
        if assigned is None:
            return None
        found = re.compile(rf"([\"'])({re.escape(value)})\1").search(text, assigned.end())
        if found is None:
            return None
        offset = found.start()  # the string's opening quote, as TOML's own errors point
        line_start = text.rfind("\n", 0, offset) + 1
        return text.count("\n", 0, offset) + 1, offset - line_start + 1

    def for_path(self, path: str | os.PathLike[str] | None) -> PathOptions:
        """The options for ``path`` (None: standard input), overrides applied in order."""
        select = self.select
        extend = list(self.extend_select)
        ignore = list(self.ignore)
        platform = self.platform
        meta: dict[str, Any] = {}
        relative = self.relative(path) if path is not None else None
        for override in self.overrides:
            if not override.matches(relative):
                continue
            if override.select is not None:
                select, extend = override.select, []
            extend.extend(override.extend_select)
            ignore.extend(override.ignore)
            platform = override.platform or platform
            meta.update(override.meta)
        return PathOptions(
            select=tuple(select),
            extend_select=tuple(extend),
            ignore=tuple(ignore),
            platform=platform,
            meta=meta,
        )


def _glob_match(relative: str, pattern: str) -> bool:
    """Match a root-relative posix path against an exclude/override glob (see is_excluded)."""
    pattern = pattern.strip().replace("\\", "/").removeprefix("./").rstrip("/")
    if not pattern:
        return False
    parts = relative.split("/") if relative else []
    if "/" not in pattern:
        return any(fnmatchcase(part, pattern) for part in parts)
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    patterns = [pattern]
    if pattern.startswith("**/"):
        patterns.append(pattern.removeprefix("**/"))
    if pattern.endswith("/**"):
        patterns.append(pattern.removesuffix("/**"))
    return any(fnmatchcase(c, p) for c in candidates for p in patterns)


# ---------------------------------------------------------------------------- discovery


def discover_config(start: Path | None = None) -> Path | None:
    """The nearest config file at or above ``start`` (default: the working directory)."""
    folder = (start or Path.cwd()).resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        found = _config_in(candidate)
        if found is not None:
            return found
    return None


def _config_in(folder: Path) -> Path | None:
    """The config file of one folder, if it has one."""
    from policylint._cache import toml as tomlcache

    dedicated = folder / CONFIG_FILE
    if dedicated.is_file():
        return dedicated
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        raw = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if "policylint" not in raw:
        return None  # [tool.policylint], quoted or dotted, holds the word: not ours
    try:
        data = tomlcache.loads(pyproject, raw)
    except ValueError as error:  # tomllib.TOMLDecodeError
        # Someone else's broken pyproject.toml is not ours to report, unless it is where our
        # configuration lives: ignoring that would silently check with the wrong settings.
        if "tool.policylint" in raw:
            raise ConfigError(pyproject, f"invalid TOML: {error}") from None
        return None
    tool = data.get("tool")
    if isinstance(tool, dict) and "policylint" in tool:
        return pyproject
    return None


class ConfigResolver:
    """Finds and loads the configuration for each checked file, caching per folder.

    ``explicit`` (``--config``) is used for every file; ``isolated`` (``--isolated``) means
    no configuration at all. Raises :class:`ConfigError` for a file that cannot be used.
    """

    def __init__(self, explicit: Path | None = None, *, isolated: bool = False) -> None:
        self._explicit = explicit
        self._isolated = isolated
        self._by_folder: dict[Path, Path | None] = {}
        self._loaded: dict[Path, Config] = {}
        self._default = Config()

    @property
    def fixed(self) -> bool:
        """True when every file gets the same configuration (``--config`` or ``--isolated``)."""
        return self._isolated or self._explicit is not None

    def for_cwd(self) -> Config:
        return self.for_folder(Path.cwd())

    def for_file(self, path: str | os.PathLike[str]) -> Config:
        return self.for_folder(Path(os.path.abspath(path)).parent)

    def for_folder(self, folder: Path) -> Config:
        if self._isolated:
            return self._default
        if self._explicit is not None:
            return self._load(self._explicit)
        found = self._find(Path(os.path.abspath(folder)))
        return self._load(found) if found is not None else self._default

    def _find(self, folder: Path) -> Path | None:
        walked: list[Path] = []
        found: Path | None = None
        current: Path | None = folder
        while current is not None:
            if current in self._by_folder:
                found = self._by_folder[current]
                break
            walked.append(current)
            found = _config_in(current)
            if found is not None:
                break
            current = current.parent if current.parent != current else None
        for seen in walked:
            self._by_folder[seen] = found
        return found

    def _load(self, path: Path) -> Config:
        key = Path(os.path.abspath(path))
        if key not in self._loaded:
            self._loaded[key] = load_config(path)
        return self._loaded[key]


# ---------------------------------------------------------------------------- loading


def load_config(path: Path) -> Config:
    """Read and validate one configuration file (a ``pyproject.toml`` uses its
    ``[tool.policylint]`` table). Raises :class:`ConfigError`."""
    from policylint._cache import toml as tomlcache

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, f"cannot read: {error}") from None
    try:
        data = tomlcache.loads(Path(os.path.abspath(path)), text)
    except ValueError as error:  # tomllib.TOMLDecodeError
        raise ConfigError(path, f"invalid TOML: {error}") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("policylint", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise ConfigError(path, "[tool.policylint] must be a table")
    return from_mapping(path, data)


def from_mapping(path: Path, data: Mapping[str, Any]) -> Config:
    """Validate a configuration table (the contents of ``.policylint.toml``)."""
    _check_keys(path, data, KEYS, "")
    settings: dict[str, Any] = {}
    for table in SETTING_TABLES:
        if table in data:
            value = _table(path, data, table, "")
            for name, setting in value.items():
                settings[f"{table}.{name}"] = setting
    fail_on = data.get("fail-on", "error")
    if fail_on not in _FAIL_ON:
        raise ConfigError(path, f"'fail-on' must be one of {', '.join(_FAIL_ON)}, not {fail_on!r}")
    return Config(
        path=path,
        policy=_string(path, data, "policy", ""),
        select=_strings(path, data, "select", ""),
        extend_select=_strings(path, data, "extend-select", ""),
        ignore=_strings(path, data, "ignore", ""),
        fail_on=fail_on,
        platform=_string(path, data, "platform", ""),
        include=_strings(path, data, "include", ""),
        exclude=_strings(path, data, "exclude", ""),
        overrides=_overrides(path, data),
        waivers=_waivers(path, data),
        settings=settings,
    )


def _overrides(path: Path, data: Mapping[str, Any]) -> tuple[Override, ...]:
    raw = data.get("overrides", [])
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ConfigError(
            path,
            "'overrides' must be an array of tables",
            "write each as [[overrides]] (or [[tool.policylint.overrides]] in pyproject.toml)",
        )
    result = []
    for number, item in enumerate(raw, start=1):
        where = f"overrides[{number}]."
        _check_keys(path, item, OVERRIDE_KEYS, where)
        paths = _strings(path, item, "paths", where)
        if not paths:
            raise ConfigError(path, f"'{where}paths' is required: the globs the override is for")
        result.append(
            Override(
                paths=paths,
                select=_strings(path, item, "select", where) if "select" in item else None,
                extend_select=_strings(path, item, "extend-select", where),
                ignore=_strings(path, item, "ignore", where),
                platform=_string(path, item, "platform", where),
                meta=dict(_table(path, item, "meta", where)),
            )
        )
    return tuple(result)


def _waivers(path: Path, data: Mapping[str, Any]) -> WaiverSettings:
    table = _table(path, data, "waivers", "")
    _check_keys(path, table, WAIVER_KEYS, "waivers.")
    values = {}
    for key in WAIVER_KEYS:
        if key not in table:
            continue  # the default: unset (see WaiverSettings)
        value = table[key]
        if not isinstance(value, bool):
            raise ConfigError(path, f"'waivers.{key}' must be true or false")
        values[key.replace("-", "_")] = value
    return WaiverSettings(**values)


def _check_keys(path: Path, data: Mapping[str, Any], known: Sequence[str], where: str) -> None:
    for key in data:
        if key in known:
            continue
        import difflib

        close = difflib.get_close_matches(str(key), list(known), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(known)
        raise ConfigError(path, f"unknown key '{where}{key}'", hint)


def _table(path: Path, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(path, f"'{where}{key}' must be a table")
    return value


def _string(path: Path, data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(path, f"'{where}{key}' must be a string")
    return value


def _strings(path: Path, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(path, f"'{where}{key}' must be a list of strings")
    return tuple(value)
