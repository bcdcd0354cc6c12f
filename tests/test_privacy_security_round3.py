"""Round 3 of issue 17 for the privacy and security packs: what the rules' inline examples
cannot show. The sub-packs whose rule supersedes privacy.third_party load on their own."""

from __future__ import annotations

import pytest

import policylint


@pytest.mark.parametrize(
    ("pack", "text", "rule"),
    [
        (
            "builtin:privacy/plates",
            "Whoever owns the red Golf, plate AB12 CDE, you blocked our loading bay",
            "privacy.vehicle_plate",
        ),
        (
            "builtin:privacy/accounts",
            "Hey Dave, your account shows three missed payments since June.",
            "privacy.account_status",
        ),
    ],
)
def test_a_superseding_sub_pack_loads_alone(pack: str, text: str, rule: str) -> None:
    """A sub-pack that supersedes privacy.third_party extends the pack defining it, so its
    `supersedes` names a loaded rule rather than a misspelt one (PL207)."""
    policy = policylint.load_policy(f'policy "t" {{ extends "{pack}" }}')
    assert rule in {f.rule for f in policy.check(text).findings}


def test_a_care_reply_is_one_finding() -> None:
    """privacy.health also sees a condition told to a named patient; privacy.care_reply,
    which reports the reply's care details, supersedes it on the same words."""
    policy = policylint.load_policy('policy "t" { extends "builtin:privacy" }')
    text = (
        "Hi Melissa, as you know, your deep cleaning took longer because of the "
        "advanced gum disease we found."
    )
    findings = policy.check(text, meta={"reply": True, "industry": "dental"}).findings
    assert {f.rule for f in findings} == {"privacy.care_reply"}
