import json

import pytest

from coach.dataset import load_eval
from coach.errors import InputError


def write(tmp_path, rows):
    p = tmp_path / "d.jsonl"
    p.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows), encoding="utf-8")
    return p


def test_minimal_rows_and_derived_labels(tmp_path):
    p = write(tmp_path, [{"id": 1, "text": "I can't help.", "spans": [{"type": "powerless", "quote": "I can't help"}]},
                         {"id": 2, "text": "Done!"}])
    a, b = load_eval(p)
    assert a.families == {"distancing"} and a.spans == [("distancing", "powerless", 0, 12)]
    assert b.families == set()


@pytest.mark.parametrize("row,field", [
    ({"id": 1}, "text"),
    ({"id": 1, "text": "hi", "spans": [{"type": "nope", "quote": "hi"}]}, "spans[0].type"),
    ({"id": 1, "text": "hi", "spans": [{"type": "dead_end", "quote": "bye"}]}, "spans[0].quote"),
    ({"id": 1, "text": "hi", "spans": [{"family": "distancing", "type": "dead_end", "quote": "hi"}]}, "spans[0].family"),
    ({"id": 1, "text": 5}, "text"),
])
def test_errors_name_line_and_field(tmp_path, row, field):
    p = write(tmp_path, [{"id": 0, "text": "ok"}, row])
    with pytest.raises(InputError) as e:
        load_eval(p)
    assert e.value.line == 2 and e.value.field == field
    assert f"{p}:2" in str(e.value)


def test_empty_file(tmp_path):
    p = tmp_path / "e.jsonl"
    p.write_text("\n\n")
    with pytest.raises(InputError, match="empty"):
        load_eval(p)


def test_public_sets_are_valid_and_disjoint():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "eval"
    dev, test = load_eval(root / "dev.jsonl"), load_eval(root / "test.jsonl")
    assert len(dev) >= 400 and len(test) >= 150
    assert not {g.id for g in dev} & {g.id for g in test}
    assert not {g.text for g in dev} & {g.text for g in test}
    for items in (dev, test):
        for g in items:
            for m in g.row.get("must_keep", []):
                assert m in g.text, (g.id, m)
