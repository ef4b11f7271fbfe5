"""The package's folders say what lives in them, and imports only run one way.

detectors/ holds every detector, lm/ the language-model runtime, rewrite/ the rewrite pipeline.
The runtime knows nothing of support replies, and no detector reaches up into the rewrite
package, so each can be read, tested and replaced on its own.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "coach"


def _imports(folder: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in sorted((PKG / folder).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        out[str(path.relative_to(PKG))] = names
    return out


@pytest.mark.parametrize("folder, forbidden", [
    ("lm", ("coach.rewrite", "coach.detectors", "coach.pipeline", "coach.web", "coach.score")),
    ("detectors", ("coach.rewrite", "coach.web", "coach.score")),
    ("embedder", ("coach.rewrite", "coach.detectors", "coach.lm", "coach.pipeline")),
    ("rewrite", ("coach.web", "coach.score")),
])
def test_imports_run_one_way(folder, forbidden):
    bad = {f: sorted(m for m in mods if m.startswith(forbidden))
           for f, mods in _imports(folder).items()}
    assert not {f: m for f, m in bad.items() if m}


def test_tests_mirror_the_package():
    tests = Path(__file__).resolve().parent
    for folder in ("detectors/rules", "detectors/tagger", "detectors/embedding", "lm", "rewrite",
                   "embedder", "score", "web"):
        assert (PKG / folder).is_dir(), folder
        assert any((tests / folder).glob("test_*.py")), f"tests/{folder} has no tests"
