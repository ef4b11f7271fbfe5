"""`--format sarif` output is valid SARIF 2.1.0 and carries every flag.

No network here, so the schema is tests/score/sarif-2.1.0-subset.schema.json: the official
definitions, transcribed for exactly the objects we emit (with additionalProperties false).
"""
import copy
import json
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from coach.score.run import score_paths
from coach.taxonomy import TYPE_NAMES
from tests.score.conftest import EVAL

SCHEMA = json.loads((Path(__file__).parent / "sarif-2.1.0-subset.schema.json").read_text())


@pytest.fixture(scope="module")
def sarif(tmp_path_factory):
    out = tmp_path_factory.mktemp("sarif")
    summary = score_paths([str(EVAL / "conversations.jsonl"), str(EVAL / "twitter_sample.csv")],
                          str(out), formats=("sarif",))
    return json.loads((out / "scorecards.sarif").read_text(encoding="utf-8")), out, summary


def test_sarif_validates_against_the_schema(sarif):
    log, _out, summary = sarif
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.Draft7Validator(SCHEMA).validate(log)
    assert summary["paths"]["scorecards.sarif"].endswith("scorecards.sarif")


def test_schema_rejects_what_sarif_forbids(sarif):
    log = sarif[0]
    v = jsonschema.Draft7Validator(SCHEMA)
    bad_level = copy.deepcopy(log)
    bad_level["runs"][0]["results"][0]["level"] = "info"
    stray = copy.deepcopy(log)
    stray["runs"][0]["results"][0]["severity"] = "warning"
    no_line = copy.deepcopy(log)
    no_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    for doc in (bad_level, stray, no_line):
        assert not v.is_valid(doc)


def test_sarif_has_one_result_per_flag_with_rules_and_locations(sarif):
    log, out, _summary = sarif
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(TYPE_NAMES)
    turns = [json.loads(l) for l in (out / "turns.jsonl").read_text().splitlines()]
    flags = [(t["conversation_id"], t["turn"], f["type"], f["start"]) for t in turns
             for f in t["flags"]]
    got = [(r["properties"]["conversation_id"], r["properties"]["turn"], r["ruleId"],
            r["properties"]["start"]) for r in run["results"]]
    assert got == flags and len(got) > 20
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert run["artifacts"][loc["artifactLocation"]["index"]]["location"]["uri"] == \
            loc["artifactLocation"]["uri"]
        assert " " not in loc["artifactLocation"]["uri"]
        assert urlsplit(loc["artifactLocation"]["uri"]).path.endswith((".jsonl", ".csv"))
