"""vskg: a knowledge graph of vascular sarcoma evidence.

>>> from kg import build
>>> graph = build()                      # in memory, from the project's data/ and ontology/
>>> graph.query("femoral-recurrence-after-surgery-alone").records()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kg.errors import (
    KGError,
    OntologyError,
    QueryError,
    ReasonerError,
    RecordError,
    RecordErrors,
    StoreError,
    TermError,
    ValidationError,
)

if TYPE_CHECKING:
    from kg.build.pipeline import build
    from kg.query.catalog import Param, StoredQuery
    from kg.query.graph import KnowledgeGraph
    from kg.query.similar_patient import Patient, Weights
    from kg.query.similar_result import SimilarResult
    from kg.store.results import QueryResult

# Every process that imports a submodule (kg.iris in a query worker, kg.web in a server process)
# runs this file first: the public names that need rdflib, pydantic and the build are imported on
# first use, so a server process does not pay for the build pipeline it never runs.
_LAZY = {
    "build": "kg.build.pipeline",
    "KnowledgeGraph": "kg.query.graph",
    "Param": "kg.query.catalog",
    "StoredQuery": "kg.query.catalog",
    "QueryResult": "kg.store.results",
    "Patient": "kg.query.similar_patient",
    "Weights": "kg.query.similar_patient",
    "SimilarResult": "kg.query.similar_result",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "KGError",
    "KnowledgeGraph",
    "OntologyError",
    "Param",
    "Patient",
    "QueryError",
    "QueryResult",
    "ReasonerError",
    "RecordError",
    "RecordErrors",
    "SimilarResult",
    "StoreError",
    "StoredQuery",
    "TermError",
    "ValidationError",
    "Weights",
    "build",
]
__version__ = "0.1.0"
