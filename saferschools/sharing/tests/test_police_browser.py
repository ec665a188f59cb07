"""An officer notifies a school of an incident outside school, and the school's safeguarding
lead reads and acknowledges it, in a real headless Chromium, each page checked with axe. The
forms post whole pages (finding the pupil too), so they work without JavaScript."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.sharing.models import PoliceNotification
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch
from saferschools.testing.factories import PupilFactory

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def officer(transactional_db, world, persona):
    return persona(Role.SSP_OFFICER, world.p, email="pc.khan@police.example", full_name="Amir Khan")


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


@pytest.fixture
def sam(transactional_db, world):
    return PupilFactory(school=world.school_a, given_name="Sam", family_name="Okafor")


def test_an_officer_notifies_the_school_and_its_lead_acknowledges(
    new_context, officer, lead, password, world, sam
):
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, officer.email, password)
    page.goto(f"/schools/{world.school_a.urn}/police-notifications/new/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Notify the school of an incident outside school"
    )

    # Sent empty: the summary names each problem; the pupil's points at the search box.
    page.get_by_role("button", name="Send the notification").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Enter a summary for the school").is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Domestic abuse at home").check()
    page.get_by_label("Day").fill(str(yesterday.day))
    page.get_by_label("Month").fill(str(yesterday.month))
    page.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("Time it happened").fill("21:40")
    page.get_by_label("Summary for the school").fill("Police attended a domestic incident.")
    page.get_by_label("Find the pupil").fill("okafor")
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state()
    # What was typed is still there, and the pupil found is offered.
    assert page.get_by_label("Summary for the school").input_value() == (
        "Police attended a domestic incident."
    )
    assert page.locator(".govuk-error-summary").count() == 0
    page.get_by_label("Okafor, Sam").check()
    assert_accessible(page)
    page.get_by_role("button", name="Send the notification").click()
    page.wait_for_load_state()

    notification = PoliceNotification.objects.get()
    assert urlsplit(page.url).path == f"/police-notifications/{notification.pk}/"
    assert page.get_by_text("Notification sent to Oakwood School").is_visible()
    assert notification.pupil == sam
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []

    # The safeguarding lead sees it waiting on the landing page and acknowledges it.
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, lead.email, password)
    page.goto("/")
    card = page.locator("#police-notifications")
    assert card.get_by_role("link", name="Domestic abuse at home").is_visible()
    assert "Okafor" not in card.inner_text()
    assert_accessible(page)
    card.get_by_role("link", name="Domestic abuse at home").click()
    page.wait_for_load_state()
    assert page.get_by_text("Police attended a domestic incident.").is_visible()
    page.get_by_role("button", name="Acknowledge: read, with the support given").click()
    page.wait_for_load_state()
    assert (
        page.locator(".govuk-error-summary")
        .get_by_role("link", name="Enter the support given to the pupil")
        .is_visible()
    )
    assert_accessible(page)
    page.get_by_label("Support given").fill("Tutor to check in at registration.")
    page.get_by_role("button", name="Acknowledge: read, with the support given").click()
    page.wait_for_load_state()
    assert page.get_by_text("Notification acknowledged").is_visible()
    assert page.get_by_text("Tutor to check in at registration.").is_visible()
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []
    notification.refresh_from_db()
    assert notification.acknowledged_by == lead
