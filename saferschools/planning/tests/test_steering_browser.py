"""A steering group member records a meeting with two actions in a real headless Chromium, with
and without JavaScript, finds the action they own on their home page and marks it done; each
page is checked with axe where scripts run."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.planning.models import SteeringMeeting, SteeringMember
from saferschools.planning.tests.test_steering_services import add_member
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def chair(transactional_db, world, persona):
    return persona(
        Role.STEERING_MEMBER, world.p, email="chris@horley-ssp.example", full_name="Chris Chair"
    )


@pytest.fixture
def members(chair, world):
    return [
        add_member(
            chair,
            world.p,
            kind=SteeringMember.Kind.LOCAL_AUTHORITY,
            name="Chris Chair",
            organisation="Surrey County Council",
            role="Chair",
            user_id=str(chair.pk),
        ),
        add_member(
            chair,
            world.p,
            kind=SteeringMember.Kind.PUPIL,
            name="Year 10 representative",
            organisation="Oakwood School",
        ),
    ]


def fill_date(group, day: date) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_member_records_a_meeting_with_two_actions(new_context, chair, members, password, world):
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, chair.email, password)
    page.goto(f"/partnerships/{world.p.pk}/steering-group/")
    assert page.get_by_role("heading", level=1).inner_text() == "Steering group"
    assert_accessible(page)
    page.get_by_role("button", name="Record a meeting").click()
    page.wait_for_load_state()
    assert_accessible(page)

    today = timezone.localdate()
    fill_date(page.get_by_role("group", name="Date", exact=True), today)
    page.get_by_label("Time it starts").fill("16:00")
    page.get_by_label("Where (optional)").fill("Oakwood School library")
    page.get_by_label("Agenda").fill("1. Hotspots near the station\n2. Friday patrols")
    page.get_by_label("Chris Chair (Surrey County Council)").check()
    page.get_by_label("Year 10 representative (Oakwood School)").check()
    page.get_by_label("Decisions (optional)").fill("Co-ordinated patrols on Fridays.")

    first = page.get_by_role("group", name="Action 1")
    first.get_by_label("What is to be done").fill("Plan Friday patrols")
    first.get_by_label("Owner", exact=True).select_option(
        label="Chris Chair (Surrey County Council)"
    )
    fill_date(first.get_by_role("group", name="Due date"), today - timedelta(days=1))
    second = page.get_by_role("group", name="Action 2")
    second.get_by_label("What is to be done").fill("Ask the council about lighting")
    second.get_by_label("Or name an owner who does not use SaferSchools").fill("Sam Councillor")
    # The second action has no due date: the row is named in the error summary.
    page.get_by_role("button", name="Record the meeting").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Action 2: enter the date it is due").is_visible()
    assert_accessible(page)
    fill_date(
        page.get_by_role("group", name="Action 2").get_by_role("group", name="Due date"),
        today + timedelta(days=14),
    )
    page.get_by_role("button", name="Record the meeting").click()
    page.wait_for_load_state()

    meeting = SteeringMeeting.objects.get()
    assert urlsplit(page.url).path == (
        f"/partnerships/{world.p.pk}/steering-group/meetings/{meeting.pk}/"
    )
    assert page.get_by_text("Meeting recorded.").is_visible()
    assert page.get_by_text("Sam Councillor").is_visible()
    assert page.locator(".govuk-tag--red", has_text="Overdue").is_visible()
    assert_accessible(page)

    # The chair owns the first action: it is on their home page, overdue.
    page.goto("/")
    card = page.locator("#steering-actions")
    assert card.get_by_text("Overdue").first.is_visible()
    assert_accessible(page)
    card.get_by_role("link", name="Plan Friday patrols").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Mark done \u2013 Plan Friday patrols").click()
    page.wait_for_load_state()
    assert page.get_by_text("Action marked done.").is_visible()
    assert meeting.actions.get(description="Plan Friday patrols").done_at is not None
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []


def test_the_meeting_form_works_without_javascript(new_context, chair, members, password, world):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, chair.email, password)
    page.goto(f"/partnerships/{world.p.pk}/steering-group/meetings/new/")
    today = timezone.localdate()
    fill_date(page.get_by_role("group", name="Date", exact=True), today)
    page.get_by_label("Time it starts").fill("16:00")
    page.get_by_label("Agenda").fill("Review of the protocol")
    first = page.get_by_role("group", name="Action 1")
    first.get_by_label("What is to be done").fill("Draft the new protocol")
    first.get_by_label("Or name an owner who does not use SaferSchools").fill("Jo Bloggs")
    fill_date(first.get_by_role("group", name="Due date"), today + timedelta(days=7))
    second = page.get_by_role("group", name="Action 2")
    second.get_by_label("What is to be done").fill("Tell parents")
    second.get_by_label("Owner", exact=True).select_option(
        label="Chris Chair (Surrey County Council)"
    )
    fill_date(second.get_by_role("group", name="Due date"), today + timedelta(days=21))
    # A third row keeps all that was typed.
    page.get_by_role("button", name="Add another action").click()
    page.wait_for_load_state()
    assert page.get_by_label("Agenda").input_value() == "Review of the protocol"
    assert page.get_by_role("group", name="Action 3").is_visible()
    assert (
        page.get_by_role("group", name="Action 1").get_by_label("What is to be done").input_value()
        == "Draft the new protocol"
    )
    assert not SteeringMeeting.objects.exists()
    # (axe needs scripts: the same form is checked with them on, above.)
    page.get_by_role("button", name="Record the meeting").click()
    page.wait_for_load_state()
    meeting = SteeringMeeting.objects.get()
    assert sorted(meeting.actions.values_list("description", flat=True)) == [
        "Draft the new protocol",
        "Tell parents",
    ]
    assert page.get_by_text("Meeting recorded.").is_visible()
