"""A safeguarding lead looks at the school's hotspots with the site plan and its pins, then pins
another place by clicking the plan and replaces the plan, in a real headless Chromium, each page
checked with axe."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from saferschools.accounts.models import Role
from saferschools.incidents import plan_services, services
from saferschools.incidents.models import LocationKind, Place, PlaceKind, SitePlan
from saferschools.incidents.services import IncidentInput
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch

pytestmark = BROWSER_TEST_MARKS


def plan_png(size=(400, 300), colour=(235, 235, 235)) -> bytes:
    picture = Image.new("RGB", size, colour)
    picture.paste((200, 200, 200), (40, 40, 360, 120))  # the main building
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


@pytest.fixture
def school_with_hotspots(lead, world):
    school = world.school_a

    def place(name, kind=PlaceKind.SITE_ZONE, **pin):
        return services.place_create(
            actor=lead, school=school, name=name, kind=kind, source="test", **pin
        )

    field = place("Playing field", plan_x=60, plan_y=70)
    sheds = place("Bike sheds", plan_x=15, plan_y=20)
    place("Bus stop by the gate", PlaceKind.STOP)
    now = timezone.now()
    for days, where, hour in [(1, field, 12), (2, field, 12), (3, field, 13), (4, sheds, 8)]:
        moment = (now - timedelta(days=days)).replace(hour=hour, minute=40)
        services.incident_record(
            actor=lead,
            school=school,
            data=IncidentInput(
                occurred_at=min(moment, now - timedelta(minutes=1)),
                location_kind=LocationKind.ON_SITE,
                category="theft",
                severity="low",
                description="A bike was taken.",
                place_id=str(where.pk),
            ),
            source="test",
        )
    plan_services.site_plan_upload(
        actor=lead,
        school=school,
        file=SimpleUploadedFile("plan.png", plan_png(), content_type="image/png"),
        source="test",
    )
    return school


def test_a_lead_looks_at_hotspots_on_the_plan_and_pins_a_place(
    new_context, lead, password, school_with_hotspots, tmp_path
):
    school = school_with_hotspots
    page = new_context().new_page()
    seen = watch(page)
    sign_in(page, lead.email, password)

    page.goto(f"/schools/{school.urn}/hotspots/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hotspots"
    plan = page.get_by_role("img", name="Site plan with incidents at each pinned place")
    assert plan.is_visible()
    # The plan image loaded (same origin, allowed by the policy) and the markers are drawn.
    assert page.evaluate(
        """async () => {
            const image = document.querySelector('.app-plan__svg image');
            const response = await fetch(image.getAttribute('href'));
            return response.ok && response.headers.get('content-type') === 'image/png';
        }"""
    )
    assert plan.locator("text", has_text="Playing field").count() == 1
    assert plan.locator("circle").count() == 2
    by_place = page.get_by_role("table", name="Incidents by place, busiest first")
    assert (
        by_place.get_by_role("row")
        .nth(1)
        .get_by_role("rowheader")
        .inner_text()
        .startswith("Playing field")
    )
    assert page.get_by_role("heading", name="Patrol suggestions").is_visible()
    assert page.get_by_text("10:45 to 11:05").is_visible()
    assert_accessible(page)

    # A period with nothing in it: a bad date first.
    page.get_by_role("group", name="From").get_by_label("Day").fill("31")
    page.get_by_role("group", name="From").get_by_label("Month").fill("2")
    page.get_by_role("group", name="From").get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show this period").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role(
        "link", name="The date the period starts must be a real date"
    ).is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.goto(f"/schools/{school.urn}/hotspots/")
    page.get_by_role("link", name="Change the site plan or its pins").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Site plan"
    assert_accessible(page)

    # A click on the plan fills in where the place is.
    svg = page.locator("svg.app-plan__svg")
    box = svg.bounding_box()
    svg.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})
    across = float(
        page.get_by_label("Across, per cent of the plan's width from the left").input_value()
    )
    down = float(
        page.get_by_label("Down, per cent of the plan's height from the top").input_value()
    )
    assert abs(across - 25) < 1.5 and abs(down - 50) < 1.5
    assert page.get_by_text("Position set:").is_visible()
    page.get_by_label("Place", exact=True).select_option(label="Bus stop by the gate")
    page.get_by_role("button", name="Save the pin").click()
    page.wait_for_load_state()
    assert page.get_by_text("Bus stop by the gate pinned on the plan.").is_visible()
    gate = Place.objects.get(name="Bus stop by the gate")
    assert abs(gate.plan_x - across) < 0.01 and abs(gate.plan_y - down) < 0.01
    assert (
        page.get_by_role("img", name="Site plan with the places pinned on it")
        .locator("circle:not([visibility])")
        .count()
        == 3
    )
    assert_accessible(page)

    # A bad pin is named, with nothing changed.
    page.get_by_label("Place", exact=True).select_option(label="Bike sheds")
    page.get_by_label("Across, per cent of the plan's width from the left").fill("150")
    page.get_by_label("Down, per cent of the plan's height from the top").fill("10")
    page.get_by_role("button", name="Save the pin").click()
    page.wait_for_load_state()
    assert (
        page.locator(".govuk-error-summary")
        .get_by_role(
            "link", name="Enter how far across the plan the place is, as a number from 0 to 100"
        )
        .is_visible()
    )
    assert_accessible(page)

    # The plan is replaced by a new picture.
    upload = tmp_path / "new-plan.png"
    upload.write_bytes(plan_png(size=(300, 300), colour=(220, 240, 220)))
    page.get_by_label("Image of the site plan").set_input_files(str(upload))
    page.get_by_role("button", name="Replace the plan").click()
    page.wait_for_load_state()
    assert page.get_by_text("Site plan uploaded.").is_visible()
    assert (
        SitePlan.objects.get(school=school).width,
        SitePlan.objects.get(school=school).height,
    ) == (300, 300)
    assert_accessible(page)

    assert seen.page_errors == []
    # The two pages sent back with errors answer 400, as they should; nothing else went wrong.
    assert [e for e in seen.console_errors if "status of 400" not in e] == []
    assert len(seen.console_errors) == 2
    assert seen.csp_violations(page) == []
