"""Every computed indicator's values per school and period, and for schools taken together,
against figures counted by hand: months, terms and years in London time, rates per 100 pupils,
shares, medians, repeat victims, planned patrols and sharing decisions reviewed."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saferschools.accounts.models import Role
from saferschools.activity.models import Activity, ActivityKind, PatrolPlan
from saferschools.casework.models import Referral, ReferralService, ReferralStatus
from saferschools.core.models import SchoolHoliday
from saferschools.incidents.models import Incident, IncidentParty
from saferschools.lib.schooldays import LONDON
from saferschools.outcomes.computed import (
    COMPUTED_CODES,
    PUPIL_RECORD_CODES,
    computed_group_values,
    computed_values,
)
from saferschools.outcomes.models import Indicator, PeriodKind
from saferschools.outcomes.periods import parse_period, periods_between
from saferschools.outcomes.values import group_values, indicator_values
from saferschools.reporting.models import Report
from saferschools.sharing.models import Consent, Decision, LawfulBasis, SharingDecision
from saferschools.testing.factories import PupilFactory, submit_report

pytestmark = pytest.mark.django_db

# Friday 15 May 2026, in the summer term of 2025/26.
NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
YEAR = (date(2025, 9, 1), date(2026, 8, 31))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def school_values(code, school, kind, since=YEAR[0], until=YEAR[1]):
    found = indicator_values(
        indicator=indicator(code), schools=[school], kind=kind, since=since, until=until
    )
    return found[school.pk]


def figures(code, school, kind, **span):
    return {
        label: value.value for label, value in school_values(code, school, kind, **span).items()
    }


def report(school, received, *, category="bullying", **fields) -> Report:
    made = submit_report(school, category=category).report
    fields.setdefault("due_at", received + timedelta(days=1))
    Report.objects.filter(pk=made.pk).update(received_at=received, **fields)
    return Report.objects.get(pk=made.pk)


def incident(school, when, recorder, *, category="bullying", critical=False) -> Incident:
    return Incident.objects.create(
        school=school,
        occurred_at=when,
        recorded_at=when,
        recorded_by=recorder,
        location_kind="on_site",
        category=category,
        severity="critical" if critical else "medium",
        description="Pushed against the lockers at break.",
        updated_at=when,
        updated_by=recorder,
    )


def victim(incident_, pupil):
    return IncidentParty.objects.create(incident=incident_, role="victim", pupil=pupil)


def test_every_computed_indicator_of_the_catalogue_is_computed():
    catalogue = set(
        Indicator.objects.filter(source=Indicator.Source.COMPUTED).values_list("code", flat=True)
    )
    assert catalogue == COMPUTED_CODES
    assert {"officer_hours", "patrols", "patrols_done_of_planned"} == (
        COMPUTED_CODES - PUPIL_RECORD_CODES
    )


def test_reports_fall_in_london_months_terms_and_years(world):
    a = world.school_a
    # 23:30 on 31 August in UTC is 00:30 on 1 September in London (summer time): 2025/26.
    report(a, at(2025, 8, 31, 23, 30))
    # An hour earlier it is still 31 August: 2024/25.
    report(a, at(2025, 8, 31, 22, 30))
    # In winter London is on UTC: the last minute of the autumn term, the first of spring.
    report(a, at(2025, 12, 31, 23, 59), category="weapons")
    report(a, at(2026, 1, 1, 0, 0))
    # The clocks went forward on 29 March 2026: 23:30 on 31 March in UTC is 1 April.
    report(a, at(2026, 3, 31, 23, 30))
    report(world.school_b, at(2026, 2, 2, 10, 0))

    (year,) = school_values("pupil_reports", a, PeriodKind.YEAR).values()
    assert (year.period.label, year.value, year.records) == ("2025/26", Decimal(4), 4)
    assert year.breakdown == {"bullying": Decimal(3), "weapons": Decimal(1)}
    assert year.source == "computed"
    assert figures("pupil_reports", a, PeriodKind.TERM) == {
        "2025/26 autumn": 2,
        "2025/26 spring": 1,
        "2025/26 summer": 1,
    }
    months = figures("pupil_reports", a, PeriodKind.MONTH)
    assert months["2025-09"] == 1
    assert months["2025-12"] == 1
    assert months["2026-01"] == 1
    assert months["2026-03"] == 0
    assert months["2026-04"] == 1
    assert figures("pupil_reports", a, PeriodKind.YEAR, since=date(2024, 9, 1)) == {
        "2024/25": 1,
        "2025/26": 4,
    }


def test_a_period_yet_to_begin_has_no_figure(world):
    assert list(figures("incidents", world.school_a, PeriodKind.TERM)) == [
        "2025/26 autumn",
        "2025/26 spring",
        "2025/26 summer",
    ]
    months = figures("incidents", world.school_a, PeriodKind.MONTH)
    assert "2026-05" in months and "2026-06" not in months


def test_rates_per_100_pupils_and_the_schools_taken_together(world, dsl):
    a, b = world.school_a, world.school_b
    b.number_of_pupils = 300
    b.save()
    for day in range(4):
        incident(a, at(2025, 10, 6 + day, 10, 0), dsl, category="assault" if day else "theft")
    for day in range(2):
        incident(b, at(2025, 11, 3 + day, 10, 0), dsl)
    (rate,) = school_values("incidents_per_100", a, PeriodKind.YEAR).values()
    # 4 of 900 pupils: 0.444 per 100.
    assert (rate.value, rate.records, rate.parts) == (Decimal("0.44"), 4, {"records": 4})
    assert rate.breakdown == {"assault": Decimal("0.33"), "theft": Decimal("0.11")}
    together = group_values(
        indicator=indicator("incidents_per_100"),
        schools=[a, b],
        kind=PeriodKind.YEAR,
        since=YEAR[0],
        until=YEAR[1],
    )
    # 6 of 1,200 pupils.
    assert together["2025/26"].value == Decimal("0.50")
    assert together["2025/26"].records == 6
    b.number_of_pupils = None
    b.save()
    assert figures("incidents_per_100", b, PeriodKind.YEAR) == {"2025/26": None}
    unknown = computed_group_values(
        indicator=indicator("incidents_per_100"),
        schools=[a, b],
        periods=[parse_period("2025/26")],
    )
    assert (unknown["2025/26"].value, unknown["2025/26"].records) == (None, 6)
    assert figures("incidents", b, PeriodKind.YEAR) == {"2025/26": 2}


def test_critical_incidents_are_those_critical_or_flagged(world, dsl):
    incident(world.school_a, at(2026, 2, 2, 10, 0), dsl, critical=True)
    flagged = incident(world.school_a, at(2026, 2, 3, 10, 0), dsl)
    Incident.objects.filter(pk=flagged.pk).update(flagged_critical=True)
    incident(world.school_a, at(2026, 2, 4, 10, 0), dsl)
    assert figures("critical_incidents", world.school_a, PeriodKind.YEAR) == {"2025/26": 2}
    assert figures("incidents", world.school_a, PeriodKind.YEAR) == {"2025/26": 3}


def test_officer_time_by_kind_and_patrols(world, persona):
    officer = persona(Role.SSP_OFFICER, world.p)

    def log(when, kind, minutes, detail=""):
        Activity.objects.create(
            officer=officer,
            school=world.school_a,
            kind=kind,
            detail=detail,
            started_at=when,
            minutes=minutes,
        )

    log(at(2026, 2, 2, 8, 0), ActivityKind.PATROL, 45, "start_of_day")
    log(at(2026, 2, 3, 15, 0), ActivityKind.PATROL, 30, "end_of_day")
    log(at(2026, 2, 4, 11, 0), ActivityKind.LESSON, 50, "pshe")
    hours = school_values("officer_hours", world.school_a, PeriodKind.TERM)["2025/26 spring"]
    assert (hours.period.label, hours.value, hours.records) == (
        "2025/26 spring",
        Decimal("2.1"),
        None,
    )
    assert hours.breakdown == {"lesson": Decimal("0.8"), "patrol": Decimal("1.3")}
    (patrols,) = school_values("patrols", world.school_a, PeriodKind.YEAR).values()
    assert (patrols.value, patrols.records, patrols.parts) == (Decimal(2), None, {})
    assert patrols.breakdown == {"end_of_day": Decimal(1), "start_of_day": Decimal(1)}


def test_repeat_victimisation_counts_each_pupil_once_a_period(world, dsl):
    a = world.school_a
    one, two, three, four = (PupilFactory(school=a) for _ in range(4))
    october = incident(a, at(2025, 10, 6, 10, 0), dsl)
    late_october = incident(a, at(2025, 10, 20, 10, 0), dsl)
    february = incident(a, at(2026, 2, 2, 10, 0), dsl)
    victim(october, one)
    victim(february, one)
    victim(october, two)
    victim(late_october, two)
    victim(late_october, three)
    victim(late_october, three)  # named twice in one incident: one incident
    for made in (october, february):
        IncidentParty.objects.create(incident=made, role="perpetrator", pupil=four)
    IncidentParty.objects.create(incident=february, role="victim", description="A visitor")

    (year,) = school_values("repeat_victimisation", a, PeriodKind.YEAR).values()
    # Pupils one and two, of three victims, were victims more than once in the year.
    assert (year.value, year.records, year.parts) == (
        Decimal("66.7"),
        3,
        {"repeated": 2, "once": 1},
    )
    terms = school_values("repeat_victimisation", a, PeriodKind.TERM)
    # In the autumn only pupil two was a victim twice; in the spring pupil one once.
    assert terms["2025/26 autumn"].value == Decimal("33.3")
    assert terms["2025/26 spring"].value == Decimal("0.0")
    assert (terms["2025/26 summer"].value, terms["2025/26 summer"].records) == (None, 0)


def test_reports_acknowledged_by_their_due_time(world):
    a = world.school_a
    report(a, at(2026, 5, 1, 9, 0), acknowledged_at=at(2026, 5, 1, 12, 0), status="acknowledged")
    report(a, at(2026, 5, 2, 9, 0), acknowledged_at=at(2026, 5, 3, 9, 1), status="acknowledged")
    # Not acknowledged, and its time is up.
    report(a, at(2026, 5, 5, 9, 0))
    # Not acknowledged, but still within its time: left aside.
    report(a, at(2026, 5, 15, 10, 0))
    # Acknowledged on the dot of its due time: in time.
    report(
        a,
        at(2026, 4, 7, 9, 0),
        due_at=at(2026, 4, 8, 9, 0),
        acknowledged_at=at(2026, 4, 8, 9, 0),
        status="acknowledged",
    )
    may = school_values("reports_acknowledged_in_time", a, PeriodKind.MONTH)["2026-05"]
    assert (may.value, may.records) == (Decimal("33.3"), 3)
    assert may.parts == {"in_time": 1, "late": 2, "pending": 1}
    (summer,) = school_values(
        "reports_acknowledged_in_time", a, PeriodKind.TERM, since=date(2026, 4, 1)
    ).values()
    assert summer.value == Decimal("50.0")
    assert (
        school_values("reports_acknowledged_in_time", a, PeriodKind.MONTH)["2026-03"].value is None
    )


def test_time_to_close_is_the_median_of_reports_closed_in_the_period(world):
    a = world.school_a

    def closed(received, closed_at):
        report(a, received, status="closed", closed_at=closed_at, outcome="advice_given")

    closed(at(2026, 4, 1, 9, 0), at(2026, 4, 2, 9, 0))  # 1 day
    closed(at(2026, 4, 1, 9, 0), at(2026, 4, 3, 21, 0))  # 2.5 days
    closed(at(2026, 3, 20, 9, 0), at(2026, 4, 30, 9, 0))  # 41 days, closed in April
    closed(at(2026, 5, 1, 9, 0), at(2026, 5, 5, 9, 0))  # 4 days, closed in May
    report(a, at(2026, 4, 2, 9, 0))  # still open
    months = school_values("report_days_to_close", a, PeriodKind.MONTH)
    assert (months["2026-04"].value, months["2026-04"].records) == (Decimal("2.5"), 3)
    assert months["2026-05"].value == Decimal("4.0")
    assert (months["2026-03"].value, months["2026-03"].records) == (None, 0)
    # The summer term: 1, 2.5, 4 and 41 days.
    assert figures("report_days_to_close", a, PeriodKind.TERM)["2025/26 summer"] == Decimal("3.3")


def test_planned_patrols_done_up_to_today(world, persona):
    officer = persona(Role.SSP_OFFICER, world.p)
    other = persona(Role.SSP_OFFICER, world.p)
    a = world.school_a
    PatrolPlan.objects.create(
        officer=officer,
        school=a,
        weekdays=0b101,  # Mondays and Wednesdays
        starts_at=time(8, 0),
        ends_at=time(8, 30),
        valid_from=date(2026, 5, 1),
    )
    SchoolHoliday.objects.create(
        area=world.area, name="A day off", starts_on=date(2026, 5, 13), ends_on=date(2026, 5, 13)
    )

    def patrol(who, day):
        Activity.objects.create(
            officer=who,
            school=a,
            kind=ActivityKind.PATROL,
            started_at=datetime.combine(day, time(8, 5), tzinfo=LONDON),
            minutes=30,
        )

    # Planned so far: Wednesday 6 May and Monday 11 May (Monday 4 May is a bank holiday,
    # Wednesday 13 May a school holiday, Monday 18 May still to come).
    patrol(officer, date(2026, 5, 6))
    patrol(other, date(2026, 5, 11))  # another officer's
    patrol(officer, date(2026, 5, 12))  # a Tuesday: no patrol planned
    (may,) = [
        v
        for label, v in school_values("patrols_done_of_planned", a, PeriodKind.MONTH).items()
        if label == "2026-05"
    ]
    assert (may.value, may.records) == (Decimal("50.0"), None)
    assert may.breakdown == {"planned": Decimal(2), "done": Decimal(1)}
    assert figures("patrols_done_of_planned", a, PeriodKind.MONTH)["2026-04"] is None


def test_referrals_completed_of_those_made_in_the_period(world, dsl):
    def refer(pupil, status, when):
        Referral.objects.create(
            pupil=pupil,
            school=pupil.school,
            agency=world.yot,
            service=ReferralService.YOUTH_OFFENDING_TEAM,
            reason="Getting into fights after school",
            status=status,
            referred_by=dsl,
            referred_at=when,
        )

    refer(world.pupil_a, ReferralStatus.COMPLETED, at(2025, 10, 1, 9, 0))
    refer(world.pupil_a, ReferralStatus.SENT, at(2025, 10, 2, 9, 0))
    refer(world.pupil_a, ReferralStatus.DECLINED, at(2025, 11, 2, 9, 0))
    refer(world.pupil_b, ReferralStatus.COMPLETED, at(2025, 11, 2, 9, 0))
    (autumn,) = [
        v
        for v in school_values("referrals_completed", world.school_a, PeriodKind.TERM).values()
        if v.period.label == "2025/26 autumn"
    ]
    assert (autumn.value, autumn.records) == (Decimal("33.3"), 3)
    assert autumn.parts == {"completed": 1, "not_completed": 2}


def test_sharing_decisions_reviewed_before_their_access_ran_out(world, dsl):
    def decide(pupil, decided, expires, **fields):
        return SharingDecision.objects.create(
            pupil=pupil,
            school=pupil.school,
            agency=world.yot,
            purpose="Support",
            information="Assessments",
            items=[],
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            consent=Consent.NOT_SOUGHT,
            consent_reason="A child at risk",
            golden_rules_confirmed=True,
            decision=fields.pop("decision", Decision.SHARE),
            expires_on=expires,
            decided_by=dsl,
            decided_at=decided,
            **fields,
        )

    renewed, revoked, lapsed, late = (PupilFactory(school=world.school_a) for _ in range(4))
    decide(renewed, at(2026, 3, 1, 9, 0), date(2026, 4, 10))
    decide(renewed, at(2026, 4, 5, 9, 0), date(2026, 7, 1))  # renewed; runs out in July
    decide(revoked, at(2026, 3, 1, 9, 0), date(2026, 4, 20), revoked_at=at(2026, 4, 1, 9, 0))
    decide(lapsed, at(2026, 3, 1, 9, 0), date(2026, 4, 25))
    decide(late, at(2026, 3, 1, 9, 0), date(2026, 4, 28))
    # Refused again, but at 00:30 in London on the day access ran out: too late.
    decide(late, at(2026, 4, 27, 23, 30), None, decision=Decision.NOT_SHARE)
    months = school_values("sharing_decisions_reviewed", world.school_a, PeriodKind.MONTH)
    assert (months["2026-04"].value, months["2026-04"].records) == (Decimal("50.0"), 4)
    assert months["2026-04"].parts == {"reviewed": 2, "not_reviewed": 2}
    assert months["2026-05"].value is None


def test_figures_of_schools_taken_together_pool_their_records(world, dsl):
    a, b = world.school_a, world.school_b
    shared = PupilFactory(school=a)
    victim(incident(a, at(2025, 10, 6, 10, 0), dsl), shared)
    # The same pupil, a victim at the other school too (moved since): one pupil, twice.
    victim(incident(b, at(2025, 11, 6, 10, 0), dsl), shared)
    for school in (a, b):
        assert figures("repeat_victimisation", school, PeriodKind.YEAR) == {
            "2025/26": Decimal("0.0")
        }
    together = group_values(
        indicator=indicator("repeat_victimisation"),
        schools=[a, b],
        kind=PeriodKind.YEAR,
        since=YEAR[0],
        until=YEAR[1],
    )
    assert together["2025/26"].value == Decimal("100.0")
    assert group_values(
        indicator=indicator("incidents"), schools=[a, b], kind="year", since=YEAR[0], until=YEAR[1]
    )["2025/26"].value == Decimal(2)


@pytest.mark.parametrize("code", sorted(COMPUTED_CODES))
def test_a_reading_takes_the_same_queries_whatever_the_schools_and_periods(
    world, dsl, persona, code, django_assert_max_num_queries
):
    officer = persona(Role.SSP_OFFICER, world.p)
    incident(world.school_a, at(2026, 2, 2, 10, 0), dsl)
    report(world.school_b, at(2026, 2, 2, 10, 0))
    # A patrol plan and a decision to share, so that every query of their readings is made.
    PatrolPlan.objects.create(
        officer=officer,
        school=world.school_a,
        weekdays=0b11111,
        starts_at=time(8, 0),
        ends_at=time(8, 30),
        valid_from=date(2024, 9, 1),
    )
    SharingDecision.objects.create(
        pupil=world.pupil_a,
        school=world.school_a,
        agency=world.yot,
        purpose="Support",
        information="Assessments",
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        consent=Consent.NOT_SOUGHT,
        golden_rules_confirmed=True,
        decision=Decision.SHARE,
        expires_on=date(2024, 9, 20),
        decided_by=dsl,
        decided_at=at(2024, 9, 2, 9, 0),
    )
    one = Indicator.objects.get(code=code)
    months = periods_between(PeriodKind.MONTH, date(2024, 9, 1), date(2026, 8, 31))
    with CaptureQueriesContext(connection) as few:
        computed_values(indicator=one, schools=[world.school_a], periods=months[:1])
    assert 1 <= len(few) <= 3
    schools = [world.school_a, world.school_b, world.school_c]
    with django_assert_max_num_queries(len(few)):
        computed_values(indicator=one, schools=schools, periods=months)
    with django_assert_max_num_queries(len(few)):
        computed_group_values(indicator=one, schools=schools, periods=months)
