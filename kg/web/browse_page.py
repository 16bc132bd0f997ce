"""The faceted browser's page. The server sends the first view whole (facets with their counts, the
matching groups, the SPARQL behind them), so it reads and works without JavaScript: every choice is
a link. The script only enhances: a choice then fetches /browse/data and redraws in place."""

from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import urlencode

from kg.views.html import page

# the same markup as `facets_html` and `groups_html` below, drawn from /browse/data
BROWSE_SCRIPT = """
const facets = JSON.parse(document.getElementById('facets').textContent);
const esc = s => String(s).replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
function bind() {
  document.querySelectorAll('#facet-panel a[data-facet]').forEach(a => a.addEventListener('click', e => {
    e.preventDefault(); history.pushState(null, '', a.getAttribute('href')); show();
  }));
}
async function show() {
  const params = new URLSearchParams(location.search);
  const answer = await fetch('/browse/data?' + params.toString());
  if (!answer.ok) {
    const text = await answer.text();
    const problem = (answer.headers.get('content-type') || '').includes('problem+json')
      ? JSON.parse(text).detail : text;
    document.getElementById('groups').textContent = problem; return; }
  const data = await answer.json();
  for (const [name, value] of Object.entries(data.chosen)) params.set(name, value);  // as the server names them
  const panel = document.getElementById('facet-panel');
  panel.innerHTML = '';
  for (const [name, label] of facets) {
    const chosen = params.get(name);
    const items = data.facets[name].values.map(v => {
      const next = new URLSearchParams(params);
      if (chosen === v.value) next.delete(name); else next.set(name, v.value);
      return `<li><a href="?${next}" data-facet="${esc(name)}" data-value="${esc(v.value)}"
        class="${chosen === v.value ? 'chosen' : ''}">${esc(v.label)}</a>
        <span class="muted" data-count>${v.groups}</span>
        <span class="muted" data-patients>(${v.patients} pt)</span></li>`;
    }).join('');
    panel.insertAdjacentHTML('beforeend', `<section><h3>${esc(label)}</h3><ul>${items}</ul></section>`);
  }
  bind();
  const rows = data.groups.map(g => `<tr><td><a href="${esc(g.source_href)}">${esc(g.source_label)}</a></td>
    <td><a href="${esc(g.href)}">${esc(g.label)}</a></td><td>${esc(g.kind)}</td><td>${esc(g.patients)}</td>
    <td>${esc(g.locator)}</td></tr>`).join('');
  document.getElementById('groups').innerHTML = `<p><b id="group-count">${data.groups.length}</b> group(s) match;
    <a href="/browse">clear all</a></p><table id="group-table"><thead><tr><th>source</th><th>group</th><th>kind</th>
    <th>patients</th><th>locator</th></tr></thead><tbody>${rows}</tbody></table>`;
  document.getElementById('sparql-behind').textContent = data.sparql;
}
window.addEventListener('popstate', show);
bind();
"""


def facets_html(facets: list[tuple[str, str]], view: dict[str, Any], given: dict[str, str]) -> str:
    """Each facet's values with their counts; a value links to the view with it chosen (or, when it
    is chosen, without it), keeping the other choices of the address."""
    given = {**given, **view["chosen"]}  # a choice as the server names it: FemoralVein, not vskg:FemoralVein
    sections = []
    for name, label in facets:
        chosen = given.get(name)
        items = []
        for v in view["facets"][name]["values"]:
            value = str(v["value"])
            following = {k: x for k, x in given.items() if k != name} if chosen == value else {**given, name: value}
            css = "chosen" if chosen == value else ""
            items.append(
                f'<li><a href="?{escape(urlencode(following))}" data-facet="{escape(name)}" '
                f'data-value="{escape(value)}" class="{css}">{escape(str(v["label"]))}</a> '
                f'<span class="muted" data-count>{int(v["groups"])}</span> '
                f'<span class="muted" data-patients>({int(v.get("patients") or 0)} pt)</span></li>'
            )
        sections.append(f"<section><h3>{escape(label)}</h3><ul>{''.join(items)}</ul></section>")
    return "".join(sections)


def groups_html(groups: list[dict[str, Any]]) -> str:
    rows = "".join(
        f'<tr><td><a href="{escape(g["source_href"])}">{escape(str(g["source_label"]))}</a></td>'
        f'<td><a href="{escape(g["href"])}">{escape(str(g["label"]))}</a></td><td>{escape(str(g["kind"]))}</td>'
        f"<td>{escape(str(g['patients']))}</td><td>{escape(str(g['locator']))}</td></tr>"
        for g in groups
    )
    return (
        f'<p><b id="group-count">{len(groups)}</b> group(s) match; <a href="/browse">clear all</a></p>'
        '<table id="group-table"><thead><tr><th>source</th><th>group</th><th>kind</th><th>patients</th>'
        f"<th>locator</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def browse_page(
    facets: list[tuple[str, str]],
    given: dict[str, str],
    view: dict[str, Any] | None,
    problem: str = "",
    retry: tuple[str, list[str]] | None = None,
) -> str:
    """Facets on the left with counts that follow the choices, matching groups on the right; the URL
    holds the choices, so a view can be shared, and the SPARQL behind it is shown. `view` is the
    answer of /browse/data for `given`, or None with `problem` saying why there is none, and
    `retry` the facet whose value was not a term with the closest terms."""
    if view is None:
        groups = f'<p class="error" id="problem">{escape(problem)}</p>'
        if retry is not None and retry[1]:
            facet, closest = retry
            tries = " · ".join(f'<a href="?{escape(urlencode({**given, facet: s}))}">{escape(s)}</a>' for s in closest)
            groups += f'<p id="suggestions">Did you mean: {tries}</p>'
        panel, sparql = "", ""
    else:
        panel, groups, sparql = facets_html(facets, view, given), groups_html(view["groups"]), view["sparql"]
    body = (
        '<h1>Browse the evidence</h1><p class="muted">Choose values to narrow the patient groups; counts are '
        "groups and, in brackets, their patients - each patient once, a series split by site in its sub-groups. "
        "The address bar holds the view: copy it to share.</p>"
        '<div style="display:flex;gap:1.5rem;align-items:flex-start">'
        f'<aside id="facet-panel" style="min-width:16rem">{panel}</aside>'
        f'<div style="flex:1"><div id="groups">{groups}</div><details><summary>The SPARQL behind this view</summary>'
        f'<pre id="sparql-behind">{escape(sparql)}</pre></details></div></div>'
        f'<script type="application/json" id="facets">{json.dumps(facets)}</script>'
        "<style>#facet-panel ul{list-style:none;padding:0;margin:.2rem 0 .8rem}"
        "#facet-panel h3{margin:.4rem 0;font-size:1rem}"
        "a.chosen{font-weight:700;background:#e6ecf5}</style>"
        f"<script>{BROWSE_SCRIPT}</script>"
    )
    return page("Browse", body)
