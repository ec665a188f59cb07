"""A safeguarding lead writes and completes the school's needs assessment, in a real headless
Chromium, each page checked with axe."""

from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.outcomes.models import IndicatorValue
from saferschools.planning.models import NeedsAssessment
from saferschools.planning.needs_services import NARRATIVE_NEEDED
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch
from saferschools.testing.factories import submit_report

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


@pytest.fixture
def evidence(transactional_db, world):
    for school, number in (
        (world.school_a, "7.1"),
        (world.school_c, "5.0"),
        (world.school_e, "6.0"),
    ):
        IndicatorValue.objects.create(
            indicator_id="overall_absence",
            school=school,
            period="2022/23",
            period_start=date(2022, 9, 1),
            value=Decimal(number),
        )
    submit_report(world.school_a, category="weapons")


def test_a_lead_writes_and_completes_the_needs_assessment(page, world, lead, password, evidence):
    seen = watch(page)
    sign_in(page, lead.email, password)
    page.goto(f"/schools/{world.school_a.urn}/needs/")
    assert page.get_by_role("heading", level=1).inner_text() == "Needs assessment"
    assert page.get_by_role("cell", name="7.1% (2022/23)").is_visible()
    assert page.get_by_text("Not started").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Write the needs assessment").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Write the needs assessment"
    assert_accessible(page)

    page.get_by_label("Weapons").check()
    page.get_by_label("Safety on travel routes to and from school").check()
    page.get_by_label("Views of staff").fill("Staff worry about the bus stop after school.")
    page.get_by_label("Views of pupils").fill("The school council asked for help at home time.")
    # Marked complete without a narrative: refused, and nothing is saved.
    page.get_by_role("button", name="Save and mark as complete").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name=NARRATIVE_NEEDED).is_visible()
    assert page.get_by_label("Weapons").is_checked()
    assert not NeedsAssessment.objects.exists()
    assert_accessible(page)

    page.get_by_label("Narrative").fill(
        "Knife crime near the bus station has risen; pupils fear the journey home."
    )
    page.get_by_role("button", name="Save and mark as complete").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"/schools/{world.school_a.urn}/needs/"
    assert page.get_by_text("Needs assessment saved and marked as complete.").is_visible()
    assert page.get_by_text("Completed", exact=True).is_visible()
    assert_accessible(page)
    assessment = NeedsAssessment.objects.get()
    assert assessment.completed_on == timezone.localdate()
    assert assessment.concerns == ["weapons", "travel_routes"]

    page.get_by_role("button", name="Reopen").click()
    page.wait_for_load_state()
    assert page.get_by_text("In progress").is_visible()
    assert NeedsAssessment.objects.get().completed_on is None
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []
