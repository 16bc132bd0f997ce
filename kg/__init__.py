"""vskg: a knowledge graph of vascular sarcoma evidence.

>>> from kg import build
>>> graph = build()                      # in memory, from the project's data/ and ontology/
>>> graph.query("femoral-recurrence-after-surgery-alone").records()
"""

from kg.build.pipeline import build
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
from kg.query.catalog import Param, StoredQuery
from kg.query.graph import KnowledgeGraph
from kg.query.similar_patient import Patient, Weights
from kg.query.similar_result import SimilarResult
from kg.store.results import QueryResult

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
