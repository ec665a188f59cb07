"""The annual report's figures, read live from every app, against a year made by hand
(``annual_report_world``)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from saferschools.lib.suppression import is_small
from saferschools.outcomes.annual_report import (
    FEWER_THAN,
    NOT_SHOWN,
    ReportYearError,
    annual_report_figures,
    report_year_check,
    report_year_parse,
    report_years,
)
from saferschools.outcomes.annual_report_services import ReportInput, annual_report_save

from .annual_report_world import NOW, YEAR, make_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def year(world, persona):
    return make_year(world, persona)


def test_the_years_run_from_the_start_to_this_one_newest_first(year):
    assert report_years(partnership=year.partnership) == [2026, 2025, 2024]
    report_year_check(partnership=year.partnership, year=2025)
    with pytest.raises(ReportYearError, match="2024/25, 2025/26, 2026/27"):
        report_year_check(partnership=year.partnership, year=2023)


@pytest.mark.parametrize(
    ("given", "year"), [("2025", 2025), ("2025/26", 2025), (2025, 2025), (" 2025/26 ", 2025)]
)
def test_a_year_is_given_as_its_first_year_or_its_label(given, year):
    assert report_year_parse(given) == year


@pytest.mark.parametrize(
    "given",
    [
        "",
        None,
        "2025/27",
        "1e999999",
        "2025\x00",
        "x" * 5000,
        "99999",
        "1066",
        "2025/26 autumn",
        "2026-03",
        True,
        20.5,
        ["2025"],
        {"year": 2025},
    ],
)
def test_anything_else_is_not_a_year(given):
    with pytest.raises(ReportYearError):
        report_year_parse(given)


def test_partners_and_governance(year, world):
    governance = annual_report_figures(partnership=year.partnership, year=YEAR).governance

    assert [(s.urn, s.phase) for s in governance.schools] == [
        (world.school_b.urn, "Primary"),
        (world.school_a.urn, "Secondary"),
    ]
    assert [a.name for a in governance.agencies] == ["Surrey Police"]
    assert governance.protocol is not None
    assert (governance.protocol.version, governance.protocol.signed_on) == (1, date(2025, 7, 10))
    assert governance.members == 4
    assert {k.kind: k.members for k in governance.members_by_kind} == {
        "school": 2,
        "police": 1,
        "pupil": 1,
    }
    # Organisations and roles of the adults; the pupil representative is counted only.
    assert {(m.organisation, m.role) for m in governance.member_roles} == {
        ("Oakwood School", "Chair"),
        ("Langshott Primary", ""),
        ("Surrey Police", "Line manager"),
    }
    assert governance.meetings_held == [date(2025, 10, 16), date(2026, 3, 19)]


def test_the_officers_activity(year):
    activity = annual_report_figures(partnership=year.partnership, year=YEAR).activity

    hours = {row.kind: row.hours for row in activity.by_kind}
    sessions = {row.kind: row.sessions for row in activity.by_kind}
    assert hours["patrol"] == Decimal("3.0")
    assert hours["lesson"] == Decimal("1.7")
    assert hours["one_to_one"] == Decimal("0.5")
    assert hours["meeting"] == Decimal("1.5")
    assert activity.hours == Decimal("6.7")
    assert (sessions["patrol"], activity.lessons, activity.one_to_ones) == (3, 2, 1)
    # Four Mondays in October planned; the patrols of the 6th and 13th were done, the 15th's
    # was not planned.
    assert (activity.patrols_planned, activity.patrols_done, activity.patrols_logged) == (4, 2, 3)


def agrees(count, expected):
    """A count is shown as it is, or (when small, or to protect a small one) not shown: never
    wrong, and never a small one shown."""
    if is_small(expected):
        return count.value is None and count.text == FEWER_THAN
    return count.value == expected or (count.value is None and count.text == NOT_SHOWN)


def test_reports_and_incidents_by_month_category_and_place(year):
    trend = annual_report_figures(partnership=year.partnership, year=YEAR).reports_and_incidents

    assert (trend.reports.value, trend.incidents.value) == (23, 18)
    months = {m.month: (m.reports, m.incidents) for m in trend.months}
    assert list(months) == [f"2025-{m:02d}" for m in range(9, 13)] + [
        f"2026-{m:02d}" for m in range(1, 9)
    ]
    reports = {"2025-10": 8, "2025-11": 3, "2026-01": 7, "2026-03": 5}
    incidents = {"2025-10": 9, "2026-01": 6, "2026-02": 3}
    for month, (report_count, incident_count) in months.items():
        assert agrees(report_count, reports.get(month, 0)), month
        assert agrees(incident_count, incidents.get(month, 0)), month
    assert months["2025-11"][0].text == FEWER_THAN
    assert months["2025-10"][1].value == 9
    categories = {row.key: row.count for row in trend.report_categories}
    assert categories["bullying"].value == 18
    assert categories["weapons"].text == categories["online_bullying"].text == FEWER_THAN
    incidents_by = {row.key: row.count for row in trend.incident_categories}
    assert (incidents_by["assault"].value, incidents_by["anti_social_behaviour"].value) == (8, 6)
    assert incidents_by["theft"].text == incidents_by["weapon_found"].text == FEWER_THAN
    # The places with most incidents first; a small one not shown, after them.
    assert [(h.place, h.school, h.count.value) for h in trend.hotspots] == [
        ("Bus stop", "Oakwood School", 9),
        ("Gates", "Oakwood School", 6),
        ("Field", "Oakwood School", None),
    ]
    assert trend.hotspots[-1].count.text == FEWER_THAN
    assert trend.elsewhere is not None and trend.elsewhere.text == FEWER_THAN


def test_casework_in_counts_only(year):
    casework = annual_report_figures(partnership=year.partnership, year=YEAR).casework

    counts = {c.key: c.count for group in casework.groups for c in group.counts}
    assert counts["referrals"].value == 6
    # Four sent and two completed: left out, as the casework counts leave them out for those
    # who see no school's casework in full.
    assert counts["referrals_sent"].value is None
    assert counts["referrals_completed"].value is None
    assert counts["referrals_declined"].value == 0
    assert counts["assessed"].value == 0
    assert casework.meetings.text == FEWER_THAN


def test_the_work_plan_and_its_targets(year):
    workplan = annual_report_figures(partnership=year.partnership, year=YEAR).workplan

    assert workplan.exists and workplan.agreed and workplan.agreed_on == date(2025, 9, 24)
    assert (workplan.actions_done, workplan.actions_overdue, workplan.actions_dropped) == (1, 1, 1)
    assert workplan.actions_open == 0
    statuses = {t.description: t.status for t in workplan.targets}
    assert statuses["Families supported"] == "met"
    assert workplan.targets_met == sum(1 for s in statuses.values() if s == "met")


def test_indicators_against_baseline_and_target(year):
    indicators = annual_report_figures(partnership=year.partnership, year=YEAR).indicators

    # The targets measured by an indicator, with the figures their progress is judged on.
    assert [(row.target, row.code) for row in indicators] == [
        ("Fewer incidents", "incidents"),
        ("Better attendance", "overall_absence"),
    ]
    incidents, absence = indicators
    # Published years, the two schools weighted by their pupils, judged at the year's end.
    assert [(p.period, p.value) for p in absence.points] == [
        ("2023/24", Decimal("4.55")),
        ("2024/25", Decimal("4.35")),
        ("2025/26", Decimal("3.85")),
    ]
    assert absence.current is not None and absence.current.text == "3.85"
    assert (absence.baseline_text, absence.target_text, absence.status) == ("4.9", "4", "met")
    # School months from the baseline's to July 2026, August left out.
    months = {p.period: p for p in incidents.points}
    assert [p.period for p in incidents.points][:: len(months) - 1] == [
        "September 2025",
        "July 2026",
    ]
    assert len(months) == 11
    assert months["October 2025"].value == 9
    assert months["February 2026"].text == FEWER_THAN
    assert incidents.current is not None and incidents.current.period == "July 2026"
    assert incidents.status == "met"


def test_the_evaluation_is_the_latest_or_the_one_the_report_names(year):
    figures = annual_report_figures(partnership=year.partnership, year=YEAR)
    assert figures.evaluation is not None
    assert figures.evaluation.indicator == "overall_absence"
    assert (figures.evaluation.treated_schools, figures.evaluation.comparison_schools) == (2, 3)
    assert not figures.evaluation.named_by_report

    annual_report_save(
        actor=year.head,
        partnership=year.partnership,
        year=YEAR,
        data=ReportInput(summary="A good year.", evaluation_id=str(year.evaluation.pk)),
        source="test",
    )
    figures = annual_report_figures(partnership=year.partnership, year=YEAR)
    assert figures.evaluation is not None and figures.evaluation.named_by_report
    assert figures.written.summary == "A good year."
    assert figures.written.version == 1


def test_a_year_not_over_is_read_up_to_today(year):
    figures = annual_report_figures(partnership=year.partnership, year=2026)

    assert not figures.complete
    assert figures.last_day == date(2026, 10, 14)
    assert [m.month for m in figures.reports_and_incidents.months] == ["2026-09", "2026-10"]
    assert figures.reports_and_incidents.reports.text == FEWER_THAN
    assert figures.activity.patrols_logged == 1
    assert not figures.workplan.exists
    assert figures.governance.protocol is not None and figures.governance.protocol.version == 2
    assert not figures.governance.protocol.in_force


def test_a_partnership_with_no_school_and_nothing_recorded_has_a_report_of_noughts(world, client):
    from saferschools.accounts.models import Role
    from saferschools.testing.factories import MembershipFactory, PartnershipFactory, UserFactory

    empty = PartnershipFactory(area=world.area, name="New SSP")
    figures = annual_report_figures(partnership=empty, year=2026)

    assert figures.summary.schools == 0 and figures.summary.pupils_on_roll is None
    assert figures.reports_and_incidents.reports.value == 0
    assert figures.reports_and_incidents.hotspots == []
    assert figures.activity.hours == Decimal("0.0")
    assert figures.governance.protocol is None and figures.evaluation is None
    assert not figures.workplan.exists and figures.indicators == []
    steering = UserFactory()
    MembershipFactory(user=steering, role=Role.STEERING_MEMBER, partnership=empty)
    client.force_login(steering)
    assert client.get(f"/partnerships/{empty.pk}/annual-report/2026/").status_code == 200
    assert client.get(f"/partnerships/{empty.pk}/annual-report/").status_code == 200
