"""A safeguarding lead assesses a pupil's risk factors in a real headless Chromium, each page
checked with axe."""

from urllib.parse import urlsplit

import pytest

from saferschools.accounts.models import Role
from saferschools.casework.models import RiskAssessment
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


def test_a_lead_ticks_factors_gives_evidence_and_sees_the_level(new_context, lead, password, sam):
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, lead.email, password)
    page.goto(f"/pupils/{sam.pk}/")
    page.get_by_role("link", name="Assess risk factors").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Assess risk factors"

    family = page.get_by_role("group", name="Family")
    conflict = family.get_by_label("Conflict within the family")
    reveal = page.locator("#conditional-id_factor-family_conflict")
    # The evidence is revealed only once the factor is ticked.
    assert not reveal.is_visible()
    assert_accessible(page)
    conflict.check()
    assert reveal.is_visible()
    reveal.get_by_label("Evidence", exact=True).fill("Police called to the home twice this term")
    other = page.get_by_role("group", name="Other")
    other.get_by_label("Known gang member").check()
    page.get_by_role("button", name="Record the assessment").click()
    page.wait_for_load_state()

    # The gang-member factor was ticked with nothing under it; the source of the other is
    # missing too: both are named, linked to their fields.
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role(
        "link", name="Enter where the evidence for “Conflict within the family” came from"
    ).is_visible()
    assert summary.get_by_role(
        "link", name="Enter the evidence for “Known gang member”"
    ).is_visible()
    assert page.title().startswith("Error: ")
    assert reveal.get_by_label("Evidence", exact=True).input_value() == (
        "Police called to the home twice this term"
    )
    assert_accessible(page)
    assert not RiskAssessment.objects.exists()

    other.get_by_label("Known gang member").uncheck()
    reveal.get_by_label("Where the evidence came from").fill("Police")
    page.get_by_role("button", name="Record the assessment").click()
    page.wait_for_load_state()

    assessment = RiskAssessment.objects.get()
    assert urlsplit(page.url).path == f"/assessments/{assessment.pk}/"
    assert page.get_by_text("Assessment recorded. The level is low").is_visible()
    assert page.get_by_text("Police called to the home twice this term").is_visible()
    assert page.get_by_text("This is the pupil's first assessment.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to Sam Okafor").click()
    page.wait_for_load_state()
    history = page.get_by_role("table", name="Assessments, newest first")
    assert history.get_by_text("First assessment").is_visible()
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []
    assert [row.factor.code for row in assessment.factors.all()] == ["family_conflict"]


def test_an_administrator_adds_and_retires_a_factor_of_the_areas_own(
    new_context, world, persona, password
):
    admin = persona(Role.AREA_ADMIN, world.area, email="ann@surrey.example", full_name="Ann Cole")
    page = new_context().new_page()
    sign_in(page, admin.email, password)
    page.goto(f"/areas/{world.area.pk}/risk-factors/")
    page.get_by_role("button", name="Add the factor").click()
    page.wait_for_load_state()
    assert (
        page.locator(".govuk-error-summary")
        .get_by_role("link", name="Choose the domain the factor belongs to")
        .is_visible()
    )
    assert_accessible(page)
    page.get_by_label("Family").check()
    page.get_by_label("Name of the factor").fill("Young carer")
    page.get_by_role("button", name="Add the factor").click()
    page.wait_for_load_state()
    assert page.get_by_text("“Young carer” added to the catalogue.").is_visible()
    page.get_by_role("button", name="Retire Young carer").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Restore Young carer").is_visible()
    assert_accessible(page)
