"""Reads of the work-plan, always starting from the access policy, and the progress of its
targets.

A target's progress comes from one of three places:

- an indicator the product computes (pupils' reports, incidents, critical incidents, officer
  hours, patrols): the figure for a **school month** over the partnership's schools, so that it
  compares like with like with a baseline taken as a month's figure. The current figure is that
  of the latest full school month (a calendar month, with August, the summer holiday, left
  out), with the months since the baseline's month beside it;
- an imported indicator (the Department for Education's published rates): each school's
  latest published figure, averaged over the partnership's schools, weighted by their numbers
  of pupils when every one of them is known (a plain mean otherwise); figures the publisher
  suppressed are left out, and the page says so. The latest published years are shown beside
  it, combined the same way;
- what is measured by hand: the latest measurement recorded.

The direction wanted is read from the target itself (a target below its baseline wants the
figure down), or, for a target equal to its baseline, from the indicator. A target is met once
the figure reaches it; on track while the figure is at least as good as the straight line from
the baseline (at its date) to the target (at its date) says it should be by the figure's date;
behind otherwise. A figure from before the baseline's date says nothing of progress: the status
waits for a later one.

An imported figure is for a whole academic year, and is placed at the year's end: the figure of
the year a target is set in is the first to say how it went, and the figure of the year before
says nothing of progress since the baseline.

Computed counts are counts over pupils' records. Shown to someone who does not see every school of
the partnership's counts in full, a figure is not shown (nor is the status that would give it
away) when, less the counts of the schools the viewer does see in full, it leaves a count from 1
to 4 of the others; nor when, beside the same month's figure of incidents or critical incidents,
it would give away the incidents that were not critical by difference.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from saferschools.core import access
from saferschools.core.models import Partnership, School
from saferschools.lib.suppression import suppressed_cells
from saferschools.outcomes.computed import (
    COMPUTED_CODES,
    PUPIL_RECORD_CODES,
    computed_by_month,
    month_after,
    month_end,
)
from saferschools.outcomes.models import Indicator, IndicatorValue
from saferschools.outcomes.selectors import latest_values

from .models import (
    ActionProgress,
    PartnerRole,
    Target,
    TargetMeasurement,
    Workplan,
    WorkplanAction,
    WorkplanOutcome,
)
from .workplan_services import OPEN_STATUSES

# The months shown beside a computed target: the most recent this many since its baseline.
SERIES_MONTHS = 24
# The published years shown beside an imported target: the latest this many.
PUBLISHED_PERIODS = 5
# The landing page lists this many of the user's open actions, soonest due first.
LANDING_LIMIT = 10
SUMMER_HOLIDAY_MONTH = 8
# Critical incidents are incidents: shown side by side, their difference is a count too.
INCIDENTS, CRITICAL_INCIDENTS, NOT_CRITICAL = "incidents", "critical_incidents", "not_critical"
# Officer hours are a sum of time, not a count of records.
HIDDEN_NOTE = "Figures that could give away a count from 1 to 4 are not shown"


class ProgressStatus:
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_FIGURE = "no_figure"
    NOT_SHOWN = "not_shown"

    LABELS = {
        MET: "Met",
        ON_TRACK: "On track",
        BEHIND: "Behind",
        NO_FIGURE: "No figure since the baseline",
        NOT_SHOWN: "Not shown",
    }


class ProgressKind:
    COMPUTED = "computed"
    IMPORTED = "imported"
    MEASURED = "measured"


def plain(number: Decimal | None) -> str:
    """A figure without trailing zeros (12, 7.5); empty for none."""
    if number is None:
        return ""
    text = f"{number.normalize():f}"
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Point:
    """One figure of a target's series: a month, a published period, or a measurement."""

    label: str
    value: Decimal | None
    shown: bool = True
    note: str = ""

    @property
    def text(self) -> str:
        return plain(self.value) if self.shown else ""


@dataclass
class Progress:
    """Where a target stands: baseline, current figure, target, and whether it is met, on
    track or behind."""

    target: Target
    kind: str
    current: Decimal | None = None
    current_shown: bool = True
    as_of: date | None = None
    as_of_label: str = ""
    expected: Decimal | None = None
    lower_is_better: bool = True
    status: str = ProgressStatus.NO_FIGURE
    series: list[Point] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    target_passed: bool = False

    @property
    def status_label(self) -> str:
        return ProgressStatus.LABELS[self.status]

    @property
    def current_text(self) -> str:
        return plain(self.current) if self.current_shown else ""

    @property
    def direction_label(self) -> str:
        return "Lower is better" if self.lower_is_better else "Higher is better"

    @property
    def baseline_text(self) -> str:
        return plain(self.target.baseline)

    @property
    def target_text(self) -> str:
        return plain(self.target.target_value)

    @property
    def expected_text(self) -> str:
        if self.expected is None:
            return plain(None)
        indicator = self.target.indicator
        # A count is whole: "12 patrols", not "11.96".
        places = (
            Decimal(1) if indicator is not None and indicator.unit == "count" else Decimal("0.01")
        )
        return plain(self.expected.quantize(places, rounding=ROUND_HALF_UP))

    @property
    def api_current(self) -> Decimal | None:
        return self.current if self.current_shown else None


# Months ------------------------------------------------------------------------------------------


def latest_full_school_month(today: date) -> date:
    """The first day of the latest calendar month that has ended, August (the summer holiday)
    left out."""
    month = month_after(today.replace(day=1), -1)
    return month_after(month, -1) if month.month == SUMMER_HOLIDAY_MONTH else month


def school_months(first: date, last: date) -> list[date]:
    """The first days of the months from ``first``'s to ``last``'s, August left out."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        if month.month != SUMMER_HOLIDAY_MONTH:
            months.append(month)
        month = month_after(month, 1)
    return months


def month_label(month: date) -> str:
    return f"{month:%B %Y}"


# Imported figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Combined:
    """Schools' published figures for one indicator combined into the partnership's."""

    value: Decimal | None
    weighted: bool
    schools: int
    suppressed: int


def combine(pairs: Sequence[tuple[School, IndicatorValue]]) -> Combined:
    """The pupil-weighted mean of the schools' figures when every school's number of pupils is
    known, the plain mean otherwise; suppressed figures left out (and counted)."""
    shown = [(school, value.value) for school, value in pairs if not value.suppressed]
    suppressed = len(pairs) - len(shown)
    numbers = [(school, number) for school, number in shown if number is not None]
    if not numbers:
        return Combined(None, False, 0, suppressed)
    weights = [school.number_of_pupils for school, _ in numbers]
    if all(weights):
        total = sum((Decimal(w) for w in weights if w), Decimal(0))
        mean = (
            sum(
                (Decimal(w) * n for (_, n), w in zip(numbers, weights, strict=True) if w),
                Decimal(0),
            )
            / total
        )
        weighted = True
    else:
        mean = sum((n for _, n in numbers), Decimal(0)) / len(numbers)
        weighted = False
    return Combined(mean.quantize(Decimal("0.01")), weighted, len(numbers), suppressed)


def _combined_notes(combined: Combined, what: str) -> list[str]:
    notes = []
    if combined.schools > 1:
        notes.append(
            f"{what} of {combined.schools} schools, "
            + (
                "weighted by their numbers of pupils"
                if combined.weighted
                else "a plain mean (not every school's number of pupils is known)"
            )
        )
    if combined.suppressed:
        notes.append(
            f"{combined.suppressed} school figure{'s' if combined.suppressed != 1 else ''} "
            "suppressed by the publisher left out"
        )
    return notes


# Progress -----------------------------------------------------------------------------------------


def _judge(progress: Progress) -> None:
    """Set the expected figure and the status from the target and the current figure."""
    target = progress.target
    baseline, goal = target.baseline, target.target_value
    if goal < baseline:
        progress.lower_is_better = True
    elif goal > baseline:
        progress.lower_is_better = False
    else:
        progress.lower_is_better = (
            target.indicator.lower_is_better if target.indicator is not None else True
        )
        if target.indicator is None:
            progress.notes.append(
                "The target is the baseline itself: a lower figure is taken as better"
            )
    if progress.current is None or progress.as_of is None:
        progress.status = ProgressStatus.NO_FIGURE
        return
    if progress.as_of < target.baseline_on:
        # A figure older than the baseline says nothing of progress since.
        progress.status = ProgressStatus.NO_FIGURE
        progress.notes.append(
            "The latest figure is from before the baseline date: progress shows once a later "
            "one comes"
        )
        return
    total = (target.target_on - target.baseline_on).days
    elapsed = min(max((progress.as_of - target.baseline_on).days, 0), total)
    progress.expected = (baseline + (goal - baseline) * Decimal(elapsed) / Decimal(total)).quantize(
        Decimal("0.001")
    )
    current = progress.current
    if progress.lower_is_better:
        met, on_track = current <= goal, current <= progress.expected
    else:
        met, on_track = current >= goal, current >= progress.expected
    if not progress.current_shown:
        progress.status = ProgressStatus.NOT_SHOWN
    elif met:
        progress.status = ProgressStatus.MET
    elif on_track and not progress.target_passed:
        progress.status = ProgressStatus.ON_TRACK
    else:
        # The date has passed without the target reached, as far as the figures go.
        progress.status = ProgressStatus.BEHIND
        if progress.target_passed and progress.as_of < target.target_on:
            progress.notes.append(
                "The target date has passed, and the latest figure is from before it: a figure "
                "from the target date may yet show it met"
            )


Cells = dict[str, dict[date, Decimal]]


def _hidden(totals: Cells, known: Cells) -> set[tuple[str, date]]:
    """The (code, month) figures left out for a viewer who does not see every school's counts
    in full: those that, less what the viewer sees in full (``known``), leave a count from 1 to
    4 of the other schools, and those that would give one away by difference from another
    shown beside it (incidents that were not critical)."""
    hidden: set[tuple[str, date]] = set()
    months = sorted({month for figures in totals.values() for month in figures})
    for month in months:
        unknown = {
            code: figures[month] - known.get(code, {}).get(month, Decimal(0))
            for code, figures in totals.items()
            if month in figures
        }
        counts: dict[Any, int] = {}
        for code, value in unknown.items():
            # Officers' hours and patrols are about their work, not pupils: never suppressed.
            if code in PUPIL_RECORD_CODES:
                counts[code] = int(value)
        relations: list[tuple[Any, list[Any]]] = []
        if INCIDENTS in counts and CRITICAL_INCIDENTS in counts:
            counts[NOT_CRITICAL] = counts[INCIDENTS] - counts[CRITICAL_INCIDENTS]
            relations.append((INCIDENTS, [CRITICAL_INCIDENTS, NOT_CRITICAL]))
        hidden |= {(code, month) for code in suppressed_cells(counts, relations) if code in totals}
    return hidden


@dataclass(frozen=True)
class Counts:
    """The partnership's schools, and those of them whose counts the viewer sees in full."""

    schools: list[School]
    seen: list[School]

    @property
    def full(self) -> bool:
        return len(self.seen) == len(self.schools)


def counts_for(*, user: Any, schools: Iterable[School]) -> Counts:
    """The schools with those of them whose own counts of reports and incidents the user sees
    in full: a total over them, less those the user sees, would give the others away."""
    schools = list(schools)
    full = access.schools_with_counts_in_full(user, schools)
    return Counts(schools, [s for s in schools if s.pk in full])


def _computed_months(
    codes: Iterable[str], counts: Counts, first: dict[str, date], last: date
) -> tuple[Cells, set[tuple[str, date]]]:
    """Each code's figures by month from ``first[code]`` to ``last``, and the (code, month)
    figures the viewer may not see. One query per code, two for a viewer who sees some of the
    schools' counts in full but not all."""
    totals: Cells = {}
    known: Cells = {}
    for code in codes:
        totals[code] = computed_by_month(
            code=code, schools=counts.schools, first=first[code], last=last
        )
        if counts.seen and not counts.full:
            known[code] = computed_by_month(
                code=code, schools=counts.seen, first=first[code], last=last
            )
    hidden = set() if counts.full else _hidden(totals, known)
    return totals, hidden


def _computed_progress(
    targets: list[Target], counts: Counts, today: date
) -> dict[uuid.UUID, Progress]:
    found: dict[uuid.UUID, Progress] = {}
    latest = latest_full_school_month(today)
    # Twenty-four school months span twenty-six calendar months at most (two Augusts).
    earliest = month_after(latest, -(SERIES_MONTHS + 2))
    firsts = {
        target.pk: max(min(target.baseline_on.replace(day=1), latest), earliest)
        for target in targets
    }
    by_code: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        by_code[target.indicator_id].append(target)  # type: ignore[index]
    totals, hidden = _computed_months(
        by_code,
        counts,
        {code: min(firsts[t.pk] for t in group) for code, group in by_code.items()},
        latest,
    )
    schools = len(counts.schools)
    for code, group in by_code.items():
        months = totals[code]
        for target in group:
            shown_months = school_months(firsts[target.pk], latest)[-SERIES_MONTHS:]
            series = [
                Point(month_label(month), months[month], (code, month) not in hidden)
                for month in shown_months
            ]
            progress = Progress(
                target=target,
                kind=ProgressKind.COMPUTED,
                current=months[latest],
                current_shown=(code, latest) not in hidden,
                as_of=month_end(latest),
                as_of_label=month_label(latest),
                series=series,
                target_passed=today > target.target_on,
            )
            progress.notes.append(
                f"The figure for each school month (August left out), over the partnership's "
                f"{schools} school{'s' if schools != 1 else ''}, as recorded in SaferSchools"
            )
            if any(not point.shown for point in series):
                progress.notes.append(HIDDEN_NOTE)
            _judge(progress)
            found[target.pk] = progress
    return found


def period_end(period_start: date) -> date:
    """The last day of the year that starts on ``period_start`` (an academic year starts on 1
    September, and ends on 31 August)."""
    following = month_after(period_start.replace(day=1), 12)
    return following + timedelta(days=period_start.day - 2)


def _imported_progress(
    targets: list[Target], schools: list[School], today: date
) -> dict[uuid.UUID, Progress]:
    found: dict[uuid.UUID, Progress] = {}
    codes = {target.indicator_id for target in targets}
    by_school = {school.pk: school for school in schools}
    values: dict[str, list[IndicatorValue]] = defaultdict(list)
    for value in IndicatorValue.objects.filter(
        school_id__in=list(by_school), indicator_id__in=codes, period_start__lte=today
    ).order_by("period_start"):
        values[value.indicator_id].append(value)
    for target in targets:
        rows = values.get(target.indicator_id, [])  # type: ignore[arg-type]
        latest: dict[uuid.UUID, IndicatorValue] = {}
        periods: dict[tuple[date, str], list[tuple[School, IndicatorValue]]] = defaultdict(list)
        for value in rows:
            assert value.school_id is not None
            latest[value.school_id] = value
            periods[(value.period_start, value.period)].append((by_school[value.school_id], value))
        pairs = [(by_school[school_id], value) for school_id, value in latest.items()]
        combined = combine(pairs)
        used = [value for _, value in pairs if not value.suppressed]
        labels = sorted({value.period for value in used})
        starts = [value.period_start for value in used]
        progress = Progress(
            target=target,
            kind=ProgressKind.IMPORTED,
            current=combined.value,
            # A year's figure tells how the whole year went: it stands at the year's end.
            as_of=period_end(max(starts)) if starts else None,
            as_of_label=" to ".join([labels[0], labels[-1]] if len(labels) > 1 else labels),
            target_passed=today > target.target_on,
        )
        # Published figures come a year or more after the year they are for: the latest few
        # years are shown, whatever the baseline's date, to set the current figure in context.
        for (_, period), members in sorted(periods.items())[-PUBLISHED_PERIODS:]:
            one = combine(members)
            note = f"{one.suppressed} suppressed" if one.suppressed else ""
            progress.series.append(Point(period, one.value, True, note))
        progress.notes.extend(_combined_notes(combined, "The mean"))
        if len(labels) > 1:
            progress.notes.append("The schools' latest published figures are of different years")
        _judge(progress)
        found[target.pk] = progress
    return found


def _measured_progress(targets: list[Target], today: date) -> dict[uuid.UUID, Progress]:
    found = {}
    for target in targets:
        # Prefetched in date order (``workplan_get``), recorded order breaking ties.
        measurements = sorted(
            target.measurements.all(), key=lambda m: (m.measured_on, m.recorded_at)
        )
        last = measurements[-1] if measurements else None
        progress = Progress(
            target=target,
            kind=ProgressKind.MEASURED,
            current=last.value if last else None,
            as_of=last.measured_on if last else None,
            as_of_label=f"measured {last.measured_on.day} {last.measured_on:%B %Y}" if last else "",
            series=[
                Point(f"{m.measured_on.day} {m.measured_on:%B %Y}", m.value, True, m.note)
                for m in measurements
            ],
            target_passed=today > target.target_on,
        )
        _judge(progress)
        found[target.pk] = progress
    return found


def target_progress(
    *, targets: Iterable[Target], counts: Counts, today: date
) -> dict[uuid.UUID, Progress]:
    """Each target's progress, keyed by target id, over the partnership's schools as the viewer
    may see it (``counts_for``): one query for every imported figure, one for each computed
    indicator used (five at most; two for a viewer who sees some of the schools' counts in full
    but not all), and none for measured targets, whose measurements are prefetched
    (``workplan_get``)."""
    targets = list(targets)
    computed = [t for t in targets if t.indicator_id in COMPUTED_CODES]
    imported = [t for t in targets if t.indicator_id and t.indicator_id not in COMPUTED_CODES]
    measured = [t for t in targets if not t.indicator_id]
    found = _computed_progress(computed, counts, today) if computed else {}
    if imported:
        found.update(_imported_progress(imported, counts.schools, today))
    found.update(_measured_progress(measured, today))
    return found


@dataclass(frozen=True)
class Hint:
    """The latest figure of an indicator for the partnership, offered as a target's baseline."""

    value: Decimal | None
    shown: bool
    label: str

    @property
    def text(self) -> str:
        if self.value is None:
            return "no figure yet"
        if not self.shown:
            return "not shown (it could give away a count from 1 to 4)"
        return f"{plain(self.value)} ({self.label})"


def baseline_hints(*, counts: Counts, today: date) -> dict[str, Hint]:
    """The partnership's latest figure of each indicator of the catalogue, by code: the latest
    published figures combined, and the computed figures of the latest full school month, as
    the viewer may see them (``counts_for``). One query for the published figures and one (or
    two) for each computed indicator."""
    schools = counts.schools
    hints: dict[str, Hint] = {}
    indicators = list(Indicator.objects.order_by("name"))
    imported = [i.code for i in indicators if i.code not in COMPUTED_CODES]
    latest = latest_values(schools=schools, codes=imported, until=today)
    for code in imported:
        pairs = [(s, latest[(s.pk, code)]) for s in schools if (s.pk, code) in latest]
        combined = combine(pairs)
        periods = sorted({value.period for _, value in pairs if not value.suppressed})
        hints[code] = Hint(combined.value, True, ", ".join(periods) or "no figure")
    month = latest_full_school_month(today)
    codes = sorted(COMPUTED_CODES)
    totals, hidden = _computed_months(codes, counts, dict.fromkeys(codes, month), month)
    for code in codes:
        hints[code] = Hint(totals[code][month], (code, month) not in hidden, month_label(month))
    return hints


# The plan -----------------------------------------------------------------------------------------


def workplan_years(*, partnership: Partnership) -> list[int]:
    """The academic years (start years) the partnership has a plan for, latest first."""
    return list(
        Workplan.objects.filter(partnership=partnership)
        .order_by("-year")
        .values_list("year", flat=True)
    )


def workplan_get(*, partnership: Partnership, year: int) -> Workplan | None:
    """The partnership's plan for the year, with its outcomes in order and, under each, its
    partner roles, actions (with owners) and targets (with indicators and measurements); a
    constant number of queries however large the plan. The caller reached the partnership
    through the access policy."""
    return (
        Workplan.objects.filter(partnership=partnership, year=year)
        .select_related("agreed_by", "created_by", "partnership")
        .prefetch_related(
            Prefetch("outcomes", queryset=WorkplanOutcome.objects.order_by("position", "text")),
            Prefetch(
                "outcomes__partner_roles",
                queryset=PartnerRole.objects.select_related("agency").order_by("partner"),
            ),
            Prefetch(
                "outcomes__actions",
                queryset=WorkplanAction.objects.select_related("owner").order_by(
                    "due_on", "description"
                ),
            ),
            Prefetch(
                "outcomes__targets",
                queryset=Target.objects.select_related("indicator").order_by(
                    "target_on", "description"
                ),
            ),
            Prefetch(
                "outcomes__targets__measurements",
                queryset=TargetMeasurement.objects.order_by("measured_on", "recorded_at"),
            ),
        )
        .first()
    )


def workplan_targets(workplan: Workplan) -> list[Target]:
    """Every target of a plan fetched with ``workplan_get``, outcome by outcome."""
    return [target for outcome in workplan.outcomes.all() for target in outcome.targets.all()]


def workplan_changed_after_agreement(*, workplan: Workplan) -> datetime | None:
    """When an agreed plan was last changed after it was agreed (``None`` if it has not been
    since it was last agreed, or is not agreed)."""
    if workplan.status != Workplan.Status.AGREED:
        return None
    return workplan.changed_since_agreed_at


def _get_under_plan(
    queryset: QuerySet[Any], path: str, user: Any, object_id: Any, *, write: bool, noun: str
) -> Any:
    plans = access.scope(user, Workplan, write=write)
    try:
        return queryset.get(pk=object_id, **{f"{path}__in": plans.values("pk")})
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404(f"No {noun} found.") from None


def outcome_for_user(user: Any, outcome_id: Any, *, write: bool = False) -> WorkplanOutcome:
    """An outcome of a plan the user reads (or, with ``write``, keeps); else ``Http404``."""
    queryset = WorkplanOutcome.objects.select_related("workplan__partnership")
    return _get_under_plan(queryset, "workplan", user, outcome_id, write=write, noun="outcome")


def role_for_user(user: Any, role_id: Any, *, write: bool = False) -> PartnerRole:
    """A partner role of a plan the user reads (or keeps); else ``Http404``."""
    queryset = PartnerRole.objects.select_related("outcome__workplan__partnership", "agency")
    return _get_under_plan(
        queryset, "outcome__workplan", user, role_id, write=write, noun="partner role"
    )


def target_for_user(user: Any, target_id: Any, *, write: bool = False) -> Target:
    """A target of a plan the user reads (or keeps); else ``Http404``."""
    queryset = Target.objects.select_related("outcome__workplan__partnership", "indicator")
    return _get_under_plan(
        queryset, "outcome__workplan", user, target_id, write=write, noun="target"
    )


def action_for_user(user: Any, action_id: Any, *, write: bool = False) -> WorkplanAction:
    """An action the user reads, or with ``write`` may update the progress of (its owner or one
    who keeps the plan), with its outcome, plan and owner; else ``Http404``."""
    found = access.get_workplan_action_for_user(user, action_id, write=write)
    return WorkplanAction.objects.select_related("owner", "outcome__workplan__partnership").get(
        pk=found.pk
    )


def action_for_governor(user: Any, action_id: Any) -> WorkplanAction:
    """An action of a plan the user keeps (to change what it is, whose and when, or remove
    it: its owner alone may not); else ``Http404``."""
    queryset = WorkplanAction.objects.select_related("owner", "outcome__workplan__partnership")
    return _get_under_plan(
        queryset, "outcome__workplan", user, action_id, write=True, noun="action"
    )


def action_progress(*, action: WorkplanAction) -> list[ActionProgress]:
    """The action's progress notes, latest first, with who wrote each."""
    return list(action.progress.select_related("by").order_by("-at"))


# The landing page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LandingActions:
    actions: list[WorkplanAction]
    overdue_ids: frozenset[uuid.UUID]
    count: int
    overdue_count: int


def landing_actions(*, user: Any, today: date) -> LandingActions | None:
    """The open actions the user owns in plans of partnerships they still reach, soonest due
    first (the first ``LANDING_LIMIT``), with how many there are and how many are overdue;
    ``None`` when there are none. Two queries at most."""
    open_actions = access.scope(user, WorkplanAction).filter(owner=user, status__in=OPEN_STATUSES)
    listed = list(
        open_actions.select_related("outcome__workplan__partnership").order_by(
            "due_on", "description"
        )[:LANDING_LIMIT]
    )
    if not listed:
        return None
    overdue = frozenset(action.pk for action in listed if action.due_on < today)
    if len(listed) < LANDING_LIMIT:
        count, overdue_count = len(listed), len(overdue)
    else:
        totals = WorkplanAction.objects.filter(pk__in=open_actions.values("pk")).aggregate(
            count=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today))
        )
        count, overdue_count = totals["count"], totals["overdue"]
    return LandingActions(listed, overdue, count, overdue_count)
