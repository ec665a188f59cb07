"""In a real headless Chromium, checked with axe: revoking a share and coming back to a share
that is no longer live; two keepers changing one agreement at once."""

import pytest

from saferschools.accounts.models import Role
from saferschools.sharing import agreement_services
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch

from .test_agreement_views import make_agreement
from .test_decision_services import decide

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


def test_revoking_then_coming_back_to_the_revoke_page(new_context, world, lead, password):
    decision = decide(lead, world.pupil_a, world.yot)
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, lead.email, password)
    page.goto(f"/sharing-decisions/{decision.pk}/revoke/")
    assert_accessible(page)
    page.get_by_role("button", name="Revoke access now").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="Say why access ends now").click()
    assert page.evaluate("document.activeElement.id") == "id_reason"
    page.get_by_label("Why access ends now").fill("The case is closed")
    page.get_by_role("button", name="Revoke access now").click()
    page.wait_for_load_state()
    assert page.get_by_text("Revoked", exact=True).is_visible()
    page.goto(f"/sharing-decisions/{decision.pk}/revoke/")
    assert page.get_by_text("there is nothing to revoke").is_visible()
    assert page.get_by_role("button", name="Revoke access now").count() == 0
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []


def test_a_change_to_a_replaced_version_is_named_and_can_be_saved_again(
    new_context, world, lead, persona, password
):
    agreement = make_agreement(world, lead)
    page = new_context().new_page()
    sign_in(page, lead.email, password)
    page.goto(f"/sharing-agreements/{agreement.pk}/edit/")
    # Meanwhile a head teacher saves version 2.
    head = persona(Role.HEAD_TEACHER, world.school_b)
    agreement_services.agreement_update(
        actor=head,
        agreement=agreement,
        data=agreement_services.AgreementInput(
            title="Head's title",
            party_ids=[str(world.yot.pk)],
            purpose="Early help",
            data_shared="Names and concerns",
            lawful_basis="gdpr_6_1_e",
            frequency="Monthly",
            security="Within the product",
            retention="Two years",
            review_on=agreement.review_on,
        ),
        source="test",
    )
    page.get_by_label("Title").fill("Lead's title")
    page.get_by_role("button", name="Save the changes").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").get_by_text("it is now version 2").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save the changes").click()
    page.wait_for_load_state()
    agreement.refresh_from_db()
    assert (agreement.version, agreement.title) == (3, "Lead's title")
