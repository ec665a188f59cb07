"""The annual report and business plan (section 3.26 of the guidance): a partnership's year,
read live from every part of the product, and what its steering group writes in.

``annual_report_figures`` gives the report for a partnership and an academic year (``year`` is
the year it starts: 2025 for 2025/26) as plain data: the key numbers; partners and governance
(schools, agencies, the protocol in force, the steering group by kind of member and its
meetings); the officers' activity; pupils' reports and incidents (by month, by category, and
the places with most incidents); casework and sharing in counts; the work-plan's progress; the
work-plan's indicators against baseline and target; the evaluation; and the written sections.
A year not over yet is read up to ``today``.

The report leaves the partnership (governors, funders, the public), so it is the same for every
reader, and no pupil is named or can be picked out: it holds counts only, and every count of
records about pupils from 1 to 4 is shown as "fewer than 5", whoever reads it. So is any count
from which one of those could be worked out by adding or taking away others shown
(``lib.suppression``): the year's total against its months, its categories and its places, a
rate against the count it rests on. Officers' hours and patrols are about their work, not about
pupils, and are shown in full.
"""

import re
import uuid
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count as CountOf
from django.db.models import Q
from django.utils import timezone

from saferschools.activity.models import Activity, ActivityKind
from saferschools.casework.counts import casework_counts, column_groups
from saferschools.casework.models import Meeting
from saferschools.core.models import Partnership, School
from saferschools.incidents.models import IncidentCategory, Place
from saferschools.lib.schooldays import LONDON, academic_year_label, academic_year_of
from saferschools.lib.suppression import SUPPRESS_BELOW, is_small, suppressed_cells
from saferschools.planning.models import (
    ActionStatus,
    Protocol,
    SteeringMeeting,
    SteeringMember,
    Target,
    Workplan,
)
from saferschools.planning.stage import protocol_missing
from saferschools.planning.workplan_selectors import (
    Counts,
    Point,
    Progress,
    ProgressStatus,
    month_label,
    target_progress,
    workplan_get,
    workplan_targets,
)
from saferschools.reporting.models import Category as ReportCategory

from .computed import computed_by_school_and
from .evaluation_selectors import latest_evaluation
from .evaluation_text import interval_text, number_text, p_value_text, result_sentence
from .indicator_suppression import group_hidden
from .models import AnnualReport, Evaluation, Indicator, PeriodKind
from .periods import (
    FIRST_YEAR,
    LAST_YEAR,
    PeriodError,
    parse_period,
    periods_between,
    year_period,
)
from .values import Value, group_values

FEWER_THAN = f"fewer than {SUPPRESS_BELOW}"
NOT_SHOWN = "not shown"
# The places with most incidents listed by name; the rest are counted together.
HOTSPOT_PLACES = 8
HOURS = Decimal("0.1")
NO_PLACE = "No particular place"


# The year ---------------------------------------------------------------------------------------


class ReportYearError(ValueError):
    """A year that names no report of the partnership, in words fit to show whoever gave it."""


_START_YEAR = re.compile(r"^[0-9]{4}$")


def report_year_parse(value: object) -> int:
    """The academic year ``value`` names, as its first year: 2025 for "2025" or "2025/26".
    ``ReportYearError`` for anything else."""
    if value is None or value == "":
        raise ReportYearError("Give the academic year, as 2025 or 2025/26")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ReportYearError("Give the academic year as 2025 or 2025/26")
    text = str(value).strip()
    if _START_YEAR.fullmatch(text):
        year = int(text)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ReportYearError(f"Give a year from {FIRST_YEAR} to {LAST_YEAR}")
        return year
    try:
        period = parse_period(text[:20])
    except PeriodError:
        period = None
    if period is None or period.kind != PeriodKind.YEAR:
        shown = "".join(character for character in text[:20] if character.isprintable())
        raise ReportYearError(f"“{shown}” is not an academic year: give it as 2025 or 2025/26")
    return period.start.year


def report_years(*, partnership: Partnership, today: date | None = None) -> list[int]:
    """The academic years the partnership has a report for, newest first: each from the year
    it began (or was set up, if earlier) to this one, and any it has written for."""
    today = today or timezone.localdate()
    set_up = timezone.localtime(partnership.created_at).date()
    began = min(partnership.started_on or set_up, set_up)
    years = set(range(academic_year_of(began), academic_year_of(today) + 1))
    years |= set(
        AnnualReport.objects.filter(partnership=partnership).values_list("year", flat=True)
    )
    return sorted(years, reverse=True)


def report_year_check(*, partnership: Partnership, year: int, today: date | None = None) -> None:
    """``ReportYearError`` unless the partnership has a report for the year."""
    years = report_years(partnership=partnership, today=today)
    if year not in years:
        shown = ", ".join(academic_year_label(y) for y in sorted(years))
        raise ReportYearError(
            f"There is no report for {academic_year_label(year)}: the partnership has reports "
            f"for {shown}"
        )


def report_get(*, partnership: Partnership, year: int) -> AnnualReport | None:
    """What the partnership has written for the year, if anything yet."""
    return (
        AnnualReport.objects.filter(partnership=partnership, year=year)
        .select_related("evaluation__indicator")
        .first()
    )


# The figures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """A count of records about pupils as every reader sees it: ``value`` is ``None`` when it
    is from 1 to 4 (``text`` "fewer than 5") or would let one be worked out ("not shown")."""

    value: int | None
    text: str


@dataclass(frozen=True)
class Labelled:
    key: str
    label: str
    count: Count


@dataclass(frozen=True)
class Summary:
    schools: int
    pupils_on_roll: int | None  # when every school's number of pupils is known
    reports: Count
    incidents: Count
    referrals: Count
    officer_hours: Decimal
    patrols_planned: int
    patrols_done: int
    steering_meetings: int
    actions_done: int
    actions: int
    targets_met: int
    targets: int


@dataclass(frozen=True)
class SchoolRow:
    urn: int
    name: str
    phase: str
    pupils: int | None


@dataclass(frozen=True)
class AgencyRow:
    name: str
    kind: str
    kind_label: str


@dataclass(frozen=True)
class ProtocolRow:
    """The latest version of the protocol written by the end of the period."""

    version: int
    written_on: date
    in_force: bool
    signed_on: date | None  # when its last partner signed, once every partner has
    review_on: date


@dataclass(frozen=True)
class MemberKind:
    kind: str
    label: str
    members: int


@dataclass(frozen=True)
class MemberRole:
    """An adult member of the steering group, by organisation and role (no name)."""

    kind_label: str
    organisation: str
    role: str


@dataclass(frozen=True)
class Governance:
    schools: list[SchoolRow]
    agencies: list[AgencyRow]
    protocol: ProtocolRow | None
    members: int
    members_by_kind: list[MemberKind]
    member_roles: list[MemberRole]
    meetings_held: list[date]


@dataclass(frozen=True)
class ActivityRow:
    kind: str
    label: str
    hours: Decimal
    sessions: int


@dataclass(frozen=True)
class OfficerActivity:
    by_kind: list[ActivityRow]
    hours: Decimal
    patrols_planned: int  # in term time, up to today, from the officers' active patrol plans
    patrols_done: int  # of those planned, logged on the day
    patrols_logged: int  # every patrol logged, planned or not
    lessons: int
    one_to_ones: int


@dataclass(frozen=True)
class MonthRow:
    month: str  # "2025-09"
    label: str  # "September 2025"
    reports: Count
    incidents: Count


@dataclass(frozen=True)
class Hotspot:
    place: str
    school: str
    count: Count


@dataclass(frozen=True)
class ReportsAndIncidents:
    reports: Count
    incidents: Count
    months: list[MonthRow]
    report_categories: list[Labelled]
    incident_categories: list[Labelled]
    hotspots: list[Hotspot]
    elsewhere: Count | None  # incidents at the other places, or at none; None if no others


@dataclass(frozen=True)
class CaseworkGroup:
    label: str
    counts: list[Labelled]


@dataclass(frozen=True)
class Casework:
    groups: list[CaseworkGroup]
    meetings: Count


@dataclass(frozen=True)
class TargetRow:
    description: str
    outcome: str
    measure: str
    indicator: str | None
    baseline: Decimal
    baseline_on: date
    target: Decimal
    target_on: date
    status: str
    status_label: str

    @property
    def baseline_text(self) -> str:
        return plain(self.baseline)

    @property
    def target_text(self) -> str:
        return plain(self.target)


@dataclass(frozen=True)
class WorkplanProgress:
    exists: bool
    agreed: bool
    agreed_on: date | None
    outcomes: int
    actions_done: int
    actions_overdue: int
    actions_open: int
    actions_dropped: int
    targets: list[TargetRow]
    targets_met: int

    @property
    def actions(self) -> int:
        return self.actions_done + self.actions_overdue + self.actions_open + self.actions_dropped


@dataclass(frozen=True)
class IndicatorPoint:
    period: str
    value: Decimal | None  # None when there is no figure or it is not shown
    text: str


@dataclass(frozen=True)
class IndicatorRow:
    """A work-plan target measured by an indicator: its figures as the target's progress reads
    them (by school month for what the product computes, by published year, by survey term),
    against its baseline and its target."""

    code: str
    name: str
    unit: str
    unit_label: str
    lower_is_better: bool
    source: str
    target: str
    baseline: Decimal
    baseline_on: date
    target_value: Decimal
    target_on: date
    status: str
    status_label: str
    current: IndicatorPoint | None  # the figure the status is judged on
    points: list[IndicatorPoint]
    notes: list[str]

    @property
    def baseline_text(self) -> str:
        return plain(self.baseline)

    @property
    def target_text(self) -> str:
        return plain(self.target_value)


@dataclass(frozen=True)
class EvaluationRow:
    id: str
    indicator: str
    indicator_name: str
    unit_label: str
    lower_is_better: bool
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    treated_schools: int
    comparison_schools: int
    periods: list[str]
    caveats: list[str]
    made_on: date
    named_by_report: bool
    sentence: str  # what the estimate says, in words
    estimate_text: str
    interval_text: str
    p_value_text: str


@dataclass(frozen=True)
class Written:
    """What the partnership writes in (markdown): ``priorities`` and ``resources`` are the
    business plan for the year after."""

    summary: str
    successes: str
    case_studies: str
    further_work: str
    priorities: str
    resources: str
    version: int  # 0 until something is written
    updated_at: datetime | None


@dataclass(frozen=True)
class AnnualReportFigures:
    partnership_id: uuid.UUID
    partnership: str
    area: str
    year: int
    year_label: str
    next_year_label: str
    first_day: date
    last_day: date
    complete: bool  # the year is over
    summary: Summary
    governance: Governance
    activity: OfficerActivity
    reports_and_incidents: ReportsAndIncidents
    casework: Casework
    workplan: WorkplanProgress
    indicators: list[IndicatorRow]
    evaluation: EvaluationRow | None
    written: Written


# Counts every reader may see -----------------------------------------------------------------------


class _Cells:
    """Counts of records about pupils shown together, and how they add up, so that small ones
    and any that would give one away are left out together (``lib.suppression``)."""

    def __init__(self) -> None:
        self.counts: dict[Hashable, int] = {}
        self.relations: list[tuple[Hashable, list[Hashable]]] = []
        self.hidden: set[Hashable] = set()

    def add(self, key: Hashable, count: int) -> Hashable:
        self.counts[key] = count
        return key

    def relate(self, total: Hashable, parts: list[Hashable]) -> None:
        self.relations.append((total, parts))

    def leave_out(self, key: Hashable) -> None:
        """Leave the cell out whatever its count, and whatever would give it away: it is tied
        to a stand-in small count, as ``indicator_suppression`` does."""
        stand_in = ("left out", key)
        self.counts[stand_in] = 1
        self.relate(key, [stand_in])

    def resolve(self) -> None:
        self.hidden = suppressed_cells(self.counts, self.relations)

    def count(self, key: Hashable) -> Count:
        return shown_count(self.counts[key], hidden=key in self.hidden)


def shown_count(count: int, *, hidden: bool = False) -> Count:
    """A count as the report shows it: from 1 to 4 as "fewer than 5", else in full unless it
    is ``hidden`` to protect another."""
    if is_small(count):
        return Count(None, FEWER_THAN)
    if hidden:
        return Count(None, NOT_SHOWN)
    return Count(count, f"{count:,}")


def _whole(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


# Partners and governance ----------------------------------------------------------------------------


def _governance(
    partnership: Partnership, schools: list[School], first: date, last: date
) -> Governance:
    protocol = (
        Protocol.objects.filter(
            partnership=partnership, created_at__lt=_moment(last + timedelta(days=1))
        )
        .prefetch_related("partners__agency", "partners__school")
        .order_by("-version")
        .first()
    )
    agencies: list[AgencyRow] = []
    protocol_row = None
    if protocol is not None:
        partners = list(protocol.partners.all())
        agencies = sorted(
            (
                AgencyRow(p.agency.name, p.agency.kind, p.agency.get_kind_display())
                for p in partners
                if p.agency is not None
            ),
            key=lambda row: row.name,
        )
        signed = [p.signed_at for p in partners if p.signed_at is not None]
        protocol_row = ProtocolRow(
            version=protocol.version,
            written_on=timezone.localtime(protocol.created_at).date(),
            in_force=not protocol_missing(partnership, protocol),
            signed_on=timezone.localtime(max(signed)).date()
            if partners and len(signed) == len(partners)
            else None,
            review_on=protocol.review_on,
        )
    members = list(
        SteeringMember.objects.filter(partnership=partnership, joined_on__lte=last)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .order_by("kind", "organisation", "role")
    )
    by_kind = Counter(member.kind for member in members)
    meetings = (
        SteeringMeeting.objects.filter(
            partnership=partnership,
            held_at__gte=_moment(first),
            held_at__lt=_moment(last + timedelta(days=1)),
        )
        .order_by("held_at")
        .values_list("held_at", flat=True)
    )
    return Governance(
        schools=[SchoolRow(s.urn, s.name, s.phase, s.number_of_pupils) for s in schools],
        agencies=agencies,
        protocol=protocol_row,
        members=len(members),
        members_by_kind=[
            MemberKind(kind, str(label), by_kind[kind])
            for kind, label in SteeringMember.Kind.choices
            if by_kind[kind]
        ],
        member_roles=[
            MemberRole(member.get_kind_display(), member.organisation, member.role)
            for member in members
            if member.kind != SteeringMember.Kind.PUPIL
        ],
        meetings_held=[timezone.localtime(held).date() for held in meetings],
    )


# The officers' activity ----------------------------------------------------------------------------


def _year_value(
    indicators: dict[str, Indicator], code: str, schools: list[School], first: date, last: date
) -> Value | None:
    """The computed indicator for the schools together over the academic year of ``first``."""
    values = group_values(
        indicator=indicators[code], schools=schools, kind=PeriodKind.YEAR, since=first, until=last
    )
    return values.get(academic_year_label(first.year))


def _activity(
    indicators: dict[str, Indicator], schools: list[School], first: date, last: date
) -> OfficerActivity:
    hours = _year_value(indicators, "officer_hours", schools, first, last)
    patrols = _year_value(indicators, "patrols_done_of_planned", schools, first, last)
    # How many entries of each kind: the hours say how long, this how many lessons and talks.
    sessions = dict(
        Activity.objects.filter(
            school__in=schools,
            started_at__gte=_moment(first),
            started_at__lt=_moment(last + timedelta(days=1)),
        )
        .order_by()
        .values("kind")
        .annotate(n=CountOf("id"))
        .values_list("kind", "n")
    )
    by_kind = hours.breakdown if hours is not None else {}
    planned = patrols.breakdown if patrols is not None else {}
    return OfficerActivity(
        by_kind=[
            ActivityRow(
                kind,
                str(label),
                by_kind.get(kind, Decimal(0)).quantize(HOURS),
                sessions.get(kind, 0),
            )
            for kind, label in ActivityKind.choices
        ],
        hours=(
            hours.value if hours is not None and hours.value is not None else Decimal(0)
        ).quantize(HOURS),
        patrols_planned=_whole(planned.get("planned", Decimal(0))),
        patrols_done=_whole(planned.get("done", Decimal(0))),
        patrols_logged=sessions.get(ActivityKind.PATROL, 0),
        lessons=sessions.get(ActivityKind.LESSON, 0),
        one_to_ones=sessions.get(ActivityKind.ONE_TO_ONE, 0),
    )


# Pupils' reports and incidents -------------------------------------------------------------------------


REPORTS, INCIDENTS, ELSEWHERE = "pupil_reports", "incidents", "elsewhere"
TREND_CODES = (REPORTS, INCIDENTS)
ACTIVITY_CODES = ("officer_hours", "patrols_done_of_planned")
YEAR = "year"
UNPLACED = (None, None)


@dataclass(frozen=True)
class _Place:
    key: tuple[Any, Any]
    place: str
    school: str
    count: int


@dataclass
class _Trend:
    """The year's pupils' reports and incidents: by month, in all, by category, and the
    incidents by place."""

    year: str
    months: list[str]
    monthly: dict[str, dict[str, int]]  # code, then month label
    totals: dict[str, int]
    categories: dict[str, dict[str, int]]
    places: list[_Place]


def _places(schools: list[School], first: date, last: date) -> list[_Place]:
    """Incidents at each named place, most first; those at no particular place together."""
    counts = computed_by_school_and(
        code="incidents", field="place", schools=schools, since=first, until=last
    )
    names = {
        place.pk: place.name
        for place in Place.objects.filter(
            pk__in=[p for by_place in counts.values() for p in by_place if p is not None]
        )
    }
    school_names = {school.pk: school.name for school in schools}
    found = []
    unplaced = 0
    for school_id, by_place in counts.items():
        for place_id, value in by_place.items():
            if place_id is None:
                unplaced += _whole(value)
            else:
                found.append(
                    _Place(
                        (school_id, place_id),
                        names[place_id],
                        school_names[school_id],
                        _whole(value),
                    )
                )
    found.sort(key=lambda p: (-p.count, p.place, p.school))
    if unplaced:
        found.append(_Place(UNPLACED, NO_PLACE, "", unplaced))
    return found


def _trend(
    indicators: dict[str, Indicator], schools: list[School], first: date, last: date
) -> _Trend:
    label = academic_year_label(first.year)
    monthly: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    categories: dict[str, dict[str, int]] = {}
    for code in TREND_CODES:
        by_month = group_values(
            indicator=indicators[code],
            schools=schools,
            kind=PeriodKind.MONTH,
            since=first,
            until=last,
        )
        monthly[code] = {
            period.label: _whole(by_month[period.label].value or Decimal(0))
            if period.label in by_month
            else 0
            for period in periods_between(PeriodKind.MONTH, first, last)
        }
        whole = _year_value(indicators, code, schools, first, last)
        totals[code] = _whole(whole.value or Decimal(0)) if whole is not None else 0
        categories[code] = {
            category: _whole(count)
            for category, count in (whole.breakdown if whole is not None else {}).items()
        }
    return _Trend(
        year=label,
        months=[p.label for p in periods_between(PeriodKind.MONTH, first, last)],
        monthly=monthly,
        totals=totals,
        categories=categories,
        places=_places(schools, first, last),
    )


def _add_trend(cells: _Cells, trend: _Trend, hidden_figures: set[tuple[str, str]]) -> list[_Place]:
    """Put the year's reports and incidents in ``cells``: each total is the sum of its months
    and of its categories, and the incidents' also of their places. A month or year that the
    indicators leave out for readers without personal-data access (``group_hidden``: the
    partnership's dashboard, say) is left out here too, so that the two never tell different
    parts. Returns the places listed by name (the rest are counted together as one cell)."""
    for code in TREND_CODES:
        total = cells.add((code, YEAR), trend.totals[code])
        months = [cells.add((code, month), n) for month, n in trend.monthly[code].items()]
        cells.relate(total, months)
        cells.relate(
            total,
            [cells.add((code, "category", c), n) for c, n in trend.categories[code].items()],
        )
        for key, label in [(total, trend.year), *zip(months, trend.monthly[code], strict=True)]:
            if (code, label) in hidden_figures:
                cells.leave_out(key)
    named = [p for p in trend.places if p.key != UNPLACED][:HOTSPOT_PLACES]
    listed = {p.key for p in named}
    rest = sum(p.count for p in trend.places if p.key not in listed)
    parts = [cells.add(("place", p.key), p.count) for p in named]
    if rest or not named:
        parts.append(cells.add(("place", ELSEWHERE), rest))
    cells.relate((INCIDENTS, YEAR), parts)
    return named


def _category_rows(
    cells: _Cells, code: str, counts: dict[str, int], labels: dict[str, str]
) -> list[Labelled]:
    """Categories with something in them, the most first (those not shown after, by name)."""
    rows = [
        Labelled(
            category, labels.get(category, category), cells.count((code, "category", category))
        )
        for category, n in counts.items()
        if n
    ]
    rows.sort(key=lambda row: (row.count.value is None, -(row.count.value or 0), row.label))
    return rows


def _reports_and_incidents(
    cells: _Cells, trend: _Trend, named: list[_Place]
) -> ReportsAndIncidents:
    hotspots = [Hotspot(p.place, p.school, cells.count(("place", p.key))) for p in named]
    # The order says nothing of what is left out: those shown, most first, then the rest.
    hotspots.sort(key=lambda h: (h.count.value is None, -(h.count.value or 0), h.place))
    elsewhere = ("place", ELSEWHERE)
    return ReportsAndIncidents(
        reports=cells.count((REPORTS, YEAR)),
        incidents=cells.count((INCIDENTS, YEAR)),
        months=[
            MonthRow(
                month,
                f"{parse_period(month).start:%B %Y}",
                cells.count((REPORTS, month)),
                cells.count((INCIDENTS, month)),
            )
            for month in trend.months
        ],
        report_categories=_category_rows(
            cells, REPORTS, trend.categories[REPORTS], dict(ReportCategory.choices)
        ),
        incident_categories=_category_rows(
            cells, INCIDENTS, trend.categories[INCIDENTS], dict(IncidentCategory.choices)
        ),
        hotspots=hotspots,
        elsewhere=cells.count(elsewhere) if elsewhere in cells.counts else None,
    )


# Casework and sharing ------------------------------------------------------------------------------


def _casework(schools: list[School], first: date, last: date) -> Casework:
    """The casework counts of the partnership's schools together, as someone who sees no
    school's casework in full sees them (``casework.counts``), and the multi-agency meetings
    held."""
    counted = casework_counts(
        user=AnonymousUser(), schools=schools, since=first, until=last + timedelta(days=1)
    )
    row = counted.total or (counted.rows[0] if counted.rows else None)
    groups = []
    for group in column_groups():
        counts = []
        for column in group.columns:
            value = row.counts[column.key] if row is not None else 0
            counts.append(
                Labelled(
                    column.key,
                    column.label,
                    Count(None, NOT_SHOWN) if value is None else shown_count(value),
                )
            )
        groups.append(CaseworkGroup(group.label, counts))
    meetings = Meeting.objects.filter(
        school__in=schools,
        held_at__gte=_moment(first),
        held_at__lt=_moment(last + timedelta(days=1)),
    ).count()
    return Casework(groups=groups, meetings=shown_count(meetings))


# The work-plan -----------------------------------------------------------------------------------------


def _workplan(
    plan: Workplan | None, progress: dict[uuid.UUID, Progress], today: date
) -> WorkplanProgress:
    if plan is None:
        return WorkplanProgress(False, False, None, 0, 0, 0, 0, 0, [], 0)
    outcomes = list(plan.outcomes.all())
    actions: Counter[str] = Counter()
    for outcome in outcomes:
        for action in outcome.actions.all():
            if action.status == ActionStatus.DONE:
                actions["done"] += 1
            elif action.status == ActionStatus.DROPPED:
                actions["dropped"] += 1
            elif action.due_on < today:
                actions["overdue"] += 1
            else:
                actions["open"] += 1
    outcome_of = {outcome.pk: outcome.text for outcome in outcomes}
    rows = [
        TargetRow(
            description=target.description,
            outcome=outcome_of[target.outcome_id],
            measure=target.indicator.name if target.indicator else target.measure,
            indicator=target.indicator_id,
            baseline=target.baseline,
            baseline_on=target.baseline_on,
            target=target.target_value,
            target_on=target.target_on,
            status=progress[target.pk].status,
            status_label=progress[target.pk].status_label,
        )
        for target in workplan_targets(plan)
    ]
    return WorkplanProgress(
        exists=True,
        agreed=plan.status == plan.Status.AGREED,
        agreed_on=plan.agreed_on,
        outcomes=len(outcomes),
        actions_done=actions["done"],
        actions_overdue=actions["overdue"],
        actions_open=actions["open"],
        actions_dropped=actions["dropped"],
        targets=rows,
        targets_met=sum(1 for row in rows if row.status == ProgressStatus.MET),
    )


# Indicators against baseline and target ---------------------------------------------------------------


def plain(number: Decimal) -> str:
    """A figure without trailing zeros (12, 7.5)."""
    text = f"{number.normalize():f}"
    return "0" if text in ("-0", "") else text


# Computed indicators whose monthly figures are the months of the year's reports, or incidents,
# counted above: a month left out there is left out here too.
RESTS_ON = {
    "pupil_reports": REPORTS,
    "reports_per_100": REPORTS,
    "incidents": INCIDENTS,
    "incidents_per_100": INCIDENTS,
}


def _indicator_point(indicator: Indicator, point: Point) -> IndicatorPoint:
    if not point.shown:
        small = (
            indicator.unit == Indicator.Unit.COUNT
            and point.value is not None
            and is_small(point.value)
        )
        return IndicatorPoint(point.label, None, FEWER_THAN if small else point.note or NOT_SHOWN)
    if point.value is None:
        return IndicatorPoint(point.label, None, point.note or "no figure")
    return IndicatorPoint(point.label, point.value, plain(point.value))


def _align(progress: dict[uuid.UUID, Progress], cells: _Cells, trend: _Trend) -> None:
    """Leave out of the targets' progress each month of reports or incidents left out of the
    year's figures above (and the status judged on it), so that the two never tell different
    parts."""
    months = {month_label(parse_period(month).start): month for month in trend.months}
    for read in progress.values():
        indicator = read.target.indicator
        linked = RESTS_ON.get(indicator.code) if indicator is not None else None
        if linked is None:
            continue

        def left_out(label: str, linked: str = linked) -> bool:
            month = months.get(label)
            return month is not None and (linked, month) in cells.hidden

        read.series = [replace(p, shown=False) if left_out(p.label) else p for p in read.series]
        if read.current is not None and left_out(read.as_of_label):
            read.current_shown = False
            read.status = ProgressStatus.NOT_SHOWN


def _indicator_rows(
    targets: list[Target], progress: dict[uuid.UUID, Progress]
) -> list[IndicatorRow]:
    """Every target of the year's work-plan measured by an indicator, with its figures as the
    work-plan reads them for readers who see no school's counts in full."""
    rows = []
    for target in targets:
        indicator = target.indicator
        if indicator is None:
            continue
        read = progress[target.pk]
        current = None
        if read.current is not None:
            current = _indicator_point(
                indicator, Point(read.as_of_label, read.current, read.current_shown)
            )
        rows.append(
            IndicatorRow(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                unit_label=indicator.get_unit_display(),
                lower_is_better=read.lower_is_better,
                source=indicator.source,
                target=target.description,
                baseline=target.baseline,
                baseline_on=target.baseline_on,
                target_value=target.target_value,
                target_on=target.target_on,
                status=read.status,
                status_label=read.status_label,
                current=current,
                points=[_indicator_point(indicator, point) for point in read.series],
                notes=list(read.notes),
            )
        )
    return rows


# The evaluation -----------------------------------------------------------------------------------------


def _evaluation(partnership: Partnership, report: AnnualReport | None) -> EvaluationRow | None:
    named = report.evaluation if report is not None else None
    evaluation: Evaluation | None = named or latest_evaluation(partnership=partnership)
    if evaluation is None:
        return None
    indicator = evaluation.indicator
    return EvaluationRow(
        id=str(evaluation.pk),
        indicator=indicator.code,
        indicator_name=indicator.name,
        unit_label=indicator.get_unit_display(),
        lower_is_better=indicator.lower_is_better,
        estimate=evaluation.estimate,
        std_error=evaluation.std_error,
        ci_low=evaluation.ci_low,
        ci_high=evaluation.ci_high,
        p_value=evaluation.p_value,
        treated_schools=len(evaluation.treated_urns),
        comparison_schools=len(evaluation.comparison_urns),
        periods=[str(period) for period in evaluation.periods],
        caveats=[str(caveat) for caveat in evaluation.caveats],
        made_on=timezone.localtime(evaluation.created_at).date(),
        named_by_report=named is not None,
        sentence=result_sentence(evaluation),
        estimate_text=number_text(evaluation.estimate),
        interval_text=interval_text(evaluation.ci_low, evaluation.ci_high),
        p_value_text=p_value_text(evaluation.p_value),
    )


def _written(report: AnnualReport | None) -> Written:
    if report is None:
        return Written("", "", "", "", "", "", 0, None)
    return Written(
        summary=report.summary,
        successes=report.successes,
        case_studies=report.case_studies,
        further_work=report.further_work,
        priorities=report.priorities,
        resources=report.resources,
        version=report.version,
        updated_at=report.updated_at,
    )


# The report -------------------------------------------------------------------------------------------


def annual_report_figures(
    *, partnership: Partnership, year: int, today: date | None = None
) -> AnnualReportFigures:
    """The partnership's annual report for the academic year starting in ``year``, read live
    (up to ``today`` while the year is not over), the same for every reader. The caller found
    the partnership through the access policy and checked the year (``report_year_check``).
    A fixed number of queries, whatever the number of schools and records."""
    today = today or timezone.localdate()
    first = date(year, 9, 1)
    last = min(date(year + 1, 8, 31), today)
    schools = list(partnership.schools.order_by("name", "urn"))
    report = report_get(partnership=partnership, year=year)

    indicators = Indicator.objects.in_bulk([*TREND_CODES, *ACTIVITY_CODES])

    governance = _governance(partnership, schools, first, last)
    activity = _activity(indicators, schools, first, last)
    plan = workplan_get(partnership=partnership, year=year)
    targets = workplan_targets(plan) if plan is not None else []
    # Judged as at the year's end (or today), over every school, as a reader who sees no
    # school's counts in full sees them.
    progress = target_progress(targets=targets, counts=Counts(schools=schools, seen=[]), today=last)
    # Which of the year's monthly and yearly figures readers without personal-data access never
    # see, decided as the indicators decide it everywhere (``indicator_suppression``).
    hidden_figures = group_hidden(
        schools=schools, seen=[], codes=TREND_CODES, periods=[year_period(year)]
    )
    cells = _Cells()
    trend = _trend(indicators, schools, first, last)
    named = _add_trend(cells, trend, hidden_figures)
    cells.resolve()
    _align(progress, cells, trend)
    reports_and_incidents = _reports_and_incidents(cells, trend, named)
    workplan = _workplan(plan, progress, today)
    casework = _casework(schools, first, last)

    pupils = [school.number_of_pupils for school in schools]
    referrals = next(
        count.count
        for group in casework.groups
        for count in group.counts
        if count.key == "referrals"
    )
    summary = Summary(
        schools=len(schools),
        pupils_on_roll=sum(p for p in pupils if p) if pupils and all(pupils) else None,
        reports=reports_and_incidents.reports,
        incidents=reports_and_incidents.incidents,
        referrals=referrals,
        officer_hours=activity.hours,
        patrols_planned=activity.patrols_planned,
        patrols_done=activity.patrols_done,
        steering_meetings=len(governance.meetings_held),
        actions_done=workplan.actions_done,
        actions=workplan.actions,
        targets_met=workplan.targets_met,
        targets=len(workplan.targets),
    )
    return AnnualReportFigures(
        partnership_id=partnership.pk,
        partnership=partnership.name,
        area=partnership.area.name,
        year=year,
        year_label=academic_year_label(year),
        next_year_label=academic_year_label(year + 1),
        first_day=first,
        last_day=last,
        complete=today > date(year + 1, 8, 31),
        summary=summary,
        governance=governance,
        activity=activity,
        reports_and_incidents=reports_and_incidents,
        casework=casework,
        workplan=workplan,
        indicators=_indicator_rows(targets, progress),
        evaluation=_evaluation(partnership, report),
        written=_written(report),
    )
