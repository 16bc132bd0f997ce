"""A case's timeline: its events placed on a time axis from the graph, and drawn with matplotlib.

Times in the graph are relative ("9 months after resection"). The axis is months from the event
most times refer to; events whose time is not stated are placed between their neighbours in the
narrated order and drawn hollow, so nothing pretends to a precision the source does not give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.iris import VSKG
from kg.store.results import QueryResult

LANES = [  # (lane, ontology classes whose events go there), top to bottom
    ("presentation and diagnosis", ("Presentation", "InitialDiagnosis", "Diagnosis")),
    ("imaging and assessment", ("Imaging", "Assessment")),
    ("anticoagulation", ("Anticoagulation",)),
    ("surgery", ("SurgicalProcedure",)),
    ("systemic therapy and radiotherapy", ("NonSurgicalCancerTreatment", "PalliativeCare")),
    ("recurrence, metastasis and outcome", ("Outcome",)),
]

EVENTS = """
PREFIX vskg: <https://w3id.org/vskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?sequence ?kind ?class ?months ?reference ?reference_kind ?site ?agents ?line ?cycles
WHERE {
  ?case vskg:hasEvent ?event .
  ?event vskg:sequence ?sequence ; a ?class .
  ?class rdfs:label ?kind .
  FILTER(STRSTARTS(STR(?class), STR(vskg:)))
  OPTIONAL { ?event vskg:months ?months ; vskg:timeReference ?reference . ?reference a/rdfs:label ?reference_kind }
  OPTIONAL { ?event vskg:eventSite/rdfs:label ?site }
  OPTIONAL { ?event vskg:line ?line }
  OPTIONAL { ?event vskg:cycles ?cycles }
  OPTIONAL {
    SELECT ?event (GROUP_CONCAT(DISTINCT ?agent_label; separator=", ") AS ?agents) WHERE {
      ?event vskg:agent/rdfs:label ?agent_label
    } GROUP BY ?event
  }
}
ORDER BY ?sequence
"""

LANE_OF = """
PREFIX vskg: <https://w3id.org/vskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?root WHERE { ?case vskg:hasEvent ?event . ?event a/rdfs:subClassOf ?root . }
"""

RESPONSES = """
PREFIX vskg: <https://w3id.org/vskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?assessment ?lesion ?lesion_kind ?site ?trend ?change WHERE {
  ?case vskg:hasEvent ?assessment .
  ?assessment vskg:hasLesionResponse ?r .
  ?r vskg:lesion ?lesion ; vskg:trend/rdfs:label ?trend .
  ?lesion a/rdfs:label ?lesion_kind .
  OPTIONAL { ?lesion vskg:eventSite/rdfs:label ?site }
  OPTIONAL { ?r vskg:sizeChangePercent ?change }
}
ORDER BY ?assessment ?lesion
"""

LABEL = """
PREFIX vskg: <https://w3id.org/vskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?source WHERE { ?case rdfs:label ?label . OPTIONAL { ?case vskg:reportedIn/vskg:displayLabel ?source } }
"""


@dataclass(frozen=True)
class TimelineEvent:
    iri: str
    sequence: int
    kind: str
    lane: str
    detail: str
    stated: str | None  # "9 months after surgical resection", or None when the source gives no time
    position: float  # months from the anchor event; interpolated when not stated


@dataclass(frozen=True)
class LesionChange:
    assessment: str
    lesion: str
    trend: str
    change_percent: float | None


@dataclass
class Timeline:
    case: str
    title: str
    anchor: str | None
    events: list[TimelineEvent] = field(default_factory=list)
    responses: list[LesionChange] = field(default_factory=list)

    @property
    def dissociated(self) -> bool:
        trends = {r.trend for r in self.responses}
        return {"improved", "worsened"} <= trends


def _bind(query: str, case: str) -> str:
    return query.replace("?case", str(ox.NamedNode(case)))


def timeline_data(case: str, select: Callable[[str], QueryResult]) -> Timeline:
    """The timeline of one case or cohort, from any store's SELECT function."""
    rows = select(_bind(EVENTS, case)).records()
    roots: dict[str, set[str]] = {}
    for r in select(_bind(LANE_OF, case)).records():
        roots.setdefault(str(r["event"]), set()).add(str(r["root"]).removeprefix(VSKG))
    label_rows = select(_bind(LABEL, case)).records()
    title = str(label_rows[0]["label"]) if label_rows else case
    if label_rows and label_rows[0]["source"]:
        title = f"{label_rows[0]['source']}: {title}"
    by_event: dict[str, dict[str, str | None]] = {}  # data nodes carry one asserted class each
    for r in rows:
        by_event.setdefault(str(r["event"]), r)
    times: dict[str, float] = {}
    references = [str(r["reference"]) for r in by_event.values() if r["reference"]]
    anchor_iri = max(set(references), key=references.count) if references else None
    if anchor_iri:
        times[anchor_iri] = 0.0
    for _ in range(len(by_event)):  # resolve chains of relative times
        for iri, r in by_event.items():
            ref = r["reference"]
            if iri not in times and ref and str(ref) in times and r["months"] is not None:
                times[iri] = times[str(ref)] + float(str(r["months"]))
    ordered = sorted(by_event.items(), key=lambda item: int(str(item[1]["sequence"])))
    positions = _interpolate([times.get(iri) for iri, _ in ordered])
    anchor_label = by_event[anchor_iri]["kind"] if anchor_iri and anchor_iri in by_event else None
    events = []
    for (iri, r), position in zip(ordered, positions, strict=True):
        stated = None
        if r["months"] is not None and r["reference_kind"]:
            stated = f"{_months(float(str(r['months'])))} after {r['reference_kind']}"
        elif iri == anchor_iri:
            stated = "time 0"
        details = [d for d in (r["site"], r["agents"], f"line {r['line']}" if r["line"] else None,
                               f"{r['cycles']} cycles" if r["cycles"] else None) if d]  # fmt: skip
        events.append(TimelineEvent(iri, int(str(r["sequence"])), str(r["kind"]), _lane(roots.get(iri, set())),
                                    ", ".join(str(d) for d in details), stated, position))  # fmt: skip
    responses = []
    for r in select(_bind(RESPONSES, case)).records():
        lesion = str(r["lesion_kind"]) + (f" ({r['site']})" if r["site"] else "")
        change = float(str(r["change"])) if r["change"] is not None else None
        responses.append(LesionChange(str(r["assessment"]), lesion, str(r["trend"]), change))
    return Timeline(case, title, str(anchor_label) if anchor_label else None, events, responses)


def _lane(classes: set[str]) -> str:
    for lane, roots in LANES:
        if classes & set(roots):
            return lane
    return "other"


def _months(value: float) -> str:
    whole = int(value) if value == int(value) else value
    return f"{whole} month" + ("" if whole == 1 else "s")


def _interpolate(known: list[float | None]) -> list[float]:
    """Positions for every event: stated times kept, the others spread between their neighbours."""
    if not any(v is not None for v in known):
        return [float(i) for i in range(len(known))]
    out: list[float] = []
    indices = [i for i, v in enumerate(known) if v is not None]
    for i, value in enumerate(known):
        if value is not None:
            out.append(value)
            continue
        before = [j for j in indices if j < i]
        after = [j for j in indices if j > i]
        if before and after:
            a, b = before[-1], after[0]
            va, vb = known[a], known[b]
            assert va is not None and vb is not None
            span = max(vb - va, 1.0)
            out.append(va + span * (i - a) / (b - a))
        elif after:
            b = after[0]
            vb = known[b]
            assert vb is not None
            out.append(vb - (b - i))
        else:
            a = before[-1]
            va = known[a]
            assert va is not None
            out.append(va + (i - a))
    return out


def draw_timeline(timeline: Timeline, path: Path) -> Path:
    """PNG or SVG by the file's suffix; SVG keeps its text as text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    lanes = [lane for lane, _ in LANES if any(e.lane == lane for e in timeline.events)]
    lanes += sorted({e.lane for e in timeline.events} - set(lanes))
    y = {lane: len(lanes) - i for i, lane in enumerate(lanes)}
    fig, ax = plt.subplots(figsize=(14, 1.6 + 1.3 * len(lanes)))
    for event in timeline.events:
        filled = event.stated is not None
        ax.scatter([event.position], [y[event.lane]], s=70, zorder=3, facecolors="#23395d" if filled else "white",
                   edgecolors="#23395d", linewidths=1.5)  # fmt: skip
        text = (
            event.kind
            + (f"\n{event.detail}" if event.detail else "")
            + (f"\n[{event.stated}]" if event.stated and event.stated != "time 0" else "")
        )
        ax.annotate(text, (event.position, y[event.lane]), xytext=(-4, 8), textcoords="offset points",
                    ha="left", va="bottom", fontsize=7, rotation=28)  # fmt: skip
    by_assessment = {e.iri: e for e in timeline.events}
    for response in timeline.responses:
        at = by_assessment.get(response.assessment)
        if at is None:
            continue
        good = response.trend == "improved"
        change = (
            f" {response.change_percent:+g} %".replace("-", "\u2212") if response.change_percent is not None else ""
        )
        ax.annotate(f"{response.lesion}: {response.trend}{change}", (at.position, y[at.lane]),
                    xytext=(10, -18 if good else -32), textcoords="offset points", fontsize=8, fontweight="bold",
                    color="#1b7f3b" if good else "#b3261e",
                    arrowprops={"arrowstyle": "-|>", "color": "#1b7f3b" if good else "#b3261e"})  # fmt: skip
    ax.set_yticks(list(y.values()), list(y.keys()), fontsize=8.5)
    ax.set_ylim(0.3, len(lanes) + 1.2)
    low, high = ax.get_xlim()
    ax.set_xlim(low - 0.5, high + (high - low) * 0.3)  # room for labels and the response notes
    anchor = f"months from {timeline.anchor}" if timeline.anchor else "narrated order"
    ax.set_xlabel(f"{anchor} (hollow markers: time not stated, placed by narrated order)", fontsize=9)
    title = timeline.title + (" - dissociated response" if timeline.dissociated else "")
    ax.set_title(title, fontsize=11)
    ax.grid(axis="x", color="#e3e7ee")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=path.suffix.lstrip(".").lower() or "png", dpi=110)
    plt.close(fig)
    return path
