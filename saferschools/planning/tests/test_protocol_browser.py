"""A head teacher chooses the partnership's aims and writes its protocol, and signs it for their
school, in a real headless Chromium, each page checked with axe."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.planning.aims import OUTCOME_MENU
from saferschools.planning.models import CoreAim, PartnershipAim, Protocol
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def head(transactional_db, world, persona):
    return persona(
        Role.HEAD_TEACHER, world.school_a, email="hana@oakwood.example", full_name="Hana Head"
    )


def fill_date(group, day) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_head_teacher_writes_the_protocol_and_signs_it(page, world, head, password):
    seen = watch(page)
    sign_in(page, head.email, password)

    # The aims first: one core aim with an outcome from the guidance and one of its own.
    page.goto(f"/partnerships/{world.p.pk}/aims/")
    assert_accessible(page)
    page.get_by_role("button", name="Choose the aims and outcomes").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label(CoreAim.BEHAVIOUR_ATTENDANCE.label).check()
    page.get_by_label(OUTCOME_MENU[CoreAim.BEHAVIOUR_ATTENDANCE][0]).check()
    page.get_by_label("Another desired outcome for behaviour and attendance (optional)").first.fill(
        "Fewer lates after lunch"
    )
    page.get_by_role("button", name="Save the aims and outcomes").click()
    page.wait_for_load_state()
    assert page.get_by_text("The partnership's aims and outcomes are saved.").is_visible()
    assert page.get_by_text("Fewer lates after lunch").is_visible()
    assert PartnershipAim.objects.get().aim == CoreAim.BEHAVIOUR_ATTENDANCE
    assert_accessible(page)

    page.goto(f"/partnerships/{world.p.pk}/protocol/")
    assert page.get_by_text("The partnership has no protocol yet.").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Write the protocol").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Write the protocol"
    assert_accessible(page)

    # Sent empty: the summary names what is missing, linked to its field.
    page.get_by_role("button", name="Save the protocol").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Say what the partnership is for").is_visible()
    assert summary.get_by_role("link", name="Say what Oakwood School brings").is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Purpose", exact=True).fill("Keep pupils safe around Horley")
    for school in ("Oakwood School", "Langshott Primary"):
        page.get_by_label(f"What {school} brings").fill("A room and a timetable slot")
        page.get_by_label(f"{school}: roles and responsibilities").fill("Sets objectives")
    page.get_by_label("Name Surrey Police as a partner").check()
    page.get_by_label("What Surrey Police brings").fill("An officer two days a week")
    page.get_by_label("Surrey Police: roles and responsibilities").fill("Patrols and lessons")
    page.get_by_label("The officer's line management").fill("The neighbourhood sergeant")
    page.get_by_label("Part time").check()
    page.get_by_label("Resources and funding").fill("The force pays the officer")
    page.get_by_label("Communication to parents and the community").fill("A letter each term")
    page.get_by_label("Governance and accountability").fill("A steering group each term")
    fill_date(page.get_by_role("group", name="Next review"), timezone.localdate() + timedelta(300))
    page.get_by_role("button", name="Save the protocol").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"/partnerships/{world.p.pk}/protocol/"
    assert page.get_by_text("Version 1 of the protocol is saved.").is_visible()
    assert page.get_by_text("Surrey Police to sign version 1 of the protocol").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign for Oakwood School").click()
    page.wait_for_load_state()
    assert page.get_by_text("You signed version 1 of the protocol for Oakwood School.").is_visible()
    assert not page.get_by_role("button", name="Sign for Oakwood School").count()
    partner = Protocol.objects.get().partners.get(school=world.school_a)
    assert partner.signed_by == head
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []
