"""Which files are posts: ``policylint.sources.content``, and the command line's use of it
(folders, ``--force-exclude`` as the pre-commit hook runs it, ``include``, ``--verbose``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policylint.sources.content import not_a_post

PHONE_POST = "Call us on 020 7946 0958 today"

#: (file name, contents, is it a post?)
CASES = [
    ("notes.txt", "Anything at all.\n", True),
    ("LICENSE.txt", "Permission is hereby granted...\n", False),
    ("post.md", "Hello, no front matter.\n", True),
    ("empty.md", "", True),
    ("README.md", "# Our site\n\nHow to build it.\n", False),
    ("readme.de.md", "# Unsere Seite\n", False),
    ("CODE-OF-CONDUCT.markdown", "Be kind.\n", False),
    ("CHANGELOG.md", "## 1.0\n", False),
    ("READMEFIRST.md", "A post after all.\n", True),
    ("SECURITY.md", "Report issues to security@example.com\n", False),
    ("security.md", "Five tips to keep your account safe.\n", True),
    ("news.txt", "Our news this week.\n", True),
    ("NEWS", "1.0: first release\n", False),
    ("README.page.md", "---\ntitle: Home\n---\nWelcome!\n", True),
    ("README.crlf.md", "---\r\ntitle: x\r\n---\r\nHello.\r\n", True),
    ("README.cr.md", "---\rtitle: x\r---\rHello.\r", True),
    ("README.blanks.md", "---  \ntitle: x\n---\nHello.\n", True),
    ("README.bom.md", "\ufeff---\ntitle: x\n---\nHello.\n", True),
    ("package.json", '{"name": "site", "scripts": {"build": "mkdocs build"}}\n', False),
    ("post.json", '{"id": "a", "text": "Hello"}', True),
    ("list.json", '[{"title": "x"}, {"caption": "Hello"}]', True),
    ("container.json", '{"campaign": "spring", "posts": []}', True),
    ("schema.json", '{"properties": {"text": {"type": "string"}}}', False),
    ("broken.json", '{"text": "Hello",}', True),  # the reader reports it
    ("tsconfig.json", '{\n  // comments\n  "compilerOptions": {"strict": true},\n}\n', False),
    ("empty.json", "", False),
    ("mkdocs.yml", "site_name: Site\ntheme:\n  features: [content.code.copy]\n", False),
    (
        "mkdocs-material.yml",
        "site_name: Site\ntheme:\n  features:\n    - content.code.copy\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "extra:\n  analytics: !ENV GOOGLE_ANALYTICS_KEY\n",
        False,
    ),
    ("tagged.yaml", "- text: !custom Hello\n- text: Hi\n", True),
    ("openapi.yaml", "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      content: {}\n", False),
    ("calendar.yaml", "- id: a\n  text: Hello\n- id: b\n  body: Hi\n", True),
    ("container.yml", "platform: x\nposts:\n  - text: Hello\n", True),
    ("docs.yml", "---\ntitle: x\n---\n- text: Hello\n", True),  # any document
    ("broken.yaml", "- text: [Hello\n", True),  # the reader reports it
    ("calendar.csv", "ID;Platform;Text\na;x;Hello\n", True),
    ("spaced.csv", "\n\nid, Caption \na,Hello\n", True),
    ("people.csv", "name,email\nAda,ada@example.com\n", False),
    ("empty.csv", "", False),
    ("calendar.jsonl", json.dumps({"text": PHONE_POST}) + "\n", True),
    ("late.jsonl", '{"event": "a"}\n{"event": "b"}\n{"content": "Hi"}\n', True),
    ("broken.jsonl", '{"event": "a"}\n{"text": "Hi"\n', True),  # the reader reports it
    ("events.jsonl", '{"event": "a"}\n{"event": "b", "count": 2}\n', False),
    ("empty.jsonl", "", False),
    ("LICENSE", "Permission is hereby granted...\n", False),
    ("photo.png", "", False),
]


@pytest.mark.parametrize(("name", "text", "is_post"), CASES, ids=[c[0] for c in CASES])
def test_which_files_are_posts(tmp_path: Path, name: str, text: str, is_post: bool) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    reason = not_a_post(path)
    assert (reason is None) is is_post, reason


def test_a_file_that_cannot_be_read_is_left_to_the_reader(tmp_path: Path) -> None:
    assert not_a_post(tmp_path / "missing.json") is None
    (tmp_path / "latin1.csv").write_bytes(b"caf\xe9\n")
    assert not_a_post(tmp_path / "latin1.csv") is None
    (tmp_path / "wide.jsonl").write_bytes('{"event": "a"}\n'.encode("utf-16"))
    assert not_a_post(tmp_path / "wide.jsonl") is None


def test_a_json_lines_calendar_is_decided_by_its_first_post(tmp_path: Path) -> None:
    """An archive is not read to its end: after the first line with a text field, the
    rest (here not even JSON) is the reader's business."""
    path = tmp_path / "archive.jsonl"
    path.write_bytes(json.dumps({"text": "Hi"}).encode() + b"\n" + b"\xff not read \n" * 1000)
    assert not_a_post(path) is None


# --- the command line -------------------------------------------------------------------------


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policylint", "check", *args],
        cwd=cwd,
        input="",
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "POLICYLINT_NO_CACHE": "1"},
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A content repository: posts and calendars among a site's own files, each of those
    with something a rule would flag if it were read as a post."""
    files = {
        "README.md": f"# Our site\n\nMaintainer: {PHONE_POST}.\n",
        "package.json": '{"name": "site", "scripts": {"build": "mkdocs build"}}\n',
        "mkdocs.yml": "site_name: Site\nnav:\n  - Home: index.md\n",
        "CONTRIBUTING.md": f"Questions? {PHONE_POST}.\n",
        "LICENSE": f"Copyright Acme. {PHONE_POST}.\n",
        "posts/good.md": "---\nplatform: linkedin\n---\nA calm note about our week.\n",
        "posts/notes.md": f"A post without front matter. {PHONE_POST}.\n",
        "calendar.jsonl": json.dumps({"id": "mon", "platform": "x", "text": PHONE_POST}) + "\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / ".policylint.toml").write_text('select = ["privacy.phone"]\n', encoding="utf-8")
    return tmp_path


def _paths(result: subprocess.CompletedProcess[str]) -> set[str]:
    report = json.loads(result.stdout)
    return {f["path"] for f in report["findings"]} | {e["path"] for e in report["errors"]}


NOT_POSTS = {"README.md", "CONTRIBUTING.md", "package.json", "mkdocs.yml"}


def test_a_folder_is_checked_for_its_posts_only(site: Path) -> None:
    result = run("--format", "json", ".", cwd=site)
    assert result.returncode == 1, result.stderr
    assert _paths(result) == {"calendar.jsonl", "posts/notes.md"}
    assert json.loads(result.stdout)["summary"]["files"] == 3
    # never silent: the count, and how to see the files
    assert result.stderr == "policylint: skipped 4 files that hold no post (-v lists them)\n"


def test_verbose_lists_each_skipped_file_and_why(site: Path) -> None:
    result = run("-v", "--format", "json", ".", cwd=site)
    lines = result.stderr.splitlines()
    assert "policylint: skipped README.md: not a post: a repository document (README)" in lines
    assert (
        "policylint: skipped package.json: not a post: no text, body, caption, content or "
        "posts field" in lines
    )
    assert {line.split(": ")[1].removeprefix("skipped ") for line in lines} == NOT_POSTS


def test_force_exclude_chooses_named_files_as_a_folders_are(site: Path) -> None:
    """What the pre-commit hook does: every changed file is named, only posts are read."""
    names = ["README.md", "package.json", "mkdocs.yml", "posts/good.md", "calendar.jsonl"]
    names += ["CONTRIBUTING.md", "LICENSE"]
    hook = run("--force-exclude", "--format", "json", *names, cwd=site)
    assert hook.returncode == 1, hook.stderr
    assert _paths(hook) == {"calendar.jsonl"}
    clean = run("--force-exclude", "README.md", "package.json", "posts/good.md", cwd=site)
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_a_file_named_without_force_exclude_is_always_read(site: Path) -> None:
    result = run("--format", "json", "README.md", "package.json", cwd=site)
    assert result.returncode == 2  # package.json: an input error, said plainly
    report = json.loads(result.stdout)
    assert [f["path"] for f in report["findings"]] == ["README.md"]
    assert [e["path"] for e in report["errors"]] == ["package.json"]
    assert "record has no text" in report["errors"][0]["message"]
    assert result.stderr == ""


def test_include_says_what_is_content(site: Path) -> None:
    (site / ".policylint.toml").write_text(
        'select = ["privacy.phone"]\ninclude = ["posts/**", "README.md"]\n', encoding="utf-8"
    )
    result = run("-v", "--format", "json", ".", cwd=site)
    # README.md is a repository document, but include names it; the calendar is outside.
    assert _paths(result) == {"posts/notes.md", "README.md"}
    assert "policylint: skipped calendar.jsonl: not in 'include'" in result.stderr.splitlines()
    quiet = run(".", cwd=site)
    assert "skipped" not in quiet.stderr  # globs the user wrote are not a rule of thumb
    named = run("--format", "json", "calendar.jsonl", cwd=site)
    assert _paths(named) == {"calendar.jsonl"}  # named without --force-exclude: read


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('includes = ["posts/**"]', "unknown key 'includes'\n  = hint: did you mean 'include'?"),
        ("include = 3", "'include' must be a list of strings"),
    ],
)
def test_include_is_validated(site: Path, line: str, message: str) -> None:
    (site / ".policylint.toml").write_text(line + "\n", encoding="utf-8")
    result = run(".", cwd=site)
    assert result.returncode == 2
    assert message in result.stderr
