"""Targets' progress: from what SaferSchools records (reports, incidents, officers' activity and
patrols) by school month, from published figures, and from measurements by hand; met, on track
or behind; small counts not shown to those who may not see them."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from saferschools.accounts.models import Role
from saferschools.activity.models import Activity, ActivityKind
from saferschools.incidents.models import Incident
from saferschools.outcomes.computed import (
    COMPUTED_CODES,
    COUNT_CODES,
    computed_by_month,
    computed_total,
)
from saferschools.outcomes.models import IndicatorValue
from saferschools.planning import workplan_selectors as selectors
from saferschools.planning import workplan_services as services
from saferschools.planning.models import CoreAim, TargetMeasurement
from saferschools.planning.workplan_selectors import ProgressStatus
from saferschools.planning.workplan_services import TargetInput
from saferschools.reporting.models import Report
from saferschools.testing.factories import submit_report

pytestmark = pytest.mark.django_db

# Sunday 15 March 2026: the latest full school month is February.
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 15)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def outcome(world, head):
    workplan = services.workplan_start(actor=head, partnership=world.p, year=2025, source="t")
    return services.workplan_outcome_add(
        actor=head, workplan=workplan, aim=CoreAim.SAFETY, text="Fewer incidents", source="t"
    )


def target(outcome, head, **changes):
    values = {
        "description": "Incidents down",
        "indicator": "incidents",
        "measure": "",
        "baseline": Decimal(10),
        "baseline_on": date(2025, 9, 1),
        "target_value": Decimal(4),
        "target_on": date(2026, 7, 31),
    }
    values.update(changes)
    return services.workplan_target_add(
        actor=head, outcome=outcome, data=TargetInput(**values), source="t"
    )


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def report(school, when):
    made = submit_report(school).report
    Report.objects.filter(pk=made.pk).update(received_at=when)


def incident(school, when, recorder, *, critical=False):
    return Incident.objects.create(
        school=school,
        occurred_at=when,
        recorded_at=when,
        recorded_by=recorder,
        location_kind="on_site",
        category="bullying",
        severity="critical" if critical else "medium",
        description="Pushed against the lockers at break.",
        updated_at=when,
        updated_by=recorder,
    )


def activity(officer, school, when, *, kind=ActivityKind.PATROL, minutes=60):
    return Activity.objects.create(
        officer=officer, school=school, kind=kind, started_at=when, minutes=minutes
    )


def counts(world, *seen):
    """Partnership P's schools as seen by a viewer who sees the counts of ``seen`` in full
    (all of them when none is named)."""
    schools = list(world.p.schools.order_by("name"))
    return selectors.Counts(schools, list(seen) if seen else schools)


def progress_of(world, targets, *, full=True, seen=()):
    viewer = counts(world) if full else selectors.Counts(counts(world).schools, list(seen))
    found = selectors.target_progress(targets=targets, counts=viewer, today=TODAY)
    return [found[t.pk] for t in targets]


def test_the_latest_full_school_month_leaves_out_august():
    assert selectors.latest_full_school_month(date(2026, 3, 15)) == date(2026, 2, 1)
    assert selectors.latest_full_school_month(date(2025, 9, 3)) == date(2025, 7, 1)
    assert selectors.latest_full_school_month(date(2026, 1, 1)) == date(2025, 12, 1)
    assert selectors.school_months(date(2025, 6, 9), date(2025, 10, 1)) == [
        date(2025, 6, 1),
        date(2025, 7, 1),
        date(2025, 9, 1),
        date(2025, 10, 1),
    ]


def test_incidents_are_counted_by_school_month_over_the_partnership(world, head, dsl, outcome):
    for day in (2, 9, 16, 23):
        incident(world.school_a, at(2026, 2, day, 10, 0), dsl)
    incident(world.school_b, at(2026, 2, 10, 10, 0), dsl)
    # Not the partnership's, or not February in London.
    incident(world.school_c, at(2026, 2, 10, 10, 0), dsl)
    incident(world.school_a, at(2026, 3, 1, 0, 30), dsl)
    # 23:30 on 30 September in UTC is 00:30 on 1 October in London (summer time).
    incident(world.school_a, at(2025, 9, 30, 23, 30), dsl)
    (progress,) = progress_of(world, [target(outcome, head)])
    assert progress.kind == "computed"
    assert (progress.current, progress.as_of, progress.as_of_label) == (
        Decimal(5),
        date(2026, 2, 28),
        "February 2026",
    )
    assert [(p.label, p.value) for p in progress.series] == [
        ("September 2025", 0),
        ("October 2025", 1),
        ("November 2025", 0),
        ("December 2025", 0),
        ("January 2026", 0),
        ("February 2026", 5),
    ]
    # From 10 on 1 September to 4 on 31 July: 6.757 is the line's figure at the end of February.
    assert progress.expected == Decimal("6.757")
    assert progress.lower_is_better
    assert progress.status == ProgressStatus.ON_TRACK
    assert progress.status_label == "On track"


def test_each_computed_indicator_matches_the_outcomes_figures(world, head, dsl, officer, outcome):
    report(world.school_a, at(2026, 2, 3, 9, 0))
    report(world.school_b, at(2026, 1, 31, 23, 30))
    incident(world.school_a, at(2026, 2, 5, 9, 0), dsl, critical=True)
    incident(world.school_b, at(2026, 2, 6, 9, 0), dsl)
    activity(officer, world.school_a, at(2026, 2, 2, 8, 0), minutes=45)
    activity(officer, world.school_b, at(2026, 2, 2, 15, 0), minutes=30)
    activity(officer, world.school_a, at(2026, 2, 4, 11, 0), kind=ActivityKind.LESSON, minutes=50)
    schools = list(world.p.schools.all())
    for code in COUNT_CODES:
        months = computed_by_month(
            code=code, schools=schools, first=date(2026, 1, 1), last=date(2026, 2, 1)
        )
        for month, last in (
            (date(2026, 1, 1), date(2026, 1, 31)),
            (date(2026, 2, 1), date(2026, 2, 28)),
        ):
            assert months[month] == computed_total(
                code=code, schools=schools, since=month, until=last
            ), (code, month)
    feb = date(2026, 2, 1)
    assert computed_by_month(code="officer_hours", schools=schools, first=feb, last=feb)[
        feb
    ] == Decimal("2.1")
    assert computed_by_month(code="patrols", schools=schools, first=feb, last=feb)[feb] == 2
    assert computed_by_month(code="pupil_reports", schools=schools, first=feb, last=feb)[feb] == 1


def test_patrols_up_towards_their_target(world, head, officer, outcome):
    for day in range(2, 12):
        activity(officer, world.school_a, at(2026, 2, day, 8, 0))
    patrols = target(outcome, head, indicator="patrols", baseline=4, target_value=8)
    (progress,) = progress_of(world, [patrols])
    assert not progress.lower_is_better
    assert progress.status == ProgressStatus.MET
    behind = target(outcome, head, indicator="patrols", baseline=4, target_value=40)
    (progress,) = progress_of(world, [behind])
    assert progress.status == ProgressStatus.BEHIND


def test_small_counts_are_not_shown_without_full_access(world, head, dsl, outcome):
    for day in (2, 3):
        incident(world.school_a, at(2026, 2, day, 10, 0), dsl)
    for day in range(5):
        incident(world.school_a, at(2026, 1, 5 + day, 10, 0), dsl)
    (full,) = progress_of(world, [target(outcome, head)])
    assert (full.current_text, full.status) == ("2", ProgressStatus.MET)
    (held,) = progress_of(world, [target(outcome, head)], full=False)
    assert (held.current_shown, held.current_text, held.api_current) == (False, "", None)
    assert held.status == ProgressStatus.NOT_SHOWN
    shown = {p.label: p.text for p in held.series}
    assert shown["February 2026"] == ""
    # The school's spring term (seven so far) is shown elsewhere: less January's five it would
    # give February's two away, so January is left out too.
    assert shown["January 2026"] == ""
    assert shown["December 2025"] == "0"
    assert selectors.HIDDEN_NOTE in held.notes


def test_published_figures_are_combined_weighted_by_pupils(world, head, outcome):
    world.school_b.number_of_pupils = 300
    world.school_b.save()

    def value(school, period, start, number=None):
        IndicatorValue.objects.create(
            indicator_id="persistent_absence",
            school=school,
            period=period,
            period_start=start,
            value=number,
            suppressed=number is None,
        )

    value(world.school_a, "2023/24", date(2023, 9, 1), Decimal(20))
    value(world.school_b, "2023/24", date(2023, 9, 1), Decimal(10))
    value(world.school_a, "2024/25", date(2024, 9, 1), Decimal(18))
    value(world.school_b, "2024/25", date(2024, 9, 1))
    value(world.school_c, "2024/25", date(2024, 9, 1), Decimal(50))
    absence = target(
        outcome,
        head,
        indicator="persistent_absence",
        baseline="17.5",
        baseline_on=date(2024, 9, 1),
        target_value=15,
    )
    (progress,) = progress_of(world, [absence])
    assert progress.kind == "imported"
    # School B's latest figure is suppressed: school A's alone.
    assert (progress.current, progress.as_of_label) == (Decimal("18.00"), "2024/25")
    assert [(p.label, p.value, p.note) for p in progress.series] == [
        ("2023/24", Decimal("17.50"), ""),
        ("2024/25", Decimal("18.00"), "1 suppressed"),
    ]
    assert "1 school figure suppressed by the publisher left out" in progress.notes
    assert progress.status == ProgressStatus.BEHIND
    # Without every school's number of pupils, a plain mean.
    world.school_b.number_of_pupils = None
    world.school_b.save()
    IndicatorValue.objects.filter(school=world.school_b, period="2024/25").update(
        value=Decimal(12), suppressed=False
    )
    (progress,) = progress_of(world, [absence])
    assert progress.current == Decimal("15.00")
    assert progress.status == ProgressStatus.MET
    assert any("a plain mean" in note for note in progress.notes)


def test_a_figure_from_before_the_baseline_does_not_judge_progress(world, head, outcome):
    IndicatorValue.objects.create(
        indicator_id="overall_absence",
        school=world.school_a,
        period="2024/25",
        period_start=date(2024, 9, 1),
        value=Decimal("6.4"),
    )
    (progress,) = progress_of(
        world, [target(outcome, head, indicator="overall_absence", baseline=7, target_value=5)]
    )
    assert (progress.current, progress.status) == (Decimal("6.40"), ProgressStatus.NO_FIGURE)
    assert progress.notes[-1].startswith("The latest figure is from before the baseline date")


def test_no_published_figure_yet(world, head, outcome):
    (progress,) = progress_of(
        world, [target(outcome, head, indicator="overall_absence", baseline=5, target_value=4)]
    )
    assert (progress.current, progress.status, progress.status_label) == (
        None,
        "no_figure",
        "No figure since the baseline",
    )


def test_a_target_measured_by_hand_reads_its_latest_measurement(world, head, outcome):
    families = target(
        outcome,
        head,
        indicator=None,
        measure="Persistent absence among the 10 priority families (%)",
        baseline=30,
        target_value=20,
    )
    for day, number in ((date(2026, 2, 1), "25"), (date(2025, 12, 1), "29")):
        TargetMeasurement.objects.create(
            target=families, measured_on=day, value=Decimal(number), recorded_by=head
        )
    fetched = selectors.workplan_get(partnership=world.p, year=2025)
    (progress,) = progress_of(world, selectors.workplan_targets(fetched))
    assert (progress.kind, progress.current, progress.as_of_label) == (
        "measured",
        Decimal(25),
        "measured 1 February 2026",
    )
    assert [p.label for p in progress.series] == ["1 December 2025", "1 February 2026"]
    # On the line from 30 (1 September) to 20 (31 July), 1 February is 25.405: 25 is on track.
    assert progress.status == ProgressStatus.ON_TRACK


def test_a_target_past_its_date_and_not_met_is_behind(world, head, outcome):
    late = target(
        outcome,
        head,
        indicator=None,
        measure="Priority families' absence",
        baseline=30,
        baseline_on=date(2025, 1, 1),
        target_value=20,
        target_on=date(2026, 1, 31),
    )
    TargetMeasurement.objects.create(
        target=late, measured_on=date(2026, 3, 1), value=Decimal("19.5"), recorded_by=head
    )
    TargetMeasurement.objects.create(
        target=late, measured_on=date(2026, 3, 2), value=Decimal(21), recorded_by=head
    )
    (progress,) = progress_of(world, [late])
    assert progress.target_passed
    assert progress.status == ProgressStatus.BEHIND


def test_progress_takes_a_constant_number_of_queries(
    world, head, dsl, outcome, django_assert_max_num_queries
):
    incident(world.school_a, at(2026, 2, 2, 10, 0), dsl)
    few = [
        target(outcome, head),
        target(outcome, head, indicator="persistent_absence", baseline=5, target_value=4),
    ]
    with django_assert_max_num_queries(3):
        progress_of(world, few)
    many = (
        few
        + [
            target(outcome, head, indicator=code, baseline=5, target_value=4)
            for code in sorted(COMPUTED_CODES)
            for _ in range(3)
        ]
        + [
            target(outcome, head, indicator="overall_absence", baseline=5, target_value=4)
            for _ in range(5)
        ]
    )
    # One query for the schools, one for each published indicator's figures, one for each
    # computed indicator's records; planned patrols read the plans, their holidays and the
    # patrols logged, and sharing decisions the decisions made later.
    with django_assert_max_num_queries(1 + 2 + len(COMPUTED_CODES) + 3):
        progress_of(world, many)


def test_baseline_hints_give_the_latest_figures(world, head, dsl, officer):
    IndicatorValue.objects.create(
        indicator_id="overall_absence",
        school=world.school_a,
        period="2024/25",
        period_start=date(2024, 9, 1),
        value=Decimal("6.4"),
    )
    incident(world.school_a, at(2026, 2, 2, 10, 0), dsl)
    hints = selectors.baseline_hints(
        counts=selectors.Counts(counts(world).schools, []), today=TODAY
    )
    assert hints["overall_absence"].text == "6.4 (2024/25)"
    assert hints["incidents"].text == "not shown (it could give away a count from 1 to 4)"
    assert hints["patrols"].text == "0 (February 2026)"
    assert hints["persistent_absence"].text == "no figure yet"


# Judging progress at its edges ------------------------------------------------------------------


def measured(outcome, head, *values, **changes):
    """A target measured by hand from 30 on 1 September 2025 to 20 on 31 July 2026, with the
    measurements given as (day, value)."""
    made = target(
        outcome,
        head,
        **{
            "indicator": None,
            "measure": "Persistent absence among the 10 priority families (%)",
            "baseline": 30,
            "target_value": 20,
            **changes,
        },
    )
    for day, number in values:
        TargetMeasurement.objects.create(
            target=made, measured_on=day, value=Decimal(number), recorded_by=head
        )
    return made


def status_of(world, made) -> selectors.Progress:
    fetched = selectors.workplan_get(partnership=world.p, year=2025)
    (progress,) = [
        p for p in progress_of(world, selectors.workplan_targets(fetched)) if p.target == made
    ]
    return progress


def test_on_the_baseline_day_the_baseline_is_on_track(world, head, outcome):
    start = date(2025, 9, 1)
    assert status_of(world, measured(outcome, head, (start, "30"))).status == "on_track"
    assert status_of(world, measured(outcome, head, (start, "30.5"))).status == "behind"
    assert status_of(world, measured(outcome, head, (start, "19"))).status == "met"


def test_after_the_target_date_an_unmet_target_is_behind(world, head, outcome):
    # On the line at its date (25 on 1 February would be on track), but the date has passed.
    late = measured(
        outcome,
        head,
        (date(2026, 1, 15), "24"),
        baseline_on=date(2025, 3, 1),
        target_on=date(2026, 2, 28),
    )
    progress = status_of(world, late)
    assert progress.target_passed
    assert progress.status == ProgressStatus.BEHIND
    assert progress.notes[-1].startswith("The target date has passed, and the latest figure")
    # Reached, it is met, whenever the figure is from.
    TargetMeasurement.objects.create(
        target=late, measured_on=date(2026, 3, 2), value=Decimal(20), recorded_by=head
    )
    assert status_of(world, late).status == ProgressStatus.MET


def test_a_higher_is_better_target_is_on_track_above_the_line(world, head, officer, outcome):
    # From 4 patrols in September to 14 in July: by the end of February the line is at 9.405.
    patrols = target(outcome, head, indicator="patrols", baseline=4, target_value=14)
    for day in range(2, 11):
        activity(officer, world.school_a, at(2026, 2, day, 8, 0))
    (progress,) = progress_of(world, [patrols])
    assert (progress.current, progress.expected) == (Decimal(9), Decimal("9.405"))
    assert progress.expected_text == "9"  # a count of patrols is whole
    assert not progress.lower_is_better
    assert progress.status == ProgressStatus.BEHIND
    activity(officer, world.school_b, at(2026, 2, 12, 8, 0))
    (progress,) = progress_of(world, [patrols])
    assert progress.status == ProgressStatus.ON_TRACK
    assert progress.direction_label == "Higher is better"


def test_a_target_equal_to_its_baseline_reads_the_direction_of_its_indicator(
    world, head, officer, outcome
):
    # Keep patrols at eight a month: more is better.
    hold = target(outcome, head, indicator="patrols", baseline=8, target_value=8)
    for day in range(2, 10):
        activity(officer, world.school_a, at(2026, 2, day, 8, 0))
    (progress,) = progress_of(world, [hold])
    assert (progress.lower_is_better, progress.status) == (False, ProgressStatus.MET)
    Activity.objects.filter(started_at__day=9).delete()
    (progress,) = progress_of(world, [hold])
    assert progress.status == ProgressStatus.BEHIND
    # No more than three incidents a month: fewer is better.
    (progress,) = progress_of(world, [target(outcome, head, baseline=3, target_value=3)])
    assert (progress.lower_is_better, progress.status) == (True, ProgressStatus.MET)
    # Measured by hand, the direction cannot be known: the page says which is taken.
    kept = measured(outcome, head, (date(2026, 2, 1), "95"), baseline=95, target_value=95)
    progress = status_of(world, kept)
    assert (progress.lower_is_better, progress.status) == (True, ProgressStatus.MET)
    assert "The target is the baseline itself: a lower figure is taken as better" in progress.notes


def test_a_published_figure_stands_at_the_end_of_its_year(world, head, outcome):
    """The 2025/26 figure is the one that tells whether a target set on 1 September 2025 for
    the end of that year was met: it is judged against the target itself, not the baseline."""

    def year_figure(period, start, number):
        IndicatorValue.objects.create(
            indicator_id="persistent_absence",
            school=world.school_a,
            period=period,
            period_start=start,
            value=Decimal(number),
        )

    absence = target(outcome, head, indicator="persistent_absence", baseline=20, target_value=16)
    year_figure("2024/25", date(2024, 9, 1), "19")
    (progress,) = progress_of(world, [absence])
    assert (progress.as_of, progress.status) == (date(2025, 8, 31), ProgressStatus.NO_FIGURE)
    year_figure("2025/26", date(2025, 9, 1), "18")
    (progress,) = progress_of(world, [absence])
    assert (progress.as_of, progress.expected) == (date(2026, 8, 31), Decimal(16))
    assert progress.status == ProgressStatus.BEHIND
    IndicatorValue.objects.filter(period="2025/26").update(value=Decimal("15.5"))
    (progress,) = progress_of(world, [absence])
    assert progress.status == ProgressStatus.MET


# Small counts for those who do not see every school's counts ----------------------------------


def test_a_total_is_not_shown_when_less_what_the_viewer_sees_it_leaves_a_small_count(
    world, head, dsl, outcome
):
    for day in range(6):
        incident(world.school_a, at(2026, 2, 2 + day, 10, 0), dsl)
    for day in range(2):
        incident(world.school_b, at(2026, 2, 2 + day, 10, 0), dsl)
    incidents = target(outcome, head)
    (everyone,) = progress_of(world, [incidents])
    assert everyone.current_text == "8"
    # One who sees neither school in full still reads school A's six on its own figures (they
    # are not small): the eight would tell them school B's two.
    (nobody,) = progress_of(world, [incidents], full=False)
    assert (nobody.current_text, nobody.status) == ("", ProgressStatus.NOT_SHOWN)
    # School A's six are known to its head: the eight would tell them school B's two.
    (school_a,) = progress_of(world, [incidents], full=False, seen=[world.school_a])
    assert (school_a.current_shown, school_a.status) == (False, ProgressStatus.NOT_SHOWN)
    assert school_a.api_current is None
    assert selectors.HIDDEN_NOTE in school_a.notes
    # School B's head learns only school A's six.
    (school_b,) = progress_of(world, [incidents], full=False, seen=[world.school_b])
    assert school_b.current_text == "8"


def test_incidents_and_critical_incidents_side_by_side_give_nothing_away(world, head, dsl, outcome):
    for day in range(7):
        incident(world.school_a, at(2026, 2, 2 + day, 10, 0), dsl, critical=day < 5)
    both = [target(outcome, head), target(outcome, head, indicator="critical_incidents")]
    shown = [p.current_text for p in progress_of(world, both, full=False)]
    # Seven incidents, five of them critical: the two that were not would show by difference.
    assert shown == ["7", ""]
    # Alone on the page too: the incidents are shown elsewhere (the school's own figures).
    (critical,) = progress_of(world, both[1:], full=False)
    assert critical.current_text == ""
    hints = selectors.baseline_hints(
        counts=selectors.Counts(counts(world).schools, []), today=TODAY
    )
    assert hints["incidents"].text == "7 (February 2026)"
    assert hints["critical_incidents"].text == "not shown (it could give away a count from 1 to 4)"


def test_a_partial_viewer_takes_two_queries_per_computed_indicator(
    world, head, dsl, outcome, django_assert_max_num_queries
):
    targets = [
        target(outcome, head, indicator=code, baseline=5, target_value=4)
        for code in sorted(COMPUTED_CODES)
    ]
    viewer = selectors.Counts(counts(world).schools, [world.school_a])
    with django_assert_max_num_queries(2 * len(COMPUTED_CODES)):
        selectors.target_progress(targets=targets, counts=viewer, today=TODAY)
