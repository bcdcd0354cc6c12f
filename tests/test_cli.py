"""The command line as users run it: real subprocesses, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

POLICY = """
rule fin.promise {
  category regulatory
  severity error
  owner "Compliance"
  message "Promissory claim '{match}'"
  flag ["guarantee*"] near ["return*"] within 3 words
  unless preceded by ["not"] within 1 words
  example fail "Guaranteed returns"
  example pass "Returns are not guaranteed here"
}
rule tone.exclaim {
  category tone
  severity warning
  when exclamation_run >= 3
  example fail "Sale!!!"
  example pass "Sale!"
}
"""


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policylint", *args],
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "POLICYLINT_NO_CACHE": "1"},
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "org.policy").write_text(POLICY, encoding="utf-8")
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "good.txt").write_text("Our shop opens at nine.\n", encoding="utf-8")
    (posts / "bad.md").write_text(
        "---\nplatform: linkedin\n---\nBig news.\nGuaranteed returns for all!!!\n",
        encoding="utf-8",
    )
    return tmp_path


def test_clean_input_exits_0(repo: Path) -> None:
    result = run("check", "--isolated", "--policy", "org.policy", "posts/good.txt", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "0 findings in 1 post from 1 file." in result.stdout


def test_findings_at_the_threshold_exit_1_with_located_output(repo: Path) -> None:
    result = run("check", "--isolated", "--policy", "org.policy", "posts", cwd=repo)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "posts/bad.md:4:1: warning tone.exclaim post breaks tone.exclaim"
    assert "posts/bad.md:5:1: error fin.promise Promissory claim 'Guaranteed'" in lines
    assert "5 | Guaranteed returns for all!!!" in result.stdout
    assert "  | ^^^^^^^^^^" in result.stdout
    assert "= owner: Compliance" in result.stdout
    assert lines[-1] == "2 findings (1 error, 1 warning) in 2 posts from 2 files."


def test_fail_on_controls_the_exit_code(repo: Path) -> None:
    only_warning = ["check", "--isolated", "--policy", "org.policy", "--ignore", "fin.promise"]
    assert run(*only_warning, "posts", cwd=repo).returncode == 0
    assert run(*only_warning, "--fail-on", "warning", "posts", cwd=repo).returncode == 1


def test_select_limits_rules(repo: Path) -> None:
    result = run(
        "check",
        "--isolated",
        "--policy",
        "org.policy",
        "--select",
        "tone",
        "--format",
        "json",
        "posts",
        cwd=repo,
    )
    report = json.loads(result.stdout)
    assert {f["rule"] for f in report["findings"]} == {"tone.exclaim"}


def test_stdin_with_platform_and_meta(repo: Path) -> None:
    policy = 'rule x.sponsored { severity error when meta.sponsored and platform == "x" }'
    (repo / "s.policy").write_text(policy, encoding="utf-8")
    args = ["check", "--isolated", "--policy", "s.policy", "--format", "json", "-"]
    hit = run(*args, "--platform", "twitter", "--meta", "sponsored=true", cwd=repo, stdin="hi")
    assert hit.returncode == 1
    assert json.loads(hit.stdout)["findings"][0]["path"] == "<stdin>"
    miss = run(*args, "--platform", "linkedin", "--meta", "sponsored=true", cwd=repo, stdin="hi")
    assert miss.returncode == 0


def test_json_report_shape(repo: Path) -> None:
    result = run(
        "check", "--isolated", "--policy", "org.policy", "--format", "json", "posts", cwd=repo
    )
    report = json.loads(result.stdout)
    assert report["version"] == 2
    finding = report["findings"][0]
    for key in (
        "rule",
        "category",
        "severity",
        "message",
        "owner",
        "reference",
        "path",
        "post",
        "line",
        "column",
        "end_line",
        "end_column",
        "match",
        "suggestion",
    ):
        assert key in finding
    assert report["summary"]["posts_checked"] == 2


def test_a_broken_input_file_is_an_error_entry_and_others_are_still_checked(repo: Path) -> None:
    (repo / "posts" / "broken.json").write_text('{"text": "oops", ', encoding="utf-8")
    (repo / "posts" / "binary.txt").write_bytes(b"GIF89a\x00\x01\xffbad")
    result = run(
        "check", "--isolated", "--policy", "org.policy", "--format", "json", "posts", cwd=repo
    )
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert {Path(e["path"]).name for e in report["errors"]} == {"broken.json", "binary.txt"}
    assert any(f["rule"] == "fin.promise" for f in report["findings"])


def test_missing_input_path_is_an_input_error(repo: Path) -> None:
    result = run("check", "--isolated", "--policy", "org.policy", "nope.md", cwd=repo)
    assert result.returncode == 2
    assert "nope.md:1:1: input-error no such file or folder" in result.stdout


def test_broken_policy_exits_2_with_diagnostic(repo: Path) -> None:
    (repo / "bad.policy").write_text('rule a.b { flag ["x"] near ["y"] }\n', encoding="utf-8")
    result = run("check", "--isolated", "--policy", "bad.policy", "posts", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.startswith("bad.policy:1:34: error[PL101]: a proximity needs a distance")
    assert "^" in result.stderr


def test_usage_error_exits_2(repo: Path) -> None:
    assert run("check", "--format", "yaml", "posts", cwd=repo).returncode == 2


def test_test_command_runs_examples(repo: Path) -> None:
    result = run("test", "--isolated", "org.policy", cwd=repo)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "4 passed, 0 failed"
    (repo / "wrong.policy").write_text(
        'rule a.b { flag ["x"] example pass "x marks the spot" }', encoding="utf-8"
    )
    failing = run("test", "--isolated", "wrong.policy", cwd=repo)
    assert failing.returncode == 1
    assert 'FAIL  wrong.policy:1: a.b: example pass "x marks the spot"' in failing.stdout
    assert "0 passed, 1 failed" in failing.stdout


def test_rules_and_explain(repo: Path) -> None:
    listing = run("rules", "--isolated", "--policy", "org.policy", cwd=repo)
    assert listing.returncode == 0
    assert listing.stdout.splitlines()[0].split() == [
        "fin.promise",
        "regulatory",
        "error",
        "Compliance",
    ]
    explained = run("explain", "fin.promise", "--isolated", "--policy", "org.policy", cwd=repo)
    assert "example fail: Guaranteed returns" in explained.stdout
    unknown = run("explain", "fin.promis", "--isolated", "--policy", "org.policy", cwd=repo)
    assert unknown.returncode == 2
    assert "did you mean 'fin.promise'?" in unknown.stderr


def test_configuration_is_discovered_and_unknown_keys_rejected(repo: Path) -> None:
    (repo / ".policylint.toml").write_text(
        'policy = "org.policy"\nignore = ["fin.promise"]\nfail-on = "warning"\n', encoding="utf-8"
    )
    result = run("check", "--format", "json", "posts", cwd=repo)
    assert result.returncode == 1
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == {"tone.exclaim"}
    (repo / ".policylint.toml").write_text('polcy = "org.policy"\n', encoding="utf-8")
    bad = run("check", "posts", cwd=repo)
    assert bad.returncode == 2
    assert "unknown key 'polcy'" in bad.stderr and "did you mean 'policy'?" in bad.stderr


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "policylint", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("policylint, version ")


def test_every_reporter_format_is_selectable(repo: Path) -> None:
    from policylint.reporters import FORMATS

    for name in FORMATS:
        result = run(
            "check", "--isolated", "--policy", "org.policy", "--format", name, "posts", cwd=repo
        )
        assert result.returncode == 1, (name, result.stderr)
        assert result.stdout.strip(), name


def test_jobs_gives_the_same_report_as_one_process(repo: Path) -> None:
    lines = [
        json.dumps({"id": f"p{i}", "text": "Guaranteed returns!!!" if i % 7 == 0 else "hello"})
        for i in range(1500)
    ]
    (repo / "posts" / "many.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    base = ["check", "--isolated", "--policy", "org.policy", "--format", "json", "posts"]
    one = json.loads(run(*base, "--jobs", "1", cwd=repo).stdout)
    two = json.loads(run(*base, "--jobs", "2", cwd=repo).stdout)
    assert one["findings"] == two["findings"]
    assert two["summary"]["posts_checked"] == 1502
