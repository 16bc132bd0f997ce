"""Query: the stored-query catalog (`queries/*.rq` with typed parameters) and the KnowledgeGraph
facade that runs them on any store, plus the evidence network as a networkx graph."""
