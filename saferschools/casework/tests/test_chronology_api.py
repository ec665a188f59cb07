"""GET /api/v1/pupils/<id>/chronology: the same entries as the page, newest first, with the same
visibility, filters checked field by field, and every read audited."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.sharing.models import SharingDecision

from .test_chronology import casework_record

pytestmark = pytest.mark.django_db


def url(pupil_id) -> str:
    return f"/api/v1/pupils/{pupil_id}/chronology"


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def record(world, dsl):
    return casework_record(world, dsl, world.pupil_a)


def reads_of(pupil):
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(pupil.pk), detail__chronology=True
    )


def test_a_safeguarding_lead_gets_the_chronology_newest_first(api_for, world, dsl, record):
    response = api_for(dsl).get(url(world.pupil_a.pk))
    assert response.status_code == 200
    entries = response.json()
    assert len(entries) == 14
    assert all(set(entry) == {"at", "kind", "summary", "id"} for entry in entries)
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    second = entries[1]
    assert parse_datetime(second.pop("at")) == record.notification.recorded_at
    assert second == {
        "kind": "police_notification",
        "summary": "Notification from the police: domestic abuse at home",
        "id": str(record.notification.pk),
    }
    (event,) = reads_of(world.pupil_a)
    assert event.source == "api:api-pupil-chronology"
    assert event.detail == {"chronology": True}


def test_filters_by_kind_and_day(api_for, world, dsl, record):
    today = timezone.localdate()
    api = api_for(dsl)
    by_kind = api.get(url(world.pupil_a.pk), {"kind": "referral,assessment"}).json()
    assert [e["kind"] for e in by_kind] == ["referral", "referral", "assessment"]
    repeated = api.get(f"{url(world.pupil_a.pk)}?kind=referral&kind=assessment").json()
    assert repeated == by_kind
    by_day = api.get(
        url(world.pupil_a.pk),
        {"since": str(today - timedelta(days=10)), "until": str(today - timedelta(days=10))},
    ).json()
    assert [e["summary"] for e in by_day] == ["Risk assessment: high risk"]


def test_a_practitioner_gets_what_the_grant_names_and_the_use_is_audited(
    api_for, world, dsl, practitioner, record
):
    api = api_for(practitioner)
    entries = api.get(url(world.pupil_a.pk)).json()
    assert [e["kind"] for e in entries] == ["sharing_decision", "assessment"]
    assert api.get(url(world.pupil_a.pk), {"kind": "report"}).json() == []
    assert [event.detail for event in reads_of(world.pupil_a)] == [
        {"chronology": True, "grant": str(record.shared.pk)}
    ] * 2
    SharingDecision.objects.filter(pk=record.shared.pk).update(revoked_at=timezone.now())
    assert api.get(url(world.pupil_a.pk)).status_code == 404


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.SCHOOL_STAFF, "school_a"),
        (Role.SSP_OFFICER, "q"),
        (Role.LA_ANALYST, "area"),
        (Role.AGENCY_PRACTITIONER, "yot"),
    ],
    ids=lambda value: str(value),
)
def test_others_get_404_as_for_a_pupil_who_does_not_exist(
    api_for, world, persona, record, role, where
):
    record.shared.delete()
    api = api_for(persona(role, getattr(world, where)))
    response = api.get(url(world.pupil_a.pk))
    missing = api.get(url(uuid.uuid4()))
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json() == {"detail": "Not found."}
    assert api.get(url("not-a-uuid")).status_code == 404
    assert not reads_of(world.pupil_a).exists()


def test_signing_in_is_required(world, record):
    assert APIClient().get(url(world.pupil_a.pk)).status_code in (401, 403)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "diary"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"kind": "plan,\x00"}, "kind"),
        ({"since": "2026-02-30"}, "since"),
        ({"since": "1 March 2026"}, "since"),
        ({"until": "1999-12-31"}, "until"),
        ({"until": "9" * 5000}, "until"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "until"),
    ],
    ids=["unknown", "empty", "nul", "not-a-day", "words", "too-early", "huge", "backwards"],
)
def test_bad_filters_are_named(api_for, world, dsl, record, query, field):
    response = api_for(dsl).get(url(world.pupil_a.pk), query)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert list(body["errors"]) == [field]
    assert not reads_of(world.pupil_a).exists()
