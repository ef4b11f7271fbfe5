"""Fine-tuning end to end on a tiny set: deterministic for a seed, resumable after a stop, and
the exported model runs in the pipeline with exact, word-bounded offsets."""
import json

import numpy as np
import pytest

from coach.dataset import load_eval
from coach.detectors.tagger.train import Stopped, TrainConfig, build, export_onnx, fine_tune

pytestmark = pytest.mark.slow
CFG = TrainConfig(epochs=1, layers=1, batch_size=8, ckpt_every=1000, seed=5)


@pytest.fixture(scope="module")
def items():
    from tests.conftest import ROOT

    return load_eval(ROOT / "eval" / "dev.jsonl")[:40]


def _weights(model):
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


def test_same_seed_same_model_and_a_resumed_run_ends_where_an_unbroken_one_does(items, tmp_path):
    a, _ = fine_tune(items, tmp_path / "a", CFG, progress=False)
    b, _ = fine_tune(items, tmp_path / "b", CFG, progress=False)
    assert np.array_equal(_weights(a), _weights(b))
    with pytest.raises(Stopped):
        fine_tune(items, tmp_path / "c", CFG, progress=False, stop_after=2)
    c, _ = fine_tune(items, tmp_path / "c", CFG, progress=False)     # resumes at step 2
    assert np.allclose(_weights(a), _weights(c), atol=1e-6)


def test_a_distilled_student_learns_from_the_teacher_s_probabilities(items, tmp_path):
    # The teacher (the shipped tagger) labels every training window; the loss then mixes its
    # probabilities with the gold tags, so the same seed trains another model than without it.
    from dataclasses import replace

    from coach.detectors.tagger.runtime import DEFAULT_TAGGER_DIR, load_tokenizer
    from coach.detectors.tagger.train import examples, teacher_probs
    from coach.embedder.model import model_path

    windows = [w for w, _l in examples(items, load_tokenizer(model_path() / "tokenizer.json"))]
    soft = teacher_probs(str(DEFAULT_TAGGER_DIR), windows, log=lambda _m: None)
    assert [p.shape[0] for p in soft] == [len(w.ids) for w in windows]
    assert all(np.allclose(p.sum(axis=1), 1.0, atol=1e-4) for p in soft)
    plain, _ = fine_tune(items, tmp_path / "plain", CFG, progress=False)
    student, _ = fine_tune(items, tmp_path / "student",
                           replace(CFG, distill=0.5, teacher=str(DEFAULT_TAGGER_DIR)), progress=False)
    assert not np.allclose(_weights(plain), _weights(student))
    with pytest.raises(ValueError, match="teacher"):
        teacher_probs("", windows)


def test_built_model_runs_in_the_pipeline(items, tmp_path):
    from coach import Coach, CoachConfig
    from coach.text import word_bounds

    out = tmp_path / "m"
    meta = build(items[:30], items[30:], out, CFG, progress=False)
    assert set(meta["thresholds"]) == {"they_language", "blame_shifting", "powerless",
                                       "policy_wall", "disowning", "scripted_apology", "dead_end"}
    assert meta["weights"] in ("int8", "fp32") and 0.0 <= meta["int8_agreement"] <= 1.0
    assert sorted(p.name for p in out.iterdir() if p.suffix != ".pt") == [
        "tagger.json", "tagger.onnx", "tokenizer.json"]
    assert json.loads((out / "tagger.json").read_text())["labels"][0] == "O"
    coach = Coach(CoachConfig(detectors=("tagger",), tagger_dir=str(out),
                              thresholds={t: 0.01 for t in meta["thresholds"]}))
    text = "They changed the billing system, so there is nothing I can do."
    flags = coach.check(text)
    assert flags, "a near-zero threshold must flag something"
    for f in flags:
        assert f.quote == text[f.start:f.end] and (f.start, f.end) == word_bounds(text, f.start, f.end)
        assert f.source == "tagger" and "\u201c" in f.message    # names its words


def test_unchanged_windows_are_not_run_again(items, tmp_path):
    from coach.detectors.tagger.runtime import OrtTagger
    from coach.text import DraftView

    out = tmp_path / "m"
    build(items[:20], items[20:30], out, CFG, progress=False)
    tagger = OrtTagger(out)
    runs = []
    real = tagger.session.run
    tagger.session.run = lambda *a, **k: runs.append(1) or real(*a, **k)
    ws = tagger.windows(DraftView("Sorry for the wait. They changed the billing system."))
    first = tagger.probs(ws)
    assert runs and np.allclose(tagger.probs(ws)[0], first[0])
    n = len(runs)
    tagger.probs(ws)
    assert len(runs) == n          # served from the cache
    # a window repeated within one call (a transcript's stock message) runs once
    stock = ("Thanks for waiting, our billing team are on it and they will look at the charge on "
             "your account as soon as they can, so please bear with them for a few more days.")
    many = tagger.windows(DraftView("\n\n".join([stock] * 4 + ["The parcel left today."])))
    assert len(many) == 5
    runs.clear()
    got = tagger.probs(many)
    assert len(runs) == 2 and all(np.array_equal(got[0], g) for g in got[1:4])


def test_missing_model_is_a_clear_error(tmp_path):
    from coach import Coach, CoachConfig
    from coach.errors import ModelUnavailableError

    with pytest.raises(ModelUnavailableError, match="reply-coach train"):
        Coach(CoachConfig(detectors=("tagger",), tagger_dir=str(tmp_path)))
