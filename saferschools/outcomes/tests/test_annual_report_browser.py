"""A steering group member reads the partnership's annual report and writes its sections, in a
real headless Chromium, on a desktop and a phone, each page checked with axe."""

import pytest
import time_machine

from saferschools.accounts.models import Role
from saferschools.outcomes.models import AnnualReport
from saferschools.testing.browser import (
    BROWSER_TEST_MARKS,
    PHONE,
    assert_accessible,
    sign_in,
    watch,
)

from .annual_report_world import NOW, make_year

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW):
        yield


@pytest.fixture
def steering(transactional_db, world, persona):
    make_year(world, persona)
    return persona(
        Role.STEERING_MEMBER, world.p, email="stella@horley.example", full_name="Stella Steering"
    )


def test_a_steering_member_reads_the_report_and_writes_its_sections(
    page, world, steering, password
):
    seen = watch(page)
    sign_in(page, steering.email, password)

    page.goto(f"/partnerships/{world.p.pk}/annual-report/")
    assert_accessible(page)
    page.get_by_role("link", name="2025/26", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Annual report and business plan 2025/26"
    )
    assert page.locator("svg.app-chart").count() >= 8
    assert page.get_by_role("link", name="Pupils' reports and incidents").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Write the report's sections").click()
    page.wait_for_load_state()
    assert_accessible(page)
    # Sent empty: the summary says what is missing.
    page.get_by_role("button", name="Save the report").click()
    page.wait_for_load_state()
    assert (
        page.locator(".govuk-error-summary")
        .get_by_text("Write at least one section before you save")
        .is_visible()
    )
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Summary").fill("Our first full year: patrols at the bus stop.")
    page.get_by_label("Case studies").fill("A year 9 group worked with the officer on safety.")
    page.get_by_label("Next year's priorities").fill("* Journeys home\n* Online bullying")
    page.get_by_role("button", name="Save the report").click()
    page.wait_for_load_state()
    assert page.get_by_text("The annual report for 2025/26 is saved.").is_visible()
    assert page.get_by_text("Our first full year: patrols at the bus stop.").is_visible()
    assert page.locator("#business-plan ~ ul li", has_text="Online bullying").count() == 1
    assert_accessible(page)
    assert AnnualReport.objects.get().version == 1
    assert not seen.page_errors
    assert not seen.csp_violations(page)


def test_the_report_reads_on_a_phone(new_context, world, steering, password):
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, steering.email, password)

    page.goto(f"/partnerships/{world.p.pk}/annual-report/2025/")

    assert page.get_by_role("heading", name="Hotspots: the places with most incidents").is_visible()
    assert_accessible(page)
    # Nothing wider than the phone's screen but the tables that scroll in their own region.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
