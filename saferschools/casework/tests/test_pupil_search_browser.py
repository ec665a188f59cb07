"""A safeguarding lead finds a pupil as they type and reads the casework counts, in a real
headless Chromium, each page checked with axe."""

from urllib.parse import urlsplit

import pytest

from saferschools.accounts.models import Role
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch
from saferschools.testing.factories import PupilFactory

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


def test_a_lead_finds_a_pupil_as_they_type(new_context, lead, password, world):
    sam = PupilFactory(school=world.school_a, given_name="Sam", family_name="Okafor")
    PupilFactory(school=world.school_a, given_name="Ola", family_name="Okonjo")
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, lead.email, password)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Pupils").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Find a pupil"
    assert page.get_by_text("Enter a name, the school").is_visible()
    assert_accessible(page)

    # Results come as the name is typed, without sending the form.
    page.get_by_label("Find a pupil").press_sequentially("oka", delay=20)
    results = page.locator("#pupil-search-results")
    results.get_by_role("link", name="Okafor, Sam").wait_for()
    assert results.get_by_role("link", name="Okonjo, Ola").count() == 0
    assert "q=oka" in page.url
    assert_accessible(page)

    results.get_by_role("link", name="Okafor, Sam").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"/pupils/{sam.pk}/"

    page.goto("/casework/counts/")
    assert page.get_by_role("heading", level=1).inner_text() == "Casework counts"
    assert page.get_by_role("row", name="Oakwood School").is_visible()
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []
