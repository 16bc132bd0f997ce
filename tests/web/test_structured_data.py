"""Linked-data consumers: the pages carry schema.org JSON-LD that parses, and the dump joins with
another dataset on DOI IRIs in one SPARQL query."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib

from kg import KnowledgeGraph
from kg.web.app import create_app
from tests.conftest import PROJECT
from tests.server_fixtures import app_settings

SCHEMA = rdflib.Namespace("https://schema.org/")


@pytest.fixture(scope="module")
def client(built_store: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    settings = app_settings(built_store)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def _jsonld(html: str) -> rdflib.Graph:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1, "one JSON-LD block per page"
    json.loads(found[0])  # plain JSON first: a syntax error should say so
    return rdflib.Graph().parse(data=found[0], format="json-ld", base="http://testserver/")


def test_landing_page_describes_the_dataset(client: Any) -> None:
    graph = _jsonld(client.get("/").text)
    dataset = rdflib.URIRef("http://testserver/")
    assert (dataset, rdflib.RDF.type, SCHEMA.Dataset) in graph
    assert graph.value(dataset, SCHEMA.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(graph.value(dataset, SCHEMA.version)) == "0.1.0"
    assert graph.value(dataset, SCHEMA.name) and graph.value(dataset, SCHEMA.description)
    assert graph.value(dataset, SCHEMA.creator) is not None
    downloads = {(str(graph.value(d, SCHEMA.name)), str(graph.value(d, SCHEMA.encodingFormat)))
                 for d in graph.objects(dataset, SCHEMA.distribution)}  # fmt: skip
    assert ("vskg.ttl", "text/turtle") in downloads and ("vskg.trig", "application/trig") in downloads
    cited = set(graph.objects(dataset, SCHEMA.citation))
    assert rdflib.URIRef("https://doi.org/10.1016/j.avsg.2006.07.007") in cited


def test_source_and_case_pages_describe_their_item(client: Any) -> None:
    source = _jsonld(client.get("/id/source/cephalic-2007").text)
    article = rdflib.URIRef("https://w3id.org/vskg/id/source/cephalic-2007")
    assert (article, rdflib.RDF.type, SCHEMA.ScholarlyArticle) in source
    assert (article, SCHEMA.sameAs, rdflib.URIRef("https://doi.org/10.1016/j.avsg.2006.07.007")) in source
    assert "Ting-Ying Fu" in str(source.value(article, SCHEMA.author))
    case = _jsonld(client.get("/id/case/aalaoui-2026-present-case").text)
    record = rdflib.URIRef("https://w3id.org/vskg/id/case/aalaoui-2026-present-case")
    assert (record, rdflib.RDF.type, SCHEMA.Dataset) in case
    based = case.value(record, SCHEMA.isBasedOn)
    assert based == rdflib.URIRef("https://w3id.org/vskg/id/source/aalaoui-2026")
    cohort = _jsonld(client.get("/id/cohort/kevorkian-1973-table-1").text)
    assert (None, SCHEMA.additionalType, rdflib.URIRef("https://w3id.org/vskg/ontology#Cohort")) in cohort


def test_a_consumer_joins_the_dump_with_another_dataset_on_doi_iris(graph: KnowledgeGraph, tmp_path: Path) -> None:
    dump = graph.export(tmp_path, formats=["ttl"])[0]
    consumer = rdflib.Graph()
    consumer.parse(dump, format="turtle")
    # someone else's data, keyed by DOI IRIs only: citation counts
    consumer.parse(data="""
        @prefix ex: <https://example.org/metrics#> .
        <https://doi.org/10.1016/j.avsg.2006.07.007> ex:citedByCount 12 .
        <https://doi.org/10.23937/2643-4563/1710045> ex:citedByCount 3 .
        <https://doi.org/10.9999/not-in-vskg> ex:citedByCount 99 .
    """, format="turtle")  # fmt: skip
    rows = consumer.query("""
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX bibo: <http://purl.org/ontology/bibo/>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX ex: <https://example.org/metrics#>
        SELECT ?doi ?title ?cited WHERE {
          ?work owl:sameAs ?doi ; bibo:doi ?doi_text ; dcterms:title ?title .
          ?doi ex:citedByCount ?cited .
        } ORDER BY ?doi
    """)
    found = [(str(r[0]), int(str(r[2]))) for r in rows]  # type: ignore[index]
    assert found == [
        ("https://doi.org/10.1016/j.avsg.2006.07.007", 12),
        ("https://doi.org/10.23937/2643-4563/1710045", 3),
    ]


def test_every_doi_and_pmid_is_an_iri_and_a_bibo_literal(graph: KnowledgeGraph) -> None:
    missing = graph.sparql("""
        PREFIX bibo: <http://purl.org/ontology/bibo/>
        SELECT ?s WHERE {
          { ?s vskg:doi ?d . FILTER NOT EXISTS { ?s bibo:doi ?d ; owl:sameAs ?iri } }
          UNION { ?s vskg:pmid ?p . FILTER NOT EXISTS { ?s bibo:pmid ?p ; rdfs:seeAlso ?page } }
        }""")
    assert not isinstance(missing, bool | list) and len(missing) == 0
    dois = graph.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s vskg:doi ?d }")
    assert not isinstance(dois, bool | list) and int(str(dois.records()[0]["n"])) > 10


def test_every_bibliographic_property_is_a_standard_one_or_below_one() -> None:
    onto = rdflib.Graph().parse(PROJECT.ontology / "vskg.ttl", format="turtle")
    vskg = rdflib.Namespace("https://w3id.org/vskg/ontology#")
    standard = (
        "http://purl.org/dc/",
        "http://purl.org/ontology/bibo/",
        "http://prismstandard.org/",
        "https://schema.org/",
    )
    for name in ("title", "authorsAsPrinted", "publicationYear", "container", "volume", "issue", "pages", "edition",
                 "doi", "pmid", "pmcid", "url"):  # fmt: skip
        parents = [str(p) for p in onto.objects(vskg[name], rdflib.RDFS.subPropertyOf)]
        assert parents and all(p.startswith(standard) for p in parents), name
