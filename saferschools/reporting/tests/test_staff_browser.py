"""A safeguarding lead handles a pupil's report in a real headless Chromium, checked with axe."""

from urllib.parse import urlsplit

import pytest

from saferschools.accounts.models import Role
from saferschools.reporting import selectors
from saferschools.reporting.models import Report, Status
from saferschools.testing.browser import (
    BROWSER_TEST_MARKS,
    PHONE,
    assert_accessible,
    sign_in,
    watch,
)
from saferschools.testing.factories import submit_report

pytestmark = BROWSER_TEST_MARKS

REPLY = "Thank you for telling us. Come to the library at break and ask for Ms Lee."
NOTE = "Spoke to the form tutor of 9B; keep an eye on the lunch queue."


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


@pytest.fixture
def report(transactional_db, world):
    return submit_report(
        world.school_a,
        description="Some pupils keep taking my bag at lunch.\nThey said <b>worse</b> tomorrow.",
    ).report


def test_a_safeguarding_lead_handles_a_report_from_inbox_to_outcome(page, lead, password, report):
    seen = watch(page)
    sign_in(page, lead.email, password)

    page.get_by_role("link", name="Reports", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Reports from pupils"
    link = page.get_by_role("link", name=report.reference)
    assert link.is_visible()
    assert_accessible(page)

    link.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == f"Report {report.reference}"
    # The pupil's words are text, line break kept, markup shown as typed.
    assert page.get_by_text("They said <b>worse</b> tomorrow.").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Acknowledge the report").click()
    page.wait_for_load_state()
    assert page.get_by_text("Report acknowledged.").is_visible()

    # An empty reply is refused with an error summary that names the field.
    page.get_by_role("button", name="Send the reply").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Enter a reply to the pupil").is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Your reply").fill(REPLY)
    page.get_by_role("button", name="Send the reply").click()
    page.wait_for_load_state()
    assert page.get_by_text("Reply sent.").is_visible()

    page.get_by_label("Your note").fill(NOTE)
    page.get_by_role("button", name="Add the note").click()
    page.wait_for_load_state()
    assert page.get_by_text("Note added.").is_visible()
    assert page.get_by_text("Internal note — the pupil cannot see this").first.is_visible()

    page.get_by_label("Advice given").check()
    page.get_by_role("button", name="Close the report").click()
    page.wait_for_load_state()
    assert page.get_by_text("Report closed.").is_visible()
    assert page.get_by_role("button", name="Reopen the report").is_visible()
    assert_accessible(page)

    assert seen.page_errors == []
    assert seen.csp_violations(page) == []

    report = Report.objects.get(pk=report.pk)
    assert (report.status, report.outcome) == (Status.CLOSED, "advice_given")
    # What the pupil reads with their receipt: the reply, never the note.
    messages = list(selectors.followup_messages(report=report).values_list("body", flat=True))
    assert messages == [REPLY]


def test_inbox_filters_narrow_the_list_as_they_change(page, lead, password, world, report):
    weapons = submit_report(world.school_a, category="weapons").report
    sign_in(page, lead.email, password)
    page.goto("/reports/")
    assert page.get_by_role("link", name=weapons.reference).is_visible()

    page.get_by_label("Category").select_option("bullying")
    page.get_by_role("link", name=weapons.reference).wait_for(state="detached")
    assert page.get_by_role("link", name=report.reference).is_visible()
    # htmx swapped the results and kept the address in step, without a reload.
    assert "category=bullying" in page.url
    assert_accessible(page)


def test_the_inbox_and_a_report_work_without_javascript(new_context, lead, password, world, report):
    page = new_context(java_script_enabled=False).new_page()
    weapons = submit_report(world.school_a, category="weapons").report
    sign_in(page, lead.email, password)
    page.goto("/reports/")
    page.get_by_label("Category").select_option("weapons")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "category=weapons" in page.url
    assert page.get_by_role("link", name=weapons.reference).is_visible()
    assert page.get_by_role("link", name=report.reference).count() == 0

    page.get_by_role("link", name=weapons.reference).click()
    page.wait_for_load_state()
    page.get_by_label("Your note").fill("Checked CCTV")
    page.get_by_role("button", name="Add the note").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"/reports/{weapons.pk}/"
    assert page.get_by_text("Checked CCTV").is_visible()


def test_the_report_page_fits_a_small_phone(new_context, lead, password, report):
    page = new_context(viewport=PHONE, device_scale_factor=2).new_page()
    sign_in(page, lead.email, password)
    page.goto(f"/reports/{report.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Report {report.reference}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_other_staff_pages_are_accessible(page, lead, password, world, report):
    submit_report(world.school_a, category="self_harm", anonymous=False, name="Sam", year_group=9)
    sign_in(page, lead.email, password)
    for path in (
        "/",
        "/notifications/",
        "/reports/counts/",
        "/reports/counts/?by=week",
        "/reports/?status=nonsense",
        f"/reports/{report.pk}/?pupil_search={world.pupil_a.family_name}",
        f"/areas/{world.area.pk}/reporting/",
        f"/areas/{world.area.pk}/safety-topics/",
        f"/areas/{world.area.pk}/safety-topics/weapons/",
        f"/pupils/{world.pupil_a.pk}/",
    ):
        page.goto(path)
        assert_accessible(page)


def test_a_failed_settings_change_is_accessible(page, persona, password, world):
    admin = persona(Role.AREA_ADMIN, world.area)
    sign_in(page, admin.email, password)
    page.goto(f"/areas/{world.area.pk}/reporting/")
    page.get_by_label("Minutes before an unacknowledged urgent report is escalated").fill("0")
    page.get_by_role("button", name="Save the settings").click()
    page.wait_for_load_state()
    assert (
        page.locator(".govuk-error-summary")
        .get_by_role("link", name="Enter a number of minutes from 1 to 240")
        .is_visible()
    )
    assert_accessible(page)
