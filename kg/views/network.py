"""Drawings and files of the evidence network: PNG/SVG picture and GraphML for Gephi or Cytoscape."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

KIND_COLOURS = {
    "source": "#23395d",
    "case": "#d9822b",
    "cohort": "#b3261e",
    "intervention": "#1b7f3b",
    "outcome": "#7b3fa0",
}


def write_graphml(net: nx.MultiDiGraph, path: Path) -> Path:
    """GraphML for Gephi or Cytoscape, with kind, label and relation as attributes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(net, path)
    return path


def draw_network(net: nx.MultiDiGraph, path: Path) -> Path:
    """PNG or SVG of the evidence network, nodes coloured by kind, laid out deterministically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    layout = nx.spring_layout(nx.Graph(net), seed=7, k=0.9 / max(1, len(net)) ** 0.5)
    fig, ax = plt.subplots(figsize=(16, 12))
    for kind, colour in KIND_COLOURS.items():
        nodes = [n for n, d in net.nodes(data=True) if d.get("kind") == kind]
        size = [60 + 25 * net.degree(n) for n in nodes]
        nx.draw_networkx_nodes(
            net, layout, nodelist=nodes, node_color=colour, node_size=size, label=kind, ax=ax, alpha=0.85
        )
    styles = {"cites": ("#8a94a6", "dashed"), "lists in references": ("#d5dbe3", "dotted")}
    for relation in sorted({d["relation"] for _, _, d in net.edges(data=True)}):
        colour, style = styles.get(relation, ("#9aa5b5", "solid"))
        edges = [(u, v) for u, v, d in net.edges(data=True) if d["relation"] == relation]
        nx.draw_networkx_edges(
            net, layout, edgelist=edges, edge_color=colour, style=style, arrows=False, ax=ax, width=0.7
        )
    labels = {
        n: d.get("label", n)[:28]
        for n, d in net.nodes(data=True)
        if d.get("kind") in ("source", "intervention", "outcome")
    }
    nx.draw_networkx_labels(net, layout, labels=labels, font_size=6.5, ax=ax)
    ax.legend(loc="lower left", fontsize=9)
    ax.set_title("Evidence network: sources, their cases and cohorts, treatments and outcomes; citations dashed")
    ax.axis("off")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=path.suffix.lstrip(".").lower(), dpi=100)
    plt.close(fig)
    return path
