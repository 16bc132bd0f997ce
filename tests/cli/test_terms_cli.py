"""Terms on the command line: a misspelled one fails with a suggestion (exit 2, no rows), every
spelling of a valid one gives the same rows, every IRI form the output prints works as input, and
`vskg describe` prints a resource with what it owns."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import rdflib

from kg.iris import DATA, VSKG
from tests.cli.test_cli import vskg

FEMORAL = "femoral-recurrence-after-surgery-alone"
HONG = DATA + "case/hong-2016-table-1"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-terms") / "store"
    done = vskg("build", "--store", str(path))
    assert done.returncode == 0, done.stderr
    return path


def test_a_misspelled_site_fails_with_a_suggestion_and_no_rows(store: Path) -> None:
    done = vskg("query", FEMORAL, "--param", "site=vskg:Femoralvein", "--store", str(store))
    assert done.returncode == 2 and done.stdout == "", done.stdout
    assert done.stderr.startswith("vskg: error: ") and "Traceback" not in done.stderr
    assert "parameter 'site'" in done.stderr and "did you mean vskg:FemoralVein" in done.stderr
    assert "an anatomical site: vskg:AnatomicalSite or one of its" in done.stderr


def test_every_spelling_of_a_site_gives_the_same_rows(store: Path) -> None:
    expected = vskg("query", FEMORAL, "--param", "site=vskg:FemoralVein", "--store", str(store))
    assert expected.returncode == 0 and "(2 rows)" in expected.stdout
    for given in ("FemoralVein", VSKG + "FemoralVein", f"<{VSKG}FemoralVein>"):
        done = vskg("query", FEMORAL, "--param", f"site={given}", "--store", str(store))
        assert (done.returncode, done.stdout) == (0, expected.stdout), (given, done.stderr)
    bare = vskg("query", "groups-at-site", "--param", "site=LowerLimbVein", "--store", str(store))
    assert bare.returncode == 0 and "Hong et al. (2016)" in bare.stdout, bare.stderr


def _printed_forms(store: Path) -> dict[str, str]:
    """The case of Hong et al. as each output format prints it."""
    table = vskg("query", FEMORAL, "--store", str(store)).stdout
    tsv = vskg("query", FEMORAL, "--format", "tsv", "--store", str(store)).stdout
    rows = list(csv.DictReader(io.StringIO(vskg("query", FEMORAL, "--format", "csv", "--store", str(store)).stdout)))
    forms = {
        "table": next(w for w in table.split() if w.endswith("hong-2016-table-1")),
        "tsv": next(c for c in re.split(r"[\t\n]", tsv) if c.endswith("hong-2016-table-1>")),
        "csv": next(r["group"] for r in rows if r["group"].endswith("hong-2016-table-1")),
    }
    assert forms == {"table": "case:hong-2016-table-1", "tsv": f"<{HONG}>", "csv": HONG}  # csv: SPARQL 1.1 CSV
    return forms


def test_every_printed_form_of_an_iri_works_as_input(store: Path) -> None:
    for fmt, form in _printed_forms(store).items():
        # pasted into a query: the table's and TSV's forms are SPARQL terms; the CSV's bare IRI
        # (what SPARQL's CSV format writes) is accepted wherever a term is given by itself
        term = f"<{form}>" if fmt == "csv" else form
        query = f"SELECT ?n WHERE {{ {term} vskg:patientCount ?n ; vskg:locator ?l }} ORDER BY ?n"
        done = vskg("query", "--sparql", query, "--format", "csv", "--store", str(store))
        assert (done.returncode, done.stdout.split()) == (0, ["n", "1"]), (fmt, done.stderr)
        timeline = vskg("query", "case-timeline", "--param", f"case={form}", "--format", "csv", "--store", str(store))
        assert timeline.returncode == 0 and "surgical resection" in timeline.stdout, (fmt, timeline.stderr)
        described = vskg("describe", form, "--store", str(store))
        assert described.returncode == 0 and "case:hong-2016-table-1 a vskg:Case" in described.stdout, fmt


def test_describe_prints_turtle_with_events_and_tumour(store: Path) -> None:
    done = vskg("describe", "hong-2016-table-1", "--store", str(store))
    assert done.returncode == 0, done.stderr
    parsed = rdflib.Graph().parse(data=done.stdout, format="turtle")
    case = rdflib.URIRef(HONG)
    events = set(parsed.objects(case, rdflib.URIRef(VSKG + "hasEvent")))
    assert len(events) == 3 and all((e, None, None) in parsed for e in events)
    tumour = rdflib.URIRef(DATA + "tumour/hong-2016-table-1")
    assert (case, rdflib.URIRef(VSKG + "hasTumour"), tumour) in parsed and (tumour, None, None) in parsed
    nt = vskg("describe", "case:hong-2016-table-1", "--format", "nt", "--store", str(store))
    assert len(rdflib.Graph().parse(data=nt.stdout, format="nt")) == len(parsed)
    trig = vskg("describe", "case:hong-2016-table-1", "--format", "nq", "--store", str(store))
    assert "<https://w3id.org/vskg/graph/aalaoui-2026>" in trig.stdout  # the source graph kept
    bad = vskg("describe", "case:hong-2016-tabel-1", "--store", str(store))
    assert bad.returncode == 2 and bad.stderr.startswith("vskg: error: ") and "case:hong-2016-table-1" in bad.stderr
