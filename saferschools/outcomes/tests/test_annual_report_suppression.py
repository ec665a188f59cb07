"""No pupil can be picked out of the annual report: counts of records about pupils from 1 to 4
are "fewer than 5" for every reader, and no count left out can be worked out by adding or
taking away those shown (the year against its months, its categories and its places; an
indicator against the count it rests on); what the partnership's indicators leave out for readers
without personal-data access is left out here too."""

from datetime import date

import pytest
import time_machine

from saferschools.core.models import Partnership
from saferschools.lib.suppression import SUPPRESS_BELOW, is_small
from saferschools.outcomes.annual_report import (
    FEWER_THAN,
    NOT_SHOWN,
    annual_report_figures,
)
from saferschools.outcomes.indicator_suppression import group_hidden
from saferschools.outcomes.periods import year_period
from saferschools.planning.models import Target, Workplan, WorkplanOutcome

from .annual_report_world import NOW, YEAR, incident, make_year, report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(world):
    Partnership.objects.filter(pk=world.p.pk).update(started_on=date(2024, 9, 1))
    world.p.refresh_from_db()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def recorder(world, persona):
    from saferschools.accounts.models import Role

    return persona(Role.SAFEGUARDING_LEAD, world.school_a)


def figures(world):
    return annual_report_figures(partnership=world.p, year=YEAR)


def solvable(total, parts) -> bool:
    """Whether a reader could work out a part left out from the total and the parts shown: one
    part left out, or all those left out fewer than 5 and adding up to all 1s or all 4s."""
    if total.value is None:
        return False
    hidden = [part for part in parts if part.value is None]
    if not hidden:
        return False
    if len(hidden) == 1:
        return True
    rest = total.value - sum(part.value for part in parts if part.value is not None)
    if all(part.text == FEWER_THAN for part in hidden):
        return rest in (len(hidden), (SUPPRESS_BELOW - 1) * len(hidden))
    return False


def relations(trend):
    months = [m.reports for m in trend.months], [m.incidents for m in trend.months]
    places = [h.count for h in trend.hotspots] + ([trend.elsewhere] if trend.elsewhere else [])
    return [
        (trend.reports, months[0]),
        (trend.incidents, months[1]),
        (trend.reports, [row.count for row in trend.report_categories]),
        (trend.incidents, [row.count for row in trend.incident_categories]),
        (trend.incidents, places),
    ]


def assert_safe(trend):
    every = [trend.reports, trend.incidents]
    every += [m.reports for m in trend.months] + [m.incidents for m in trend.months]
    every += [r.count for r in trend.report_categories + trend.incident_categories]
    every += [h.count for h in trend.hotspots]
    for count in every:
        assert count.value is None or not is_small(count.value)
        assert count.value is not None or count.text in (FEWER_THAN, NOT_SHOWN)
    for total, parts in relations(trend):
        assert not solvable(total, parts)


def test_a_small_category_beside_one_other_hides_both(world, recorder):
    for _ in range(10):
        report(world.school_a, "bullying", date(2025, 10, 7))
    for _ in range(2):
        report(world.school_a, "weapons", date(2025, 10, 8))

    trend = figures(world).reports_and_incidents

    categories = {row.key: row.count for row in trend.report_categories}
    assert trend.reports.value == 12
    assert categories["weapons"].text == FEWER_THAN
    # 12 less 10 would give the 2 away.
    assert categories["bullying"] == categories["bullying"].__class__(None, NOT_SHOWN)
    assert_safe(trend)


def test_a_small_month_beside_one_other_hides_both(world, recorder):
    for _ in range(8):
        report(world.school_a, "bullying", date(2025, 10, 7))
    for _ in range(3):
        report(world.school_a, "bullying", date(2026, 5, 12))

    trend = figures(world).reports_and_incidents

    months = {m.month: m.reports for m in trend.months}
    assert trend.reports.value == 11
    assert months["2026-05"].text == FEWER_THAN
    assert months["2025-10"].text == NOT_SHOWN
    assert_safe(trend)


def test_a_small_place_beside_one_other_hides_both(world, recorder):
    from saferschools.incidents.models import Place

    stop = Place.objects.create(school=world.school_a, name="Bus stop", kind="stop")
    field = Place.objects.create(school=world.school_a, name="Field", kind="site_zone")
    for _ in range(9):
        incident(world.school_a, recorder, "assault", date(2025, 10, 9), stop)
    for _ in range(3):
        incident(world.school_a, recorder, "assault", date(2025, 10, 9), field)

    trend = figures(world).reports_and_incidents

    assert trend.incidents.value == 12
    assert [(h.place, h.count.text) for h in trend.hotspots] == [
        ("Bus stop", NOT_SHOWN),
        ("Field", FEWER_THAN),
    ]
    assert trend.elsewhere is None
    assert_safe(trend)


def test_a_small_year_is_fewer_than_5_and_so_is_every_part(world, recorder):
    for _ in range(3):
        report(world.school_b, "home", date(2026, 2, 2))
    incident(world.school_b, recorder, "theft", date(2026, 2, 3))

    f = figures(world)
    trend = f.reports_and_incidents

    assert trend.reports.text == trend.incidents.text == FEWER_THAN
    assert f.summary.reports.text == FEWER_THAN
    assert {m.reports.text for m in trend.months if m.month == "2026-02"} == {FEWER_THAN}
    assert_safe(trend)


def test_an_indicator_resting_on_a_count_left_out_is_left_out(world, recorder):
    plan = Workplan.objects.create(
        partnership=world.p, year=YEAR, status=Workplan.Status.AGREED, created_by=recorder
    )
    outcome = WorkplanOutcome.objects.create(workplan=plan, aim="safety", text="Safer")
    for code in ("pupil_reports", "reports_per_100"):
        Target.objects.create(
            outcome=outcome,
            description=f"Watch {code}",
            indicator_id=code,
            baseline=10,
            baseline_on=date(2025, 9, 1),
            target_value=5,
            target_on=date(2026, 7, 31),
        )
    for _ in range(3):
        report(world.school_a, "bullying", date(2025, 10, 7))

    f = figures(world)

    assert f.reports_and_incidents.reports.text == FEWER_THAN
    october = {row.code: {p.period: p for p in row.points}["October 2025"] for row in f.indicators}
    assert october["pupil_reports"].value is None
    assert october["pupil_reports"].text == FEWER_THAN
    # A rate per 100 pupils gives its count away (the number of pupils is public).
    assert october["reports_per_100"].value is None
    for row in f.indicators:
        assert all(p.value in (None, 0) for p in row.points)


def test_the_year_made_by_hand_gives_nothing_away_and_agrees_with_the_indicators(world, persona):
    year = make_year(world, persona)

    f = annual_report_figures(partnership=year.partnership, year=YEAR)

    assert_safe(f.reports_and_incidents)
    # What the partnership's indicators leave out for readers without personal-data access
    # (its dashboard, say) is left out here too, so that the two never tell different parts.
    hidden = group_hidden(
        schools=list(world.p.schools.all()),
        seen=[],
        codes={"pupil_reports", "incidents"},
        periods=[year_period(YEAR)],
    )
    for month in f.reports_and_incidents.months:
        if ("pupil_reports", month.month) in hidden:
            assert month.reports.value is None, month.month
        if ("incidents", month.month) in hidden:
            assert month.incidents.value is None, month.month
    for group in f.casework.groups:
        for item in group.counts:
            assert item.count.value is None or not is_small(item.count.value)
    assert f.casework.meetings.value is None


def test_every_reader_sees_the_same_report(world, persona, client):
    from saferschools.accounts.models import Role

    make_year(world, persona)
    bodies = []
    for role, scope in [
        (Role.SAFEGUARDING_LEAD, world.school_a),
        (Role.HEAD_TEACHER, world.school_b),
        (Role.SSP_OFFICER, world.p),
        (Role.STEERING_MEMBER, world.p),
        (Role.LA_ANALYST, world.area),
    ]:
        client.force_login(persona(role, scope))
        response = client.get(f"/partnerships/{world.p.pk}/annual-report/{YEAR}/")
        body = response.content.decode()
        # Only the link to change it differs between readers.
        bodies.append(body[body.index('<nav aria-labelledby="contents-heading">') :])
    assert len(set(bodies)) == 1
