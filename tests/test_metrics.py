"""Metric code checked against values computed by hand."""
import pytest

from coach.metrics import GoldItem, PredItem, percentile, prf, score, span_match


def G(fams, types=(), spans=(), hard=False, text="x" * 50):
    return GoldItem("i", text, set(fams), set(types), list(spans), hard)


def P(fams, types=(), spans=(), ms=1.0):
    return PredItem(set(fams), set(types), list(spans), ms)


def test_prf_hand_values():
    m = prf(3, 1, 2)
    assert m["p"] == 0.75 and m["r"] == 0.6 and m["f"] == pytest.approx(0.6667, abs=1e-4)
    assert prf(0, 0, 0)["f"] == 0.0


def test_percentile_linear():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10], 95) == 10
    assert percentile([1, 2, 3, 4, 5], 95) == pytest.approx(4.8)


def test_span_match_half_of_shorter():
    assert span_match((0, 10), (5, 20))        # overlap 5 >= 10/2
    assert not span_match((0, 10), (6, 20))    # overlap 4 < 5
    assert span_match((0, 4), (2, 100))        # shorter 4, overlap 2


def test_score_hand_computed():
    golds = [
        G(["distancing"], ["powerless"], [("distancing", "powerless", 0, 10)]),
        G(["dead_end", "distancing"], ["dead_end", "blame_shifting"],
          [("dead_end", "dead_end", 20, 30), ("distancing", "blame_shifting", 0, 8)], hard=True),
        G([], hard=True),
        G([]),
    ]
    preds = [
        P(["distancing"], ["powerless"], [("distancing", "powerless", 2, 10)], ms=1),
        P(["dead_end"], ["dead_end"], [("dead_end", "dead_end", 40, 45)], ms=2),
        P(["scripted_apology"], ["scripted_apology"], [("scripted_apology", "scripted_apology", 0, 5)], ms=3),
        P([], ms=4),
    ]
    r = score(golds, preds)
    # (item,family) pairs: gold 3, pred 3, tp 2 -> P 2/3, R 2/3
    assert r["micro"]["tp"] == 2 and r["micro"]["fp"] == 1 and r["micro"]["fn"] == 1
    assert r["micro"]["f"] == pytest.approx(0.6667, abs=1e-4)
    assert r["family"]["distancing"] == {"p": 1.0, "r": 0.5, "f": 0.6667, "tp": 1, "fp": 0, "fn": 1, "support": 2}
    assert r["family"]["scripted_apology"]["fp"] == 1
    assert r["type"]["blame_shifting"]["fn"] == 1
    assert r["clean_fp_rate"] == 0.5 and r["n_clean"] == 2
    assert r["hard"]["n"] == 2 and r["hard"]["clean_fp_rate"] == 1.0
    # hard items: gold pairs 2 (item2), pred pairs 2 (dead_end, scripted) -> tp 1
    assert r["hard"]["micro"]["tp"] == 1 and r["hard"]["micro"]["fp"] == 1
    # spans: pred 3, gold 3, matched 1 (2-10 vs 0-10); dead_end 40-45 vs 20-30 no overlap
    assert r["span"]["tp"] == 1 and r["span"]["n_pred"] == 3 and r["span"]["n_gold"] == 3
    assert r["latency_ms"]["p50"] == 2.5


def test_score_length_mismatch():
    with pytest.raises(ValueError):
        score([G([])], [])
