"""An officer logs time in a real headless Chromium, without JavaScript; the pages pass axe."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.activity.models import Activity
from saferschools.incidents.models import Place, PlaceKind
from saferschools.lib.schooldays import week_start
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch

from .helpers import plan

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def clock():
    """The real clock: the browser keeps its cookies by it."""
    return None


@pytest.fixture
def officer(transactional_db, world, persona):
    return persona(
        Role.SSP_OFFICER, world.p, email="ada@surrey-police.example", full_name="PC Ada Lovell"
    )


@pytest.fixture
def gate(transactional_db, world):
    return Place.objects.create(school=world.school_a, name="Main gate", kind=PlaceKind.SITE_ZONE)


def test_an_officer_adds_an_activity_in_the_week_view_without_javascript(
    new_context, world, officer, gate, password
):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, officer.email, password)
    page.goto("/activity/")
    page.get_by_role("link", name="Previous week").click()
    page.wait_for_load_state()
    monday = week_start(timezone.localdate()) - timedelta(days=7)
    assert f"week={monday.isoformat()}" in page.url

    # A duration of nothing is refused, naming the field; nothing is stored.
    page.get_by_label("Day").select_option(monday.isoformat())
    page.get_by_label("Start time").fill("08:10")
    page.get_by_label("Minutes").fill("0")
    page.get_by_role("button", name="Add the entry").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Give a whole number of minutes from 1 to 720").count()
    assert page.title().startswith("Error: ")
    assert not Activity.objects.exists()

    page.get_by_label("Minutes").fill("35")
    page.get_by_label("What").select_option("patrol:start_of_day")
    page.get_by_label("School").select_option(str(world.school_a.urn))
    page.get_by_label("Place (optional)").select_option(label="Oakwood School: Main gate")
    page.get_by_label("Note (optional)").fill("Arrivals calm")
    page.get_by_role("button", name="Add the entry").click()
    page.wait_for_load_state()

    assert page.get_by_text("Patrol: start of the school day added.").is_visible()
    assert page.get_by_text("08:10 to 08:45").is_visible()
    entry = Activity.objects.get()
    assert (entry.officer, entry.place, entry.minutes, entry.note) == (
        officer,
        gate,
        35,
        "Arrivals calm",
    )
    assert timezone.localtime(entry.started_at).date() == monday


def test_the_officers_pages_are_accessible(page, world, officer, gate, password, persona):
    plan(officer, world.school_a, place_id=gate.pk, valid_from=timezone.localdate().isoformat())
    seen = watch(page)
    sign_in(page, officer.email, password)

    page.goto("/activity/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your activity"
    assert_accessible(page)

    page.goto("/activity/plans/")
    assert page.get_by_role("heading", level=1).inner_text() == "Patrol plans"
    assert_accessible(page)
    page.get_by_role("button", name="Make a calendar link").click()
    page.wait_for_load_state()
    assert "/activity/calendar/" in page.get_by_label("Calendar address").input_value()
    assert_accessible(page)

    page.goto("/activity/plans/new/")
    page.get_by_role("button", name="Add the plan").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)

    page.goto("/activity/time-use/")
    assert page.get_by_role("heading", level=1).inner_text() == "Time use"
    assert_accessible(page)

    assert seen.page_errors == []
    assert seen.csp_violations(page) == []


def test_the_supervisors_time_use_is_accessible(page, world, officer, password, persona):
    supervisor = persona(Role.POLICE_SUPERVISOR, world.police, full_name="Sgt Sue Pervisor")
    plan(
        officer, world.school_a, valid_from=(timezone.localdate() - timedelta(days=40)).isoformat()
    )
    sign_in(page, supervisor.email, password)

    page.goto("/activity/time-use/")
    assert page.get_by_text("PC Ada Lovell, Oakwood School").first.is_visible()
    assert_accessible(page)
    page.goto("/activity/plans/")
    assert page.get_by_text("Plans of the officers you oversee").is_visible()
    assert_accessible(page)
