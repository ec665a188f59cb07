"""The whole round trip in real browsers: a pupil reports on a phone without JavaScript, a
safeguarding lead answers from the inbox in another browser, and the pupil reads the answer with
their receipt and writes back, which the lead then sees."""

import re

import pytest
from playwright.sync_api import expect

from saferschools.accounts.models import Role
from saferschools.core.models import Notification
from saferschools.testing.browser import BROWSER_TEST_MARKS, PHONE, assert_accessible, sign_in

pytestmark = BROWSER_TEST_MARKS

WHAT_HAPPENED = "Year 10s wait by the bike shed and take our phones 😟 — ذهبوا"
REPLY = "Thank you for telling us. Please come to the library at break; ask for Ms Lee."
PUPIL_ANSWER = "ok I will come at break"


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_a, full_name="Dana Lee")


def test_a_pupils_report_reaches_the_lead_whose_reply_the_pupil_reads(
    new_context, world, lead, password
):
    pupil = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    pupil.goto(f"/report/{world.school_a.urn}/")
    pupil.get_by_role("button", name="Tell us what happened").click()
    pupil.get_by_label("Theft or damage").check()
    pupil.get_by_role("button", name="Continue").click()
    pupil.get_by_label("What happened?").fill(WHAT_HAPPENED)
    pupil.get_by_label("At school").check()
    pupil.get_by_label("When did it happen?").fill("Tuesday after school")
    pupil.get_by_label("It happened to me").check()
    pupil.get_by_label("No", exact=True).check()
    pupil.get_by_label("Stay anonymous").check()
    pupil.get_by_role("button", name="Send to the school").click()
    receipt = pupil.locator(".app-receipt__code").inner_text().strip()
    assert re.fullmatch(r"\d{4}( \d{4}){4}", receipt)

    # The lead was told, and finds the report in the inbox.
    assert Notification.objects.filter(user=lead, kind="report_received").exists()
    staff = new_context().new_page()
    sign_in(staff, lead.email, password)
    staff.get_by_role("link", name="Reports", exact=True).click()
    staff.locator("table a").first.click()
    expect(staff.get_by_text(WHAT_HAPPENED)).to_be_visible()
    staff.get_by_label("Your reply").fill(REPLY)
    staff.get_by_role("button", name="Send the reply").click()
    expect(staff.get_by_text("Reply sent.")).to_be_visible()

    # The pupil comes back with the receipt and reads the reply.
    pupil.goto("/report/followup/")
    pupil.get_by_label("Your receipt").fill(receipt)
    pupil.get_by_role("button", name="Continue").click()
    expect(pupil.get_by_text(REPLY)).to_be_visible()
    expect(pupil.get_by_text("Being looked at")).to_be_visible()
    pupil.get_by_label("Write back to the school").fill(PUPIL_ANSWER)
    pupil.get_by_role("button", name="Send", exact=True).click()
    expect(pupil.get_by_text(PUPIL_ANSWER)).to_be_visible()

    # The lead sees the pupil's answer in the report's timeline.
    staff.reload()
    expect(staff.get_by_text(PUPIL_ANSWER)).to_be_visible()
    assert_accessible(staff)
