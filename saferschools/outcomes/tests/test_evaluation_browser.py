"""An analyst evaluates the partnership in a real headless Chromium: chooses the indicator,
reads why each comparison school was chosen, meets an error, adds a school by URN and reads
the result; each page checked with axe and the page's content policy."""

import pytest

from saferschools.accounts.models import Role
from saferschools.outcomes.models import Evaluation
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch
from saferschools.testing.factories import SchoolFactory

from .evaluation_world import add_values, evaluation_world, trend

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def analyst(transactional_db, world, persona):
    evaluation_world(world)
    return persona(Role.LA_ANALYST, world.area, email="ana@surreycc.example", full_name="Ana Lyst")


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_an_analyst_evaluates_the_partnership(page, world, analyst, password):
    seen = watch(page)
    extra = SchoolFactory(area=world.area, name="Added Secondary")
    add_values(extra, trend(24.0, 40))
    sign_in(page, analyst.email, password)
    page.goto(f"/partnerships/{world.p.pk}/evaluations/")
    assert page.get_by_role("heading", level=1).inner_text() == "Evaluations"
    assert page.get_by_text("The partnership has not been evaluated yet.").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="New evaluation").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Indicator").select_option(label="Persistent absence rate")
    submit(page, "Choose comparison schools")
    assert page.get_by_role("heading", level=1).inner_text() == "Persistent absence rate"
    chosen = page.get_by_role("group", name="Comparison schools chosen for you")
    assert chosen.get_by_role("checkbox").count() == 5
    first = chosen.get_by_role("checkbox").first
    assert first.is_checked()
    assert "like Langshott Primary" in page.locator("#id_comparison_0-why").inner_text()
    assert_accessible(page)

    # A partnership school added as a comparison: named in the summary, linked to its box.
    page.get_by_label("Add comparison schools by URN").fill(f"{world.school_a.urn}")
    submit(page, "Estimate the effect")
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Oakwood School").is_visible()
    assert page.title().startswith("Error: ")
    assert not Evaluation.objects.exists()
    assert_accessible(page)

    page.get_by_label("Add comparison schools by URN").fill(str(extra.urn))
    submit(page, "Estimate the effect")
    assert page.get_by_text("The evaluation is made.").is_visible()
    evaluation = Evaluation.objects.get()
    assert extra.urn in evaluation.comparison_urns
    assert page.get_by_text("percentage points lower than expected").is_visible()
    assert page.locator("svg.app-chart").count() == 1
    assert page.get_by_role(
        "table", name="Mean persistent absence rate of each group, by year"
    ).is_visible()
    assert page.get_by_text("not chosen at random", exact=False).is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to the evaluations").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Persistent absence rate").is_visible()
    assert_accessible(page)
    assert seen.csp_violations(page) == []
    # The one console error is the answer to the refused form, sent with status 400.
    assert [e for e in seen.console_errors if "status of 400" not in e] == []
    assert seen.page_errors == []


def test_the_result_page_on_a_phone(new_context, world, analyst, password):
    from saferschools.outcomes.evaluation_services import evaluation_create

    evaluation = evaluation_create(
        actor=analyst, partnership=world.p, indicator="persistent_absence", source="test"
    )
    page = new_context(viewport={"width": 375, "height": 667}).new_page()
    sign_in(page, analyst.email, password)
    page.goto(f"/evaluations/{evaluation.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Persistent absence rate"
    assert_accessible(page)
