"""Issue 17, round 3: per-flag conditions and exceptions, the post's language as a
condition, warnings for regular expressions that silently miss, and mentions with
non-ASCII letters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import policylint
from policylint import PolicyError


def matched(policy: policylint.Policy, text: str, **meta: Any) -> list[str]:
    """The matched texts of a post's findings, in order."""
    return [f.match for f in policy.check(text, meta=meta).findings]


# ----------------------------------------------------------------------------- per-flag blocks
PER_FLAG = """
terms claims = ["cures", "treats"]
terms conditions = ["cancer", "diabetes"]
rule t.health {
  flag claims near conditions within 6 words {
    unless followed by ["not evaluated by the FDA"] within 40 words
  }
  flag ["you people", "your problem"] { when meta.reply }
  flag ["miracle"] {
    when platform == "x"
    unless meta.satire
  }
  flag ["risk-free"]
}
"""


@pytest.mark.parametrize(
    ("text", "meta", "expected"),
    [
        ("It cures cancer", {}, ["cures"]),
        ("It cures cancer (not evaluated by the FDA)", {}, []),
        # the exception is the first flag's: another flag's match is not excused by it
        ("Risk-free, it cures cancer (not evaluated by the FDA)", {}, ["Risk-free"]),
        ("you people again", {}, []),
        ("you people again", {"reply": True}, ["you people"]),
        # only the second flag is guarded by meta.reply
        ("It cures cancer, you people", {}, ["cures"]),
        ("It cures cancer, you people", {"reply": True}, ["cures", "you people"]),
        ("a miracle", {}, []),
        ("a miracle", {"platform": "x"}, ["miracle"]),
        ("a miracle", {"platform": "x", "satire": True}, []),
    ],
)
def test_a_flag_has_its_own_when_and_unless(
    text: str, meta: dict[str, Any], expected: list[str]
) -> None:
    policy = policylint.load_policy(PER_FLAG)
    platform = meta.pop("platform", None)
    findings = policy.check(text, platform=platform, meta=meta).findings
    assert [f.match for f in findings] == expected


def test_the_rules_own_when_and_unless_still_apply_to_every_flag() -> None:
    policy = policylint.load_policy(
        """rule t.r {
          when meta.industry == "finance"
          unless preceded by ["not"] within 2 words
          flag ["guaranteed"] { when meta.reply }
          flag ["risk-free"]
        }"""
    )
    assert matched(policy, "guaranteed and risk-free", reply=True) == []
    both = matched(policy, "guaranteed and risk-free", reply=True, industry="finance")
    assert both == ["guaranteed", "risk-free"]
    assert matched(policy, "not guaranteed, not risk-free", reply=True, industry="finance") == []


def test_a_flags_allow_list_compares_its_detectors_canonical_values() -> None:
    policy = policylint.load_policy(
        """rule t.phone {
          flag detect(phone) { unless allow ["+1 800 555 0100"] }
        }"""
    )
    assert matched(policy, "Call 1-800-555-0100") == []
    assert matched(policy, "Call +44 7911 123456") == ["+44 7911 123456"]


def test_a_per_flag_condition_may_read_metrics_and_contain_patterns() -> None:
    policy = policylint.load_policy(
        """rule t.r {
          flag ["sale"] { when exclamations > 1 and not contains ["terms apply"] }
        }"""
    )
    assert matched(policy, "sale!!") == ["sale"]
    assert matched(policy, "sale!") == []
    assert matched(policy, "sale!! terms apply") == []


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "hint"),
    [
        # an empty block, a rule field inside one, and a block after a require
        ('rule t.r {\n  flag ["x"] { }\n}', "PL101", 2, 16, "'unless' or 'when'"),
        ('rule t.r {\n  flag ["x"] { message "m" }\n}', "PL101", 2, 16, "'unless' or 'when'"),
        ('rule t.r {\n  require ["x"] { when meta.x }\n}', "PL101", 2, 17, "only a 'flag'"),
        ("rule t.r {\n  when meta.x { unless meta.y }\n}", "PL101", 2, 15, "only a 'flag'"),
        # names inside a block are checked like the rule's own
        ('rule t.r {\n  flag ["x"] { unless matches claimz }\n}', "PL201", 2, 31, None),
        ('rule t.r {\n  flag ["x"] { when lenght > 3 }\n}', "PL206", 2, 21, "length"),
        (
            'rule t.r {\n  flag ["x"] { unless near ["y"] within z.w words }\n}',
            "PL213",
            2,
            41,
            None,
        ),
    ],
)
def test_block_mistakes_point_at_the_token(
    text: str, code: str, line: int, column: int, hint: str | None
) -> None:
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(text)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == (code, line, column)
    if hint is not None:
        assert hint in (diagnostic.hint or "") + diagnostic.message


def test_a_cached_per_flag_block_behaves_as_a_fresh_one(
    fresh_and_cached: Callable[[str], tuple[policylint.Policy, policylint.Policy]],
) -> None:
    from policylint._runtime.patterns import GuardedNode
    from policylint._runtime.rules import with_nodes

    fresh, cached = fresh_and_cached(PER_FLAG)
    rules = [with_nodes(rule) for rule in cached._checker.engine.rules]  # cached: made on first use
    assert any(isinstance(f, GuardedNode) for r in rules for f in r.flags)
    for text, meta in [
        ("It cures cancer (not evaluated by the FDA), you people", {"reply": True}),
        ("It cures cancer, you people", {}),
    ]:
        assert cached.check(text, meta=meta) == fresh.check(text, meta=meta)
        assert cached.check(text, meta=meta).findings


# ----------------------------------------------------------------------------- the post's language
from policylint._text.language import guess_language  # noqa: E402

LANGUAGE_SAMPLES = {
    "en": (
        "Our new collection is here and it is the best we have ever made",
        "Thanks to everyone who came to the launch last night. We could not have done it "
        "without you, and we will be back in the spring with more for all of you.",
    ),
    "es": (
        "Nuestra nueva colección ya está aquí y es la mejor que hemos hecho",
        "Gracias a todos los que vinieron anoche al lanzamiento. No lo habríamos logrado sin "
        "ustedes, y volveremos en primavera con más sorpresas para todos.",
    ),
    "de": (
        "Unsere neue Kollektion ist da und sie ist die beste, die wir je gemacht haben",
        "Danke an alle, die gestern Abend zur Eröffnung gekommen sind. Ohne euch hätten wir "
        "das nicht geschafft, und im Frühling sind wir mit noch mehr für euch zurück.",
    ),
    "fr": (
        "Notre nouvelle collection est là et c'est la meilleure que nous ayons faite",
        "Merci à tous ceux qui sont venus hier soir au lancement. Nous n'aurions pas pu le "
        "faire sans vous, et nous serons de retour au printemps avec plus de surprises.",
    ),
    "pt": (
        "A nossa nova coleção já chegou e é a melhor que já fizemos",
        "Obrigado a todos que vieram ontem à noite ao lançamento. Não teríamos conseguido "
        "sem vocês, e voltaremos na primavera com mais novidades para todos.",
    ),
    "it": (
        "La nostra nuova collezione è qui ed è la migliore che abbiamo mai fatto",
        "Grazie a tutti quelli che sono venuti ieri sera al lancio. Non ce l'avremmo fatta "
        "senza di voi, e torneremo in primavera con molte altre novità per tutti.",
    ),
}


@pytest.mark.parametrize(
    ("language", "text"),
    [(lang, text) for lang, texts in LANGUAGE_SAMPLES.items() for text in texts],
)
def test_the_language_is_guessed_from_function_words(language: str, text: str) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "New drop!",  # too short
        "Hola amigos",
        "Ciao ragazzi",
        "#summer #sale #shoes @acme",  # no function word at all
        "Acme X200 Pro 4K",
        "",
        # two languages in equal parts
        "We love Madrid and the sea. Nos encanta la ciudad y el mar.",
    ],
)
def test_short_or_evenly_mixed_posts_are_undetermined(text: str) -> None:
    assert guess_language(text) == "und"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # mostly one language, with a phrase of another: the main one
        ("Thank you for coming. Merci à tous pour votre soutien et à bientôt.", "fr"),
        ("Gracias por venir, it was the best night of the year and we loved all of it", "en"),
        ("Wir sagen danke! Unser Team ist für euch da, auch heute. Merci!", "de"),
    ],
)
def test_a_mixed_post_is_its_main_language(text: str, language: str) -> None:
    assert guess_language(text) == language


LANG_POLICY = """
rule t.english_tone {
  when lang == "en" and meta.reply
  flag ["idiot"]
}
rule t.iberian {
  when lang in ["es", "pt"]
  flag ["gratis", "grátis"]
}
rule t.flag_block {
  flag ["promo"] { when lang != "und" }
}
"""


@pytest.mark.parametrize(
    ("text", "meta", "rules"),
    [
        ("You are an idiot and that is all there is to it", {"reply": True}, ["t.english_tone"]),
        ("You are an idiot and that is all there is to it", {}, []),
        ("Idiot!", {"reply": True}, []),  # too short to tell
        ("Idiot!", {"reply": True, "lang": "en-GB"}, ["t.english_tone"]),  # told: en-GB is en
        ("Eres un idiot y lo sabes, no es para tanto", {"reply": True}, []),
        ("Envío gratis para todos los pedidos de la tienda", {}, ["t.iberian"]),
        ("Frete grátis para todos os pedidos da loja", {}, ["t.iberian"]),
        ("Frete grátis", {"lang": "PT-br"}, ["t.iberian"]),
        ("Free shipping, gratis, for all of the orders in the store", {}, []),
        ("promo", {}, []),
        ("The promo is on for all of you", {}, ["t.flag_block"]),
    ],
)
def test_lang_is_a_condition(text: str, meta: dict[str, Any], rules: list[str]) -> None:
    policy = policylint.load_policy(LANG_POLICY)
    assert [f.rule for f in policy.check(text, meta=meta).findings] == rules


def test_the_language_is_guessed_once_per_post_and_only_when_a_rule_asks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policylint._text import language

    calls: list[str] = []

    def counting(text: str) -> str:
        calls.append(text)
        return guess_language(text)

    monkeypatch.setattr(language, "guess_language", counting)
    asking = policylint.load_policy(
        'rule t.a { when lang == "en" }\nrule t.b { when lang == "fr" }\n'
        'rule t.c { flag ["x"] { when lang == "de" } }'
    )
    asking.check("x is the one for all of you")
    assert len(calls) == 1
    calls.clear()
    asking.check("x is the one", meta={"lang": "en"})  # told: nothing to guess
    assert calls == []
    other = policylint.load_policy('rule t.a { when meta.reply }\nrule t.b { flag ["x"] }')
    other.check("x is the one for all of you", meta={"reply": True})
    assert calls == []


@pytest.mark.parametrize(
    ("text", "code", "column", "hint"),
    [
        ('rule t.r { when language == "en" }', "PL206", 17, "did you mean 'lang'?"),
        ('rule t.r { when lnag == "en" }', "PL206", 17, "did you mean 'lang'?"),
    ],
)
def test_a_misspelt_lang_suggests_it(text: str, code: str, column: int, hint: str) -> None:
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(text)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.column) == (code, column)
    assert hint in (diagnostic.hint or "")


def test_a_cached_lang_condition_behaves_as_a_fresh_one(
    fresh_and_cached: Callable[[str], tuple[policylint.Policy, policylint.Policy]],
) -> None:
    fresh, cached = fresh_and_cached(LANG_POLICY)
    text = "Envío gratis para todos los pedidos de la tienda"
    assert cached.check(text) == fresh.check(text)
    assert cached.check(text).findings


# ----------------------------------------------------------------------------- regex warnings
@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        # RE2's \b is ASCII-only: next to a written non-ASCII letter it never matches there
        (r"/\bcafé\b/", [("PL303", 15)]),
        (r"/\bÉcole/", [("PL303", 9)]),
        (r"/é+\b/", [("PL303", 11)]),
        (r"/\bcafe\b/", []),
        (r"/[é]\b/", []),
        # under i, classes of capitals (or lower-case letters) match every letter
        (r"/[A-Z]{3}/i", [("PL304", 10)]),
        (r"/(?i)\p{Lu}\w+/", [("PL304", 13)]),
        (r"/(?i:[[:lower:]])/", [("PL304", 14)]),
        (r"/x(?i)y|\p{Ll}/", [("PL304", 16)]),
        (r"/[A-Za-z]+/i", []),  # "a letter", as usually written
        (r"/[a-z]+/i", []),
        (r"/[A-Z]{3}/", []),
        (r"/(?i:ab)\p{Lu}/", []),  # the group's flag ends with it
        (r"/(?-i:\p{Lu})x/i", []),
        (r"/[A-F0-9]+/i", []),
    ],
)
def test_a_regex_that_silently_misses_is_warned_about(
    regex: str, expected: list[tuple[str, int]]
) -> None:
    policy = policylint.load_policy(f"rule t.r {{\n  flag {regex}\n}}")
    warnings = policy.warnings
    assert [(w.code, w.column) for w in warnings] == expected
    assert all((w.severity, w.line, w.path) == ("warning", 2, "<policy>") for w in warnings)


def test_the_warned_regexes_do_miss() -> None:
    """What the warnings say, checked against RE2 itself."""
    boundary = policylint.load_policy("rule t.b { flag /\\bcafé\\b/ }")
    assert matched(boundary, "un café noir") == []
    capitals = policylint.load_policy("rule t.i { flag /[A-Z]{3}/i }")
    assert matched(capitals, "abc") == ["abc"]


def test_warnings_are_shown_by_test_and_check_and_kept_by_the_cache(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from policylint._cache import folder
    from policylint._cli.app import main

    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(tmp_path / "cache"))
    folder.cache_dir.cache_clear()
    path = tmp_path / "p.policy"
    path.write_text('rule t.r {\n  flag /\\bcafé\\b/\n  example pass "un café"\n}\n')
    post = tmp_path / "post.txt"
    post.write_text("un café\n")
    try:
        for _ in range(2):  # compiled, then from the cache
            tested = CliRunner().invoke(main, ["test", "--isolated", str(path)])
            assert tested.exit_code == 0
            assert f"{path}:2:15: warning[PL303]" in tested.stderr
            checked = CliRunner().invoke(
                main, ["check", "--isolated", "--policy", str(path), str(post)]
            )
            assert checked.exit_code == 0
            assert "warning[PL303]" in checked.stderr
        assert list((tmp_path / "cache" / "policies").glob("*.json"))
    finally:
        folder.cache_dir.cache_clear()


def test_the_built_in_packs_warnings_are_not_their_users() -> None:
    """Theirs are policylint's to fix; and a warm start of the packs then reads no
    warning (the diagnostics module is not imported for them)."""
    from click.testing import CliRunner

    from policylint._cli.app import main

    assert policylint.load_policy("builtin:all").warnings == []
    result = CliRunner().invoke(main, ["rules", "--isolated", "--policy", "builtin:all"])
    assert "warning[PL3" not in result.stderr


# ----------------------------------------------------------------------------- unicode mentions
MENTIONS = """
rule t.shop { flag ["dulceria", "cafe ole"] in mentions }
rule t.count { when mentions > 0 }
"""


@pytest.mark.parametrize(
    ("platform", "found"),
    [
        (None, ["Dulcería"]),  # platform not known: handles take any letter
        ("facebook", ["Dulcería"]),
        ("linkedin", ["Dulcería"]),
        ("youtube", ["Dulcería"]),
        ("x", []),  # X handles are ASCII: "@Dulcer" + "ía" is no mention (twitter-text)
        ("twitter", []),
        ("instagram", []),
        ("tiktok", []),
    ],
)
def test_a_mention_with_non_ascii_letters_depends_on_the_platform(
    platform: str | None, found: list[str]
) -> None:
    policy = policylint.load_policy(MENTIONS)
    findings = policy.check("Gracias a @Dulcería por todo", platform=platform).findings
    assert [f.match for f in findings if f.rule == "t.shop"] == found
    assert bool([f for f in findings if f.rule == "t.count"]) == bool(found)


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("@Café_Olé y @ñandú", ["@Café_Olé", "@ñandú"]),
        ("＠Ünal hi", ["＠Ünal"]),
        ("RT@Dulcería: hi", ["@Dulcería"]),
        ("mail a@Dulcería", []),  # after a letter: an address, not a mention
        ("me@dulcería.es", []),
        ("@user@exámple.com", []),
        ("@Ελένη και @Иван", ["@Ελένη", "@Иван"]),
    ],
)
def test_unicode_handles(text: str, mentions: list[str]) -> None:
    from policylint._text.post import PostViews

    spans = PostViews(text, "facebook").entities.mentions
    assert [text[start:end] for start, end in spans] == mentions


def test_a_unicode_mention_is_not_shouting() -> None:
    policy = policylint.load_policy("rule t.caps { when caps_ratio > 0.5 }")
    assert not policy.check("gracias @DULCERÍA por todo", platform="facebook").findings
    assert policy.check("GRACIAS @dulcería POR TODO", platform="facebook").findings


# ----------------------------------------------------------------------------- misspelt keywords
@pytest.mark.parametrize(
    ("text", "column", "message", "hint"),
    [
        # the misspelt word parses as a list's name: the parse stops at the next token
        ('terms x = maskd ["a", "b"]\n', 11, "unknown keyword 'maskd'", "did you mean 'masked'?"),
        (
            'rule t.r {\n  flag ["x"] nea ["y"] within 3 words\n}',
            14,
            "unknown keyword 'nea'",
            "did you mean 'near'?",
        ),
        (
            'rule t.r {\n  flag ["x"] near ["y"] withn 3 words\n}',
            25,
            "unknown keyword 'withn'",
            "did you mean 'within'?",
        ),
        # a real missing distance is still said so
        (
            'rule t.r {\n  flag ["x"] near ["y"] 3 words\n}',
            25,
            "a proximity needs a distance",
            "within 5 words",
        ),
        # a name close to a keyword that would not parse either gets no guess
        ('terms x = flags ["a"]\n', 17, "unexpected '['", None),
    ],
)
def test_a_misspelt_keyword_is_named(
    text: str, column: int, message: str, hint: str | None
) -> None:
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(text)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.column, diagnostic.message) == ("PL101", column, message)
    if hint is not None:
        assert hint in (diagnostic.hint or "")


def test_a_guess_costs_at_most_one_more_parse_of_the_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policylint._lang import parser

    calls: list[int] = []
    original = parser._stops_at

    def counting(text: str) -> tuple[int, int] | None:
        calls.append(len(text))
        return original(text)

    monkeypatch.setattr(parser, "_stops_at", counting)
    blocks = 200
    source = "".join(f'terms x{i} = maskd ["a"]\n' for i in range(blocks))
    with pytest.raises(PolicyError) as caught:
        policylint.load_policy(source)
    assert len(caught.value.diagnostics) == blocks
    assert len(calls) <= blocks
    assert all(size < 40 for size in calls)  # each block alone, never the whole file
