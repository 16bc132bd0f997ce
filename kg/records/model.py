"""Typed records: the shape of one `data/*.yaml` file, before any triple is made."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kg.iris import SLUG

Slug = Annotated[str, StringConstraints(pattern=SLUG.pattern, max_length=120)]
TermName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9]*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Locator = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Year = Annotated[int, Field(ge=1800, le=2100)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


CitationField = Literal[
    "authors", "title", "year", "container", "volume", "issue", "pages", "doi", "pmid", "pmcid", "url"
]


class CitationSupplement(Record):
    """Fields the record lacked, read elsewhere: on a public page (its address is the locator), or
    in the extraction-sheet entry of the work itself, merged into a source held from a review
    (the sheet and entry are the locator)."""

    fields: list[CitationField] = Field(min_length=1, max_length=11)
    locator: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    quote: Text
    confidence: Text
    note: Text | None = None


class Bibliography(Record):
    """The bibliographic record of a source, as printed where it was taken from."""

    authors: Text | None = None
    title: Text | None = None
    year: Year | None = None
    container: Text | None = None
    volume: Text | None = None
    issue: Text | None = None
    pages: Text | None = None
    edition: Text | None = None
    doi: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    pmid: Annotated[str, StringConstraints(pattern=r"^\d{1,9}$")] | None = None
    pmcid: Annotated[str, StringConstraints(pattern=r"^PMC\d{1,9}$")] | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)] | None = None
    taken_from: Slug | None = None
    locator: Locator
    supplements: list[CitationSupplement] = Field(default_factory=list, max_length=20)


class Mapping(Record):
    """How the source's words relate to the term chosen for them, where not exactly: the term is
    `broader` than the phrase, `narrower` than it, or only `related` to it."""

    phrase: Text
    strength: Literal["broader", "narrower", "related"]


class Site(Record):
    term: TermName
    as_printed: Text | None = None
    laterality: TermName | None = None
    branch_of: TermName | None = None  # a branch or tributary of this vein, placed at `term`
    includes: list[TermName] = Field(default_factory=list, max_length=20)
    mapping: Mapping | None = None


class Grade(Record):
    """A numeric grade of a named system, a grade in words, or both; `as_printed` keeps the wording."""

    value: Annotated[int, Field(ge=1, le=4)] | None = None
    system: TermName | None = None
    category: TermName | None = None
    as_printed: Text | None = None


class Percent(Record):
    value: Annotated[float, Field(ge=0, le=100)]
    approximate: bool = False


class MarkerResult(Record):
    marker: TermName
    result: TermName
    extent: Text | None = None


class Tumour(Record):
    histology: TermName | None = None
    histology_as_printed: Text | None = None
    histology_mapping: Mapping | None = None  # the histology term is not exactly the source's words
    site: Site
    growth: TermName | None = None
    grade: Grade | None = None
    ki67_percent: Percent | None = None
    size_cm: Annotated[float, Field(gt=0, le=200)] | None = None
    size_as_printed: Text | None = None
    markers: list[MarkerResult] = Field(default_factory=list, max_length=200)
    note: Text | None = None
    locator: Locator


class TimePoint(Record):
    months: Annotated[float, Field(ge=0, le=1200)]
    after: Slug


class LesionChange(Record):
    lesion: Slug
    trend: TermName
    change_percent: Annotated[float, Field(ge=-100, le=100000)] | None = None
    note: Text | None = None


# fields only some kinds of event may have: field -> the event classes that may
EVENT_ONLY_FIELDS: dict[str, tuple[str, ...]] = {
    "line": ("SystemicTherapy", "TreatmentDecision"),
    "cycles": ("SystemicTherapy",),
    "setting": ("Intervention",),
    "agents": ("Intervention", "TreatmentDecision"),
    "horizon_years": ("SurvivalEstimate",),
    "condition": ("InitialDiagnosis",),
    "status": ("InitialDiagnosis",),
    "refuted_by": ("InitialDiagnosis",),
    "resectable": ("ResectabilityAssessment",),
    "lesions": ("ResponseAssessment",),
    "duration_months": ("Presentation",),
    "time_summary": ("Outcome",),
}


class TimeSummary(Record):
    """A series' summary of a time, with its measure: "median disease-free survival 49 months (range
    2-30)" is {measure: median, months: 49}; the range where the source gives one."""

    measure: Literal["median", "mean"]
    months: Annotated[float, Field(ge=0, le=1200)]
    low: Annotated[float, Field(ge=0, le=1200)] | None = None
    high: Annotated[float, Field(ge=0, le=1200)] | None = None


class Event(Record):
    id: Slug
    term: TermName
    locator: Locator
    exposure: Literal["all", "some", "none"] = "all"
    site: Site | None = None
    at: TimePoint | None = None
    follows: list[Slug] = Field(default_factory=list, max_length=50)
    reasons: list[Slug] = Field(default_factory=list, max_length=20)
    agents: list[TermName] = Field(default_factory=list, max_length=20)
    line: Annotated[int, Field(ge=1, le=20)] | None = None
    cycles: Annotated[int, Field(ge=1, le=200)] | None = None
    condition: TermName | None = None
    status: TermName | None = None
    refuted_by: Slug | None = None
    resectable: bool | None = None
    lesions: list[LesionChange] = Field(default_factory=list, max_length=100)
    setting: TermName | None = None
    count: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    of: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    percent: Annotated[float, Field(ge=0, le=100)] | None = None
    horizon_years: Annotated[float, Field(gt=0, le=100)] | None = None
    frequency: Text | None = None
    duration_months: Annotated[float, Field(gt=0, le=1200)] | None = None  # a finding had lasted this long
    time_summary: TimeSummary | None = None
    finding: Text | None = None
    mapping: Mapping | None = None
    note: Text | None = None


class HistoryItem(Record):
    term: TermName
    note: Text | None = None
    mapping: Mapping | None = None
    locator: Locator


class Caveat(Record):
    """A curator's typed doubt about a group: what it concerns, why, and where that is read."""

    about: Literal["site", "patients", "treatment", "outcome"]
    note: Text
    locator: Locator


class Period(Record):
    start: Year
    end: Year


class GroupLink(Record):
    """A curated link to another group: `overlap` (may share patients) or `same` (the same patients)."""

    group: Slug
    kind: Literal["overlap", "same"]
    basis: Text
    locator: Locator


class Group(Record):
    """One patient (`kind: case`) or a group reported in aggregate (`kind: cohort`)."""

    id: Slug
    kind: Literal["case", "cohort"]
    locator: Locator
    reported_in: Slug | None = None
    n_patients: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    sex: TermName | None = None
    part_of: Slug | None = None
    literature_review: bool = False
    institution: Text | None = None
    period: Period | None = None
    follow_up_months: Annotated[float, Field(ge=0, le=1200)] | None = None
    follow_up_measure: Literal["median", "mean"] | None = None  # a cohort's follow-up, as summarised
    narrated_course: bool = False  # the events are one course, listed in the order the source narrates it
    links: list[GroupLink] = Field(default_factory=list, max_length=100)
    caveats: list[Caveat] = Field(default_factory=list, max_length=20)
    history: list[HistoryItem] = Field(default_factory=list, max_length=100)
    tumour: Tumour | None = None
    events: list[Event] = Field(default_factory=list, max_length=1000)
    note: Text | None = None


class ReferenceEntry(Record):
    number: Annotated[int, Field(ge=1, le=100_000)]
    work: Slug


class InTextCitation(Record):
    id: Slug
    numbers: list[Annotated[int, Field(ge=1, le=100_000)]] = Field(min_length=1, max_length=50)
    works: list[Slug] = Field(min_length=1, max_length=50)
    basis: Literal["number", "content"]
    locator: Locator
    note: Text | None = None


class TableRow(Record):
    table: Annotated[str, StringConstraints(pattern=r"^Table [0-9A-Za-z]+$")]
    row: Annotated[int, Field(ge=1, le=100_000)]
    author_year: Text
    number_printed: Annotated[int, Field(ge=1, le=100_000)] | None = None
    work: Slug
    group: Slug
    location: Text | None = None
    patients: Text | None = None
    presentation: Text | None = None
    treatment: Text | None = None
    outcome: Text | None = None


class Claim(Record):
    id: Slug
    topic: TermName
    statement: Text
    citations: list[Slug] = Field(min_length=1, max_length=50)
    supported_by: list[Slug] = Field(default_factory=list, max_length=50)
    agents: list[TermName] = Field(default_factory=list, max_length=20)
    line: Annotated[int, Field(ge=1, le=20)] | None = None
    evidence_code: Annotated[str, StringConstraints(pattern=r"^ECO:\d{7}$")] | None = None
    locator: Locator


class ReadingLimit(Record):
    """Why what was read of a source is weaker than the publication: a `mirror page` (a copy on
    another site), a `partial text` (cut off, or only part shown), a `machine translation`, or a
    `secondary listing` (facts taken from a page that cites the work)."""

    kind: Literal["mirror page", "partial text", "machine translation", "secondary listing"]
    note: Text


class DistinctWork(Record):
    """A source held in data/ that this one looks like (same title, say) but is not, and what shows it."""

    source: Slug
    basis: Text


class MergedEntry(Record):
    """An extraction-sheet entry whose facts `vskg import` added to this source, the work it names,
    and why the two are one work (the identity rule's basis, or a curator's --same-as)."""

    entry: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    sheet: Text
    basis: Text


class SourceRecord(Record):
    """Everything curated from one source publication: one YAML file."""

    id: Slug
    label: Text
    citation: Bibliography
    study_design: TermName | None = None
    design_basis: Text | None = None
    evidence_level: TermName | None = None
    references: list[ReferenceEntry] = Field(default_factory=list, max_length=10_000)
    citations: list[InTextCitation] = Field(default_factory=list, max_length=10_000)
    table_rows: list[TableRow] = Field(default_factory=list, max_length=10_000)
    groups: list[Group] = Field(default_factory=list, max_length=100_000)
    claims: list[Claim] = Field(default_factory=list, max_length=10_000)
    distinct_from: list[DistinctWork] = Field(default_factory=list, max_length=100)
    merged_entries: list[MergedEntry] = Field(default_factory=list, max_length=100)
    reading_limits: list[ReadingLimit] = Field(default_factory=list, max_length=10)
    synthetic: bool = False
    note: Text | None = None
