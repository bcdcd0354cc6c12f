"""The learned detectors (hostile_tone, sensitive_fact), their model files and their training.

The models are the shipped ones (rules/data/models/); the posts below were written for this
test, not taken from the training corpus.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from policylint._text.post import PostViews
from policylint.detectors import DETECTOR_LOAD_COSTS, DETECTORS
from policylint.detectors.learned import load_model, probability
from policylint.detectors.linear import FeatureSettings, ModelFileError, read_model

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "rules" / "data" / "models"


def _detect(name: str, text: str, **meta: object) -> list[tuple[str, str, str]]:
    post = PostViews(text, "x", meta)
    return [(text[d.start : d.end], d.value, d.label) for d in DETECTORS[name].detect(post)]


# ----------------------------------------------------------------------------- detectors


def test_hostile_reply_is_reported_with_its_sentence_score_and_evidence() -> None:
    text = "Clearly you didn't read the label. Next time try reading before complaining 🙄"
    [(sentence, value, label)] = _detect("hostile_tone", text, reply=True)
    assert sentence in text and sentence.strip() == sentence
    assert float(value) >= probability(load_model("hostile_tone").threshold)
    words = label.split(", ")
    assert 1 <= len(words) <= 3 and all(word in sentence for word in words)


def test_courteous_reply_is_not_reported() -> None:
    text = "Sorry about that! Can you DM us your order number?"
    assert _detect("hostile_tone", text, reply=True) == []


def test_hostile_tone_scores_only_posts_aimed_at_someone() -> None:
    # The same words, neither a reply nor addressed to a reader: not scored at all.
    assert _detect("hostile_tone", "Clearly somebody didn't read the label. Next time 🙄") == []


@pytest.mark.parametrize(("reply", "scored"), [("true", True), ("yes", True), ("false", False)])
def test_a_reply_is_read_as_the_rule_language_reads_meta_reply(reply: str, scored: bool) -> None:
    # A calendar export's "true" is a reply to `when meta.reply`: the detector agrees.
    text = "Clearly somebody didn't read the label. Next time 🙄"
    assert bool(_detect("hostile_tone", text, reply=reply)) == scored


def test_sensitive_fact_reports_the_sentence_that_carries_it() -> None:
    text = "Great term everyone! Shoutout to Jake in 7B, who failed maths again and got suspended."
    [(sentence, _value, label)] = _detect("sensitive_fact", text)
    assert "suspended" in sentence and "Great term" not in sentence
    assert label


def test_sensitive_fact_passes_a_general_post() -> None:
    text = "Flu season is here: book your vaccine at any of our pharmacies."
    assert _detect("sensitive_fact", text) == []


def test_learned_detectors_declare_precheck_and_load_cost() -> None:
    assert DETECTORS.precheck("hostile_tone") == "letter"
    assert DETECTORS.precheck("sensitive_fact") == "capital"  # the person detector's
    for name in ("hostile_tone", "sensitive_fact"):
        assert DETECTOR_LOAD_COSTS[name] > DETECTOR_LOAD_COSTS["person"]


def test_sensitive_fact_needs_a_person_in_the_same_sentence() -> None:
    # The model scores this post high (the test above), but no one is named at all ...
    text = "Someone failed maths again and got suspended for a week."
    assert _detect("sensitive_fact", text) == []
    # ... or the person is in another sentence than the fact.
    text = "Shoutout to Jake in 7B! The boys who failed maths again got suspended for a week lol"
    assert all("Jake" in sentence for sentence, _, _ in _detect("sensitive_fact", text))


# ----------------------------------------------------------------------------- model files


def test_health_claim_needs_a_condition_in_the_reported_sentence() -> None:
    text = "Two months of our turmeric shots and my arthritis pain is basically gone. Try it!"
    [(sentence, _value, label)] = _detect("health_claim", text)
    assert "arthritis" in sentence and "Try it" not in sentence and label
    # The same story with no condition named: the model may like it, the anchor does not.
    assert _detect("health_claim", text.replace("arthritis ", "")) == []


def test_mnpi_hint_needs_a_period_results_or_deal_word() -> None:
    text = "Q3 came in way ahead of plan 😉 can't say more until the call on the 24th"
    [(sentence, _value, _label)] = _detect("mnpi_hint", text)
    assert sentence.startswith("Q3")
    assert _detect("mnpi_hint", text.replace("Q3", "It")) == []


def test_shipped_models_are_small_and_carry_their_provenance() -> None:
    shipped = sorted(path.stem for path in MODELS.glob("*.model"))
    assert set(shipped) == set(_train_module().MODELS)  # every model the table trains ships
    for name in shipped:
        path = MODELS / f"{name}.model"
        assert path.stat().st_size <= 300_000
        model = read_model(path)
        assert model.settings == FeatureSettings(**model.header["features"])
        provenance = model.header["provenance"]
        assert "sealed" in provenance["training_data"]  # says it never used it
        operating_point = provenance["cross_validation"]["operating_point_with_rule_guard"]
        assert operating_point["precision"] >= 0.9 and operating_point["recall"] > 0


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda data: data[: len(data) - 100], "truncated"),
        (lambda data: data[:-50] + bytes([data[-50] ^ 0xFF]) + data[-49:], "damaged"),
        (lambda data: b"garbage" + data, "not a policylint linear model"),
        (lambda data: data[:40], "truncated"),
        (lambda data: data.replace(b'"bias"', b'"bais"', 1), "unreadable header"),
    ],
)
def test_damaged_model_file_is_a_clear_error_naming_it(
    tmp_path: Path, damage: object, problem: str
) -> None:
    path = tmp_path / "hostile_tone.model"
    path.write_bytes(damage((MODELS / "hostile_tone.model").read_bytes()))  # type: ignore[operator]
    with pytest.raises(ModelFileError) as raised:
        read_model(path)
    assert str(path) in str(raised.value) and problem in str(raised.value)


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="cannot be read"):
        read_model(tmp_path / "nowhere.model")


# ----------------------------------------------------------------------------- training


def _train_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_train", ROOT / "tools" / "models" / "train.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_training_refuses_sealed_input(tmp_path: Path) -> None:
    train = _train_module()
    sealed = ROOT / "tests" / "corpus" / "sealed" / "blind-14.jsonl"
    with pytest.raises(SystemExit, match=r"refusing .*sealed"):
        train.main(["--inputs", str(sealed), "--no-cv", "--out", str(tmp_path)])
    # nor a copy of anything outside the dev folder
    outside = tmp_path / "posts.jsonl"
    outside.write_text("")
    with pytest.raises(SystemExit, match="dev only"):
        train.main(["--inputs", str(outside), "--no-cv", "--out", str(tmp_path)])
    assert not list(tmp_path.glob("*.model"))


def test_training_table_and_detectors_agree() -> None:
    # A model is configuration: the training table says which posts it scores and what
    # anchors its sentence, and the detector must do the same, or the cross-validated
    # figures on the model card describe another rule than the one shipped.
    from policylint.detectors.learned import LearnedDetector

    table = _train_module().MODELS
    learned = {n: d for n in DETECTORS.names() if isinstance(d := DETECTORS[n], LearnedDetector)}
    assert set(learned) == set(table)
    for name, spec in table.items():
        assert learned[name].addressed_only == (spec.gate == "addressed"), name
        assert learned[name].anchor == spec.anchor, name


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("Members earned 12% last quarter", ["12%"]),
        ("Turn $500 into $5,000 in weeks", ["$500", "$5,000"]),
        ("We returned 3.5x on every deal", ["3.5x"]),
        ("Gana 200 € al día", ["200 €"]),
        ("Great returns, guaranteed!", []),
    ],
)
def test_figure_anchor_finds_numbers_percentages_and_amounts(text: str, figures: list[str]) -> None:
    from policylint.detectors.learned import anchors

    spans = anchors(PostViews(text, "x", {}), "figure")
    assert [text[s:e] for s, e in spans] == figures


def test_an_unknown_anchor_is_an_error_naming_the_known_ones() -> None:
    from policylint.detectors.learned import anchors

    with pytest.raises(ValueError, match=r"unknown anchor 'persn'.*person"):
        anchors(PostViews("Dr. Patel says hi", "x", {}), "persn")


def test_training_is_deterministic(tmp_path: Path) -> None:
    slice_ = str(ROOT / "tests" / "corpus" / "dev" / "privacy_tone_other.jsonl")
    train = _train_module()
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / run
        args = ["--model", "hostile_tone", "--inputs", slice_, "--no-cv", "--date", "2026-12-07"]
        train.main([*args, "--out", str(out)])
        outputs.append((out / "hostile_tone.model").read_bytes())
    assert outputs[0] == outputs[1]
    read_model(tmp_path / "a" / "hostile_tone.model")  # and it is a valid model


# ----------------------------------------------------------------------------- start-up


def test_a_plain_check_never_imports_the_models() -> None:
    # No reply, no person: the learned detectors' gates fail first, so neither the model
    # code nor its weights are loaded.
    code = (
        "import sys, policylint\n"
        "policylint.check('Big news: our spring menu is out today!')\n"
        "print('policylint.detectors.linear' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"


# ----------------------------------------------------------------------------- round 8


def _example(train: ModuleType, batch: str, label: int) -> object:
    return train.Example(batch, f"{batch}-{label}", label, False, True, True, [1], {})


def test_writer_weights_shrink_a_big_batch_to_a_typical_one() -> None:
    # Three mixed batches with 4 positives each and a training file with 40: at balance 1
    # the file's positives weigh as much as a typical batch's, at 0 every post weighs 1.
    train = _train_module()
    examples = [_example(train, b, 1) for b in ("a", "b", "c") for _ in range(4)]
    examples += [_example(train, "file", 1) for _ in range(40)]
    examples += [_example(train, b, 0) for b in ("a", "b", "c", "file") for _ in range(10)]
    full = train.writer_weights(examples, 1.0)
    assert full["file", 1] * 40 == pytest.approx(4) and full["a", 1] == 1.0
    assert full["file", 0] == 1.0  # its negatives are no more than a typical batch's
    assert set(train.writer_weights(examples, 0.0).values()) == {1.0}
    assert 0.1 < train.writer_weights(examples, 0.5)["file", 1] < 1.0


def test_rule_labelled_posts_of_another_rule_of_the_category_are_left_out() -> None:
    # Rule ids do not start with their category: a post expecting ad.disclosure.missing
    # breaks a regulatory rule, so the health-claim model neither learns it as a negative
    # nor counts the rules' finding on it as a false alarm.
    train = _train_module()
    spec = train.MODELS["health_claim"]
    assert train.label({"expect": ["ad.disclosure.missing"]}, spec) is None
    assert train.label({"expect": ["health.disease_claim"]}, spec) == 1
    assert train.label({"expect": ["privacy.health.named"]}, spec) == 0
    assert train.label({"expect": []}, spec) == 0


class _Checked(PostViews):
    """A post with the settings a check gives it."""

    __slots__ = ("settings",)

    def __init__(self, text: str, settings: dict[str, object]) -> None:
        super().__init__(text, "x", {})
        self.settings = settings


@pytest.mark.parametrize(
    ("text", "party"),
    [
        ("@brightsmile_dental fakes its reviews", "@brightsmile_dental"),
        ("Hartwell Plastics GmbH falsifies its test results", "Hartwell Plastics GmbH"),
        ("Dr. Patel lies to his patients", "Dr. Patel"),
        ("those guys at initech steal deposits", "initech"),
        ("our co-op pays its growers fairly", None),
        ("email us at help@acme.example", None),
    ],
)
def test_party_anchor_finds_a_named_party(text: str, party: str | None) -> None:
    from policylint.detectors.learned import anchors

    post = _Checked(text, {"organisation.competitors": ["Initech", "Globex"]})
    found = [text[s:e] for s, e in anchors(post, "party")]
    assert found == ([party] if party else [])


def test_saved_held_out_scores_must_be_of_the_same_posts(tmp_path: Path) -> None:
    # Reusing an earlier run's held-out scores is only honest for the same posts.
    train = _train_module()
    examples = [_example(train, "a", 1), _example(train, "b", 0)]
    saved = tmp_path / "scores.jsonl"
    saved.write_text('{"batch": "a", "id": "a-1", "score": 0.5}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="not of these posts"):
        train.saved_held_out(saved, examples)
    saved.write_text(saved.read_text() + '{"batch": "b", "id": "b-0", "score": -1}\n')
    assert [score for score, _ in train.saved_held_out(saved, examples)] == [0.5, -1.0]


def test_defamation_needs_a_named_party_in_the_reported_sentence() -> None:
    text = "Umbrella Corp steals from its clients and lies about it to regulators. Avoid."
    [(sentence, _value, label)] = _detect("defamation", text)
    assert sentence.startswith("Umbrella Corp") and "Avoid" not in sentence and label
    # The same charge about no one in particular: the model may like it, the anchor does not.
    assert _detect("defamation", text.replace("Umbrella Corp", "Some shops")) == []


def test_a_lone_surrogate_is_scored_not_an_error() -> None:
    # A record holding "\ud800" reaches the detectors of the default packs: the features
    # hash it rather than failing the whole post.
    text = "Guaranteed 20% returns \udfff every month, invest $500 now"
    found = _detect("return_promise", text, industry="finance")
    assert all(sentence in text for sentence, _, _ in found)


@pytest.mark.parametrize(
    "model_name",
    ["sensitive_fact", "hostile_tone", "health_claim", "return_promise", "mnpi_hint", "defamation"],
)
def test_the_quick_logit_is_the_full_score(model_name: str) -> None:
    # learned.py decides "below the threshold" from quick_logit without building tokens; it
    # must be the full score but for rounding, or a post near the threshold could flip.
    from policylint.detectors.linear import meta_slots, token_features

    model = load_model(model_name)
    texts = [
        "",
        "!!!",
        "Our tea cures eczema in a week, my son's skin cleared 🙌",
        "@jo Per my last three replies: the refund was issued. Reading them might help.",
        "Guaranteed 12% returns every year, Q3 numbers will surprise everyone 😉",
        "Umbrella Corp steals from its clients and lies about it to regulators.",
        "Mrs. Obi's son failed his maths exam and was expelled on Monday.",
    ]
    for text in texts:
        for reply in (False, True):
            extra = meta_slots(reply, model.settings)
            full = model.score(token_features(text, model.settings), extra).score
            assert abs(model.quick_logit(text, extra) - full) < 1e-9
