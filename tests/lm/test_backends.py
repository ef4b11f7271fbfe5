"""`chat_many`: sampled candidates of one prompt, batched where the backend can."""
from coach.lm.backends import chat_many
from tests.lm.fakes import BatchingFakeBackend, ScriptedFakeBackend

MSG = [{"role": "user", "content": "x"}]


def test_batches_are_cut_to_the_slots_and_seeds_never_repeat():
    fake = BatchingFakeBackend([{"part": str(i)} for i in range(5)], slots=2)
    gens = chat_many(fake, MSG, 5, seed=10, max_tokens=9, temperature=0.7)
    assert [g.json()["part"] for g in gens] == ["0", "1", "2", "3", "4"]
    assert fake.batches == [(2, 10), (2, 12), (1, 14)]


def test_a_backend_without_chat_n_gets_one_call_per_candidate():
    fake = ScriptedFakeBackend([{"part": "a"}, {"part": "b"}])
    gens = chat_many(fake, MSG, 2, seed=3, max_tokens=9, temperature=0.7)
    assert [g.json()["part"] for g in gens] == ["a", "b"]
    assert len(fake.calls) == 2 and all(c["temperature"] == 0.7 for c in fake.calls)
