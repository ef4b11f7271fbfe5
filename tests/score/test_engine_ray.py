"""--engine ray (a Ray Data pipeline on 2 CPUs) writes the same bytes as the local engine."""
import pytest

from coach.score.run import Options, run
from coach.score.synthetic import write_synthetic
from tests.score.conftest import EVAL, read_outputs

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def ray_2cpu():
    import os

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_engine_matches_local_engine(ray_2cpu, tmp_path):
    syn = write_synthetic(tmp_path / "syn.jsonl", 120)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"conversation_id": "x"}\n' + syn.read_text().splitlines()[0] + "\n")
    inputs = [str(EVAL / "conversations.jsonl"), str(EVAL / "twitter_sample.csv"), str(syn),
              str(bad)]
    names = ("turns.jsonl", "scorecards.json", "scorecards.csv", "report.html",
             "scorecards.sarif")
    calls = []
    s_ray = run(inputs, str(tmp_path / "ray"), engine="ray", skip_bad=True, formats=("sarif",),
                progress=lambda d, t: calls.append(d), options=Options(chunk_size=16))
    s_local = run(inputs, str(tmp_path / "local"), skip_bad=True, formats=("sarif",))
    assert read_outputs(tmp_path / "ray", names) == read_outputs(tmp_path / "local", names)
    assert s_ray["skipped"] == 1 and s_ray["conversations"] == s_local["conversations"] == 165
    assert calls[-1] == 166 and calls == sorted(calls)
    assert ray.is_initialized()     # an instance we did not start is left running
