"""The risk-factor catalogue and pupils' risk assessments over the API."""

from datetime import date

import pytest
import time_machine
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.casework.models import RiskAssessment, RiskFactor
from saferschools.casework.tests.test_assessment_helpers import assess, make_grant
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.sharing.models import SharedItem

pytestmark = pytest.mark.django_db

FACTORS = "/api/v1/risk-factors"
FROZEN = "2026-03-04 10:00:00+00:00"
ASSESSMENT_KEYS = {
    "id",
    "level",
    "level_reason",
    "assessed_at",
    "assessed_by",
    "review_on",
    "notes",
    "factors",
}


def assessments_url(pupil) -> str:
    return f"/api/v1/pupils/{pupil.pk}/risk-assessments"


def present(code: str, evidence: str = "Attendance 78%", source: str = "Attendance records"):
    return {"code": code, "evidence": evidence, "source": source}


@pytest.fixture
def api_for():
    """An APIClient that acts as ``user`` through a new API token."""

    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


# The catalogue


def test_the_catalogue_lists_code_domain_and_name_in_domain_order(api_for, dsl, world):
    RiskFactor.objects.create(
        area=world.area, code="young_carer", domain="family", name="Carer", position=100
    )
    RiskFactor.objects.create(
        area=world.area, code="old_one", domain="family", name="Retired", active=False
    )
    RiskFactor.objects.create(
        area=world.other_area, code="ferry_port", domain="community", name="Ferry"
    )
    response = api_for(dsl).get(FACTORS)
    assert response.status_code == 200
    body = response.json()
    assert body[0] == {
        "code": "disadvantaged_neighbourhood",
        "domain": "community",
        "name": "Living in a disadvantaged neighbourhood",
    }
    codes = [item["code"] for item in body]
    assert codes.index("young_carer") == codes.index("domestic_violence") + 1
    assert "old_one" not in codes and "ferry_port" not in codes
    domains = [item["domain"] for item in body]
    assert domains == sorted(
        domains, key=["community", "family", "individual", "school", "other"].index
    )


def test_the_catalogue_needs_a_sign_in(world):
    assert APIClient().get(FACTORS).status_code in (401, 403)


# Recording


@time_machine.travel(FROZEN, tick=False)
def test_recording_answers_201_with_id_and_level(api_for, dsl, world):
    response = api_for(dsl).post(
        assessments_url(world.pupil_a),
        {
            "factors": [present("lack_of_commitment"), present("family_conflict")],
            "notes": "Mentor offered",
            "review_on": "2026-04-01",
        },
        format="json",
    )
    assert response.status_code == 201
    assessment = RiskAssessment.objects.get()
    assert response.json() == {"id": str(assessment.pk), "level": "medium"}
    assert assessment.review_on == date(2026, 4, 1)
    assert assessment.factors.count() == 2
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(assessment.pk), source__startswith="api:"
    ).exists()


def test_no_factors_records_a_low(api_for, dsl, world):
    response = api_for(dsl).post(assessments_url(world.pupil_a), {"factors": []}, format="json")
    assert response.status_code == 201
    assert response.json()["level"] == "low"


def test_a_serious_factor_records_a_high(api_for, dsl, world):
    response = api_for(dsl).post(
        assessments_url(world.pupil_a), {"factors": [present("gang_member")]}, format="json"
    )
    assert response.json()["level"] == "high"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param({}, {"factors"}, id="factors-missing"),
        pytest.param({"factors": "low_income"}, {"factors"}, id="factors-not-a-list"),
        pytest.param({"factors": [], "extra": 1}, {"extra"}, id="unknown-key"),
        pytest.param(
            {"factors": [present("low_income"), {"code": "alienation", "source": "Police"}]},
            {"factors[1].evidence"},
            id="evidence-missing",
        ),
        pytest.param(
            {"factors": [present("low_income"), present("nope"), present("low_income")]},
            {"factors[1].code", "factors[2].code"},
            id="unknown-and-repeated-codes",
        ),
        pytest.param(
            {"factors": [{"code": 7, "evidence": ["x"], "source": None, "why": "x"}]},
            {"factors[0].code", "factors[0].evidence", "factors[0].why"},
            id="wrong-types",
        ),
        pytest.param({"factors": ["low_income"]}, {"factors[0]"}, id="factor-not-an-object"),
        pytest.param({"factors": [], "notes": 5}, {"notes"}, id="notes-not-text"),
        pytest.param({"factors": [], "review_on": "2026-02-30"}, {"review_on"}, id="bad-date"),
        pytest.param({"factors": [], "review_on": "2020-01-01"}, {"review_on"}, id="past-date"),
        pytest.param({"factors": [], "review_on": 20260401}, {"review_on"}, id="date-number"),
        pytest.param(
            {"factors": [present("low_income", evidence="x" * 2001)]},
            {"factors[0].evidence"},
            id="evidence-too-long",
        ),
    ],
)
def test_bad_input_is_400_naming_each_field_and_stores_nothing(api_for, dsl, world, body, errors):
    response = api_for(dsl).post(assessments_url(world.pupil_a), body, format="json")
    assert response.status_code == 400
    answer = response.json()
    assert set(answer["errors"]) == errors
    assert answer["detail"].startswith("Invalid input: ")
    assert not RiskAssessment.objects.exists()


def test_a_body_that_is_not_an_object_is_400(api_for, dsl, world):
    response = api_for(dsl).post(assessments_url(world.pupil_a), [1, 2], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


@pytest.mark.parametrize("who", ["staff", "outside_officer", "practitioner"])
def test_others_get_404_for_recording(api_for, world, request, who):
    response = api_for(request.getfixturevalue(who)).post(
        assessments_url(world.pupil_a), {"factors": "nonsense"}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not RiskAssessment.objects.exists()


def test_a_practitioner_with_a_grant_reads_but_cannot_record(api_for, dsl, practitioner, world):
    make_grant(world.pupil_a, world.yot, by=dsl)
    client = api_for(practitioner)
    assert client.get(assessments_url(world.pupil_a)).status_code == 200
    response = client.post(assessments_url(world.pupil_a), {"factors": []}, format="json")
    assert response.status_code == 404
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/pupils/not-a-uuid/risk-assessments",
        "/api/v1/pupils/00000000-0000-0000-0000-000000000000/risk-assessments",
    ],
)
def test_malformed_and_unknown_pupils_are_404(api_for, dsl, path):
    client = api_for(dsl)
    assert client.get(path).status_code == 404
    response = client.post(path, {"factors": []}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# Reading


def test_the_list_is_newest_first_with_factors_and_audited(api_for, dsl, world):
    with time_machine.travel("2026-01-05 09:00:00+00:00", tick=False):
        first = assess(world.pupil_a, dsl, "low_income", review_on=date(2026, 2, 1))
    with time_machine.travel("2026-02-05 09:00:00+00:00", tick=False):
        second = assess(world.pupil_a, dsl, "gang_member", notes="From the police")
    response = api_for(dsl).get(assessments_url(world.pupil_a))
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body] == [str(second.pk), str(first.pk)]
    assert set(body[0]) == ASSESSMENT_KEYS
    assert body[0]["level"] == "high"
    assert body[0]["level_reason"] == "High: a serious factor is present (Known gang member)."
    assert body[0]["notes"] == "From the police"
    assert body[0]["review_on"] is None
    assert body[1]["review_on"] == "2026-02-01"
    assert body[0]["assessed_by"] == {"id": str(dsl.pk), "name": dsl.full_name}
    assert body[0]["assessed_at"].startswith("2026-02-05T09:00:00")
    assert body[0]["factors"] == [
        {
            "code": "gang_member",
            "domain": "other",
            "name": "Known gang member",
            "evidence": "Seen by staff",
            "source": "School records",
        }
    ]
    listed = AuditEvent.objects.filter(action=AuditAction.VIEW, detail__listing=True)
    assert {event.object_id for event in listed} == {str(first.pk), str(second.pk)}


def test_a_practitioners_reads_are_audited_naming_the_grant(api_for, dsl, practitioner, world):
    assessment = assess(world.pupil_a, dsl, "low_income")
    grant = make_grant(world.pupil_a, world.yot, by=dsl)
    response = api_for(practitioner).get(assessments_url(world.pupil_a))
    assert [item["id"] for item in response.json()] == [str(assessment.pk)]
    events = AuditEvent.objects.filter(action=AuditAction.VIEW, actor_id=practitioner.pk)
    assert {event.object_id for event in events} == {str(assessment.pk), str(world.pupil_a.pk)}
    assert all(event.detail.get("grant") == str(grant.pk) for event in events)


@pytest.mark.parametrize("who", ["staff", "outside_officer", "practitioner"])
def test_others_get_404_for_the_list(api_for, dsl, world, request, who):
    assess(world.pupil_a, dsl, "low_income")
    response = api_for(request.getfixturevalue(who)).get(assessments_url(world.pupil_a))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_grant_without_assessments_is_404_for_the_list(api_for, dsl, practitioner, world):
    make_grant(world.pupil_a, world.yot, by=dsl, items=[SharedItem.PLANS])
    assert api_for(practitioner).get(assessments_url(world.pupil_a)).status_code == 404


def test_an_officer_of_the_partnership_reads_and_records(api_for, world, persona):
    officer = persona(Role.SSP_OFFICER, world.p)
    client = api_for(officer)
    response = client.post(assessments_url(world.pupil_b), {"factors": []}, format="json")
    assert response.status_code == 201
    assert len(client.get(assessments_url(world.pupil_b)).json()) == 1
