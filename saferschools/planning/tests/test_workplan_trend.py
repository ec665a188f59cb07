"""A work-plan target on any indicator shows its trend against its baseline and target: computed
rates per 100 pupils by school month, published scores and grades by year, the area's own figure,
the pupil survey by term, and measurements by hand; each as a line chart beside its table, with
a sentence saying where it stands, and nothing shown that could give away a small count."""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from saferschools.accounts.models import Role
from saferschools.incidents.models import Incident
from saferschools.outcomes import survey_results
from saferschools.outcomes.models import IndicatorValue
from saferschools.outcomes.periods import parse_period
from saferschools.outcomes.values import Value
from saferschools.planning import workplan_selectors as selectors
from saferschools.planning import workplan_services as services
from saferschools.planning.models import CoreAim
from saferschools.planning.workplan_selectors import ProgressKind, ProgressStatus
from saferschools.planning.workplan_services import TargetInput

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
def steering(world, persona):
    return persona(Role.STEERING_MEMBER, world.p)


@pytest.fixture
def outcome(world, head):
    workplan = services.workplan_start(actor=head, partnership=world.p, year=2025, source="t")
    return services.workplan_outcome_add(
        actor=head, workplan=workplan, aim=CoreAim.SAFETY, text="Pupils feel safer", source="t"
    )


@pytest.fixture
def surveyed(monkeypatch):
    """The partnership's survey answers, term by term: (term, per cent, pupils answering)."""
    answers: list[tuple[str, str, int]] = []

    def pooled(*, indicator, schools, periods):
        labels = {period.label for period in periods}
        return {
            term: Value(
                indicator.code, parse_period(term), Decimal(share), "surveyed", respondents=n
            )
            for term, share, n in answers
            if term in labels
        }

    monkeypatch.setattr(survey_results, "survey_group_values", pooled)
    return answers


def target(outcome, head, indicator, baseline, target_value, **changes):
    values = {
        "description": f"{indicator} moves",
        "indicator": indicator,
        "measure": "",
        "baseline": Decimal(baseline),
        "baseline_on": date(2025, 9, 1),
        "target_value": Decimal(target_value),
        "target_on": date(2026, 7, 31),
        **changes,
    }
    return services.workplan_target_add(
        actor=head, outcome=outcome, data=TargetInput(**values), source="t"
    )


def progress_of(world, made, *seen):
    schools = list(world.p.schools.order_by("name"))
    counts = selectors.Counts(schools, list(seen) if seen else schools)
    return selectors.target_progress(targets=[made], counts=counts, today=TODAY)[made.pk]


def incidents(world, recorder, school, day, count):
    for _ in range(count):
        Incident.objects.create(
            school=school,
            occurred_at=day,
            recorded_at=day,
            recorded_by=recorder,
            location_kind="on_site",
            category="bullying",
            severity="medium",
            description="Trouble at the bus stop.",
            updated_at=day,
            updated_by=recorder,
        )


def published(school, code, period, number):
    IndicatorValue.objects.create(
        indicator_id=code,
        school=school,
        period=period,
        period_start=parse_period(period).start,
        value=Decimal(number),
    )


def chart_of(page: str, made) -> str:
    match = re.search(
        rf'<svg[^>]*aria-labelledby="chart-{made.pk}-title[^"]*".*?</svg>', page, re.S
    )
    assert match, f"no chart for {made.description}"
    return html.unescape(match.group(0))


def test_a_rate_per_100_pupils_by_school_month(world, head, officer, outcome):
    world.school_b.number_of_pupils = 300
    world.school_b.save()
    # Six incidents in February over 1,200 pupils: 0.5 per 100.
    incidents(world, officer, world.school_a, datetime(2026, 2, 2, 10, tzinfo=UTC), 4)
    incidents(world, officer, world.school_b, datetime(2026, 2, 3, 10, tzinfo=UTC), 2)
    made = target(outcome, head, "incidents_per_100", "0.8", "0.4")
    progress = progress_of(world, made)
    assert progress.kind == ProgressKind.COMPUTED
    assert (progress.current, progress.as_of_label) == (Decimal("0.50"), "February 2026")
    assert [p.label for p in progress.series][-2:] == ["January 2026", "February 2026"]
    assert progress.status == ProgressStatus.ON_TRACK
    # Without school B's number of pupils there is no rate.
    world.school_b.number_of_pupils = None
    world.school_b.save()
    progress = progress_of(world, made)
    assert (progress.current, progress.status) == (None, ProgressStatus.NO_FIGURE)
    assert "No rate per 100 pupils: not every school's number of pupils is known" in progress.notes


def test_a_rate_that_gives_a_small_count_away_is_not_shown(world, head, officer, outcome):
    incidents(world, officer, world.school_b, datetime(2026, 2, 3, 10, tzinfo=UTC), 2)
    made = target(outcome, head, "incidents_per_100", "0.8", "0.4")
    # Two incidents over 1,800 pupils is 0.11 per 100: the number of pupils is public.
    assert progress_of(world, made).current == Decimal("0.11")
    hidden = progress_of(world, made, world.school_a)
    assert (hidden.current_shown, hidden.status) == (False, ProgressStatus.NOT_SHOWN)
    assert selectors.HIDDEN_NOTE in hidden.notes


def test_published_grades_and_scores_are_a_plain_mean(world, head, outcome):
    world.school_b.number_of_pupils = 200
    world.school_b.save()
    for school, grades in ((world.school_a, ("3", "2")), (world.school_b, ("2", "1"))):
        for period, grade in zip(("2023/24", "2024/25"), grades, strict=True):
            published(school, "inspection_behaviour", period, grade)
    made = target(outcome, head, "inspection_behaviour", "3", "1", baseline_on=date(2024, 9, 1))
    progress = progress_of(world, made)
    assert progress.kind == ProgressKind.IMPORTED
    assert [(p.label, p.value) for p in progress.series] == [
        ("2023/24", Decimal("2.50")),
        ("2024/25", Decimal("1.50")),
    ]
    assert (progress.current, progress.as_of) == (Decimal("1.50"), date(2025, 8, 31))
    assert "The mean of 2 schools, a plain mean" in progress.notes
    assert progress.status == ProgressStatus.ON_TRACK


def test_an_area_level_indicator_reads_the_areas_figure(world, head, outcome):
    for period, number in (("2022/23", "260"), ("2023/24", "240"), ("2024/25", "212.5")):
        IndicatorValue.objects.create(
            indicator_id="first_time_entrants",
            area=world.area,
            period=period,
            period_start=parse_period(period).start,
            value=Decimal(number),
        )
    IndicatorValue.objects.create(
        indicator_id="first_time_entrants",
        area=world.other_area,
        period="2024/25",
        period_start=date(2024, 9, 1),
        value=Decimal(999),
    )
    made = target(outcome, head, "first_time_entrants", "250", "200", baseline_on=date(2024, 9, 1))
    progress = progress_of(world, made)
    assert progress.kind == ProgressKind.AREA
    assert (progress.current, progress.as_of_label) == (Decimal("212.500"), "2024/25")
    assert [p.label for p in progress.series] == ["2022/23", "2023/24", "2024/25"]
    assert progress.status == ProgressStatus.ON_TRACK
    assert progress.notes[0].startswith("The figure for the whole area")


def test_a_survey_term_answered_by_too_few_is_shown_to_nobody(world, head, outcome, surveyed):
    surveyed.extend(
        [
            ("2024/25 summer", "70", 120),
            ("2025/26 autumn", "76", 130),
            ("2025/26 spring", "90", 3),
        ]
    )
    made = target(outcome, head, "survey_safe_at_school", "70", "85")
    progress = progress_of(world, made)
    assert progress.kind == ProgressKind.SURVEYED
    assert [(p.label, p.text, p.note) for p in progress.series] == [
        ("2024/25 summer", "70", "120 pupils answered"),
        ("2025/26 autumn", "76", "130 pupils answered"),
        ("2025/26 spring", "", "fewer than 5 pupils answered"),
    ]
    # The autumn term's figure, at its end: the line from 70 to 85 is at 74.0 by then.
    assert (progress.current, progress.as_of) == (Decimal(76), date(2025, 12, 31))
    assert progress.status == ProgressStatus.ON_TRACK
    assert any(note.startswith("A later survey is not shown") for note in progress.notes)


def test_no_survey_yet(world, head, outcome, surveyed):
    progress = progress_of(world, target(outcome, head, "survey_trusts_police", "50", "60"))
    assert (progress.current, progress.series, progress.status) == (
        None,
        [],
        ProgressStatus.NO_FIGURE,
    )


def test_every_kind_of_target_is_a_line_beside_its_table_with_a_sentence(
    client, world, head, officer, outcome, surveyed
):
    surveyed.append(("2025/26 autumn", "76", 130))
    published(world.school_a, "persistent_absence", "2024/25", "17.5")
    incidents(world, officer, world.school_a, datetime(2026, 2, 2, 10, tzinfo=UTC), 5)
    made = [
        target(outcome, head, "incidents", "10", "4"),
        target(outcome, head, "persistent_absence", "18.4", "15", baseline_on=date(2024, 9, 1)),
        target(outcome, head, "survey_safe_at_school", "70", "85"),
        target(outcome, head, None, "30", "24", measure="Priority families' absence (%)"),
    ]
    services.workplan_target_measure(
        actor=head, target=made[3], measured_on=date(2026, 2, 1), value="26", source="t"
    )
    client.force_login(officer)
    page = client.get(f"/partnerships/{world.p.pk}/work-plan/2025/").content.decode()
    titles = []
    for one in made:
        chart = chart_of(page, one)
        titles.append(re.search(r"<title[^>]*>(.*?)</title>", chart).group(1))
        assert "<polyline" in chart or "<circle" in chart
        assert f"Baseline {selectors.plain(one.baseline)}" in chart
        assert f"Target {selectors.plain(one.target_value)}" in chart
        own = client.get(f"/work-plan/targets/{one.pk}/").content.decode()
        card = own[own.index('class="govuk-summary-card"') :]
        assert card.index("<table") < card.index(f'aria-labelledby="chart-{one.pk}-title')
        assert f'href="/indicators/#{one.indicator_id}"' in own or one.indicator_id is None
    assert titles == [
        "Incidents recorded by school month",
        "Persistent absence rate by published year",
        "Pupils who feel safe at school by survey term",
        "Priority families' absence (%), as measured",
    ]
    body = html.unescape(page)
    assert (
        "From 10 on 1 September 2025 towards 4 by 31 July 2026, the latest figure is 5 "
        "(February 2026): on track." in body
    )
    assert "the latest figure is 76 (2025/26 autumn): on track." in body
    assert "the latest figure is 17.5 (2024/25): behind." in body
    assert "the latest figure is 26 (measured 1 February 2026): on track." in body


def test_a_figure_not_shown_is_not_in_the_sentence_nor_the_chart(
    client, world, head, officer, steering, outcome
):
    incidents(world, officer, world.school_b, datetime(2026, 2, 2, 10, tzinfo=UTC), 3)
    made = target(outcome, head, "incidents", "10", "4")
    client.force_login(steering)
    page = html.unescape(client.get(f"/work-plan/targets/{made.pk}/").content.decode())
    assert (
        "the latest figure (February 2026) is not shown, as it could give away a count from 1 "
        "to 4." in page
    )
    chart = chart_of(page, made)
    assert "A gap marks a month with no figure, or one that could give away" in chart
    # February's three is neither a point nor a label: only the months at nought are drawn.
    assert chart.count("<circle") == len(
        selectors.school_months(date(2025, 9, 1), date(2026, 1, 1))
    )


def test_the_plans_page_reads_a_fixed_number_of_queries_whatever_its_targets(
    client, world, head, officer, outcome, surveyed, django_assert_max_num_queries
):
    codes = ["incidents", "reports_per_100", "persistent_absence", "survey_safe_at_school"]
    for code in codes:
        target(outcome, head, code, "10", "5")
    client.force_login(officer)
    url = f"/partnerships/{world.p.pk}/work-plan/2025/"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for code in codes:
        for _ in range(3):
            target(outcome, head, code, "10", "5")
    with django_assert_max_num_queries(len(few)):
        client.get(url)
