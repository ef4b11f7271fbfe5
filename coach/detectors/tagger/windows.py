"""A draft as token windows of whole sentences, with every token's offsets into the draft.

The encoder sees at most MAX_TOKENS tokens at once. A draft is tokenised once (the unquoted view,
so the customer's quoted words are blank and never tagged), and its tokens are
packed sentence by sentence into windows, so a window never cuts a sentence unless the sentence
alone is too long. Training and inference build windows with this same code, so they cannot
drift apart, and a 1 MB transcript costs one tokenizer call and a linear pass.

A draft longer than one window is also cut at its blank lines: a window never runs from one
paragraph into the next. The tagger learnt from drafts that mostly fit one window, one message
each; a pasted transcript packed message after message into full windows read as nothing it had
seen, and it found 151 of the 792 flags its 1,907 drafts get when checked one by one (200 KB of
corpus drafts; cut at blank lines: 770). A draft that fits one window is one window, as before.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

import numpy as np

from coach.text import DraftView

MAX_TOKENS = 128          # including [CLS] and [SEP]; replies' sentences are ~20 tokens


@dataclass
class Window:
    """Token ids (without [CLS]/[SEP]) and their (start, end) offsets into the draft."""

    ids: np.ndarray        # (n,) int64
    offsets: np.ndarray    # (n, 2) int64


def draft_windows(view: DraftView, tokenizer: Any, max_tokens: int = MAX_TOKENS) -> list[Window]:
    """Windows of whole sentences of `view.unquoted`; offsets index `view.text`."""
    enc = tokenizer.encode(view.unquoted, add_special_tokens=False)
    ids = np.asarray(enc.ids, dtype=np.int64)
    offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
    if len(ids) == 0:
        return []
    room = max_tokens - 2
    if len(ids) <= room:
        return [Window(ids, offsets)]
    starts = offsets[:, 0].tolist()
    # Token index where each sentence starts: the windows are cut only there, and always where
    # a paragraph starts (see the module's docstring).
    paragraphs = {bisect_left(starts, a) for a, _b in view.paragraphs[1:]}
    cuts = sorted({bisect_left(starts, s) for s, _e in view.sentences} | paragraphs | {0})
    cuts = [c for c in cuts if c < len(ids)] + [len(ids)]
    out: list[Window] = []
    lo = 0
    for a, b in zip(cuts, cuts[1:]):
        if a in paragraphs and a > lo:        # a new paragraph: close the window
            out.append(Window(ids[lo:a], offsets[lo:a]))
            lo = a
        if b - lo > room and a > lo:          # this sentence does not fit: close the window
            out.append(Window(ids[lo:a], offsets[lo:a]))
            lo = a
        while b - lo > room:                  # one sentence longer than a window
            out.append(Window(ids[lo:lo + room], offsets[lo:lo + room]))
            lo += room
    if lo < len(ids):
        out.append(Window(ids[lo:], offsets[lo:]))
    return out


def batch_inputs(windows: list[Window], cls_id: int, sep_id: int, pad_id: int
                 ) -> dict[str, np.ndarray]:
    """Padded encoder inputs for windows: [CLS] tokens [SEP], attention mask, type ids."""
    width = max(len(w.ids) for w in windows) + 2
    ids = np.full((len(windows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(windows), width), dtype=np.int64)
    for i, w in enumerate(windows):
        n = len(w.ids)
        ids[i, 0] = cls_id
        ids[i, 1:n + 1] = w.ids
        ids[i, n + 1] = sep_id
        mask[i, :n + 2] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
