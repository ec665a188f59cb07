"""A parent asks a school to consider a partnership from its public page, in a real headless
Chromium, each page checked with axe."""

from urllib.parse import urlsplit

import pytest

from saferschools.accounts.models import Role
from saferschools.core.models import Notification
from saferschools.planning.models import SspRequest
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, watch

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_a)


def test_a_parent_asks_the_school_to_consider_a_partnership(page, world, lead):
    seen = watch(page)
    page.goto(f"/schools/{world.school_a.urn}/ask-for-a-partnership/")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Ask the school to consider a Safer School Partnership"
    assert page.get_by_text("We do not keep your internet (IP) address").is_visible()
    assert_accessible(page)

    # Sent empty: the summary names each thing missing, linked to its field.
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Choose who is asking").is_visible()
    assert summary.get_by_role("link", name="Enter your name").is_visible()
    assert page.title().startswith("Error: ")
    assert not SspRequest.objects.exists()
    assert_accessible(page)

    page.get_by_label("Parent or carer").check()
    page.get_by_label("Your name").fill("Ann Parent")
    page.get_by_label("Your e-mail address or phone number (optional)").fill("ann@example.com")
    page.get_by_label("Why should the school consider a partnership?").fill(
        "Older boys wait by the gate at home time and pupils are frightened."
    )
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"/schools/{world.school_a.urn}/ask-for-a-partnership/sent/"
    assert page.get_by_role("heading", name="Request sent").is_visible()
    assert_accessible(page)

    request = SspRequest.objects.get()
    assert (request.name, request.contact) == ("Ann Parent", "ann@example.com")
    assert Notification.objects.get().user == lead
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []
