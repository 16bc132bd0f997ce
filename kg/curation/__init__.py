"""Curation: tools that write records (sheet import, templates and schema, synthetic literature).

Above records and below everything that reads a graph: curation produces YAML, never triples.
"""
