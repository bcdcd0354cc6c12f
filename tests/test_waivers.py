"""Waivers: inline directives and meta.policylint.waive, with reasons and an audit trail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from policylint._pipeline.waivers import parse_directives

POLICY = """
rule tone.shouting {
  category tone
  severity warning
  message "Shouting: '{match}'"
  flag /\\b[A-Z]{3,}(?:[ \\t]+[A-Z]{3,})+\\b/
  example fail "BUY NOW today"
}
rule legal.nda {
  category legal
  severity error
  owner "Legal"
  message "'{match}' is under NDA"
  flag ["project falcon"]
  waivable false
  example fail "Project Falcon ships"
}
rule tone.exclaim {
  category tone
  severity warning
  message "{exclamation_run} exclamation marks in a row"
  when exclamation_run >= 3
  example fail "Sale!!!"
}
rule privacy.alt {
  category privacy
  severity warning
  flag ["smith"] in meta.alt
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


def findings(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    report: dict[str, Any] = json.loads(result.stdout)
    found: list[dict[str, Any]] = report["findings"]
    return found


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "org.policy").write_text(POLICY, encoding="utf-8")
    (tmp_path / ".policylint.toml").write_text('policy = "org.policy"\n', encoding="utf-8")
    (tmp_path / "posts").mkdir()
    return tmp_path


def write(repo: Path, name: str, text: str) -> Path:
    path = repo / "posts" / name
    path.write_text(text, encoding="utf-8")
    return path


MARKDOWN = """---
platform: linkedin
---
Launch day.
<!-- policylint-disable-next-line tone.shouting -- launch tone agreed with comms (JIRA-12) -->
BUY NOW while stocks last
And BIG NEWS later
"""


def test_disable_next_line_waives_that_line_only_and_keeps_an_audit_trail(repo: Path) -> None:
    write(repo, "launch.md", MARKDOWN)
    result = run("check", "--format", "json", "posts", cwd=repo)
    found = findings(result)
    waived = [f for f in found if f["waived"]]
    assert [(f["rule"], f["match"], f["line"], f["column"]) for f in waived] == [
        ("tone.shouting", "BUY NOW", 6, 1)
    ]
    assert waived[0]["waiver_reason"] == "launch tone agreed with comms (JIRA-12)"
    active = [f for f in found if not f["waived"]]
    assert [(f["rule"], f["match"], f["line"]) for f in active] == [
        ("tone.shouting", "BIG NEWS", 7)
    ]
    # The summary counts what is not waived; the exit code too (warnings do not fail).
    assert json.loads(result.stdout)["summary"]["findings"] == 1
    assert result.returncode == 0


def test_text_output_hides_waived_findings_unless_asked(repo: Path) -> None:
    write(repo, "launch.md", MARKDOWN)
    plain = run("check", "posts", cwd=repo)
    assert "BUY NOW" not in plain.stdout.replace("<!--", "")
    assert plain.stdout.splitlines()[-1].endswith("; 1 waived.")
    shown = run("check", "--show-waived", "posts", cwd=repo)
    assert "posts/launch.md:6:1: warning tone.shouting Shouting: 'BUY NOW'" in shown.stdout
    assert "= waived: launch tone agreed with comms (JIRA-12)" in shown.stdout


def test_waived_findings_never_fail_the_run(repo: Path) -> None:
    write(
        repo,
        "a.md",
        "<!-- policylint-disable tone -- archive of 2019 posts -->\nBUY NOW!!!\n",
    )
    result = run("check", "--fail-on", "info", "--format", "json", "posts", cwd=repo)
    assert result.returncode == 0, result.stdout
    assert {(f["rule"], f["waived"]) for f in findings(result)} == {
        ("tone.shouting", True),
        ("tone.exclaim", True),
    }


def test_block_disable_and_enable(repo: Path) -> None:
    write(
        repo,
        "block.md",
        "FIRST LINE here\n"
        "<!-- policylint-disable tone.shouting -- quoting the 1999 ad -->\n"
        "BUY NOW\n"
        "\n"
        "ACT FAST\n"
        "<!-- policylint-enable tone.shouting -->\n"
        "LAST WORDS\n",
    )
    result = run("check", "--format", "json", "posts", cwd=repo)
    state = {(f["match"], f["line"]): f["waived"] for f in findings(result)}
    assert state == {
        ("FIRST LINE", 1): False,
        ("BUY NOW", 3): True,
        ("ACT FAST", 5): True,
        ("LAST WORDS", 7): False,
    }


def test_plain_text_directive_is_stripped_before_checking(repo: Path) -> None:
    write(
        repo,
        "note.txt",
        "policylint: disable=tone.shouting -- brand name is all caps\nWe love ACME CORP.\n",
    )
    result = run("check", "--format", "json", "posts", cwd=repo)
    (finding,) = findings(result)
    assert (finding["match"], finding["line"], finding["column"]) == ("ACME CORP", 2, 9)
    assert finding["waived"] and finding["waiver_reason"] == "brand name is all caps"
    # The directive itself (which has a capitalised word run in it) is not checked.
    assert not any(f["line"] == 1 for f in findings(result))


def test_whole_post_findings_can_be_waived_from_the_first_line(repo: Path) -> None:
    write(repo, "sale.txt", "policylint: disable=tone.exclaim -- it is a sale\nSale!!!\n")
    result = run("check", "--format", "json", "posts", cwd=repo)
    (finding,) = findings(result)
    assert finding["rule"] == "tone.exclaim" and finding["waived"]


def test_meta_waivers_in_front_matter_and_json_records(repo: Path) -> None:
    write(
        repo,
        "fm.md",
        "---\npolicylint:\n  waive:\n    - rule: tone.shouting\n      reason: product name\n"
        "alt: Photo of Mr Smith\n---\nMeet SUPER WIDGET today\n",
    )
    write(
        repo,
        "cal.json",
        json.dumps(
            [
                {
                    "id": "p1",
                    "text": "BUY NOW",
                    "meta": {"policylint": {"waive": [{"rule": "tone", "reason": "ok"}]}},
                },
                {"id": "p2", "text": "BUY NOW"},
                {
                    "id": "p3",
                    "text": "Hi",
                    "alt": "Smith",
                    "policylint": {"waive": ["privacy.alt -- consent on file"]},
                },
            ]
        ),
    )
    result = run("check", "--format", "json", "posts", cwd=repo)
    state = {(Path(f["path"]).name, f["post"], f["rule"]): f["waived"] for f in findings(result)}
    assert state == {
        ("fm.md", None, "tone.shouting"): True,
        ("fm.md", None, "privacy.alt"): False,  # waived only for tone.shouting
        ("cal.json", "p1", "tone.shouting"): True,
        ("cal.json", "p2", "tone.shouting"): False,
        ("cal.json", "p3", "privacy.alt"): True,
    }


def test_require_reason_refuses_waivers_without_one(repo: Path) -> None:
    (repo / ".policylint.toml").write_text(
        'policy = "org.policy"\n[waivers]\nrequire-reason = true\n', encoding="utf-8"
    )
    write(repo, "a.md", "<!-- policylint-disable-next-line tone.shouting -->\nBUY NOW\n")
    result = run("check", "--format", "json", "posts", cwd=repo)
    assert result.returncode == 1
    state = [(f["rule"], f["severity"], f["line"], f["waived"]) for f in findings(result)]
    assert state == [
        ("policylint.waiver", "error", 1, False),
        ("tone.shouting", "warning", 2, False),
    ]
    text = run("check", "posts", cwd=repo).stdout
    assert "posts/a.md:1:1: error policylint.waiver waiver of tone.shouting needs a reason" in text
    # With a reason it is accepted.
    write(repo, "a.md", "<!-- policylint-disable-next-line tone.shouting -- agreed -->\nBUY NOW\n")
    assert run("check", "posts", cwd=repo).returncode == 0


@pytest.mark.parametrize(
    ("setting", "reported"),
    [
        ("", [("policylint.waiver", "warning", 1, False), ("tone.shouting", "warning", 2, True)]),
        ("[waivers]\nrequire-reason = false\n", [("tone.shouting", "warning", 2, True)]),
    ],
)
def test_a_waiver_without_a_reason_is_reported_unless_reasons_are_optional(
    repo: Path, setting: str, reported: list[tuple[str, str, int, bool]]
) -> None:
    # Issue 15: a silent reason-less waiver is an audit trail with a hole in it. By default
    # it still waives (no surprise failures) but is reported; `require-reason = false` says
    # reasons are optional here, `true` refuses it (above).
    (repo / ".policylint.toml").write_text('policy = "org.policy"\n' + setting, encoding="utf-8")
    write(repo, "a.md", "<!-- policylint-disable-next-line tone.shouting -->\nBUY NOW\n")
    result = run("check", "--format", "json", "posts", cwd=repo)
    assert result.returncode == 0  # a warning: the default fail-on is error
    state = [(f["rule"], f["severity"], f["line"], f["waived"]) for f in findings(result)]
    assert state == reported
    if not setting:
        text = run("check", "posts", cwd=repo).stdout
        assert (
            "posts/a.md:1:1: warning policylint.waiver waiver of tone.shouting gives no reason "
            "('-- why'); it applies, but say why (or set [waivers] require-reason = false)"
        ) in text


def test_rules_marked_not_waivable_cannot_be_waived(repo: Path) -> None:
    write(
        repo,
        "nda.md",
        "<!-- policylint-disable-next-line legal.nda -- marketing wants it -->\n"
        "Project Falcon ships today\n"
        "<!-- policylint-disable legal -- a category cannot do it either -->\n"
        "project falcon again\n",
    )
    result = run("check", "--format", "json", "posts", cwd=repo)
    assert result.returncode == 1
    found = findings(result)
    nda = [f for f in found if f["rule"] == "legal.nda"]
    assert [(f["line"], f["waived"]) for f in nda] == [(2, False), (4, False)]
    refusals = [f for f in found if f["rule"] == "policylint.waiver"]
    assert [(f["line"], f["severity"]) for f in refusals] == [(1, "error"), (3, "error")]
    assert all("cannot be waived" in f["message"] for f in refusals)


def test_report_unused_waivers(repo: Path) -> None:
    write(
        repo,
        "a.md",
        "<!-- policylint-disable-next-line tone.shouting -- old -->\nAll calm here\n",
    )
    quiet = run("check", "--format", "json", "posts", cwd=repo)
    assert findings(quiet) == []
    loud = run("check", "--report-unused-waivers", "posts", cwd=repo)
    assert (
        "posts/a.md:1:1: warning policylint.waiver unused waiver: no tone.shouting finding "
        "in the next line" in loud.stdout
    )
    assert loud.returncode == 0  # a warning; --fail-on warning makes it fail
    assert run("check", "--report-unused-waivers", "--fail-on", "warning", "posts", cwd=repo)
    # A waiver for a rule that did not run (--select) is not reported as unused.
    selected = run("check", "--report-unused-waivers", "--select", "legal", "posts", cwd=repo)
    assert "unused waiver" not in selected.stdout
    # The configuration can switch it on for everyone.
    (repo / ".policylint.toml").write_text(
        'policy = "org.policy"\n[waivers]\nreport-unused = true\n', encoding="utf-8"
    )
    assert "unused waiver" in run("check", "posts", cwd=repo).stdout


def test_malformed_and_misplaced_directives_are_reported(repo: Path) -> None:
    write(
        repo,
        "a.md",
        "Hello <!-- policylint-disable-next-line tone.shouting -->\n"
        "<!-- policylint-disable -- no rules named -->\n"
        "<!-- policylint-disable-next-line tone.shoutng -- typo -->\n"
        "BUY NOW\n",
    )
    result = run("check", "posts", cwd=repo)
    out = result.stdout
    assert "posts/a.md:1:12: warning policylint.waiver not a waiver" in out
    assert "posts/a.md:2:1: error policylint.waiver policylint-disable must name the rules" in out
    assert (
        "posts/a.md:3:1: warning policylint.waiver waiver of unknown rule 'tone.shoutng'; "
        "did you mean 'tone.shouting'?" in out
    )
    assert "posts/a.md:4:1: warning tone.shouting" in out
    assert result.returncode == 1


def test_positions_after_stripped_directives_match_the_file(repo: Path) -> None:
    text = (
        "---\nplatform: x\n---\n"
        "<!-- policylint-disable-next-line legal.nda -- x -->\n"
        "<!-- policylint-disable tone.exclaim -- y -->\n"
        "Intro\n"
        "  Then BIG SALE now\n"
    )
    write(repo, "pos.md", text)
    result = run("check", "--format", "json", "--select", "tone.shouting", "posts", cwd=repo)
    # (The legal.nda waiver is itself reported: that rule is not waivable.)
    (finding,) = [f for f in findings(result) if f["rule"] == "tone.shouting"]
    lines = text.splitlines()
    line, column = finding["line"], finding["column"]
    assert lines[line - 1][column - 1 : finding["end_column"] - 1] == "BIG SALE"
    assert (line, column) == (7, 8)


def test_parse_directives_maps_ranges() -> None:
    text = "a\n<!-- policylint-disable-next-line x.y, z -- because -->\n\nBUY\nend"
    parsed = parse_directives(text)
    assert parsed.text == "a\n\nBUY\nend"
    assert [(w.rule, w.reason, text[w.span[0] : w.span[1]]) for w in parsed.waivers if w.span] == [
        ("x.y", "because", "BUY\n"),
        ("z", "because", "BUY\n"),
    ]
    assert parse_directives("no directives here").removed == []
