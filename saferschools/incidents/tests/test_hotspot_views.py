"""The hotspots page, the site plan page and the plan image: who sees them, the period form and
its errors, the plan with its counts, uploads and pins."""

import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.incidents import plan_services, services
from saferschools.incidents.models import LocationKind, Place, PlaceKind, SitePlan
from saferschools.incidents.services import IncidentInput
from saferschools.lib.schooldays import LONDON

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # Friday, GMT
SECRET = "SecretPhoneMaker"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def hotspots_url(school) -> str:
    return reverse("incidents-hotspots", args=[school.urn])


def plan_url(school) -> str:
    return reverse("incidents-site-plan", args=[school.urn])


def image_url(school) -> str:
    return reverse("incidents-site-plan-image", args=[school.urn])


@pytest.fixture
def people(world, persona, dsl, staff, practitioner, outside_officer):
    return {
        "dsl": dsl,
        "head": persona(Role.HEAD_TEACHER, world.school_a),
        "officer": persona(Role.SSP_OFFICER, world.p),
        "supervisor": persona(Role.POLICE_SUPERVISOR, world.police),
        "analyst": persona(Role.LA_ANALYST, world.area),
        "steering": persona(Role.STEERING_MEMBER, world.p),
        "staff": staff,
        "practitioner": practitioner,
        "outside_officer": outside_officer,
        "dsl_b": persona(Role.SAFEGUARDING_LEAD, world.school_b),
        "other_area_analyst": persona(Role.LA_ANALYST, world.other_area),
    }


FULL = ["dsl", "head", "officer"]
SUPPRESSED = ["supervisor", "analyst", "steering"]
OUTSIDERS = ["staff", "practitioner", "outside_officer", "dsl_b", "other_area_analyst"]


def image_bytes(fmt="PNG", size=(200, 100), exif=False) -> bytes:
    picture = Image.new("RGB", size, (250, 250, 250))
    params = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = SECRET
        tags[0x8825] = {1: "N", 2: (51.0, 10.0, 30.5)}
        params["exif"] = tags
    out = io.BytesIO()
    picture.save(out, format=fmt, **params)
    return out.getvalue()


@pytest.fixture
def places(world, dsl):
    def make(name, kind=PlaceKind.SITE_ZONE, **pin):
        return services.place_create(
            actor=dsl, school=world.school_a, name=name, kind=kind, source="test", **pin
        )

    return {
        "field": make("Playing field", plan_x=50, plan_y=25),
        "sheds": make("Bike sheds", plan_x=10, plan_y=80),
        "gate": make("Bus stop by the gate", PlaceKind.STOP),
    }


@pytest.fixture
def incidents(world, dsl, places):
    def record(when, place=None, kind=LocationKind.ON_SITE):
        services.incident_record(
            actor=dsl,
            school=world.school_a,
            data=IncidentInput(
                occurred_at=when,
                location_kind=kind,
                category="theft",
                severity="low",
                description="A bike was taken.",
                place_id=str(place.pk) if place else None,
            ),
            source="test",
        )

    for day in range(9, 15):  # six at the field at lunch, this period
        record(datetime(2026, 3, day, 12, 40, tzinfo=LONDON), places["field"])
    record(datetime(2026, 3, 16, 8, 20, tzinfo=LONDON), places["sheds"])
    record(datetime(2026, 3, 17, 8, 20, tzinfo=LONDON), places["sheds"])
    record(datetime(2026, 2, 10, 8, 20, tzinfo=LONDON), places["sheds"])  # the period before
    return places


@pytest.fixture
def plan(world, dsl):
    return plan_services.site_plan_upload(
        actor=dsl,
        school=world.school_a,
        file=SimpleUploadedFile("plan.png", image_bytes(), content_type="image/png"),
        source="test",
    )


# The hotspots page ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", FULL)
def test_leaders_and_officers_see_every_count_and_patrol_suggestions(
    client, world, people, incidents, plan, who
):
    client.force_login(people[who])
    response = client.get(hotspots_url(world.school_a))
    assert response.status_code == 200
    body = response.content.decode()
    found = response.context["hotspots"]
    # The last four weeks up to and including today, against the four weeks before.
    assert (str(found.since), str(found.until)) == ("2026-02-21", "2026-03-21")
    assert "21 February 2026 to 20 March 2026" in body
    assert [(s.place, s.count, s.previous_count) for s in found.places] == [
        ("Playing field", 6, 0),
        ("Bike sheds", 2, 1),
    ]
    assert "not shown" not in body
    assert "Patrol suggestions" in body
    assert [(s.place, s.time_band) for s in response.context["suggestions"]] == [
        ("Playing field", "lunch"),
        ("Bike sheds", "before_school"),
    ]
    # Each table has its chart: places, where, weekday and time of day.
    assert body.count('class="app-chart"') == 4
    for heading in ("By place", "By where it happened", "By day of the week", "By time of day"):
        assert f">{heading}</h2>" in body
    # The time bands are stated.
    assert "10:45 to 11:05" in body and "22:00 to 07:00" in body


@pytest.mark.parametrize("who", SUPPRESSED)
def test_those_who_oversee_the_school_see_small_counts_left_out(
    client, world, people, incidents, plan, who
):
    client.force_login(people[who])
    response = client.get(hotspots_url(world.school_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "counts from 1 to 4 are “not shown”" in body
    counts = {s.place: s.count for s in response.context["hotspots"].places}
    assert counts == {"Playing field": None, "Bike sheds": None}
    assert "not shown" in body
    assert "Patrol suggestions" not in body and response.context["suggestions"] == []
    # The markers on the plan say the count is not shown rather than drawing it.
    assert "Bike sheds: not shown" in body
    assert "Change the site plan" not in body


@pytest.mark.parametrize("who", OUTSIDERS)
def test_others_get_404(client, world, people, incidents, who):
    client.force_login(people[who])
    assert client.get(hotspots_url(world.school_a)).status_code == 404


def test_an_unknown_school_is_404_and_anonymous_is_sent_to_sign_in(client, world, dsl):
    assert client.get(hotspots_url(world.school_a)).status_code == 302
    client.force_login(dsl)
    assert client.get("/schools/1/hotspots/").status_code == 404


def test_the_plan_is_drawn_with_a_marker_per_pinned_place(client, world, dsl, incidents, plan):
    client.force_login(dsl)
    body = client.get(hotspots_url(world.school_a)).content.decode()
    svg = body[body.index('<svg xmlns="http://www.w3.org/2000/svg" class="app-plan__svg"') :]
    svg = svg[: svg.index("</svg>")]
    assert f'<image href="{image_url(world.school_a)}?v=' in svg
    assert 'viewBox="0 0 200 100"' in svg
    # The field (6) at 50% across, 25% down; the sheds (2) at 10%, 80%: the field's is larger.
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg)
    by_place = {(float(x), float(y)): float(r) for x, y, r in circles}
    assert set(by_place) == {(100.0, 25.0), (20.0, 80.0)}
    assert by_place[(100.0, 25.0)] > by_place[(20.0, 80.0)]
    assert ">6</text>" in svg and ">2</text>" in svg
    assert ">Playing field</text>" in svg and ">Bike sheds</text>" in svg
    # The bus stop has no pin: it is not on the plan.
    assert "Bus stop by the gate" not in svg


def test_no_page_here_uses_inline_style_or_script(client, world, dsl, incidents, plan):
    client.force_login(dsl)
    for url in (hotspots_url(world.school_a), plan_url(world.school_a)):
        body = client.get(url).content.decode()
        assert not re.search(r"\sstyle=", body), url
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert "<style" not in body


def test_without_a_plan_the_page_says_so(client, world, dsl, incidents):
    client.force_login(dsl)
    body = client.get(hotspots_url(world.school_a)).content.decode()
    assert "The school has no site plan yet." in body
    assert "Upload a site plan and pin the places on it" in body


def test_a_period_is_chosen_in_the_date_boxes_or_as_iso_dates(client, world, dsl, incidents):
    client.force_login(dsl)
    response = client.get(
        hotspots_url(world.school_a),
        {
            "since_day": "16",
            "since_month": "3",
            "since_year": "2026",
            "until_day": "18",
            "until_month": "3",
            "until_year": "2026",
        },
    )
    found = response.context["hotspots"]
    assert (str(found.since), str(found.until), str(found.previous_since)) == (
        "2026-03-16",
        "2026-03-18",
        "2026-03-14",
    )
    assert [(s.place, s.count, s.previous_count) for s in found.places] == [
        ("Bike sheds", 2, 0),
        ("Playing field", 0, 1),
    ]
    response = client.get(hotspots_url(world.school_a), {"since": "2026-03-16", "until": ""})
    assert str(response.context["hotspots"].until) == "2026-03-21"
    assert response.context["form"]["since"].value() == ["16", "03", "2026"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"since_day": "31", "since_month": "2", "since_year": "2026"},
            "since",
            "The date the period starts must be a real date",
        ),
        (
            {"since_day": "1", "since_month": "9" * 30, "since_year": "2026"},
            "since",
            "The date the period starts must be a real date",
        ),
        (
            {"until_day": "1", "until_month": "", "until_year": "2026"},
            "until",
            "The date the period ends must include a month",
        ),
        (
            {"since_day": "1", "since_month": "3", "since_year": "26"},
            "since",
            "The year of the date the period starts must include 4 numbers",
        ),
        ({"since": "2026-13-01"}, "since", "The date the period starts must be a real date"),
        ({"since": "1/3/2026"}, "since", "Give the date the period starts as YYYY-MM-DD"),
        ({"until": "tomorrow"}, "until", "Give the date the period ends as YYYY-MM-DD"),
        ({"since": "1999-12-01"}, "since", "Give a date from 2000 to 2100"),
        (
            {"since": "2026-03-10", "until": "2026-03-01"},
            "until",
            "The end of the period must be after its start",
        ),
        (
            {"since": "2026-03-10", "until": "2026-03-10"},
            "until",
            "The end of the period must be after its start",
        ),
    ],
)
def test_a_bad_period_is_400_naming_the_field(client, world, dsl, query, field, message):
    client.force_login(dsl)
    response = client.get(hotspots_url(world.school_a), query)
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert form.errors[field][0].startswith(message)
    body = response.content.decode()
    # Linked to the first box of the date.
    assert "There is a problem" in body and f'href="#id_{field}_0"' in body
    assert response.context.get("hotspots") is None


def test_the_page_takes_few_queries_however_many_incidents(
    client, world, dsl, incidents, plan, django_assert_max_num_queries
):
    client.force_login(dsl)
    url = hotspots_url(world.school_a)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(12):
        place = services.place_create(
            actor=dsl,
            school=world.school_a,
            name=f"Corridor {index}",
            kind=PlaceKind.SITE_ZONE,
            plan_x=index,
            plan_y=index,
            source="test",
        )
        for hour in (9, 13, 16):
            services.incident_record(
                actor=dsl,
                school=world.school_a,
                data=IncidentInput(
                    occurred_at=datetime(2026, 3, 2 + index, hour, tzinfo=LONDON),
                    location_kind="on_site",
                    category="theft",
                    severity="low",
                    description="Again.",
                    place_id=str(place.pk),
                ),
                source="test",
            )
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
    assert len(few) <= 17


# The site plan page ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", FULL)
def test_leaders_and_officers_keep_the_plan(client, world, people, places, plan, who):
    client.force_login(people[who])
    response = client.get(plan_url(world.school_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-app-plan-pin" in body
    # Numbered markers, in name order of the pinned places: Bike sheds 1, Playing field 2.
    assert re.findall(r'fill="#ffffff">(\d)</text>', body) == ["1", "2"]
    assert "10% across, 80% down" in body and "Not pinned" in body


@pytest.mark.parametrize("who", SUPPRESSED + OUTSIDERS)
def test_nobody_else_sees_the_site_plan_page(client, world, people, places, plan, who):
    client.force_login(people[who])
    assert client.get(plan_url(world.school_a)).status_code == 404
    response = client.post(
        plan_url(world.school_a),
        {"action": "pin", "place": str(places["gate"].pk), "plan_x": "5", "plan_y": "5"},
    )
    assert response.status_code == 404
    assert Place.objects.get(pk=places["gate"].pk).plan_x is None


def test_a_plan_is_uploaded_without_its_metadata(client, world, dsl):
    client.force_login(dsl)
    data = image_bytes("JPEG", exif=True)
    assert SECRET.encode() in data
    response = client.post(
        plan_url(world.school_a),
        {"action": "upload", "plan": SimpleUploadedFile("p.jpg", data, "image/jpeg")},
    )
    assert response.status_code == 302 and response.url == plan_url(world.school_a)
    plan = SitePlan.objects.get(school=world.school_a)
    assert plan.content_type == "image/jpeg"
    assert SECRET.encode() not in bytes(plan.content) and b"Exif" not in bytes(plan.content)
    assert AuditEvent.objects.filter(
        object_type="incidents.siteplan", action=AuditAction.CREATE, actor_id=dsl.pk
    ).exists()
    assert "Site plan uploaded." in client.get(plan_url(world.school_a)).content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("p.pdf", b"%PDF-1.4", "application/pdf"), "must be a JPEG"),
        (
            SimpleUploadedFile("big.png", image_bytes() + b"\0" * (10 * 1024 * 1024), "image/png"),
            "must be smaller than 10 MB",
        ),
        (None, "Choose an image of the site plan"),
    ],
)
def test_a_bad_upload_is_refused_naming_the_field(client, world, dsl, upload, message):
    client.force_login(dsl)
    data = {"action": "upload"} | ({"plan": upload} if upload else {})
    response = client.post(plan_url(world.school_a), data)
    assert response.status_code == 400
    form = response.context["upload_form"]
    assert list(form.errors) == ["plan"] and message in form.errors["plan"][0]
    assert 'href="#upload_plan"' in response.content.decode()
    assert not SitePlan.objects.exists()


def test_a_pin_is_set_in_per_cent_and_taken_away(client, world, dsl, places, plan):
    client.force_login(dsl)
    gate = places["gate"]
    response = client.post(
        plan_url(world.school_a),
        {"action": "pin", "place": str(gate.pk), "plan_x": "62.5", "plan_y": "7"},
    )
    assert response.status_code == 302
    gate.refresh_from_db()
    assert (gate.plan_x, gate.plan_y) == (62.5, 7.0)
    body = client.get(plan_url(world.school_a)).content.decode()
    assert "Bus stop by the gate pinned on the plan." in body
    # The "Move the pin" link fills the form in with the place and where it is now.
    response = client.get(plan_url(world.school_a), {"place": str(gate.pk)})
    form = response.context["pin_form"]
    assert (form["place"].value(), form["plan_x"].value(), form["plan_y"].value()) == (
        str(gate.pk),
        62.5,
        7.0,
    )
    response = client.post(
        plan_url(world.school_a),
        {"action": "pin", "place": str(gate.pk), "plan_x": "", "plan_y": ""},
    )
    assert response.status_code == 302
    gate.refresh_from_db()
    assert gate.plan_x is None and gate.plan_y is None


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"plan_x": "abc", "plan_y": "5"}, "plan_x", "Enter how far across the plan"),
        ({"plan_x": "5", "plan_y": "101"}, "plan_y", "Enter how far down the plan"),
        ({"plan_x": "-0.5", "plan_y": "5"}, "plan_x", "Enter how far across the plan"),
        ({"plan_x": "nan", "plan_y": "5"}, "plan_x", "Enter how far across the plan"),
        ({"plan_x": "5", "plan_y": ""}, "plan_y", "Give both how far across and how far down"),
        ({"place": ""}, "place", "Choose the place to pin"),
    ],
)
def test_a_bad_pin_is_400_naming_the_field(client, world, dsl, places, values, field, message):
    client.force_login(dsl)
    sheds = places["sheds"]
    data = {"action": "pin", "place": str(sheds.pk), "plan_x": "1", "plan_y": "1"} | values
    response = client.post(plan_url(world.school_a), data)
    assert response.status_code == 400
    form = response.context["pin_form"]
    assert list(form.errors) == [field] and form.errors[field][0].startswith(message)
    assert f'href="#pin_{field}"' in response.content.decode()
    sheds.refresh_from_db()
    assert (sheds.plan_x, sheds.plan_y) == (10.0, 80.0)


def test_another_schools_place_is_404(client, world, dsl, persona, places):
    dsl_b = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    theirs = services.place_create(
        actor=dsl_b, school=world.school_b, name="Their yard", kind="site_zone", source="t"
    )
    client.force_login(dsl)
    for place in (str(theirs.pk), "not-an-id", "00000000-0000-0000-0000-000000000000"):
        response = client.post(
            plan_url(world.school_a),
            {"action": "pin", "place": place, "plan_x": "5", "plan_y": "5"},
        )
        assert response.status_code == 404, place
    assert Place.objects.get(pk=theirs.pk).plan_x is None
    # An officer of both schools' partnership still pins a place only from its own school's page.
    officer = persona(Role.SSP_OFFICER, world.p)
    client.force_login(officer)
    response = client.post(
        plan_url(world.school_a),
        {"action": "pin", "place": str(theirs.pk), "plan_x": "5", "plan_y": "5"},
    )
    assert response.status_code == 404


# The plan image ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [*FULL, *SUPPRESSED, "staff"])
def test_the_plan_image_is_for_the_school_and_those_who_see_its_hotspots(
    client, world, people, plan, who
):
    client.force_login(people[who])
    response = client.get(image_url(world.school_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == bytes(plan.content)


@pytest.mark.parametrize("who", ["practitioner", "outside_officer", "dsl_b", "other_area_analyst"])
def test_nobody_else_gets_the_plan_image(client, world, people, plan, who):
    client.force_login(people[who])
    assert client.get(image_url(world.school_a)).status_code == 404


def test_no_plan_no_image(client, world, dsl):
    client.force_login(dsl)
    assert client.get(image_url(world.school_a)).status_code == 404


def test_a_caption_near_the_right_edge_goes_left_of_its_marker(client, world, dsl, places, plan):
    plan_services.place_pin(actor=dsl, place=places["gate"], plan_x=90, plan_y=50, source="t")
    client.force_login(dsl)
    body = client.get(plan_url(world.school_a)).content.decode()
    anchors = {
        name: anchor
        for anchor, name in re.findall(r'text-anchor="(start|end)"[^>]*>([^<]+)</text>', body)
    }
    assert anchors == {
        "Bike sheds": "start",
        "Bus stop by the gate": "end",
        "Playing field": "start",
    }
