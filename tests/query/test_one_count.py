"""One question, one count: how many patients at a site (and below it) is the same figure in
patients-per-site, groups-at-site, stats-by-site, the browse facets (offered and chosen), raw SPARQL
and the Python API - each patient once, a series split by site at its sub-groups' sites."""

from __future__ import annotations

import pytest

from kg import KnowledgeGraph
from kg.store.results import QueryResult
from kg.web.browse import BY_NAME, facet_query, groups_query

VSKG = "https://w3id.org/vskg/ontology#"


def _select(graph: KnowledgeGraph, text: str) -> QueryResult:
    result = graph.sparql(text)
    assert isinstance(result, QueryResult)
    return result


def _below(graph: KnowledgeGraph, site: str) -> set[str]:
    result = _select(graph, f"SELECT ?c WHERE {{ ?c rdfs:subClassOf vskg:{site} }}")
    return {str(c) for c in result.column("c")}


@pytest.mark.parametrize(("site", "at_least"), [("InferiorVenaCava", 200), ("FemoralVein", 20), ("RenalVein", 3)])
def test_every_view_counts_the_same_patients_at_a_site(graph: KnowledgeGraph, site: str, at_least: int) -> None:
    below = _below(graph, site)
    per_site = [r for r in graph.query("patients-per-site").records() if r["site"] is not None]
    by_site = sum(int(str(r["patients"])) for r in per_site if str(r["site"]) in below)
    frame = graph.query("patients-per-site").to_pandas()
    api = int(frame[frame["site"].isin(below)]["patients"].sum())

    groups = graph.query("groups-at-site", site=f"vskg:{site}").records()
    at_site = sum(int(str(r["counted_here"])) for r in groups)

    raw = _select(
        graph,
        "SELECT (SUM(?n) AS ?patients) WHERE { ?g vskg:countedPatients ?n ; "
        f"vskg:hasTumour/vskg:primarySite/a/rdfs:subClassOf vskg:{site} }}",
    )
    sparql = int(str(raw.rows[0][0].value))  # type: ignore[union-attr]

    labels = {str(c) for c in _select(
        graph, f"SELECT ?l WHERE {{ ?c rdfs:subClassOf vskg:{site} ; rdfs:label ?l }}").column("l")}  # fmt: skip
    stats = sum(int(str(r["patients"])) for r in graph.query("stats-by-site").records() if r["site_label"] in labels)

    chosen = _select(graph, groups_query({"site": site}))
    at = chosen.variables.index("patients")
    browse_chosen = sum(int(str(getattr(row[at], "value", 0))) for row in chosen.rows)
    offered = {str(r["value"]): r for r in _select(graph, facet_query(BY_NAME["site"], {})).records()}[VSKG + site]

    assert by_site >= at_least
    assert by_site == api == at_site == sparql == stats == browse_chosen == int(str(offered["patients"]))
    # the facet offers as many groups as choosing it lists
    assert int(str(offered["groups"])) == len(chosen.rows)


def test_a_split_series_is_listed_by_its_sub_groups_in_the_browser(graph: KnowledgeGraph) -> None:
    chosen = _select(graph, groups_query({"site": "InferiorVenaCava"}))
    groups = {str(row[chosen.variables.index("group")].value).rsplit("/", 1)[1] for row in chosen.rows}  # type: ignore[union-attr]
    assert "sheaffer-2019-scvs-ivc" in groups and "sheaffer-2019-scvs-series" not in groups
    # a fact stated of the series holds for its sub-groups: Sheaffer's series is resected
    treated = _select(graph, groups_query({"site": "InferiorVenaCava", "treatment": "SurgicalResection"}))
    assert any(str(row[0].value).endswith("/sheaffer-2019-scvs-ivc") for row in treated.rows)  # type: ignore[union-attr]


def test_groups_at_site_says_which_rows_enter_the_count(graph: KnowledgeGraph) -> None:
    query = graph.query("groups-at-site", site="vskg:InferiorVenaCava").records()
    rows = {str(r["group"]).rsplit("/", 1)[1]: r for r in query}
    series = rows["sheaffer-2019-scvs-series"]
    assert series["coverage"] == "some patients" and int(str(series["counted_here"])) == 0
    part = rows["sheaffer-2019-scvs-ivc"]
    assert str(part["part_of"]).endswith("/sheaffer-2019-scvs-series") and int(str(part["counted_here"])) == 54
