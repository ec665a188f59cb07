"""GET /api/v1/areas/<id>/prioritisation: the ranking, weights, filters, bad input, who may
ask, the schema, and the same over real HTTP."""

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditEvent
from saferschools.planning import prioritisation as pr
from saferschools.planning.models import PriorityWeighting
from saferschools.testing.factories import (
    AreaFactory,
    MembershipFactory,
    PartnershipFactory,
    PartnershipSchoolFactory,
    SchoolFactory,
    UserFactory,
)

from .test_prioritisation import deprived, incidents, published, reports

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def url(area) -> str:
    return f"/api/v1/areas/{area.pk}/prioritisation"


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


@pytest.fixture
def figures(world):
    with time_machine.travel(NOW, tick=False):
        published(world.school_a, "persistent_absence", "20.0")
        published(world.school_b, "persistent_absence", "10.0")
        published(world.school_c, "persistent_absence", "15.0")
        deprived(world.school_c, 10)
        deprived(world.school_e, 30000)
        reports(world.school_a, 3)
        incidents(world.school_c, 9, UserFactory())
        yield


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_frozen")]


@pytest.mark.usefixtures("figures")
def test_every_school_is_ranked_highest_need_first(api_for, world, analyst):
    response = api_for(analyst).get(url(world.area))

    assert response.status_code == 200
    rows = response.json()
    assert [(row["name"], row["score"], row["rank"]) for row in rows] == [
        ("Woking High", 83.3, 1),
        ("Oakwood School", 63.9, 2),
        ("Langshott Primary", 0.0, 3),
        ("Unpartnered School", 0.0, 3),
    ]
    woking = rows[0]
    assert woking["urn"] == world.school_c.urn
    assert woking["phase"] == "Secondary"
    assert woking["local_authority"] == "Surrey"
    assert woking["partnership"] == "Woking SSP"
    assert woking["components"] == {
        "overall_absence": None,
        "persistent_absence": 16.7,
        "suspension_rate": None,
        "permanent_exclusion_rate": None,
        "deprivation": 33.3,
        "crime_nearby": None,
        "reports_incidents": 33.3,
    }
    assert woking["values"] == {
        "overall_absence": None,
        "persistent_absence": 15.0,
        "suspension_rate": None,
        "permanent_exclusion_rate": None,
        "deprivation": 10.0,
        "crime_nearby": None,
        "reports_incidents": 1.0,
    }
    assert woking["small"] == []
    assert woking["indicators_scored"] == 3
    assert rows[3]["partnership"] is None
    # In no partnership, with nothing recorded: deprivation is its only figure.
    assert rows[3]["indicators_scored"] == 1
    assert rows[3]["components"]["reports_incidents"] is None


@pytest.mark.usefixtures("figures")
def test_a_small_count_is_null_and_named_as_small(api_for, world, analyst):
    rows = api_for(analyst).get(url(world.area)).json()

    oakwood = next(row for row in rows if row["name"] == "Oakwood School")
    assert oakwood["values"]["reports_incidents"] is None
    assert oakwood["small"] == ["reports_incidents"]
    assert oakwood["components"]["reports_incidents"] is not None


@pytest.mark.usefixtures("figures")
def test_weights_given_are_the_whole_set(api_for, world, analyst):
    response = api_for(analyst).get(url(world.area), {"weights": "deprivation:2"})

    rows = response.json()
    assert [(row["name"], row["score"], row["rank"]) for row in rows] == [
        ("Woking High", 100.0, 1),
        ("Unpartnered School", 0.0, 2),
        ("Langshott Primary", None, None),
        ("Oakwood School", None, None),
    ]
    assert rows[0]["components"]["persistent_absence"] == 0.0


@pytest.mark.usefixtures("figures")
def test_without_weights_the_users_saved_ones_are_used(api_for, world, analyst):
    pr.priority_weights_save(
        actor=analyst,
        area=world.area,
        weights=pr.weights_parse("persistent_absence:1"),
        source="test",
    )

    rows = api_for(analyst).get(url(world.area)).json()

    assert [row["name"] for row in rows][:3] == [
        "Oakwood School",
        "Woking High",
        "Langshott Primary",
    ]


@pytest.mark.usefixtures("figures")
@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"phase": "Primary"}, ["Langshott Primary"]),
        ({"in_partnership": "false"}, ["Unpartnered School"]),
        (
            {"in_partnership": "true", "local_authority": "Surrey"},
            ["Woking High", "Oakwood School", "Langshott Primary"],
        ),
    ],
)
def test_filters_choose_the_schools_without_changing_scores(api_for, world, analyst, query, names):
    client = api_for(analyst)
    everyone = {row["name"]: row for row in client.get(url(world.area)).json()}

    rows = client.get(url(world.area), query).json()

    assert [row["name"] for row in rows] == names
    assert all(row == everyone[row["name"]] for row in rows)


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            {"weights": "deprivation:lots"},
            {"weights": ["The weight of deprivation must be a number, like 2 or 0.5"]},
        ),
        (
            {"weights": "wealth:1,deprivation:-1"},
            {
                "weights": [
                    "Unknown indicator 'wealth': give one of " + ", ".join(pr.CODES),
                    "The weight of deprivation must be 0 or more",
                ]
            },
        ),
        ({"weights": ""}, {"weights": ["Give at least one indicator a weight above 0"]}),
        ({"weights": "x" * 1001}, {"weights": ["Give at most 1000 characters"]}),
        ({"phase": "Nursery"}, {"phase": ["Give one of the area's: Primary, Secondary"]}),
        ({"local_authority": "Kent"}, {"local_authority": ["Give one of the area's: Surrey"]}),
        ({"in_partnership": "yes"}, {"in_partnership": ["Give true or false"]}),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_for, world, analyst, query, errors):
    response = api_for(analyst).get(url(world.area), query)

    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert response.json()["detail"] == f"Invalid input: {', '.join(errors)}."
    assert not PriorityWeighting.objects.exists()


@pytest.mark.parametrize(
    "role_scope",
    [
        ("la_analyst", "area"),
        ("police_supervisor", "police"),
        ("area_admin", "area"),
    ],
)
def test_those_who_rank_the_area_may_ask(api_for, world, persona, role_scope):
    role, scope = role_scope
    user = persona(role, getattr(world, scope))

    assert api_for(user).get(url(world.area)).status_code == 200


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SAFEGUARDING_LEAD, "school_a"),
        (Role.HEAD_TEACHER, "school_a"),
        (Role.SSP_OFFICER, "p"),
        (Role.STEERING_MEMBER, "p"),
        (Role.AGENCY_PRACTITIONER, "yot"),
        (Role.LA_ANALYST, "other_area"),
        (Role.POLICE_SUPERVISOR, "other_police"),
    ],
)
def test_others_get_404_whatever_they_send(api_for, world, persona, role, scope):
    client = api_for(persona(role, getattr(world, scope)))

    for query in ({}, {"weights": "nonsense"}):
        response = client.get(url(world.area), query)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_an_unknown_area_is_404(api_for, analyst):
    response = api_for(analyst).get(
        "/api/v1/areas/00000000-0000-0000-0000-000000000000/prioritisation"
    )

    assert response.status_code == 404


def test_signing_in_comes_first(world):
    assert APIClient().get(url(world.area)).status_code in (401, 403)


def test_reading_writes_nothing(api_for, world, analyst):
    client = api_for(analyst)
    before = AuditEvent.objects.count()

    assert client.post(url(world.area), {}, format="json").status_code == 405
    assert client.get(url(world.area), {"weights": "deprivation:1"}).status_code == 200
    assert AuditEvent.objects.count() == before
    assert not PriorityWeighting.objects.exists()


def test_the_schema_describes_the_endpoint(db):
    document = APIClient().get("/api/v1/schema/?format=json").json()

    operation = document["paths"]["/api/v1/areas/{area_id}/prioritisation"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "area_id",
        "weights",
        "phase",
        "local_authority",
        "in_partnership",
    }
    assert {"200", "400", "404"} <= set(operation["responses"])
    schema = document["components"]["schemas"]["PrioritisedSchoolOutput"]
    assert {"urn", "name", "score", "rank", "components"} <= set(schema["properties"])


def test_the_ranking_costs_the_same_queries_however_many_schools(
    api_for, world, analyst, django_assert_max_num_queries
):
    client = api_for(analyst)
    for index in range(30):
        school = SchoolFactory(area=world.area)
        published(school, "overall_absence", f"{index}.0")

    with django_assert_max_num_queries(16):
        assert client.get(url(world.area)).status_code == 200


# Over real HTTP --------------------------------------------------------------------------------


def call(address: str, key: str) -> tuple[int, object]:
    request = urllib.request.Request(  # noqa: S310
        address, headers={"Accept": "application/json", "Authorization": f"Token {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_ranking_over_http(live_server):
    area = AreaFactory(name="Surrey")
    partnership = PartnershipFactory(area=area, name="Horley SSP")
    high = SchoolFactory(area=area, name="Oakwood School")
    low = SchoolFactory(area=area, name="Langshott Primary", phase="Primary")
    PartnershipSchoolFactory(partnership=partnership, school=high)
    published(high, "overall_absence", "9.5")
    published(low, "overall_absence", "4.5")
    analyst = UserFactory()
    MembershipFactory(user=analyst, role=Role.LA_ANALYST, area=area)
    outsider = UserFactory()
    MembershipFactory(user=outsider, role=Role.LA_ANALYST, area=AreaFactory())
    _, key = api_token_create(actor=None, user=analyst, name="http", source="test")
    _, other_key = api_token_create(actor=None, user=outsider, name="http", source="test")
    address = f"{live_server.url}/api/v1/areas/{area.pk}/prioritisation"

    status, body = call(f"{address}?weights=overall_absence:1,deprivation:0.5", key)
    assert status == 200
    assert isinstance(body, list)
    assert [(row["name"], row["score"], row["rank"]) for row in body] == [
        ("Oakwood School", 100.0, 1),
        ("Langshott Primary", 0.0, 2),
    ]
    assert body[0]["partnership"] == "Horley SSP"

    status, body = call(f"{address}?weights=overall_absence:abc&in_partnership=true", key)
    assert status == 400
    assert body == {
        "detail": "Invalid input: weights.",
        "errors": {"weights": ["The weight of overall_absence must be a number, like 2 or 0.5"]},
    }

    status, body = call(f"{address}?in_partnership=false", key)
    assert [row["name"] for row in body] == ["Langshott Primary"]

    status, body = call(address, other_key)
    assert (status, body) == (404, {"detail": "Not found."})
