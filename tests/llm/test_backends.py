"""`chat_many`: sampled candidates of one prompt, batched where the backend can."""
from coach.llm.backends import chat_many
from tests.llm.fakes import ScriptedFakeBackend


class Batching(ScriptedFakeBackend):
    """A scripted fake (NOT a model) with llama.cpp's `chat_n` and two slots."""

    slots = 2

    def __init__(self, answers):
        super().__init__(answers)
        self.batches: list[tuple[int, int]] = []

    def chat_n(self, messages, n, *, seed=0, **kw):
        self.batches.append((n, seed))
        return [self.chat(messages, seed=seed + i, **kw) for i in range(n)]


MSG = [{"role": "user", "content": "x"}]


def test_batches_are_cut_to_the_slots_and_seeds_never_repeat():
    fake = Batching([{"part": str(i)} for i in range(5)])
    gens = chat_many(fake, MSG, 5, seed=10, max_tokens=9, temperature=0.7)
    assert [g.json()["part"] for g in gens] == ["0", "1", "2", "3", "4"]
    assert fake.batches == [(2, 10), (2, 12), (1, 14)]


def test_a_backend_without_chat_n_gets_one_call_per_candidate():
    fake = ScriptedFakeBackend([{"part": "a"}, {"part": "b"}])
    gens = chat_many(fake, MSG, 2, seed=3, max_tokens=9, temperature=0.7)
    assert [g.json()["part"] for g in gens] == ["a", "b"]
    assert len(fake.calls) == 2 and all(c["temperature"] == 0.7 for c in fake.calls)
