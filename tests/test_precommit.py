"""The pre-commit hook, end to end, as a content repository uses it.

pre-commit builds policylint from a git repository into its own virtualenv (from PyPI, or
the local index pip is configured with), so the first test needs the network and ~30 s the
first time. It uses a private PRE_COMMIT_HOME and git configuration, and a copy of this
checkout committed to a scratch repository (pre-commit only installs committed files, and
the working tree here may hold uncommitted work). The tests of which files the hook reads
run the published hook's definition as a local hook of this interpreter: offline.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install pre-commit)")
if shutil.which("git") is None:  # pragma: no cover
    pytest.skip("git is not installed", allow_module_level=True)

POLICY = """
rule fin.promise {
  category regulatory
  severity error
  owner "Compliance"
  message "Promissory claim '{match}'"
  flag ["guarantee*"] near ["return*"] within 3 words
  unless preceded by ["never", "not", "no"] within 2 words
  example fail "Guaranteed returns"
  example pass "Returns are never guaranteed"
}
"""

#: What goes into the scratch copy of policylint: what `pip install .` needs.
SOURCE_ITEMS = (
    "pyproject.toml",
    "README.md",
    "LICENSE",
    ".pre-commit-hooks.yaml",
    "policylint",
    "grammar",
    "rules",
)


def _env(tmp_path: Path) -> dict[str, str]:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "PRE_COMMIT", "VIRTUAL_ENV"))
    }
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.com",
        NO_COLOR="1",
        POLICYLINT_NO_CACHE="1",
    )
    return env


def _run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    result = _run(["git", *args], cwd, env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _source_repo(tmp_path: Path, env: dict[str, str]) -> tuple[Path, str]:
    """A git repository holding a copy of this checkout; (its path, its commit)."""
    source = tmp_path / "policylint-src"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCE_ITEMS:
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, source / name, ignore=ignore)
        elif item.is_file():
            shutil.copy2(item, source / name)
    _git(source, env, "init", "-q")
    _git(source, env, "add", "-A")
    _git(source, env, "commit", "-q", "-m", "policylint")
    return source, _git(source, env, "rev-parse", "HEAD")


def _content_repo(tmp_path: Path, env: dict[str, str]) -> Path:
    content = tmp_path / "content"
    (content / "policy").mkdir(parents=True)
    (content / "posts").mkdir()
    (content / "policy" / "org.policy").write_text(POLICY, encoding="utf-8")
    (content / ".policylint.toml").write_text('policy = "policy/org.policy"\n', encoding="utf-8")
    (content / "posts" / "good.md").write_text(
        "---\nplatform: linkedin\n---\nOur fund's returns are never guaranteed.\n",
        encoding="utf-8",
    )
    (content / "posts" / "calendar.csv").write_text(
        "id,platform,text\nmon,x,Happy Monday!\n", encoding="utf-8"
    )
    _git(content, env, "init", "-q")
    return content


BAD_POST = "---\nplatform: x\n---\nNew fund!\nGuaranteed returns, every year.\n"


def test_hook_fails_on_a_bad_post_and_blocks_its_commit(tmp_path: Path) -> None:
    env = _env(tmp_path)
    source, commit = _source_repo(tmp_path, env)
    content = _content_repo(tmp_path, env)
    (content / "posts" / "bad.md").write_text(BAD_POST, encoding="utf-8")
    _git(content, env, "add", "-A")
    pre_commit = [sys.executable, "-m", "pre_commit"]

    # 1. try-repo: the hook as published, on every tracked file.
    tried = _run([*pre_commit, "try-repo", str(source), "policylint", "--all-files"], content, env)
    output = tried.stdout + tried.stderr
    assert tried.returncode == 1, output
    assert "policylint" in output and "Failed" in output
    assert "posts/bad.md:5:1: error fin.promise Promissory claim 'Guaranteed'" in output
    assert "5 | Guaranteed returns, every year." in output
    assert "good.md" not in output and "calendar.csv" not in output
    assert ".policylint.toml" not in output

    # 2. install: a commit of the bad post is blocked, a good one goes through.
    (content / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {commit}\n    hooks:\n      - id: policylint\n",
        encoding="utf-8",
    )
    installed = _run([*pre_commit, "install"], content, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    _git(content, env, "rm", "-q", "--cached", "posts/bad.md")
    _git(content, env, "add", ".pre-commit-config.yaml")
    _git(content, env, "commit", "-q", "-m", "good posts")

    _git(content, env, "add", "posts/bad.md")
    blocked = _run(["git", "commit", "-m", "bad post"], content, env)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "posts/bad.md:5:1: error fin.promise" in output
    assert _git(content, env, "log", "--format=%s") == "good posts"


# --- which files the hook reads (offline) -----------------------------------------------------


def _published_hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["policylint"]
    hook: dict[str, Any] = hooks[0]
    return hook


def _local_hook_config() -> str:
    """The published hook as a `repo: local` one run by this interpreter: the same file
    selection and arguments, without pre-commit building a virtualenv (and so offline)."""
    hook = _published_hook()
    program, *args = hook["entry"].split()
    assert program == "policylint"
    local = {key: value for key, value in hook.items() if key not in ("entry", "language")}
    local["entry"] = " ".join([sys.executable, "-m", "policylint", *args])
    local["language"] = "system"
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]})


def test_hook_receives_every_format_the_cli_reads_and_only_those() -> None:
    from policylint.sources import SUPPORTED_SUFFIXES

    hook = _published_hook()
    assert hook.get("types") == ["text"] and "types_or" not in hook
    files = re.compile(hook["files"])
    for suffix in SUPPORTED_SUFFIXES:
        assert files.search(f"posts/a{suffix}") and files.search(f"A{suffix.upper()}"), suffix
    for name in ("LICENSE", "setup.py", "style.css", "index.html", "a.md.bak", "a.json5"):
        assert not files.search(name), name


CALENDAR = '{"id": "mon", "platform": "x", "text": "Call us on 020 7946 0958 today"}\n'


def test_hook_blocks_a_commit_for_its_posts_only(tmp_path: Path) -> None:
    """A content repository's README, package.json and mkdocs.yml are not posts and never
    block a commit; a .jsonl calendar with a phone number does, and nothing else does."""
    env = _env(tmp_path)
    content = tmp_path / "site"
    (content / "posts").mkdir(parents=True)
    files = {
        # a phone number here too: were the README read as a post, it would be flagged
        "README.md": "# Our site\n\nMaintainer: call 020 7946 0958.\n",
        "package.json": '{"name": "site", "scripts": {"build": "mkdocs build"}}\n',
        "mkdocs.yml": "site_name: Our site\nnav:\n  - Home: index.md\n",
        "calendar.jsonl": CALENDAR,
        "posts/good.md": "---\nplatform: linkedin\n---\nA calm note about our week.\n",
        ".pre-commit-config.yaml": _local_hook_config(),
    }
    for name, text in files.items():
        (content / name).write_text(text, encoding="utf-8")
    _git(content, env, "init", "-q")
    installed = _run([sys.executable, "-m", "pre_commit", "install"], content, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    _git(content, env, "add", "-A")

    blocked = _run(["git", "commit", "-m", "site"], content, env)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "calendar.jsonl:1:" in output and "privacy.phone" in output
    for name in ("README.md", "package.json", "mkdocs.yml", "good.md"):
        assert f"{name}:" not in output, output
    assert "input-error" not in output
    assert "skipped 3 files that hold no post" in output

    # Only the calendar was in the way.
    (content / "calendar.jsonl").write_text(CALENDAR.replace("on 020 7946 0958", "in"))
    _git(content, env, "add", "calendar.jsonl")
    passed = _run(["git", "commit", "-m", "site"], content, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert _git(content, env, "log", "--format=%s") == "site"
