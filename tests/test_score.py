"""``policylint score``: a policy's judgement on posts whose answer is known, checked by the
same path as ``check`` and scored post by post."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policylint._cli.app import main

POLICY = """
rule ad.cure {
  category regulatory
  message "health claim"
  flag ["cures", "cured my"]
}
rule tone.eyeroll {
  category tone
  message "eye roll"
  flag ["🙄"]
}
rule tone.whatever {
  category tone
  message "whatever"
  flag ["whatever"]
}
"""

POSTS = [
    {"id": "1", "text": "This balm cures eczema", "expect": ["regulatory"]},
    {"id": "2", "text": "It soothed my skin", "expect": ["regulatory"]},  # missed
    {"id": "3", "text": "Sure 🙄", "expect": ["tone.eyeroll"]},  # a rule id
    {"id": "4", "text": "whatever", "expect": ["tone.eyeroll"]},  # right category, wrong rule
    {"id": "5", "text": "Cured ham, cures nothing", "expect": []},  # a false alarm
    {"id": "6", "text": "Nice day", "expect": []},
]


def score(tmp_path: Path, posts: list[dict[str, object]], *args: str) -> Result:
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    (tmp_path / "posts.jsonl").write_text(
        "".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8"
    )
    return CliRunner().invoke(
        main,
        ["score", str(tmp_path / "posts.jsonl"), "-p", str(tmp_path / "p.policy"), "--isolated",
         *args],
    )  # fmt: skip


def test_scores_per_category_post_by_post(tmp_path: Path) -> None:
    result = score(tmp_path, POSTS, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    regulatory = report["categories"]["regulatory"]
    # posts 1 and 2 break it; 1 and 5 were flagged for it
    assert regulatory == {"posts": 2, "flagged": 2, "precision": 0.5, "recall": 0.5}
    assert report["categories"]["tone"] == {
        "posts": 2, "flagged": 2, "precision": 1.0, "recall": 1.0
    }  # fmt: skip
    assert report["rules"]["tone.eyeroll"]["recall"] == 0.5  # post 4 was another rule's
    assert (report["clean"], report["clean_flagged"]) == (2, 1)
    assert [(w["line"], w["expected"], w["found"]) for w in report["wrong"]] == [
        (2, ["regulatory"], []),
        (4, ["tone.eyeroll"], ["tone.whatever"]),
        (5, [], ["ad.cure"]),
    ]


def test_the_text_report_and_its_wrong_posts(tmp_path: Path) -> None:
    result = score(tmp_path, POSTS, "-v")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["category", "posts", "flagged", "precision", "recall"]
    assert "regulatory 2 2 0.500 0.500" in [" ".join(line.split()) for line in lines]
    assert "6 labelled posts, 3 judged wrongly; clean posts flagged 1/2 = 0.500" in lines
    assert any(line.endswith("posts.jsonl:5:22: expected nothing; found ad.cure") for line in lines)


@pytest.mark.parametrize(
    ("gate", "failed"),
    [
        (("--min-recall", "0.5"), None),
        (("--min-recall", "0.6"), "regulatory: recall 0.500 < --min-recall 0.6"),
        (("--min-precision", "0.9"), "regulatory: precision 0.500 < --min-precision 0.9"),
        (("--max-clean-flagged", "0.4"), "clean posts flagged 0.500 > --max-clean-flagged 0.4"),
    ],
)
def test_a_missed_gate_exits_1_and_says_which(
    tmp_path: Path, gate: tuple[str, str], failed: str | None
) -> None:
    result = score(tmp_path, POSTS, *gate)
    assert result.exit_code == (0 if failed is None else 1)
    if failed is not None:
        assert f"failed: {failed}" in result.stdout.splitlines()


def test_a_misspelt_label_is_an_error_with_a_did_you_mean_and_the_rest_is_scored(
    tmp_path: Path,
) -> None:
    posts = [*POSTS, {"id": "7", "text": "cures", "expect": ["regulatry"]}]
    result = score(tmp_path, posts, "--format", "json")
    assert result.exit_code == 2
    (error,) = json.loads(result.stdout)["errors"]
    assert error["line"] == 7
    assert "'regulatry'" in error["message"] and "did you mean 'regulatory'?" in error["message"]
    assert json.loads(result.stdout)["posts"] == 6  # the others still scored
    assert ":7:" in result.stderr


@pytest.mark.parametrize("value", [None, 3, ["tone", 4]])
def test_a_post_without_a_list_of_labels_is_an_input_error(tmp_path: Path, value: object) -> None:
    post: dict[str, object] = {"id": "x", "text": "cures"}
    if value is not None:
        post["expect"] = value
    result = score(tmp_path, [*POSTS, post])
    assert result.exit_code == 2
    assert "'expect' must list what the post breaks" in result.stderr


def test_the_labels_field_can_be_named(tmp_path: Path) -> None:
    posts = [{**p, "categories": p["expect"]} for p in POSTS]
    for post in posts:
        del post["expect"]
    result = score(tmp_path, posts, "--labels", "categories", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["micro"]["posts"] == 4


def test_a_waived_finding_does_not_count(tmp_path: Path) -> None:
    waiver = {"waive": [{"rule": "ad.cure", "reason": "a ham, not a claim"}]}
    posts = [{"id": "w", "text": "Cured ham, cures nothing", "expect": [], "policylint": waiver}]
    result = score(tmp_path, posts, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["clean_flagged"] == 0


def test_labels_of_rules_left_out_by_the_selection_are_left_out_of_the_score(
    tmp_path: Path,
) -> None:
    result = score(tmp_path, POSTS, "--select", "tone", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report["categories"]) == ["tone"]
    assert (report["clean"], report["clean_flagged"]) == (2, 0)  # ad.cure did not run
    misspelt = [*POSTS, {"id": "7", "text": "x", "expect": ["tone.eyerol"]}]
    result = score(tmp_path, misspelt, "--select", "tone")
    assert result.exit_code == 2
    assert "did you mean 'tone.eyeroll'?" in result.stderr
