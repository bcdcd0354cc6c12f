"""Issue 17, round 4: patterns read in a field of each object of a metadata list
(``contains (P in item.FIELD)`` inside a quantifier)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import policylint
from policylint import PolicyError

ALT_TEXT = """
rule t.alt_marking {
  category security
  message "Image {item.number}: an internal marking in its alt text"
  when any meta.media where (
    item.type == "image" and contains (["internal only", "uso interno"] in item.alt)
  )
  flag /(?s).+/
}
"""


def rules(policy: policylint.Policy, media: Any) -> list[str]:
    return [f.rule for f in policy.check("Our offsite!", meta={"media": media}).findings]


@pytest.mark.parametrize(
    ("media", "fired"),
    [
        ([{"type": "image", "alt": "Roadmap slide, USO INTERNO"}], True),
        (
            [
                {"type": "image", "alt": "Team photo"},
                {"type": "image", "alt": "Internal-only deck"},
            ],
            True,
        ),
        ([{"type": "video", "alt": "internal only"}], False),  # the type is asked too
        ([{"type": "image", "alt": "Team photo"}, {"type": "image"}], False),
        ([{"type": "image", "alt": ["internal only"]}], True),  # a list of strings is text too
        ("internal only", False),  # not a list of objects: no items
    ],
)
def test_a_pattern_looks_in_each_items_field(media: Any, fired: bool) -> None:
    policy = policylint.load_policy(ALT_TEXT)
    assert rules(policy, media) == (["t.alt_marking"] if fired else [])


def test_the_message_names_the_item_whose_field_matched() -> None:
    policy = policylint.load_policy(ALT_TEXT)
    media = [{"type": "image", "alt": "Team"}, {"type": "image", "alt": "uso interno"}]
    (finding,) = policy.check("Our offsite!", meta={"media": media}).findings
    assert finding.message == "Image 2: an internal marking in its alt text"


def test_an_item_field_outside_a_quantifier_points_at_it() -> None:
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy('rule t.r {\n  when contains (["x"] in item.alt)\n  flag ["y"]\n}\n')
    (error,) = caught.value.diagnostics
    assert (error.code, error.line, error.column) == ("PL216", 2, 27)
    assert "inside a quantifier" in error.message
    assert "any meta.LIST where" in (error.hint or "")


def test_a_cached_item_field_pattern_behaves_as_a_fresh_one(
    fresh_and_cached: Callable[[str], tuple[policylint.Policy, policylint.Policy]],
) -> None:
    fresh, cached = fresh_and_cached(ALT_TEXT)
    for media in ([{"type": "image", "alt": "USO INTERNO"}], [{"type": "image", "alt": "ok"}]):
        post = {"media": media}
        assert cached.check("Our offsite!", meta=post) == fresh.check("Our offsite!", meta=post)


# ----------------------------------------------------------------------------- a string setting
STRING_SETTING = """
setting organisation.name = "Acme Foods"
rule t.named {
  flag organisation.name near ["scam", "fraud"] within 5 words
}
"""


@pytest.mark.parametrize(
    ("text", "fired"),
    [
        ("Acme Foods is a scam", True),
        ("acme-foods fraud, again", True),  # a term: case and separators as any term
        ("Acme is a scam", False),
        ("Acme Foods is lovely", False),
    ],
)
def test_a_string_setting_is_a_list_of_one_term(text: str, fired: bool) -> None:
    policy = policylint.load_policy(STRING_SETTING)
    assert [f.rule for f in policy.check(text).findings] == (["t.named"] if fired else [])


def test_a_setting_of_another_kind_is_still_no_list() -> None:
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy("setting thresholds.n = 3\nrule t.r {\n  flag thresholds.n\n}\n")
    (error,) = caught.value.diagnostics
    assert error.code == "PL214" and "not a string or a list of strings" in error.message


# ----------------------------------------------------------------------------- unused lists
@pytest.mark.parametrize(
    ("source", "position", "hint"),
    [
        # no rule uses 'a': its misspelt part is still a mistake
        (
            'terms fees = ["fee"]\nterms a = feees + ["x"]\nrule t.r { flag fees }\n',
            (2, 11),
            "fees",
        ),
        # a rule uses it: reported once, not again by the check of unused lists
        ('terms fees = ["fee"]\nterms a = feees + ["x"]\nrule t.r { flag a }\n', (2, 11), "fees"),
    ],
)
def test_a_list_naming_an_unknown_list_is_an_error_used_or_not(
    source: str, position: tuple[int, int], hint: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(source)
    (error,) = caught.value.diagnostics
    assert (error.code, (error.line, error.column)) == ("PL201", position)
    assert hint in (error.hint or "")


def test_an_unused_list_may_name_a_list_setting() -> None:
    source = (
        'setting organisation.rivals = ["Initech"]\n'
        'terms a = organisation.rivals + ["x"]\n'
        'rule t.r { flag ["y"] }\n'
    )
    assert policylint.load_policy(source).check("y").findings
