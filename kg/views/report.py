"""`vskg report`: one self-contained HTML file researchers can read, every number linked to its query."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.store.results import QueryResult, display
from kg.views import html

if TYPE_CHECKING:
    from kg.query.graph import KnowledgeGraph

SECTIONS = [  # (stored query, heading, what it shows)
    ("corpus-table", "Table 1 for the whole corpus", "Every reported case and cohort, as printed and as modelled."),
    (
        "patients-per-site",
        "Patients per site",
        "Cohorts count as their n; the last row gives the total and how many may be counted twice; "
        "`site_in_doubt` counts patients of groups whose site a curator doubts.",
    ),
    (
        "outcome-rates-by-site",
        "Recurrence and metastasis by site",
        "Proportions with their denominators and Wilson 95 % intervals.",
    ),
    (
        "ivc-versus-peripheral",
        "Inferior vena cava versus peripheral veins",
        "The same counts for the two families of sites.",
    ),
    (
        "treatments-by-setting",
        "Treatments by setting",
        "Each cancer treatment's setting as the source states it, derived from the order of events, or not stated.",
    ),
    (
        "approximate-mappings",
        "Approximate mappings",
        "Terms that are broader or narrower than the source's words, or only related to them, with those words.",
    ),
    (
        "work-versus-review",
        "What reviews say of a work, against the work itself",
        "Patient count, site, treatment and outcome that a review table states differently from the work's own record.",
    ),
    (
        "incomplete-citations",
        "Incomplete citations",
        "Sources whose bibliographic record still lacks fields; none is filled from memory.",
    ),
    (
        "weak-sources",
        "Weak sources",
        "Sources whose facts rest on a mirror page, a partial text, a machine translation or a page that cites the work.",
    ),
    (
        "citation-mismatches",
        "Citation audit",
        "Printed citation numbers that name a different work than the one cited.",
    ),
    ("conflicts", "Conflicts", "Values two sources state differently for patients a curator linked as the same."),
    ("possible-overlaps", "Possible overlaps", "Series that may share patients."),
    ("data-gaps", "Data gaps", "Facts most often missing from single cases (not stated in what was read)."),
]


@dataclass(frozen=True)
class Rate:
    site: str
    outcome: str
    events: int
    denominator: int

    @property
    def proportion(self) -> float:
        return self.events / self.denominator if self.denominator else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.events, self.denominator)


def wilson(events: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a proportion (95 % by default)."""
    if n == 0:
        return (0.0, 1.0)
    p = events / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def rates(result: QueryResult) -> list[Rate]:
    return [
        Rate(str(r["site_label"]), str(r["outcome"]), int(str(r["events"])), int(str(r["denominator"])))
        for r in result.records()
    ]


def forest_plot(items: list[Rate]) -> str:
    """SVG forest plot of proportions with their intervals, one line per site and outcome."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(items) + 1.4))
    for i, item in enumerate(reversed(items)):
        low, high = item.interval
        colour = "#b3261e" if item.outcome == "distant metastasis" else "#23395d"
        ax.plot([low, high], [i, i], color=colour, linewidth=2)
        ax.scatter([item.proportion], [i], color=colour, s=20 + 6 * item.denominator**0.5 * 3, zorder=3)
    labels = [f"{r.site}: {r.outcome} ({r.events}/{r.denominator})" for r in reversed(items)]
    ax.set_yticks(range(len(items)), labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("proportion of patients, with Wilson 95 % interval")
    ax.grid(axis="x", color="#e3e7ee")
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    return out.getvalue()[out.getvalue().index("<svg") :]


def _table(result: QueryResult, query: str) -> str:
    head = "".join(f"<th>{escape(v)}</th>" for v in result.variables)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.link(t.value) if isinstance(t, ox.NamedNode) else escape(display(t))}</td>" for t in row)
        + "</tr>"
        for row in result.rows
    )
    return f'<table data-query="{escape(query)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render(graph: KnowledgeGraph) -> str:
    sections = []
    appendix = []
    for name, heading, what in SECTIONS:
        stored = graph.stored(name)
        result = graph.query(name)
        link = f'<a href="#query-{name}">query <code>{name}</code></a> (also <code>/queries/{name}</code> on <code>vskg serve</code>)'
        figure = ""
        if name == "outcome-rates-by-site":
            items = rates(result)
            figure = f'<figure id="forest-plot" data-query="{name}">{forest_plot(items)}<figcaption>{escape(what)} From the {link}.</figcaption></figure>'
            rows = "".join(
                f"<tr><td>{escape(r.site)}</td><td>{escape(r.outcome)}</td><td>{r.events}</td><td>{r.denominator}</td>"
                f"<td>{r.proportion:.2f}</td><td>{r.interval[0]:.2f}-{r.interval[1]:.2f}</td></tr>"
                for r in items
            )
            figure += (
                '<table data-query="outcome-rates-by-site"><thead><tr><th>site</th><th>outcome</th><th>events</th>'
                f"<th>denominator</th><th>proportion</th><th>Wilson 95 %</th></tr></thead><tbody>{rows}</tbody></table>"
            )
            sections.append(f'<section id="{name}"><h2>{escape(heading)}</h2>{figure}</section>')
        else:
            sections.append(
                f'<section id="{name}"><h2>{escape(heading)}</h2><p>{escape(what)} {len(result)} row(s), from the {link}.</p>'
                f"{_table(result, name)}</section>"
            )
        appendix.append(
            f'<details id="query-{name}"><summary><code>{name}</code>: {escape(stored.summary)}</summary>'
            f"<pre>{escape(stored.text)}</pre></details>"
        )
    totals = graph.query("patients-per-site").records()[-1]
    intro = (
        "<h1>Vascular sarcoma - venous leiomyosarcoma and the sarcomas of the great arteries: the evidence in the graph</h1>"
        f'<p class="muted">{_count(graph, "Source")} sources; {totals["cases"]} cases and {totals["cohorts"]} cohorts; '
        f"{totals['patients']} patients, of whom {totals['at_risk']} may be counted twice "
        '(<a href="#query-patients-per-site">query</a>). Every table and figure names the stored query that produced it; '
        "the queries are listed at the end.</p>"
    )
    from kg.views.synthesis_output import synthesis_html

    body = intro + "".join(sections) + synthesis_html(graph) + "<h2>The queries</h2>" + "".join(appendix)
    return html.page("Report", body + html.TABLE_TOOLS)


def _count(graph: KnowledgeGraph, cls: str) -> str:
    result = graph.sparql(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a vskg:{cls} }}")
    return str(result.records()[0]["n"]) if isinstance(result, QueryResult) else "?"


def write_report(graph: KnowledgeGraph, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "report.html"
    tmp = out_dir / ".report.html.tmp"
    tmp.write_text(render(graph), encoding="utf-8")
    tmp.replace(target)
    return target
