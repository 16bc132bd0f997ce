"""A source's bibliographic facts in the vocabularies linked-data consumers query (Dublin Core,
BIBO), beside the vskg properties (which are declared sub-properties of them), with each DOI, PMID
and PMCID also as an IRI, so that a join with another dataset on DOI IRIs works."""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox

from kg.iris import BIBO, DCTERMS, OWL, RDF, RDFS, XSD
from kg.records.model import SourceRecord

_DOI_SAFE = "/:;()._-~!$&'*+,=@[]"  # kept as they are in a DOI IRI; anything else is percent-encoded


def standard_bibliography(rec: SourceRecord) -> list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]]:
    bib = rec.citation
    kind = "Book" if rec.study_design == "ReferenceBook" else "AcademicArticle"
    facts: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (ox.NamedNode(RDF + "type"), ox.NamedNode(BIBO + kind)),
        (ox.NamedNode(DCTERMS + "bibliographicCitation"), ox.Literal(citation_text(rec))),
    ]
    if bib.title:
        facts.append((ox.NamedNode(DCTERMS + "title"), ox.Literal(bib.title)))
    if bib.year is not None:
        facts.append(
            (ox.NamedNode(DCTERMS + "issued"), ox.Literal(str(bib.year), datatype=ox.NamedNode(XSD + "gYear")))
        )
    if bib.doi:
        facts.append((ox.NamedNode(BIBO + "doi"), ox.Literal(bib.doi)))
        facts.append((ox.NamedNode(OWL + "sameAs"), ox.NamedNode("https://doi.org/" + quote(bib.doi, safe=_DOI_SAFE))))
    if bib.pmid:
        facts.append((ox.NamedNode(BIBO + "pmid"), ox.Literal(bib.pmid)))
        facts.append((ox.NamedNode(RDFS + "seeAlso"), ox.NamedNode(f"https://pubmed.ncbi.nlm.nih.gov/{bib.pmid}/")))
    if bib.pmcid:
        pmc = f"https://www.ncbi.nlm.nih.gov/pmc/articles/{bib.pmcid}/"
        facts.append((ox.NamedNode(RDFS + "seeAlso"), ox.NamedNode(pmc)))
    return facts


def citation_text(rec: SourceRecord) -> str:
    """'Authors. Title. Journal. Year;Volume(Issue):Pages. doi:...' from what the record gives."""
    bib = rec.citation
    where = str(bib.year or "")
    where += (f";{bib.volume}" if bib.volume else "") + (f"({bib.issue})" if bib.issue else "")
    where += f":{bib.pages}" if bib.pages else ""
    parts = [bib.authors, bib.title, bib.container, where, f"doi:{bib.doi}" if bib.doi else None]
    return " ".join(p.rstrip(".") + "." for p in parts if p) or rec.label
