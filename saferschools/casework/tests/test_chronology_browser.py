"""A safeguarding lead reads a pupil's chronology and filters it, in a real headless Chromium,
each page checked with axe."""

import pytest

from saferschools.accounts.models import Role
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch
from saferschools.testing.factories import PupilFactory

from .test_chronology import casework_record

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


@pytest.fixture
def sam(transactional_db, world, lead):
    pupil = PupilFactory(school=world.school_a, given_name="Sam", family_name="Okafor")
    casework_record(world, lead, pupil)
    return pupil


def test_a_lead_reads_and_filters_the_chronology(page, lead, password, sam):
    seen = watch(page)
    sign_in(page, lead.email, password)
    page.goto(f"/pupils/{sam.pk}/")
    assert page.get_by_text("The latest 5 of 14 entries").is_visible()
    page.get_by_role("link", name="The whole chronology of Sam Okafor").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Chronology"
    assert page.get_by_text("14 entries").is_visible()
    assert_accessible(page)

    page.get_by_label("Risk assessments").check()
    page.get_by_label("Referrals").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    page.get_by_text("3 entries").wait_for()
    assert page.get_by_role("link", name="Risk assessment: high risk").is_visible()
    assert "kind=assessment" in page.url
    assert_accessible(page)

    # A date that is no date is named in the error summary and linked to its field.
    page.locator("#id_since_0").fill("31")
    page.locator("#id_since_1").fill("2")
    page.locator("#id_since_2").fill("2026")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="The date to show from must be a real date").wait_for()
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []
