"""The evaluation API: POST /api/v1/evaluations and GET /api/v1/evaluations/<id>."""

import uuid

import pytest
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.outcomes.models import Evaluation

from .evaluation_world import evaluation_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/evaluations"


@pytest.fixture
def figures(world):
    return evaluation_world(world)


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


def body(world, **fields) -> dict:
    return {"partnership_id": str(world.p.pk), "indicator": "persistent_absence", **fields}


def refused(client, data, format="json") -> dict:
    events = AuditEvent.objects.count()
    response = client.post(URL, data, format=format)
    assert response.status_code == 400, response.content
    assert not Evaluation.objects.exists()
    assert AuditEvent.objects.count() == events
    return response.json()


def test_an_evaluation_is_made_and_read(api_for, world, figures, analyst, persona):
    client = api_for(analyst)
    response = client.post(URL, body(world), format="json")
    assert response.status_code == 201, response.json()
    made = response.json()
    evaluation = Evaluation.objects.get()
    assert response["Location"] == f"/evaluations/{evaluation.pk}/"
    assert made["id"] == str(evaluation.pk)
    assert made["estimate"] == pytest.approx(evaluation.estimate)
    for key in ("std_error", "ci_low", "ci_high", "p_value"):
        assert isinstance(made[key], float)
    assert made["treated_urns"] == [world.school_b.urn, world.school_a.urn]
    assert len(made["comparison_urns"]) == 5
    assert made["periods"][0] == "2018/19" and made["periods"][-1] == "2024/25"
    assert made["comparison_chosen"] == "automatic"
    assert made["caveats"] == evaluation.caveats
    event = AuditEvent.objects.get(object_id=str(evaluation.pk))
    assert event.action == AuditAction.CREATE and event.source == "api:api-evaluations"

    # Anyone who reaches the partnership reads it; an outsider may not.
    officer = persona(Role.SSP_OFFICER, world.p)
    assert api_for(officer).get(f"{URL}/{evaluation.pk}").json() == made
    outsider = persona(Role.LA_ANALYST, world.other_area)
    assert api_for(outsider).get(f"{URL}/{evaluation.pk}").status_code == 404
    assert api_for(outsider).get(f"{URL}/{uuid.uuid4()}").status_code == 404


def test_given_comparison_schools(api_for, world, figures, analyst):
    urns = [school.urn for school in figures.secondaries]
    response = api_for(analyst).post(URL, body(world, comparison_urns=urns), format="json")
    assert response.status_code == 201
    assert response.json()["comparison_urns"] == urns
    assert response.json()["comparison_chosen"] == "edited"


def test_a_comparison_school_in_the_partnership_is_a_400(api_for, world, figures, analyst):
    answer = refused(api_for(analyst), body(world, comparison_urns=[world.school_b.urn]))
    assert answer == {
        "detail": "Invalid input: comparison_urns.",
        "errors": {
            "comparison_urns": [
                f"Langshott Primary ({world.school_b.urn}) is one of the partnership's own "
                "schools: a comparison school must be outside it"
            ]
        },
    }


def test_no_period_before_the_start_is_a_400_on_the_indicator(api_for, world, figures, analyst):
    world.p.started_on = world.p.started_on.replace(year=2017)
    world.p.save()
    answer = refused(api_for(analyst), body(world))
    assert list(answer["errors"]) == ["indicator"]
    assert (
        "from before the partnership began on 1 September 2017" in answer["errors"]["indicator"][0]
    )


MISSING = object()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"partnership_id": MISSING}, "partnership_id"),
        ({"partnership_id": "not-a-uuid"}, "partnership_id"),
        ({"partnership_id": 12}, "partnership_id"),
        ({"indicator": MISSING}, "indicator"),
        ({"indicator": ["persistent_absence"]}, "indicator"),
        ({"indicator": "x" * 5000}, "indicator"),
        ({"indicator": "nul\u0000"}, "indicator"),
        ({"indicator": "incidents"}, "indicator"),
        ({"comparison_urns": "125273"}, "comparison_urns"),
        ({"comparison_urns": [1e300]}, "comparison_urns"),
        ({"comparison_urns": [10**40]}, "comparison_urns"),
        ({"comparison_urns": [None]}, "comparison_urns"),
        ({"comparison_urns": [{"urn": 1}]}, "comparison_urns"),
        ({"comparison_urns": []}, "comparison_urns"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    api_for, world, figures, analyst, changes, field
):
    data = body(world, **changes)
    data = {key: value for key, value in data.items() if value is not MISSING}
    answer = refused(api_for(analyst), data)
    assert list(answer["errors"]) == [field]


def test_bodies_that_are_not_an_object(api_for, world, figures, analyst):
    client = api_for(analyst)
    assert refused(client, [1, 2])["errors"] == {
        "non_field_errors": ["Send a JSON object, not a list"]
    }
    response = client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    huge = (
        '{"partnership_id": "%s", "indicator": "persistent_absence", "comparison_urns": [1e999999]}'
    )
    response = client.post(URL, huge % world.p.pk, content_type="application/json")
    assert response.status_code == 400
    assert not Evaluation.objects.exists()


def test_a_partnership_out_of_reach_is_a_404(api_for, world, figures, persona):
    outsider = persona(Role.LA_ANALYST, world.other_area)
    response = api_for(outsider).post(URL, body(world), format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    missing = api_for(outsider).post(
        URL, body(world, partnership_id=str(uuid.uuid4())), format="json"
    )
    assert missing.status_code == 404
    assert not Evaluation.objects.exists()


def test_a_reader_who_may_not_evaluate_gets_a_404(api_for, world, figures, persona):
    for reader in (persona(Role.SSP_OFFICER, world.p), persona(Role.SCHOOL_STAFF, world.school_a)):
        response = api_for(reader).post(URL, body(world), format="json")
        assert response.status_code == 404
    assert not Evaluation.objects.exists()


def test_the_governors_and_police_supervisors_may_evaluate(api_for, world, figures, persona):
    head = persona(Role.HEAD_TEACHER, world.school_a)
    assert api_for(head).post(URL, body(world), format="json").status_code == 201
    supervisor = persona(Role.POLICE_SUPERVISOR, world.police)
    assert api_for(supervisor).post(URL, body(world), format="json").status_code == 201


def test_signed_out_is_refused(world, figures):
    assert APIClient().post(URL, body(world), format="json").status_code in (401, 403)


def test_the_schema_documents_the_evaluation_endpoints(db):
    document = APIClient().get("/api/v1/schema/?format=json").json()
    assert "post" in document["paths"]["/api/v1/evaluations"]
    assert "get" in document["paths"]["/api/v1/evaluations/{evaluation_id}"]
    schemas = document["components"]["schemas"]
    assert {
        "id",
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_value",
        "treated_urns",
        "comparison_urns",
        "periods",
    } <= set(schemas["EvaluationOutput"]["properties"])
    assert set(schemas["EvaluationInputRequest"]["properties"]) == {
        "partnership_id",
        "indicator",
        "comparison_urns",
    }
