"""Packaging: models/ and prompts/ ship in the wheel, and a plain (non-editable) install finds them.

The slow tests build a wheel from a copy of the working tree (offline, no build isolation), install
it with --no-deps into a fresh venv that borrows this interpreter's site-packages through a .pth
path line (a path line does not run that folder's own .pth files, so the repo's editable finder
stays off), and run the `reply-coach` it installed from a folder outside the repo.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from coach import paths

ROOT = Path(__file__).resolve().parents[1]
DATA_DIRS = {"models": ROOT / "models", "prompts": ROOT / "prompts"}
# Rules flag the apology; only the embedding head flags the blame-shifting sentence.
CHECK_TEXT = ("We apologise for any inconvenience this may have caused. "
              "Stuff like this happens with new software, it was bound to glitch.")
REWRITE_TEXT = "They lost order #A-5512, nothing I can do."
_SKIP_TOP = {".venv", ".git", "build", "dist", ".pytest_cache", "test-artifacts", ".cache"}


def _data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith("."))


# ------------------------------------------------------------------ resolver (fast)

def _fake_package(root: Path, *, installed: bool, source: bool, pyproject: bool) -> Path:
    pkg = root / "coach"
    pkg.mkdir(parents=True)
    for name in paths.DATA_DIRS:
        if installed:
            (pkg / "_data" / name).mkdir(parents=True)
        if source:
            (root / name).mkdir()
    if pyproject:
        (root / "pyproject.toml").write_text("[project]\n")
    return pkg


def test_resolver_prefers_installed_package_data(tmp_path, monkeypatch):
    pkg = _fake_package(tmp_path, installed=True, source=True, pyproject=True)
    monkeypatch.setattr(paths, "_PACKAGE", pkg)
    assert paths.data_dir("models") == pkg / "_data" / "models"
    assert paths.data_dir("prompts") == pkg / "_data" / "prompts"


def test_resolver_falls_back_to_the_source_tree(tmp_path, monkeypatch):
    pkg = _fake_package(tmp_path, installed=False, source=True, pyproject=True)
    monkeypatch.setattr(paths, "_PACKAGE", pkg)
    assert paths.data_dir("models") == tmp_path / "models"
    assert paths.data_dir("prompts") == tmp_path / "prompts"


def test_resolver_ignores_a_stray_models_folder_outside_a_checkout(tmp_path, monkeypatch):
    # site-packages/models from some other distribution is not ours: no pyproject.toml beside it.
    pkg = _fake_package(tmp_path, installed=False, source=True, pyproject=False)
    monkeypatch.setattr(paths, "_PACKAGE", pkg)
    assert paths.data_dir("models") == pkg / "_data" / "models"


def test_resolver_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown data folder"):
        paths.data_dir("eval")


def test_this_checkout_reads_the_repo_folders():
    from coach.detectors.embedding.head import DEFAULT_HEAD_DIR
    from coach.lm.cards import MODELS_DIR
    from coach.lm.prompts import PROMPTS_DIR
    from coach.rewrite.retrieve import BANK_PATH, UNITS_PATH

    if (ROOT / "coach" / "_data").exists():
        pytest.fail("coach/_data exists in the source tree; it would shadow models/ and prompts/")
    assert paths.data_dir("models") == DATA_DIRS["models"] == MODELS_DIR
    assert DEFAULT_HEAD_DIR == DATA_DIRS["models"] / "embedding_head"
    assert paths.data_dir("prompts") == DATA_DIRS["prompts"] == PROMPTS_DIR
    assert BANK_PATH.parent == UNITS_PATH.parent == DATA_DIRS["prompts"]


def test_no_module_builds_its_own_path_to_models_or_prompts():
    # Every reader goes through coach.paths.data_dir; a `Path(__file__)...` route to models/ or
    # prompts/ works from a checkout and breaks in a wheel.
    offenders = []
    for py in sorted((ROOT / "coach").rglob("*.py")):
        if py.name == "paths.py" and py.parent.name == "coach":
            continue
        for n, line in enumerate(py.read_text(encoding="utf-8").splitlines(), 1):
            if "__file__" in line and re.search(r"""["'](models|prompts)["']""", line):
                offenders.append(f"{py.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


# ------------------------------------------------------------------ wheel + clean venv (slow)

def _run(cmd: list, *, cwd: Path, env: dict | None = None, timeout: float = 300):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=timeout)
    return r


def _check(r: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
    assert r.returncode == 0, f"{what} failed (exit {r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r


def _copy_tree(dst: Path) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n == "__pycache__"}
        if Path(folder).resolve() == ROOT:
            skip |= {n for n in names
                     if n in _SKIP_TOP or n.startswith(".venv") or n.endswith(".egg-info")}
        return skip

    shutil.copytree(ROOT, dst, ignore=ignore)


@pytest.fixture(scope="module")
def wheel_install(tmp_path_factory):
    base = tmp_path_factory.mktemp("packaging")
    src, dist, venv, work = base / "src", base / "dist", base / "venv", base / "work"
    _copy_tree(src)   # build from a copy: no build/ or egg-info written into the shared tree
    _check(_run([sys.executable, "-m", "pip", "wheel", "--no-index", "--no-deps",
                 "--no-build-isolation", "--disable-pip-version-check", "-q", "-w", dist, src],
                cwd=base, timeout=180), "pip wheel")
    (wheel,) = dist.glob("reply_coach-*.whl")

    _check(_run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=base, timeout=120),
           "python -m venv")
    vpy = venv / "bin" / "python"
    _check(_run([sys.executable, "-m", "pip", "--python", vpy, "install", "--no-index", "--no-deps",
                 "--disable-pip-version-check", "-q", wheel], cwd=base, timeout=180),
           "pip install wheel")
    # Dependencies (torch, sentence-transformers, ...) from this interpreter, without its .pth files.
    deps = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    site = Path(_check(_run([vpy, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            cwd=base), "venv purelib").stdout.strip())
    (site / "_reply_coach_deps.pth").write_text("".join(f"{d}\n" for d in deps), encoding="utf-8")

    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PYTHONNOUSERSITE="1", HF_HUB_OFFLINE="1", NO_COLOR="1")
    return {"wheel": wheel, "venv": venv, "python": vpy, "bin": venv / "bin", "site": site,
            "work": work, "env": env}


@pytest.mark.slow
def test_wheel_carries_every_module_and_data_file(wheel_install):
    with zipfile.ZipFile(wheel_install["wheel"]) as z:
        names = set(z.namelist())
        for name, folder in DATA_DIRS.items():
            files = _data_files(folder)
            assert files, f"{folder} is empty"
            for f in files:
                arc = f"coach/_data/{name}/{f.relative_to(folder).as_posix()}"
                assert arc in names, f"{arc} missing from the wheel (pyproject package-data)"
                assert z.read(arc) == f.read_bytes(), f"{arc} differs from {f}"
        code = [p for p in (ROOT / "coach").rglob("*") if p.is_file() and p.suffix in (".py", ".yaml")
                and "__pycache__" not in p.parts]
        missing = sorted(p.relative_to(ROOT).as_posix() for p in code
                         if p.relative_to(ROOT).as_posix() not in names)
        assert not missing, f"not in the wheel (add the package to pyproject.toml): {missing}"
        assert not any(n.startswith(("models/", "prompts/")) for n in names), \
            "data folders belong under coach/_data/, not at the top of site-packages"


_PROBE = r"""
import json, sys
import coach
from coach import paths
from coach.detectors.embedding.head import DEFAULT_HEAD_DIR, load_head
from coach.lm.cards import DEFAULT_MODEL, MODELS_DIR, list_cards, load_card
from coach.lm.prompts import PROMPTS_DIR, load_template
from coach.rewrite.retrieve import BANK_PATH, UNITS_PATH, load_bank

head = load_head()
print(json.dumps({
    "coach": coach.__file__,
    "models": str(paths.data_dir("models")), "prompts": str(paths.data_dir("prompts")),
    "constants": [str(p) for p in (DEFAULT_HEAD_DIR, MODELS_DIR, PROMPTS_DIR, BANK_PATH, UNITS_PATH)],
    "head_types": list(head.types), "head_dim": head.dim,
    "cards": [c.name for c in list_cards()], "default_card": load_card().name, "default": DEFAULT_MODEL,
    "templates": {f"rewrite.v{v}": sorted(load_template("rewrite", v)) for v in (1, 2)},
    "judge": sorted(load_template("judge", 1)),
    "bank": len(load_bank()), "units": len(load_bank(UNITS_PATH)),
    "editable_finder": [repr(f) for f in sys.meta_path if "editable" in repr(f).lower()],
    "sys_path": sys.path,
}))
"""


@pytest.mark.slow
def test_installed_wheel_is_what_imports_and_loads_its_data(wheel_install):
    w = wheel_install
    r = _check(_run([w["python"], "-c", _PROBE], cwd=w["work"], env=w["env"]), "probe")
    info = json.loads(r.stdout.strip().splitlines()[-1])
    site = w["site"].resolve()

    coach_file = Path(info["coach"]).resolve()
    assert coach_file == site / "coach" / "__init__.py", f"coach imported from {coach_file}"
    assert not coach_file.is_relative_to(ROOT)
    assert info["editable_finder"] == [], "the repo's editable finder is active in the clean venv"
    assert str(ROOT) not in info["sys_path"]

    data = site / "coach" / "_data"
    assert Path(info["models"]) == data / "models" and Path(info["prompts"]) == data / "prompts"
    for p in info["constants"]:
        assert Path(p).is_relative_to(data), f"{p} is not the installed package data"

    assert info["head_types"] and info["head_dim"] > 0
    assert info["default_card"] == info["default"] in info["cards"]
    assert info["templates"]["rewrite.v1"] and info["templates"]["rewrite.v2"] and info["judge"]
    assert info["bank"] > 0 and info["units"] > 0


@pytest.mark.slow
def test_installed_cli_check_and_rewrite_run_outside_the_repo(wheel_install):
    w = wheel_install
    exe = w["bin"] / "reply-coach"
    # The installed script runs the clean venv's interpreter (pip may wrap a long path in /bin/sh).
    assert any(str(w["python"]) in line for line in exe.read_text(encoding="utf-8").splitlines()[:3])

    r = _check(_run([exe, "check", CHECK_TEXT], cwd=w["work"], env=w["env"]), "reply-coach check")
    assert "rules" in r.stdout and "detectors: rules, tagger" in r.stdout
    assert "source: tagger" in r.stdout, f"the shipped tagger did not flag:\n{r.stdout}\n{r.stderr}"
    # The previous default's head ships too.
    r2 = _check(_run([exe, "check", "--detectors", "rules,embedding", CHECK_TEXT], cwd=w["work"],
                     env=w["env"]), "reply-coach check --detectors rules,embedding")
    assert "source: embedding" in r2.stdout, f"the embedding head did not flag:\n{r2.stdout}"
    assert "missing" not in r.stderr and "not found" not in r.stderr, r.stderr

    r = _check(_run([exe, "rewrite", "--no-model", "--format", "jsonl", REWRITE_TEXT],
                    cwd=w["work"], env=w["env"]), "reply-coach rewrite --no-model")
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res["rewrite"] and res["rewrite"] != REWRITE_TEXT
    assert res["checks"]["flags_left"] == [] and res["checks"]["owns_problem"] is True
    assert "A-5512" in res["rewrite"]
    assert "missing" not in r.stderr and "not found" not in r.stderr, r.stderr
