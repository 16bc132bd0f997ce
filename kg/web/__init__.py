"""Web: the HTTP server (app factory, routers, query workers, SPARQL protocol parsing, content
negotiation, linked-data descriptions, HTML pages). It reads a built store; it never builds one."""
