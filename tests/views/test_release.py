"""A citable release: `vskg release` writes every export, the report and VoID, described as an
RO-Crate that the rocrate library reads (with checksums that match), and w3id.org redirect rules
whose every target the server answers."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kg.web.app import create_app
from tests.conftest import ROOT
from tests.server_fixtures import app_settings

HOST = "https://vskg.example.org"


@pytest.fixture(scope="module")
def release(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release")
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "release", "--store", str(built_store), "--out", str(out), "--host", HOST,
         "--created", "2026-12-01T00:00:00Z"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def test_the_release_is_an_ro_crate_with_matching_checksums(release: Path) -> None:
    from rocrate.rocrate import ROCrate

    crate = ROCrate(release)
    files = {e.id: e for e in crate.data_entities}
    for name in ("vskg.ttl", "vskg.trig", "vskg-ontology.owl", "vskg.sssom.tsv", "void.ttl", "report/report.html",
                 "phenopackets/aalaoui-2026-present-case.json", "phenopackets/cohorts/aalaoui-2026.json"):  # fmt: skip
        assert name in files, name
    for name, entity in files.items():
        props = entity.properties()
        assert props["sha256"] == hashlib.sha256((release / name).read_bytes()).hexdigest(), name
        assert (
            props["license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"} and props["version"] == "0.1.0"
        )
        assert props["encodingFormat"] != "application/octet-stream", name
    assert files["vskg.trig"].properties()["encodingFormat"] == "application/trig"
    cited = {e.id for e in crate.contextual_entities if e.type == "ScholarlyArticle"}
    assert "https://doi.org/10.1016/j.avsg.2006.07.007" in cited
    assert crate.root_dataset.properties()["datePublished"] == "2026-12-01T00:00:00Z"


def _apply(rules: str, path: str) -> str | None:
    for pattern, target in re.findall(r"^RewriteRule (\S+) (\S+) \[R=303,L\]$", rules, re.M):
        match = re.match(pattern, path)
        if match:
            return match.expand(target.replace("$", "\\"))
    return None


def test_w3id_rules_send_every_iri_to_a_route_that_answers(release: Path, built_store: Path) -> None:
    from fastapi.testclient import TestClient

    rules = (release / "w3id" / ".htaccess").read_text(encoding="utf-8")
    settings = app_settings(built_store)
    samples = ["", "ontology", "ontology/0.1.0", "id/case/aalaoui-2026-present-case", "id/source/hong-2016",
               "id/cohort/kevorkian-1973-table-1", "graph/hong-2016", "graph/ontology"]  # fmt: skip
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for path in samples:
            target: Any = _apply(rules, path)
            assert target and target.startswith(HOST + "/"), path
            response = client.get(target.removeprefix(HOST), headers={"Accept": "text/turtle"})
            assert response.status_code == 200, (path, target, response.status_code)
    assert _apply(rules, "nothing/here") is None
