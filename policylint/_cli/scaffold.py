"""``policylint init``: a starter configuration and policy for a content repository.

Writes ``.policylint.toml`` and ``policy/org.policy`` (a policy extending every built-in
pack, with one example rule of the organisation's own). The configuration lists every
setting the built-in packs declare (``setting organisation.X = default``), commented out,
with the packs' own explanation, so the organisation's facts are one uncomment away.
Existing files are never overwritten.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from policylint._model.struct import NamedTuple

__all__ = [
    "CONFIG_NAME",
    "POLICY_NAME",
    "ScaffoldError",
    "Setting",
    "declared_settings",
    "setting_names",
    "starter_config",
    "starter_policy",
    "write_starter",
]

CONFIG_NAME = ".policylint.toml"
POLICY_NAME = "policy/org.policy"

_SETTING = re.compile(r"^\s*setting\s+(?P<name>[A-Za-z_][\w.]*)\s*=\s*(?P<value>.+?)\s*$")


class ScaffoldError(Exception):
    """The starter files cannot be written (they exist, or the folder is not writable)."""


class Setting(NamedTuple):
    """A setting a built-in pack declares: ``setting NAME = DEFAULT``."""

    name: str
    default: str
    comment: tuple[str, ...]
    pack: str

    @property
    def table(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.name.split(".", 1)[1]


def declared_settings(root: Path | None = None) -> list[Setting]:
    """Every ``setting`` declared by the packs under ``root`` (default: the built-in
    ``rules/``), with the comment lines just above it; the first declaration wins."""
    if root is None:
        from policylint._resources import rules_dir

        root = rules_dir()
    found: dict[str, Setting] = {}
    files = sorted(root.rglob("*.policy"), key=lambda p: (p.name != "organisation.policy", p))
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        comment: list[str] = []
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("#"):
                comment.append(stripped.lstrip("#").strip())
                continue
            matched = _SETTING.match(line)
            value = _value(matched.group("value")) if matched else None
            if matched and value is not None and "." in matched.group("name"):
                name = matched.group("name")
                if name not in found:
                    pack = path.relative_to(root).as_posix()
                    found[name] = Setting(name, value, tuple(comment), pack)
                # A comment above several declarations in a row explains the first one.
            comment = []
    # organisation.* first, each table in the order the packs declare it.
    return sorted(found.values(), key=lambda s: s.table != "organisation")


_LITERAL = re.compile(
    r'"(?:[^"\\]|\\.)*"'  # a string
    r'|\[(?:[^\]"]|"(?:[^"\\]|\\.)*")*\]'  # a one-line list (of strings, numbers...)
    r"|[-+]?\d+(?:\.\d+)?|true|false"
)


def _value(text: str) -> str | None:
    """The literal a one-line declaration gives (its trailing comment dropped), or None."""
    found = _LITERAL.match(text)
    if found is None:
        return None
    rest = text[found.end() :].strip()
    return found.group(0) if not rest or rest.startswith("#") else None


_DECLARATION = re.compile(r"^\s*setting\s+([A-Za-z_][\w.]*)\s*=", re.MULTILINE)


def setting_names(files: Sequence[str]) -> set[str] | None:
    """The names of the settings declared in a loaded policy's files (``Policy.files``:
    paths, or ``builtin:PACK/FILE`` labels), or None if a file cannot be read."""
    from policylint._resources import rules_dir

    names: set[str] = set()
    for label in files:
        if label.startswith("builtin:"):
            relative = label.removeprefix("builtin:")
            # A pack's files are labelled PACK/FILE: "privacy/contact.policy" for a folder
            # pack, "organisation/organisation.policy" for a one-file pack and
            # "privacy/people/people.policy" for one file of a folder pack, extended alone.
            path = rules_dir() / relative
            if not path.is_file():
                path = rules_dir() / f"{Path(relative).parent.as_posix()}.policy"
        elif label.startswith("<"):
            continue  # text given inline (the default policy's wrapper): nothing to read
        else:
            path = Path(label)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        names.update(_DECLARATION.findall(text))
    return names


def starter_config(settings: list[Setting] | None = None) -> str:
    """The text of the starter ``.policylint.toml``."""
    settings = declared_settings() if settings is None else settings
    lines = [
        "# policylint configuration (docs/configuration.md lists every key).",
        "# policylint uses the nearest .policylint.toml (or pyproject.toml with",
        "# [tool.policylint]) above each file it checks; paths here are relative to this file.",
        "",
        'policy = "policy/org.policy"  # the built-in packs plus your own rules',
        '# select = ["regulatory", "privacy"]  # only these rules: ids, globs, categories',
        '# ignore = ["tone.exclamation"]       # never these',
        'fail-on = "error"             # lowest severity that fails: error | warning | info',
        '# platform = "linkedin"       # for posts whose metadata does not say',
        '# include = ["posts/**"]      # content (default: the files that hold posts)',
        '# exclude = ["drafts/archive/**"]',
        "",
        "# Per-path changes, applied in order to the files their globs match:",
        "# [[overrides]]",
        '# paths = ["posts/finance/**"]',
        '# extend-select = ["regulatory"]',
        '# meta = { industry = "finance" }',
        "",
        "[waivers]",
        "require-reason = true         # every waiver must say why: '-- reason'",
        "report-unused = false         # true: report waivers that waive nothing",
    ]
    for table in ("organisation", "thresholds"):
        chosen = [s for s in settings if s.table == table]
        lines.append("")
        if table == "organisation":
            lines.append("# Facts about your organisation that the built-in packs read. Uncomment")
            lines.append("# and fill in; each line shows the pack's default.")
        else:
            lines.append("# Thresholds of the built-in packs; uncomment to change a default.")
        lines.append(f"[{table}]")
        for setting in chosen:
            for comment in setting.comment:
                lines.append(f"# {comment}".rstrip())
            lines.append(f"# {setting.key} = {setting.default}  # ({setting.pack})")
    return "\n".join(lines) + "\n"


def starter_policy() -> str:
    """The text of the starter ``policy/org.policy``."""
    return """\
# Your organisation's social media policy: every built-in pack, plus your own rules.
# The language: docs/language.md. After each change run `policylint test`: every rule's
# examples are its unit tests. `policylint rules` lists the rules, `policylint explain ID`
# explains one.

policy "org" {
  description "Our social media policy"
  extends "builtin:all"
  # severity tone.* info            # make rules milder (ids or globs)
  # disable platform.*              # switch rules off
}

# An example rule of your own: edit it or delete it.
rule org.code_names {
  category  legal
  severity  error
  owner     "Communications"
  message   "'{match}' is an internal code name; use the product's public name"
  flag      ["project falcon", "falcon beta"]
  suggest   "our new app" unsafe
  example fail "Project Falcon launches today!"
  example pass "Our new app launches today!"
}
"""


def write_starter(directory: Path) -> list[Path]:
    """Write the starter files into ``directory``; raise :class:`ScaffoldError` without
    writing anything if either exists or the folder already has a configuration."""
    config = directory / CONFIG_NAME
    policy = directory / POLICY_NAME
    existing = [path for path in (config, policy) if path.exists()]
    if existing:
        names = ", ".join(str(path) for path in existing)
        raise ScaffoldError(f"{names} already exists; not overwriting anything")
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file() and _has_tool_table(pyproject):
        raise ScaffoldError(
            f"{pyproject} already has a [tool.policylint] table; a {CONFIG_NAME} next to it "
            "would silently take precedence, so nothing was written"
        )
    contents = {config: starter_config(), policy: starter_policy()}
    written: list[Path] = []
    try:
        for path, text in contents.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            # "x": create, never replace (someone may have created it a moment ago).
            with open(path, "x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            written.append(path)
    except OSError as error:
        for path in written:
            path.unlink(missing_ok=True)
        raise ScaffoldError(f"cannot write {error.filename}: {error.strerror}") from None
    return written


def _has_tool_table(pyproject: Path) -> bool:
    import tomllib

    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "policylint" in tool
