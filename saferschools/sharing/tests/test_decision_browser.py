"""A safeguarding lead records a sharing decision from the pupil's page, in a real headless
Chromium, each page checked with axe; the practitioner then finds the pupil shared with them."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.sharing.models import GoldenRule, SharingDecision
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch
from saferschools.testing.factories import PupilFactory

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


@pytest.fixture
def worker(transactional_db, world, persona):
    return persona(
        Role.AGENCY_PRACTITIONER, world.yot, email="yusuf@yos.example", full_name="Yusuf Oyelaran"
    )


@pytest.fixture
def sam(transactional_db, world):
    return PupilFactory(school=world.school_a, given_name="Sam", family_name="Okafor")


def test_a_lead_records_a_share_and_the_practitioner_finds_it(
    new_context, lead, worker, password, sam
):
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, lead.email, password)
    page.goto(f"/pupils/{sam.pk}/")
    page.get_by_role("button", name="Record a sharing decision").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Record a sharing decision"
    assert_accessible(page)

    # Sent empty: the error summary names what is missing, each linked to its field.
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Give the purpose: why share").is_visible()
    assert summary.get_by_role("link", name="Choose the lawful basis for sharing").is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    summary.get_by_role("link", name="Choose the agency the information would go to").click()
    assert page.evaluate("document.activeElement.id") == "id_agency"

    end = timezone.localdate() + timedelta(days=60)
    page.get_by_label("Agency", exact=True).select_option(label="Surrey YOS")
    page.get_by_label("Purpose", exact=True).fill(
        "Joint prevention plan with the youth offending team"
    )
    page.get_by_label("What would be shared", exact=True).fill("The risk assessment and the plan")
    page.get_by_label("Risk-factor assessments").check()
    page.get_by_label("UK GDPR Article 6(1)(e): public task").check()
    page.get_by_label(
        "DPA 2018 Schedule 1, paragraph 18: safeguarding of children and of individuals at risk"
    ).check()
    page.get_by_label("Sought and given").check()
    for rule in GoldenRule.labels:
        page.get_by_label(rule).check()
    page.get_by_label("Share", exact=True).check()
    page.get_by_label("Day").fill(str(end.day))
    page.get_by_label("Month").fill(str(end.month))
    page.get_by_label("Year").fill(str(end.year))
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()

    decision = SharingDecision.objects.get()
    assert urlsplit(page.url).path == f"/sharing-decisions/{decision.pk}/"
    assert page.get_by_text("Its practitioners have been told").is_visible()
    assert page.get_by_text("Live", exact=True).is_visible()
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []

    page = new_context().new_page()
    sign_in(page, worker.email, password)
    page.goto("/shared-with-me/")
    assert_accessible(page)
    page.get_by_role("link", name="Sam Okafor", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Sam Okafor"
