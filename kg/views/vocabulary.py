"""The vocabulary for query writers: every vskg class, property and named value with its label,
definition, place in the hierarchy, domain, range and an example query, generated from the
ontology's triples - as Markdown (`docs/vocabulary.md`, `vskg vocabulary`) and as the server's
`/vocabulary` page."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pyoxigraph as ox

from kg.iris import OWL, PRINTED_PREFIXES, RDF, RDFS, SKOS, VSKG, compact

KINDS = (
    ("class", OWL + "Class", "Classes"),
    ("object property", OWL + "ObjectProperty", "Object properties"),
    ("datatype property", OWL + "DatatypeProperty", "Datatype properties"),
    ("annotation property", OWL + "AnnotationProperty", "Annotation properties"),
    ("value", OWL + "NamedIndividual", "Named values"),
)

# the statements the page is made of (a server asks for these only)
DESCRIBED_BY = (
    RDF + "type",
    RDFS + "label",
    SKOS + "definition",
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
    RDFS + "domain",
    RDFS + "range",
)

# Questions most queries start from, each run by the tests on the corpus (and required to answer).
PATHS = (
    (
        "Patient groups at a site (or below it), with how many patients each stands for; a sub-group is "
        "counted in its whole",
        "SELECT ?group ?patients WHERE {\n"
        "  ?group vskg:hasTumour/vskg:primarySite/a/rdfs:subClassOf vskg:InferiorVenaCava ;\n"
        "         vskg:patientCount ?patients .\n"
        "  MINUS { ?group vskg:partOf ?whole }\n"
        "} ORDER BY ?group",
    ),
    (
        "One case's events in timeline order, with the source and the place in it",
        "SELECT ?position ?event ?kind ?locator WHERE {\n"
        "  case:hong-2016-table-1 vskg:hasEvent ?event .\n"
        "  ?event a ?kind ; vskg:timelinePosition ?position ; vskg:locator ?locator .\n"
        "} ORDER BY ?position",
    ),
    (
        "Cases with their age and the source that reports them",
        "SELECT ?case ?age ?source WHERE {\n"
        "  ?case a vskg:Case ; vskg:ageYears ?age ; vskg:reportedIn ?source .\n"
        "} ORDER BY ?source ?case",
    ),
)


@dataclass(frozen=True)
class Term:
    name: str  # local name in the vskg namespace
    kind: str
    label: str
    definition: str
    parents: tuple[str, ...]  # superclasses, super-properties, or a value's classes
    domain: tuple[str, ...]
    range: tuple[str, ...]
    example: str


def _text(term: object) -> str:
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else str(term)


def terms(triples: Iterable[Sequence[object]]) -> list[Term]:
    """The vskg terms described by these ontology triples, by kind and then name."""
    facts: dict[str, dict[str, list[str]]] = {}
    for s, p, o in triples:
        if isinstance(s, ox.NamedNode) and s.value.startswith(VSKG) and len(s.value) > len(VSKG):
            facts.setdefault(s.value, {}).setdefault(_text(p), []).append(_text(o))
    out = []
    for order, (kind, type_iri, _) in enumerate(KINDS):
        for iri, said in sorted(facts.items()):
            types = said.get(RDF + "type", [])
            if type_iri not in types or any(KINDS[i][1] in types for i in range(order)):
                continue
            name = iri[len(VSKG) :]
            parents = said.get(RDFS + ("subPropertyOf" if "property" in kind else "subClassOf"), [])
            if kind == "value":
                parents = [t for t in types if t.startswith(VSKG)]
            out.append(
                Term(
                    name=name,
                    kind=kind,
                    label=min(said.get(RDFS + "label", [""])),
                    definition=min(said.get(SKOS + "definition", [""])),
                    parents=tuple(sorted(compact(x) for x in parents if x != iri)),
                    domain=tuple(sorted(compact(x) for x in said.get(RDFS + "domain", []))),
                    range=tuple(sorted(compact(x) for x in said.get(RDFS + "range", []))),
                    example="",
                )
            )
    ancestors = _ancestors([t for t in out if t.kind == "class"])
    return [_with_example(t, ancestors.get(t.name, set())) for t in out]


def _ancestors(classes: list[Term]) -> dict[str, set[str]]:
    parents = {t.name: {p.removeprefix("vskg:") for p in t.parents if p.startswith("vskg:")} for t in classes}
    found: dict[str, set[str]] = {}

    def climb(name: str, seen: frozenset[str]) -> set[str]:
        if name not in found:
            above = {name}
            for p in parents.get(name, set()) - seen:
                above |= climb(p, seen | {name})
            found[name] = above
        return found[name]

    for name in parents:
        climb(name, frozenset())
    return found


def _with_example(t: Term, above: set[str]) -> Term:
    me = f"vskg:{t.name}"
    if t.kind == "class" and "BloodVessel" in above:
        query = (
            f"SELECT ?group WHERE {{ ?group vskg:hasTumour/vskg:primarySite/a/rdfs:subClassOf {me} }} ORDER BY ?group"
        )
    elif t.kind == "class" and "AnatomicalSite" in above:  # metastases and presenting signs: events' sites
        query = (
            "SELECT ?group ?event WHERE { ?group vskg:hasEvent ?event . "
            f"?event vskg:eventSite/a/rdfs:subClassOf {me} }} ORDER BY ?group ?event"
        )
    elif t.kind == "class" and "ClinicalEvent" in above:
        query = (
            f"SELECT ?group ?event WHERE {{ ?group vskg:hasEvent ?event . ?event a/rdfs:subClassOf {me} }} "
            "ORDER BY ?group ?event"
        )
    elif t.kind == "class":
        query = f"SELECT ?x WHERE {{ ?x a/rdfs:subClassOf {me} }} ORDER BY ?x"
    elif t.kind == "value":
        query = f"SELECT ?x ?property WHERE {{ ?x ?property {me} }} ORDER BY ?x ?property"
    else:
        query = f"SELECT ?x ?value WHERE {{ ?x {me} ?value }} ORDER BY ?x ?value"
    return Term(t.name, t.kind, t.label, t.definition, t.parents, t.domain, t.range, query + " LIMIT 10")


INTRO = (
    "Every term of the vskg ontology a query can use, generated from `ontology/vskg.ttl`. The prefixes "
    "below are predeclared by `vskg query --sparql`, `KnowledgeGraph.sparql` and the server's `/sparql`; "
    "the data prefixes (`case:`, `cohort:`, `source:`, `event:` ...) hold the part of a data IRI after its "
    "kind, so `case:hong-2016-table-1` is `<https://w3id.org/vskg/id/case/hong-2016-table-1>`, and query "
    "output prints IRIs in that form. The build writes the subclass closure, so `a/rdfs:subClassOf vskg:Vein` "
    "reaches every vein below it in one step. `vskg describe case:hong-2016-table-1` prints a resource with "
    "the events, tumour and sites it owns."
)


def markdown(all_terms: list[Term]) -> str:
    """docs/vocabulary.md."""
    out = ["# Vocabulary for query writers", "", "<!-- generated by `vskg vocabulary`; do not edit -->", ""]
    out += [INTRO, "", "| prefix | namespace |", "|---|---|"]
    out += [f"| `{p}:` | `<{ns}>` |" for p, ns in PRINTED_PREFIXES.items()]
    out += ["", "## Paths most questions take", ""]
    for question, query in PATHS:
        out += [f"{question}:", "", "```sparql", query, "```", ""]
    for kind, _, heading in KINDS:
        chosen = [t for t in all_terms if t.kind == kind]
        if not chosen:
            continue
        out += [f"## {heading} ({len(chosen)})", ""]
        out += ["| term | label | definition | " + _relation_heads(kind) + " | example query |"]
        out += ["|---|---|---|---|---|" + ("---|" if "property" in kind else "")]
        for t in chosen:
            cells = [f'<a id="{t.name}"></a>`vskg:{t.name}`', t.label, t.definition, *_relations(t), f"`{t.example}`"]
            out.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
        out.append("")
    return "\n".join(out)


def _relation_heads(kind: str) -> str:
    if "property" in kind:
        return "domain | range"
    return "value of" if kind == "value" else "subclass of"


def _relations(t: Term) -> list[str]:
    joined = [", ".join(f"`{x}`" for x in xs) for xs in (t.domain, t.range)]
    return joined if "property" in t.kind else [", ".join(f"`{x}`" for x in t.parents)]


def html_body(all_terms: list[Term]) -> str:
    """The body of the /vocabulary page: the same content, each term an anchor."""

    def term_link(curie: str) -> str:
        if curie.startswith("vskg:"):
            return f'<a href="#{escape(curie[5:])}"><code>{escape(curie)}</code></a>'
        return f"<code>{escape(curie)}</code>"

    parts = ["<h1>Vocabulary for query writers</h1>", f'<p class="muted">{_inline_code(INTRO)}</p>']
    prefixes = "".join(f"<tr><td><code>{escape(p)}:</code></td><td><code>&lt;{escape(ns)}&gt;</code></td></tr>"
                       for p, ns in PRINTED_PREFIXES.items())  # fmt: skip
    parts.append(
        '<table id="prefixes"><thead><tr><th>prefix</th><th>namespace</th></tr></thead>'
        f"<tbody>{prefixes}</tbody></table>"
    )
    parts.append("<h2>Paths most questions take</h2>")
    for question, query in PATHS:
        parts.append(f"<p>{escape(question)}:</p><pre><code>{escape(query)}</code></pre>")
    for kind, _, heading in KINDS:
        chosen = [t for t in all_terms if t.kind == kind]
        if not chosen:
            continue
        heads = "".join(
            f"<th>{h}</th>"
            for h in ["term", "label", "definition", *_relation_heads(kind).split(" | "), "example query"]
        )
        rows = []
        for t in chosen:
            related = [t.domain, t.range] if "property" in kind else [t.parents]
            cells = [f"<code>vskg:{escape(t.name)}</code>", escape(t.label), escape(t.definition)]
            cells += [", ".join(term_link(x) for x in xs) for xs in related]
            cells.append(f"<code>{escape(t.example)}</code>")
            rows.append(f'<tr id="{escape(t.name)}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append(
            f"<h2>{heading} ({len(chosen)})</h2><table><thead><tr>{heads}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    return "".join(parts)


def _inline_code(text: str) -> str:
    pieces = escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(pieces))


def vocabulary_markdown(ontology_dir: Path) -> str:
    """docs/vocabulary.md from the ontology file."""
    from kg.records.vocabulary import read_ontology

    return markdown(terms((q.subject, q.predicate, q.object) for q in read_ontology(ontology_dir))) + "\n"
