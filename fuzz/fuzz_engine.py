"""Fuzz the engine: a fixed policy, fuzzed post text, platform and metadata.

    python fuzz/fuzz_engine.py fuzz/corpus/engine -max_total_time=60

Checks what must always hold, not just "no exception": every finding's ``match`` is
exactly its span of the text, findings are sorted, and a second run gives the same.
"""

from __future__ import annotations

import os
import sys

import atheris

with atheris.instrument_imports():
    import policylint
    from policylint import Post

os.environ["POLICYLINT_NO_CACHE"] = "1"

POLICY = r"""
terms promise = ["guarantee*", "risk-free", "can't lose", "sure thing", "*partner"]
rule t.terms { severity error flag promise unless preceded by ["not", "never"] within 2 words }
rule t.near { flag ["return*", "profit*"] near promise within 4 words }
rule t.notnear { flag ["free"] not near ["trial"] within 2 words }
rule t.followed { flag ["click"] followed by ["here", "now"] within 3 words }
rule t.regex { flag /\d{3}[-.]\d{4}/ }
rule t.regexi { flag /b[a-z]*y/i }
rule t.detect { flag detect(email) or detect(url) or detect(phone) or detect(card) }
rule t.more { flag detect(iban) or detect(ssn) or detect(ip) }
rule t.hashtag { flag ["ad", "sponsored"] in hashtags }
rule t.mention { flag ["boss"] in mentions }
rule t.link { flag ["example"] in links }
rule t.first { flag ["win*"] in first 5 words }
rule t.last { flag ["bye"] in last 2 lines }
rule t.cjk { flag ["保証", "гарантия"] }
rule t.allow { flag detect(phone) unless allow ["+1 800 555 0100"] }
rule t.inside { flag ["free"] unless matches ["free trial"] }
rule t.alt { flag ["guarantee*"] in meta.alt }
rule t.require { require ["#ad"] in first 125 chars when meta.sponsored }
rule t.metric {
  when exclamation_run >= 3 or caps_ratio > 0.9 or sentiment < -0.5 or length > 280
  message "{length} {sentiment} {emoji} {hashtags}"
}
"""
PLATFORMS = [
    None,
    "x",
    "twitter",
    "linkedin",
    "instagram",
    "threads",
    "bluesky",
    "mastodon",
    "tiktok",
    "youtube",
    "facebook",
    "other",
]

policy = policylint.load_policy(text=POLICY)


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    platform = PLATFORMS[fdp.ConsumeIntInRange(0, len(PLATFORMS) - 1)]
    sponsored = fdp.ConsumeBool()
    alt = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 64))
    text = fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes())
    post = Post(id="f", text=text, platform=platform, meta={"sponsored": sponsored, "alt": alt})
    findings = policy.check(post, max_post_chars=None).findings
    for finding in findings:
        source = alt if finding.field == "meta.alt" else text
        if finding.match != source[finding.start : finding.end]:
            raise AssertionError(f"span {finding!r} is not text[start:end]")
    if findings != sorted(findings, key=lambda f: f.sort_key()):
        raise AssertionError("findings are not sorted")
    if policy.check(post, max_post_chars=None).findings != findings:
        raise AssertionError("a second run gave different findings")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
