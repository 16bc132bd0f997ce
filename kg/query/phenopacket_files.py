"""The phenopackets written as files: one per case, and a GA4GH Cohort per source."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from kg.iris import DATA
from kg.query.phenopackets import CASES, Sparql, phenopackets, rows


def cohorts(graph: Sparql, packets: dict[str, dict[str, Any]], *, created: str) -> dict[str, dict[str, Any]]:
    """A GA4GH Cohort per source: the phenopackets of the cases it reports, by source id."""
    members: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    for case in rows(graph, CASES):
        source = str(case["source"]).removeprefix(DATA + "source/")
        members[source].append(str(case["case"]).removeprefix(DATA + "case/"))
        labels[source] = str(case["source_label"])
    out = {}
    for source, ids in sorted(members.items()):
        used = {r["namespacePrefix"] for i in ids for r in packets[i]["metaData"]["resources"]}
        meta = dict(packets[ids[0]]["metaData"])
        meta["resources"] = sorted(
            {
                r["namespacePrefix"]: r
                for i in ids
                for r in packets[i]["metaData"]["resources"]
                if r["namespacePrefix"] in used
            }.values(),
            key=lambda r: str(r["namespacePrefix"]),
        )
        meta["externalReferences"] = [
            {"id": f"vskg:source/{source}", "reference": DATA + f"source/{source}", "description": labels[source]}
        ]
        meta["created"] = created
        out[source] = {
            "id": source,
            "description": f"The {len(ids)} case(s) reported in {labels[source]}, as curated in vskg.",
            "members": [packets[i] for i in sorted(ids)],
            "metaData": meta,
        }
    return out


def write_phenopackets(graph: Sparql, out_dir: Path, *, created: str) -> list[Path]:
    """`out_dir/phenopackets/CASE.json` for every case and `.../cohorts/SOURCE.json` for every source."""
    packets = phenopackets(graph, created=created)
    folder = out_dir / "phenopackets"
    (folder / "cohorts").mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in [
        *sorted(packets.items()),
        *((f"cohorts/{s}", c) for s, c in cohorts(graph, packets, created=created).items()),
    ]:
        path = folder / f"{name}.json"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
