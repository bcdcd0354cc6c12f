"""The wheel carries the grammar and the built-in packs: install it in a fresh venv and run it.

This is the path a user takes with ``pip install policylint`` or through pre-commit, so it is
tested for real: build the wheel, install it (with its dependencies) into a new virtual
environment outside the source tree, and check a post with the built-in policy there.
"""

from __future__ import annotations

import os
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
    # the data files the detectors read when a post needs them
    data = {str(p.relative_to(ROOT / "rules")) for p in (ROOT / "rules" / "data").glob("*.*")}
    assert {"data/health_conditions.tsv", "data/privacy_given_names.tsv"} <= data <= shipped


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
            "import policylint._resources as r; print(r.grammar_path(), r.rules_dir())",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(env_dir) in where and str(ROOT) not in where


def test_mypy_strict_sees_policylint_as_installed(tmp_path: Path) -> None:
    # The README's development install (and CI's) is `pip install -e '.[test]'`. setuptools'
    # default editable install of this layout is an import hook, which mypy cannot follow: a
    # user's `mypy --strict` found no policylint. pyproject.toml asks for a plain .pth path
    # instead. Type-check a script, away from the checkout, against this environment's
    # install (editable or not): it must see policylint's types and the planted mistake.
    # (Installing into a scratch venv to test this costs 30-50 s of pip; this costs 3.)
    script = tmp_path / "script.py"
    script.write_text(
        "import policylint\n"
        "policy: policylint.Policy = policylint.load_policy()\n"
        "wrong: int = policylint.__version__\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert "import-not-found" not in result.stdout, result.stdout
    planted = 'script.py:3: error: Incompatible types in assignment (expression has type "str"'
    assert planted in result.stdout
    assert result.stdout.count("error:") == 1, result.stdout
