"""The wheel carries the grammar and the built-in packs: install it in a fresh venv and run it.

This is the path a user takes with ``pip install policylint`` or through pre-commit, so it is
tested for real: build the wheel, install it (with its dependencies) into a new virtual
environment outside the source tree, and check a post with the built-in policy there.
"""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("policylint-*.whl")
    return built


def test_wheel_contains_grammar_and_every_pack(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "policylint/_grammar/policy.lark" in names
    assert "policylint/_grammar/policy.tables.json" in names  # no parser is built or cached
    shipped = {
        n.removeprefix("policylint/_rules/") for n in names if n.startswith("policylint/_rules/")
    }
    in_repo = {str(p.relative_to(ROOT / "rules")) for p in (ROOT / "rules").rglob("*.policy")}
    assert in_repo and in_repo <= shipped


def test_installed_wheel_checks_posts_with_the_builtin_policy(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=900)
    post = tmp_path / "post.txt"
    post.write_text("Guaranteed 12% returns, email me at jo.smith.1990@gmail.com\n")
    result = subprocess.run(
        [str(env_dir / "bin" / "policylint"), "check", "--isolated", "--format", "json", str(post)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert '"privacy.email"' in result.stdout
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import policylint.resources as r; print(r.grammar_path(), r.rules_dir())",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(env_dir) in where and str(ROOT) not in where
