"""The catalogue of indicators, and a work-plan's targets on indicators of each source with their
trends, in a real headless Chromium, each page checked with axe."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.lib.schooldays import academic_year_of
from saferschools.outcomes.models import IndicatorValue
from saferschools.planning import workplan_services as services
from saferschools.planning.models import CoreAim
from saferschools.planning.workplan_services import TargetInput
from saferschools.testing.browser import (
    BROWSER_TEST_MARKS,
    PHONE,
    assert_accessible,
    sign_in,
    watch,
)

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def steering(transactional_db, world, persona):
    return persona(Role.STEERING_MEMBER, world.p, email="sam@horley.example")


@pytest.fixture
def plan(transactional_db, world, persona):
    head = persona(Role.HEAD_TEACHER, world.school_a)
    year = academic_year_of(timezone.localdate())
    workplan = services.workplan_start(actor=head, partnership=world.p, year=year, source="t")
    outcome = services.workplan_outcome_add(
        actor=head, workplan=workplan, aim=CoreAim.SAFETY, text="Pupils feel safer", source="t"
    )
    IndicatorValue.objects.create(
        indicator_id="persistent_absence",
        school=world.school_a,
        period=f"{year - 2}/{(year - 1) % 100:02d}",
        period_start=date(year - 2, 9, 1),
        value=Decimal("19.5"),
    )
    start = date(year, 9, 1)
    for code, baseline, goal in (
        ("incidents_per_100", "0.8", "0.4"),
        ("persistent_absence", "19", "15"),
        ("survey_safe_at_school", "70", "85"),
    ):
        services.workplan_target_add(
            actor=head,
            outcome=outcome,
            data=TargetInput(
                description=f"{code} moves",
                indicator=code,
                baseline=Decimal(baseline),
                baseline_on=start,
                target_value=Decimal(goal),
                target_on=start + timedelta(days=330),
            ),
            source="t",
        )
    return workplan


def test_the_catalogue_and_the_targets_trends(page, world, steering, plan, password):
    seen = watch(page)
    sign_in(page, steering.email, password)
    page.goto("/indicators/")
    assert page.get_by_role("heading", level=1).inner_text() == "Indicators"
    assert page.get_by_role("table", name="Computed from the product's own records: 13 indicators")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(f"/partnerships/{world.p.pk}/work-plan/{plan.year}/")
    charts = page.locator("svg.app-chart")
    assert charts.count() == 2  # the survey has no figure yet: a table of nothing, no chart
    assert_accessible(page)
    page.get_by_role("link", name="incidents_per_100 moves").click()
    page.wait_for_load_state()
    assert page.get_by_text("Baseline 0.8").count() == 1
    page.get_by_role("link", name="Incidents per 100 pupils").click()
    page.wait_for_load_state()
    assert page.url.endswith("/indicators/#incidents_per_100")
    assert not seen.page_errors and not seen.console_errors
    assert seen.csp_violations(page) == []
