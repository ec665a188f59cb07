"""An analyst ranks the area's schools, tries weights, meets an error and saves the weights, in
a real headless Chromium, each page checked with axe."""

import pytest

from saferschools.accounts.models import Role
from saferschools.planning.models import PriorityWeighting
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch

from .test_prioritisation import deprived, published

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def analyst(transactional_db, world, persona):
    published(world.school_a, "persistent_absence", "20.0")
    published(world.school_b, "persistent_absence", "10.0")
    published(world.school_c, "persistent_absence", "15.0")
    deprived(world.school_c, 10)
    deprived(world.school_e, 30000)
    return persona(Role.LA_ANALYST, world.area, email="ana@surreycc.example")


def names_in_order(page) -> list[str]:
    table = page.get_by_role("region", name="Every school shown, highest need first")
    return [
        cell.inner_text().split("\n")[0].strip()
        for cell in table.locator("tbody th[scope=row]").all()
    ]


def test_an_analyst_ranks_the_schools_and_saves_the_weights(page, world, analyst, password):
    seen = watch(page)
    sign_in(page, analyst.email, password)
    page.goto(f"/areas/{world.area.pk}/")
    page.get_by_role("link", name="Prioritise the area's schools").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Prioritise schools"
    assert names_in_order(page) == [
        "Oakwood School",
        "Woking High",
        "Langshott Primary",
        "Unpartnered School",
    ]
    page.get_by_text("How the score is worked out").click()
    assert page.get_by_text("counts them as 2.5").is_visible()
    assert_accessible(page)

    # A weight that is not a number: named in the summary, linked to its field.
    page.get_by_label("Deprivation").fill("lots")
    page.get_by_role("button", name="Rank the schools").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    link = summary.get_by_role("link", name="The weight of Deprivation must be a number")
    assert link.is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Deprivation").fill("3")
    page.get_by_label("Schools in a partnership").check()
    page.get_by_role("button", name="Rank the schools").click()
    page.wait_for_load_state()
    assert names_in_order(page) == ["Woking High", "Oakwood School", "Langshott Primary"]
    assert page.get_by_text("which are not saved").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Save these weights").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your weights are saved").is_visible()
    assert page.get_by_label("Deprivation").input_value() == "3"
    assert page.get_by_label("Schools in a partnership").is_checked()
    assert PriorityWeighting.objects.get(user=analyst).weights["deprivation"] == "3"
    assert_accessible(page)

    # Each school opens its needs assessment, with the evidence behind its figures.
    table = page.get_by_role("region", name="Every school shown, highest need first")
    table.get_by_role("link", name="Woking High").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Needs assessment"
    assert page.get_by_text("Woking High").first.is_visible()
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []
