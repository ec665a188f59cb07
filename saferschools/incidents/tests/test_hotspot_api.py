"""GET /api/v1/schools/<urn>/hotspots: who may ask, what it answers, and bad input."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.incidents import services
from saferschools.incidents.models import LocationKind, PlaceKind
from saferschools.incidents.services import IncidentInput
from saferschools.lib.schooldays import LONDON

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
BANDS = [
    "before_school",
    "morning",
    "break",
    "lunch",
    "afternoon",
    "after_school",
    "evening",
    "night",
]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def url(school) -> str:
    return reverse("api-school-hotspots", args=[school.urn])


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def people(world, persona, dsl, staff, practitioner, outside_officer):
    return {
        "dsl": dsl,
        "officer": persona(Role.SSP_OFFICER, world.p),
        "analyst": persona(Role.LA_ANALYST, world.area),
        "supervisor": persona(Role.POLICE_SUPERVISOR, world.police),
        "steering": persona(Role.STEERING_MEMBER, world.p),
        "staff": staff,
        "practitioner": practitioner,
        "outside_officer": outside_officer,
        "other_area_analyst": persona(Role.LA_ANALYST, world.other_area),
    }


@pytest.fixture
def places(world, dsl):
    def make(name, kind=PlaceKind.SITE_ZONE):
        return services.place_create(
            actor=dsl, school=world.school_a, name=name, kind=kind, source="test"
        )

    field, sheds = make("Playing field"), make("Bike sheds")

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

    for day in range(9, 15):  # Monday 9 to Saturday 14 March, at lunch
        record(datetime(2026, 3, day, 12, 40, tzinfo=LONDON), field)
    record(datetime(2026, 3, 16, 8, 20, tzinfo=LONDON), sheds)
    record(datetime(2026, 2, 10, 8, 20, tzinfo=LONDON), sheds)
    record(datetime(2026, 3, 18, 16, 0, tzinfo=LONDON), kind=LocationKind.JOURNEY)
    return {"field": field, "sheds": sheds}


@pytest.mark.parametrize("who", ["dsl", "officer"])
def test_leaders_and_officers_get_every_count_busiest_first(api_for, world, people, places, who):
    response = api_for(people[who]).get(url(world.school_a))
    assert response.status_code == 200
    body = response.json()
    assert [(h["place"], h["count"], h["previous_count"]) for h in body] == [
        ("Playing field", 6, 0),
        ("Bike sheds", 1, 1),
        ("On the journey to or from school (no particular place)", 1, 0),
    ]
    field = body[0]
    assert set(field) == {
        "place_id",
        "place",
        "location_kind",
        "count",
        "previous_count",
        "by_weekday",
        "by_time_band",
    }
    assert field["place_id"] == str(places["field"].pk)
    assert field["location_kind"] == "on_site"
    assert list(field["by_weekday"]) == WEEKDAYS
    assert field["by_weekday"] == dict.fromkeys(WEEKDAYS[:6], 1) | {"Sunday": 0}
    assert list(field["by_time_band"]) == BANDS
    assert field["by_time_band"] == dict.fromkeys(BANDS, 0) | {"lunch": 6}
    assert body[2]["place_id"] is None and body[2]["location_kind"] == "journey"
    assert body[2]["by_time_band"]["after_school"] == 1


@pytest.mark.parametrize("who", ["analyst", "supervisor", "steering"])
def test_those_who_oversee_the_school_get_small_counts_as_null(api_for, world, people, places, who):
    response = api_for(people[who]).get(url(world.school_a))
    assert response.status_code == 200
    body = response.json()
    by_place = {h["place"]: h for h in body}
    assert set(by_place) == {
        "Playing field",
        "Bike sheds",
        "On the journey to or from school (no particular place)",
    }
    for entry in body:
        for value in [
            entry["count"],
            entry["previous_count"],
            *entry["by_weekday"].values(),
            *entry["by_time_band"].values(),
        ]:
            assert value is None or value == 0 or value >= 5
    assert by_place["Bike sheds"]["count"] is None
    assert by_place["Bike sheds"]["previous_count"] is None
    assert by_place["Bike sheds"]["by_time_band"]["night"] == 0


@pytest.mark.parametrize("who", ["staff", "practitioner", "outside_officer", "other_area_analyst"])
def test_others_get_404(api_for, world, people, places, who):
    response = api_for(people[who]).get(url(world.school_a))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_school_is_404_and_no_token_is_401(api_for, world, dsl):
    assert api_for(dsl).get("/api/v1/schools/1/hotspots").status_code == 404
    assert APIClient().get(url(world.school_a)).status_code in (401, 403)


def test_a_period_is_given_as_dates(api_for, world, dsl, places):
    client = api_for(dsl)
    # Monday 16 March alone, against Sunday 15 March.
    response = client.get(url(world.school_a), {"since": "2026-03-16", "until": "2026-03-17"})
    assert response.status_code == 200
    assert [(h["place"], h["count"], h["previous_count"]) for h in response.json()] == [
        ("Bike sheds", 1, 0)
    ]
    # Saturday 14 March alone, against Friday 13 March.
    response = client.get(url(world.school_a), {"since": "2026-03-14", "until": "2026-03-15"})
    assert [(h["place"], h["count"], h["previous_count"]) for h in response.json()] == [
        ("Playing field", 1, 1)
    ]
    # Only the end: the four weeks before it.
    response = client.get(url(world.school_a), {"until": "2026-03-10"})
    assert [(h["place"], h["count"], h["previous_count"]) for h in response.json()] == [
        ("Bike sheds", 1, 0),
        ("Playing field", 1, 0),
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "2026-3-1"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-02-30"}, "until"),
        ({"until": "\uff12\uff10\uff12\uff16-03-01"}, "until"),  # full-width digits
        ({"since": "1999-01-01"}, "since"),
        ({"since": "2026-03-10", "until": "2026-03-01"}, "until"),
        ({"since": "2026-03-10", "until": "2026-03-10"}, "until"),
    ],
)
def test_bad_dates_are_400_naming_the_field(api_for, world, dsl, query, field):
    response = api_for(dsl).get(url(world.school_a), query)
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [field]
    assert body["detail"] == f"Invalid input: {field}."


def test_the_schema_describes_the_endpoint(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/schools/{urn}/hotspots"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"urn", "since", "until"}
    assert set(operation["responses"]) == {"200", "400", "404"}
    output = schema["components"]["schemas"]["HotspotOutput"]
    assert set(output["properties"]) == {
        "place_id",
        "place",
        "location_kind",
        "count",
        "previous_count",
        "by_weekday",
        "by_time_band",
    }
    assert output["properties"]["count"]["nullable"] is True
