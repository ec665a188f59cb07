"""How a dashboard's figures read: one panel per indicator, with its periods as a table (the
figure, the comparison schools', the change), the work-plan's baseline and target, and one
sentence that says what the latest figure comes to.

A figure left out (``dashboard_hiding``) is carried as "not shown" and never as a number, so
that nothing downstream, a chart or a sentence, can show it by mistake.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from saferschools.core.models import Partnership, School
from saferschools.lib.charts import Reference
from saferschools.planning.models import Target

from .models import Indicator, PeriodKind
from .periods import Period, period_of, periods_between
from .values import Value

# The periods shown when none are chosen, up to the current one, and the most that can be.
DEFAULT_PERIODS: dict[str, int] = {PeriodKind.YEAR: 5, PeriodKind.TERM: 6, PeriodKind.MONTH: 12}
MAX_PERIODS: dict[str, int] = {PeriodKind.YEAR: 10, PeriodKind.TERM: 15, PeriodKind.MONTH: 36}
KIND_WORDS: dict[str, tuple[str, str]] = {
    PeriodKind.YEAR: ("academic year", "academic years"),
    PeriodKind.TERM: ("term", "terms"),
    PeriodKind.MONTH: ("month", "months"),
}
HIDDEN_NOTE = (
    "“Not shown” marks a figure that could give away a count from 1 to 4 about pupils, or "
    "that rests on fewer than 5 survey answers."
)
PUBLISHER_NOTE = "“Suppressed” marks a figure the publisher left out, to protect small numbers."


class Page:
    SCHOOL = "school"
    PARTNERSHIP = "partnership"
    AREA = "area"


@dataclass(frozen=True)
class Span:
    """The periods of one kind a dashboard shows, oldest first."""

    kind: str
    periods: list[Period]

    @property
    def since(self) -> date:
        return self.periods[0].start

    @property
    def until(self) -> date:
        return self.periods[-1].end

    @property
    def words(self) -> tuple[str, str]:
        return KIND_WORDS[self.kind]


def span_between(kind: str, since: date, until: date) -> Span:
    """The periods of ``kind`` from the one holding ``since`` to the one holding ``until``."""
    return Span(kind, periods_between(kind, since, until))


def span_ending(last: Period) -> Span:
    """The few periods (``DEFAULT_PERIODS``) of ``last``'s kind that end with it."""
    first = last
    for _ in range(DEFAULT_PERIODS[last.kind] - 1):
        first = period_of(first.start - timedelta(days=1), last.kind)
    return span_between(last.kind, first.start, last.start)


def default_span(kind: str, today: date) -> Span:
    """The latest few periods of ``kind``, the current one last."""
    return span_ending(period_of(today, kind))


# Figures as shown ----------------------------------------------------------------------------------


class State:
    FIGURE = "figure"
    NOT_SHOWN = "not_shown"
    PUBLISHER = "publisher"
    NONE = "none"


PLACES: dict[str, int] = {
    Indicator.Unit.COUNT: 0,
    Indicator.Unit.RANK: 0,
    Indicator.Unit.GRADE: 0,
    Indicator.Unit.SCORE: 2,
}
UNIT_AFTER: dict[str, str] = {
    Indicator.Unit.PERCENT: "%",
    Indicator.Unit.PER_100_PUPILS: " per 100 pupils",
    Indicator.Unit.PER_100K: " per 100,000",
    Indicator.Unit.HOURS: " hours",
    Indicator.Unit.DAYS: " days",
}
# Counts and hours add up over schools and periods: set beside a rate they would mislead.
COUNT_UNITS: set[str] = {Indicator.Unit.COUNT, Indicator.Unit.HOURS}


def number_text(number: Decimal, unit: str) -> str:
    """A figure as it reads in a table: whole counts whole, rates to one decimal place."""
    places = PLACES.get(unit, 1)
    if places == 0 and number != number.to_integral_value():
        places = 1
    step = Decimal(1).scaleb(-places)
    return f"{number.quantize(step, rounding=ROUND_HALF_UP):,f}"


def figure_words(number: Decimal, unit: str) -> str:
    """A figure with its unit, for a sentence: "4.2 per 100 pupils", "85.0%", "12"."""
    return number_text(number, unit) + UNIT_AFTER.get(unit, "")


@dataclass(frozen=True)
class Cell:
    """One figure as the viewer may see it; ``value`` is ``None`` unless it is shown."""

    value: Decimal | None
    state: str
    text: str = ""

    @property
    def shown(self) -> bool:
        return self.state == State.FIGURE


NO_FIGURE = Cell(None, State.NONE)
NOT_SHOWN = Cell(None, State.NOT_SHOWN)


def cell_of(value: Value | None, hidden: bool, unit: str) -> Cell:
    """How a value reads for a viewer: suppressed by its publisher, no figure (whatever it
    rests on), left out (``hidden``), or the figure."""
    if value is None:
        return NO_FIGURE
    if value.suppressed:
        return Cell(None, State.PUBLISHER)
    if value.value is None:
        return NO_FIGURE
    if hidden:
        return NOT_SHOWN
    return Cell(value.value, State.FIGURE, number_text(value.value, unit))


@dataclass(frozen=True)
class Row:
    """A period of the panel's table: the figure, the comparison schools' and the change from
    the period before (when both are shown)."""

    period: Period
    subject: Cell
    comparison: Cell | None
    change_text: str
    records: bool  # the viewer may open the records behind the figure


@dataclass(frozen=True)
class UnitRow:
    """A school's or partnership's latest figure, in the table beside its group's."""

    name: str
    cell: Cell
    school: School | None = None
    partnership: Partnership | None = None
    records: bool = False
    total: bool = False


@dataclass(frozen=True)
class UnitTable:
    heading: str
    period: Period
    rows: list[UnitRow]


@dataclass(frozen=True)
class CategoryRow:
    key: str
    label: str
    cell: Cell


@dataclass(frozen=True)
class Breakdown:
    period: Period
    rows: list[CategoryRow]
    heading: str  # what the figure is split by: "category" or "kind"
    withheld: str = ""  # why the split is not shown, when it is not


@dataclass
class Panel:
    """One indicator on a dashboard."""

    indicator: Indicator
    span: Span
    subject: str
    comparison: str
    rows: list[Row]
    kinds: set[str]
    references: list[Reference] = field(default_factory=list)
    target: Target | None = None
    marker: int | None = None
    comparison_schools: list[School] = field(default_factory=list)
    breakdown: Breakdown | None = None
    units: UnitTable | None = None
    notes: list[str] = field(default_factory=list)
    summary: str = ""
    records_school: School | None = None  # the school whose records the figures link to

    @property
    def has_figures(self) -> bool:
        return any(row.subject.state != State.NONE for row in self.rows)

    @property
    def has_comparison_figures(self) -> bool:
        return any(row.comparison is not None and row.comparison.shown for row in self.rows)

    @property
    def kind_available(self) -> bool:
        return self.span.kind in self.kinds

    @property
    def latest_period(self) -> Period | None:
        found = [row.period for row in self.rows if row.subject.state != State.NONE]
        return found[-1] if found else None

    def cells(self) -> list[Cell]:
        found = [row.subject for row in self.rows]
        found += [row.comparison for row in self.rows if row.comparison is not None]
        found += [row.cell for row in self.units.rows] if self.units else []
        found += [row.cell for row in self.breakdown.rows] if self.breakdown else []
        return found


def table_rows(
    span: Span,
    indicator: Indicator,
    subject: dict[str, Value],
    subject_hidden: set[str],
    comparison: dict[str, Value] | None = None,
    comparison_hidden: frozenset[str] | set[str] = frozenset(),
    records: bool = False,
) -> list[Row]:
    """The panel's table: each period's figure, the comparison's, and the change from the
    period before when both are shown."""
    rows: list[Row] = []
    previous: Cell | None = None
    for period in span.periods:
        label = period.label
        cell = cell_of(subject.get(label), label in subject_hidden, indicator.unit)
        other = (
            cell_of(comparison.get(label), label in comparison_hidden, indicator.unit)
            if comparison is not None
            else None
        )
        change = ""
        if previous is not None and previous.value is not None and cell.value is not None:
            change = _signed(cell.value - previous.value, indicator.unit)
        rows.append(
            Row(
                period,
                cell,
                other,
                change,
                records and cell.shown and rests_on_records(subject.get(label)),
            )
        )
        previous = cell
    return rows


def rests_on_records(value: Value | None) -> bool:
    """Whether a figure counts any record, so that a list of them is worth opening."""
    if value is None or value.suppressed:
        return False
    return bool(value.records) if value.records is not None else bool(value.value)


def _signed(number: Decimal, unit: str) -> str:
    text = number_text(abs(number), unit)
    if number > 0:
        return f"+{text}"
    if number < 0:
        return f"\u2212{text}"
    return text


# The work-plan's target, the partnership's start, and the sentence ---------------------------------


def target_references(
    panel: Panel, target: Target | None, page: str
) -> tuple[list[Reference], Target | None]:
    """The work-plan target's baseline and target, to draw across the chart where they are of
    the same figure: a rate, a share or a score whatever the period; a count only on the
    partnership's dashboard by month, as the work-plan counts it for its schools together."""
    if target is None:
        return [], None
    indicator = panel.indicator
    comparable = indicator.unit not in COUNT_UNITS or (
        page == Page.PARTNERSHIP and panel.span.kind == PeriodKind.MONTH
    )
    if not comparable:
        panel.notes.append(
            "The work-plan's target on this indicator counts the partnership's schools together, "
            "month by month: the partnership's dashboard shows it by month."
        )
        return [], target
    return [
        Reference("Baseline", target.baseline),
        Reference("Target", target.target_value),
    ], target


def start_marker(span: Span, started_on: date | None) -> int | None:
    """The index of the first period that starts once the partnership had begun."""
    if started_on is None:
        return None
    for index, period in enumerate(span.periods):
        if period.start >= started_on:
            return index if index > 0 else None
    return None


@dataclass(frozen=True)
class Baseline:
    value: Decimal
    words: str


def baseline_of(panel: Panel, started_on: date | None) -> Baseline | None:
    """What the latest figure is set against: the work-plan's baseline when its target is
    drawn, else the latest figure shown from before the partnership began (for a computed
    figure, only once SaferSchools held some record then)."""
    unit = panel.indicator.unit
    target = panel.target
    if panel.references and target is not None:
        return Baseline(
            target.baseline,
            f"the work-plan's baseline of {figure_words(target.baseline, unit)} "
            f"({target.baseline_on.day} {target.baseline_on:%B %Y})",
        )
    if started_on is None:
        return None
    before = [row for row in panel.rows if row.period.end < started_on and row.subject.shown]
    if panel.indicator.source == Indicator.Source.COMPUTED and not any(
        row.subject.value for row in before
    ):
        # Noughts from before the schools kept their records in SaferSchools say nothing.
        return None
    if not before:
        return None
    row = before[-1]
    assert row.subject.value is not None
    return Baseline(
        row.subject.value,
        f"{figure_words(row.subject.value, unit)} in {row.period.label}, before the "
        "partnership began",
    )


def _better(difference: Decimal, indicator: Indicator) -> str:
    if difference == 0:
        return "no better, no worse"
    return "better" if (difference < 0) == indicator.lower_is_better else "worse"


def summary_sentence(panel: Panel, started_on: date | None) -> str:
    """What the latest figure comes to: against the baseline and the comparison schools, and
    whether that is better or worse, given which way is better."""
    indicator, unit = panel.indicator, panel.indicator.unit
    with_figure = [row for row in panel.rows if row.subject.state != State.NONE]
    if not with_figure:
        return f"There is no figure for {panel.subject} in these {panel.span.words[1]}."
    latest = with_figure[-1]
    better = "lower" if indicator.lower_is_better else "higher"
    if latest.subject.value is None:
        reason = (
            "was suppressed by the publisher"
            if latest.subject.state == State.PUBLISHER
            else "is not shown: it could give away a small number of pupils"
        )
        return f"The latest figure for {panel.subject}, for {latest.period.label}, {reason}."
    value = latest.subject.value
    parts = [f"{panel.subject}: {figure_words(value, unit)} in {latest.period.label}"]
    baseline = baseline_of(panel, started_on)
    if baseline is not None:
        difference = value - baseline.value
        direction = "up" if difference > 0 else "down" if difference < 0 else "the same as"
        amount = f" {number_text(abs(difference), unit)} on" if difference else ""
        parts.append(f"{direction}{amount} {baseline.words}, {_better(difference, indicator)}")
    comparison = latest.comparison
    if comparison is not None and comparison.value is not None:
        words = figure_words(comparison.value, unit)
        if unit in COUNT_UNITS:
            parts.append(f"the {panel.comparison.lower()} together: {words}")
        else:
            judged = _better(value - comparison.value, indicator)
            parts.append(f"the {panel.comparison.lower()}: {words}, so {judged} than them")
    return "; ".join(parts) + f". A {better} figure is better."


def finish(panel: Panel, started_on: date | None) -> Panel:
    """The panel's sentence and notes, once its figures are in."""
    panel.summary = summary_sentence(panel, started_on)
    states = {cell.state for cell in panel.cells()}
    if State.NOT_SHOWN in states:
        panel.notes.append(HIDDEN_NOTE)
    if State.PUBLISHER in states:
        panel.notes.append(PUBLISHER_NOTE)
    return panel
