"""The page of `GET /similar`: a form for the patient, the ranked groups, why each scored as it did,
what happened to them, and the limits of such a comparison. Plain HTML, no script needed."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from kg.query.similar_result import LIMITS, Match, SimilarResult
from kg.views.html import link, page

FIELDS = (  # (parameter, label, kind, hint)
    ("site", "Primary site", "site", "any term of the site hierarchy, e.g. FemoralVein"),
    ("laterality", "Side", "choice:left,right,bilateral", ""),
    ("age", "Age (years)", "number", ""),
    ("sex", "Sex", "choice:female,male", ""),
    ("size_cm", "Tumour size (cm)", "number", ""),
    ("grade", "Grade", "choice:1,2,3,low,intermediate,high", "FNCLCC 1-3, or in words"),
    ("presentation", "Presentations", "presentation", "one or more, separated by commas"),
    ("initial_diagnosis", "Initial diagnosis", "diagnosis", "e.g. DeepVeinThrombosis"),
    ("treatment", "Treatments so far", "treatment", "e.g. SurgicalResection"),
    ("top", "How many matches", "number", ""),
)
STATUSES = ("agreed", "partly", "differed", "missing")
STYLE = (
    "<style>#similar-form{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.5rem 1rem;"
    "background:#fff;border:1px solid #d5dbe3;padding:.8rem;border-radius:6px}#similar-form label{display:flex;"
    "flex-direction:column;font-size:.9rem}#similar-form input,#similar-form select{padding:.25rem}"
    ".limits{background:#fff6e0;border-left:4px solid #d9822b;padding:.5rem .8rem}"
    ".bar{display:inline-block;height:.6rem;background:#23395d;vertical-align:middle;margin-right:.3rem}.agreed{color:#1b7f3b}.partly{color:#8a6d00}"
    ".differed{color:#a11}.missing{color:#5c6778}details{margin:.2rem 0}td details summary{cursor:pointer}</style>"
)


def similar_page(
    form: dict[str, list[str]],
    choices: dict[str, list[tuple[str, str]]],
    result: SimilarResult | None,
    error: str | None = None,
) -> str:
    """The whole page; `form` holds the query parameters as given, `choices` the terms to suggest."""
    body = [
        "<h1>Patients like mine</h1>",
        '<p class="muted">Describe a patient by any of these facts: the published cases and cohorts closest to it '
        "are ranked through the site and presentation hierarchy, and what happened to them is shown with its source. "
        "Facts you leave empty are not compared; a fact a report does not state is neither rewarded nor punished.</p>",
        f'<p class="limits" id="limits">{escape(LIMITS)}</p>',
        _form(form, choices),
    ]
    if error:
        body.append(f'<p class="error" id="error">{escape(error)}</p>')
    if result is not None:
        body += _result(result, form)
    return page("Patients like mine", "".join(body) + STYLE)


def _form(form: dict[str, list[str]], choices: dict[str, list[tuple[str, str]]]) -> str:
    parts = ['<form id="similar-form" method="get" action="/similar">']
    for name, label, kind, hint in FIELDS:
        value = ", ".join(form.get(name, []))
        if kind.startswith("choice:"):
            options = ['<option value=""></option>'] + [
                f"<option{' selected' if value.lower() == o else ''}>{escape(o)}</option>" for o in kind[7:].split(",")
            ]
            control = f'<select name="{name}">{"".join(options)}</select>'
        else:
            kind_attr = ' type="number" step="any" min="0"' if kind == "number" else f' list="terms-{kind}"'
            control = f'<input name="{name}" value="{escape(value)}"{kind_attr} placeholder="{escape(hint)}">'
        parts.append(f"<label>{escape(label)}{control}</label>")
    parts.append('<label>&nbsp;<button type="submit" id="search">Find similar patients</button></label></form>')
    for kind, terms in choices.items():
        listed = "".join(f'<option value="{escape(name)}">{escape(label)}</option>' for name, label in terms)
        parts.append(f'<datalist id="terms-{kind}">{listed}</datalist>')
    return "".join(parts)


def _result(result: SimilarResult, form: dict[str, list[str]]) -> list[str]:
    described = "; ".join(f"{escape(k)}: {escape(v)}" for k, v in result.described.items())
    weights = ", ".join(f"{k} {v:g}" for k, v in vars(result.weights).items())
    query = urlencode([(k, v) for k, values in form.items() for v in values if k != "format"])
    unknown = ", ".join(f"{escape(k)} for {v} of {len(result.matches)}" for k, v in result.unknown.items())
    out = [
        f"<h2>The {len(result.matches)} closest of {result.candidates} published groups</h2>",
        f'<p id="described">Patient: {described}. Weights: {escape(weights)}. '
        f'<a href="/similar?{escape(query)}&amp;format=json">JSON</a> · '
        f'<a href="/similar?{escape(query)}&amp;format=csv">CSV</a></p>',
        f'<p id="unknown" class="muted">Unknown among these matches: {unknown or "nothing"}.</p>',
    ]
    out += [f'<p class="muted note">On the input: {escape(n)}</p>' for n in result.notes]
    out.append(
        '<table id="matches"><thead><tr><th>rank</th><th>score</th><th>facts compared</th><th>group</th>'
        "<th>patients</th><th>source and locator</th><th>agreed</th><th>partly</th><th>differed</th><th>missing</th>"
        "<th>course before any relapse</th></tr></thead><tbody>"
    )
    out += [_match(m) for m in result.matches]
    out.append("</tbody></table>")
    out += _summary(result)
    return out


def _match(m: Match) -> str:
    bar = f'<span class="bar" style="width:{m.score * 4:.2f}rem"></span>'
    statuses = "".join(f'<td class="{s}">{escape(", ".join(m.by_status(s)))}</td>' for s in STATUSES)
    why = "".join(
        f'<tr><td>{escape(f.fact)}</td><td class="{f.status}">{escape(f.status)}</td><td>{f.weight:g}</td>'
        f"<td>{'' if f.similarity is None else f'{f.similarity:.2f}'}</td><td>{escape(f.patient_value)}</td>"
        f"<td>{escape(f.group_value or '')}</td><td>{escape(f.reason)}</td></tr>"
        for f in m.facts
    )
    events = "".join(
        f"<tr><td>{escape(e.label_text())}</td><td>{escape(e.exposure)}</td><td>{escape(e.setting or '')}</td>"
        f"<td>{escape(e.time_text())}</td><td>{escape(e.count_text())}</td><td>{escape(e.locator)}</td></tr>"
        for e in m.events
    )
    note = f'<br><span class="muted">{escape(m.note)}</span>' if m.note else ""
    kind = "case" if m.kind == "case" else f"cohort of {m.patients}"
    return (
        f'<tr class="match" data-group="{escape(m.group)}"><td>{m.rank}</td><td>{bar}{m.score:.2f}</td>'
        f"<td>{m.facts_compared}</td><td>{link(m.group)} ({kind}){note}</td><td>{m.patients}</td>"
        f'<td>{escape(m.source_label)}<br><span class="muted">{escape(m.locator)}</span></td>'
        f"{statuses}<td>{escape(m.course)}</td></tr>"
        f'<tr class="detail"><td></td><td colspan="10">'
        f'<details class="why"><summary>why this score</summary><table><thead><tr><th>fact</th><th>status</th>'
        f"<th>weight</th><th>similarity</th><th>patient</th><th>this group</th><th>reason</th></tr></thead>"
        f"<tbody>{why}</tbody></table></details>"
        f'<details class="events"><summary>what happened ({len(m.events)} treatments and outcomes)</summary>'
        f"<table><thead><tr><th>event</th><th>exposure</th><th>setting</th><th>time</th><th>count</th><th>locator</th>"
        f"</tr></thead><tbody>{events}</tbody></table></details></td></tr>"
    )


def _summary(result: SimilarResult) -> list[str]:
    rows = "".join(
        f"<tr><td>{escape(r.course)}</td><td>{r.groups}</td><td>{r.patients}</td>"
        f"<td>{_of(r.recurred, r.recurrence_stated)}</td><td>{_of(r.metastasised, r.metastasis_stated)}</td>"
        f"<td>{_of(r.died, r.death_stated)}</td></tr>"
        for r in result.summary
    )
    follow = result.follow_up
    spread = (
        f"{follow['min_months']:g} to {follow['max_months']:g} months, median {follow['median_months']:g}"
        if follow.get("groups_stating")
        else "none stated"
    )
    return [
        "<h2>What happened to them</h2>",
        '<p class="muted">Counted in patients: a cohort counts its n, with the denominators its source gives; '
        "a group whose patients are counted in another match (a sub-group, the same patients) is left out of the "
        "totals. The course is the treatment before any relapse, read in time order.</p>",
        '<table id="summary"><thead><tr><th>course</th><th>groups</th><th>patients</th><th>recurred</th>'
        f"<th>metastasised</th><th>died</th></tr></thead><tbody>{rows}</tbody></table>",
        f'<p id="follow-up">Follow-up stated for {follow.get("groups_stating", 0)} of {follow.get("groups", 0)} '
        f"groups: {spread}. Patients who may be counted in another report too: {result.at_risk}.</p>",
        f'<p class="limits">{escape(result.limits)}</p>',
    ]


def _of(had: int, stated: int) -> str:
    return f"{had} of {stated}" if stated else "not stated"
