"""The terminal experience: the docs' transcripts, colour, progress, statistics, init,
schema, completion and start-up cost."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[1]
BASE_ENV = {"PATH": "/usr/bin:/bin", "POLICYLINT_NO_CACHE": "1"}

POLICY = """
rule style.utilize {
  category style
  severity warning
  owner "Comms"
  message "Say 'use', not '{match}'"
  flag ["utilize"]
  suggest "use" safe
  example fail "We utilize AI"
}
rule legal.nda {
  category legal
  severity error
  flag ["falcon"]
  waivable false
  example fail "Project Falcon"
}
"""


def run(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policylint", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**BASE_ENV, "NO_COLOR": "1", **(env or {})},
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "org.policy").write_text(POLICY, encoding="utf-8")
    (tmp_path / ".policylint.toml").write_text('policy = "org.policy"\n', encoding="utf-8")
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.txt").write_text("We utilize AI.\n", encoding="utf-8")
    return tmp_path


# --- the docs' transcripts run as written ------------------------------------------------

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
FILE_MARK = re.compile(r"<!-- file: (\S+) -->\s*$")


def transcript_steps(doc: Path) -> list[tuple[str, str, str]]:
    """("file", name, content) and ("run", command, expected output), in document order."""
    text = doc.read_text(encoding="utf-8")
    steps: list[tuple[str, str, str]] = []
    for fence in FENCE.finditer(text):
        before = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marked = FILE_MARK.match(before.strip())
        if marked:
            steps.append(("file", marked.group(1), fence.group(2)))
        elif fence.group(1) == "console":
            command: str | None = None
            output: list[str] = []
            for line in fence.group(2).splitlines():
                if line.startswith("$ "):
                    if command is not None:
                        steps.append(("run", command, "\n".join(output)))
                    command, output = line[2:], []
                else:
                    output.append(line)
            if command is not None:
                steps.append(("run", command, "\n".join(output)))
    return steps


@pytest.mark.parametrize("doc", ["cli.md", "configuration.md"])
def test_doc_transcripts(doc: str, tmp_path: Path) -> None:
    steps = transcript_steps(ROOT / "docs" / doc)
    assert any(kind == "run" for kind, _, _ in steps)
    for kind, name, content in steps:
        if kind == "file":
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            continue
        argv = shlex.split(name)
        if argv[0] == "policylint":
            argv = [sys.executable, "-m", "policylint", *argv[1:]]
        result = subprocess.run(
            argv,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=60,
            env={**BASE_ENV, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"},
        )
        assert result.stdout.rstrip("\n") == content.rstrip("\n"), f"{doc}: $ {name}"


# --- colour ---------------------------------------------------------------------------


def run_on_tty(*args: str, cwd: Path, env: dict[str, str]) -> str:
    """Run with stdout on a pseudo-terminal; what the terminal receives."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "policylint", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**BASE_ENV, "TERM": "xterm-256color", **env},
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal is closed when the process exits (Linux)
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=30)
    assert process.stderr is not None
    process.stderr.close()
    os.close(leader)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_colour_only_on_a_terminal_and_never_with_no_color(repo: Path) -> None:
    coloured = run_on_tty("check", "posts", cwd=repo, env={})
    assert "\033[1;33mwarning\033[0m" in coloured
    assert "\033[1mposts/a.txt:1:4:\033[0m" in coloured
    assert "\033[32muse\033[0m" in coloured  # the suggestion, green
    plain = run_on_tty("check", "posts", cwd=repo, env={"NO_COLOR": "1"})
    assert "\033[" not in plain
    assert "posts/a.txt:1:4: warning style.utilize Say 'use', not 'utilize'" in plain
    assert "\033[" not in run_on_tty("check", "--no-color", "posts", cwd=repo, env={})
    assert "\033[" not in run_on_tty("check", "posts", cwd=repo, env={"TERM": "dumb"})
    piped = run("check", "posts", cwd=repo, env={"NO_COLOR": ""})
    assert "\033[" not in piped.stdout
    forced = subprocess.run(
        [sys.executable, "-m", "policylint", "check", "posts"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**BASE_ENV, "FORCE_COLOR": "1"},
    )
    assert "\033[1;33mwarning" in forced.stdout
    assert "\033[" not in run("check", "posts", cwd=repo, env={"FORCE_COLOR": "0"}).stdout


def test_output_file_is_never_coloured(repo: Path) -> None:
    out = run_on_tty("check", "-o", "report.txt", "posts", cwd=repo, env={})
    assert out == ""
    report = (repo / "report.txt").read_text(encoding="utf-8")
    assert "\033[" not in report
    assert report.startswith("posts/a.txt:1:4: warning style.utilize")


def test_posts_cannot_drive_the_terminal(repo: Path) -> None:
    (repo / "posts" / "evil.txt").write_text(
        "\x1b]0;pwned\x07We utilize \u202eAI\n", encoding="utf-8"
    )
    out = run("check", "posts/evil.txt", cwd=repo).stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "1 | \u241b]0;pwned\u2407We utilize \ufffdAI" in out
    assert "  | " + " " * 13 + "^" * 7 + "\n" in out


# --- progress ---------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_after_half_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policylint._cli import output

    clock = [100.0]
    monkeypatch.setattr("policylint._cli.output.time.monotonic", lambda: clock[0])
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("TERM", "xterm")
    progress = output.Progress(total=3)
    progress.advance(5)  # too early: nothing
    assert terminal.getvalue() == ""
    clock[0] += 1
    progress.advance(7)
    assert terminal.getvalue() == "\r\033[2Kpolicylint: checked 2/3 files, 12 posts"
    progress.advance(1)  # within 0.1 s of the last update: not redrawn
    progress.done()
    assert terminal.getvalue().endswith("\r\033[2K")

    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    quiet = output.Progress(total=3)
    clock[0] += 5
    quiet.advance(1)
    quiet.done()
    assert piped.getvalue() == ""


# --- statistics, rules ------------------------------------------------------------------


def test_statistics(repo: Path) -> None:
    (repo / "posts" / "b.txt").write_text("utilize utilize falcon\n", encoding="utf-8")
    text = run("check", "--statistics", "posts", cwd=repo)
    assert text.stdout.splitlines() == [
        "    3  style.utilize  warning  [*]",
        "    1  legal.nda      error",
        "4 findings",
    ]
    assert text.returncode == 1
    data = json.loads(run("check", "--statistics", "--format", "json", "posts", cwd=repo).stdout)
    assert data[0] == {"rule": "style.utilize", "severity": "warning", "count": 3, "fixable": 3}
    bad = run("check", "--statistics", "--format", "sarif", "posts", cwd=repo)
    assert bad.returncode == 2


def test_rules_json_and_explain_show_waivability_and_fixes(repo: Path) -> None:
    listing = json.loads(run("rules", "--format", "json", cwd=repo).stdout)
    assert {(r["id"], r["waivable"], r["fix"]) for r in listing} == {
        ("style.utilize", True, "safe"),
        ("legal.nda", False, None),
    }
    explained = run("explain", "legal.nda", cwd=repo).stdout
    assert "waivable:  no" in explained


def test_stdin_filename_sets_format_and_configuration(repo: Path) -> None:
    markdown = "---\nplatform: x\n---\nWe utilize it\n"
    result = run(
        "check",
        "--stdin-filename",
        "posts/new.md",
        "--format",
        "json",
        "-",
        cwd=repo,
        stdin=markdown,
    )
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["path"], finding["line"], finding["column"]) == ("posts/new.md", 4, 4)


# --- exit codes, quiet, the summary --------------------------------------------------------


def test_summary_fields_mean_what_their_names_say(repo: Path) -> None:
    posts = repo / "posts"
    (posts / "b.txt").write_text("Project Falcon\n", encoding="utf-8")  # an error finding
    (posts / "c.txt").write_text("Falcon and we utilize falcon\n", encoding="utf-8")
    # an input error (a calendar record cut short; it names a text field, so it is content)
    (posts / "d.json").write_text('{"text": "broken', encoding="utf-8")
    result = run("check", "--format", "json", "posts", cwd=repo)
    report = json.loads(result.stdout)
    assert report["version"] == 2
    # a.txt has only a warning: it is no post "with errors"; the input error has its count.
    assert report["summary"] == {
        "posts_checked": 3,
        "posts_with_errors": 2,
        "input_errors": 1,
        "files": 4,
        "findings": 5,
        "by_severity": {"warning": 2, "error": 3},
    }
    Draft202012Validator(schema_of("report", repo)).validate(report)
    summary = schema_of("report", repo)["$defs"]["Summary"]["properties"]
    assert "error" in summary["posts_with_errors"]["description"]
    assert set(summary) == set(report["summary"])
    import policylint

    results = policylint.load_policy(POLICY).check_many(["Project falcon", "utilize", "fine"])
    api = policylint.Report.from_results(results)
    assert (api.summary.posts_with_errors, api.summary.input_errors) == (1, 0)


@pytest.mark.parametrize(
    "args", [["--exit-zero"], ["--fail-on", "never"], ["--exit-zero", "--fail-on", "never"]]
)
def test_exit_zero_passes_findings_but_not_errors(repo: Path, args: list[str]) -> None:
    (repo / "posts" / "b.txt").write_text("Project Falcon\n", encoding="utf-8")
    assert run("check", "posts", cwd=repo).returncode == 1
    result = run("check", *args, "posts", cwd=repo)
    assert result.returncode == 0
    assert "2 findings (1 error, 1 warning)" in result.stdout
    assert run("check", *args, "posts", "missing.txt", cwd=repo).returncode == 2


def test_exit_zero_and_a_threshold_contradict(repo: Path) -> None:
    result = run("check", "--exit-zero", "--fail-on", "warning", "posts", cwd=repo)
    assert result.returncode == 2
    assert "--exit-zero and --fail-on warning contradict each other" in result.stderr


def test_fail_on_never_in_the_configuration(repo: Path) -> None:
    (repo / ".policylint.toml").write_text(
        'policy = "org.policy"\nfail-on = "never"\n', encoding="utf-8"
    )
    (repo / "posts" / "b.txt").write_text("Project Falcon\n", encoding="utf-8")
    assert run("check", "posts", cwd=repo).returncode == 0
    assert run("check", "--fail-on", "error", "posts", cwd=repo).returncode == 1


def test_quiet_prints_findings_only(repo: Path) -> None:
    loud = run("check", "posts", cwd=repo).stdout
    quiet = run("check", "-q", "posts", cwd=repo)
    assert quiet.returncode == 0  # a warning
    assert quiet.stdout == loud.rpartition("1 finding")[0]  # all but the summary line
    (repo / "posts" / "a.txt").write_text("All fine.\n", encoding="utf-8")
    clean = run("check", "--quiet", "posts", cwd=repo)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")
    stats = run("check", "-q", "--statistics", "posts", cwd=repo)
    assert stats.stdout == ""


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["--platform", "twiter"], "", "error: --platform 'twiter' is not a platform"),
        (
            [],
            'platform = "linkdin"\n',
            ".policylint.toml:2:12: error: 'platform' 'linkdin' is not a platform",
        ),
        (
            [],
            '[[overrides]]\npaths = ["x/**"]\nplatform = "tiktock"\n',
            ".policylint.toml:4:12: error: 'overrides[1].platform' 'tiktock' is not a platform",
        ),
    ],
)
def test_a_misspelt_platform_is_an_error(
    repo: Path, args: list[str], config: str, message: str
) -> None:
    # A typo would quietly switch the platform's rules off; a platform of one's own
    # ("intranet") is still fine.
    (repo / ".policylint.toml").write_text('policy = "org.policy"\n' + config, encoding="utf-8")
    result = run("check", *args, "posts", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert "did you mean" in result.stderr


def test_a_platform_of_ones_own_is_fine(repo: Path) -> None:
    (repo / ".policylint.toml").write_text(
        'policy = "org.policy"\nplatform = "intranet"\n', encoding="utf-8"
    )
    assert run("check", "--platform", "blog", "posts", cwd=repo).returncode == 0
    assert run("check", "posts", cwd=repo).returncode == 0


@pytest.mark.parametrize(
    "args", [["--format", "json"], ["--output", "report.txt"], ["--statistics"]]
)
def test_diff_refuses_options_it_would_ignore(repo: Path, args: list[str]) -> None:
    result = run("check", "--diff", *args, "posts", cwd=repo)
    assert result.returncode == 2
    assert "--diff prints a unified diff" in result.stderr
    assert not (repo / "report.txt").exists()


# --- what the text report shows of a post -------------------------------------------------


def test_records_are_shown_by_post_id_and_line_not_as_raw_json(repo: Path) -> None:
    posts = repo / "posts"
    (posts / "a.txt").unlink()
    (posts / "cal.jsonl").write_text(
        '{"id": "p1", "text": "We utilize AI", "platform": "x"}\n'
        '{"id": "p2", "text": "Line one\\nWe \\"utilize\\" it"}\n',
        encoding="utf-8",
    )
    (posts / "cal.csv").write_text('id,text\nc1,"a ""quoted"" utilize"\n', encoding="utf-8")
    out = run("check", "posts", cwd=repo).stdout
    assert "{" not in out and '""' not in out  # never the raw record
    assert (
        "posts/cal.csv:2:5: [c1] warning style.utilize Say 'use', not 'utilize'\n"
        "   |\n"
        'c1 | a "quoted" utilize\n'
        "   |            ^^^^^^^\n"
    ) in out
    assert "   |\np1 | We utilize AI\n   |    ^^^^^^^\n" in out
    # A text of several lines: the line of the match, numbered within the post.
    assert '          |\np2 line 2 | We "utilize" it\n          |     ^^^^^^^\n' in out


def test_a_long_line_is_shown_as_a_window_around_the_match(repo: Path) -> None:
    # 10 KB lines used to be printed whole under each of their findings.
    words = " ".join(f"w{n}" for n in range(2000))
    line = f"{words} we utilize {words} falcon 🦅 {words}"
    (repo / "posts" / "a.txt").write_text(line + "\n", encoding="utf-8")
    out = run("check", "posts", cwd=repo).stdout
    assert len(out) < 2000
    shown = [text for text in out.splitlines() if text.startswith("1 | ")]
    carets = [text for text in out.splitlines() if text.strip().startswith("| ") and "^" in text]
    assert len(shown) == len(carets) == 2
    for text, caret in zip(shown, carets, strict=True):
        assert text.startswith("1 | …") and text.endswith("…")
        start = caret.index("^")
        marked = text[start : start + caret.count("^")]
        assert marked.lower() in ("utilize", "falcon")


def test_a_match_in_a_record_that_is_not_verbatim_is_still_shown(repo: Path) -> None:
    # An escaped JSON string: the raw line does not hold the match, the post's text does.
    (repo / "posts" / "a.txt").unlink()
    (repo / "posts" / "p.json").write_text(
        '[{"id": "e", "text": "caf\\u00e9 utilize"}]\n', encoding="utf-8"
    )
    out = run("check", "posts", cwd=repo).stdout
    assert "e | café utilize\n  |      ^^^^^^^\n" in out


# --- init ---------------------------------------------------------------------------------


def test_init_writes_a_starter_that_works_and_never_overwrites(tmp_path: Path) -> None:
    from policylint._cli.scaffold import declared_settings
    from policylint._config.config import load_config
    from policylint._config.schema import CONFIG_SCHEMA

    result = run("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "created .policylint.toml",
        "created policy/org.policy",
    ]
    config_text = (tmp_path / ".policylint.toml").read_text(encoding="utf-8")
    Draft202012Validator(CONFIG_SCHEMA).validate(tomllib.loads(config_text))
    assert load_config(tmp_path / ".policylint.toml").policy == "policy/org.policy"
    # Every setting the built-in packs declare is there, commented, with its default.
    for setting in declared_settings():
        assert f"# {setting.key} = {setting.default}" in config_text, setting.name
    # Uncommented, the settings are valid TOML the policy accepts.
    uncommented = re.sub(r"^# (\w+ = .*?)  # \(.*\)$", r"\1", config_text, flags=re.MULTILINE)
    (tmp_path / ".policylint.toml").write_text(uncommented, encoding="utf-8")
    settings = load_config(tmp_path / ".policylint.toml").settings
    assert len(settings) == len(declared_settings())

    tested = run("test", "-q", cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    (tmp_path / "post.txt").write_text("Project Falcon launches today!\n", encoding="utf-8")
    checked = run("check", "--select", "org", "post.txt", cwd=tmp_path)
    assert "post.txt:1:1: error org.code_names" in checked.stdout

    before = (tmp_path / "policy" / "org.policy").read_text(encoding="utf-8")
    again = run("init", cwd=tmp_path)
    assert again.returncode == 2
    assert "already exists; not overwriting anything" in again.stderr
    assert (tmp_path / "policy" / "org.policy").read_text(encoding="utf-8") == before


def test_init_refuses_a_folder_configured_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.policylint]\n", encoding="utf-8")
    result = run("init", cwd=tmp_path)
    assert result.returncode == 2
    assert "[tool.policylint]" in result.stderr
    assert not (tmp_path / ".policylint.toml").exists()
    assert not (tmp_path / "policy").exists()


# --- schema -------------------------------------------------------------------------------


def schema_of(name: str, cwd: Path) -> dict[str, Any]:
    result = run("schema", name, cwd=cwd)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    Draft202012Validator.check_schema(document)
    return document


def test_schemas_describe_what_policylint_reads_and_writes(repo: Path) -> None:
    post = schema_of("post", repo)
    Draft202012Validator(post).validate({"id": "p1", "text": "Hi", "meta": {"a": 1}})
    report_schema = schema_of("report", repo)
    (repo / "posts" / "w.md").write_text(
        "<!-- policylint-disable-next-line style -- fine -->\nutilize\n", encoding="utf-8"
    )
    report = json.loads(run("check", "--format", "json", "posts", cwd=repo).stdout)
    assert any(f["waived"] for f in report["findings"])
    Draft202012Validator(report_schema).validate(report)
    finding_schema = report_schema["$defs"]["Finding"]["properties"]
    assert set(report["findings"][0]) <= set(finding_schema)
    config = schema_of("config", repo)
    assert config["additionalProperties"] is False
    everything = json.loads(run("schema", cwd=repo).stdout)
    assert set(everything) == {"post", "report", "config"}


# --- completion and start-up --------------------------------------------------------------


def test_shell_completion_works_out_of_the_box(repo: Path) -> None:
    source = run("check", cwd=repo, env={"_POLICYLINT_COMPLETE": "bash_source"})
    assert source.returncode == 0
    assert "_policylint_completion()" in source.stdout
    assert "complete -o nosort -F _policylint_completion policylint" in source.stdout

    def complete(words: str) -> list[str]:
        result = run(
            cwd=repo,
            env={
                "_POLICYLINT_COMPLETE": "bash_complete",
                "COMP_WORDS": words,
                "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
            },
        )
        return result.stdout.splitlines()

    assert "plain,check" in complete("policylint ch")
    assert "plain,sarif" in complete("policylint check --format s")
    assert complete("policylint explain style.") == ["plain,style.utilize"]
    script = Path(sys.executable).with_name("policylint")
    if script.exists():  # the installed console script, as users have it
        result = subprocess.run(
            [str(script)],
            env={**BASE_ENV, "_POLICYLINT_COMPLETE": "zsh_source"},
            capture_output=True,
            text=True,
        )
        assert "#compdef policylint" in result.stdout


def test_start_up_imports_only_click() -> None:
    code = (
        "import sys, policylint._cli.app; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'lark', 're2', 'yaml', 'rich', 'jsonschema', 'ahocorasick')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_a_warm_check_imports_only_what_checking_needs(repo: Path) -> None:
    # The console script's path: not click, not the parser or pydantic (the compiled policy
    # is cached), not the process pool for one small folder, not OpenSSL through hashlib,
    # not inspect (dataclasses import it: policylint._model.struct says why there are none), not
    # typing (policylint._model.struct again).
    heavy = ["click", "lark", "pydantic", "rich", "policylint._pipeline.pool", "hashlib"]
    heavy.append("inspect")
    heavy.append("typing")
    code = (
        "import sys\n"
        "from policylint._cli.entrypoint import main\n"
        "sys.argv = ['policylint', 'check', 'posts']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(set({heavy!r}) & set(sys.modules)), file=sys.stderr)\n"
    )
    # With the compiled-policy cache warm, as on every run but the first one.
    env = {"PATH": BASE_ENV["PATH"], "POLICYLINT_CACHE_DIR": str(repo / "cache")}
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, env=env
        )
    assert out.stderr.strip().splitlines()[-1] == "[]"
