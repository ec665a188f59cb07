"""Computed figures about pupils' records left out for those who do not see them in full: small
counts, and any figure that with others shown (another period, another indicator, the school's
own beside its partnership's) would give one away."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from saferschools.outcomes.indicator_suppression import group_hidden, school_hidden, whole_years
from saferschools.outcomes.periods import parse_period
from saferschools.reporting.models import Report
from saferschools.testing.factories import submit_report

from .test_computed_values import incident

pytestmark = pytest.mark.django_db

# Sunday 15 March 2026.
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
FEBRUARY, JANUARY = "2026-02", "2026-01"
SPRING, YEAR = "2025/26 spring", "2025/26"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def incidents(school, recorder, month, count, *, critical=0):
    for day in range(count):
        incident(school, at(2026, month, 2 + day, 10, 0), recorder, critical=day < critical)


def hidden_of(school, code="incidents", period=FEBRUARY):
    return school_hidden(school=school, codes=[code], periods=[parse_period(period)])


def test_whole_years_are_every_period_of_them_begun_by_today():
    (year,) = whole_years([parse_period(FEBRUARY)], date(2026, 3, 15))
    labels = [period.label for period in year]
    # The summer term and April on have not begun.
    assert labels[:3] == [YEAR, "2025/26 autumn", SPRING]
    assert labels[3:] == [f"2025-{m:02d}" for m in range(9, 13)] + ["2026-01", "2026-02", "2026-03"]
    assert whole_years([parse_period("2027/28")], date(2026, 3, 15)) == []


def test_a_small_month_and_the_month_that_would_give_it_away_by_the_term(world, dsl):
    incidents(world.school_a, dsl, 1, 5)
    incidents(world.school_a, dsl, 2, 2)
    hidden = hidden_of(world.school_a)
    # February's two is small; the spring term's seven less January's five would give it away.
    assert hidden == {
        (code, month)
        for code in ("incidents", "incidents_per_100")
        for month in (JANUARY, FEBRUARY)
    }
    # Whatever was asked, the same decision: another indicator, kind of period or span.
    assert hidden_of(world.school_a, "critical_incidents", YEAR) == hidden
    assert hidden_of(world.school_a, "incidents_per_100", SPRING) == hidden
    assert hidden_of(world.school_b) == set()


def test_incidents_less_critical_ones_would_give_away_the_others(world, dsl):
    incidents(world.school_a, dsl, 2, 7, critical=5)
    hidden = hidden_of(world.school_a)
    # Two were not critical: the critical five are left out, in February, the spring and the
    # year, where each is all there is.
    assert hidden == {("critical_incidents", label) for label in (FEBRUARY, SPRING, YEAR)}


def test_a_share_is_left_out_when_those_it_leaves_out_are_few(world):
    for day in range(10):
        made = submit_report(world.school_a).report
        late = day == 0
        Report.objects.filter(pk=made.pk).update(
            received_at=at(2026, 2, 2 + day, 9, 0),
            due_at=at(2026, 2, 3 + day, 9, 0),
            acknowledged_at=at(2026, 2, 4 + day, 9, 0) if late else at(2026, 2, 2 + day, 10, 0),
            status="acknowledged",
        )
    hidden = hidden_of(world.school_a, "reports_acknowledged_in_time")
    # Nine in time and one late: ninety per cent of ten reports gives the one away.
    assert ("reports_acknowledged_in_time", FEBRUARY) in hidden
    assert ("pupil_reports", FEBRUARY) not in hidden
    assert ("reports_per_100", FEBRUARY) not in hidden


def test_a_partnership_less_a_school_shown_would_give_the_other_away(world, dsl):
    a, b = world.school_a, world.school_b
    incidents(a, dsl, 2, 6)
    incidents(b, dsl, 2, 2)
    month = [parse_period(FEBRUARY)]

    def hidden(*seen):
        return group_hidden(schools=[a, b], seen=seen, codes=["incidents"], periods=month)

    # School A's six are shown on its own figures, to anyone: 8 less 6 is school B's two.
    assert ("incidents", FEBRUARY) in hidden()
    # School A's head knows its six.
    assert ("incidents", FEBRUARY) in hidden(a)
    # School B's head learns school A's six, which anyone may read.
    assert ("incidents", FEBRUARY) not in hidden(b)
    assert hidden(a, b) == set()


def test_two_hidden_schools_hide_the_partnership_only_when_it_gives_them_away(world, dsl):
    a, b = world.school_a, world.school_b
    incidents(a, dsl, 2, 3)
    incidents(b, dsl, 2, 3)
    month = [parse_period(FEBRUARY)]
    both = group_hidden(schools=[a, b], seen=[], codes=["incidents"], periods=month)
    # Six is three and three, or two and four, or one and five: nothing is given away.
    assert ("incidents", FEBRUARY) not in both
    for school in (a, b):
        school.incidents.exclude(pk=school.incidents.order_by("occurred_at").first().pk).delete()
    # Two is one and one.
    ones = group_hidden(schools=[a, b], seen=[], codes=["incidents"], periods=month)
    assert ("incidents", FEBRUARY) in ones


def test_officers_work_is_never_left_out(world):
    assert hidden_of(world.school_a, "patrols") == set()
    assert (
        group_hidden(
            schools=[world.school_a], seen=[], codes=["officer_hours"], periods=[parse_period(YEAR)]
        )
        == set()
    )


def test_repeat_victims_are_decided_period_by_period(world, dsl):
    from saferschools.incidents.models import IncidentParty
    from saferschools.testing.factories import PupilFactory

    pupils = [PupilFactory(school=world.school_a) for _ in range(6)]
    for pupil in pupils:
        made = incident(world.school_a, at(2026, 1, 5, 10, 0), dsl)
        IncidentParty.objects.create(incident=made, role="victim", pupil=pupil)
    made = incident(world.school_a, at(2026, 2, 5, 10, 0), dsl)
    IncidentParty.objects.create(incident=made, role="victim", pupil=pupils[0])
    hidden = hidden_of(world.school_a, "repeat_victimisation", JANUARY)
    # February's one victim is small; the term's one repeat victim of six, too.
    assert ("repeat_victimisation", FEBRUARY) in hidden
    assert ("repeat_victimisation", SPRING) in hidden
    # January's six, each a victim once, are shown.
    assert ("repeat_victimisation", JANUARY) not in hidden
