"""Terms a user names - a bare name, a prefixed name or a full IRI, with or without <> - looked up
in the graph among the terms a parameter takes. An unknown one is refused with the closest valid
names and the kind of term expected: a misspelled term is an error, never an empty answer."""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable, Generator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import TermError
from kg.iris import DATA, DATA_KINDS, PREFIXES, RDFS, SLUG, VSKG, compact
from kg.store.results import QueryResult

IRI_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$")
_TERM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_IRI = 2000
MAX_CHOICES = 10_000  # suggestions are drawn from at most this many valid terms
SUGGESTIONS = 5


def is_iri(text: str) -> bool:
    if len(text) > MAX_IRI or not IRI_PATTERN.match(text):
        return False
    try:
        ox.NamedNode(text)
    except ValueError:  # pyoxigraph's RFC 3987 check is stricter than the pattern
        return False
    return True


@dataclass(frozen=True)
class TermRange:
    """The terms a parameter takes: the class `root` and every class below it (`instances` False,
    e.g. anatomical sites), or every resource typed with one of those classes (`instances` True,
    e.g. the patient groups, or an ontology value set such as the study designs)."""

    root: str
    instances: bool = False

    @property
    def key(self) -> str:
        return "instance_of" if self.instances else "subclass_of"

    def describe(self) -> str:
        return f"{'instance' if self.instances else 'subclass'} of {compact(self.root)}"

    def _pattern(self) -> str:
        root = ox.NamedNode(self.root)
        # the build writes the reflexive-transitive subclass closure, so one step reaches every level
        if self.instances:
            return f"?term a ?class . ?class <{RDFS}subClassOf> {root} ."
        return f"?term <{RDFS}subClassOf> {root} ."

    def members_query(self, iris: Sequence[str]) -> str:
        values = " ".join(str(ox.NamedNode(i)) for i in iris)
        return f"SELECT DISTINCT ?term WHERE {{ VALUES ?term {{ {values} }} {self._pattern()} }} ORDER BY ?term"

    def choices_query(self) -> str:
        return (
            f"SELECT ?term (SAMPLE(?l) AS ?label) WHERE {{ {self._pattern()} FILTER(isIRI(?term)) "
            f"OPTIONAL {{ ?term <{RDFS}label> ?l }} }} GROUP BY ?term ORDER BY ?term LIMIT {MAX_CHOICES}"
        )

    def label_query(self) -> str:
        return f"SELECT ?label WHERE {{ {ox.NamedNode(self.root)} <{RDFS}label> ?label }} ORDER BY ?label LIMIT 1"


@dataclass(frozen=True)
class TermRequest:
    """One parameter's value as the user spelled it, and the terms it may name."""

    name: str
    given: str
    range: TermRange


def spellings(text: str, *, data: bool = True) -> list[str]:
    """The IRIs a user's text may name: a full IRI (with or without <>), a prefixed name with a
    known prefix, or a bare name - a vskg term's local name, or (with `data`) a data resource's slug
    under any kind. Empty when the text can name no IRI."""
    given = text.strip()
    if given.startswith("<") and given.endswith(">"):
        given = given[1:-1].strip()
    prefix, sep, local = given.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        iris = [PREFIXES[prefix] + local]
    elif sep:
        iris = [given]
    else:
        iris = [VSKG + given] if _TERM_NAME.match(given) else []
        if data and SLUG.match(given):
            iris += [f"{DATA}{kind}/{given}" for kind in DATA_KINDS]
    return [iri for iri in iris if is_iri(iri)]


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def closest(given: str, choices: QueryResult | list[tuple[str, str | None]]) -> list[str]:
    """The valid terms nearest to what was given (by local name or label), as one pastes them."""
    pairs = [(r["term"], r["label"]) for r in choices.records()] if isinstance(choices, QueryResult) else choices
    local = re.split(r"[#/:]", given.strip().strip("<>"))[-1]
    keys: dict[str, list[str]] = {}
    for iri, label in pairs:
        if not iri:
            continue
        shown = compact(iri)
        for key in {_key(re.split(r"[#/:]", iri)[-1]), _key(label or "")} - {""}:
            keys.setdefault(key, []).append(shown)
    found: list[str] = []
    for key in difflib.get_close_matches(_key(local), list(keys), n=SUGGESTIONS * 2, cutoff=0.6):
        found += [s for s in keys[key] if s not in found]
    return found[:SUGGESTIONS]


def _article(label: str) -> str:
    return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label}"


Steps = Generator[str, QueryResult, ox.NamedNode]


def _resolve_one(where: str, request: TermRequest) -> Steps:
    terms = request.range
    iris = spellings(request.given, data=terms.instances)
    found: list[str] = []
    if iris:
        result = yield terms.members_query(iris)
        found = sorted({v for v in result.column("term") if v})
    if len(found) == 1:
        return ox.NamedNode(found[0])
    named = (yield terms.label_query()).column("label")
    kind = str(named[0]) if named and named[0] else compact(terms.root)
    if len(found) > 1:
        problem = f"{request.given!r} names more than one {kind}; give one of them"
        expected = f"{_article(kind)} named without ambiguity"
        raise TermError(where, request.name, request.given, problem, expected, [compact(f) for f in found])
    choices = yield terms.choices_query()
    count = len(choices)
    if terms.instances:
        expected = f"{_article(kind)}: one of the {count} instances of {compact(terms.root)} in the graph"
    else:
        expected = f"{_article(kind)}: {compact(terms.root)} or one of its {count - 1} subclasses"
    if iris:
        problem = f"{request.given[:200]!r} is not {_article(kind)}"
    else:
        problem = f"{request.given[:200]!r} is not an IRI, a prefixed name or a term's name"
    raise TermError(where, request.name, request.given, problem, expected, closest(request.given, choices))


def _resolve(where: str, requests: Sequence[TermRequest]) -> Generator[str, QueryResult, dict[str, ox.NamedNode]]:
    out: dict[str, ox.NamedNode] = {}
    for request in requests:
        out[request.name] = yield from _resolve_one(where, request)
    return out


def resolve(
    where: str, requests: Sequence[TermRequest], select: Callable[[str], QueryResult]
) -> dict[str, ox.NamedNode]:
    """Each request's term, found with `select` (a SELECT over the whole graph); a TermError names
    `where`, the parameter, the closest valid terms and the kind expected."""
    steps = _resolve(where, requests)
    try:
        text = next(steps)
        while True:
            text = steps.send(select(text))
    except StopIteration as done:
        found: dict[str, ox.NamedNode] = done.value
        return found


async def resolve_async(
    where: str, requests: Sequence[TermRequest], select: Callable[[str], Awaitable[QueryResult]]
) -> dict[str, ox.NamedNode]:
    """`resolve` for a server whose queries are awaited."""
    steps = _resolve(where, requests)
    try:
        text = next(steps)
        while True:
            text = steps.send(await select(text))
    except StopIteration as done:
        found: dict[str, ox.NamedNode] = done.value
        return found
