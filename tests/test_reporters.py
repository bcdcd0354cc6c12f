"""Tests for the machine-readable reporters: jsonl, sarif, github, rdjson and their columns."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, Draft202012Validator
from referencing import Registry, Resource

from policylint import __version__
from policylint._model.posts import InputError
from policylint._model.reports import Finding, Report
from policylint._model.rules import RuleInfo
from policylint._model.severity import Severity
from policylint.reporters import FORMATS, render
from policylint.reporters.columns import SourceLines, display_path, utf8_column, utf16_column
from policylint.reporters.github import escape_data, escape_property
from policylint.reporters.jsonl import write_finding
from policylint.reporters.sarif import FINGERPRINT

SCHEMAS = Path(__file__).resolve().parent / "data" / "schemas"
SARIF_SCHEMA = SCHEMAS / "sarif" / "sarif-2.1.0.json"
RDJSON_SCHEMAS = SCHEMAS / "reviewdog_rdf"

EMOJI_LINE = "\U0001f600 Guaranteed returns"
LAUNCH = "posts/launch.md"
SOURCES = {LAUNCH: f"Our new fund\r\n{EMOJI_LINE}\nBuy now!\n"}


# --- helpers -------------------------------------------------------------------------------


def finding(**overrides: Any) -> Finding:
    """The emoji-line finding ('Guaranteed', code-point columns 3..13 on line 2)."""
    fields: dict[str, Any] = {
        "rule": "finance.promissory",
        "category": "regulatory",
        "severity": Severity.ERROR,
        "message": "Promissory claim 'Guaranteed'",
        "owner": "Compliance",
        "reference": "FINRA Rule 2210(d)(1)(B)",
        "reference_url": "https://www.finra.org/rules-guidance/rulebooks/finra-rules/2210",
        "path": LAUNCH,
        "post": "launch",
        "line": 2,
        "column": 3,
        "end_line": 2,
        "end_column": 13,
        "start": 16,
        "end": 26,
        "match": "Guaranteed",
        "field": None,
        "suggestion": None,
    }
    fields.update(overrides)
    return Finding(**fields)


SUGGESTED = finding(suggestion="Aiming for")
HYPE = finding(
    rule="tone.hype",
    category="tone",
    severity=Severity.INFO,
    message="Hype: 'Buy now!'",
    owner=None,
    reference=None,
    reference_url=None,
    line=3,
    column=1,
    end_line=3,
    end_column=9,
    start=35,
    end=43,
    match="Buy now!",
)
FROM_STDIN = finding(
    rule="tone.caps",
    category="tone",
    severity=Severity.WARNING,
    message="Shouting: 'FREE'",
    path=None,
    post=None,
    line=1,
    column=6,
    end_line=1,
    end_column=10,
    start=5,
    end=9,
    match="FREE",
)
BROKEN = InputError(path="posts/broken.json", line=2, column=5, message="invalid JSON: '}'")


def report(findings: list[Finding], errors: list[InputError] | None = None) -> Report:
    return Report.counted(
        [Finding(**f.model_dump()) for f in findings],
        [InputError(e.path, e.message, e.line, e.column) for e in errors or []],
        checked=3,
    )


def output(format_name: str, rep: Report, **options: Any) -> str:
    out = io.StringIO()
    render(format_name, rep, out, **options)
    return out.getvalue()


def sarif(rep: Report, **options: Any) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(output("sarif", rep, **options))
    return log


def rdjson(rep: Report, **options: Any) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(output("rdjson", rep, **options))
    return result


def sarif_errors(log: dict[str, Any]) -> list[str]:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def rdjson_errors(result: dict[str, Any]) -> list[str]:
    """Validate against DiagnosticResult.json, with its sibling files in a registry so that a
    reference to any of them would resolve."""
    resources = [
        (path.as_uri(), Resource.from_contents(json.loads(path.read_text(encoding="utf-8"))))
        for path in sorted(RDJSON_SCHEMAS.glob("*.json"))
    ]
    registry: Registry[Any] = Registry().with_resources(resources)
    root = (RDJSON_SCHEMAS / "DiagnosticResult.json").as_uri()
    validator = Draft4Validator({"$ref": root}, registry=registry)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(result)]


# --- columns -------------------------------------------------------------------------------


def test_emoji_columns_in_utf16_and_utf8() -> None:
    # The emoji is one code point, two UTF-16 code units and four UTF-8 bytes.
    assert utf16_column(EMOJI_LINE, 3) == 4
    assert utf8_column(EMOJI_LINE, 3) == 6
    assert utf16_column(EMOJI_LINE, 13) == 14
    assert utf8_column(EMOJI_LINE, 13) == 16


def test_reviewdog_documented_example() -> None:
    # From reviewdog's Position docs: in 'a𐐀b', b is at byte column 6.
    line = "a\U00010400b"
    assert [utf8_column(line, c) for c in (1, 2, 3)] == [1, 2, 6]
    assert [utf16_column(line, c) for c in (1, 2, 3)] == [1, 2, 4]


def test_columns_are_identity_on_ascii_and_count_past_the_end() -> None:
    assert [utf16_column("abc", c) for c in (1, 4, 6)] == [1, 4, 6]
    assert [utf8_column("é", c) for c in (1, 2, 3)] == [1, 3, 4]


def test_source_lines_split_like_the_readers() -> None:
    lines = SourceLines({"a.txt": "one\r\ntwo\rthree\nfour"})
    assert [lines.line("a.txt", n) for n in (1, 2, 3, 4)] == ["one", "two", "three", "four"]
    assert lines.line("a.txt", 5) is None
    assert lines.span("a.txt", 1, 2, 3, 3) == "ne\r\ntwo\rth"
    assert lines.span("a.txt", 1, 9, 1, 10) is None  # past the end of the line


def test_source_lines_read_files_and_tolerate_missing_ones(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_bytes(b"\xef\xbb\xbfhello\nworld\n")  # the BOM is not part of the text
    lines = SourceLines()
    assert lines.line(str(path), 1) == "hello"
    assert lines.line(str(tmp_path / "missing.txt"), 1) is None
    assert lines.line(None, 1) is None


def test_display_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert display_path(str(tmp_path / "posts" / "a.md")) == "posts/a.md"
    assert display_path("./posts/a.md") == "posts/a.md"
    assert display_path("<stdin>") == "stdin"
    assert display_path(None) == "stdin"


# --- jsonl ---------------------------------------------------------------------------------


def test_jsonl_one_line_per_finding_then_errors() -> None:
    rep = report([SUGGESTED, HYPE, FROM_STDIN], [BROKEN])
    lines = output("jsonl", rep).splitlines()
    assert len(lines) == len(rep.findings) + len(rep.errors)
    records = [json.loads(line) for line in lines]
    assert [r["type"] for r in records] == ["finding", "finding", "finding", "error"]
    expected = json.loads(output("json", rep))
    findings = [{k: v for k, v in r.items() if k != "type"} for r in records[:3]]
    assert findings == expected["findings"]
    assert records[3] == {"type": "error", **expected["errors"][0]}


def test_jsonl_stream_writer_matches_render_and_keeps_one_line() -> None:
    awkward = finding(message="line\u2028separator and \x85 next-line", match="Guaranteed")
    out = io.StringIO()
    write_finding(awkward, out)
    text = out.getvalue()
    assert text == output("jsonl", report([awkward]))
    assert len(text.splitlines()) == 1
    assert json.loads(text)["message"] == awkward.message


# --- sarif ---------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_schema() -> None:
    rep = report([SUGGESTED, HYPE, FROM_STDIN], [BROKEN])
    log = sarif(rep, sources=SOURCES)
    assert sarif_errors(log) == []
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("policylint", __version__)
    assert driver["informationUri"].startswith("https://")
    log["runs"][0]["results"][0]["level"] = "fatal"
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    assert len(sarif_errors(log)) == 2


def test_sarif_converts_columns_to_utf16() -> None:
    run = sarif(report([SUGGESTED]), sources=SOURCES)["runs"][0]
    assert run["columnKind"] == "utf16CodeUnits"
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == LAUNCH
    assert location["region"] == {"startLine": 2, "startColumn": 4, "endLine": 2, "endColumn": 14}


def test_sarif_reads_the_file_when_sources_lack_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "posts").mkdir()
    (tmp_path / LAUNCH).write_text(SOURCES[LAUNCH], encoding="utf-8", newline="")
    run = sarif(report([SUGGESTED]))["runs"][0]
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] == 4


def test_sarif_keeps_code_points_when_a_file_cannot_be_read() -> None:
    missing = finding(path="no/such/file.md")
    log = sarif(report([missing]))
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (3, 13)
    assert "fixes" not in run["results"][0]
    assert sarif_errors(log) == []


def test_sarif_result_fields() -> None:
    run = sarif(report([SUGGESTED, HYPE]), sources=SOURCES)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["finance.promissory", "tone.hype"]
    first, second = run["results"]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "finance.promissory"
    assert rules[second["ruleIndex"]]["id"] == second["ruleId"] == "tone.hype"
    assert (first["level"], second["level"]) == ("error", "note")
    assert first["message"]["text"] == "Promissory claim 'Guaranteed'"
    assert first["properties"] == {"post": "launch"}
    assert rules[0]["helpUri"] == SUGGESTED.reference_url
    assert rules[0]["properties"] == {
        "category": "regulatory",
        "owner": "Compliance",
        "reference": "FINRA Rule 2210(d)(1)(B)",
        "tags": ["regulatory"],
    }


def test_sarif_fix_replaces_the_region_with_the_suggestion() -> None:
    result = sarif(report([SUGGESTED, HYPE]), sources=SOURCES)["runs"][0]["results"][0]
    (fix,) = result["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == LAUNCH
    (replacement,) = change["replacements"]
    assert replacement["deletedRegion"] == result["locations"][0]["physicalLocation"]["region"]
    assert replacement["insertedContent"] == {"text": "Aiming for"}


def test_sarif_no_fix_where_the_region_does_not_hold_the_match() -> None:
    # A non-verbatim source (a JSON string with escapes) points every offset at the record.
    at_record = finding(suggestion="Aiming for", line=1, column=1, end_line=1, end_column=1)
    in_field = finding(suggestion="Aiming for", field="meta.alt")
    results = sarif(report([at_record, in_field]), sources=SOURCES)["runs"][0]["results"]
    assert [("fixes" in r) for r in results] == [False, False]
    assert results[1]["properties"] == {"post": "launch", "field": "meta.alt"}


def test_sarif_input_errors_are_notifications() -> None:
    run = sarif(report([], [BROKEN]))["runs"][0]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == "invalid JSON: '}}'"  # braces doubled (SARIF §3.11.5)
    location = note["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "posts/broken.json"
    assert location["region"]["startLine"] == 2
    assert sarif(report([SUGGESTED]), sources=SOURCES)["runs"][0]["invocations"][0] == {
        "executionSuccessful": True,
        "toolExecutionNotifications": [],
    }


def test_sarif_stdin_finding_without_path() -> None:
    log = sarif(report([SUGGESTED, FROM_STDIN]), sources=SOURCES)
    run = log["runs"][0]
    assert run["columnKind"] == "utf16CodeUnits"  # text from no file does not downgrade the run
    location = run["results"][1]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "stdin"
    assert location["region"] == {"startLine": 1, "endLine": 1}  # no line text to convert with
    assert "properties" not in run["results"][1]
    assert sarif_errors(log) == []


def test_sarif_stdin_text_from_sources_is_converted() -> None:
    piped = finding(path="<stdin>", line=1, column=3, end_line=1, end_column=13)
    run = sarif(report([piped]), sources={"<stdin>": EMOJI_LINE})["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "stdin"
    assert (location["region"]["startColumn"], location["region"]["endColumn"]) == (4, 14)
    assert "fixes" not in run["results"][0]


def test_sarif_fingerprints_survive_moves_and_tell_duplicates_apart() -> None:
    moved = finding(line=7, start=80, end=90)
    other = finding(match="guaranteed", message="Promissory claim 'guaranteed'")
    results = sarif(report([SUGGESTED, moved, other]))["runs"][0]["results"]
    prints = [r["partialFingerprints"][FINGERPRINT] for r in results]
    assert prints[0].split(":")[0] == prints[1].split(":")[0]
    assert len(set(prints)) == 3


def test_sarif_lists_all_rules_from_metadata() -> None:
    def info(rule_id: str, message: str, description: str | None) -> RuleInfo:
        return RuleInfo(
            id=rule_id,
            category="regulatory",
            severity=Severity.WARNING,
            owner=None,
            reference=None,
            reference_url=None,
            message=message,
            description=description,
            suggestion=None,
            fix_safe=False,
            waivable=True,
            path="rules/finance.policy",
            line=1,
            examples=(),
        )

    metadata = [
        info("finance.unused", "Never matched", None),
        info("finance.promissory", "Promissory claim '{match}'", "Claims of certain returns."),
    ]
    log = sarif(report([SUGGESTED, HYPE]), sources=SOURCES, rules=metadata)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["finance.unused", "finance.promissory", "tone.hype"]
    assert rules[1]["shortDescription"]["text"] == "Promissory claim '{{match}}'"
    assert rules[1]["fullDescription"]["text"] == "Claims of certain returns."
    assert rules[1]["defaultConfiguration"] == {"level": "warning"}
    assert "fullDescription" not in rules[0]
    assert [r["ruleIndex"] for r in log["runs"][0]["results"]] == [1, 2]
    assert sarif_errors(log) == []


def test_sarif_uris_are_relative_and_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    inside = finding(path=str(tmp_path / "my posts" / "a#1.md"))
    results = sarif(report([inside]))["runs"][0]["results"]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "my%20posts/a%231.md"
    )


# --- github --------------------------------------------------------------------------------


def test_github_annotation_per_finding() -> None:
    lines = output("github", report([SUGGESTED, HYPE])).splitlines()
    assert lines[0] == (
        "::error file=posts/launch.md,line=2,col=3,endLine=2,endColumn=13,"
        "title=finance.promissory::Promissory claim 'Guaranteed'"
    )
    assert lines[1].startswith("::notice file=posts/launch.md,line=3,col=1,")
    assert len(lines) == 3
    assert not lines[2].startswith("::")  # the plain summary line
    assert lines[2] == "2 findings (1 error, 1 info) in 3 posts from 1 file."


def test_github_escapes_data_and_properties() -> None:
    odd = finding(
        severity=Severity.WARNING,
        path="posts/a,b:c.md",
        message="100% sure\nreally\r",
        rule="tone.x",
    )
    first = output("github", report([odd])).splitlines()[0]
    assert first == (
        "::warning file=posts/a%2Cb%3Ac.md,line=2,col=3,endLine=2,endColumn=13,"
        "title=tone.x::100%25 sure%0Areally%0D"
    )
    assert escape_data("a:b,c") == "a:b,c"
    assert escape_property("50%, 1:2") == "50%25%2C 1%3A2"


def test_github_input_errors_stdin_and_multiline() -> None:
    spanning = finding(end_line=3, end_column=4)
    rep = report([spanning, FROM_STDIN], [BROKEN])
    lines = output("github", rep).splitlines()
    assert lines[0].startswith("::error file=posts/launch.md,line=2,endLine=3,title=")
    assert lines[1] == "::warning title=tone.caps::stdin:1:6: Shouting: 'FREE'"
    assert lines[2] == (
        "::error file=posts/broken.json,line=2,col=5,title=input-error::invalid JSON: '}'"
    )
    assert "1 input could not be checked" in lines[3]


# --- rdjson --------------------------------------------------------------------------------


def test_rdjson_is_valid_against_the_schema() -> None:
    result = rdjson(report([SUGGESTED, HYPE, FROM_STDIN], [BROKEN]), sources=SOURCES)
    assert rdjson_errors(result) == []
    assert result["source"]["name"] == "policylint"
    assert result["severity"] == "ERROR"
    assert len(result["diagnostics"]) == 4


def test_rdjson_schema_check_catches_mistakes() -> None:
    result = rdjson(report([SUGGESTED]), sources=SOURCES)
    result["diagnostics"][0]["severity"] = "FATAL"
    result["diagnostics"][0]["location"]["range"]["start"]["line"] = "2"
    assert len(rdjson_errors(result)) == 2


def test_rdjson_columns_are_utf8_bytes_with_suggestion() -> None:
    diagnostic = rdjson(report([SUGGESTED]), sources=SOURCES)["diagnostics"][0]
    expected_range = {"start": {"line": 2, "column": 6}, "end": {"line": 2, "column": 16}}
    assert diagnostic["location"] == {"path": LAUNCH, "range": expected_range}
    assert diagnostic["severity"] == "ERROR"
    assert diagnostic["code"] == {"value": "finance.promissory", "url": SUGGESTED.reference_url}
    assert diagnostic["suggestions"] == [{"range": expected_range, "text": "Aiming for"}]


def test_rdjson_without_source_gives_lines_only_and_no_suggestion() -> None:
    result = rdjson(report([finding(path="no/such/file.md", suggestion="Aiming for"), HYPE]))
    first, second = result["diagnostics"]
    assert first["location"]["range"] == {"start": {"line": 2}, "end": {"line": 2}}
    assert "suggestions" not in first
    assert second["severity"] == "INFO"
    assert "url" not in second["code"]
    assert result["severity"] == "ERROR"


def test_rdjson_input_errors_and_stdin() -> None:
    result = rdjson(report([FROM_STDIN], [BROKEN]), sources=SOURCES)
    stdin, error = result["diagnostics"]
    assert stdin["location"]["path"] == "stdin"
    assert stdin["severity"] == "WARNING"
    assert error["code"] == {"value": "input-error"}
    assert error["location"]["path"] == "posts/broken.json"
    assert error["location"]["range"]["start"] == {"line": 2}  # unreadable: no column
    assert rdjson(report([])) == {"source": result["source"], "diagnostics": []}


# --- registry ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["jsonl", "sarif", "github", "rdjson"])
def test_formats_are_registered_and_accept_options_they_do_not_use(name: str) -> None:
    # Every reporter takes the one RenderOptions type, so an option added for one format
    # never breaks another; each ignores what it has no use for (colour in JSON Lines).
    assert name in FORMATS
    text = output(name, report([SUGGESTED]), color=True, sources=SOURCES, show_waived=True)
    assert "finance.promissory" in text
