"""The referrals API: POST /api/v1/referrals and POST /api/v1/referrals/<id>/status."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from saferschools.api.services import api_token_create
from saferschools.casework import referral_services
from saferschools.casework.models import Referral, ReferralStatus, ReferralUpdate
from saferschools.casework.referral_services import ReferralInput
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.sharing.models import Consent, Decision, LawfulBasis, SharingDecision

pytestmark = pytest.mark.django_db

REFERRALS = "/api/v1/referrals"


def status_url(referral) -> str:
    return f"{REFERRALS}/{referral.pk}/status"


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def grant(pupil, agency, decider, **fields):
    values = {
        "pupil": pupil,
        "school": pupil.school,
        "agency": agency,
        "purpose": "To support the pupil together",
        "information": "Attendance",
        "items": ["referrals"],
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "consent": Consent.GIVEN,
        "golden_rules_confirmed": True,
        "decision": Decision.SHARE,
        "expires_on": timezone.localdate() + timedelta(days=30),
        "decided_by": decider,
        "decided_at": timezone.now(),
    }
    values.update(fields)
    return SharingDecision.objects.create(**values)


def body(world, **changes):
    data = {
        "pupil_id": str(world.pupil_a.pk),
        "agency_id": str(world.yot.pk),
        "reason": "Repeated absence and a new peer group 🙁",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


@pytest.fixture
def referral(world, dsl):
    return referral_services.referral_create(
        actor=dsl,
        pupil=world.pupil_a,
        data=ReferralInput(agency_id=str(world.yot.pk), reason="Reason"),
        source="test",
    )


# Making a referral ---------------------------------------------------------------------------


def test_a_referral_is_made(api_for, world, dsl):
    decision = grant(world.pupil_a, world.yot, dsl)
    response = api_for(dsl).post(
        REFERRALS, body(world, sharing_decision_id=str(decision.pk)), format="json"
    )
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert response.json() == {
        "id": str(referral.pk),
        "status": "sent",
        "service": "youth_offending_team",
    }
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert referral.sharing_decision == decision
    event = AuditEvent.objects.get(object_id=str(referral.pk))
    assert (event.action, event.source) == (AuditAction.CREATE, "api:api-referrals")


def test_the_service_may_be_given(api_for, world, dsl):
    response = api_for(dsl).post(
        REFERRALS, body(world, service="parenting_programme"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["service"] == "parenting_programme"


@pytest.mark.parametrize("who", ["staff", "outside_officer", "practitioner"])
def test_others_get_404_whatever_they_send(api_for, world, request, who, dsl):
    grant(world.pupil_a, world.yot, dsl)
    client = api_for(request.getfixturevalue(who))
    assert client.post(REFERRALS, body(world), format="json").status_code == 404
    response = client.post(REFERRALS, body(world, reason=5, extra=1), format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"pupil_id": ...}, {"pupil_id": ["This field is required"]}),
        ({"pupil_id": 12}, {"pupil_id": ["Give a string, not a number"]}),
        ({"pupil_id": "12"}, {"pupil_id": ["Give the id of a pupil"]}),
        ({"agency_id": ...}, {"agency_id": ["This field is required"]}),
        ({"agency_id": ["x"]}, {"agency_id": ["Give a string, not a list"]}),
        ({"reason": True}, {"reason": ["Give a string, not true or false"]}),
        ({"reason": "   "}, {"reason": ["This cannot be empty"]}),
        ({"reason": "\x00"}, {"reason": ["This cannot be empty"]}),
        (
            {"service": "spa"},
            {
                "service": [
                    "Choose one of: "
                    + ", ".join(
                        [
                            "youth_offending_team",
                            "camhs",
                            "social_care",
                            "education_welfare",
                            "targeted_youth_support",
                            "parenting_programme",
                            "fire_service",
                            "voluntary_services",
                            "other",
                        ]
                    )
                ]
            },
        ),
        (
            {"sharing_decision_id": "x"},
            {"sharing_decision_id": ["Give the id of a sharing decision"]},
        ),
        ({"plan_id": {}}, {"plan_id": ["Give a string, not an object"]}),
        ({"colour": "red"}, {"colour": ["This field is not expected"]}),
        (
            {"agency_id": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"},
            {"agency_id": ["Choose an agency of the school's area"]},
        ),
    ],
    ids=[
        "no pupil",
        "pupil a number",
        "pupil not an id",
        "no agency",
        "agency a list",
        "reason a flag",
        "blank reason",
        "NUL reason",
        "unknown service",
        "decision not an id",
        "plan an object",
        "unknown key",
        "unknown agency",
    ],
)
def test_bad_input_names_the_field(api_for, world, dsl, changes, errors):
    response = api_for(dsl).post(REFERRALS, body(world, **changes), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert not Referral.objects.exists()


@pytest.mark.parametrize("payload", [[], "text", 3, None], ids=["list", "string", "number", "null"])
def test_a_body_that_is_not_an_object_is_400(api_for, dsl, payload):
    response = api_for(dsl).post(REFERRALS, payload, format="json")
    assert response.status_code == 400
    assert "errors" in response.json()


def test_broken_json_is_400(api_for, dsl):
    response = api_for(dsl).post(REFERRALS, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_a_pupil_out_of_reach_is_404(api_for, world, dsl):
    response = api_for(dsl).post(
        REFERRALS, body(world, pupil_id=str(world.pupil_b.pk)), format="json"
    )
    assert response.status_code == 404


def test_get_is_not_allowed(api_for, dsl):
    assert api_for(dsl).get(REFERRALS).status_code == 405


# The answer ----------------------------------------------------------------------------------


def test_the_agency_answers(api_for, world, dsl, practitioner, referral):
    grant(world.pupil_a, world.yot, dsl)
    client = api_for(practitioner)
    response = client.post(status_url(referral), {"status": "accepted"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"id": str(referral.pk), "status": "accepted", "outcome": ""}
    response = client.post(
        status_url(referral), {"status": "completed", "outcome": "Closed well"}, format="json"
    )
    assert response.json() == {
        "id": str(referral.pk),
        "status": "completed",
        "outcome": "Closed well",
    }
    assert ReferralUpdate.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"status": ["This field is required"]}),
        ({"status": 1}, {"status": ["Give a string, not a number"]}),
        ({"status": "sent"}, {"status": ["A referral cannot go back to sent"]}),
        (
            {"status": "completed", "outcome": "x"},
            {"status": ["A referral is completed only once it has been accepted"]},
        ),
        ({"status": "declined"}, {"outcome": ["Enter why the referral was declined"]}),
        (
            {"status": "declined", "outcome": False},
            {"outcome": ["Give a string, not true or false"]},
        ),
        ({"status": "accepted", "why": "x"}, {"why": ["This field is not expected"]}),
    ],
    ids=[
        "no status",
        "status a number",
        "back to sent",
        "completed first",
        "declined without why",
        "outcome a flag",
        "unknown key",
    ],
)
def test_a_bad_answer_names_the_field(api_for, dsl, referral, data, errors):
    response = api_for(dsl).post(status_url(referral), data, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert Referral.objects.get().status == ReferralStatus.SENT


@pytest.mark.parametrize("who", ["staff", "outside_officer", "practitioner"])
def test_others_get_404_for_the_answer(api_for, request, who, referral):
    response = api_for(request.getfixturevalue(who)).post(
        status_url(referral), {"status": "accepted"}, format="json"
    )
    assert response.status_code == 404
    assert Referral.objects.get().status == ReferralStatus.SENT


def test_an_unknown_or_malformed_referral_is_404(api_for, dsl):
    client = api_for(dsl)
    missing = f"{REFERRALS}/9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d/status"
    assert client.post(missing, {"status": "accepted"}, format="json").status_code == 404
    assert client.post(f"{REFERRALS}/nope/status", {}, format="json").status_code == 404
