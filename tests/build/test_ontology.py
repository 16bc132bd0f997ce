"""The ontology: header, labels, checked alignments only, and HermiT consistency."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph, ReasonerError
from kg.build.reasoning import hermit_types, java_available
from kg.iris import DCTERMS, OWL, RDF, RDFS, VSKG
from kg.records.vocabulary import read_ontology, vocabulary
from tests.conftest import PROJECT

# The codes of shared/reference/ontology-terms.md, checked against each ontology's own release.
CHECKED = {
    "MONDO_0005058",
    "NCIT_C3158",
    "DOID_1967",
    "MONDO_0040676",
    "NCIT_C4575",
    "MONDO_0002095",
    "DOID_175",
    "MONDO_0004208",
    "NCIT_C6745",
    "DOID_7390",
    "UBERON_0001361",
    "NCIT_C12716",
    "NCIT_C154771",
    "UBERON_0001072",
    "NCIT_C12815",
    "UBERON_0002048",
    "NCIT_C12468",
    "HP_0002625",
    "HP_0004936",
    "CHEBI_28748",
    "CHEBI_175901",
    "CHEBI_5864",
    "CHEBI_4672",
    "CHEBI_71219",
    "CHEBI_50249",
    "MAXO_0000178",
    "MAXO_0000014",
    "MAXO_0000448",
    "MAXO_0000646",
    "MAXO_0000137",
    "MAXO_0000571",
    "MAXO_0001259",
    "hgnc/130",
    "hgnc/2770",
    "hgnc/7107",
    "NCIT_C23020",
    "NCIT_C28078",
    "NCIT_C4798",
    "NCIT_C18206",
    "NCIT_C19151",
    "MONDO_0024880",
    "NCIT_C17747",
    "NCIT_C18058",
    "ECO_0000180",
    "ECO_0006016",
    "ECO_0006017",
    "ECO_0006018",
    "mesh/D002363",
    "mesh/D016449",
    "mesh/D064888",
    "SEPIO_0000143",
    "SEPIO_0000067",
    "SEPIO_0000069",
    "SEPIO_0000070",
    # from the second list, shared/reference/ontology-terms-more.md (Table A)
    "NCIT_C124450",
    "NCIT_C124453",
}
needs_java = pytest.mark.skipif(not java_available(), reason="HermiT needs Java; scripts/setup.sh installs it")


def _objects(quads: list[ox.Quad], predicate: str) -> list[ox.Quad]:
    return [q for q in quads if q.predicate.value == predicate]


def _iri(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def test_ontology_header() -> None:
    quads = read_ontology(PROJECT.ontology)
    header = {q.predicate.value: q.object for q in quads if _iri(q.subject) == "https://w3id.org/vskg/ontology"}
    assert header[RDF + "type"] == ox.NamedNode(OWL + "Ontology")
    for key in (DCTERMS + "title", DCTERMS + "description", DCTERMS + "license", OWL + "versionIRI"):
        assert key in header, key


def test_every_term_has_label_and_definition() -> None:
    quads = read_ontology(PROJECT.ontology)
    declared = {
        _iri(q.subject) for q in quads if q.predicate.value == RDF + "type" and _iri(q.subject).startswith(VSKG)
    }
    labelled = {_iri(q.subject) for q in _objects(quads, RDFS + "label")}
    defined = {_iri(q.subject) for q in _objects(quads, "http://www.w3.org/2004/02/skos/core#definition")}
    assert declared, "no terms found"
    assert declared - labelled == set()
    assert declared - defined == set()


SECOND_LIST = PROJECT.root.parent / "shared" / "reference" / "ontology-terms-more.md"


def second_list() -> tuple[set[str], set[str]]:
    """Codes of the second checked list: Table A (primary sources) and Table B (close matches at most)."""
    tables: list[set[str]] = [set(), set()]
    table = -1
    for line in SECOND_LIST.read_text(encoding="utf-8").splitlines():
        if line.startswith("## Table"):
            table += 1
        elif line.startswith("| ") and 0 <= table < 2:
            curie = line.split("|")[2].strip()
            if re.fullmatch(r"[A-Za-z]+:[A-Za-z0-9]+", curie):
                prefix, local = curie.split(":")
                tables[table].add(f"{prefix}_{local}")
    return tables[0], tables[1]


THIRD_TABLE = PROJECT.root / "docs" / "ontology.md"
WHERE_READ = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{7,40} \S+ (L\d+|chars \d+-\d+)")


def third_list() -> dict[str, str]:
    """Codes checked for the third sheet, each with where it was read (docs/ontology.md's table)."""
    found: dict[str, str] = {}
    inside = False
    for line in THIRD_TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line == "## Codes checked for the third sheet"
        elif inside and line.startswith("| ") and not line.startswith("| vskg term"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if re.fullmatch(r"[A-Za-z]+:[A-Za-z0-9]+", cells[1]):
                prefix, local = cells[1].split(":")
                found[f"{prefix}_{local}"] = cells[3]
    return found


def _code(iri: str) -> str:
    return re.sub(r"^.*/(obo/)?", "", iri) if "/obo/" in iri else "/".join(iri.rsplit("/", 2)[-2:])


@pytest.mark.skipif(
    not SECOND_LIST.exists(), reason=f"the second checked list is not beside the checkout ({SECOND_LIST})"
)
def test_alignments_use_only_checked_codes() -> None:
    quads = read_ontology(PROJECT.ontology)
    table_a, table_b = second_list()
    third = third_list()
    assert {"NCIT_C124450", "UBERON_0001363"} <= table_a and {"NCIT_C94796"} <= table_b
    assert {"UBERON_0002012", "HP_0002204", "MONDO_0016982"} <= set(third)
    external = [
        (q.predicate.value.rsplit("#", 1)[1], _code(_iri(q.object)))
        for q in quads
        if q.predicate.value.startswith("http://www.w3.org/2004/02/skos/core#") and q.predicate.value.endswith("Match")
    ]
    assert external
    for predicate, code in external:
        assert code in CHECKED | table_a | table_b | set(third), f"{code} is in no checked list"
        if code in table_b - table_a - CHECKED - set(third):
            assert predicate != "exactMatch", f"{code} is from a secondary source: closeMatch at most"


def test_codes_checked_for_the_third_sheet_say_where_they_were_read_and_are_used() -> None:
    """Each row of docs/ontology.md's third-sheet table names a repository, commit, file and place,
    and its code is aligned to by some term (a row left behind by a removed alignment fails)."""
    used = {
        _code(_iri(q.object))
        for q in read_ontology(PROJECT.ontology)
        if q.predicate.value.startswith("http://www.w3.org/2004/02/skos/core#") and q.predicate.value.endswith("Match")
    }
    third = third_list()
    assert len(third) > 30
    for code, where in third.items():
        assert WHERE_READ.match(where), f"{code}: where read is not 'owner/repo@commit path L.. or chars ..': {where}"
    assert set(third) - used == set()


def test_wrong_meanings_stay_out() -> None:
    """The IHC staining method is not a marker, grade 2 is not the grade property, and an
    observational study is broader than a case series."""
    quads = read_ontology(PROJECT.ontology)
    matches = {(_iri(q.subject).rsplit("#", 1)[-1], q.predicate.value.rsplit("#", 1)[-1], _code(_iri(q.object)))
               for q in quads if q.predicate.value.endswith("Match")}  # fmt: skip
    assert not {m for m in matches if m[2] in ("NCIT_C23020", "NCIT_C28078")}
    assert ("CaseSeries", "broadMatch", "SEPIO_0000070") in matches
    assert ("CaseSeries", "closeMatch", "SEPIO_0000070") not in matches


def test_vein_hierarchy() -> None:
    vocab = vocabulary(read_ontology(PROJECT.ontology))
    assert vocab.is_a("SuperficialFemoralVein", "FemoralVein")
    assert vocab.is_a("FemoralVein", "LowerLimbVein") and vocab.is_a("LowerLimbVein", "PeripheralVein")
    assert vocab.is_a("InferiorVenaCava", "CentralVein") and not vocab.is_a("InferiorVenaCava", "PeripheralVein")


def test_artery_hierarchy_and_histologies() -> None:
    vocab = vocabulary(read_ontology(PROJECT.ontology))
    assert vocab.is_a("PulmonaryTrunk", "PulmonaryArtery") and vocab.is_a("PulmonaryArtery", "Artery")
    assert vocab.is_a("DescendingThoracicAorta", "ThoracicAorta") and vocab.is_a("ThoracicAorta", "Aorta")
    assert vocab.is_a("CommonFemoralArtery", "FemoralArtery") and vocab.is_a("FemoralArtery", "PeripheralArtery")
    assert vocab.is_a("Artery", "BloodVessel") and not vocab.is_a("Artery", "Vein")
    assert not vocab.is_a("FemoralArtery", "Vein") and not vocab.is_a("FemoralVein", "Artery")
    assert vocab.is_a("SuperiorVenaCava", "CentralVein") and vocab.is_a("AzygosVein", "Vein")
    assert not vocab.is_a("AzygosVein", "CentralVein") and not vocab.is_a("AzygosVein", "PeripheralVein")
    assert set(vocab.members("HistologicType")) == {
        "Leiomyosarcoma",
        "IntimalSarcoma",
        "Angiosarcoma",
        "UndifferentiatedSarcoma",
        "SarcomaSubtypeNotStated",
    }


def test_every_site_has_one_parent() -> None:
    """Patients-per-site reads a site's parent as its `broader` row: a second parent would count
    its patients under two rows."""
    quads = read_ontology(PROJECT.ontology)
    vocab = vocabulary(quads)
    parents: dict[str, set[str]] = {}
    for q in quads:
        if q.predicate.value == RDFS + "subClassOf" and _iri(q.subject).startswith(VSKG):
            parents.setdefault(_iri(q.subject)[len(VSKG) :], set()).add(_iri(q.object))
    sites = [name for name in parents if vocab.is_a(name, "AnatomicalSite") and name != "AnatomicalSite"]
    assert "RenalArtery" in sites and "SuperiorVenaCava" in sites
    assert {name: p for name, p in parents.items() if name in sites and len(p) != 1} == {}


@needs_java
def test_hermit_finds_ontology_and_data_consistent_and_agrees_with_queries(graph: KnowledgeGraph) -> None:
    inferred = hermit_types(graph.quads())
    # The queries classify through rdf:type and the materialised rdfs:subClassOf closure; HermiT
    # must infer exactly those types for every individual, and exactly that closure for every class.
    closure = graph.sparql(
        "SELECT ?x ?c WHERE { { GRAPH ?g { ?x a ?t } "
        "FILTER(?g NOT IN (<https://w3id.org/vskg/graph/ontology>, <https://w3id.org/vskg/graph/inferred>)) "
        "?t rdfs:subClassOf ?c } UNION { ?x a owl:Class ; rdfs:subClassOf ?c } "
        "FILTER(STRSTARTS(STR(?c), STR(vskg:))) } ORDER BY ?x ?c"
    )
    expected: dict[str, set[str]] = {}
    for x, c in closure.rows:  # type: ignore[union-attr]
        expected.setdefault(x.value, set()).add(c.value[len(VSKG) :])  # type: ignore[union-attr]
    assert len(expected) > 100
    assert "https://w3id.org/vskg/ontology#FemoralVein" in expected
    for entity, classes in expected.items():
        assert inferred.get(entity) == classes, entity


@needs_java
def test_hermit_detects_an_inconsistency(graph: KnowledgeGraph) -> None:
    """Negative control: a node that is both a Case and a Cohort (disjoint classes) is caught."""
    bad = ox.Quad(
        ox.NamedNode("https://w3id.org/vskg/id/case/hong-2016-table-1"),
        ox.NamedNode(RDF + "type"),
        ox.NamedNode(VSKG + "Cohort"),
        ox.NamedNode("https://w3id.org/vskg/graph/test"),
    )
    with pytest.raises(ReasonerError, match="inconsistent"):
        hermit_types([*graph.quads(), bad])
