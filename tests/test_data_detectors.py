"""The detectors that read the packs' data files (issue 17): compound_hashtag, condition and
person. Each finds what it promises in six languages, leaves the near misses alone, and
loads its data only when a post gets past its precheck."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from policylint._runtime.context import PostContext
from policylint.detectors import DETECTORS


def found(name: str, text: str, **meta: Any) -> list[str]:
    ctx = PostContext(text, meta=meta)
    return [text[d.start : d.end] for d in ctx.detections(name)]


# --- compound_hashtag -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "meta"),
    [
        ("Our first store #throwbackthursday", {}),
        ("NEW DROP #BLACKFRIDAY", {}),
        ("New week #Mondaymotivation", {}),
        ("Pasta fresca #cucinaitaliana", {"lang": "it"}),
        ("Sonntag #frühstückmitfreunden", {"lang": "de"}),
        ("Receta #recetasfaciles", {"lang": "es"}),
        ("À table #bonappetit", {"lang": "fr"}),
        ("Hoje #comidacaseira", {"lang": "pt"}),
        ("Spring is here #springmenu", {}),  # words outside the old 534-word list
        ("Since 1998 #throwbackthursday2024", {}),
    ],
)
def test_run_together_hashtags_are_found(text: str, meta: dict[str, str]) -> None:
    tag = text.split("#", 1)[1]
    assert found("compound_hashtag", text, **meta) == ["#" + tag]


@pytest.mark.parametrize(
    "text",
    [
        "#ThrowbackThursday",  # CamelCase already
        "#sustainability #weekend #buongiorno #Abendessen",  # words of a list
        "#homemade #facebook #workshop",  # closed compounds and names
        "#xyzzyplugh",  # no split into words
        "#oatlatte",  # only with a one-letter word first: o + at + latte
        "#tbt #ootd",  # too short
        "#spring_menu #spring2menu",  # joined by other characters
        "see https://example.com/#springmenu",  # a link's fragment
    ],
)
def test_single_words_names_and_camel_case_are_not_found(text: str) -> None:
    assert found("compound_hashtag", text) == []


def test_the_post_language_chooses_the_word_lists() -> None:
    # "cenatraamici" splits with the Italian list; an English post reads it with English
    # and finds no complete split.
    assert found("compound_hashtag", "#cenatraamici", lang="it") == ["#cenatraamici"]
    assert found("compound_hashtag", "#cenatraamici", lang="en") == []


def test_compound_hashtag_values_are_lower_case_for_allow_lists() -> None:
    ctx = PostContext("#BlackFriday is #BLACKFRIDAY")
    assert [d.value for d in ctx.detections("compound_hashtag")] == ["#blackfriday"]
    assert DETECTORS["compound_hashtag"].canonical("#BlackFriday") == "#blackfriday"


def test_camel_case_follows_the_post_language() -> None:
    from policylint._text.camelcase import camel_case

    assert camel_case("#cucinaitaliana", ("it", "en")) == "#CucinaItaliana"
    assert camel_case("#SUMMERSALE") == "#SummerSale"
    assert camel_case("#frühstückmitfreunden") == "#FrühstückMitFreunden"


def test_the_segmenter_prefers_the_likelier_words() -> None:
    from policylint._text.wordsplit import split_words

    assert split_words("photooftheday") == ["photo", "of", "the", "day"]
    assert split_words("womenintech", ("en",)) == ["women", "in", "tech"]
    assert split_words("xqzv") is None


def test_a_hashtag_is_split_once_however_many_posts_hold_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policylint._text import wordsplit

    passes: list[str] = []
    viterbi = wordsplit._viterbi

    def counted(text: str, langs: tuple[str, ...]) -> wordsplit.Split | None:
        passes.append(text)
        return viterbi(text, langs)

    monkeypatch.setattr(wordsplit, "_viterbi", counted)
    wordsplit.likeliest_split.cache_clear()
    first = wordsplit.split_words("throwbackthursday")
    once = len(passes)
    assert first == ["throwback", "thursday"] and once >= 1
    first.append("changed")  # a caller's copy: the remembered split is not changed
    for _ in range(3):
        assert wordsplit.split_words("throwbackthursday") == ["throwback", "thursday"]
    assert len(passes) == once


# --- condition --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Cures arthritis and high blood pressure", ["arthritis", "high blood pressure"]),
        ("My plaque psoriasis is back", ["plaque psoriasis"]),  # the longest name
        ("Schluss mit Ekzemen und Neurodermitis", ["Ekzemen", "Neurodermitis"]),  # ekzem*
        ("Adiós a la gastritis", ["gastritis"]),
        ("Fini l'eczéma !", ["eczéma"]),  # an elided article
        ("Addio all'emicrania", ["emicrania"]),
        ("Chá contra a enxaqueca", ["enxaqueca"]),
        ("COVID-19 and athlete's foot", ["COVID-19", "athlete's foot"]),
        ("Our wipes cure blepharitis", ["blepharitis"]),  # ICD-10-CM only
        ("Chronic fatigue (ME/CFS)", ["Chronic fatigue", "ME/CFS"]),
    ],
)
def test_conditions_are_found_by_lay_and_formal_names(text: str, names: list[str]) -> None:
    assert found("condition", text) == names


@pytest.mark.parametrize(
    "text",
    [
        "Grab a cold drink, no bugs allowed",  # ambiguous names (~cold, ~bug)
        "Hiking in the Alps, cooking with pots",  # ICD-10-CM abbreviations
        "What a shock: the plague of meetings",  # everyday ICD-10-CM words
        "Psoriatic",  # a name is a whole word
    ],
)
def test_ambiguous_and_everyday_names_are_not_conditions(text: str) -> None:
    assert found("condition", text) == []


def test_condition_values_are_ids_so_an_allow_list_covers_every_name() -> None:
    ctx = PostContext("Schuppenflechte, psoriasis, psoríase")
    assert {(d.value, d.label) for d in ctx.detections("condition")} == {("L40", "disease")}
    assert DETECTORS["condition"].canonical("psoriasis") == "L40"
    assert DETECTORS["condition"].canonical("not a condition") == "not a condition"


# --- person -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Congrats to Mr. Lee in room 3", ["Mr. Lee"]),
        ("Sehr geehrte Frau Kessler, Ihre Diagnose", ["Frau Kessler"]),
        ("O Sr. Joaquim Pereira teve alta", ["Sr. Joaquim Pereira"]),
        ("M. Dupont est arrivé", ["M. Dupont"]),
        ("Consegnata al signor Bianchi!", ["signor Bianchi"]),
        ("Doña Carmen Ruiz nos visita", ["Doña Carmen Ruiz"]),
        ("Last week Rachel Okonkwo signed", ["Rachel Okonkwo"]),
        ("Shoutout to Brenda K. and Jayden M. today", ["Brenda K.", "Jayden M."]),
        ("booking for María Soledad Ortiz, seat 23C", ["María Soledad Ortiz"]),
        ("Info: Jonas Weber hat Hausverbot", ["Jonas Weber"]),
    ],
)
def test_people_are_found_by_title_or_full_name(text: str, names: list[str]) -> None:
    assert found("person", text) == names


@pytest.mark.parametrize(
    "text",
    [
        "Harold loves his new dog",  # a first name alone
        "Mr Right is out there",  # a common word after a title
        "Jede Frau Hilfe braucht",  # a German noun after Frau
        "Will Smith was there",  # Will is also a word: the surname must be rare
        "Mark Twain wrote it",  # ... and it must not open a sentence
        "Drunk Guy Trips At Game",  # a headline
        "Maria Happy Birthday",  # a common word after a given name
        "Marta,\nSilva",  # not on one line
    ],
)
def test_first_names_alone_words_and_headlines_are_not_people(text: str) -> None:
    assert found("person", text) == []


def labelled(text: str, **meta: Any) -> list[tuple[str, str]]:
    ctx = PostContext(text, meta=meta)
    return [(text[d.start : d.end], d.label) for d in ctx.detections("person")]


@pytest.mark.parametrize(
    ("text", "people"),
    [
        # a first name with a role before or after it, or a place
        ("my patient Dana finally told me", [("Dana", "role")]),
        ("A minha aluna Beatriz chumbou", [("Beatriz", "role")]),
        ("Priya, one of our tellers, told me", [("Priya", "role")]),
        (
            "Noah (my autistic kiddo in 2B) said",
            [("Noah", "role"), ("my autistic kiddo in 2B", "described")],
        ),
        ("Tomasz is in room 4 again", [("Tomasz", "role")]),
        ("Shout out to Ben in 6C today", [("Ben", "role")]),
        # a first name after the full name (coreference), possessive or not
        ("Dana Whitfield came in. Dana's chemo", [("Dana Whitfield", "name"), ("Dana", "first")]),
        # a described person: a person noun and a room, bed, class or street
        ("The lady in bed 12 keeps asking", [("The lady in bed 12", "described")]),
        ("the boy in 4B failed", [("the boy in 4B", "described")]),
        (
            "my 3pm, the retired teacher from Elm St, said",
            [("the retired teacher from Elm St", "described")],
        ),
        ("La dame du lit 4 refuse", [("La dame du lit 4", "described")]),
        ("Der Junge aus der 7b hat", [("Der Junge aus der 7b", "described")]),
        ("La señora de la habitación 7 lleva", [("La señora de la habitación 7", "described")]),
        # a word-like given name opens a sentence when a surname no list knows follows, or
        # an uncommon one and the given name comes back
        ("Grace Okonkwo signed today", [("Grace Okonkwo", "name")]),
        (
            "Lena Hoffmann kam zur Chemo. Lena hat abgenommen.",
            [("Lena Hoffmann", "name"), ("Lena", "first")],
        ),
        # an article with the role, a relative "the one who", a class after NFKC
        ("O aluno Duarte foi suspenso", [("Duarte", "role")]),
        ("Client update: Brenda, the one who pays in coins", [("Brenda", "role")]),
        ("Nuestra inquilina del 3oA paga", [("Nuestra inquilina del 3oA", "described")]),
        # an elided article, a role noun opening a sentence, a bed standing for its patient
        ("L'élève de 5eB a été", [("L'élève de 5eB", "described")]),
        ("Customer at till 4, the tall guy", [("Customer at till 4", "described")]),
        ("Bed 6 (the headmaster) has stopped eating", [("Bed 6 (the headmaster)", "described")]),
        ("the nurse from St Anne's told me", [("the nurse from St Anne's", "described")]),
        # a regular by their day and what only they do; a room number alone; a couple
        (
            "My regular Tuesday lady, the one with the red scooter, cried",
            [("My regular Tuesday lady, the one with", "described")],
        ),
        ("La paciente de la 214 aceptó", [("La paciente de la 214", "described")]),
        ("The lovely couple from flat 7 are", [("The lovely couple from flat 7", "described")]),
        # a first name picked out by a role is hers later in the post too
        ("Our Saturday girl Holly is off. Holly's mum", [("Holly", "role"), ("Holly", "first")]),
        # a floor; one description however many determiners open it
        (
            "La nostra inquilina del secondo piano, Marta,",
            [("La nostra inquilina del secondo piano", "described")],
        ),
        # the room alone names no one
        ("the lady in room 4 is kind. Room 4 has a view", [("the lady in room 4", "described")]),
    ],
)
def test_people_are_found_by_role_place_coreference_and_description(
    text: str, people: list[tuple[str, str]]
) -> None:
    assert labelled(text) == people


@pytest.mark.parametrize(
    "text",
    [
        "Dana loves her new dog",  # a first name alone, no role, place or full name before
        "Dana's permission was given",  # ... possessive too
        "The boy who cried wolf is a story every kid in 4B knows",  # everyone, not one
        "Patients in beds 1-12 get flu jabs",  # a plural group
        "the man at 5 a.m. opens the shop",  # a time, not a class
        "Will you be in room 4?",  # a word-like given name opening a sentence
        "Our Year 4 class did brilliantly",  # a class, no person
        "Bed 6 is free again, send the next admission",  # a bed, not its patient
        "Customers at till 4: card only",  # a plural group
        "the man of 300 followers",  # a count, not a room
    ],
)
def test_first_names_without_role_place_or_full_name_stay_unreported(text: str) -> None:
    assert labelled(text) == []


def test_the_post_language_chooses_the_given_names() -> None:
    # Agostino is listed for Italian only: an English post does not know it.
    assert found("person", "Ciao a Agostino Verdi", lang="it") == ["Agostino Verdi"]
    assert found("person", "Thanks Agostino Verdi", lang="en") == []


# --- laziness ---------------------------------------------------------------------------------


def test_data_loads_only_for_posts_past_the_precheck() -> None:
    code = (
        "import policylint\n"
        "from policylint.detectors import compound_hashtag, condition, person\n"
        "from policylint._text import wordsplit\n"
        "p = policylint.load_policy('rule t.r {\\n flag detect(compound_hashtag)\\n"
        " flag detect(person)\\n}\\n')\n"
        "p.check('no hashtag, no capital here')\n"
        "print(wordsplit._ranks.cache_info().currsize, person._given_names.cache_info().currsize,"
        " condition._vocabulary.cache_info().currsize)\n"
        "p.check('Mr. Okafor says #springmenu')\n"
        "print(wordsplit._ranks.cache_info().currsize > 0,"
        " person._given_names.cache_info().currsize)\n"
    )
    env_out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert env_out[0] == "0 0 0"
    assert env_out[1] == "True 1"


def test_the_one_pass_folding_of_condition_names_is_the_folding_of_posts() -> None:
    from pathlib import Path

    from policylint._text.views import fold_term
    from policylint.detectors.condition import fold_names

    path = Path(__file__).resolve().parents[1] / "rules" / "data" / "health_conditions.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    names = [n for line in lines if line[:1] != "#" for n in line.split("\t")[4].split("|")]
    assert len(names) > 5_000
    assert [fold_names(name) for name in names] == [fold_term(name) for name in names]


@pytest.fixture
def condition_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each run of the condition detector, recorded (it loads its vocabulary first)."""
    from policylint.detectors import condition

    calls: list[str] = []
    real = condition.ConditionDetector.detect

    def counting(self: Any, post: Any) -> Any:
        calls.append("detect")
        return real(self, post)

    monkeypatch.setattr(condition.ConditionDetector, "detect", counting)
    # A fresh process: no detector has run yet, so every load is still to pay.
    from policylint.detectors import DETECTORS

    monkeypatch.setattr(DETECTORS, "_used", set())
    return calls


def test_followed_by_looks_at_the_cheap_side_before_running_a_detector(
    condition_calls: list[str],
) -> None:
    """`detect(condition) followed by ["cured"]`: a post that never says "cured" does not
    load the condition vocabulary; one that does still finds the claim."""
    import policylint

    calls = condition_calls
    policy = policylint.load_policy(
        text='rule h.cured {\n  category regulatory\n  message "claim"\n'
        '  flag detect(condition) followed by ["cured"] within 4 words\n}\n'
    )
    assert policy.check("Our cream is lovely for dry skin and asthma season").findings == []
    assert calls == []
    assert [f.rule for f in policy.check("My asthma was cured in a week").findings] == ["h.cured"]
    assert calls == ["detect"]


def test_near_looks_first_at_the_side_that_costs_less_to_load(
    condition_calls: list[str],
) -> None:
    """`detect(condition) near detect(person)`: the condition vocabulary (the dearer load)
    is not read for a post that names no one; a post that does still gets its finding."""
    import policylint
    from policylint.detectors import DETECTORS

    assert DETECTORS.load_cost("condition") > DETECTORS.load_cost("person")
    calls = condition_calls
    policy = policylint.load_policy(
        text='rule p.h {\n  category privacy\n  message "health"\n'
        "  flag detect(condition) near detect(person) within 6 words\n}\n"
    )
    assert policy.check("Great day at the Spring fair, asthma or not").findings == []
    assert calls == []
    found = policy.check("Mr. Okafor is back after his asthma attack").findings
    assert [f.rule for f in found] == ["p.h"] and calls == ["detect"]


def test_once_both_loads_are_paid_near_looks_first_at_the_left(
    condition_calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a long run both detectors end up loaded; then the order is the rule's own (left
    first), so the person detector no longer runs on every post for a rule whose health
    side finds nothing. The findings are the same either way."""
    import policylint
    from policylint.detectors import person

    calls = condition_calls
    people: list[str] = []
    real = person.PersonDetector.detect

    def counting(self: object, post: object) -> object:
        people.append("detect")
        return real(self, post)  # type: ignore[arg-type]

    monkeypatch.setattr(person.PersonDetector, "detect", counting)
    policy = policylint.load_policy(
        text='rule p.h {\n  category privacy\n  message "health"\n'
        "  flag detect(condition) near detect(person) within 6 words\n}\n"
    )
    found = policy.check("Mr. Okafor is back after his asthma attack").findings
    assert [f.rule for f in found] == ["p.h"] and (calls, people) == (["detect"], ["detect"])
    assert policy.check("Great day at the Spring fair with Ms. Lee").findings == []
    # Once loaded, the condition precheck is the search itself: it finds nothing here, so
    # the rule is not even evaluated, and no one is looked for.
    assert (calls, people) == (["detect"], ["detect"])


def test_every_given_name_is_found_with_its_own_line(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The names are looked up by binary search in the sorted lines, not a dictionary of
    # 7,600 lines built by every check: each must still be found with its own line, a name
    # that only starts or extends one must not, and an edited, unsorted file reads the same.
    from pathlib import Path

    from policylint.detectors import person

    path = Path(__file__).resolve().parents[1] / "rules" / "data" / "privacy_given_names.tsv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    listed = dict(line.split("\t", 1) for line in lines)
    assert len(listed) == len(lines) > 7_000  # each name once
    person._given_names.cache_clear()
    try:
        names = person._given_names()
        assert all(names.get(name) == rest for name, rest in listed.items())
        assert "Ann" in names and "Annabel" in names
        assert "Annab" not in names and "Annx" not in names
        (tmp_path / "data").mkdir()
        edited = [*reversed(lines), "Zyxwa\ten\t"]
        (tmp_path / "data" / "privacy_given_names.tsv").write_text("\n".join(edited) + "\n")
        monkeypatch.setattr("policylint._resources.rules_dir", lambda: tmp_path)
        person._given_names.cache_clear()
        names = person._given_names()
        assert names.get("Zyxwa") == "en\t" and names.get("Ann") == listed["Ann"]
        assert "Zyxw" not in names
    finally:
        person._given_names.cache_clear()
