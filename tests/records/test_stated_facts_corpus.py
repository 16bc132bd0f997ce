"""The stated facts of the corpus, each checked against the words of its extraction-sheet entry: a
series' median or mean is printed with its measure, its outcome and its number; a cohort's
follow-up with its measure; a time from a resection or a diagnosis with its reference; how long a
finding had lasted with its number and unit; a series' metastasis site with its count. A fact the
words do not give fails here, by file, group and event."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from kg import KnowledgeGraph
from tests.conftest import PROJECT, ROOT

SOURCES = ROOT.parent / "shared" / "sources"
SHEETS = ("published-cases.json", "published-cases-2.json")
IMPORTED = re.compile(r"Imported by `vskg import` from (published-cases[-\d]*\.json) \(record ([a-z0-9-]+)\)")
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
# the words that name each summarised outcome, and each measure, in the sheets
OUTCOME_WORDS = {
    "DiseaseFreeSurvival": r"\bDFS\b|disease-free",
    "DiseaseSpecificSurvival": r"\bDSS\b|disease-specific",
    "OverallSurvival": r"\bOS\b|survival",
    "Death": r"\bdied\b|\bdeath",
    "Alive": r"\balive\b",
    "DistantMetastasis": r"metasta",
}
MEASURE_WORDS = {"median": r"\bmedian\b", "mean": r"\bmean\b|\baverage\b"}
REFERENCE_WORDS = {"SurgicalResection": r"surg|resection|operat", "Diagnosis": r"diagnos"}
SITE_WORDS = {"Lung": r"\blungs?\b|pulmonary", "Liver": r"\bliver\b|hepatic", "SkeletalMuscle": r"muscle"}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def clauses(entry: dict[str, Any]) -> list[str]:
    """The entry's words, cut where a sentence or a semicolon ends a statement."""
    return [c for s in _strings(entry) for c in re.split(r";\s+|\.\s+|\n", s) if c.strip()]


def imported() -> list[tuple[str, dict[str, Any], list[str]]]:
    """(file name, record, the clauses of its sheet entry) for every record imported from a sheet."""
    if not all((SOURCES / s).exists() for s in SHEETS):
        pytest.skip(f"the extraction sheets are not beside the checkout ({SOURCES})")
    entries = {e["id"]: e for s in SHEETS for e in json.loads((SOURCES / s).read_text(encoding="utf-8"))}
    found = []
    for path in sorted(PROJECT.data.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        match = IMPORTED.search(text)
        if match:
            found.append((path.name, yaml.safe_load(text), clauses(entries[match.group(2)])))
    return found


def months_words(months: float, unit_optional: bool = False) -> str:
    """A pattern for a time as the sheets print it: in months, or in whole years, in digits or words."""
    forms = [rf"{months:g}(?:\.0)?" + (r"(?: months?)?" if unit_optional else r"[ -]months?")]
    if months == int(months) and 1 <= months <= 12:
        forms.append(rf"{NUMBER_WORDS[int(months) - 1]}[ -]months?")
    if months % 12 == 0:
        years = int(months // 12)
        forms.append(rf"{years}[ -]years?")
        if 1 <= years <= 12:
            forms.append(rf"{NUMBER_WORDS[years - 1]}[ -]years?")
    return r"(?<![\w.])(?:" + "|".join(forms) + r")\b"


def printed(clause_list: list[str], *patterns: str) -> list[str]:
    """The clauses in which every pattern occurs (case folded)."""
    return [c for c in clause_list if all(re.search(p, c, re.IGNORECASE) for p in patterns)]


def events(record: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for group in record.get("groups") or []:
        for event in group.get("events") or []:
            yield group, event


def summary_patterns(event: dict[str, Any]) -> list[str]:
    """What a clause must say for the event's time_summary to rest on it."""
    summary = event["time_summary"]
    patterns = [OUTCOME_WORDS[event["term"]], MEASURE_WORDS[summary["measure"]]]
    # the measure word before the number: "median DFS 49 months", "average survival 4 years"
    patterns.append(rf"(?:{MEASURE_WORDS[summary['measure']]}).*" + months_words(summary["months"]))
    if "low" in summary or "high" in summary:
        low, high = (months_words(summary[k], unit_optional=True) for k in ("low", "high"))
        patterns.append(rf"\brange {low}\s*-\s*{high}")
    # who the summary is over, where the record says it is fewer than the group
    if event.get("count") is not None:
        patterns.append(rf"(?<![\w.]){event['count']}\b")
    elif event.get("of") is not None:
        patterns.append(rf"(?<![\w.]){event['of']}\b")
    return patterns


def test_every_series_summary_is_printed_with_its_measure_outcome_and_number() -> None:
    checked, missing = 0, []
    for name, record, words in imported():
        for group, event in events(record):
            if "time_summary" not in event:
                continue
            checked += 1
            if not printed(words, *summary_patterns(event)):
                missing.append(f"{name}: {group['id']}.{event['id']}: {event['time_summary']}")
    assert checked >= 13 and not missing, "\n".join(missing)


def test_every_cohort_follow_up_carries_the_measure_its_words_print() -> None:
    checked, missing = 0, []
    for name, record, words in imported():
        for group in record.get("groups") or []:
            months, measure = group.get("follow_up_months"), group.get("follow_up_measure")
            if group["kind"] == "case":
                assert measure is None, f"{name}: {group['id']}: one patient's follow-up has no measure"
                continue
            if months is None:
                assert measure is None, f"{name}: {group['id']}: a measure without a follow-up"
                continue
            checked += 1
            if measure is None or not printed(words, rf"\b{measure} follow-up {months_words(months)}"):
                missing.append(f"{name}: {group['id']}: {measure} follow-up {months:g} months")
    assert checked >= 9 and not missing, "\n".join(missing)


def test_every_stated_time_is_printed_with_its_reference() -> None:
    checked, missing = 0, []
    for name, record, words in imported():
        for group, event in events(record):
            if "at" not in event:
                continue
            reference = next(e for e in group["events"] if e["id"] == event["at"]["after"])
            checked += 1
            after = REFERENCE_WORDS[reference["term"]]
            if not printed(words, months_words(event["at"]["months"]), r"\bafter\b|\bpost-", after):
                missing.append(f"{name}: {group['id']}.{event['id']}: {event['at']} ({reference['term']})")
    assert checked >= 12 and not missing, "\n".join(missing)


def test_every_finding_lasted_as_long_as_its_quoted_words_say() -> None:
    unit = {"year": 12.0, "month": 1.0, "week": 12 / 52, "day": 12 / 365}
    number = r"(\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")[ -](year|month|week|day)s?\b"
    checked, missing = 0, []
    for name, record, _ in imported():
        for group, event in events(record):
            if "duration_months" not in event:
                continue
            checked += 1
            quote = str(event.get("note", "")).partition("as extracted:")[2]
            stated = {
                round((NUMBER_WORDS.index(n) + 1 if n in NUMBER_WORDS else float(n)) * unit[u], 1)
                for n, u in re.findall(number, quote.lower())
            }
            if event["duration_months"] not in stated:
                missing.append(f"{name}: {group['id']}.{event['id']}: {event['duration_months']} not in {quote!r}")
    assert checked >= 19 and not missing, "\n".join(missing)


def test_every_metastasis_site_of_a_series_is_printed_with_its_count() -> None:
    checked, missing = 0, []
    for name, record, words in imported():
        for group, event in events(record):
            if group["kind"] != "cohort" or event["term"] != "DistantMetastasis" or "site" not in event:
                continue
            checked += 1
            patterns = [SITE_WORDS[event["site"]["term"]], r"metasta|recurrence"]
            patterns += [rf"(?<![\w.]){event['count']}\b"] if "count" in event else []
            if not printed(words, *patterns):
                missing.append(f"{name}: {group['id']}.{event['id']}: {event['site']['term']} {event.get('count')}")
    assert checked >= 5 and not missing, "\n".join(missing)


@pytest.mark.parametrize(
    ("record", "group", "measure", "months"),
    [
        ("ivc-12pts-avs-2019", "ivc-12pts-avs-2019-series", "median", "49"),
        ("ivc-20pts-1990-2006", "ivc-20pts-1990-2006-series", "median", "21"),
        ("ivc-6pts-jso-2015", "ivc-6pts-jso-2015-series", "median", "34"),
    ],
)
def test_the_series_disease_free_medians_are_listed_with_source_measure_and_locator(
    graph: KnowledgeGraph, record: str, group: str, measure: str, months: str
) -> None:
    rows = [
        r
        for r in graph.query("series-time-summaries").records()
        if str(r["group"]).endswith(f"/{group}") and r["summarises"] == "disease-free survival"
    ]
    assert [(r["measure"], str(r["months"])) for r in rows] == [(measure, months)]
    (row,) = rows
    label = yaml.safe_load((PROJECT.data / f"{record}.yaml").read_text(encoding="utf-8"))["label"]
    assert row["source_label"] == label and str(row["locator"]).strip()


def test_a_summary_over_fewer_patients_than_the_series_says_how_many(graph: KnowledgeGraph) -> None:
    rows = {
        (str(r["group"]).rsplit("/", 1)[1], r["summarises"]): r for r in graph.query("series-time-summaries").records()
    }
    over_19 = rows[("ivc-20pts-1990-2006-series", "overall survival")]
    assert (str(over_19["months"]), str(over_19["over_patients"]), str(over_19["patients"])) == ("71", "19", "20")
    died = rows[("ivc-22pts-1979-2004-series", "death")]
    assert (died["measure"], str(died["months"]), str(died["over_patients"])) == ("mean", "43.7", "11")


def test_a_series_lung_metastasis_count_is_listed_with_its_denominator(graph: KnowledgeGraph) -> None:
    rows = {str(r["group"]).rsplit("/", 1)[1]: r for r in graph.query("lung-metastases").records()}
    jkss = rows["ivc-6pts-jkss-2012-series"]
    assert (str(jkss["count"]), str(jkss["of"]), jkss["exposure"]) == ("3", "6", "some patients")
    # the lungs among the sites of 9 of 12: some patients, and no count the source does not print
    twelve = rows["ivc-12pts-avs-2019-series"]
    assert twelve["exposure"] == "some patients" and twelve["count"] is None and twelve["of"] is None


# the order and causes the sheets' words state ("after", "led to", "postoperative", "before death"),
# each with the words it rests on; a setting is never read from them
STATED_LINKS = [
    ("aleem-sfv", "aleem-sfv-case", "distant-metastasis-lung", "follows", ["systemic-therapy"],
     "pulmonary metastases after three cycles of chemotherapy"),
    ("iliac-37m-thieme", "iliac-37m-thieme-case", "death", "follows",
     ["distant-metastasis-liver", "distant-metastasis-lung", "distant-metastasis-kidney", "distant-metastasis-spleen"],
     "developed before death"),
    ("ivc-elra-frontiers-2023", "ivc-elra-frontiers-2023-case", "radiotherapy", "follows", ["surgical-resection"],
     "postoperative radiochemotherapy"),
    ("ivc-elra-frontiers-2023", "ivc-elra-frontiers-2023-case", "systemic-therapy", "follows", ["surgical-resection"],
     "postoperative radiochemotherapy"),
    ("ivc-level2-angiologia", "ivc-level2-angiologia-case", "other-surgery", "follows", ["postoperative-complication"],
     "reoperation with partial resection of thrombosed right graft branch (after type 2 MI"),
    ("ivc-level2-angiologia", "ivc-level2-angiologia-case", "postoperative-complication", "follows",
     ["surgical-resection"], "reoperation with partial resection of thrombosed right graft branch"),
    ("ivc-level2-angiologia", "ivc-level2-angiologia-case", "anticoagulation", "follows", ["surgical-resection"],
     "at discharge"),
    ("ivc-6pts-jkss-2012", "ivc-6pts-jkss-2012-series", "lung-resection", "reasons", ["lung-recurrence"],
     "distant recurrence led to lung resection in 3"),
    ("ivc-6pts-jkss-2012", "ivc-6pts-jkss-2012-series", "thigh-muscle-resection", "reasons", ["muscle-recurrence"],
     "thigh-muscle resection in 3"),
]  # fmt: skip


@pytest.mark.parametrize(("record", "group", "event", "field", "targets", "words"), STATED_LINKS)
def test_a_stated_order_or_cause_rests_on_the_words_of_its_entry(
    record: str, group: str, event: str, field: str, targets: list[str], words: str
) -> None:
    name, data, entry = next(r for r in imported() if r[0] == f"{record}.yaml")
    found = next(e for g, e in events(data) if g["id"] == group and e["id"] == event)
    assert found.get(field) == targets, f"{name}: {group}.{event}.{field}"
    if found.get("setting") in ("Adjuvant", "Neoadjuvant"):  # the entry's own word, never read from the order
        assert any(re.search(rf"\b{found['setting']}\b", c, re.IGNORECASE) for c in entry), f"{name}: {event}"
    folded = " ".join(words.lower().split())
    assert any(folded in " ".join(c.lower().split()) for c in entry), f"{name}: {words!r} is not in its entry"


def test_an_invented_summary_fails_the_check_of_its_words() -> None:
    """The check that guards the corpus refuses a median the entry does not print, a mean for a
    median, a range where the words print none, and an outcome the clause does not name."""
    _, record, words = next(r for r in imported() if r[0] == "ivc-12pts-avs-2019.yaml")
    event = next(e for _, e in events(record) if e["id"] == "dfs-median")
    assert printed(words, *summary_patterns(event))
    for wrong in (
        {**event, "time_summary": {"measure": "median", "months": 48}},
        {**event, "time_summary": {"measure": "mean", "months": 49}},
        {**event, "time_summary": {"measure": "median", "months": 49, "low": 8, "high": 88}},
        {**event, "term": "DiseaseSpecificSurvival"},
    ):
        assert not printed(words, *summary_patterns(wrong)), wrong


def test_an_invented_time_or_duration_is_not_found_in_the_words() -> None:
    _, _, words = next(r for r in imported() if r[0] == "gonadal-vein-2019-cris.yaml")
    assert printed(words, months_words(36), r"\bafter\b", REFERENCE_WORDS["SurgicalResection"])
    assert not printed(words, months_words(24), r"\bafter\b", REFERENCE_WORDS["SurgicalResection"])
    assert not printed(words, months_words(36), r"\bafter\b", REFERENCE_WORDS["Diagnosis"])


def test_the_checks_read_every_imported_record() -> None:
    assert len(imported()) == 72


def test_patients_like_mine_show_a_series_summary_with_its_measure(graph: KnowledgeGraph) -> None:
    result = graph.similar(site="InferiorVenaCava", top=80)
    series = next(m for m in result.matches if m.group.endswith("/ivc-12pts-avs-2019-series"))
    texts = {(e.label, e.time_text()) for e in series.events}
    assert {("disease-free survival", "median 49 months"), ("overall survival", "median 127 months")} <= texts
    frame = result.events_to_pandas()
    assert str(frame["summary_months"].dtype) == "float64" and 49.0 in set(frame["summary_months"].dropna())
