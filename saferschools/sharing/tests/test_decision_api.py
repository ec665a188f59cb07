"""The sharing decisions API: POST /api/v1/sharing-decisions and
POST /api/v1/sharing-decisions/<id>/revoke."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.sharing.models import SharingDecision

from .test_decision_services import decide

pytestmark = pytest.mark.django_db

DECISIONS = "/api/v1/sharing-decisions"


def revoke_url(decision_id) -> str:
    return f"{DECISIONS}/{decision_id}/revoke"


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def body(world, **overrides) -> dict:
    end = timezone.localdate() + timedelta(days=90)
    data = {
        "pupil_id": str(world.pupil_a.pk),
        "agency_id": str(world.yot.pk),
        "purpose": "Referral to the youth offending team's prevention service",
        "information": "Attendance, exclusions and the risk assessment",
        "lawful_basis": "gdpr_6_1_e",
        "consent": "not_sought",
        "consent_reason": "Seeking consent would put the child at risk",
        "golden_rules_confirmed": True,
        "decision": "share",
        "expires_on": end.isoformat(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not ...}


def test_a_share_is_recorded_with_the_default_items(api_for, world, dsl, practitioner):
    response = api_for(dsl).post(DECISIONS, body(world), format="json")
    assert response.status_code == 201
    decision = SharingDecision.objects.get()
    assert response.json() == {
        "id": str(decision.pk),
        "decision": "share",
        "expires_on": decision.expires_on.isoformat(),
    }
    assert decision.items == ["assessments", "plans", "referrals", "meetings"]
    assert decision.special_condition == "none"
    event = AuditEvent.objects.get(object_id=str(decision.pk))
    assert event.action == AuditAction.SHARE
    assert event.source == "api:api-sharing-decisions"
    assert Notification.objects.get().user == practitioner


def test_a_share_opens_the_items_named(api_for, world, dsl):
    response = api_for(dsl).post(
        DECISIONS,
        body(
            world,
            items=["notifications", "incidents"],
            special_condition="dpa_sch1_18",
            practitioner_id=None,
        ),
        format="json",
    )
    assert response.status_code == 201
    assert SharingDecision.objects.get().items == ["incidents", "notifications"]


def test_a_decision_not_to_share_is_recorded(api_for, world, dsl):
    response = api_for(dsl).post(
        DECISIONS,
        body(world, decision="not_share", reason="No need to know", expires_on=...),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["expires_on"] is None
    assert SharingDecision.objects.get().items == []


def test_missing_purpose_lawful_basis_and_agency_are_each_named(api_for, world, dsl):
    response = api_for(dsl).post(
        DECISIONS, body(world, purpose=..., lawful_basis=..., agency_id=...), format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"purpose", "lawful_basis", "agency_id"} <= set(errors)
    assert response.json()["detail"].startswith("Invalid input:")
    assert not SharingDecision.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"golden_rules_confirmed": False}, "golden_rules_confirmed"),
        ({"golden_rules_confirmed": "true"}, "golden_rules_confirmed"),
        ({"golden_rules_confirmed": ...}, "golden_rules_confirmed"),
        ({"consent": "yes"}, "consent"),
        ({"consent_reason": ...}, "consent_reason"),
        ({"decision": "maybe"}, "decision"),
        ({"expires_on": ...}, "expires_on"),
        ({"expires_on": "tomorrow"}, "expires_on"),
        ({"expires_on": "2027-02-30"}, "expires_on"),
        ({"expires_on": 20270101}, "expires_on"),
        ({"expires_on": "9999-12-31"}, "expires_on"),
        ({"items": "assessments"}, "items"),
        ({"items": [1, 2]}, "items"),
        ({"items": []}, "items"),
        ({"purpose": 42}, "purpose"),
        ({"purpose": "\x00\x00"}, "purpose"),
        ({"agency_id": str(uuid.UUID(int=7))}, "agency_id"),
        ({"agency_id": ["x"]}, "agency_id"),
        ({"practitioner_id": "nobody"}, "practitioner_id"),
        ({"agreement_id": {"id": 1}}, "agreement_id"),
        ({"surprise": True}, "surprise"),
        ({"pupil_id": ...}, "pupil_id"),
        ({"pupil_id": "not-an-id"}, "pupil_id"),
        ({"pupil_id": 12}, "pupil_id"),
    ],
    ids=[
        "golden-rules-false",
        "golden-rules-a-string",
        "golden-rules-missing",
        "unknown-consent",
        "no-reason-for-not-seeking-consent",
        "unknown-decision",
        "share-without-end",
        "end-in-words",
        "end-not-a-real-date",
        "end-a-number",
        "end-far-ahead",
        "items-not-a-list",
        "items-not-strings",
        "share-opening-nothing",
        "purpose-a-number",
        "purpose-only-nul",
        "agency-unknown",
        "agency-a-list",
        "practitioner-not-an-id",
        "agreement-an-object",
        "unknown-key",
        "no-pupil",
        "pupil-not-an-id",
        "pupil-a-number",
    ],
)
def test_bad_input_is_refused_naming_the_field(api_for, world, dsl, overrides, field):
    response = api_for(dsl).post(DECISIONS, body(world, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not SharingDecision.objects.exists()


@pytest.mark.parametrize(
    "payload", ["[]", '"share"', "7", "null"], ids=["list", "string", "number", "null"]
)
def test_a_body_that_is_not_an_object_is_refused(api_for, dsl, payload):
    response = api_for(dsl).post(DECISIONS, payload, content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


@pytest.mark.parametrize(
    "who", ["staff", "outside_officer", "practitioner"], ids=["staff", "outsider", "agency"]
)
def test_outsiders_get_not_found_whatever_else_they_send(api_for, world, request, who):
    client = api_for(request.getfixturevalue(who))
    for sent in (body(world), body(world, purpose=..., golden_rules_confirmed=False)):
        response = client.post(DECISIONS, sent, format="json")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    missing = client.post(DECISIONS, body(world, pupil_id=str(uuid.uuid4())), format="json")
    assert missing.json() == {"detail": "Not found."}
    assert not SharingDecision.objects.exists()


def test_signed_out_is_refused(world):
    assert APIClient().post(DECISIONS, body(world), format="json").status_code in (401, 403)


# Revoking -----------------------------------------------------------------------------------


def test_revoking_answers_when_access_ended(api_for, world, dsl, practitioner):
    decision = decide(dsl, world.pupil_a, world.yot)
    response = api_for(dsl).post(revoke_url(decision.pk), {"reason": "Closed"}, format="json")
    assert response.status_code == 200
    decision.refresh_from_db()
    assert response.json()["id"] == str(decision.pk)
    assert response.json()["revoked_at"] is not None
    assert decision.revoke_reason == "Closed"
    event = AuditEvent.objects.filter(object_id=str(decision.pk)).order_by("-seq").first()
    assert (event.action, event.detail["revoked"]) == (AuditAction.UPDATE, True)
    assert Notification.objects.filter(kind="sharing_revoked", user=practitioner).exists()


def test_revoking_needs_no_body(api_for, world, dsl):
    decision = decide(dsl, world.pupil_a, world.yot)
    assert api_for(dsl).post(revoke_url(decision.pk)).status_code == 200


def test_revoking_twice_is_refused(api_for, world, dsl):
    decision = decide(dsl, world.pupil_a, world.yot)
    client = api_for(dsl)
    assert client.post(revoke_url(decision.pk), {}, format="json").status_code == 200
    again = client.post(revoke_url(decision.pk), {}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"] == {"decision": ["This share has already been revoked"]}


@pytest.mark.parametrize(
    "sent",
    [{"reason": 5}, {"why": "x"}, ["x"], []],
    ids=["reason-a-number", "unknown-key", "a-list", "an-empty-list"],
)
def test_revoking_with_a_bad_body_changes_nothing(api_for, world, dsl, sent):
    decision = decide(dsl, world.pupil_a, world.yot)
    response = api_for(dsl).post(revoke_url(decision.pk), sent, format="json")
    assert response.status_code == 400
    decision.refresh_from_db()
    assert decision.revoked_at is None


def test_others_cannot_revoke(api_for, world, dsl, staff, practitioner, persona):
    decision = decide(dsl, world.pupil_a, world.yot)
    for user in (staff, practitioner, persona(Role.SAFEGUARDING_LEAD, world.school_b)):
        response = api_for(user).post(revoke_url(decision.pk), {}, format="json")
        assert response.status_code == 404
    assert api_for(dsl).post(revoke_url(uuid.uuid4()), {}, format="json").status_code == 404
    assert api_for(dsl).post(f"{DECISIONS}/not-an-id/revoke", {}, format="json").status_code == 404
    decision.refresh_from_db()
    assert decision.revoked_at is None
