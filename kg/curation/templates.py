"""Curator tools: the JSON Schema of a record file, and the template for a new source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.errors import RecordError
from kg.iris import SLUG
from kg.records.model import SourceRecord

SCHEMA_ID = "https://w3id.org/vskg/schema/record.schema.json"


def record_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a `data/*.yaml` record, generated from the record models."""
    schema = SourceRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "vskg source record"
    schema["description"] = "One curated source publication of vskg: data/{id}.yaml"
    return schema


def schema_text() -> str:
    return json.dumps(record_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


TEMPLATE = """\
# yaml-language-server: $schema=../schema/record.schema.json
# New source record. Replace every FILL-IN (the build refuses them), delete what the source
# does not state, and give every fact a locator (section and paragraph, or table and row).
id: {id}
label: "FILL-IN Surname et al. (year)"
citation:
  authors: "FILL-IN as printed"
  title: "FILL-IN as printed"
  # year: 2024
  # container: journal as printed
  # volume: "12"
  # issue: "3"
  # pages: 100-110
  # doi: 10.xxxx/...      only if the source shows it
  locator: "FILL-IN where the bibliographic record is printed"
# study_design: CaseReport   # CaseReport | CaseSeries | RetrospectiveCohort | RandomisedControlledTrial | ReferenceBook
# design_basis: where the design is stated
groups:
  - id: {id}-case
    kind: case                  # or cohort, with n_patients
    locator: "FILL-IN section and paragraph"
    # age: 50
    # sex: Female
    tumour:
      histology: Leiomyosarcoma
      site: {{term: FILL-IN, as_printed: "FILL-IN"}}   # e.g. FemoralVein; laterality: Left
      locator: "FILL-IN"
    events:
      # in narrated order; times carry their reference event
      # - {{id: swelling, term: LimbSwelling, locator: "Case presentation"}}
      # - {{id: resection, term: SurgicalResection, locator: "Case presentation"}}
      # - {{id: recurrence, term: LocalRecurrence, at: {{months: 9, after: resection}}, locator: "Outcome"}}
"""


def new_record(source_id: str, data_dir: Path) -> Path:
    """Write a commented template for a new source; never overwrite an existing record."""
    target = data_dir / f"{source_id}.yaml"
    if not SLUG.match(source_id):
        raise RecordError(str(target), "id", f"{source_id!r} is not a valid id: use lower-case words joined by hyphens")
    if target.exists():
        raise RecordError(str(target), "(file)", "already exists; edit it instead")
    target.write_text(TEMPLATE.format(id=source_id), encoding="utf-8")
    return target
