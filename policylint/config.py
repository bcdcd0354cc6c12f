"""Configuration: ``.policylint.toml`` or ``[tool.policylint]`` in ``pyproject.toml``.

Discovery walks up from the working directory (like ruff): the first folder holding a
``.policylint.toml``, or a ``pyproject.toml`` with a ``[tool.policylint]`` table, wins.
Every key is validated here, in one place; an unknown key is an error with a suggestion.

    [tool.policylint]
    policy = "policy/org.policy"          # a file or builtin:NAME (default builtin:all)
    select = ["privacy", "regulatory"]     # rule ids, globs (tone.*) or categories
    ignore = ["tone.exclamation"]
    fail-on = "warning"                    # error (default) | warning | info
    platform = "linkedin"                  # default platform for .txt/.md/stdin posts
    exclude = ["drafts/archive/**"]

    [tool.policylint.organisation]         # settings the built-in packs read
    competitors = ["Initech"]

    [tool.policylint.thresholds]
    exclamation = 3
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Config", "ConfigError", "discover_config", "load_config"]

_KEYS = ("policy", "select", "ignore", "fail-on", "platform", "exclude")
# Tables whose keys become policy settings: [tool.policylint.organisation] competitors = [...]
# is the setting organisation.competitors.
_SETTING_TABLES = ("organisation", "thresholds")
_SEVERITIES = ("error", "warning", "info")


class ConfigError(Exception):
    """A configuration file is malformed or has an unknown key."""

    def __init__(self, path: Path, message: str, hint: str | None = None) -> None:
        self.path = path
        self.hint = hint
        text = f"{path}: error: {message}"
        if hint:
            text += f"\n  = hint: {hint}"
        super().__init__(text)


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None
    policy: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "error"
    platform: str | None = None
    exclude: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def policy_path(self) -> str | None:
        """The configured policy, relative paths taken from the config file's folder."""
        if self.policy is None or self.policy.startswith("builtin:"):
            return self.policy
        return str(self.root / self.policy)


def discover_config(start: Path | None = None) -> Path | None:
    """The nearest config file at or above ``start`` (default: the working directory)."""
    import tomllib

    folder = (start or Path.cwd()).resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        dedicated = candidate / ".policylint.toml"
        if dedicated.is_file():
            return dedicated
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if "policylint" in data.get("tool", {}):
                return pyproject
    return None


def load_config(path: Path) -> Config:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, f"cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, f"invalid TOML: {error}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("policylint", {})
    return _from_mapping(path, data)


def _from_mapping(path: Path, data: dict[str, Any]) -> Config:
    settings: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SETTING_TABLES:
            if not isinstance(value, dict):
                raise ConfigError(path, f"'{key}' must be a table ([{key}])")
            for name, setting in value.items():
                settings[f"{key}.{name}"] = setting
            continue
        if key not in _KEYS:
            close = difflib.get_close_matches(key, [*_KEYS, *_SETTING_TABLES], n=1)
            raise ConfigError(
                path,
                f"unknown key '{key}'",
                f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(_KEYS),
            )
        values[key] = value
    for key in ("select", "ignore", "exclude"):
        if key in values:
            items = values[key]
            if isinstance(items, str):
                items = [items]
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise ConfigError(path, f"'{key}' must be a list of strings")
            values[key] = tuple(items)
    fail_on = values.get("fail-on", "error")
    if fail_on not in _SEVERITIES:
        raise ConfigError(path, f"'fail-on' must be one of {', '.join(_SEVERITIES)}")
    for key in ("policy", "platform"):
        if key in values and not isinstance(values[key], str):
            raise ConfigError(path, f"'{key}' must be a string")
    return Config(
        path=path,
        policy=values.get("policy"),
        select=values.get("select", ()),
        ignore=values.get("ignore", ()),
        fail_on=fail_on,
        platform=values.get("platform"),
        exclude=values.get("exclude", ()),
        settings=settings,
    )
