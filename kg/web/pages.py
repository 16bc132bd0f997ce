"""HTML pages of the server: landing page, query page, resource pages. Plain HTML, no outside assets."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from kg.iris import PRINTED_PREFIXES, compact
from kg.query.catalog import StoredQuery
from kg.views.html import link, page


def landing(counts: dict[str, str], queries: list[StoredQuery], head: str = "") -> str:
    boxes = "".join(f'<div class="count"><b>{escape(v)}</b>{escape(k)}</div>' for k, v in counts.items())
    headline = "".join(
        f'<li><a href="/query?example={escape(q.name)}">{escape(q.summary)}</a></li>' for q in queries if q.headline
    )
    body = (
        "<h1>Vascular sarcoma evidence graph</h1>"
        '<p class="muted">Curated facts on vascular sarcoma (venous leiomyosarcoma, arterial intimal sarcoma and angiosarcoma), each traceable to the publication '
        "and the table row or paragraph it came from.</p>"
        f'<div class="counts">{boxes}</div>'
        f"<h2>Questions to start with</h2><ul>{headline}</ul>"
        '<p>Writing your own SPARQL? The <a href="/vocabulary" id="vocabulary-link">vocabulary for query writers</a> '
        "lists every class, property and value with its definition, domain, range and an example query.</p>"
        "<h2>For machines</h2><ul><li>SPARQL 1.1 endpoint: <code>/sparql</code></li>"
        '<li>Stored queries as REST operations: <a href="/queries">/queries</a>, documented at <a href="/docs">/docs</a></li>'
        "<li>Every IRI <code>https://w3id.org/vskg/id/…</code> resolves at <code>/id/…</code>; terms at "
        '<a href="/ontology">/ontology</a></li><li>Dumps: <a href="/dumps">/dumps</a>, described at '
        '<a href="/.well-known/void">/.well-known/void</a></li></ul>'
    )
    return page("Home", body, head)


QUERY_SCRIPT = """
const examples = JSON.parse(document.getElementById('examples').textContent);
let current = null;
function esc(s){return String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
const DATA = 'https://w3id.org/vskg/id/', TERMS = 'https://w3id.org/vskg/ontology#';
const PREFIXES = JSON.parse(document.getElementById('prefixes').textContent);
const LOCAL = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/;
function local(iri){
  if(iri.startsWith(DATA)) return '/id/'+iri.slice(DATA.length);
  if(iri.startsWith(TERMS)) return '/ontology/'+iri.slice(TERMS.length);
  return null;}
// as one pastes it into SPARQL: a predeclared prefix whose local part needs no escape, else <iri>
function short(iri){
  let best = null;
  for(const [p, ns] of PREFIXES){
    const rest = iri.slice(ns.length);
    if(iri.startsWith(ns) && LOCAL.test(rest) && (best === null || p.length+1+rest.length < best.length)) best = p+':'+rest;}
  return best || '<'+iri+'>';}
function cell(t){
  if(!t) return '';
  if(t.type==='uri'){const h=local(t.value)||t.value;return '<a href="'+esc(h)+'">'+esc(short(t.value))+'</a>';}
  return esc(t.value);}
function pick(name){
  current = examples.find(e=>e.name===name) || null;
  document.getElementById('sparql').value = current ? current.text : '';
  const p = document.getElementById('params'); p.innerHTML='';
  if(current){
    document.getElementById('summary').textContent = current.summary;
    for(const q of current.params){
      p.insertAdjacentHTML('beforeend','<label>'+esc(q.name)+' ('+esc(q.type)+') <input data-param="'+esc(q.name)+'" value="'+esc(q.default||'')+'"></label>');}}
}
function target(fmt){
  if(current && document.getElementById('sparql').value===current.text){
    const qs = new URLSearchParams();
    document.querySelectorAll('[data-param]').forEach(i=>{ if(i.value) qs.set(i.dataset.param,i.value); });
    if(fmt) qs.set('format',fmt);
    return '/queries/'+current.name+'?'+qs.toString();}
  const qs = new URLSearchParams({query: document.getElementById('sparql').value});
  if(fmt) qs.set('format',fmt);
  return '/sparql?'+qs.toString();}
async function run(){
  const out = document.getElementById('results'), msg = document.getElementById('message');
  out.innerHTML=''; msg.textContent='running...';
  const r = await fetch(target(null), {headers:{'Accept':'application/sparql-results+json, text/turtle;q=0.5'}});
  const text = await r.text();
  if(!r.ok){
    const problem = (r.headers.get('content-type')||'').includes('problem+json') ? JSON.parse(text).detail : text;
    msg.textContent = r.status+': '+problem; msg.className='error'; return; }
  msg.className='muted';
  if(!(r.headers.get('content-type')||'').includes('json')){ out.innerHTML='<pre>'+esc(text)+'</pre>'; msg.textContent=''; return; }
  const data = JSON.parse(text);
  if('boolean' in data){ msg.textContent = 'answer: '+data.boolean; return; }
  const vars = data.head.vars, rows = data.results.bindings;
  msg.textContent = rows.length+' row'+(rows.length===1?'':'s');
  out.innerHTML = '<table id="result-table"><thead><tr>'+vars.map(v=>'<th>'+esc(v)+'</th>').join('')+'</tr></thead><tbody>'+
    rows.map(b=>'<tr>'+vars.map(v=>'<td>'+cell(b[v])+'</td>').join('')+'</tr>').join('')+'</tbody></table>'+
    '<p>Download: '+['json','csv','tsv','xml'].map(f=>'<a href="'+esc(target(f))+'">'+f.toUpperCase()+'</a>').join(' · ')+'</p>';
}
document.getElementById('run').addEventListener('click', run);
document.getElementById('sparql').addEventListener('keydown', e=>{ if(e.key==='Enter' && (e.ctrlKey||e.metaKey)) run(); });
document.querySelectorAll('button.example').forEach(b=>b.addEventListener('click',()=>pick(b.dataset.name)));
const start = new URLSearchParams(location.search).get('example'); if(start) pick(start);
"""


def query_page(queries: list[StoredQuery], default_text: str) -> str:
    examples = [
        {
            "name": q.name,
            "summary": q.summary,
            "text": q.text,
            "params": [
                {"name": p.name, "type": p.type + (f", {p.range.describe()}" if p.range else ""), "default": p.default}
                for p in q.params
            ],
        }
        for q in queries
    ]
    buttons = "".join(
        f'<button class="example" data-name="{escape(q.name)}" title="{escape(q.summary)}">{escape(q.name)}</button>'
        for q in queries
    )
    data = json.dumps(examples).replace("</", "<\\/")
    prefixes = json.dumps(list(PRINTED_PREFIXES.items())).replace("</", "<\\/")
    declared = ", ".join(f"<code>{escape(p)}:</code>" for p in PRINTED_PREFIXES)
    body = (
        "<h1>Query the graph</h1>"
        f"<p>Stored queries (click to load, then run):</p><div>{buttons}</div>"
        '<p id="summary" class="muted"></p><div id="params" class="params"></div>'
        f'<textarea id="sparql" spellcheck="false" aria-label="SPARQL query">{escape(default_text)}</textarea>'
        f'<p class="muted" id="predeclared">Predeclared prefixes (as the results print IRIs): {declared}; every term '
        'is in the <a href="/vocabulary">vocabulary for query writers</a>.</p>'
        '<p><button id="run">Run (Ctrl+Enter)</button> <span id="message" class="muted"></span></p>'
        '<div id="results"></div>'
        f'<script id="examples" type="application/json">{data}</script>'
        f'<script id="prefixes" type="application/json">{prefixes}</script><script>{QUERY_SCRIPT}</script>'
    )
    return page("Query", body)


def resource_page(
    iri: str,
    title: str,
    types: list[tuple[str, str]],
    outgoing: list[tuple[str, str, Any, str]],
    incoming: list[tuple[str, str, str, str]],
    provenance: list[str],
    alternates: list[tuple[str, str]],
    extra: str = "",
    head: str = "",
) -> str:
    """One node of the graph: its types, what it says, what points to it, where it comes from."""
    type_links = ", ".join(link(t, label) for t, label in types) or '<span class="muted">(no type)</span>'
    rows = "".join(
        f"<tr><td>{link(p, pl)}</td><td>{value}</td><td>{link(g, gl)}</td></tr>"
        for p, pl, value, g, gl in [(p, pl, v, g, compact(g)) for p, pl, v, g in outgoing]
    )
    back = "".join(f"<tr><td>{link(s, sl)}</td><td>{link(p, pl)}</td></tr>" for s, sl, p, pl in incoming)
    alt = " · ".join(f'<a href="{escape(href)}">{escape(name)}</a>' for name, href in alternates)
    prov = "".join(f"<li>{item}</li>" for item in provenance)
    short = compact(iri)
    pasted = "" if short.startswith("<") else f' · in SPARQL <code class="sparql-name">{escape(short)}</code>'
    body = (
        f"<h1>{escape(title)}</h1><p><code>{escape(iri)}</code>{pasted}</p><p>Type: {type_links}</p>"
        + (f"<h2>Provenance</h2><ul>{prov}</ul>" if prov else "")
        + extra
        + f"<h2>Statements</h2><table><thead><tr><th>property</th><th>value</th><th>graph</th></tr></thead><tbody>{rows}</tbody></table>"
        + (
            f"<h2>Referred to by</h2><table><thead><tr><th>subject</th><th>property</th></tr></thead><tbody>{back}</tbody></table>"
            if back
            else ""
        )
        + f'<p class="muted">Also as {alt}</p>'
    )
    return page(title, body, head)


def listing(title: str, intro: str, rows: list[tuple[str, str, str]]) -> str:
    items = "".join(
        f'<tr><td><a href="{escape(href)}">{escape(name)}</a></td><td>{escape(note)}</td></tr>'
        for name, href, note in rows
    )
    return page(title, f"<h1>{escape(title)}</h1><p>{intro}</p><table><tbody>{items}</tbody></table>")


NETWORK_SCRIPT = """
const colours = {source: '#23395d', case: '#d9822b', cohort: '#b3261e', intervention: '#1b7f3b', outcome: '#7b3fa0'};
fetch('/network/data').then(r => r.json()).then(data => {
  const elements = data.nodes.map(n => ({data: {id: n.id, label: n.label, kind: n.kind}}))
    .concat(data.edges.filter(e => e.source !== e.target).map((e, i) => ({data: {id: 'e' + i, source: e.source,
      target: e.target, relation: e.relation}})));
  const cy = cytoscape({container: document.getElementById('cy'), elements, maxZoom: 2.5, layout: {name: 'cose', animate: false,
    randomize: false}, style: [
      {selector: 'node', style: {'background-color': n => colours[n.data('kind')] || '#888', 'label': 'data(label)',
        'font-size': 8, 'width': 10, 'height': 10, 'text-opacity': 0.85}},
      {selector: 'edge', style: {'width': 0.6, 'line-color': '#c3cad6', 'curve-style': 'haystack'}},
      {selector: '.hidden', style: {'display': 'none'}},
      {selector: ':selected', style: {'background-color': '#f2c94c', 'width': 16, 'height': 16}}]});
  window.cy = cy;
  const apply = () => {
    const shown = new Set([...document.querySelectorAll('input[data-kind]:checked')].map(b => b.dataset.kind));
    cy.nodes().forEach(n => n.toggleClass('hidden', !shown.has(n.data('kind'))));
    document.getElementById('visible').textContent = cy.nodes().not('.hidden').length;
  };
  document.querySelectorAll('input[data-kind]').forEach(b => b.addEventListener('change', apply));
  document.getElementById('search').addEventListener('change', e => {
    const words = e.target.value.toLowerCase();
    cy.nodes().unselect();
    const found = cy.nodes().filter(n => (n.data('label') || '').toLowerCase().includes(words));
    found.select(); if (found.length) cy.fit(found, 60);
    document.getElementById('found').textContent = found.length;
  });
  document.getElementById('neighbourhood').addEventListener('click', () => {
    const around = cy.nodes(':selected').closedNeighborhood();
    cy.nodes().forEach(n => n.toggleClass('hidden', !around.contains(n)));
    cy.fit(around, 60);
    document.getElementById('visible').textContent = cy.nodes().not('.hidden').length;
  });
  document.getElementById('everything').addEventListener('click', () => { cy.nodes().removeClass('hidden'); apply(); });
  apply();
  document.body.dataset.ready = 'yes';
});
"""


def network_page() -> str:
    """The evidence network, interactive: filter by kind, search, a node's neighbourhood."""
    kinds = ["source", "case", "cohort", "intervention", "outcome"]
    boxes = "".join(f'<label><input type="checkbox" data-kind="{k}" checked> {k}</label> ' for k in kinds)
    body = (
        '<h1>Evidence network</h1><p class="muted">Sources, the cases and cohorts they report, the treatments and '
        "outcomes those had, and the works each source cites. Drawn with cytoscape, served by vskg.</p>"
        f'<p>{boxes} · <input id="search" type="search" placeholder="find a node (Enter)"> <span id="found"></span> found · '
        '<button id="neighbourhood">neighbourhood of the found</button> <button id="everything">show all</button> · '
        '<span id="visible"></span> nodes shown</p><div id="cy" style="height:70vh;border:1px solid #d5dbe3;background:#fff"></div>'
        f'<script src="/static/cytoscape.min.js"></script><script>{NETWORK_SCRIPT}</script>'
    )
    return page("Network", body)
