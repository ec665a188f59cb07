"""A member of staff records an incident and a safeguarding lead changes it, in a real headless
Chromium, each page checked with axe."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.incidents.models import Incident, Place, PlaceKind
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch
from saferschools.testing.factories import PupilFactory

pytestmark = BROWSER_TEST_MARKS

WHAT_HAPPENED = "Sam was pushed off his bike by a man at the bike sheds.\nHe grazed his arm."


@pytest.fixture
def teacher(transactional_db, world, persona):
    return persona(
        Role.SCHOOL_STAFF, world.school_a, email="alex@oakwood.example", full_name="Alex Kim"
    )


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


@pytest.fixture
def sam(transactional_db, world):
    return PupilFactory(school=world.school_a, given_name="Sam", family_name="Okafor")


@pytest.fixture
def sheds(transactional_db, world):
    return Place.objects.create(school=world.school_a, name="Bike sheds", kind=PlaceKind.SITE_ZONE)


def fill_incident(page, sam, *, severity="High"):
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Day").fill(str(yesterday.day))
    page.get_by_label("Month").fill(str(yesterday.month))
    page.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("Time it happened").fill("12:40")
    page.get_by_label("On the school site").check()
    page.get_by_label("Place").select_option(label="Bike sheds (Zone of the school site)")
    page.get_by_label("Category").select_option("assault")
    page.get_by_label(severity, exact=True).check()
    page.get_by_label("What happened").fill(WHAT_HAPPENED)
    victim = page.get_by_role("group", name="Party 1")
    victim.get_by_label("Role").select_option("victim")
    victim.get_by_label("Pupil of the school").select_option(str(sam.pk))
    perpetrator = page.get_by_role("group", name="Party 2")
    perpetrator.get_by_label("Role").select_option("perpetrator")
    perpetrator.get_by_label("Or describe someone who is not a pupil here").fill(
        "Adult man in a grey hoodie"
    )


def test_staff_record_an_incident_and_a_lead_changes_it(
    new_context, teacher, lead, password, sam, sheds
):
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, teacher.email, password)

    page.get_by_role("link", name="Incidents", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Incidents"
    assert_accessible(page)

    page.get_by_role("button", name="Record an incident").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Record an incident"
    assert_accessible(page)

    # Sent empty: an error summary that names what is missing, each linked to its field.
    page.get_by_role("button", name="Record the incident").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Enter the date it happened").is_visible()
    assert summary.get_by_role("link", name="Describe what happened").is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    summary.get_by_role("link", name="Describe what happened").click()
    assert page.evaluate("document.activeElement.id") == "id_description"

    fill_incident(page, sam)
    # A second party row with a role and nobody in it is named by its row.
    page.get_by_role("group", name="Party 3").get_by_label("Role").select_option("witness")
    page.get_by_role("button", name="Record the incident").click()
    page.wait_for_load_state()
    assert (
        page.locator(".govuk-error-summary")
        .get_by_role("link", name="Party 3: choose a pupil of the school or describe the person")
        .is_visible()
    )
    assert_accessible(page)
    page.get_by_role("group", name="Party 3").get_by_label("Role").select_option("")
    page.get_by_role("button", name="Record the incident").click()
    page.wait_for_load_state()

    incident = Incident.objects.get()
    assert urlsplit(page.url).path == f"/incidents/{incident.pk}/"
    assert page.get_by_text(f"Incident {incident.reference} recorded.").is_visible()
    assert page.get_by_role("link", name="Sam Okafor").is_visible()
    assert page.get_by_text("Adult man in a grey hoodie").is_visible()
    assert page.get_by_text("He grazed his arm.").is_visible()
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []

    # The safeguarding lead finds it, raises its severity and reads its history.
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, lead.email, password)
    page.goto(f"/schools/{incident.school.urn}/incidents/")
    page.get_by_role("link", name=incident.reference).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == f"Incident {incident.reference}"
    page.get_by_role("button", name=f"Change incident {incident.reference}").click()
    page.wait_for_load_state()
    assert page.get_by_label("What happened").input_value() == WHAT_HAPPENED
    assert_accessible(page)
    page.get_by_label("Critical", exact=True).check()
    page.get_by_role("button", name="Save the changes").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"Incident {incident.reference} changed.").is_visible()
    assert page.get_by_text("have been alerted").is_visible()

    page.get_by_role("link", name="Earlier versions of this incident").click()
    page.wait_for_load_state()
    card = page.locator(".govuk-summary-card", has_text="Version 1")
    assert card.get_by_text("High", exact=True).is_visible()
    assert card.get_by_role("link", name="Sam Okafor").is_visible()
    assert card.get_by_text("Replaced on").is_visible()
    assert_accessible(page)
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []

    incident.refresh_from_db()
    assert (incident.version, incident.severity) == (2, "critical")


def test_the_form_and_the_filters_work_without_javascript(
    new_context, teacher, password, world, sam, sheds
):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, teacher.email, password)
    page.goto(f"/schools/{world.school_a.urn}/incidents/new/")
    page.get_by_role("button", name="Record the incident").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").get_by_text("Choose a category").is_visible()
    fill_incident(page, sam, severity="Low")
    page.get_by_role("button", name="Record the incident").click()
    page.wait_for_load_state()
    incident = Incident.objects.get()
    assert urlsplit(page.url).path == f"/incidents/{incident.pk}/"
    assert incident.severity == "low"
    assert incident.parties.count() == 2

    page.goto(f"/schools/{world.school_a.urn}/incidents/")
    page.get_by_label("Severity").select_option("high")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "severity=high" in page.url
    assert page.get_by_text("No incidents match these filters.").is_visible()


def test_the_places_page_is_accessible_with_and_without_errors(page, lead, password, world, sheds):
    sign_in(page, lead.email, password)
    page.goto(f"/schools/{world.school_a.urn}/places/")
    assert page.get_by_role("cell", name="Zone of the school site").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add the place").click()
    page.wait_for_load_state()
    assert (
        page.locator(".govuk-error-summary")
        .get_by_role("link", name="Enter the name of the place")
        .is_visible()
    )
    assert_accessible(page)
