"""What the dashboards show: for a school, a partnership or an area, each indicator that
matters to the viewer's role over the periods chosen, beside the comparison schools, with the
work-plan's baseline and target (``dashboard_panels``).

- A school's dashboard: the school beside its partnership's comparison schools, with its
  latest figure by category.
- A partnership's: its schools together beside the comparison schools, with each school's
  latest figure.
- An area's: all its schools together beside those in no partnership (an area-wide figure, such
  as first-time entrants, on its own), and, for one indicator opened alone, each partnership's
  latest figure.

Figures come only from ``values`` (``indicator_values``, ``group_values``, ``area_values``);
which of them the viewer may see is ``dashboard_hiding``'s decision. The caller found the
school, partnership or area through the access policy.
"""

import uuid
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F

from saferschools.accounts.models import Role
from saferschools.activity.models import ActivityKind
from saferschools.core import access
from saferschools.core.models import Area, Partnership, School
from saferschools.incidents.models import IncidentCategory
from saferschools.lib.schooldays import academic_year_of
from saferschools.planning.models import Target, Workplan

from . import values
from .dashboard_hiding import AREA, Groups, hidden_categories, hidden_figures
from .dashboard_panels import (
    NOT_SHOWN,
    Breakdown,
    CategoryRow,
    Cell,
    Page,
    Panel,
    Span,
    State,
    UnitRow,
    UnitTable,
    cell_of,
    finish,
    number_text,
    rests_on_records,
    start_marker,
    table_rows,
    target_references,
)
from .dashboard_records import RECORDS_BEHIND
from .evaluation_selectors import comparison_schools_for
from .models import Indicator, IndicatorValue, PeriodKind
from .periods import Period

# The indicators each role sees first, in this order (docs/dashboards.md). A viewer holding
# several roles sees each role's in turn; any other indicator of the catalogue can be opened.
HEADLINE = (
    "incidents_per_100",
    "reports_per_100",
    "survey_safe_at_school",
    "survey_bullied_12_months",
    "persistent_absence",
    "suspension_rate",
)
SCHOOL_LEADERS = (
    "pupil_reports",
    "incidents_per_100",
    "repeat_victimisation",
    "reports_acknowledged_in_time",
    "report_days_to_close",
    "survey_safe_at_school",
    "survey_bullied_4_weeks",
    "overall_absence",
    "persistent_absence",
    "suspension_rate",
)
ROLE_INDICATORS: dict[str, tuple[str, ...]] = {
    Role.HEAD_TEACHER: SCHOOL_LEADERS,
    Role.SAFEGUARDING_LEAD: SCHOOL_LEADERS,
    Role.SCHOOL_STAFF: (
        "incidents_per_100",
        "survey_safe_at_school",
        "survey_bullied_4_weeks",
        "persistent_absence",
        "suspension_rate",
    ),
    Role.SSP_OFFICER: (
        "incidents",
        "officer_hours",
        "patrols_done_of_planned",
        "survey_trusts_police",
        "survey_safe_at_school",
        "survey_safe_journey",
    ),
    Role.POLICE_SUPERVISOR: (
        "first_time_entrants",
        "incidents_per_100",
        "officer_hours",
        "patrols_done_of_planned",
        "survey_trusts_police",
        "persistent_absence",
    ),
    Role.LA_ANALYST: (
        "first_time_entrants",
        "persistent_absence",
        "overall_absence",
        "suspension_rate",
        "permanent_exclusion_rate",
        "reports_per_100",
        "incidents_per_100",
        "repeat_victimisation",
    ),
    # The work-plan's target indicators come first for the steering group (``indicators_for``).
    Role.STEERING_MEMBER: HEADLINE,
    Role.AGENCY_PRACTITIONER: (
        "first_time_entrants",
        "referrals_completed",
        "sharing_decisions_reviewed",
        "persistent_absence",
        "suspension_rate",
    ),
    Role.AREA_ADMIN: HEADLINE,
}

# Which indicators' levels each dashboard shows: school figures, alone or taken together, and
# area-wide figures (first-time entrants) on the area's dashboard alone.
PAGE_LEVELS: dict[str, set[str]] = {
    Page.SCHOOL: {Indicator.Level.SCHOOL},
    Page.PARTNERSHIP: {Indicator.Level.SCHOOL, Indicator.Level.PARTNERSHIP},
    Page.AREA: {Indicator.Level.SCHOOL, Indicator.Level.PARTNERSHIP, Indicator.Level.AREA},
}
# Computed figures exist for any period; the survey's for the period its round opened in.
SOURCE_KINDS: dict[str, set[str]] = {
    Indicator.Source.COMPUTED: {PeriodKind.YEAR, PeriodKind.TERM, PeriodKind.MONTH},
    Indicator.Source.SURVEYED: {PeriodKind.YEAR, PeriodKind.TERM, PeriodKind.MONTH},
}
CATEGORY_LABELS = {**dict(ActivityKind.choices), **dict(IncidentCategory.choices)}
# A figure's split is counted back to records for a count and a rate per 100 pupils; a share or
# a median is not split by category.
SPLIT_UNITS: set[str] = {Indicator.Unit.COUNT, Indicator.Unit.PER_100_PUPILS}
COMPARISON = "comparison"
GROUP = "group"
UNPARTNERED = "unpartnered"


# Which indicators -----------------------------------------------------------------------------------


def catalogue_for(page: str) -> list[Indicator]:
    """Every indicator a dashboard of this kind can show, in name order."""
    return list(Indicator.objects.filter(level__in=PAGE_LEVELS[page]).order_by("name"))


def indicators_for(
    *, user: Any, catalogue: Sequence[Indicator], targets: dict[str, Target]
) -> list[Indicator]:
    """The indicators that matter to the viewer's roles (``ROLE_INDICATORS``), the work-plan's
    target indicators first for the steering group; only those of ``catalogue``."""
    by_code = {indicator.code: indicator for indicator in catalogue}
    roles = access.roles_of(user)
    codes: list[str] = []
    if Role.STEERING_MEMBER in roles:
        codes.extend(targets)
    for role in Role.values:
        if role in roles:
            codes.extend(ROLE_INDICATORS[role])
    chosen: list[Indicator] = []
    for code in codes:
        if code in by_code and by_code[code] not in chosen:
            chosen.append(by_code[code])
    return chosen


def kinds_available(indicators: Iterable[Indicator]) -> dict[str, set[str]]:
    """The kinds of period each indicator has figures for: any for what SaferSchools computes
    and surveys, and for published figures the kinds imported. One query."""
    indicators = list(indicators)
    found: dict[str, set[str]] = defaultdict(set)
    imported = [i.code for i in indicators if i.source == Indicator.Source.IMPORTED]
    if imported:
        rows = (
            IndicatorValue.objects.filter(indicator_id__in=imported)
            .order_by()
            .values_list("indicator_id", "period_kind")
            .distinct()
        )
        for code, kind in rows:
            found[code].add(kind)
    for indicator in indicators:
        found[indicator.code] |= SOURCE_KINDS.get(indicator.source, set())
    return dict(found)


def partnership_targets(*, user: Any, partnership: Partnership, today: date) -> dict[str, Target]:
    """The work-plan target of each indicator, by code, in the plan's order: that of this
    academic year's plan, else of the latest plan before it, else of the earliest after it.
    One query."""
    plans = access.scope(user, Workplan).filter(partnership=partnership)
    targets = (
        Target.objects.filter(outcome__workplan__in=plans.values("pk"), indicator__isnull=False)
        .select_related("outcome__workplan")
        .order_by("outcome__position", "target_on", "description")
    )
    current = academic_year_of(today)
    chosen: dict[str, tuple[tuple[bool, int], Target]] = {}
    for target in targets:
        year = target.outcome.workplan.year
        rank = (year <= current, year if year <= current else -year)
        code = str(target.indicator_id)
        if code not in chosen or rank > chosen[code][0]:
            chosen[code] = (rank, target)
    return {code: target for code, (_, target) in chosen.items()}


# Reading and deciding --------------------------------------------------------------------------------


def _whole_years(
    indicator: Indicator, schools: Sequence[School], span: Span
) -> dict[uuid.UUID, dict[str, values.Value]]:
    """Each school's values in every kind of period of the span's academic years: what is left
    out is decided over them all."""
    first = date(academic_year_of(span.since), 9, 1)
    last = date(academic_year_of(span.until) + 1, 8, 31)
    found: dict[uuid.UUID, dict[str, values.Value]] = {school.pk: {} for school in schools}
    for kind in PeriodKind.values:
        by_school = values.indicator_values(
            indicator=indicator, schools=schools, kind=kind, since=first, until=last
        )
        for school_id, by_label in by_school.items():
            found[school_id].update(by_label)
    return found


def _hidden(
    indicator: Indicator,
    universe: Sequence[School],
    full: set[uuid.UUID],
    groups: Groups,
    span: Span,
) -> dict[Hashable, set[str]]:
    return hidden_figures(
        indicator=indicator,
        schools=universe,
        seen=full,
        groups=groups,
        periods=span.periods,
        # The survey's counts are read from its values; computed ones from the records.
        survey=_whole_years(indicator, universe, span)
        if indicator.source == Indicator.Source.SURVEYED
        else None,
    )


def _group(indicator: Indicator, schools: Sequence[School], span: Span) -> dict[str, values.Value]:
    return values.group_values(
        indicator=indicator, schools=schools, kind=span.kind, since=span.since, until=span.until
    )


def _each(
    indicator: Indicator, schools: Sequence[School], span: Span
) -> dict[uuid.UUID, dict[str, values.Value]]:
    return values.indicator_values(
        indicator=indicator, schools=schools, kind=span.kind, since=span.since, until=span.until
    )


def _comparisons(
    partnership: Partnership | None, indicators: Sequence[Indicator]
) -> dict[str, list[School]]:
    """The comparison schools of each school-level indicator (the partnership's latest
    evaluation's, else the automatic choice); none without a partnership."""
    if partnership is None:
        return {}
    return {
        indicator.code: comparison_schools_for(partnership=partnership, indicator=indicator)
        for indicator in indicators
        if indicator.level == Indicator.Level.SCHOOL
    }


def _compared(
    indicator: Indicator, schools: Sequence[School], span: Span
) -> dict[str, values.Value] | None:
    """The figures of schools to compare with, taken together; ``None`` when there are none, or
    when they keep no records in SaferSchools to compute a figure from (a school in no
    partnership rarely does: its noughts would say nothing)."""
    if not schools:
        return None
    found = _group(indicator, schools, span)
    if indicator.source == Indicator.Source.COMPUTED and not any(
        value.value or value.records for value in found.values()
    ):
        return None
    return found


NOT_COMPARED = (
    "The schools to compare with keep no records in SaferSchools for this indicator: there is "
    "nothing to compare it with."
)


def _universe(*groups: Iterable[School]) -> dict[uuid.UUID, School]:
    found: dict[uuid.UUID, School] = {}
    for schools in groups:
        found.update({school.pk: school for school in schools})
    return found


def _split(
    indicator: Indicator,
    period: Period,
    value: values.Value,
    left_out: AbstractSet[tuple[str, str]] = frozenset(),
) -> Breakdown:
    """The figure's split, by category for records about pupils and by kind for the rest."""
    rows = [
        CategoryRow(
            key,
            CATEGORY_LABELS.get(key, key.replace("_", " ").capitalize()),
            NOT_SHOWN
            if (period.label, key) in left_out
            else Cell(part, State.FIGURE, number_text(part, indicator.unit)),
        )
        for key, part in sorted(value.breakdown.items(), key=lambda item: (-item[1], item[0]))
    ]
    return Breakdown(period, rows, "category" if value.records is not None else "kind")


def _latest_split(span: Span, by_label: dict[str, values.Value]) -> Period | None:
    """The latest period of the span whose figure is split by category or kind."""
    found = [p for p in span.periods if p.label in by_label and by_label[p.label].breakdown]
    return found[-1] if found else None


def _breakdown(
    indicator: Indicator,
    school: School,
    span: Span,
    by_label: dict[str, values.Value],
    hidden: set[str],
    full: bool,
) -> Breakdown | None:
    """The school's latest figure of the span split by category (or by kind of activity), with
    the splits that could give a small count away left out."""
    period = _latest_split(span, by_label)
    if period is None:
        return None
    value = by_label[period.label]
    if period.label in hidden:
        return Breakdown(
            period, [], "category", "The figure itself is not shown, so neither is its split."
        )
    left_out: set[tuple[str, str]] = set()
    if value.records is not None and not full:
        if indicator.unit not in SPLIT_UNITS:
            return Breakdown(
                period, [], "category", "It is shown to those who see the school's records."
            )
        whole = _whole_years(indicator, [school], span)[school.pk]
        left_out = hidden_categories(whole, hidden, indicator.unit, span.periods)
    return _split(indicator, period, value, left_out)


def _group_breakdown(
    indicator: Indicator, span: Span, by_label: dict[str, values.Value]
) -> Breakdown | None:
    """A group's latest figure split by kind, where it is about nobody in particular (an
    officer's time by kind of activity, patrols planned and done); a split of records about
    pupils is shown school by school."""
    period = _latest_split(span, by_label)
    if period is None or by_label[period.label].records is not None:
        return None
    return _split(indicator, period, by_label[period.label])


# The three dashboards -------------------------------------------------------------------------------


def school_dashboard(
    *,
    user: Any,
    school: School,
    span: Span,
    indicators: Sequence[Indicator],
    targets: dict[str, Target],
) -> list[Panel]:
    """The school's panels: the school beside its partnership's comparison schools, with the
    partnership's work-plan ``targets`` (``partnership_targets``)."""
    partnership = school.partnership
    kinds = kinds_available(indicators)
    comparisons = _comparisons(partnership, indicators)
    full = access.schools_with_counts_in_full(
        user, _universe([school], *comparisons.values()).values()
    )
    started_on = partnership.started_on if partnership else None
    sees_records = school.pk in full
    panels = []
    for indicator in indicators:
        comparison = comparisons.get(indicator.code, [])
        hidden = _hidden(
            indicator,
            [school, *comparison],
            full,
            Groups({COMPARISON: [one.pk for one in comparison]}),
            span,
        )
        own = hidden.get(school.pk, set())
        own_values = _each(indicator, [school], span)[school.pk]
        records = sees_records and indicator.code in RECORDS_BEHIND
        compared = _compared(indicator, comparison, span)
        panel = Panel(
            indicator=indicator,
            span=span,
            subject=school.name,
            comparison="Comparison schools" if compared is not None else "",
            rows=table_rows(
                span,
                indicator,
                own_values,
                own,
                compared,
                hidden.get(COMPARISON, set()),
                records,
            ),
            kinds=kinds.get(indicator.code, set()),
            comparison_schools=comparison if compared is not None else [],
            marker=start_marker(span, started_on),
            records_school=school if records else None,
        )
        if comparison and compared is None:
            panel.notes.append(NOT_COMPARED)
        panel.references, panel.target = target_references(
            panel, targets.get(indicator.code), Page.SCHOOL
        )
        panel.breakdown = _breakdown(indicator, school, span, own_values, own, school.pk in full)
        panels.append(finish(panel, started_on))
    return panels


def partnership_dashboard(
    *,
    user: Any,
    partnership: Partnership,
    span: Span,
    indicators: Sequence[Indicator],
    targets: dict[str, Target],
) -> list[Panel]:
    """The partnership's panels: its schools together beside the comparison schools, with each
    school's latest figure and the work-plan ``targets`` (``partnership_targets``)."""
    members = list(partnership.schools.order_by("name", "urn"))
    kinds = kinds_available(indicators)
    comparisons = _comparisons(partnership, indicators)
    full = access.schools_with_counts_in_full(
        user, _universe(members, *comparisons.values()).values()
    )
    panels = []
    for indicator in indicators:
        comparison = comparisons.get(indicator.code, [])
        groups = Groups(
            {GROUP: [one.pk for one in members], COMPARISON: [one.pk for one in comparison]}
        )
        hidden = _hidden(indicator, [*members, *comparison], full, groups, span)
        together = _group(indicator, members, span)
        compared = _compared(indicator, comparison, span)
        panel = Panel(
            indicator=indicator,
            span=span,
            subject=f"{partnership.name}'s schools together",
            comparison="Comparison schools" if compared is not None else "",
            rows=table_rows(
                span,
                indicator,
                together,
                hidden.get(GROUP, set()),
                compared,
                hidden.get(COMPARISON, set()),
            ),
            kinds=kinds.get(indicator.code, set()),
            comparison_schools=comparison if compared is not None else [],
            marker=start_marker(span, partnership.started_on),
        )
        if comparison and compared is None:
            panel.notes.append(NOT_COMPARED)
        panel.references, panel.target = target_references(
            panel, targets.get(indicator.code), Page.PARTNERSHIP
        )
        panel.units = _school_table(panel, members, hidden, together, full, partnership.name)
        panel.breakdown = _group_breakdown(indicator, span, together)
        panels.append(finish(panel, partnership.started_on))
    return panels


def _school_table(
    panel: Panel,
    members: list[School],
    hidden: dict[Hashable, set[str]],
    together: dict[str, values.Value],
    full: set[uuid.UUID],
    name: str,
) -> UnitTable | None:
    """Each school's figure for the latest period with one, and the schools' together."""
    period = panel.latest_period
    if period is None:
        return None
    indicator = panel.indicator
    each = values.indicator_values(
        indicator=indicator,
        schools=members,
        kind=period.kind,
        since=period.start,
        until=period.end,
    )
    drill = indicator.code in RECORDS_BEHIND
    rows = []
    for school in members:
        value = each[school.pk].get(period.label)
        cell = cell_of(value, period.label in hidden.get(school.pk, set()), indicator.unit)
        records = drill and school.pk in full and cell.shown and rests_on_records(value)
        rows.append(UnitRow(school.name, cell, school=school, records=records))
    group_cell = cell_of(
        together.get(period.label), period.label in hidden.get(GROUP, set()), indicator.unit
    )
    rows.append(UnitRow(f"{name}'s schools together", group_cell, total=True))
    return UnitTable("School", period, rows)


@dataclass(frozen=True)
class AreaSchools:
    """An area's schools, with the partnership of each (``None`` for none)."""

    schools: list[School]
    partnership_of: dict[uuid.UUID, uuid.UUID | None]
    partnerships: list[Partnership]

    @property
    def unpartnered(self) -> list[School]:
        return [school for school in self.schools if self.partnership_of[school.pk] is None]

    def members(self, partnership: Partnership) -> list[School]:
        return [s for s in self.schools if self.partnership_of[s.pk] == partnership.pk]

    def groups(self) -> Groups:
        keys = [partnership.pk for partnership in self.partnerships]
        members: dict[Hashable, list[uuid.UUID]] = {
            partnership.pk: [school.pk for school in self.members(partnership)]
            for partnership in self.partnerships
        }
        members[UNPARTNERED] = [school.pk for school in self.unpartnered]
        return Groups(members, partnered=keys, unpartnered=UNPARTNERED)


def area_schools(area: Area) -> AreaSchools:
    """Every school of the area, open or closed (a closed school's past records count), with
    its partnership; and the area's partnerships with a school. Two queries."""
    schools: list[School] = list(
        School.objects.filter(area=area)
        .annotate(linked_partnership=F("partnership_link__partnership_id"))
        .order_by("name", "urn")
    )
    partnership_of = {school.pk: school.linked_partnership for school in schools}  # type: ignore[attr-defined]
    linked = {pk for pk in partnership_of.values() if pk is not None}
    partnerships = list(Partnership.objects.filter(pk__in=linked).order_by("name"))
    return AreaSchools(schools, partnership_of, partnerships)


def area_dashboard(
    *,
    user: Any,
    area: Area,
    span: Span,
    indicators: Sequence[Indicator],
    by_partnership: bool,
) -> list[Panel]:
    """The area's panels: all its schools together beside those in no partnership (an
    area-wide figure on its own), and with ``by_partnership`` each partnership's latest figure.
    A fixed number of queries for each indicator, whatever the number of schools, and with
    ``by_partnership`` one more reading for each partnership."""
    found = area_schools(area)
    kinds = kinds_available(indicators)
    full = access.schools_with_counts_in_full(user, found.schools)
    groups = found.groups()
    panels = []
    for indicator in indicators:
        if indicator.level == Indicator.Level.AREA:
            panels.append(_area_level_panel(indicator, area, span, kinds))
            continue
        hidden = _hidden(indicator, found.schools, full, groups, span)
        whole = _group(indicator, found.schools, span)
        unpartnered = _compared(indicator, found.unpartnered, span)
        panel = Panel(
            indicator=indicator,
            span=span,
            subject=f"{area.name}'s schools",
            comparison="Schools in no partnership" if unpartnered is not None else "",
            rows=table_rows(
                span,
                indicator,
                whole,
                hidden.get(AREA, set()),
                unpartnered,
                hidden.get(UNPARTNERED, set()),
            ),
            kinds=kinds.get(indicator.code, set()),
        )
        if by_partnership:
            panel.units = _partnership_table(panel, found, hidden, unpartnered or {}, whole)
        panels.append(finish(panel, None))
    return panels


def _partnership_table(
    panel: Panel,
    found: AreaSchools,
    hidden: dict[Hashable, set[str]],
    unpartnered: dict[str, values.Value],
    whole: dict[str, values.Value],
) -> UnitTable | None:
    """Each partnership's figure for the latest period with one, those in none, and the
    area's."""
    period = panel.latest_period
    if period is None:
        return None
    indicator, unit = panel.indicator, panel.indicator.unit
    rows = []
    for partnership in found.partnerships:
        one = values.group_values(
            indicator=indicator,
            schools=found.members(partnership),
            kind=period.kind,
            since=period.start,
            until=period.end,
        )
        left_out = period.label in hidden.get(partnership.pk, set())
        cell = cell_of(one.get(period.label), left_out, unit)
        rows.append(UnitRow(partnership.name, cell, partnership=partnership))
    left_out = period.label in hidden.get(UNPARTNERED, set())
    rows.append(
        UnitRow("Schools in no partnership", cell_of(unpartnered.get(period.label), left_out, unit))
    )
    left_out = period.label in hidden.get(AREA, set())
    rows.append(
        UnitRow(panel.subject, cell_of(whole.get(period.label), left_out, unit), total=True)
    )
    return UnitTable("Partnership", period, rows)


def _area_level_panel(
    indicator: Indicator, area: Area, span: Span, kinds: dict[str, set[str]]
) -> Panel:
    """An area-wide figure (first-time entrants), as published: no small number to hide."""
    found = values.area_values(
        indicator=indicator, area=area, kind=span.kind, since=span.since, until=span.until
    )
    panel = Panel(
        indicator=indicator,
        span=span,
        subject=area.name,
        comparison="",
        rows=table_rows(span, indicator, found, set()),
        kinds=kinds.get(indicator.code, set()),
    )
    return finish(panel, None)
