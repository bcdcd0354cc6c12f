"""Configuration: discovery from each checked file, keys, overrides, excludes, the schema."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from policylint._config.config import (
    KEYS,
    OVERRIDE_KEYS,
    SETTING_TABLES,
    WAIVER_KEYS,
    ConfigError,
    ConfigResolver,
    from_mapping,
    load_config,
)
from policylint._config.schema import CONFIG_SCHEMA

ROOT = Path(__file__).resolve().parents[1]

POLICY = """
setting organisation.competitors = []
rule tone.exclaim {
  category tone
  severity warning
  when exclamation_run >= 3
}
rule fin.promise {
  category regulatory
  severity error
  when meta.industry == "finance"
  flag ["guarantee*"]
}
rule legal.competitor {
  category legal
  severity warning
  message "Names competitor '{match}'"
  flag organisation.competitors
}
rule platform.x_length {
  category platform
  severity info
  when platform == "x" and length > 20
}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policylint", *args],
        cwd=cwd,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "POLICYLINT_NO_CACHE": "1"},
    )


def rules_by_file(result: subprocess.CompletedProcess[str]) -> dict[str, set[str]]:
    assert result.returncode in (0, 1), result.stdout + result.stderr
    found: dict[str, set[str]] = {}
    for finding in json.loads(result.stdout)["findings"]:
        found.setdefault(Path(finding["path"]).as_posix(), set()).add(finding["rule"])
    return found


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "org.policy").write_text(POLICY, encoding="utf-8")
    posts = tmp_path / "posts"
    (posts / "finance").mkdir(parents=True)
    text = "Guaranteed growth with Initech!!! Join us now, everyone."
    for name in ("posts/a.txt", "posts/finance/b.txt"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_nearest_configuration_above_each_file_wins(repo: Path) -> None:
    write(repo / ".policylint.toml", 'policy = "org.policy"\nselect = ["tone"]\n')
    # A nested project with its own pyproject.toml: its files use its table.
    write(
        repo / "posts/finance/pyproject.toml",
        '[project]\nname = "x"\n[tool.policylint]\npolicy = "../../org.policy"\n'
        'select = ["regulatory"]\n[tool.policylint.organisation]\ncompetitors = ["Initech"]\n',
    )
    result = run("check", "--format", "json", "posts", cwd=repo)
    assert rules_by_file(result) == {"posts/a.txt": {"tone.exclaim"}}  # no meta.industry
    write(repo / "posts/finance/b.txt", "Guaranteed!")
    write(
        repo / "posts/finance/pyproject.toml",
        '[tool.policylint]\npolicy = "../../org.policy"\nselect = ["legal", "tone"]\n'
        '[tool.policylint.organisation]\ncompetitors = ["Guaranteed"]\n',
    )
    result = run("check", "--format", "json", "posts", cwd=repo)
    assert rules_by_file(result) == {
        "posts/a.txt": {"tone.exclaim"},
        "posts/finance/b.txt": {"legal.competitor"},
    }


def test_discovery_starts_at_the_file_not_the_working_directory(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    write(repo / ".policylint.toml", 'policy = "org.policy"\nselect = ["tone"]\n')
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = run("check", "--format", "json", str(repo / "posts" / "a.txt"), cwd=elsewhere)
    assert {r for rules in rules_by_file(result).values() for r in rules} == {"tone.exclaim"}


def test_dedicated_file_wins_over_pyproject_and_unrelated_pyprojects_are_skipped(
    repo: Path,
) -> None:
    write(repo / "pyproject.toml", '[tool.policylint]\npolicy = "org.policy"\nselect = ["legal"]\n')
    write(repo / ".policylint.toml", 'policy = "org.policy"\nselect = ["tone"]\n')
    write(repo / "posts/pyproject.toml", '[project]\nname = "not-ours"\n')
    result = run("check", "--format", "json", "posts/a.txt", cwd=repo)
    assert rules_by_file(result) == {"posts/a.txt": {"tone.exclaim"}}


def test_config_option_overrides_discovery_and_isolated_ignores_it(repo: Path) -> None:
    write(repo / ".policylint.toml", 'policy = "org.policy"\nselect = ["tone"]\n')
    write(repo / "conf/ci.toml", 'policy = "../org.policy"\nselect = ["regulatory"]\n')
    write(repo / "posts/finance/b.txt", "---\n")  # not a finance post: no meta
    explicit = run("check", "--config", "conf/ci.toml", "--format", "json", "posts", cwd=repo)
    assert rules_by_file(explicit) == {}
    isolated = run(
        "check", "--isolated", "--policy", "org.policy", "--format", "json", "posts", cwd=repo
    )
    assert rules_by_file(isolated) == {"posts/a.txt": {"tone.exclaim"}}


@pytest.mark.parametrize("command", [["check", "posts"], ["rules"], ["explain", "tone.exclaim"]])
def test_config_and_isolated_together_are_a_usage_error(repo: Path, command: list[str]) -> None:
    # Either one silently winning would check with settings the user did not ask for.
    write(repo / "conf/ci.toml", 'policy = "../org.policy"\nselect = ["regulatory"]\n')
    result = run(command[0], "--isolated", "--config", "conf/ci.toml", *command[1:], cwd=repo)
    assert result.returncode == 2
    assert "--isolated" in result.stderr and "conf/ci.toml" in result.stderr


def test_an_unknown_setting_in_a_table_the_policy_lacks_says_so(repo: Path) -> None:
    # builtin:privacy/plates declares no thresholds: the hint must not be an empty list.
    write(
        repo / ".policylint.toml", 'policy = "builtin:privacy/plates"\n[thresholds]\nfold = 125\n'
    )
    result = run("check", "posts", cwd=repo)
    assert result.returncode == 2
    assert "unknown setting 'fold' in [thresholds]" in result.stderr
    assert "the policy declares no [thresholds] settings" in result.stderr


def test_overrides_apply_per_path(repo: Path) -> None:
    write(
        repo / ".policylint.toml",
        'policy = "org.policy"\nselect = ["tone"]\n'
        '[organisation]\ncompetitors = ["Initech"]\n'
        "[[overrides]]\n"
        'paths = ["posts/finance/**"]\n'
        'extend-select = ["regulatory", "platform"]\n'
        'ignore = ["tone.exclaim"]\n'
        'platform = "x"\n'
        'meta = { industry = "finance" }\n',
    )
    result = run("check", "--format", "json", "posts", cwd=repo)
    assert rules_by_file(result) == {
        "posts/a.txt": {"tone.exclaim"},
        "posts/finance/b.txt": {"fin.promise", "platform.x_length"},
    }
    # --select on the command line replaces every select and extend-select.
    result = run("check", "--select", "legal", "--format", "json", "posts", cwd=repo)
    assert rules_by_file(result) == {
        "posts/a.txt": {"legal.competitor"},
        "posts/finance/b.txt": {"legal.competitor"},
    }


def test_exclude_globs_apply_to_walked_and_named_files(repo: Path) -> None:
    write(
        repo / ".policylint.toml",
        'policy = "org.policy"\nexclude = ["posts/finance", "*.draft.txt"]\n',
    )
    write(repo / "posts/c.draft.txt", "Sale!!!")
    result = run("check", "--format", "json", "posts", "posts/finance/b.txt", cwd=repo)
    assert set(rules_by_file(result)) == {"posts/a.txt"}
    assert json.loads(result.stdout)["summary"]["files"] == 1


def test_fail_on_comes_from_the_files_configuration(repo: Path) -> None:
    write(repo / ".policylint.toml", 'policy = "org.policy"\nselect = ["tone"]\n')
    assert run("check", "posts/a.txt", cwd=repo).returncode == 0  # a warning
    write(
        repo / ".policylint.toml",
        'policy = "org.policy"\nselect = ["tone"]\nfail-on = "warning"\n',
    )
    assert run("check", "posts/a.txt", cwd=repo).returncode == 1
    assert run("check", "--fail-on", "error", "posts/a.txt", cwd=repo).returncode == 0


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ('polcy = "x"\n', "unknown key 'polcy'", "did you mean 'policy'?"),
        (
            "[[overrides]]\npaths = ['a']\nextend-selct = []\n",
            "unknown key 'overrides[1].extend-selct'",
            "did you mean 'extend-select'?",
        ),
        (
            "[waivers]\nrequire-reasons = true\n",
            "unknown key 'waivers.require-reasons'",
            "did you mean 'require-reason'?",
        ),
        (
            "[organization]\nname = 'x'\n",
            "unknown key 'organization'",
            "did you mean 'organisation'?",
        ),
        ('fail-on = "fatal"\n', "'fail-on' must be one of error, warning, info", None),
        ("select = 3\n", "'select' must be a list of strings", None),
        ("[[overrides]]\nignore = ['a']\n", "'overrides[1].paths' is required", None),
        (
            "[waivers]\nrequire-reason = 'yes'\n",
            "'waivers.require-reason' must be true or false",
            None,
        ),
        ("policy = [\n", "invalid TOML", None),
    ],
)
def test_configuration_errors_exit_2_with_a_hint(
    repo: Path, text: str, message: str, hint: str | None
) -> None:
    write(repo / ".policylint.toml", text)
    result = run("check", "posts", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{repo / '.policylint.toml'}: error: ")
    assert message in result.stderr
    if hint:
        assert f"= hint: {hint}" in result.stderr


def test_a_broken_pyproject_is_an_error_only_when_it_holds_our_table(repo: Path) -> None:
    write(repo / ".policylint.toml", 'policy = "org.policy"\n')
    write(repo / "posts/pyproject.toml", "[project\nname = 1")
    assert run("check", "posts/a.txt", cwd=repo).returncode == 0
    write(repo / "posts/pyproject.toml", "[tool.policylint]\npolicy = ")
    broken = run("check", "posts/a.txt", cwd=repo)
    assert broken.returncode == 2
    assert "pyproject.toml: error: invalid TOML" in broken.stderr


def test_organisation_settings_reach_the_policy(repo: Path) -> None:
    write(
        repo / ".policylint.toml",
        'policy = "org.policy"\nselect = ["legal"]\n[organisation]\ncompetitors = ["Initech"]\n',
    )
    result = run("check", "posts/a.txt", cwd=repo)
    assert "warning legal.competitor Names competitor 'Initech'" in result.stdout
    write(
        repo / ".policylint.toml",
        'policy = "org.policy"\n[organisation]\ncompetitor = ["Initech"]\n',
    )
    unknown = run("check", "posts/a.txt", cwd=repo)
    assert unknown.returncode == 2
    assert "organisation.competitor" in unknown.stderr


def test_resolver_caches_per_folder(tmp_path: Path) -> None:
    write(tmp_path / ".policylint.toml", 'platform = "x"\n')
    resolver = ConfigResolver()
    first = resolver.for_file(tmp_path / "a" / "b" / "post.md")
    assert first.platform == "x"
    assert resolver.for_file(tmp_path / "a" / "other.md") is first
    assert ConfigResolver(isolated=True).for_file(tmp_path / "x.md").path is None


def test_paths_and_globs_are_relative_to_the_configuration(tmp_path: Path) -> None:
    config = from_mapping(
        tmp_path / ".policylint.toml",
        {
            "exclude": ["archive", "posts/**/old/*"],
            "overrides": [{"paths": ["posts/*.md"], "platform": "x", "meta": {"a": 1}}],
        },
    )
    assert config.is_excluded(tmp_path / "posts" / "archive" / "a.md")
    assert config.is_excluded(tmp_path / "posts" / "2023" / "old" / "a.md")
    assert not config.is_excluded(tmp_path / "posts" / "new" / "a.md")
    options = config.for_path(tmp_path / "posts" / "a.md")
    assert (options.platform, dict(options.meta)) == ("x", {"a": 1})
    assert config.for_path(tmp_path / "elsewhere" / "a.md").platform is None


# --- the schema and the docs agree with the code ----------------------------------------

VALIDATOR = Draft202012Validator(CONFIG_SCHEMA)
DOC = ROOT / "docs" / "configuration.md"
TOML_BLOCK = re.compile(r"^```toml\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_schema_lists_exactly_the_keys_the_loader_accepts() -> None:
    Draft202012Validator.check_schema(CONFIG_SCHEMA)
    properties: dict[str, Any] = CONFIG_SCHEMA["properties"]
    assert set(properties) == set(KEYS)
    assert set(properties["overrides"]["items"]["properties"]) == set(OVERRIDE_KEYS)
    assert set(properties["waivers"]["properties"]) == set(WAIVER_KEYS)
    assert set(SETTING_TABLES) <= set(properties)


def test_every_key_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for key in (*KEYS, *(f"waivers.{k}" for k in WAIVER_KEYS)):
        assert f"`{key}`" in text, key
    for key in OVERRIDE_KEYS:
        assert f"`{key}`" in text, key


def _doc_configs() -> list[tuple[str, dict[str, Any]]]:
    text = DOC.read_text(encoding="utf-8")
    configs = []
    for match in TOML_BLOCK.finditer(text):
        data = tomllib.loads(match.group(1))
        line = text[: match.start()].count("\n") + 1
        if "tool" in data:
            data = data["tool"]["policylint"]
        configs.append((f"configuration.md:{line}", data))
    return configs


def test_the_docs_have_configuration_examples() -> None:
    assert len(_doc_configs()) >= 3


@pytest.mark.parametrize(("where", "data"), _doc_configs())
def test_documented_configurations_are_valid(where: str, data: dict[str, Any]) -> None:
    errors = [error.message for error in VALIDATOR.iter_errors(data)]
    assert errors == [], where
    from_mapping(Path("docs/.policylint.toml"), data)


def test_schema_rejects_what_the_loader_rejects(tmp_path: Path) -> None:
    for text in ('polcy = "x"', 'fail-on = "fatal"', "[[overrides]]\nignore = ['a']"):
        data = tomllib.loads(text)
        assert list(VALIDATOR.iter_errors(data)), text
        path = tmp_path / ".policylint.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError):
            load_config(path)


def test_every_setting_the_packs_declare_is_documented() -> None:
    from policylint._cli.scaffold import declared_settings

    text = DOC.read_text(encoding="utf-8")
    missing = [s.name for s in declared_settings() if f"| `{s.key}` | `{s.default}` |" not in text]
    assert missing == [], "add these to docs/configuration.md: " + ", ".join(missing)
