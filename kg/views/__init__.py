"""Views: what people look at (case timelines, the evidence network picture, the HTML report and
the HTML shell the server's pages share). Views read answers; they never build or write a store."""
