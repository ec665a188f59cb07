"""Reads of the work-plan, always starting from the access policy, and the progress of its
targets.

A target's progress comes from its indicator's figures for the partnership's schools taken
together (``outcomes.values.group_values``), or from what is measured by hand:

- an indicator the product computes (pupils' reports, incidents, their rates per 100 pupils,
  shares of reports acknowledged in time and of referrals completed, officers' hours and
  patrols...): the figure for a **school month** over the partnership's schools, so that it
  compares like with like with a baseline taken as a month's figure. The current figure is that
  of the latest full school month (a calendar month, with August, the summer holiday, left
  out), with the months since the baseline's month beside it;
- an imported indicator (the Department for Education's published figures): each school's
  latest published figure, combined over the partnership's schools (rates weighted by their
  numbers of pupils when every one of them is known, a plain mean otherwise; grades and scores
  a plain mean, ``values.combine``); figures the publisher suppressed are left out, and the page
  says so. The latest published years are shown beside it, combined the same way. An
  area-level indicator (first-time entrants to the youth justice system) is the area's figure;
- a surveyed indicator (the pupil perception survey): the figure of the latest term in which
  at least five of the partnership's pupils answered, with the terms of the last three academic
  years beside it; a term with fewer answers is not shown to anyone;
- what is measured by hand: the latest measurement recorded.

The direction wanted is read from the target itself (a target below its baseline wants the
figure down), or, for a target equal to its baseline, from the indicator. A target is met once
the figure reaches it; on track while the figure is at least as good as the straight line from
the baseline (at its date) to the target (at its date) says it should be by the figure's date;
behind otherwise. A figure from before the baseline's date says nothing of progress: the status
waits for a later one.

An imported figure is for a whole academic year, and is placed at the year's end: the figure of
the year a target is set in is the first to say how it went, and the figure of the year before
says nothing of progress since the baseline. A survey's figure is placed at the end of its term,
or today if the term has not ended.

Computed figures about pupils' records are not shown to someone who does not see every school
of the partnership's counts in full when they could give away a count from 1 to 4, by
themselves, less what the viewer sees in full, or beside the figures of the schools one by one
(``outcomes.indicator_suppression.group_hidden``); nor is the status that would give them away.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from saferschools.core import access
from saferschools.core.models import Partnership, School
from saferschools.lib.schooldays import academic_year_of
from saferschools.lib.suppression import SUPPRESS_BELOW
from saferschools.outcomes.computed import COMPUTED_CODES, month_after, month_end
from saferschools.outcomes.indicator_suppression import group_hidden
from saferschools.outcomes.models import Indicator, PeriodKind
from saferschools.outcomes.periods import FIRST_YEAR, parse_period, periods_between
from saferschools.outcomes.selectors import latest_values
from saferschools.outcomes.values import (
    RATE_UNITS,
    Combined,
    Value,
    area_values,
    combine,
    group_values,
    imported_group,
    indicator_values,
)

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
# The academic years of survey terms shown beside a surveyed target: this one and the two before.
SURVEY_YEARS = 3
# The landing page lists this many of the user's open actions, soonest due first.
LANDING_LIMIT = 10
SUMMER_HOLIDAY_MONTH = 8
EARLIEST = date(FIRST_YEAR, 9, 1)
HIDDEN_NOTE = "Figures that could give away a count from 1 to 4 are not shown"
# Computed rates with no figure when a school's number of pupils is not known.
PER_100_CODES = frozenset({"reports_per_100", "incidents_per_100"})
FEW_ANSWERS = f"fewer than {SUPPRESS_BELOW} pupils answered"


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
    AREA = "area"
    SURVEYED = "surveyed"
    MEASURED = "measured"


def plain(number: Decimal | None) -> str:
    """A figure without trailing zeros (12, 7.5); empty for none."""
    if number is None:
        return ""
    text = f"{number.normalize():f}"
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Point:
    """One figure of a target's series: a month, a published year, a survey's term, or a
    measurement."""

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


def _month_key(month: date) -> str:
    """A month's period label, as values are keyed: "2026-02"."""
    return f"{month:%Y-%m}"


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


def _by_code(targets: Iterable[Target]) -> dict[str, list[Target]]:
    found: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        found[target.indicator_id].append(target)  # type: ignore[index]
    return found


def _hidden(counts: Counts, codes: Iterable[str], first: date, last: date) -> set[tuple[str, str]]:
    """The (code, month label) figures of the partnership the viewer may not see."""
    if counts.full:
        return set()
    months = periods_between(PeriodKind.MONTH, first, last)
    return group_hidden(schools=counts.schools, seen=counts.seen, codes=codes, periods=months)


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
    by_code = _by_code(targets)
    months = {
        code: group_values(
            indicator=group[0].indicator,  # type: ignore[arg-type]
            schools=counts.schools,
            kind=PeriodKind.MONTH,
            since=min(firsts[t.pk] for t in group),
            until=month_end(latest),
        )
        for code, group in by_code.items()
    }
    hidden = _hidden(counts, by_code, min(firsts.values()), month_end(latest))
    schools = len(counts.schools)
    for code, group in by_code.items():
        figures = months[code]
        for target in group:
            series = []
            for month in school_months(firsts[target.pk], latest)[-SERIES_MONTHS:]:
                figure = figures.get(_month_key(month))
                shown = (code, _month_key(month)) not in hidden
                series.append(Point(month_label(month), figure.value if figure else None, shown))
            current = figures.get(_month_key(latest))
            progress = Progress(
                target=target,
                kind=ProgressKind.COMPUTED,
                current=current.value if current else None,
                current_shown=(code, _month_key(latest)) not in hidden,
                as_of=month_end(latest),
                as_of_label=month_label(latest),
                series=series,
                target_passed=today > target.target_on,
            )
            progress.notes.append(
                f"The figure for each school month (August left out), over the partnership's "
                f"{schools} school{'s' if schools != 1 else ''}, as recorded in SaferSchools"
            )
            if progress.current is None and code in PER_100_CODES:
                progress.notes.append(
                    "No rate per 100 pupils: not every school's number of pupils is known"
                )
            if any(not point.shown for point in series):
                progress.notes.append(HIDDEN_NOTE)
            _judge(progress)
            found[target.pk] = progress
    return found


def _combined_notes(combined: Combined, what: str, by_pupils: bool) -> list[str]:
    notes = []
    if combined.schools > 1:
        if combined.weighted:
            how = "weighted by their numbers of pupils"
        elif by_pupils:
            how = "a plain mean (not every school's number of pupils is known)"
        else:
            how = "a plain mean"
        notes.append(f"{what} of {combined.schools} schools, {how}")
    if combined.suppressed:
        notes.append(
            f"{combined.suppressed} school figure{'s' if combined.suppressed != 1 else ''} "
            "suppressed by the publisher left out"
        )
    return notes


def _published_point(label: str, value: Value) -> Point:
    suppressed = value.parts.get("suppressed", 0) if value.parts else int(value.suppressed)
    return Point(label, value.value, True, f"{suppressed} suppressed" if suppressed else "")


def _imported_progress(
    targets: list[Target], schools: list[School], today: date
) -> dict[uuid.UUID, Progress]:
    found: dict[uuid.UUID, Progress] = {}
    for group in _by_code(targets).values():
        indicator = group[0].indicator
        assert indicator is not None
        by_pupils = indicator.unit in RATE_UNITS
        by_school = indicator_values(
            indicator=indicator, schools=schools, kind=PeriodKind.YEAR, since=EARLIEST, until=today
        )
        years = imported_group(indicator=indicator, schools=schools, by_school=by_school)
        pairs = [
            (school, list(by_school[school.pk].values())[-1])
            for school in schools
            if by_school[school.pk]
        ]
        combined = combine(pairs, by_pupils=by_pupils)
        used = [value for _, value in pairs if not value.suppressed]
        labels = sorted({value.period.label for value in used})
        # A year's figure tells how the whole year went: it stands at the year's end.
        as_of = max((value.period.end for value in used), default=None)
        for target in group:
            progress = Progress(
                target=target,
                kind=ProgressKind.IMPORTED,
                current=combined.value,
                as_of=as_of,
                as_of_label=" to ".join([labels[0], labels[-1]] if len(labels) > 1 else labels),
                target_passed=today > target.target_on,
                # Published figures come a year or more after the year they are for: the
                # latest few years are shown, whatever the baseline's date, to set the current
                # figure in context.
                series=[
                    _published_point(label, value)
                    for label, value in list(years.items())[-PUBLISHED_PERIODS:]
                ],
            )
            progress.notes.extend(_combined_notes(combined, "The mean", by_pupils))
            if len(labels) > 1:
                progress.notes.append(
                    "The schools' latest published figures are of different years"
                )
            _judge(progress)
            found[target.pk] = progress
    return found


def _area_progress(targets: list[Target], today: date) -> dict[uuid.UUID, Progress]:
    """Targets on an area-level indicator: the area's own published figure."""
    found: dict[uuid.UUID, Progress] = {}
    read: dict[tuple[str, uuid.UUID], dict[str, Value]] = {}
    for target in targets:
        indicator = target.indicator
        assert indicator is not None
        area_id = target.outcome.workplan.partnership.area_id
        if (indicator.code, area_id) not in read:
            read[(indicator.code, area_id)] = area_values(
                indicator=indicator, area=area_id, kind=PeriodKind.YEAR, since=EARLIEST, until=today
            )
        years = read[(indicator.code, area_id)]
        figures = [value for value in years.values() if value.value is not None]
        latest = figures[-1] if figures else None
        progress = Progress(
            target=target,
            kind=ProgressKind.AREA,
            current=latest.value if latest else None,
            as_of=latest.period.end if latest else None,
            as_of_label=latest.period.label if latest else "",
            target_passed=today > target.target_on,
            series=[
                _published_point(label, value)
                for label, value in list(years.items())[-PUBLISHED_PERIODS:]
            ],
        )
        progress.notes.append(
            "The figure for the whole area, as its partners publish it: the partnership's "
            "schools are part of it"
        )
        _judge(progress)
        found[target.pk] = progress
    return found


def _survey_terms(indicator: Indicator, schools: list[School], today: date) -> list[Value]:
    """The partnership's survey figures for the indicator, term by term over the last
    ``SURVEY_YEARS`` academic years, for the terms in which any pupil answered."""
    since = date(academic_year_of(today) - SURVEY_YEARS + 1, 9, 1)
    terms = group_values(
        indicator=indicator, schools=schools, kind=PeriodKind.TERM, since=since, until=today
    )
    return [value for value in terms.values() if value.respondents]


def _answered(value: Value) -> bool:
    """Whether enough pupils answered for the figure to be shown (to anyone)."""
    return value.value is not None and (value.respondents or 0) >= SUPPRESS_BELOW


def _surveyed_progress(
    targets: list[Target], schools: list[School], today: date
) -> dict[uuid.UUID, Progress]:
    found: dict[uuid.UUID, Progress] = {}
    for group in _by_code(targets).values():
        indicator = group[0].indicator
        assert indicator is not None
        terms = _survey_terms(indicator, schools, today)
        shown = [value for value in terms if _answered(value)]
        latest = shown[-1] if shown else None
        series = [
            Point(
                value.period.label,
                value.value,
                _answered(value),
                f"{value.respondents} pupils answered" if _answered(value) else FEW_ANSWERS,
            )
            for value in terms
        ]
        for target in group:
            progress = Progress(
                target=target,
                kind=ProgressKind.SURVEYED,
                current=latest.value if latest else None,
                as_of=min(latest.period.end, today) if latest else None,
                as_of_label=latest.period.label if latest else "",
                series=series,
                target_passed=today > target.target_on,
            )
            progress.notes.append(
                "The pupil perception survey's answers of the partnership's pupils taken "
                "together, term by term"
            )
            if terms and terms[-1] is not latest:
                progress.notes.append(
                    f"A later survey is not shown: {FEW_ANSWERS}, too few to say anything "
                    "without pointing to a pupil"
                )
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


def _kind_of(target: Target) -> str:
    if target.indicator_id is None:
        return ProgressKind.MEASURED
    if target.indicator_id in COMPUTED_CODES:
        return ProgressKind.COMPUTED
    indicator = target.indicator
    assert indicator is not None
    if indicator.source == Indicator.Source.SURVEYED:
        return ProgressKind.SURVEYED
    if indicator.level == Indicator.Level.AREA:
        return ProgressKind.AREA
    return ProgressKind.IMPORTED


def target_progress(
    *, targets: Iterable[Target], counts: Counts, today: date
) -> dict[uuid.UUID, Progress]:
    """Each target's progress, keyed by target id, over the partnership's schools as the viewer
    may see it (``counts_for``). A fixed number of queries whatever the number of targets: one
    to three for each computed indicator used (and, for a viewer who does not see every school's
    counts in full, those of the indicators sharing their records), one for each imported
    indicator, the survey's reading of each surveyed one, and none for measured targets, whose
    measurements are prefetched (``workplan_get``)."""
    by_kind: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        by_kind[_kind_of(target)].append(target)
    found: dict[uuid.UUID, Progress] = {}
    if by_kind[ProgressKind.COMPUTED]:
        found.update(_computed_progress(by_kind[ProgressKind.COMPUTED], counts, today))
    if by_kind[ProgressKind.IMPORTED]:
        found.update(_imported_progress(by_kind[ProgressKind.IMPORTED], counts.schools, today))
    found.update(_area_progress(by_kind[ProgressKind.AREA], today))
    if by_kind[ProgressKind.SURVEYED]:
        found.update(_surveyed_progress(by_kind[ProgressKind.SURVEYED], counts.schools, today))
    found.update(_measured_progress(by_kind[ProgressKind.MEASURED], today))
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


def _imported_hints(
    indicators: list[Indicator], schools: list[School], today: date
) -> dict[str, Hint]:
    latest = latest_values(schools=schools, codes=[i.code for i in indicators], until=today)
    hints: dict[str, Hint] = {}
    for indicator in indicators:
        pairs: list[tuple[School, Value]] = []
        for school in schools:
            stored = latest.get((school.pk, indicator.code))
            if stored is not None:
                value = Value(
                    code=indicator.code,
                    period=parse_period(stored.period),
                    value=stored.value,
                    source=indicator.source,
                    suppressed=stored.suppressed,
                )
                pairs.append((school, value))
        combined = combine(pairs, by_pupils=indicator.unit in RATE_UNITS)
        periods = sorted({value.period.label for _, value in pairs if not value.suppressed})
        hints[indicator.code] = Hint(combined.value, True, ", ".join(periods) or "no figure")
    return hints


def _latest_shown(values: Iterable[Value]) -> Value | None:
    figures = [value for value in values if value.value is not None]
    return figures[-1] if figures else None


def baseline_hints(*, counts: Counts, today: date) -> dict[str, Hint]:
    """The partnership's latest figure of each indicator of the catalogue, by code, as the
    viewer may see it (``counts_for``): the schools' latest published figures combined, the
    area's latest for an area-level indicator, the latest survey term at least five pupils
    answered in, and the computed figures of the latest full school month. A fixed number of
    queries: one for the published figures, one for the area's, and those of each computed
    and surveyed indicator's reading."""
    schools = counts.schools
    indicators = list(Indicator.objects.order_by("name"))
    hints = _imported_hints(
        [
            i
            for i in indicators
            if i.source == Indicator.Source.IMPORTED and i.level != Indicator.Level.AREA
        ],
        schools,
        today,
    )
    for indicator in indicators:
        if (
            indicator.source == Indicator.Source.IMPORTED
            and indicator.level == Indicator.Level.AREA
        ):
            figure = None
            if schools:
                figure = _latest_shown(
                    area_values(
                        indicator=indicator,
                        area=schools[0].area_id,
                        kind=PeriodKind.YEAR,
                        since=EARLIEST,
                        until=today,
                    ).values()
                )
            hints[indicator.code] = Hint(
                figure.value if figure else None, True, figure.period.label if figure else ""
            )
        elif indicator.source == Indicator.Source.SURVEYED:
            answered = [v for v in _survey_terms(indicator, schools, today) if _answered(v)]
            figure = answered[-1] if answered else None
            hints[indicator.code] = Hint(
                figure.value if figure else None, True, figure.period.label if figure else ""
            )
    month = latest_full_school_month(today)
    computed = [i for i in indicators if i.code in COMPUTED_CODES]
    hidden = _hidden(counts, [i.code for i in computed], month, month_end(month))
    for indicator in computed:
        figure = group_values(
            indicator=indicator,
            schools=schools,
            kind=PeriodKind.MONTH,
            since=month,
            until=month_end(month),
        ).get(_month_key(month))
        hints[indicator.code] = Hint(
            figure.value if figure else None,
            (indicator.code, _month_key(month)) not in hidden,
            month_label(month),
        )
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
