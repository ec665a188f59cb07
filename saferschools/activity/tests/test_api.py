"""The activity API: logging time by token, and the summary for officers and supervisors."""

import json
import uuid
from datetime import datetime

import pytest
from rest_framework.test import APIClient

from saferschools.activity.models import Activity
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON

from .helpers import log

pytestmark = pytest.mark.django_db

ACTIVITIES = "/api/v1/activities"
SUMMARY = "/api/v1/activities/summary"
ZEROS = dict.fromkeys(
    ["patrol", "lesson", "one_to_one", "meeting", "event", "training", "other"], 0
)


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def good(world, **fields) -> dict:
    body = {
        "school_urn": world.school_a.urn,
        "kind": "patrol",
        "detail": "end_of_day",
        "started_at": "2025-03-11T15:05:00Z",
        "minutes": 40,
    }
    body.update(fields)
    return body


def post(client: APIClient, body: object):
    return client.post(ACTIVITIES, json.dumps(body), content_type="application/json")


def stored() -> tuple[int, int]:
    return Activity.objects.count(), AuditEvent.objects.filter(
        object_type="activity.activity"
    ).count()


# Logging -----------------------------------------------------------------------------------


def test_an_officer_logs_an_activity(api_for, world, officer, gate):
    response = post(api_for(officer), good(world, place_id=str(gate.pk), note="Buses late"))

    assert response.status_code == 201
    assert set(response.json()) == {"id"}
    entry = Activity.objects.get(pk=response.json()["id"])
    assert (entry.officer, entry.school, entry.place) == (officer, world.school_a, gate)
    assert (entry.kind, entry.detail, entry.minutes, entry.note) == (
        "patrol",
        "end_of_day",
        40,
        "Buses late",
    )
    assert entry.started_at == datetime(2025, 3, 11, 15, 5, tzinfo=LONDON)
    event = AuditEvent.objects.get(object_type="activity.activity")
    assert (event.action, event.source) == (AuditAction.CREATE, "api:api-activities")


def test_the_optional_fields_may_be_left_out_or_null(api_for, world, officer):
    body = good(world, kind="one_to_one", place_id=None)
    del body["detail"]

    assert post(api_for(officer), body).status_code == 201


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"minutes": -30}, "minutes"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 721}, "minutes"),
        ({"minutes": "forty"}, "minutes"),
        ({"minutes": 1.5}, "minutes"),
        ({"started_at": "2025-03-11T15:05:00"}, "started_at"),
        ({"started_at": "2030-01-01T08:00:00Z"}, "started_at"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"started_at": None}, "started_at"),
        ({"kind": "walk"}, "kind"),
        ({"detail": "pshe"}, "detail"),
        ({"place_id": str(uuid.uuid4())}, "place_id"),
        ({"place_id": "not-a-uuid"}, "place_id"),
        ({"school_urn": 999999}, "school_urn"),
        ({"school_urn": "Oakwood"}, "school_urn"),
        ({"note": "x" * 2001}, "note"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    api_for, world, officer, fields, field
):
    before = stored()

    response = post(api_for(officer), good(world, **fields))

    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"], body
    assert body["detail"].startswith("Invalid input:")
    assert stored() == before


def test_a_missing_field_is_named(api_for, world, officer):
    body = good(world)
    del body["minutes"]

    response = post(api_for(officer), body)

    assert response.status_code == 400
    assert "minutes" in response.json()["errors"]


@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_a_body_that_is_not_an_object_is_refused(api_for, officer, body):
    response = post(api_for(officer), body)

    assert response.status_code == 400
    assert not Activity.objects.exists()


def test_a_place_of_another_school_is_refused(api_for, world, officer, place_c):
    response = post(api_for(officer), good(world, place_id=str(place_c.pk)))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["place_id"]


@pytest.mark.parametrize("urn", ["c", "d", "e"])
def test_a_school_the_officer_is_not_deployed_to_is_a_400_like_an_unknown_one(
    api_for, world, officer, urn
):
    school = getattr(world, f"school_{urn}")

    response = post(api_for(officer), good(world, school_urn=school.urn))
    unknown = post(api_for(officer), good(world, school_urn=999999))

    assert response.status_code == unknown.status_code == 400
    assert response.json() == unknown.json()
    assert not Activity.objects.exists()


@pytest.mark.parametrize("who", ["dsl", "staff", "supervisor", "analyst", "practitioner"])
def test_only_officers_log_activity(api_for, world, request, who):
    response = post(api_for(request.getfixturevalue(who)), good(world))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["school_urn"]
    assert not Activity.objects.exists()


def test_without_credentials_it_is_a_401(world, officer):
    response = post(APIClient(), good(world))

    assert response.status_code == 401
    assert not Activity.objects.exists()
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert post(bad, good(world)).status_code == 401
    assert APIClient().get(SUMMARY).status_code == 401


# The summary -------------------------------------------------------------------------------


@pytest.fixture
def logged(world, officer, school_officer, other_area_officer):
    log(officer, world.school_a, minutes=40, started_at=datetime(2025, 3, 3, 8, 15, tzinfo=LONDON))
    log(officer, world.school_a, kind="lesson", detail="pshe", minutes=60)
    log(officer, world.school_b, kind="meeting", detail="", minutes=30)
    log(school_officer, world.school_c, minutes=25)
    log(other_area_officer, world.school_d, minutes=15)


def test_an_officer_reads_their_own_summary(api_for, world, officer, logged):
    response = api_for(officer).get(SUMMARY)

    assert response.status_code == 200
    assert response.json() == {
        "by_kind": {**ZEROS, "patrol": 40, "lesson": 60, "meeting": 30},
        "by_school": {str(world.school_a.urn): 100, str(world.school_b.urn): 30},
    }
    assert api_for(officer).get(SUMMARY, {"officer": str(officer.pk)}).json() == response.json()


def test_the_summary_between_two_days(api_for, world, officer, logged):
    response = api_for(officer).get(SUMMARY, {"since": "2025-03-04", "until": "2025-03-11"})

    assert response.json()["by_kind"] == {**ZEROS, "lesson": 60, "meeting": 30}
    only_the_3rd = api_for(officer).get(SUMMARY, {"since": "2025-03-03", "until": "2025-03-03"})
    assert only_the_3rd.json()["by_school"] == {str(world.school_a.urn): 40}


def test_a_supervisor_reads_the_summary_of_the_officers_they_oversee(
    api_for, world, officer, school_officer, supervisor, logged
):
    client = api_for(supervisor)

    everyone = client.get(SUMMARY).json()
    one = client.get(SUMMARY, {"officer": str(school_officer.pk)}).json()

    assert everyone["by_school"] == {
        str(world.school_a.urn): 100,
        str(world.school_b.urn): 30,
        str(world.school_c.urn): 25,
    }
    assert one == {"by_kind": {**ZEROS, "patrol": 25}, "by_school": {str(world.school_c.urn): 25}}


def test_an_officer_outside_ones_scope_is_not_found(
    api_for, officer, school_officer, other_supervisor, logged
):
    assert api_for(other_supervisor).get(SUMMARY, {"officer": str(officer.pk)}).status_code == 404
    assert api_for(officer).get(SUMMARY, {"officer": str(school_officer.pk)}).status_code == 404
    unknown = api_for(officer).get(SUMMARY, {"officer": str(uuid.uuid4())})
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "Not found."}


@pytest.mark.parametrize("who", ["dsl", "staff", "head", "analyst", "practitioner"])
def test_the_summary_is_not_found_for_anyone_else(api_for, request, logged, who):
    assert api_for(request.getfixturevalue(who)).get(SUMMARY).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "March"}, "since"),
        ({"until": "2025-02-30"}, "until"),
        ({"since": "2025-03-10", "until": "2025-03-01"}, "until"),
        ({"since": "0001-01-01"}, "since"),
        ({"until": "9999-12-31"}, "until"),
        ({"officer": "someone"}, "officer"),
    ],
)
def test_bad_summary_filters_are_a_400_naming_the_field(api_for, officer, query, field):
    response = api_for(officer).get(SUMMARY, query)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_the_schema_describes_the_activity_endpoints(db):
    document = APIClient().get("/api/v1/schema/?format=json").json()

    assert "post" in document["paths"]["/api/v1/activities"]
    summary = document["paths"]["/api/v1/activities/summary"]["get"]
    assert {p["name"] for p in summary["parameters"]} == {"since", "until", "officer"}
    by_kind = document["components"]["schemas"]["MinutesByKindOutput"]["properties"]
    assert set(by_kind) == set(ZEROS)
    schemas = document["components"]["schemas"]
    kind = schemas["ActivityInputRequest"]["properties"]["kind"]
    assert schemas[kind["$ref"].rsplit("/", 1)[1]]["enum"] == list(ZEROS)
