"""`vskg similar` as a user runs it: the ranking the API gives, from facts or a phenopacket file."""

from __future__ import annotations

import json
from pathlib import Path

from kg import KnowledgeGraph
from tests.cli.test_cli import vskg

FACTS = ["--site", "FemoralVein", "--age", "50", "--sex", "female", "--size-cm", "6"]


def test_the_command_gives_the_api_ranking_and_says_its_limits(graph: KnowledgeGraph, built_store: Path) -> None:
    done = vskg("similar", *FACTS, "--top", "10", "--format", "json", "--store", str(built_store))
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    api = graph.similar(site="FemoralVein", age=50, sex="female", size_cm=6, top=10)
    assert [(m["group"], m["score"]) for m in printed["matches"]] == [(m.group, m.score) for m in api.matches]
    assert printed["unknown"] == api.unknown and printed["described"]["site"] == "femoral vein"
    table = vskg("similar", *FACTS, "--explain", "--events", "--store", str(built_store))
    assert table.returncode == 0, table.stderr
    text = table.stdout
    assert "aalaoui-2026-present-case" in text and "Aalaoui et al. (2026)" in text
    assert "site: agreed (weight 5, similarity 1.00): femoral vein / femoral vein; the same class" in text
    assert "9 months after surgical resection (femoral vein)" in text and "not prognosis" in text
    assert "Unknown for the matches: site 0 of 10, age" in text


def test_a_phenopacket_file_finds_its_own_case(graph: KnowledgeGraph, built_store: Path, tmp_path: Path) -> None:
    packet = graph.to_phenopackets(created="2026-01-01T00:00:00Z")["aalaoui-2026-present-case"]
    path = tmp_path / "present.json"
    path.write_text(json.dumps(packet), encoding="utf-8")
    done = vskg("similar", "--phenopacket", str(path), "--format", "csv", "--top", "3", "--store", str(built_store))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("rank,group,") and lines[1].startswith("1,https://w3id.org/vskg/id/case/aalaoui-2026")


def test_bad_input_is_named_without_a_traceback(built_store: Path, tmp_path: Path) -> None:
    done = vskg("similar", "--site", "FemurVein", "--store", str(built_store))
    assert done.returncode == 2 and "site: unknown term 'FemurVein' (did you mean FemoralVein" in done.stderr
    missing = vskg("similar", "--phenopacket", str(tmp_path / "nowhere.json"), "--store", str(built_store))
    assert missing.returncode == 2 and "nowhere.json: cannot read the phenopacket" in missing.stderr
    weight = vskg("similar", "--site", "FemoralVein", "--weight", "site", "--store", str(built_store))
    assert weight.returncode == 2 and "--weight 'site': write it as FACT=NUMBER" in weight.stderr
    assert "Traceback" not in done.stderr + missing.stderr + weight.stderr
