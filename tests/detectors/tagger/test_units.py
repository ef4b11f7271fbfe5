"""The tagger's pure parts: windows, BIO labels, runs -> spans, calibration, rule weighing."""
import numpy as np
import pytest

from coach.flags import Flag
from coach.metrics import GoldItem
from coach.pipeline import corroborated
from coach.detectors.tagger.detector import runs, spans_of
from coach.detectors.tagger.labels import LABEL_ID, LABELS
from coach.detectors.tagger.train import choose_thresholds, token_labels
from coach.detectors.tagger.windows import Window, batch_inputs, draft_windows
from coach.text import DraftView


@pytest.fixture(scope="module")
def tok():
    from coach.embedder.model import model_path
    from coach.detectors.tagger.runtime import load_tokenizer

    return load_tokenizer(model_path() / "tokenizer.json")


def test_windows_keep_sentences_whole_and_offsets_exact(tok):
    text = " ".join(f"Sentence number {i} is here." for i in range(60))
    view = DraftView(text)
    ws = draft_windows(view, tok, max_tokens=40)
    assert len(ws) > 1 and all(len(w.ids) <= 38 for w in ws)
    starts = {s for s, _e in view.sentences}
    for w in ws:
        assert int(w.offsets[0, 0]) in starts          # each window starts a sentence
        for (a, b) in w.offsets.tolist():
            assert text[a:b].lower() in text.lower()[a:b]  # offsets index the draft itself
    assert sum(len(w.ids) for w in ws) == len(tok.encode(text, add_special_tokens=False).ids)


def test_quoted_customer_words_are_blank_for_the_tagger(tok):
    text = 'You wrote "my hands are tied" and I get it.'
    ws = draft_windows(DraftView(text), tok)
    seen = " ".join(text[a:b] for w in ws for a, b in w.offsets.tolist())
    assert "hands" not in seen and "get" in seen


def test_one_overlong_sentence_is_cut_into_windows(tok):
    text = "word " * 500
    ws = draft_windows(DraftView(text), tok, max_tokens=64)
    assert len(ws) >= 500 // 62 and max(len(w.ids) for w in ws) == 62
    assert sum(len(w.ids) for w in ws) == 500


def test_a_long_draft_is_cut_at_its_blank_lines_and_a_short_one_is_one_window(tok):
    short = "Hi Dana,\n\nThey changed the rules.\n\nThanks, Sam"
    assert len(draft_windows(DraftView(short), tok)) == 1
    msgs = [f"Message {i}: the courier lost parcel {i} and I can't do anything." for i in range(40)]
    text = "\n\n".join(msgs)
    ws = draft_windows(DraftView(text), tok)
    para_starts = {text.index(m) for m in msgs}
    assert len(ws) == len(msgs)                                 # never two messages in one window
    assert {int(w.offsets[0, 0]) for w in ws} == para_starts
    alone = draft_windows(DraftView(msgs[7]), tok)
    assert ws[7].ids.tolist() == alone[0].ids.tolist()          # the tagger reads it as alone


def test_a_pasted_transcript_finds_what_its_messages_find_alone():
    """Packing message after message into full windows once hid 80 % of the tagger's flags in a
    pasted transcript; cut at blank lines, each message is read as it is read alone."""
    from coach.config import CoachConfig
    from coach.detectors.tagger.detector import TaggerDetector

    msgs = ["The warehouse team sent the wrong size, they never check the orders.",
            "Thanks for your order, it ships on Monday with tracking number 4411.",
            "We apologize for any inconvenience this may have caused.",
            "Unfortunately that is our policy and there is nothing I can do about it.",
            "You will have to contact the courier yourself about the missing parcel."] * 8
    text = "\n\n".join(msgs)
    det = TaggerDetector(CoachConfig(detectors=("tagger",)))
    whole = {(f.type, f.start, f.end) for f in det.detect(DraftView(text))}
    alone, at = set(), 0
    for m, flags in zip(msgs, det.detect_many([DraftView(m) for m in msgs])):
        alone |= {(f.type, f.start + at, f.end + at) for f in flags}
        at += len(m) + 2
    assert alone and whole == alone


def test_batch_inputs_frame_each_window():
    ws = [Window(np.array([5, 6, 7]), np.zeros((3, 2), dtype=np.int64)),
          Window(np.array([8]), np.zeros((1, 2), dtype=np.int64))]
    b = batch_inputs(ws, cls_id=101, sep_id=102, pad_id=0)
    assert b["input_ids"].tolist() == [[101, 5, 6, 7, 102], [101, 8, 102, 0, 0]]
    assert b["attention_mask"].tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]


def test_token_labels_mark_begin_and_inside():
    w = Window(np.arange(5), np.array([[0, 4], [5, 8], [9, 13], [14, 16], [17, 20]]))
    lab = token_labels(w, [("distancing", "powerless", 5, 13)])
    assert [LABELS[i] for i in lab] == ["O", "B-powerless", "I-powerless", "O", "O"]


def test_runs_bridge_one_low_token_only():
    s = np.array([0.9, 0.1, 0.8, 0.1, 0.1, 0.7, 0.0])
    assert runs(s, 0.5) == [(0, 3), (5, 6)]
    assert runs(np.zeros(4), 0.5) == []


def test_spans_of_gives_draft_offsets_and_the_cue_words():
    w = Window(np.arange(4), np.array([[10, 15], [16, 19], [20, 25], [26, 30]]))
    p = np.zeros((4, len(LABELS)))
    p[:, LABEL_ID["O"]] = 1.0
    for k in (1, 2):
        p[k] = 0
        p[k, LABEL_ID["I-dead_end"]] = 0.9
    out = spans_of(w, p, {"dead_end": 0.5})
    assert [(t, s, e) for t, s, e, *_ in out] == [("dead_end", 16, 25)]
    assert spans_of(w, p, {"dead_end": 2.0}) == []      # 2.0 switches a type off


def _item(i, types):
    from coach.taxonomy import TYPES

    return GoldItem(str(i), "x", {TYPES[t].family for t in types}, set(types), [], False, {})


def test_thresholds_keep_within_the_clean_budget():
    items = [_item(i, ["dead_end"]) for i in range(20)] + [_item(i + 20, []) for i in range(80)]
    rng = np.random.default_rng(0)
    scores = np.zeros((100, 7))
    k = 6   # dead_end column (taxonomy order)
    scores[:20, k] = rng.uniform(0.55, 0.95, 20)
    scores[20:, k] = rng.uniform(0.0, 0.7, 80)
    th = choose_thresholds(scores, items, max_clean_fp=0.02)
    pred = scores[:, k] >= th["dead_end"]
    assert pred[20:].mean() <= 0.02 and pred[:20].sum() >= 5
    assert all(v == 2.0 for t, v in th.items() if t != "dead_end")   # no evidence: off


def _f(source, start, end, fam="dead_end", rule=""):
    return Flag(fam, fam if fam == "dead_end" else "powerless", start, end, "", "", "", "warning",
                source, rule=rule)


def test_weak_rules_need_a_learned_detector_to_agree():
    trust = {"weak": 0.2, "strong": 0.9}
    flags = [_f("rules", 0, 10, rule="weak"), _f("rules", 20, 30, rule="weak"),
             _f("rules", 40, 50, rule="strong"), _f("tagger", 25, 35),
             _f("tagger", 0, 5, fam="distancing")]
    kept = corroborated(flags, trust)
    assert [(f.source, f.start) for f in kept if f.source == "rules"] == [("rules", 20),
                                                                           ("rules", 40)]
    assert len([f for f in kept if f.source == "tagger"]) == 2
