"""A pupil's record moves school in a real headless Chromium: the sending lead sends it, the
receiving lead reads it and confirms receipt, each page checked with axe."""

from urllib.parse import urlsplit

import pytest

from saferschools.accounts.models import Role
from saferschools.casework.models import Pupil, PupilTransfer, TransferStatus
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch
from saferschools.testing.factories import PupilFactory

from .test_chronology import casework_record

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def sender(transactional_db, world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example")


@pytest.fixture
def receiver(transactional_db, world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_c, email="lee@woking.example")


@pytest.fixture
def sam(transactional_db, world, sender):
    pupil = PupilFactory(school=world.school_a, given_name="Sam", family_name="Okafor")
    casework_record(world, sender, pupil)
    return pupil


def test_a_record_is_sent_and_its_receipt_confirmed(new_context, sender, receiver, password, sam):
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, sender.email, password)
    page.goto(f"/pupils/{sam.pk}/")
    page.get_by_role("link", name="Send the safeguarding record to another school").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Send the record").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Choose the school the pupil is moving to").is_visible()
    assert_accessible(page)
    page.get_by_label("Find the school by name or URN").fill("woking")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    page.get_by_label("Woking High", exact=False).check()
    page.get_by_label("Managed move").check()
    page.get_by_label("Notes for the receiving school (optional)").fill("Likes football.")
    page.get_by_role("button", name="Send the record").click()
    page.wait_for_load_state()
    transfer = PupilTransfer.objects.get()
    assert urlsplit(page.url).path == f"/transfers/{transfer.pk}/"
    assert page.get_by_text("Awaiting confirmation from Woking High").is_visible()
    assert_accessible(page)
    assert seen.page_errors == [] and seen.csp_violations(page) == []

    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, receiver.email, password)
    page.get_by_role("link", name="Record from Oakwood School").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Safeguarding record: Sam Okafor"
    assert_accessible(page)
    page.get_by_label("Add the pupil to your register from the record").check()
    page.get_by_label("Your school's id for the pupil, if you add them").fill("W-2041")
    page.get_by_role("button", name="Confirm receipt").click()
    page.wait_for_load_state()
    added = Pupil.objects.get(school=transfer.to_school, school_pupil_id="W-2041")
    assert urlsplit(page.url).path == f"/pupils/{added.pk}/"
    assert page.get_by_text("Receipt confirmed.").is_visible()
    assert page.get_by_role("link", name="Received from Oakwood School", exact=True).is_visible()
    assert_accessible(page)
    assert seen.page_errors == [] and seen.csp_violations(page) == []
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CONFIRMED
