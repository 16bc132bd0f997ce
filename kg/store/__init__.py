"""Store: where quads live and SPARQL runs (embedded pyoxigraph in memory or on disk, a remote
SPARQL endpoint), the answers they give, dumps, and rdflib interchange. It knows nothing of YAML."""
