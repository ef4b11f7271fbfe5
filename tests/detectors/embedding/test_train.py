import json

import numpy as np
import pytest

from coach.dataset import load_eval
from coach.detectors.embedding.head import load_head
from coach.detectors.embedding.train import DISABLED, choose_thresholds, fold_of, train_head, unit_labels
from coach.errors import ConfigError
from coach.metrics import GoldItem
from coach.taxonomy import TYPE_NAMES


def test_unit_labels_from_span_overlap():
    g = GoldItem("x", "", {"distancing"}, {"powerless"}, [("distancing", "powerless", 10, 30)])
    assert unit_labels(0, 40, g, list(TYPE_NAMES))[TYPE_NAMES.index("powerless")] == 1  # covers it
    assert unit_labels(28, 80, g, list(TYPE_NAMES))[TYPE_NAMES.index("powerless")] == -1  # grazes
    assert unit_labels(40, 80, g, list(TYPE_NAMES)).tolist() == [0] * len(TYPE_NAMES)


def test_unit_labels_follow_the_eval_span_match():
    from coach.metrics import span_match

    k = TYPE_NAMES.index("powerless")
    g = GoldItem("x", "", {"distancing"}, {"powerless"}, [("distancing", "powerless", 10, 30)])
    for a in range(0, 40, 3):
        for b in range(a + 1, 45, 4):
            lab = unit_labels(a, b, g, list(TYPE_NAMES))[k]
            assert (lab == 1) == span_match((a, b), (10, 30)), (a, b)
            assert (lab == -1) == (not span_match((a, b), (10, 30)) and min(b, 30) > max(a, 10))


def test_folds_depend_on_seed_and_id_not_order():
    ids = [f"d{i}" for i in range(200)]
    a = [fold_of(i, 1, 5) for i in ids]
    assert a == [fold_of(i, 1, 5) for i in ids]
    assert a != [fold_of(i, 2, 5) for i in ids]
    assert set(a) == {0, 1, 2, 3, 4}


def test_thresholds_respect_clean_fp_budget():
    rng = np.random.default_rng(0)
    gold = np.zeros((100, 2), dtype=bool)
    gold[:30, 0] = True
    p = rng.uniform(0, 0.6, size=(100, 2))
    p[:30, 0] += 0.35
    clean = ~gold.any(axis=1)
    th = choose_thresholds(p, gold, clean, 0.02)
    assert (p[clean] >= th).any(axis=1).mean() <= 0.02
    assert th[1] == DISABLED  # no positives of type 1: never fires


def _train(path, emb, seed):
    return train_head(load_eval(path), [], emb, seed=seed, folds=2, log=lambda *a: None)


def test_training_is_deterministic(tiny_file, fake_embedder):
    a = _train(tiny_file, fake_embedder, 7)
    b = _train(tiny_file, fake_embedder, 7)
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.thresholds, b.thresholds)
    assert np.array_equal(a.platt_a, b.platt_a)
    assert a.meta == b.meta


def test_too_few_examples_disable_a_type(tiny_file, fake_embedder):
    head = _train(tiny_file, fake_embedder, 7)
    on = {t for t, th in zip(head.types, head.thresholds) if th <= 1}
    assert on <= {"powerless", "scripted_apology"}
    assert head.thresholds[head.types.index("disowning")] > 1


def test_head_round_trip(tmp_path, tiny_file, fake_embedder):
    head = _train(tiny_file, fake_embedder, 3)
    head.save(tmp_path / "h")
    back = load_head(tmp_path / "h")
    assert back.types == head.types and back.features == head.features
    x = np.random.default_rng(1).standard_normal((5, head.dim)).astype(np.float32)
    assert np.allclose(back.proba(x), head.proba(x), atol=1e-5)
    info = json.loads((tmp_path / "h" / "head.json").read_text())
    assert info["format"] == 1 and set(info["thresholds"]) == set(TYPE_NAMES)


def test_bad_head_dirs_are_clear_errors(tmp_path, tiny_file, fake_embedder):
    with pytest.raises(ConfigError, match="does not exist"):
        load_head(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="reply-coach train"):
        load_head(tmp_path / "empty")
    _train(tiny_file, fake_embedder, 3).save(tmp_path / "h")
    info = json.loads((tmp_path / "h" / "head.json").read_text())
    info["format"] = 99
    (tmp_path / "h" / "head.json").write_text(json.dumps(info))
    with pytest.raises(ConfigError, match="format 99"):
        load_head(tmp_path / "h")


def test_shipped_head_loads_and_is_small():
    from coach.detectors.embedding.head import DEFAULT_HEAD_DIR

    files = [p for p in DEFAULT_HEAD_DIR.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"head.json", "head.npz"}
    assert sum(p.stat().st_size for p in files) < 1_000_000   # a linear head, not a model
    head = load_head()
    assert head.types == TYPE_NAMES and head.dim == 384
    assert head.meta["validation"]["n"] > 0
    assert "test" not in " ".join(head.meta.get("data", []))  # never trained on the test set
