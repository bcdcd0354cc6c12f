"""The console script's fast path: ``policylint check ...`` read without click.

click stays the definition of the command line; these tests hold the fast parser to it:
it knows the same options, accepts nothing click refuses, and reads what it accepts as
click reads it. Anything else must be left to click.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint._cli import entrypoint
from policylint._cli.app import check as click_check
from policylint._cli.app import main as click_main
from policylint._cli.options import OPTIONS, CheckOptions, parse_check

ROOT = Path(__file__).resolve().parent.parent

# The kinds of the option table as this test names them.
_KINDS = {"text": "str", "file": "file", "choice": "choice", "count": "count", "many": "many"}


def check_options() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """The option table (what the fast reader reads): option string -> (CheckOptions
    field, kind, choices)."""
    table = {}
    for spec in OPTIONS:
        for flag in spec.flags:
            if spec.kind in ("flag", "switch"):
                kind = "off" if spec.kind == "switch" and flag != spec.flags[0] else "on"
            else:
                kind = _KINDS[spec.kind]
            table[flag] = (spec.name, kind, spec.choices)
    return table


def _kind(param: click.Option, opt: str) -> tuple[str, str, tuple[str, ...]]:
    assert param.name is not None
    if param.is_flag:
        return (param.name, "off" if opt in param.secondary_opts else "on", ())
    if param.multiple:
        return (param.name, "many", ())
    kind = param.type
    if isinstance(kind, click.Choice):
        return (param.name, "choice", tuple(str(c) for c in kind.choices))
    if isinstance(kind, click.IntRange):
        assert (kind.min, kind.max, kind.min_open) == (0, None, False)
        return (param.name, "count", ())
    if isinstance(kind, click.Path):
        assert not kind.exists and kind.file_okay and kind.readable
        return (param.name, "str" if kind.dir_okay else "file", ())
    assert kind is click.STRING, f"{opt}: a type the fast parser does not read"
    return (param.name, "str", ())


def test_the_option_table_is_clicks() -> None:
    expected = {}
    for param in click_check.params:
        if isinstance(param, click.Argument):
            assert param.name == "paths" and param.nargs == -1
            continue
        assert isinstance(param, click.Option)
        for opt in [*param.opts, *param.secondary_opts]:
            expected[opt] = _kind(param, opt)
    assert expected == check_options()


def _click_reads(args: list[str]) -> CheckOptions | None:
    """What click makes of ``check ARGS``: the options, or None when it refuses them."""
    try:
        with click_check.make_context("check", list(args)) as ctx:
            return CheckOptions(**ctx.params)
    except (click.exceptions.ClickException, click.exceptions.Exit):
        return None


def test_no_arguments_read_as_clicks_defaults() -> None:
    assert parse_check([]) == _click_reads([]) == CheckOptions()


def _paths(folder: Path) -> list[str]:
    """A file, a folder, a path that does not exist, and an unreadable file (but for
    root, who reads everything: then a second file)."""
    (folder / "post.md").write_text("hello\n", encoding="utf-8")
    (folder / "dir").mkdir()
    secret = folder / "secret.txt"
    secret.write_text("x", encoding="utf-8")
    secret.chmod(0)
    return [str(folder / "post.md"), str(folder / "dir"), str(folder / "none"), str(secret)]


@st.composite
def _argv(draw: st.DrawFn, paths: list[str], valid_only: bool) -> list[str]:
    """Command lines built from check's options, values, paths and, unless
    ``valid_only``, what click refuses or reads its own way."""
    values = st.sampled_from(["x", "0", "3", "json", "warning", *paths])
    if not valid_only:
        values = values | st.sampled_from(["", "-1", "1_0", " 2", "-", "--fix", "JSON", "=a"])
    groups: list[list[str]] = []
    for _ in range(draw(st.integers(0, 6))):
        option = draw(st.sampled_from(sorted(check_options())))
        _, kind, choices = check_options()[option]
        if kind in ("on", "off"):
            groups.append([option])
            continue
        if valid_only:
            if kind == "choice":
                value = draw(st.sampled_from(choices))
            elif kind == "count":
                value = str(draw(st.integers(0, 9)))
            else:
                value = draw(st.sampled_from(["x", paths[0], paths[2]]))
        else:
            value = draw(values)
        if option.startswith("--") and draw(st.booleans()):
            groups.append([f"{option}={value}"])
        else:
            groups.append([option, value])
    positional = st.sampled_from([paths[0], paths[1], paths[2], "-"])
    if not valid_only:
        positional = positional | st.sampled_from(
            [paths[3], "--", "--help", "-h", "--nope", "-pX", "-j2", "--fix=1", "-p"]
        )
    for _ in range(draw(st.integers(0, 3))):
        groups.insert(draw(st.integers(0, len(groups))), [draw(positional)])
    if not valid_only:  # anywhere, even between an option and its value
        flat = [token for group in groups for token in group]
        for _ in range(draw(st.integers(0, 2))):
            flat.insert(draw(st.integers(0, len(flat))), draw(positional))
        return flat
    return [token for group in groups for token in group]


def test_the_fast_parser_reads_only_what_click_reads_and_as_click_does() -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = _paths(Path(folder))

        @settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(args=_argv(paths, valid_only=False))
        def agree(args: list[str]) -> None:
            fast = parse_check(args)
            if fast is not None:
                assert fast == _click_reads(args), args

        agree()


def test_the_fast_parser_takes_every_ordinary_command_line() -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = _paths(Path(folder))

        @settings(max_examples=300, deadline=None)
        @given(args=_argv(paths, valid_only=True))
        def taken(args: list[str]) -> None:
            fast = parse_check(args)
            assert fast is not None, args
            assert fast == _click_reads(args), args

        taken()


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["-h"],
        ["--format", "xml"],
        ["--jobs", "-1"],
        ["--jobs", "many"],
        ["--fix=yes"],
        ["--policy"],
        ["-pbuiltin:all"],
        ["--config", "."],
        ["--unknown"],
        ["--fail-on", "nevr"],
        ["--exit-zero=1"],
        ["-qq"],
        ["--extend-select"],
    ],
)
def test_what_click_must_explain_is_left_to_click(args: list[str]) -> None:
    assert parse_check(args) is None


@pytest.mark.parametrize(
    "args",
    [
        ["--fail-on", "never", "-q", "x.md"],
        ["--exit-zero", "--quiet", "--extend-select", "tone", "--extend-select=legal"],
        ["--select", "privacy", "--extend-select", "tone.*", "--ignore", "tone.exclamation"],
    ],
)
def test_the_issue_15_options_read_as_click_reads_them(args: list[str]) -> None:
    fast = parse_check(args)
    assert fast is not None and fast == _click_reads(args)


def _python(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1", **env},
    )


PROBE = """
import gc
import sys
from policylint._cli.entrypoint import main
before = gc.get_threshold()
sys.argv = ["policylint", *sys.argv[1:]]
try:
    main()
finally:
    sys.stderr.write("\\nclick imported: %s\\n" % ("click" in sys.modules))
    sys.stderr.write("gc restored: %s\\n" % (gc.get_threshold() == before))
"""


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    (tmp_path / "a.md").write_text(
        "---\nplatform: x\n---\nGuaranteed returns! Mail ben@example.com #ad\n", encoding="utf-8"
    )
    (tmp_path / "b.txt").write_text("Our shop opens at nine.\n", encoding="utf-8")
    return tmp_path


def test_a_plain_check_runs_without_click_and_reports_as_click_does(drafts: Path) -> None:
    args = ["check", "--isolated", "--format", "json", "a.md", "b.txt"]
    fast = _python("-c", PROBE, *args, cwd=drafts, POLICYLINT_NO_CACHE="1")
    # policylint._cli.startup raised the collector's threshold for the start, and restored it
    assert fast.stderr.split() == ["click", "imported:", "False", "gc", "restored:", "True"]
    old = Path.cwd()
    os.chdir(drafts)
    try:
        slow = CliRunner().invoke(click_main, args, env={"POLICYLINT_NO_CACHE": "1"})
    finally:
        os.chdir(old)
    assert (fast.returncode, fast.stdout) == (slow.exit_code, slow.stdout)
    assert fast.returncode == 1 and '"privacy.email"' in fast.stdout


def test_other_command_lines_go_to_click(drafts: Path) -> None:
    helped = _python("-c", PROBE, "check", "--help", cwd=drafts)
    assert helped.returncode == 0
    assert "Usage: policylint check [OPTIONS] [PATHS]..." in helped.stdout
    assert "click imported: True" in helped.stderr
    wrong = _python("-m", "policylint", "check", "--format", "xml", "a.md", cwd=drafts)
    assert wrong.returncode == 2
    assert "Invalid value for '--format': 'xml' is not one of" in wrong.stderr


def test_version_is_printed_as_click_prints_it(drafts: Path) -> None:
    fast = _python("-c", PROBE, "--version", cwd=drafts)
    slow = CliRunner().invoke(click_main, ["--version"])
    assert (fast.returncode, fast.stdout) == (slow.exit_code, slow.output) == (0, slow.output)
    assert "click imported: False" in fast.stderr


def test_a_closed_pipe_ends_the_run_quietly_with_1(tmp_path: Path) -> None:
    # Far more output than a pipe holds, so writing must fail once the reader is gone.
    lines = [f'{{"text": "Mail ben{n}@example.com about offer {n}."}}' for n in range(3000)]
    (tmp_path / "many.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "policylint", "check", "--isolated", "many.jsonl"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert "Traceback" not in error and "Exception ignored" not in error


# The console script, telling whether it ended the process itself (os._exit, skipping the
# interpreter's teardown) and that the exit handlers ran; argv[1] says whether to start a
# thread that outlives main() and needs the ordinary shutdown to finish.
LEAVE_PROBE = """
import atexit, os, sys, threading, time
from policylint._cli.entrypoint import console_script

real_exit = os._exit
def reported_exit(code):
    sys.stderr.write("left with %d\\n" % code)
    sys.stderr.flush()
    real_exit(code)

os._exit = reported_exit
atexit.register(lambda: sys.stderr.write("exit handler ran\\n"))

def outlive_main():
    while threading.main_thread().is_alive():
        time.sleep(0.01)
    sys.stderr.write("thread done\\n")

if sys.argv[1] == "thread":
    threading.Thread(target=outlive_main).start()
sys.argv = ["policylint", *sys.argv[2:]]
console_script()
"""


def test_the_console_script_ends_without_tearing_the_interpreter_down(drafts: Path) -> None:
    args = ["check", "--isolated", "--format", "json", "a.md", "b.txt"]
    left = _python("-c", LEAVE_PROBE, "alone", *args, cwd=drafts, POLICYLINT_NO_CACHE="1")
    # The whole report, the findings' exit status and the exit handlers, as a usual exit...
    assert left.returncode == 1 and left.stdout.rstrip().endswith("}")
    assert '"privacy.email"' in left.stdout
    assert left.stderr.splitlines() == ["exit handler ran", "left with 1"]
    # ... without the ~10 ms of freeing every object first.


def test_a_thread_still_running_gets_the_ordinary_exit(drafts: Path) -> None:
    args = ["check", "--isolated", "b.txt"]
    ended = _python("-c", LEAVE_PROBE, "thread", *args, cwd=drafts, POLICYLINT_NO_CACHE="1")
    assert ended.returncode == 0 and "0 findings" in ended.stdout
    assert "left with" not in ended.stderr
    assert sorted(ended.stderr.splitlines()) == ["exit handler ran", "thread done"]


def test_a_profiled_run_still_writes_its_profile(drafts: Path) -> None:
    (drafts / "run.py").write_text(
        "from policylint._cli.entrypoint import console_script\nconsole_script()\n"
    )
    args = ["-m", "cProfile", "-o", "run.prof", "run.py", "check", "--isolated", "b.txt"]
    profiled = _python(*args, cwd=drafts, POLICYLINT_NO_CACHE="1")
    assert profiled.returncode == 0 and "0 findings" in profiled.stdout
    assert (drafts / "run.prof").stat().st_size > 0


def test_a_message_exit_from_click_keeps_its_status_and_message(drafts: Path) -> None:
    wrong = _python("-c", LEAVE_PROBE, "alone", "check", "--format", "xml", "a.md", cwd=drafts)
    assert wrong.returncode == 2 and "left with 2" in wrong.stderr
    assert "Invalid value for '--format': 'xml' is not one of" in wrong.stderr


@pytest.mark.parametrize(("stop", "code"), [(KeyboardInterrupt, 130), (EOFError, 1)])
def test_ctrl_c_exits_130_on_both_paths(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stop: type[BaseException],
    code: int,
) -> None:
    # Ctrl-C is 130 (128 + SIGINT), as shells report it: not 1, which means "findings".
    def interrupted(options: Any) -> None:
        raise stop

    monkeypatch.setattr("policylint._cli.check.run_check", interrupted)
    with pytest.raises(SystemExit) as exited:
        entrypoint._run_standalone(CheckOptions())
    assert exited.value.code == code
    assert capsys.readouterr().err == "\nAborted!\n"
    monkeypatch.setattr("policylint._cli.app.run_check", interrupted)
    slow = CliRunner().invoke(click_main, ["check", "x.txt"])
    assert slow.exit_code == code
    assert slow.stderr == "\nAborted!\n"


def test_ctrl_c_in_other_commands_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("policylint._cli.app.policy_or_fail", interrupted)
    result = CliRunner().invoke(click_main, ["rules", "--isolated"])
    assert result.exit_code == 130


def test_the_start_collects_rarely_until_the_policy_is_loaded() -> None:
    import gc

    from policylint._cli import startup

    before = gc.get_threshold()
    try:
        startup.begin()
        assert gc.get_threshold() == (startup.STARTUP_THRESHOLD, *before[1:])
        startup.begin()  # once only: the thresholds to restore are the first ones
        startup.end()
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() > 0
        startup.end()  # without begin: only freezes
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_console_script_is_the_entrypoint() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'policylint = "policylint._cli.entrypoint:console_script"' in text
