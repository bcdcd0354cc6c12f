"""``check --fix`` / ``--unsafe-fixes`` / ``--diff``: rules' suggestions applied to files."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from policylint._model.posts import Post, SourceLocation
from policylint._model.reports import Finding
from policylint._model.severity import Severity
from policylint._pipeline.fixes import Edit, fix_file, resolve_overlaps

POLICY = """
rule style.utilize {
  category style
  severity warning
  message "Say 'use', not '{match}'"
  flag ["utilize", "utilise"]
  suggest "use" safe
}
rule style.leverage {
  category style
  severity info
  message "'{match}' is jargon"
  flag ["leverage"]
  suggest "use" unsafe
}
rule tone.guarantee {
  category tone
  severity error
  message "'{match}'"
  flag ["guarantee"]
  suggest "guarantee, maybe," safe
}
"""


def run(
    *args: str,
    cwd: Path,
    stdin: str | None = None,
    file_size_limit: int | None = None,
    launcher: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m policylint ARGS`` (or ``python -c LAUNCHER ARGS``), optionally with a
    file-size limit (RLIMIT_FSIZE: writes past it fail as on a full disk)."""

    def limit() -> None:  # pragma: no cover - runs in the child
        import resource

        assert file_size_limit is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    command = ["-c", launcher] if launcher is not None else ["-m", "policylint"]
    return subprocess.run(
        [sys.executable, *command, *args],
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
        # No bytecode under a file-size limit: importlib would install a .pyc cut short.
        env={
            "PATH": "/usr/bin:/bin",
            "NO_COLOR": "1",
            "POLICYLINT_NO_CACHE": "1",
            **({"PYTHONDONTWRITEBYTECODE": "1"} if file_size_limit is not None else {}),
        },
        preexec_fn=limit if file_size_limit is not None else None,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "org.policy").write_text(POLICY, encoding="utf-8")
    (tmp_path / ".policylint.toml").write_text('policy = "org.policy"\n', encoding="utf-8")
    (tmp_path / "posts").mkdir()
    return tmp_path


POST = (
    "---\n"
    "title: How we utilize AI\n"
    "platform: linkedin\n"
    "---\n"
    "We utilize AI to leverage data.\n"
    "Then we utilise it again.\n"
)


def test_fix_applies_safe_suggestions_only_and_never_touches_front_matter(repo: Path) -> None:
    post = repo / "posts" / "a.md"
    post.write_text(POST, encoding="utf-8")
    result = run("check", "--fix", "posts", cwd=repo)
    assert post.read_text(encoding="utf-8") == (
        "---\n"
        "title: How we utilize AI\n"
        "platform: linkedin\n"
        "---\n"
        "We use AI to leverage data.\n"
        "Then we use it again.\n"
    )
    assert "Fixed 2 findings in 1 file." in result.stderr
    # What is left is reported, against the fixed file.
    assert "posts/a.md:5:14: info style.leverage 'leverage' is jargon" in result.stdout
    assert "= suggestion: use (fix with --fix --unsafe-fixes)" in result.stdout
    assert result.returncode == 0

    unsafe = run("check", "--fix", "--unsafe-fixes", "posts", cwd=repo)
    assert "We use AI to use data." in post.read_text(encoding="utf-8")
    assert "Fixed 1 finding in 1 file." in unsafe.stderr


def test_fix_is_idempotent(repo: Path) -> None:
    post = repo / "posts" / "a.md"
    post.write_text(POST, encoding="utf-8")
    run("check", "--fix", "--unsafe-fixes", "posts", cwd=repo)
    first = post.read_bytes()
    again = run("check", "--fix", "--unsafe-fixes", "posts", cwd=repo)
    assert post.read_bytes() == first
    assert "Fixed" not in again.stderr
    assert run("check", "--diff", "--unsafe-fixes", "posts", cwd=repo).returncode == 0


def test_diff_shows_the_fixes_as_a_patch_and_writes_nothing(repo: Path, tmp_path: Path) -> None:
    post = repo / "posts" / "a.md"
    post.write_text(POST, encoding="utf-8")
    result = run("check", "--diff", "posts", cwd=repo)
    assert result.returncode == 1
    assert post.read_text(encoding="utf-8") == POST
    assert result.stdout.startswith("--- a/posts/a.md\n+++ b/posts/a.md\n@@ ")
    assert "-We utilize AI to leverage data.\n" in result.stdout
    assert "+We use AI to leverage data.\n+Then we use it again.\n" in result.stdout
    assert "Would fix 2 findings in 1 file" in result.stderr
    # The diff applies cleanly and gives what --fix writes.
    if shutil.which("git"):
        copy = tmp_path / "copy"
        shutil.copytree(repo, copy)
        applied = subprocess.run(
            ["git", "apply", "-"], cwd=copy, input=result.stdout, text=True, capture_output=True
        )
        assert applied.returncode == 0, applied.stderr
        run("check", "--fix", "posts", cwd=repo)
        assert (copy / "posts" / "a.md").read_bytes() == post.read_bytes()


def test_diff_names_the_command_that_applies_it(repo: Path) -> None:
    post = repo / "posts" / "a.md"
    post.write_text(POST, encoding="utf-8")
    safe = run("check", "--diff", "posts", cwd=repo)
    assert "Would fix 2 findings in 1 file (run with --fix to apply)." in safe.stderr
    # --unsafe-fixes diffs the unsafe fix too: --fix alone would not apply it.
    unsafe = run("check", "--diff", "--unsafe-fixes", "posts", cwd=repo)
    assert "+We use AI to use data.\n" in unsafe.stdout
    assert (
        "Would fix 3 findings in 1 file (run with --fix --unsafe-fixes to apply)." in unsafe.stderr
    )
    quiet = run("check", "--diff", "-q", "posts", cwd=repo)
    assert (quiet.stdout, quiet.stderr, quiet.returncode) == (safe.stdout, "", 1)


def test_quiet_fix_prints_what_is_left_and_nothing_else(repo: Path) -> None:
    post = repo / "posts" / "a.md"
    post.write_text(POST, encoding="utf-8")
    result = run("check", "--fix", "--quiet", "posts", cwd=repo)
    assert "We use AI" in post.read_text(encoding="utf-8")
    assert result.stderr == ""
    assert result.stdout.startswith("posts/a.md:5:14: info style.leverage")
    assert "finding" not in result.stdout.splitlines()[-1]  # no summary line


def test_encoding_bom_and_line_endings_are_preserved(repo: Path) -> None:
    crlf = repo / "posts" / "crlf.txt"
    crlf.write_bytes(b"\xef\xbb\xbfWe utilize it.\r\nAnd utilise.\r\n")
    utf16 = repo / "posts" / "wide.txt"
    utf16.write_bytes("\ufeffWe utilize caf\u00e9s.\r\nok\n".encode("utf-16-le"))
    no_newline = repo / "posts" / "last.txt"
    no_newline.write_bytes(b"Emoji \xf0\x9f\x98\x80 utilize")
    run("check", "--fix", "posts", cwd=repo)
    assert crlf.read_bytes() == b"\xef\xbb\xbfWe use it.\r\nAnd use.\r\n"
    assert utf16.read_bytes() == "\ufeffWe use caf\u00e9s.\r\nok\n".encode("utf-16-le")
    assert no_newline.read_bytes() == "Emoji \U0001f600 use".encode()


def test_writes_are_atomic_and_keep_permissions_and_symlinks(repo: Path) -> None:
    target = repo / "posts" / "real.txt"
    target.write_text("We utilize.\n", encoding="utf-8")
    target.chmod(0o640)
    link = repo / "posts" / "link.txt"
    link.symlink_to("real.txt")
    run("check", "--fix", "posts/link.txt", cwd=repo)
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "We use.\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in (repo / "posts").iterdir()) == ["link.txt", "real.txt"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_read_only_file_is_never_replaced_even_by_root(repo: Path) -> None:
    """Replacing a file needs only its folder's permission: a 0444 file was replaced (and
    as root, which the system lets write anything, it still was). Its mode bits are
    respected; it is reported, the run goes on, and exits 2."""
    locked = repo / "posts" / "a_locked.txt"
    locked.write_text("We utilize.\n", encoding="utf-8")
    locked.chmod(0o444)
    other = repo / "posts" / "b_other.txt"
    other.write_text("We utilize.\n", encoding="utf-8")
    result = run("check", "--fix", "posts", cwd=repo)
    assert locked.read_text(encoding="utf-8") == "We utilize.\n"
    assert stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert other.read_text(encoding="utf-8") == "We use.\n"
    assert "posts/a_locked.txt: error: not writable (-r--r--r--); not fixed" in result.stderr
    assert "a_locked.txt:1:4: warning style.utilize" in result.stdout  # still reported
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE")
def test_a_fix_that_cannot_be_written_is_an_error_and_the_others_are_still_fixed(
    repo: Path,
) -> None:
    """A full disk (here a file-size limit, which fails writes the same way) exited 0."""
    big = repo / "posts" / "a_big.txt"
    big.write_text("We utilize it. " * 400 + "\n", encoding="utf-8")  # 6,000 bytes
    small = repo / "posts" / "b_small.txt"
    small.write_text("We utilize it.\n", encoding="utf-8")
    result = run("check", "--fix", "posts", cwd=repo, file_size_limit=4096)
    assert big.read_text(encoding="utf-8") == "We utilize it. " * 400 + "\n"
    assert small.read_text(encoding="utf-8") == "We use it.\n"
    assert "posts/a_big.txt: error: cannot write: File too large; not fixed" in result.stderr
    assert "Fixed 1 finding in 1 file." in result.stderr
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (repo / "posts").iterdir()) == ["a_big.txt", "b_small.txt"]


# Runs the command line with a temporary file in the folder "readonly" failing as on a file
# system mounted read-only.
_READ_ONLY_LAUNCHER = """
import errno, os, runpy, sys, tempfile
real_mkstemp = tempfile.mkstemp
def mkstemp(*args, **kwargs):
    if os.path.basename(kwargs.get("dir") or "") == "readonly":
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))
    return real_mkstemp(*args, **kwargs)
tempfile.mkstemp = mkstemp
sys.argv = ["policylint", *sys.argv[1:]]
runpy.run_module("policylint", run_name="__main__", alter_sys=True)
"""


def test_a_read_only_file_system_is_reported_and_the_rest_is_fixed(repo: Path) -> None:
    """A read-only file system ended the run with a traceback, the other files unfixed."""
    (repo / "posts" / "readonly").mkdir()
    stuck = repo / "posts" / "readonly" / "a.txt"
    stuck.write_text("We utilize.\n", encoding="utf-8")
    other = repo / "posts" / "z.txt"
    other.write_text("We utilize.\n", encoding="utf-8")
    result = run("check", "--fix", "posts", cwd=repo, launcher=_READ_ONLY_LAUNCHER)
    assert "Traceback" not in result.stderr
    assert "readonly/a.txt: error: cannot write: Read-only file system; not fixed" in (
        result.stderr
    )
    assert stuck.read_text(encoding="utf-8") == "We utilize.\n"
    assert other.read_text(encoding="utf-8") == "We use.\n"
    assert result.returncode == 2


def test_fixing_costs_scans_in_proportion_to_the_fixes(tmp_path: Path) -> None:
    """Each fix's stability was checked with a scan of the whole post: 1,600 fixes in a
    24 KB file took 41 s. Now each pass scans each post once per rule it fixes."""
    path = tmp_path / "post.txt"
    path.write_text("We utilize it. " * 1600, encoding="utf-8")
    checks: list[int] = []
    rescans: list[int] = []

    def check(text: str) -> Sequence[tuple[Post, Sequence[Finding]]]:
        checks.append(len(text))
        post = Post(text=text, source=SourceLocation(str(path), 1, 1, True))
        return [(post, _utilize_findings(text))]

    def rescan(post: Post, rule: str, text: str) -> Sequence[Finding]:
        rescans.append(len(text))
        return [f for f in _utilize_findings(text) if f.rule == rule]

    result = fix_file(str(path), check, allowed=lambda f: True, rescan=rescan)
    assert len(result.applied) == 1600
    assert path.read_text(encoding="utf-8") == "We use it. " * 1600
    assert len(checks) == 2  # the file as read, then as fixed (nothing left to fix)
    assert len(rescans) == 1  # all 1,600 fixes of the one rule in the one post at once


def _utilize_findings(text: str) -> list[Finding]:
    found, start = [], text.find("utilize")
    while start >= 0:
        found.append(_finding("style.u", start, start + 7, "utilize", "use"))
        start = text.find("utilize", start + 7)
    return found


def test_an_unsettling_fix_is_dropped_and_the_others_applied_in_the_same_pass(
    tmp_path: Path,
) -> None:
    """A replacement its own rule flags again is never applied; the rule's other fixes in
    the post still are (checked together, the flagged one is dropped and the rest kept)."""
    path = tmp_path / "post.txt"
    path.write_text("aa bb aa", encoding="utf-8")
    fixes = {"aa": "cc", "bb": "bb!"}  # the rule flags "bb" in "bb!" again

    def findings(text: str) -> list[Finding]:
        return [
            _finding("style.x", i, i + 2, text[i : i + 2], fixes[text[i : i + 2]])
            for i in range(len(text) - 1)
            if text[i : i + 2] in fixes and (i == 0 or text[i - 1] == " ")
        ]

    def check(text: str) -> Sequence[tuple[Post, Sequence[Finding]]]:
        return [(Post(text=text, source=SourceLocation(str(path), 1, 1, True)), findings(text))]

    result = fix_file(str(path), check, allowed=lambda f: True, rescan=lambda p, r, t: findings(t))
    assert path.read_text(encoding="utf-8") == "cc bb cc"
    assert sorted(e.finding.match for e in result.applied) == ["aa", "aa"]


def test_a_replacement_its_rule_would_flag_again_is_not_applied(repo: Path) -> None:
    post = repo / "posts" / "g.txt"
    post.write_text("We guarantee it.\n", encoding="utf-8")
    result = run("check", "--fix", "posts", cwd=repo)
    assert post.read_text(encoding="utf-8") == "We guarantee it.\n"
    assert result.returncode == 1


def test_waived_findings_are_not_fixed(repo: Path) -> None:
    post = repo / "posts" / "w.md"
    text = "<!-- policylint-disable-next-line style.utilize -- quoting the CEO -->\nWe utilize.\n"
    post.write_text(text, encoding="utf-8")
    run("check", "--fix", "posts", cwd=repo)
    assert post.read_text(encoding="utf-8") == text


def test_records_are_fixed_only_inside_verbatim_strings(repo: Path) -> None:
    records = [
        {"id": "plain", "text": "We utilize data", "note": "utilize"},
        {"id": "escaped", "text": 'We "utilize" data'},
    ]
    path = repo / "posts" / "cal.json"
    path.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
    run("check", "--fix", "posts", cwd=repo)
    fixed = json.loads(path.read_text(encoding="utf-8"))
    assert fixed[0] == {"id": "plain", "text": "We use data", "note": "utilize"}
    assert fixed[1]["text"] == 'We "utilize" data'  # escapes: not verbatim, not fixed


def test_a_fix_that_would_break_the_file_is_refused(repo: Path) -> None:
    (repo / "org.policy").write_text(
        'rule style.q { flag ["utilize"] suggest "use \\"it\\"" safe }', encoding="utf-8"
    )
    path = repo / "posts" / "cal.json"
    original = '[{"id": "a", "text": "We utilize data"}]\n'
    path.write_text(original, encoding="utf-8")
    result = run("check", "--fix", "posts", cwd=repo)
    assert path.read_text(encoding="utf-8") == original
    assert "posts/cal.json: fixing would" in result.stderr


def test_overlapping_fixes_are_resolved_by_position_then_rule_id(repo: Path) -> None:
    (repo / "org.policy").write_text(
        'rule b.use { flag ["utilize"] suggest "use" safe }\n'
        'rule a.employ { flag ["utilize"] suggest "employ" safe }\n'
        'rule c.phrase { flag ["we utilize"] suggest "our team uses" safe }\n',
        encoding="utf-8",
    )
    post = repo / "posts" / "o.txt"
    post.write_text("Today we utilize AI; they utilize it too.\n", encoding="utf-8")
    run("check", "--fix", "posts", cwd=repo)
    # "we utilize" (c.phrase) starts first and wins over the overlapping word fixes;
    # the second "utilize" gets a.employ, the first rule id at that position.
    assert post.read_text(encoding="utf-8") == "Today our team uses AI; they employ it too.\n"


def test_stdin_is_checked_but_never_fixed(repo: Path) -> None:
    result = run("check", "--fix", "-", cwd=repo, stdin="We utilize it")
    assert "<stdin>:1:4: warning style.utilize" in result.stdout
    assert "fix with" not in result.stdout


# --- the building blocks ----------------------------------------------------------------


def _finding(rule: str, start: int, end: int, match: str, suggestion: str) -> Finding:
    return Finding(
        rule=rule,
        category="style",
        severity=Severity.WARNING,
        message="m",
        owner=None,
        reference=None,
        reference_url=None,
        path="p.txt",
        post=None,
        line=1,
        column=start + 1,
        end_line=1,
        end_column=end + 1,
        start=start,
        end=end,
        match=match,
        field=None,
        suggestion=suggestion,
    )


def test_resolve_overlaps_is_deterministic() -> None:
    a = _finding("a.x", 0, 5, "abcde", "A")
    b = _finding("b.x", 3, 8, "defgh", "B")
    c = _finding("c.x", 0, 5, "abcde", "C")
    edits = [Edit(f.start, f.end, f.suggestion or "", f.rule, f) for f in (b, c, a)]
    kept, dropped = resolve_overlaps(edits)
    assert [e.rule for e in kept] == ["a.x"]
    assert sorted(e.rule for e in dropped) == ["b.x", "c.x"]
    assert resolve_overlaps(list(reversed(edits)))[0] == kept


def test_a_file_changed_on_disk_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_text("We utilize it.\n", encoding="utf-8")

    def check(text: str) -> Sequence[tuple[Post, Sequence[Finding]]]:
        # Someone saves the file while policylint is working on it.
        path.write_text("Edited meanwhile; we utilize it.\n", encoding="utf-8")
        post = Post(text=text, source=SourceLocation(str(path), 1, 1, True))
        start = text.find("utilize")
        if start < 0:
            return [(post, [])]
        return [(post, [_finding("style.u", start, start + 7, "utilize", "use")])]

    result = fix_file(str(path), check, allowed=lambda f: True, rescan=lambda p, r, t: [])
    assert result.problem == "changed on disk since it was read; not fixed"
    assert path.read_text(encoding="utf-8") == "Edited meanwhile; we utilize it.\n"
    assert [p.name for p in tmp_path.iterdir()] == ["post.txt"]  # no temporary file left


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unwritable_folder_leaves_the_file_alone(repo: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    post = repo / "posts" / "a.txt"
    post.write_text("We utilize.\n", encoding="utf-8")
    (repo / "posts").chmod(0o555)
    try:
        result = run("check", "--fix", "posts", cwd=repo)
    finally:
        (repo / "posts").chmod(0o755)
    assert post.read_text(encoding="utf-8") == "We utilize.\n"
    assert "cannot write" in result.stderr


def test_a_suggestion_for_missing_text_is_inserted(repo: Path) -> None:
    (repo / "org.policy").write_text(
        "rule ad.missing {\n"
        "  severity error\n"
        "  when meta.sponsored\n"
        '  require ["#ad", "sponsored"] in first 5 words\n'
        '  suggest "#ad " safe\n'
        "}\n",
        encoding="utf-8",
    )
    post = repo / "posts" / "ad.md"
    post.write_text("---\nsponsored: true\n---\nLove this pillow!\n", encoding="utf-8")
    shown = run("check", "posts", cwd=repo)
    assert '= suggestion: insert "#ad " (fix with --fix)' in shown.stdout
    assert "4 | Love this pillow!\n  | ^\n" in shown.stdout
    fixed = run("check", "--fix", "posts", cwd=repo)
    assert fixed.returncode == 0
    assert post.read_text(encoding="utf-8") == "---\nsponsored: true\n---\n#ad Love this pillow!\n"
    assert run("check", "--diff", "posts", cwd=repo).returncode == 0
