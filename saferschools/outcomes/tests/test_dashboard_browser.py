"""The three dashboards in a real headless Chromium, on a phone and on a desktop, each page
checked with axe: a safeguarding lead reads the school's and opens the records behind a figure,
a steering group member reads the partnership's, an analyst reads the area's and opens one
indicator by partnership; a bad span is named."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.lib.schooldays import academic_year_label, academic_year_of
from saferschools.testing.browser import (
    BROWSER_TEST_MARKS,
    PHONE,
    assert_accessible,
    sign_in,
    watch,
)

from .dashboard_world import incidents, published, reports

pytestmark = BROWSER_TEST_MARKS

DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]


@pytest.fixture
def figures(transactional_db, world, dsl):
    """Incidents and reports this term and last year, and published absence."""
    now = timezone.now()
    incidents(world.school_a, now - timedelta(days=1), dsl, 7)
    incidents(world.school_a, now - timedelta(days=2), dsl, 2, category="theft")
    incidents(world.school_b, now - timedelta(days=1), dsl, 3)
    incidents(world.school_c, now - timedelta(days=1), dsl, 11)
    reports(world.school_a, now - timedelta(days=3), 6)
    year = academic_year_of(timezone.localdate())
    for back, value in ((2, "21.5"), (1, "19.0")):
        label = academic_year_label(year - back)
        published(world.school_a, "persistent_absence", label, value)
        published(world.school_b, "persistent_absence", label, "12.0")
    return year


def open_page(new_context, viewport):
    page = new_context(viewport=viewport).new_page()
    return page, watch(page)


def fits(page, viewport) -> None:
    """Nothing but the tables' own scrolling regions is wider than the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_safeguarding_lead_reads_the_schools_dashboard(
    new_context, world, dsl, figures, password, viewport
):
    page, seen = open_page(new_context, viewport)
    sign_in(page, dsl.email, password)
    page.goto(f"/schools/{world.school_a.urn}/dashboard/")

    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
    assert page.get_by_role("heading", name="Incidents per 100 pupils").is_visible()
    assert page.get_by_role("img", name="Pupils' reports received, by academic year").is_visible()
    fits(page, viewport)
    assert_accessible(page)

    page.get_by_label("Indicator").select_option(label="Incidents recorded")
    page.get_by_label("Term").check()
    page.get_by_role("button", name="Show the figures").click()
    page.wait_for_load_state()
    table = page.get_by_role("table", name="Incidents recorded by term")
    assert table.is_visible()
    term = page.locator("caption", has_text="By category").inner_text().split(", ", 1)[1]
    by_category = page.get_by_role("table", name=f"By category, {term}")
    assert by_category.get_by_role("row", name="Bullying (in person)").is_visible()
    assert_accessible(page)

    by_category.get_by_role("link", name="7 \u2013 the records behind it").click()
    page.wait_for_load_state()
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .endswith(f"Incidents, {term}: Bullying (in person)")
    )
    assert page.get_by_role("table").locator("tbody tr").count() == 7
    fits(page, viewport)
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_steering_member_reads_the_partnerships_dashboard_and_meets_an_error(
    new_context, world, persona, figures, password, viewport
):
    steering = persona(Role.STEERING_MEMBER, world.p, email="sam@steering.example")
    page, seen = open_page(new_context, viewport)
    sign_in(page, steering.email, password)
    page.goto(f"/partnerships/{world.p.pk}/dashboard/")

    assert page.get_by_role("heading", name="Persistent absence rate (NI 87)").is_visible()
    by_school = page.get_by_role("table", name=f"By school, {academic_year_label(figures - 1)}")
    assert by_school.get_by_role("link", name="Oakwood School dashboard").is_visible()
    fits(page, viewport)
    assert_accessible(page)

    page.get_by_label("From").fill("2025/27")
    page.get_by_role("button", name="Show the figures").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="From: “2025/27” is not an academic year").is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_analyst_reads_the_areas_dashboard_and_one_indicator_by_partnership(
    new_context, world, persona, figures, password, viewport
):
    analyst = persona(Role.LA_ANALYST, world.area, email="ana@surreycc.example")
    page, seen = open_page(new_context, viewport)
    sign_in(page, analyst.email, password)
    page.goto(f"/areas/{world.area.pk}/dashboard/")

    assert page.get_by_role("heading", name="Incidents per 100 pupils").is_visible()
    assert page.locator(".app-not-shown", has_text="not shown").first.is_visible()
    fits(page, viewport)
    assert_accessible(page)

    page.goto(f"/areas/{world.area.pk}/dashboard/?indicator=incidents&kind=term")
    table = page.locator("table", has=page.locator("caption", has_text="By partnership"))
    assert table.get_by_role("link", name="Woking SSP dashboard").is_visible()
    assert table.get_by_role("row", name="Woking SSP dashboard 11").is_visible()
    # Langshott's 3 is not shown, so neither is Horley's 12, which less Oakwood's 9 would give it.
    assert table.get_by_role("row", name="Horley SSP dashboard not shown").is_visible()
    fits(page, viewport)
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []
