"""A safeguarding lead records a multi-agency meeting, and a practitioner who attended reads the
minutes without the pupil's name, in a real headless Chromium, each page checked with axe."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework.models import Meeting
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch
from saferschools.testing.factories import PupilFactory

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


@pytest.fixture
def yot_worker(transactional_db, world, persona):
    return persona(
        Role.AGENCY_PRACTITIONER, world.yot, email="yasmin@yos.example", full_name="Yasmin Ortiz"
    )


@pytest.fixture
def sam(transactional_db, world):
    return PupilFactory(school=world.school_a, given_name="Sam", family_name="Okafor")


def test_a_lead_records_a_meeting_and_an_attendee_reads_it(
    new_context, lead, yot_worker, password, world, sam
):
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, lead.email, password)
    page.goto(f"/schools/{world.school_a.urn}/meetings/")
    page.get_by_role("button", name="Record a meeting").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Record a multi-agency meeting"
    assert_accessible(page)

    today = timezone.localdate()
    page.get_by_label("Title").fill("Year 9 early help panel")
    held = page.get_by_role("group", name="Date held")
    held.get_by_label("Day").fill(str(today.day))
    held.get_by_label("Month").fill(str(today.month))
    held.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Time it started").fill("15:30")
    page.get_by_label("Yasmin Ortiz (Agency practitioner, Surrey YOS)").check()
    person = page.get_by_role("group", name="Person 1")
    person.get_by_label("Name").fill("Jo Parent")
    person.get_by_label("Organisation").fill("Family Support Trust")

    # Finding and adding the pupil sends the form back with all of this kept.
    page.get_by_label("Find a pupil of the school").fill("okafor")
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Add Sam Okafor").click()
    page.wait_for_load_state()
    assert page.get_by_label("Title").input_value() == "Year 9 early help panel"
    sam_row = page.get_by_role("group", name="Sam Okafor")
    sam_row.get_by_label("What was said").fill("Attendance falling; offered a mentor.")

    action = page.get_by_role("group", name="Action 1")
    action.get_by_label("What is to be done").fill("Arrange a mentor")
    action.get_by_label("Owner", exact=True).select_option(
        label="Yasmin Ortiz (Agency practitioner, Surrey YOS)"
    )
    due = today + timedelta(days=2)
    action.get_by_label("Day").fill(str(due.day))
    action.get_by_label("Month").fill(str(due.month))
    action.get_by_label("Year").fill(str(due.year))
    # An action half filled in is named by its row.
    page.get_by_role("group", name="Action 2").get_by_label("What is to be done").fill("Call")
    page.get_by_role("button", name="Record the meeting").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Action 2: enter the date it is due").is_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Action 2").get_by_label("What is to be done").fill("")
    page.get_by_role("button", name="Record the meeting").click()
    page.wait_for_load_state()

    meeting = Meeting.objects.get()
    assert urlsplit(page.url).path == f"/meetings/{meeting.pk}/"
    assert page.get_by_text("Meeting recorded.").is_visible()
    assert page.get_by_role("link", name="Sam Okafor").is_visible()
    assert page.get_by_text("Attendance falling; offered a mentor.").is_visible()
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []

    # The practitioner who attended finds the action on their home page and opens the
    # minutes: the meeting, but not the pupil, whose record is not shared with them.
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, yot_worker.email, password)
    page.goto("/")
    card = page.locator("#meeting-actions")
    assert card.get_by_text("Arrange a mentor").is_visible()
    assert_accessible(page)
    card.get_by_role("link", name="Year 9 early help panel").click()
    page.wait_for_load_state()
    assert page.get_by_text("A pupil whose record is not shared with you").is_visible()
    assert "Okafor" not in page.content()
    assert "Attendance falling" not in page.content()
    page.get_by_role("button", name="Mark done \u2013 Arrange a mentor").click()
    page.wait_for_load_state()
    assert page.get_by_text("Action marked done.").is_visible()
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []
    assert meeting.actions.get().done_at is not None
