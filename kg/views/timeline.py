"""A case's timeline: its events placed on a time axis from the graph, and drawn with matplotlib.

Times in the graph are relative ("9 months after resection"). The axis is months from the event
most times refer to. An event whose time is not stated never gets a month: where the stated order
places it after or before events with a time, it is drawn as the interval those allow (hollow, a
dashed bar); where nothing places it, it goes to a band beside the axis headed "time not stated",
in display order. Nothing pretends to a precision the source does not give.
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
SELECT ?event ?sequence ?position ?kind ?class ?months ?reference ?reference_kind ?site ?agents ?line ?cycles
WHERE {
  ?case vskg:hasEvent ?event .
  ?event vskg:sequence ?sequence ; vskg:timelinePosition ?position ; a ?class .
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
ORDER BY ?position
"""

ORDER = """
PREFIX vskg: <https://w3id.org/vskg/ontology#>
SELECT ?before ?after WHERE { ?case vskg:hasEvent ?before . ?before vskg:precedes ?after . }
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
    position: float | None  # months from the anchor event, only where stated (directly or in a chain)
    earliest: float | None = None  # for an event without a time: the latest stated time it follows
    latest: float | None = None  # ... and the earliest stated time it precedes

    @property
    def placed(self) -> bool:
        """Whether the event has a place on the time axis: a time, or an interval from the order."""
        return self.position is not None or self.earliest is not None or self.latest is not None


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
    ordered = sorted(by_event.items(), key=lambda item: int(str(item[1]["position"])))
    if not times:  # nothing is timed: the events keep their order, on an axis of steps
        times = {iri: float(i) for i, (iri, _) in enumerate(ordered)}
    follows: dict[str, set[str]] = {}
    for r in select(_bind(ORDER, case)).records():
        follows.setdefault(str(r["after"]), set()).add(str(r["before"]))
    anchor_label = by_event[anchor_iri]["kind"] if anchor_iri and anchor_iri in by_event else None
    events = []
    for iri, r in ordered:
        stated = None
        if r["months"] is not None and r["reference_kind"]:
            stated = f"{_months(float(str(r['months'])))} after {r['reference_kind']}"
        elif iri == anchor_iri:
            stated = "time 0"
        before = [times[b] for b in follows.get(iri, ()) if b in times]
        after = [times[a] for a, earlier in follows.items() if iri in earlier and a in times]
        details = [d for d in (r["site"], r["agents"], f"line {r['line']}" if r["line"] else None,
                               f"{r['cycles']} cycles" if r["cycles"] else None) if d]  # fmt: skip
        events.append(TimelineEvent(iri, int(str(r["sequence"])), str(r["kind"]), _lane(roots.get(iri, set())),
                                    ", ".join(str(d) for d in details), stated, times.get(iri),
                                    None if iri in times or not before else max(before),
                                    None if iri in times or not after else min(after)))  # fmt: skip
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


def draw_timeline(timeline: Timeline, path: Path) -> Path:
    """PNG or SVG by the file's suffix; SVG keeps its text as text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    lanes = [lane for lane, _ in LANES if any(e.lane == lane for e in timeline.events)]
    lanes += sorted({e.lane for e in timeline.events} - set(lanes))
    y = {lane: len(lanes) - i for i, lane in enumerate(lanes)}
    known = [v for e in timeline.events for v in (e.position, e.earliest, e.latest) if v is not None] or [0.0]
    low, high = min(known), max(known)
    span = max(high - low, 1.0)
    left, right = low - 0.15 * span, high + 0.35 * span  # open intervals run to these edges
    unplaced = [e for e in timeline.events if not e.placed]
    band = right + 0.1 * span  # where the band of events without a place in time starts
    fig, ax = plt.subplots(figsize=(14, 1.6 + 1.3 * len(lanes)))
    # events at the same place of one lane share a marker (or a bar) and one list of labels
    spots: dict[tuple[str, float, float | None, float | None], list[TimelineEvent]] = {}
    for event in timeline.events:
        spot: tuple[str, float, float | None, float | None]
        if event.position is not None:
            spot = (event.lane, event.position, None, None)
        elif event.placed:
            start = event.earliest if event.earliest is not None else left
            spot = (event.lane, start, event.earliest, event.latest)
        else:
            spot = (event.lane, band + 0.12 * span * unplaced.index(event), None, None)
        spots.setdefault(spot, []).append(event)
    where: dict[str, tuple[float, float]] = {}
    labelled: dict[str, int] = {}  # lines of text already in a lane, so that the next list goes above them
    for (lane, start, earliest, latest), events in spots.items():
        height = y[lane]
        timed = events[0].position is not None and events[0].stated is not None
        marker = start
        if earliest is not None or latest is not None:  # an interval allowed by the stated order
            end = latest if latest is not None else right
            ax.plot([start, end], [height, height], color="#7d8ba1", linewidth=2, linestyle=(0, (3, 2)), zorder=2)
            marker = earliest if earliest is not None else end
        ax.scatter([marker], [height], s=70 if timed else 50, zorder=3, facecolors="#23395d" if timed else "white",
                   edgecolors="#23395d" if timed else "#7d8ba1", linewidths=1.5)  # fmt: skip
        lines = []
        for event in events:
            where[event.iri] = (marker, height)
            line = event.kind + (f" ({event.detail})" if event.detail else "")
            lines.append(line + (f" [{event.stated}]" if event.stated and event.stated != "time 0" else ""))
        ax.annotate("\n".join(lines), (start, height), xytext=(4, 6 + 9 * labelled.get(lane, 0)),
                    textcoords="offset points", ha="left", va="bottom", fontsize=7)  # fmt: skip
        labelled[lane] = labelled.get(lane, 0) + len(lines)
    for response in timeline.responses:
        if response.assessment not in where:
            continue
        good = response.trend == "improved"
        change = (
            f" {response.change_percent:+g} %".replace("-", "\u2212") if response.change_percent is not None else ""
        )
        ax.annotate(f"{response.lesion}: {response.trend}{change}", where[response.assessment],
                    xytext=(10, -18 if good else -32), textcoords="offset points", fontsize=8, fontweight="bold",
                    color="#1b7f3b" if good else "#b3261e",
                    arrowprops={"arrowstyle": "-|>", "color": "#1b7f3b" if good else "#b3261e"})  # fmt: skip
    ax.set_yticks(list(y.values()), list(y.keys()), fontsize=8.5)
    ax.set_ylim(0.3, len(lanes) + 1.2)
    end = band + 0.12 * span * (len(unplaced) + 2) if unplaced else right + 0.2 * span
    ax.set_xlim(left - 0.05 * span, end)
    if unplaced:
        ax.axvspan(band - 0.05 * span, end, color="#f1f3f7", zorder=0)
        ax.text(band, len(lanes) + 0.9, "time not stated", fontsize=8.5, color="#5c6778", va="top")
    ticks = [v for v in ax.get_xticks() if left <= v <= right]
    ax.set_xticks(ticks)
    if timeline.anchor:
        axis = f"months from {timeline.anchor}"
        note = "filled: time stated; dashed: no time stated, placed by the stated order between timed events"
    else:
        axis = "order of events (no time stated: steps, not months)"
        note = "hollow markers: no time stated"
    ax.set_xlabel(f"{axis} ({note})", fontsize=9)
    title = timeline.title + (" - dissociated response" if timeline.dissociated else "")
    ax.set_title(title, fontsize=11)
    ax.grid(axis="x", color="#e3e7ee")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=path.suffix.lstrip(".").lower() or "png", dpi=110)
    plt.close(fig)
    return path
