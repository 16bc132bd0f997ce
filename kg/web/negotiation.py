"""Content negotiation: Accept headers with q-values, and `format=` overrides."""

from __future__ import annotations

from dataclasses import dataclass

RESULTS = {  # SPARQL results of SELECT and ASK
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPHS = {  # RDF of CONSTRUCT, DESCRIBE and linked-data documents
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
}
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "text/plain": "application/n-triples",
    "application/x-turtle": "text/turtle",
    "turtle": "text/turtle",
    "rdf": "application/rdf+xml",
    "owl": "application/rdf+xml",
    "json-ld": "application/ld+json",
    "n-triples": "application/n-triples",
}
HTML = "text/html"


@dataclass(frozen=True)
class Choice:
    media_type: str
    quality: float


def parse_accept(header: str | None) -> list[Choice]:
    """Media ranges of an Accept header, best first (q-value, then specificity, then order)."""
    if not header:
        return [Choice("*/*", 1.0)]
    ranges: list[tuple[float, int, int, str]] = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((quality, specificity, -index, media))
    ranges.sort(reverse=True)
    return [Choice(media, q) for q, _, _, media in ranges]


def choose(accept: str | None, offered: list[str], *, override: str | None = None) -> str | None:
    """The offered media type the client prefers; None when it accepts none of them.

    `override` (a `format=` value: a short name such as `ttl` or a media type) wins over Accept.
    """
    if override:
        wanted = _resolve(override)
        return wanted if wanted in offered else None
    for choice in parse_accept(accept):
        if choice.quality <= 0:
            continue
        if choice.media_type in offered:
            return choice.media_type
        media = ALIASES.get(choice.media_type, choice.media_type)
        if media in offered:
            return media
        if media == "*/*":
            return offered[0]
        if media.endswith("/*"):
            major = media[:-1]
            for candidate in offered:
                if candidate.startswith(major):
                    return candidate
    return None


def _resolve(name: str) -> str:
    key = name.strip().lower()
    return RESULTS.get(key) or GRAPHS.get(key) or ("text/html" if key == "html" else ALIASES.get(key, key))
