"""A safeguarding lead opens an early-intervention plan and adds an action, in a real headless
Chromium, each page checked with axe."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework.models import Plan
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch
from saferschools.testing.factories import PupilFactory

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


@pytest.fixture
def sam(transactional_db, world):
    return PupilFactory(school=world.school_a, given_name="Sam", family_name="Okafor")


def fill_date(group, day) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_lead_opens_a_plan_and_adds_an_action(page, lead, password, sam):
    seen = watch(page)
    sign_in(page, lead.email, password)
    page.goto(f"/pupils/{sam.pk}/")
    page.get_by_role("link", name="Open an early-intervention plan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Open an early-intervention plan"
    assert page.get_by_label("Lead professional").input_value() == str(lead.pk)
    assert_accessible(page)

    # Sent without concerns: the summary names what is missing, linked to its field.
    page.get_by_role("button", name="Open the plan").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Enter the concerns").is_visible()
    assert summary.get_by_role("link", name="Enter the date of the first review").is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Concerns").fill("Missing afternoon lessons; seen with older youths.")
    page.get_by_label("Goals").fill("Full attendance by half term.")
    fill_date(page.get_by_role("group", name="First review"), timezone.localdate() + timedelta(28))
    page.get_by_role("button", name="Open the plan").click()
    page.wait_for_load_state()
    plan = Plan.objects.get()
    assert urlsplit(page.url).path == f"/plans/{plan.pk}/"
    assert page.get_by_text("Plan opened.").is_visible()
    assert page.get_by_text("No action has been agreed yet.").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Add an action").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Action").fill("Weekly mentoring with the youth service")
    page.get_by_label("Name of the owner from outside the school (optional)").fill("Sam Jones")
    page.get_by_label("Their organisation (optional)").fill("Surrey YOS")
    fill_date(page.get_by_role("group", name="Due by"), timezone.localdate() + timedelta(7))
    page.get_by_role("button", name="Add the action").click()
    page.wait_for_load_state()
    assert page.get_by_text("Action added.").is_visible()
    row = page.get_by_role("row", name="Weekly mentoring with the youth service")
    assert row.get_by_text("Sam Jones (Surrey YOS)").is_visible()
    assert_accessible(page)

    row.get_by_role("button", name="Mark as done").click()
    page.wait_for_load_state()
    assert page.get_by_text("Action marked as done.").is_visible()
    assert plan.actions.get().done_at is not None
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []
