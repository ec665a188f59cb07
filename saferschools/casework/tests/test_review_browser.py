"""In a real headless Chromium, checked with axe: the sending school reads a meeting's minutes
after a pupil's record has moved, and a plan opened twice says why without a broken link."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework import transfer_services
from saferschools.casework.meeting_services import MeetingInput, PupilNoteInput, meeting_record
from saferschools.casework.models import Plan
from saferschools.lib.schooldays import LONDON
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch
from saferschools.testing.factories import PupilFactory

pytestmark = BROWSER_TEST_MARKS

MOVED_NOTE = "Stays out late most nights."


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example")


def test_minutes_after_a_move_and_a_plan_opened_twice(new_context, world, persona, lead, password):
    receiver = persona(Role.SAFEGUARDING_LEAD, world.school_c)
    moved = PupilFactory(school=world.school_a, given_name="Milo", family_name="Hartley")
    staying = PupilFactory(school=world.school_a, given_name="Sara", family_name="Quint")
    meeting = meeting_record(
        actor=lead,
        school=world.school_a,
        data=MeetingInput(
            title="Spring panel",
            held_at=datetime(2026, 3, 4, 15, 30, tzinfo=LONDON),
            pupils=[
                PupilNoteInput(pupil_id=str(moved.pk), note=MOVED_NOTE),
                PupilNoteInput(pupil_id=str(staying.pk), note="Attendance falling."),
            ],
        ),
        source="test",
    )
    transfer = transfer_services.transfer_send(
        actor=lead,
        pupil=moved,
        to_school=world.school_c,
        reason="managed_move",
        notes="",
        source="t",
    )
    transfer_services.transfer_confirm(
        actor=receiver, transfer=transfer, new_pupil=transfer_services.NewPupil("R1"), source="t"
    )

    context = new_context()
    page = context.new_page()
    seen = watch(page)
    sign_in(page, lead.email, password)
    page.goto(f"/meetings/{meeting.pk}/")
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "Hartley" not in body and MOVED_NOTE not in body
    assert "A pupil whose record is not shared with you" in body and "Quint" in body
    assert_accessible(page)

    # The plan form sent twice (from two tabs, say): one plan is opened, and the second
    # sending says why, its summary linking to no field, since the page shows none.
    review = timezone.localdate() + timedelta(days=14)
    tabs = [page, context.new_page()]
    for tab in tabs:
        tab.goto(f"/pupils/{staying.pk}/plans/new/")
        tab.get_by_label("Concerns").fill("Seen with older youths")
        tab.get_by_label("Goals").fill("Safe journeys home")
        tab.get_by_label("Day").fill(str(review.day))
        tab.get_by_label("Month").fill(str(review.month))
        tab.get_by_label("Year").fill(str(review.year))
    for tab in tabs:
        tab.get_by_role("button", name="Open the plan").click()
        tab.wait_for_load_state()
    second = tabs[1]
    summary = second.locator(".govuk-error-summary")
    assert summary.get_by_text("This pupil already has a plan that is not closed").is_visible()
    assert summary.get_by_role("link").count() == 0
    assert Plan.objects.filter(pupil=staying).count() == 1
    assert_accessible(second)
    assert seen.page_errors == [] and seen.csp_violations(page) == []
