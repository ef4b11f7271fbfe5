import hashlib

import numpy as np
import pytest


class FakeEmbedder:
    """Deterministic bag-of-words vectors: lets training tests run in milliseconds, no model."""

    dim = 384

    def __init__(self):
        self.calls = 0

    def encode(self, texts, batch_size=64):
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                seed = int.from_bytes(hashlib.md5(w.strip(".,!?").encode()).digest()[:4], "big")
                out[i] += np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            n = np.linalg.norm(out[i])
            if n:
                out[i] /= n
        return out


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture(scope="session")
def emb_coach(embedder):
    from coach import Coach, CoachConfig

    return Coach(CoachConfig(detectors=("embedding",)))


@pytest.fixture(scope="session")
def both_coach(embedder):
    from coach import Coach, CoachConfig

    return Coach(CoachConfig(detectors=("rules", "embedding")))


POWERLESS = ["Sorry, there's nothing I can do about that from here.",
             "I'm afraid that's above my pay grade, I can't change it.",
             "My hands are tied on this one, I can't help.",
             "That's way outside what I'm allowed to touch.",
             "I don't have the access to fix that for you.",
             "Honestly nothing in my power can change the fee.",
             "I can't do anything about the delivery date.",
             "It's out of my control, I can't help you with that."]
APOLOGY = ["We apologise for any inconvenience this may have caused.",
           "Sorry for any trouble caused.",
           "We regret any inconvenience experienced.",
           "Please accept our apologies for any frustration.",
           "Apologies for the inconvenience.",
           "We're sorry for any disruption to your service.",
           "Our sincere apologies for any inconvenience.",
           "Sorry for the hassle this may cause."]
CLEAN = ["Your refund of £20 went out today and lands by Friday.",
         "I've booked the engineer for Tuesday at 9am.",
         "The parcel is out for delivery and arrives before 6pm.",
         "I've moved your appointment to Thursday as you asked.",
         "Your new card is on its way and arrives in 3 days.",
         "Done - the address on your account is updated.",
         "I've added 10 GB of data to your plan at no cost.",
         "The replacement ships this afternoon with tracking 1Z99.",
         "Your booking is confirmed for 14 March, room 204.",
         "I've reset your password and sent the link to your email.",
         "The invoice is corrected and attached to this message.",
         "Your subscription renews on the 3rd at the same price."]


def tiny_rows():
    """A small labelled file in the eval schema: two trainable types plus clean drafts."""
    rows = []
    for i, t in enumerate(POWERLESS):
        rows.append({"id": f"p{i}", "text": t, "spans": [{"type": "powerless", "quote": t.rstrip(".")}]})
    for i, t in enumerate(APOLOGY):
        rows.append({"id": f"s{i}", "text": t,
                     "spans": [{"type": "scripted_apology", "quote": t.rstrip(".")}]})
    for i, t in enumerate(CLEAN):
        rows.append({"id": f"c{i}", "text": t, "spans": []})
    return rows


@pytest.fixture
def tiny_file(tmp_path):
    import json

    p = tmp_path / "tiny.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in tiny_rows()), encoding="utf-8")
    return p
