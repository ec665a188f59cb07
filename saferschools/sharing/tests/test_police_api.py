"""The API for notifications from the police: recording one and acknowledging it, with every
kind of bad input answered by a 400 naming the field and every out-of-reach school or
notification by a 404."""

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.lib.schooldays import LONDON
from saferschools.sharing.models import PoliceNotification
from saferschools.sharing.police_services import police_notification_record

pytestmark = pytest.mark.django_db

RECORD = "/api/v1/notifications"


def acknowledge_url(notification_id) -> str:
    return f"{RECORD}/{notification_id}/acknowledge"


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


def good(world, **changes):
    data = {
        "school_urn": world.school_a.urn,
        "pupil_id": str(world.pupil_a.pk),
        "summary": "Police attended a domestic incident at home; the pupil was present.",
        "occurred_at": (timezone.now() - timedelta(hours=9)).isoformat(),
        "kind": "domestic_abuse",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


@pytest.fixture
def notification(world, officer):
    return police_notification_record(
        actor=officer,
        school=world.school_a,
        pupil_id=str(world.pupil_a.pk),
        kind="missing",
        summary="Missing overnight; found safe.",
        occurred_at=timezone.now() - timedelta(hours=5),
        source="test",
    )


def written():
    return (
        PoliceNotification.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
        list(PoliceNotification.objects.values_list("acknowledged_at", flat=True)),
    )


# Recording ----------------------------------------------------------------------------------


def test_an_officer_records_a_notification(api_for, world, officer, dsl):
    friday_evening = datetime(2026, 3, 6, 19, 30, tzinfo=LONDON)
    with time_machine.travel(friday_evening, tick=False):
        response = api_for(officer).post(
            RECORD,
            good(world, occurred_at="2026-03-06T18:45:00", kind=...),
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "due_by"}
    notification = PoliceNotification.objects.get(pk=body["id"])
    assert body["due_by"] == "2026-03-09T08:30:00Z"
    assert notification.kind == "other"
    # Without an offset the time is read in England.
    assert notification.occurred_at == datetime(2026, 3, 6, 18, 45, tzinfo=LONDON)
    assert notification.recorded_by == officer
    assert {n.user for n in Notification.objects.filter(kind="police_notification")} == {dsl}
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(notification.pk))
    assert event.source == "api:api-police-notifications"


@pytest.mark.parametrize("who", ["dsl", "head", "staff", "outside_officer", "practitioner"])
def test_only_the_schools_officers_record_others_get_404(api_for, world, request, who):
    response = api_for(request.getfixturevalue(who)).post(RECORD, good(world), format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not PoliceNotification.objects.exists()


@pytest.mark.parametrize("urn", [1, 10**30, -5], ids=["unknown", "huge", "negative"])
def test_an_unknown_school_is_404(api_for, world, officer, urn):
    response = api_for(officer).post(RECORD, good(world, school_urn=urn), format="json")
    assert response.status_code == 404


def test_a_pupil_of_another_school_is_400_naming_pupil_id(api_for, world, officer):
    api = api_for(officer)
    before = written()
    response = api.post(RECORD, good(world, pupil_id=str(world.pupil_b.pk)), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"pupil_id": ["Choose a pupil of this school"]}
    assert written() == before


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"school_urn": "123"}, {"school_urn"}),
        ({"school_urn": True}, {"school_urn"}),
        ({"school_urn": ...}, {"school_urn"}),
        ({"pupil_id": ...}, {"pupil_id"}),
        ({"pupil_id": "12345"}, {"pupil_id"}),
        ({"pupil_id": 12345}, {"pupil_id"}),
        ({"summary": ""}, {"summary"}),
        ({"summary": "\x00\x00"}, {"summary"}),
        ({"summary": {"text": "x"}}, {"summary"}),
        ({"summary": "x" * 5001}, {"summary"}),
        ({"occurred_at": "last night"}, {"occurred_at"}),
        ({"occurred_at": "2026-02-30T10:00:00"}, {"occurred_at"}),
        ({"occurred_at": "9999-12-31T23:59:59-23:59"}, {"occurred_at"}),
        ({"occurred_at": (timezone.now() + timedelta(days=1)).isoformat()}, {"occurred_at"}),
        ({"occurred_at": 1700000000}, {"occurred_at"}),
        ({"kind": "burglary"}, {"kind"}),
        ({"kind": ["other"]}, {"kind"}),
        ({"extra": 1}, {"extra"}),
        ({"summary": 5, "pupil_id": "x", "kind": ["y"]}, {"summary", "pupil_id", "kind"}),
        ({"summary": "", "kind": "y"}, {"summary", "kind"}),
    ],
    ids=[
        "urn-as-text",
        "urn-as-boolean",
        "no-urn",
        "no-pupil",
        "pupil-not-an-id",
        "pupil-a-number",
        "empty-summary",
        "nul-summary",
        "summary-an-object",
        "summary-too-long",
        "occurred-not-a-time",
        "occurred-not-a-date",
        "occurred-out-of-range",
        "occurred-in-the-future",
        "occurred-a-number",
        "unknown-kind",
        "kind-a-list",
        "unknown-key",
        "several-types-at-once",
        "several-values-at-once",
    ],
)
def test_bad_input_is_400_naming_each_field(api_for, world, officer, changes, fields):
    api = api_for(officer)
    before = written()
    response = api.post(RECORD, good(world, **changes), format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert set(body["errors"]) == fields
    assert written() == before


@pytest.mark.parametrize(
    "body", ["[]", '"text"', "null", "{", "[" * 5000], ids=["list", "string", "null", "cut", "deep"]
)
def test_a_body_that_is_not_an_object_is_400(api_for, officer, body):
    response = api_for(officer).post(RECORD, body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_anonymous_is_refused(world):
    response = APIClient().post(RECORD, good(world), format="json")
    assert response.status_code in (401, 403)
    assert not PoliceNotification.objects.exists()


# Acknowledging ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dsl", "head"])
def test_a_leader_acknowledges(api_for, notification, request, who):
    user = request.getfixturevalue(who)
    response = api_for(user).post(
        acknowledge_url(notification.pk),
        {"support_given": "Tutor told; quiet room."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"id", "acknowledged_at", "support_given"}
    assert body["id"] == str(notification.pk)
    assert body["support_given"] == "Tutor told; quiet room."
    stored = PoliceNotification.objects.get(pk=notification.pk)
    assert stored.acknowledged_by == user
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(notification.pk))
    assert event.source == "api:api-police-notification-acknowledge"


@pytest.mark.parametrize("who", ["officer", "staff", "outside_officer", "practitioner"], ids=str)
def test_others_cannot_acknowledge_404(api_for, notification, request, who):
    response = api_for(request.getfixturevalue(who)).post(
        acknowledge_url(notification.pk), {"support_given": "Seen."}, format="json"
    )
    assert response.status_code == 404
    assert PoliceNotification.objects.get(pk=notification.pk).acknowledged_at is None


@pytest.mark.parametrize(
    "notification_id",
    ["00000000-0000-0000-0000-000000000000", "not-a-uuid"],
    ids=["missing", "malformed"],
)
def test_a_missing_notification_is_404(api_for, dsl, notification_id):
    response = api_for(dsl).post(
        acknowledge_url(notification_id), {"support_given": "Seen."}, format="json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "support_given"),
        ({"support_given": ""}, "support_given"),
        ({"support_given": 5}, "support_given"),
        ({"support_given": "x" * 5001}, "support_given"),
        ({"support_given": "ok", "read": True}, "read"),
    ],
    ids=["missing", "empty", "a-number", "too-long", "unknown-key"],
)
def test_acknowledging_with_bad_input_is_400(api_for, notification, dsl, body, field):
    api = api_for(dsl)
    before = written()
    response = api.post(acknowledge_url(notification.pk), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert written() == before


def test_acknowledging_twice_is_400(api_for, notification, dsl, head):
    api_for(dsl).post(acknowledge_url(notification.pk), {"support_given": "Told."}, format="json")
    response = api_for(head).post(
        acknowledge_url(notification.pk), {"support_given": "Again."}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "support_given": ["This notification has already been read and acknowledged"]
    }
    assert PoliceNotification.objects.get(pk=notification.pk).acknowledged_by == dsl


def test_the_schema_documents_both_endpoints(client):
    schema = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)
    assert set(schema["paths"]["/api/v1/notifications"]) == {"post"}
    assert set(schema["paths"]["/api/v1/notifications/{notification_id}/acknowledge"]) == {"post"}
