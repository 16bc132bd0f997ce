"""The HTML shell shared by the report and the server's pages: style, navigation, links to graph IRIs."""

from __future__ import annotations

from html import escape

from kg.iris import DATA, VSKG, compact

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2430;background:#fafbfc}
header{background:#23395d;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:baseline}
header a{color:#dfe8f7;text-decoration:none}header .brand{font-weight:700;font-size:1.2rem;color:#fff}
main{max-width:1200px;margin:1rem auto;padding:0 1.2rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0;background:#fff}
th,td{border:1px solid #d5dbe3;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
th{background:#eef2f7}code,textarea{font-family:ui-monospace,Menlo,Consolas,monospace}
textarea{width:100%;min-height:14rem;font-size:.9rem;border:1px solid #b9c3d0;padding:.5rem;box-sizing:border-box}
button{background:#23395d;color:#fff;border:0;padding:.45rem 1rem;border-radius:4px;cursor:pointer}
button.example{background:#e6ecf5;color:#23395d;margin:.15rem;padding:.3rem .6rem;text-align:left}
.muted{color:#5c6778}.counts{display:flex;gap:1rem;flex-wrap:wrap}
.count{background:#fff;border:1px solid #d5dbe3;border-radius:6px;padding:.7rem 1rem;min-width:8rem}
.count b{display:block;font-size:1.6rem}.error{color:#a11;white-space:pre-wrap}
.params label{margin-right:1rem}.params input{width:28rem;max-width:100%}
"""


def page(title: str, body: str, head: str = "") -> str:
    """A whole page; `head` is more markup for the head (structured data)."""
    nav = (
        '<a class="brand" href="/">vskg</a><a href="/query">Query</a><a href="/queries">Stored queries</a>'
        '<a href="/ontology">Ontology</a><a href="/vocabulary">Vocabulary</a><a href="/dumps">Dumps</a><a href="/.well-known/void">VoID</a>'
        '<a href="/docs">API</a><a href="/report">Report</a><a href="/browse">Browse</a><a href="/network">Network</a>'
        '<a href="/similar">Patients like mine</a>'
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} - vskg</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style>{head}</head>'
        f"<body><header>{nav}</header><main>{body}</main></body></html>"
    )


def local_href(iri: str) -> str | None:
    """Where the server shows an IRI of the graph, or None for outside IRIs."""
    if iri.startswith(DATA):
        return "/id/" + iri[len(DATA) :]
    if iri.startswith(VSKG):
        return "/ontology/" + iri[len(VSKG) :]
    return None


def link(iri: str, label: str | None = None) -> str:
    text = escape(label or compact(iri))
    href = local_href(iri)
    return f'<a href="{escape(href or iri)}">{text}</a>'


# Every table of a page sortable (click a heading; again to reverse) and filterable (a box above it).
TABLE_TOOLS = """<script>
document.querySelectorAll('main table').forEach((table, n) => {
  const box = document.createElement('input');
  box.type = 'search'; box.placeholder = 'filter rows'; box.className = 'table-filter'; box.dataset.table = n;
  box.addEventListener('input', () => {
    const words = box.value.toLowerCase();
    table.querySelectorAll('tbody tr').forEach(r => { r.hidden = !r.textContent.toLowerCase().includes(words); });
  });
  table.before(box);
  table.querySelectorAll('thead th').forEach((th, col) => {
    th.style.cursor = 'pointer'; th.title = 'sort';
    th.addEventListener('click', () => {
      const body = table.tBodies[0], rows = [...body.rows], up = th.dataset.order !== 'up';
      const key = r => { const t = (r.cells[col] || {}).textContent || ''; const x = parseFloat(t); return isNaN(x) ? t : x; };
      rows.sort((a, b) => { const x = key(a), y = key(b); return (x > y ? 1 : x < y ? -1 : 0) * (up ? 1 : -1); });
      table.querySelectorAll('th').forEach(h => delete h.dataset.order); th.dataset.order = up ? 'up' : 'down';
      rows.forEach(r => body.appendChild(r));
    });
  });
});
</script>"""
