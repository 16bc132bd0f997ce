"""Maps typed records to quads: one named graph per source, deterministic IRIs, provenance."""

from __future__ import annotations

from collections import ChainMap

import pyoxigraph as ox

from kg.build.bibliography import standard_bibliography
from kg.build.labels import event_label, group_label
from kg.build.terms import Iri, Quads, data, iri, v
from kg.iris import OBO, PROV, RDF, RDFS, graph_iri
from kg.records.model import Event, Group, Mapping, Site, SourceRecord, TableRow
from kg.records.order import group_order
from kg.records.vocabulary import Vocabulary

TYPE = iri(RDF + "type")
LABEL = iri(RDFS + "label")
DERIVED = iri(PROV + "wasDerivedFrom")
EXPOSURE = {"all": "AllPatients", "some": "SomePatients", "none": "NoPatients"}
BASIS = {"number": "ByNumber", "content": "ByContent"}


class _Graph(Quads):
    """Collects the quads of one source graph."""

    def __init__(self, source_id: str, vocab: Vocabulary, *, reference: bool = False) -> None:
        super().__init__(graph_iri(source_id), reference=reference)
        self.vocab = vocab
        self.source = data("source", source_id)

    def label(self, term_name: str) -> str:
        return self.vocab.labels.get(term_name, term_name)

    def node(self, kind: str, slug: str, cls: str, locator: str | None = None) -> Iri:
        n = data(kind, slug)
        self.add(n, TYPE, v(cls))
        if locator is not None:
            self.add(n, "locator", locator)
            self.add(n, DERIVED, self.source)
        return n


READING_LIMITS = {
    "mirror page": "MirrorPage",
    "partial text": "PartialText",
    "machine translation": "MachineTranslation",
    "secondary listing": "SecondaryListing",
}


def source_quads(rec: SourceRecord, vocab: Vocabulary, group_kinds: dict[str, str] | None = None) -> list[ox.Quad]:
    """All quads of one source's named graph; `group_kinds` gives the kind of groups linked from other files."""
    return list(ox.parse(source_nquads(rec, vocab, group_kinds), ox.RdfFormat.N_QUADS))


def source_nquads(
    rec: SourceRecord, vocab: Vocabulary, group_kinds: dict[str, str] | None = None, *, reference: bool = False
) -> str:
    """source_quads as N-Quads text; `reference` makes every term with pyoxigraph (see kg.build.terms)."""
    g = _Graph(rec.id, vocab, reference=reference)
    # looked up in place: merging the corpus's kinds into a new dict per record made mapping grow
    # with records x groups (a third of a worker's mapping time at 1M triples)
    kinds: ChainMap[str, str] = ChainMap(group_kinds or {}, {grp.id: grp.kind for grp in rec.groups})
    src = g.source
    bib = rec.citation
    g.add(src, TYPE, v("Source"))
    g.add(src, LABEL, rec.label)
    g.add(src, "displayLabel", rec.label)
    g.add(src, "title", bib.title)
    g.add(src, "authorsAsPrinted", bib.authors)
    g.add(src, "publicationYear", bib.year)
    for field in ("container", "volume", "issue", "pages", "edition", "doi", "pmid", "pmcid", "url"):
        g.add(src, field, getattr(bib, field))
    g.add(src, "locator", bib.locator)
    for predicate, value in standard_bibliography(rec):
        g.add(src, predicate, value)
    for i, sup in enumerate(bib.supplements, start=1):
        node = g.node("citation-supplement", f"{rec.id}-{i}", "CitationSupplement", sup.locator)
        g.add(node, LABEL, f"{', '.join(sup.fields)} of {rec.label}, read on {sup.locator}")
        g.add(node, "supplements", src)
        for name in sup.fields:
            g.add(node, "suppliedField", name)
        g.add(node, "evidenceQuote", sup.quote)
        g.add(node, "confidence", sup.confidence)
        g.add(node, "curatorNote", sup.note)
    for i, limit in enumerate(rec.reading_limits, start=1):
        node = g.node("reading-limit", f"{rec.id}-{i}", "ReadingLimit", bib.locator)
        g.add(node, LABEL, f"{limit.kind} ({rec.label}): {limit.note}")
        g.add(node, "readingLimitKind", v(READING_LIMITS[limit.kind]))
        g.add(node, "curatorNote", limit.note)
        g.add(src, "hasReadingLimit", node)
    g.add(src, DERIVED, data("source", bib.taken_from or rec.id))
    g.add(src, "curatorNote", rec.note)
    g.add(src, "synthetic", True if rec.synthetic else None)
    if rec.study_design:
        g.add(src, "studyDesign", v(rec.study_design))
    level = rec.evidence_level or vocab.default_levels.get(rec.study_design or "")
    if level:
        g.add(src, "evidenceLevel", v(level))

    for ref in rec.references:
        entry = g.node("reference-entry", f"{rec.id}-{ref.number}", "ReferenceEntry")
        g.add(entry, LABEL, f"{rec.label}, reference {ref.number}")
        g.add(entry, "entryNumber", ref.number)
        g.add(entry, "refersTo", data("source", ref.work))
        g.add(src, "hasReferenceEntry", entry)

    for cit in rec.citations:
        node = g.node("citation", f"{rec.id}-{cit.id}", "InTextCitation", cit.locator)
        numbers = ",".join(str(n) for n in cit.numbers)
        g.add(node, LABEL, f"[{numbers}] in {cit.locator}")
        g.add(node, "citedIn", src)
        g.add(node, "resolutionBasis", v(BASIS[cit.basis]))
        g.add(node, "curatorNote", cit.note)
        for n in cit.numbers:
            g.add(node, "numberPrinted", n)
        for w in cit.works:
            g.add(node, "citedWork", data("source", w))

    for row in rec.table_rows:
        _table_row(g, rec, row)
    for group in rec.groups:
        _group(g, rec, group, kinds)
    for claim in rec.claims:
        node = g.node("claim", f"{rec.id}-{claim.id}", "EvidenceClaim", claim.locator)
        g.add(node, LABEL, claim.statement)
        g.add(node, "statement", claim.statement)
        g.add(node, "claimTopic", v(claim.topic))
        g.add(node, "therapyLine", claim.line)
        for agent in claim.agents:
            g.add(node, "aboutAgent", v(agent))
        works: list[str] = list(claim.supported_by)
        for cid in claim.citations:
            g.add(node, "hasCitation", data("citation", f"{rec.id}-{cid}"))
            if not claim.supported_by:
                works += [w for c in rec.citations if c.id == cid for w in c.works]
        for w in sorted(set(works)):
            g.add(node, "supportedBy", data("source", w))
        if claim.evidence_code:
            g.add(node, "evidenceCode", iri(OBO + claim.evidence_code.replace(":", "_")))
    return g.text()


def _table_row(g: _Graph, rec: SourceRecord, row: TableRow) -> None:
    table_slug = row.table.lower().replace(" ", "-")
    locator = f"{row.table}, row {row.row}"
    node = g.node("citation", f"{rec.id}-{table_slug}-row-{row.row}", "TableRow", locator)
    g.add(node, LABEL, f"{row.table}, row {row.row}: {row.author_year}")
    g.add(node, "citedIn", g.source)
    g.add(node, "rowNumber", row.row)
    g.add(node, "authorYearAsPrinted", row.author_year)
    g.add(node, "numberPrinted", row.number_printed)
    g.add(node, "citedWork", data("source", row.work))
    g.add(node, "resolutionBasis", v("ByAuthorYear"))
    g.add(node, "summarises", _group_iri(rec, row.group))
    for prop, value in (
        ("siteAsPrinted", row.location),
        ("patientsAsPrinted", row.patients),
        ("presentationAsPrinted", row.presentation),
        ("treatmentAsPrinted", row.treatment),
        ("outcomeAsPrinted", row.outcome),
    ):
        g.add(node, prop, value)


def _group_iri(rec: SourceRecord, group_id: str) -> Iri:
    kind = next((grp.kind for grp in rec.groups if grp.id == group_id), "case")
    return data(kind, group_id)


def _site(g: _Graph, slug: str, site: Site, cls: str | None = None) -> Iri:
    node = g.node("site", slug, cls or site.term)
    if cls is None:
        side = f"{g.label(site.laterality)} " if site.laterality else ""
        g.add(node, LABEL, site.as_printed or side + g.label(site.term))
        g.add(node, "laterality", v(site.laterality) if site.laterality else None)
        if site.branch_of:
            g.add(node, "branchOf", _site(g, f"{slug}-branch-of", site, site.branch_of))
        _mapping(g, node, site.mapping)
    else:
        g.add(node, LABEL, g.label(cls))
    return node


def _mapping(g: _Graph, node: Iri, mapping: Mapping | None) -> None:
    """An approximate term keeps the source's words and says how they relate (absent: exact)."""
    if mapping is not None:
        g.add(node, "mappingStrength", v(mapping.strength.capitalize() + "Mapping"))
        g.add(node, "phraseAsPrinted", mapping.phrase)


def _group(g: _Graph, rec: SourceRecord, grp: Group, groups_kind: ChainMap[str, str]) -> None:
    cls = "Case" if grp.kind == "case" else "LiteratureReviewCohort" if grp.literature_review else "Cohort"
    node = g.node(grp.kind, grp.id, cls, grp.locator)
    if cls == "LiteratureReviewCohort":  # asserted too, so that every query's `a vskg:Cohort` sees it
        g.add(node, TYPE, v("Cohort"))
    reported = grp.reported_in or rec.id
    g.add(node, LABEL, group_label(rec, grp, g.label))
    g.add(node, "reportedIn", data("source", reported))
    g.add(node, "patientCount", grp.n_patients or 1)
    held = sum(sub.n_patients or 1 for sub in rec.groups if sub.part_of == grp.id)
    g.add(node, "countedPatients", max((grp.n_patients or 1) - held, 0))
    g.add(node, "ageYears", grp.age)
    g.add(node, "sex", v(grp.sex) if grp.sex else None)
    g.add(node, "curatorNote", grp.note)
    if grp.part_of:
        g.add(node, "partOf", data("cohort", grp.part_of))
    g.add(node, "institution", grp.institution)
    if grp.period is not None:
        g.add(node, "periodStart", grp.period.start)
        g.add(node, "periodEnd", grp.period.end)
    g.add(node, "followUpMonths", float(grp.follow_up_months) if grp.follow_up_months is not None else None)
    g.add(node, "followUpMeasure", v(grp.follow_up_measure.capitalize()) if grp.follow_up_measure else None)
    for link in grp.links:
        pair = sorted((grp.id, link.group))
        cls = "OverlapFlag" if link.kind == "overlap" else "Identity"
        other = data(groups_kind.get(link.group, "cohort"), link.group)
        ln = g.node("group-link", f"{pair[0]}--{pair[1]}", cls, link.locator)
        g.add(ln, LABEL, f"{g.label(cls)}: {pair[0]} and {pair[1]}")
        g.add(ln, "links", node)
        g.add(ln, "links", other)
        g.add(ln, "curatorNote", link.basis)
        g.add(node, "possibleOverlap" if link.kind == "overlap" else "sameGroupAs", other)
    for i, caveat in enumerate(grp.caveats, start=1):
        doubt = g.node("caveat", f"{grp.id}-{i}", "CuratorCaveat", caveat.locator)
        g.add(doubt, LABEL, f"caveat on {grp.id}: {caveat.note}")
        g.add(doubt, "caveatAbout", v(caveat.about.capitalize() + "Doubt"))
        g.add(doubt, "curatorNote", caveat.note)
        g.add(node, "hasCaveat", doubt)
    for h in grp.history:
        hist = g.node("history", f"{grp.id}-{h.term.lower()}", h.term, h.locator)
        g.add(hist, LABEL, g.label(h.term))
        g.add(hist, "curatorNote", h.note)
        _mapping(g, hist, h.mapping)
        g.add(node, "hasHistory", hist)
    if grp.tumour is not None:
        t = grp.tumour
        tum = g.node("tumour", grp.id, "Tumour", t.locator)
        g.add(tum, LABEL, f"primary tumour: {group_label(rec, grp, g.label)}")
        g.add(node, "hasTumour", tum)
        g.add(tum, "histology", v(t.histology) if t.histology else None)
        g.add(tum, "histologyAsPrinted", t.histology_as_printed)
        _mapping(g, tum, t.histology_mapping)  # a tumour's own mapping is its histology's (a site has its own)
        g.add(tum, "siteAsPrinted", t.site.as_printed)
        g.add(tum, "primarySite", _site(g, f"{grp.id}-primary", t.site))
        for inc in t.site.includes:
            g.add(tum, "partlyAtSite", _site(g, f"{grp.id}-partly-{inc.lower()}", t.site, inc))
        g.add(tum, "growthPattern", v(t.growth) if t.growth else None)
        if t.grade is not None:
            g.add(tum, "gradeValue", t.grade.value)
            g.add(tum, "gradingSystem", v(t.grade.system) if t.grade.system else None)
            g.add(tum, "gradeCategory", v(t.grade.category) if t.grade.category else None)
            g.add(tum, "gradeAsPrinted", t.grade.as_printed)
        g.add(tum, "sizeCm", float(t.size_cm) if t.size_cm is not None else None)
        g.add(tum, "sizeAsPrinted", t.size_as_printed)
        if t.ki67_percent is not None:
            g.add(tum, "proliferationIndexPercent", float(t.ki67_percent.value))
            g.add(tum, "approximate", t.ki67_percent.approximate or None)
        g.add(tum, "curatorNote", t.note)
        for m in t.markers:
            res = g.node("marker-result", f"{grp.id}-{m.marker.lower()}", "MarkerResult")
            g.add(res, LABEL, f"{g.label(m.marker)} {m.result.lower()}")
            g.add(res, "marker", v(m.marker))
            g.add(res, "stainResult", v(m.result))
            g.add(res, "curatorNote", m.extent)
            g.add(tum, "hasMarkerResult", res)
    order = group_order(grp, g.vocab)
    for seq, ev in enumerate(grp.events, start=1):
        _event(g, grp, ev, seq, node, order.settings.get(ev.id))
        g.add(_event_iri(grp, ev.id), "timelinePosition", order.positions[ev.id])
    # the stated order, materialised as a closure so that queries need no transitive paths
    for before, after in sorted(order.precedes):
        g.add(_event_iri(grp, before), "precedes", _event_iri(grp, after))
    summary = grp.kind == "cohort" or any(row.group == grp.id for row in rec.table_rows)
    for basis in sorted(order.bases):
        # an unordered review row or series summary says so; an unordered case report says less
        g.add(node, "orderBasis", v("SummaryWithoutOrder" if basis == "NoOrderStated" and summary else basis))
    g.add(node, "indexEvent", _event_iri(grp, order.index_event) if order.index_event else None)


def _event_iri(grp: Group, event_id: str) -> Iri:
    return data("event", f"{grp.id}-{event_id}")


def _event(g: _Graph, grp: Group, ev: Event, seq: int, group_node: Iri, setting: tuple[str, str | None] | None) -> None:
    node = g.node("event", f"{grp.id}-{ev.id}", ev.term, ev.locator)
    g.add(node, LABEL, event_label(ev, g.label))
    g.add(group_node, "hasEvent", node)
    g.add(node, "sequence", seq)
    g.add(node, "exposure", v(EXPOSURE[ev.exposure]))
    if ev.site is not None:
        g.add(node, "eventSite", _site(g, f"{grp.id}-{ev.id}", ev.site))
        g.add(node, "siteAsPrinted", ev.site.as_printed)
    if ev.at is not None:
        g.add(node, "months", float(ev.at.months))
        g.add(node, "timeReference", _event_iri(grp, ev.at.after))
    for f in ev.follows:
        g.add(node, "follows", _event_iri(grp, f))
    for r in ev.reasons:
        g.add(node, "reason", _event_iri(grp, r))
    decided = ev.term == "TreatmentDecision"  # a decision names what is to be given, not what was
    for agent in ev.agents:
        g.add(node, "decidedAgent" if decided else "agent", v(agent))
    g.add(node, "decidedLine" if decided else "line", ev.line)
    g.add(node, "cycles", ev.cycles)
    g.add(node, "diagnosedCondition", v(ev.condition) if ev.condition else None)
    g.add(node, "diagnosisStatus", v(ev.status) if ev.status else None)
    g.add(node, "refutedBy", _event_iri(grp, ev.refuted_by) if ev.refuted_by else None)
    g.add(node, "resectable", ev.resectable)
    name, basis = setting or (ev.setting, "StatedSetting" if ev.setting else None)
    g.add(node, "setting", v(name) if name else None)
    g.add(node, "settingBasis", v(basis) if basis else None)
    g.add(node, "patientsAffected", ev.count)
    g.add(node, "denominator", ev.of)
    g.add(node, "percent", float(ev.percent) if ev.percent is not None else None)
    g.add(node, "horizonYears", float(ev.horizon_years) if ev.horizon_years is not None else None)
    g.add(node, "frequencyAsPrinted", ev.frequency)
    g.add(node, "durationMonths", float(ev.duration_months) if ev.duration_months is not None else None)
    if (summary := ev.time_summary) is not None:
        g.add(node, "summaryMeasure", v(summary.measure.capitalize()))
        g.add(node, "summaryMonths", float(summary.months))
        g.add(node, "rangeLowMonths", float(summary.low) if summary.low is not None else None)
        g.add(node, "rangeHighMonths", float(summary.high) if summary.high is not None else None)
    g.add(node, "finding", ev.finding)
    g.add(node, "curatorNote", ev.note)
    _mapping(g, node, ev.mapping)
    for lesion in ev.lesions:
        resp = g.node("lesion-response", f"{grp.id}-{ev.id}-{lesion.lesion}", "LesionResponse")
        g.add(resp, LABEL, f"{lesion.lesion}: {lesion.trend.lower()}")
        g.add(resp, "lesion", _event_iri(grp, lesion.lesion))
        g.add(resp, "trend", v(lesion.trend))
        g.add(resp, "sizeChangePercent", float(lesion.change_percent) if lesion.change_percent is not None else None)
        g.add(resp, "curatorNote", lesion.note)
        g.add(node, "hasLesionResponse", resp)
