"""The error tree of vskg: every failure a user can cause is a KGError."""

from __future__ import annotations


class KGError(Exception):
    """Base of every error vskg raises on purpose."""


class RecordError(KGError, ValueError):
    """A data record is malformed: names the file, the field and what would be valid."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        super().__init__(f"{file}: {field}: {problem}")


class RecordErrors(KGError, ValueError):
    """Several record errors found in one pass, reported together."""

    def __init__(self, errors: list[RecordError]) -> None:
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{len(errors)} record error(s):\n{lines}")


class OntologyError(KGError, ValueError):
    """The ontology file cannot be read or is not usable."""


class QueryError(KGError, ValueError):
    """A stored query is unknown, malformed, or was given a bad parameter."""


class TermError(QueryError):
    """A parameter or filter names no term of the kind it takes (or several): carries what was
    given, what is expected and the closest valid names, so a server can answer them as data."""

    def __init__(
        self, where: str, parameter: str, given: str, problem: str, expected: str, suggestions: list[str]
    ) -> None:
        self.where = where
        self.parameter = parameter
        self.given = given
        self.problem = problem
        self.expected = expected
        self.suggestions = suggestions
        hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"{where}: parameter '{parameter}': {problem}{hint}; expected {expected}")


class ValidationError(KGError):
    """The built graph does not conform to the shapes or a QC check."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"the graph failed validation ({len(problems)} problem(s)):\n{lines}")


class StoreError(KGError, OSError):
    """The on-disk store is missing, locked or unreadable."""


class ReasonerError(KGError, RuntimeError):
    """The OWL reasoner could not run or found an inconsistency."""
