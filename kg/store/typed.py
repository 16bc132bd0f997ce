"""RDF terms as Python values, for analysts: integers, decimals, booleans and dates as themselves,
IRIs as IRIs (or CURIEs on request); a value that does not parse stays the string it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from kg.iris import XSD, compact

_INTEGER_TYPES = "integer int long short byte nonNegativeInteger positiveInteger negativeInteger nonPositiveInteger"
INTEGERS = {XSD + name for name in (*_INTEGER_TYPES.split(), "unsignedInt", "unsignedLong", "gYear")}


def python_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, *, curies: bool = False) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return compact(term.value, brackets=False) if curies else term.value
    if not isinstance(term, ox.Literal):
        return str(term)
    datatype, text = term.datatype.value, term.value
    try:
        if datatype in INTEGERS:
            return int(text)
        if datatype == XSD + "decimal":
            return Decimal(text)
        if datatype in (XSD + "double", XSD + "float"):
            return float(text)
        if datatype == XSD + "boolean":
            return text in ("true", "1")
        if datatype == XSD + "date":
            return dt.date.fromisoformat(text)
        if datatype == XSD + "dateTime":
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, InvalidOperation):
        return text
    return text
