"""--resume after a real kill: SIGKILL a running `reply-coach score`, resume, compare bytes."""
import json
import os
import signal
import subprocess
import sys
import time

from coach.score.synthetic import write_synthetic
from tests.score.conftest import ROOT, read_outputs

N = 4000


def _cmd(src, out, *extra):
    return [sys.executable, "-m", "coach", "score", str(src), "--out", str(out),
            "--checkpoint-every", "50", "--format", "sarif", *extra]


def _env():
    return {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}


def test_resume_after_kill_matches_an_uninterrupted_run(tmp_path):
    src = write_synthetic(tmp_path / "syn.jsonl", N)
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    state_path = killed / ".checkpoint" / "state.json"

    proc = subprocess.Popen(_cmd(src, killed, "--workers", "2", "--quiet"), cwd=ROOT, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if json.loads(state_path.read_text())["done"] >= 200:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it could be killed: " + \
            proc.stderr.read().decode()
        os.killpg(proc.pid, signal.SIGKILL)       # the run and its worker processes
    finally:
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    state = json.loads(state_path.read_text())
    assert 0 < state["done"] < N
    assert not (killed / "turns.jsonl").exists()

    resumed = subprocess.run(_cmd(src, killed, "--resume"), cwd=ROOT, env=_env(),
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming after {state['done']:,} conversations" in resumed.stderr

    fresh = subprocess.run(_cmd(src, clean, "--quiet"), cwd=ROOT, env=_env(),
                           capture_output=True, text=True, timeout=300)
    assert fresh.returncode == 0, fresh.stderr
    names = ("turns.jsonl", "scorecards.json", "scorecards.csv", "report.html",
             "scorecards.sarif")
    assert read_outputs(killed, names) == read_outputs(clean, names)
    turns = (clean / "turns.jsonl").read_text().splitlines()
    assert len(turns) == 2 * N                     # every agent turn exactly once
    assert not (killed / ".checkpoint").exists()


def test_fingerprint_changes_when_the_model_is_retrained_in_place(tmp_path, monkeypatch):
    from coach.config import CoachConfig
    from coach.detectors.embedding import head
    from coach.score.checkpoint import fingerprint

    src = tmp_path / "in.jsonl"
    src.write_text("{}\n", encoding="utf-8")
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    (model / "head.json").write_text('{"v": 1}', encoding="utf-8")
    (model / "sub" / "head.npz").write_bytes(b"old")
    cfg = CoachConfig(detectors=("rules", "embedding"), model_dir=str(model))
    before = fingerprint([str(src)], {}, cfg, False)
    assert fingerprint([str(src)], {}, cfg, False) == before
    (model / "sub" / "head.npz").write_bytes(b"new")          # same path, retrained weights
    assert fingerprint([str(src)], {}, cfg, False) != before

    # without --model-dir the embedding detector uses the shipped head: hash its files too
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "head.npz").write_bytes(b"v1")
    monkeypatch.setattr(head, "DEFAULT_HEAD_DIR", shipped)
    emb = CoachConfig(detectors=("rules", "embedding"))
    first = fingerprint([str(src)], {}, emb, False)
    rules_only = fingerprint([str(src)], {}, CoachConfig(detectors=("rules",)), False)
    (shipped / "head.npz").write_bytes(b"v2")
    assert fingerprint([str(src)], {}, emb, False) != first
    assert fingerprint([str(src)], {}, CoachConfig(detectors=("rules",)), False) == rules_only
