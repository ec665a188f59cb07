"""The work-plan API: GET|POST /api/v1/partnerships/<id>/workplan and
POST /api/v1/workplan-actions/<id>/status."""

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.incidents.models import Incident
from saferschools.planning import workplan_services as services
from saferschools.planning.models import (
    ActionProgress,
    CoreAim,
    Target,
    Workplan,
    WorkplanAction,
    WorkplanOutcome,
)
from saferschools.planning.workplan_services import ActionInput, TargetInput

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p, email="olu@police.example")


def url(partnership) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/workplan"


def status_url(action) -> str:
    return f"/api/v1/workplan-actions/{action.pk}/status"


def body(**changes) -> dict:
    outcome = {
        "aim": "behaviour_attendance",
        "text": "Improve behaviour and attendance",
        "partner_roles": [
            {"partner": "Police and education social worker", "role": "Home visits together"}
        ],
        "actions": [
            {
                "description": "Joint work with 10 priority families to improve attendance",
                "owner_email": "OLU@police.example",
                "due_on": "2026-07-17",
            },
            {"description": "Letters home", "owner_name": "Year managers", "due_on": "2026-03-01"},
        ],
        "targets": [
            {
                "description": "Persistent absence among 10 priority families down by a fifth",
                "measure": "Persistent absence among the priority families (%)",
                "baseline": 30,
                "baseline_on": "2025-09-01",
                "target_value": "24",
                "target_on": "2026-07-31",
            }
        ],
    }
    outcome.update(changes)
    return {"year": 2025, "outcomes": [outcome]}


def changes_count() -> int:
    return AuditEvent.objects.exclude(action=AuditAction.VIEW).count()


# Adding outcomes ---------------------------------------------------------------------------------


def test_outcomes_are_added_starting_the_plan(api_for, world, head, officer):
    response = api_for(head).post(url(world.p), body(), format="json")
    assert response.status_code == 201, response.json()
    workplan = Workplan.objects.get()
    outcome = WorkplanOutcome.objects.get()
    joint, letters = WorkplanAction.objects.order_by("description")
    target = Target.objects.get()
    assert response["Location"] == f"/partnerships/{world.p.pk}/work-plan/2025/"
    assert response.json() == {
        "id": str(workplan.pk),
        "partnership_id": str(world.p.pk),
        "year": 2025,
        "year_label": "2025/26",
        "status": "draft",
        "agreed_on": None,
        "outcomes": [
            {
                "id": str(outcome.pk),
                "aim": "behaviour_attendance",
                "text": "Improve behaviour and attendance",
                "partner_roles": [
                    {
                        "partner": "Police and education social worker",
                        "agency_id": None,
                        "role": "Home visits together",
                    }
                ],
                "actions": [
                    {
                        "id": str(letters.pk),
                        "description": "Letters home",
                        "owner_email": None,
                        "owner_name": "Year managers",
                        "due_on": "2026-03-01",
                        "status": "not_started",
                        "overdue": True,
                        "completed_on": None,
                    },
                    {
                        "id": str(joint.pk),
                        "description": "Joint work with 10 priority families to improve attendance",
                        "owner_email": "olu@police.example",
                        "owner_name": None,
                        "due_on": "2026-07-17",
                        "status": "not_started",
                        "overdue": False,
                        "completed_on": None,
                    },
                ],
                "targets": [
                    {
                        "id": str(target.pk),
                        "description": "Persistent absence among 10 priority families down by a fifth",
                        "indicator": None,
                        "measure": "Persistent absence among the priority families (%)",
                        "baseline": 30.0,
                        "baseline_on": "2025-09-01",
                        "target_value": 24.0,
                        "target_on": "2026-07-31",
                        "current": None,
                        "status": "no_figure",
                    }
                ],
            }
        ],
    }
    assert joint.owner == officer
    events = AuditEvent.objects.filter(source="api:api-workplan", action=AuditAction.CREATE)
    assert events.count() == 6
    # A second call adds to the same plan, after the first outcome.
    again = api_for(head).post(
        url(world.p),
        {"outcomes": [{"aim": "safety", "text": "Safer travel", "actions": []}]},
        format="json",
    )
    assert again.status_code == 201
    assert [o["text"] for o in again.json()["outcomes"]] == [
        "Improve behaviour and attendance",
        "Safer travel",
    ]


@pytest.mark.parametrize(
    ("sent", "errors"),
    [
        ([], {"non_field_errors": ["Send a JSON object, not a list"]}),
        ({"year": 2025}, {"outcomes": ["This field is required"]}),
        ({**body(), "extra": 1}, {"extra": ["This field is not expected"]}),
        ({**body(), "year": "2025"}, {"year": ["Give a whole number, not a string"]}),
        ({"year": 2025, "outcomes": []}, {"outcomes": ["Give at least one outcome"]}),
        (
            {"year": 2025, "outcomes": {"aim": "safety"}},
            {"outcomes": ["Give a list, not an object"]},
        ),
        ({"year": 2025, "outcomes": [5]}, {"outcomes[0]": ["Send a JSON object, not a number"]}),
        (
            body(aim="world_peace"),
            {"outcomes[0].aim": ["Choose the core aim the outcome is tied to"]},
        ),
        (body(text=12), {"outcomes[0].text": ["Give a string, not a number"]}),
        (body(colour="red"), {"outcomes[0].colour": ["This field is not expected"]}),
        (
            body(targets=[{**body()["outcomes"][0]["targets"][0], "baseline": None}]),
            {
                "outcomes[0].targets[0].baseline": [
                    "Enter the baseline: the figure when the target was set"
                ]
            },
        ),
        (
            body(targets=[{**body()["outcomes"][0]["targets"][0], "baseline": True}]),
            {"outcomes[0].targets[0].baseline": ["Give a number, not true or false"]},
        ),
        (
            body(targets=[{**body()["outcomes"][0]["targets"][0], "target_on": "31/07/2026"}]),
            {
                "outcomes[0].targets[0].target_on": [
                    "Give a real date as YYYY-MM-DD, for example 2026-07-31"
                ]
            },
        ),
        (
            body(targets=[{**body()["outcomes"][0]["targets"][0], "target_on": "2025-08-01"}]),
            {
                "outcomes[0].targets[0].target_on": [
                    "The target date must be after the baseline date"
                ]
            },
        ),
        (
            body(
                targets=[
                    {
                        **body()["outcomes"][0]["targets"][0],
                        "indicator": "happiness",
                        "measure": None,
                    }
                ]
            ),
            {"outcomes[0].targets[0].indicator": ["Choose an indicator from the catalogue"]},
        ),
        (
            body(
                actions=[
                    {
                        "description": "Patrols",
                        "owner_email": "nobody@example.org",
                        "due_on": "2026-04-01",
                    }
                ]
            ),
            {
                "outcomes[0].actions[0].owner_email": [
                    "Give the e-mail address of an active user who works in the partnership"
                ]
            },
        ),
        (
            body(actions=[{"description": "Patrols", "due_on": "2026-04-01"}]),
            {
                "outcomes[0].actions[0].owner_email": [
                    "Choose who owns the action, or type the name of the person"
                ]
            },
        ),
        (
            body(actions=[{"description": "Patrols", "owner_name": "Me", "due_on": 20260401}]),
            {"outcomes[0].actions[0].due_on": ["Give a date as YYYY-MM-DD, not a number"]},
        ),
        (
            body(partner_roles=[{"partner": "Police", "role": "x", "agency_id": "nope"}]),
            {
                "outcomes[0].partner_roles[0].agency_id": [
                    "Choose an agency of the partnership's area"
                ]
            },
        ),
        (
            body(partner_roles="police"),
            {"outcomes[0].partner_roles": ["Give a list, not a string"]},
        ),
        # Looked up as it is, an address with a NUL byte would fail in PostgreSQL.
        (
            body(
                actions=[
                    {
                        "description": "Patrols",
                        "owner_email": "olu\x00@police.example",
                        "due_on": "2026-04-01",
                    }
                ]
            ),
            {
                "outcomes[0].actions[0].owner_email": [
                    "Give the e-mail address of an active user who works in the partnership"
                ]
            },
        ),
        (
            body(
                targets=[
                    {
                        **body()["outcomes"][0]["targets"][0],
                        "indicator": "patrols\x00",
                        "measure": None,
                    }
                ]
            ),
            {"outcomes[0].targets[0].indicator": ["Choose an indicator from the catalogue"]},
        ),
        # A Decimal, but one whose absolute value overflows.
        (
            body(targets=[{**body()["outcomes"][0]["targets"][0], "baseline": "1e999999999"}]),
            {"outcomes[0].targets[0].baseline": ["Enter the baseline below 1,000,000,000"]},
        ),
    ],
)
def test_bad_input_is_named_by_its_path_and_changes_nothing(
    api_for, world, head, officer, sent, errors
):
    client = api_for(head)
    before = changes_count()
    response = client.post(url(world.p), sent, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert response.json()["detail"].startswith("Invalid input: ")
    assert not Workplan.objects.exists()
    assert changes_count() == before


def test_a_target_without_a_baseline_is_named_by_its_place_among_several(
    api_for, world, head, officer
):
    sent = body()
    complete = sent["outcomes"][0]["targets"][0]
    without = {key: value for key, value in complete.items() if key != "baseline"}
    sent["outcomes"].append(
        {"aim": "safety", "text": "Safer travel", "targets": [complete, without]}
    )
    client = api_for(head)
    before = changes_count()
    response = client.post(url(world.p), sent, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "outcomes[1].targets[1].baseline": [
            "Enter the baseline: the figure when the target was set"
        ]
    }
    assert not Workplan.objects.exists() and not Target.objects.exists()
    assert changes_count() == before


def test_the_agency_of_another_area_is_refused_among_good_outcomes(api_for, world, head, officer):
    sent = body()
    sent["outcomes"].append(
        {
            "aim": "safety",
            "text": "Safer",
            "partner_roles": [{"role": "Patrols", "agency_id": str(world.other_police.pk)}],
        }
    )
    response = api_for(head).post(url(world.p), sent, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "outcomes[1].partner_roles[0].agency_id": ["Choose an agency of the partnership's area"]
    }
    assert not WorkplanOutcome.objects.exists()


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SAFEGUARDING_LEAD, "school_a"),
        (Role.SSP_OFFICER, "p"),
        (Role.SSP_OFFICER, "q"),
        (Role.HEAD_TEACHER, "school_d"),
    ],
)
def test_those_who_do_not_keep_the_plan_get_404_whatever_they_send(
    api_for, world, persona, role, scope
):
    client = api_for(persona(role, getattr(world, scope)))
    for sent in (body(), {"outcomes": 5, "extra": True}):
        response = client.post(url(world.p), sent, format="json")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert not Workplan.objects.exists()


# Reading the plan --------------------------------------------------------------------------------


def test_the_plan_is_read_with_its_progress(api_for, world, head, officer, persona, dsl):
    api_for(head).post(url(world.p), body(), format="json")
    outcome = WorkplanOutcome.objects.get()
    services.workplan_target_add(
        actor=head,
        outcome=outcome,
        data=TargetInput(
            description="Incidents down",
            indicator="incidents",
            baseline=10,
            baseline_on=date(2025, 9, 1),
            target_value=4,
            target_on=date(2026, 7, 31),
        ),
        source="t",
    )
    for day in (2, 3):
        Incident.objects.create(
            school=world.school_a,
            occurred_at=datetime(2026, 2, day, 10, 0, tzinfo=UTC),
            recorded_at=NOW,
            recorded_by=dsl,
            location_kind="on_site",
            category="bullying",
            severity="medium",
            description="Trouble.",
            updated_at=NOW,
            updated_by=dsl,
        )
    # The partnership's officer sees every school's counts in full; a steering member does not.
    full = api_for(officer).get(url(world.p))
    assert full.status_code == 200
    incidents = [t for t in full.json()["outcomes"][0]["targets"] if t["indicator"] == "incidents"]
    assert (incidents[0]["current"], incidents[0]["status"]) == (2.0, "met")
    steering = api_for(persona(Role.STEERING_MEMBER, world.p)).get(url(world.p) + "?year=2025")
    incidents = [
        t for t in steering.json()["outcomes"][0]["targets"] if t["indicator"] == "incidents"
    ]
    assert (incidents[0]["current"], incidents[0]["status"]) == (None, "not_shown")


def test_reading_a_year_without_a_plan_or_a_bad_year(api_for, world, head, officer):
    client = api_for(head)
    response = client.get(url(world.p))
    assert response.status_code == 404
    assert response.json() == {"detail": "No work-plan for 2025/26."}
    response = client.get(url(world.p) + "?year=2019")
    assert response.json() == {"detail": "No work-plan for 2019/20."}
    for bad in ("abc", "-1", "1999", "२०२५", "9" * 5000):
        response = client.get(url(world.p), {"year": bad})
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["year"]


def test_outsiders_may_not_read_the_plan(api_for, world, head, persona):
    api_for(head).post(url(world.p), body(actions=[]), format="json")
    response = api_for(persona(Role.SSP_OFFICER, world.q)).get(url(world.p))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# An action's status ----------------------------------------------------------------------------


@pytest.fixture
def action(world, head, officer):
    workplan = services.workplan_start(actor=head, partnership=world.p, year=2025, source="t")
    outcome = services.workplan_outcome_add(
        actor=head, workplan=workplan, aim=CoreAim.SAFETY, text="Safer travel", source="t"
    )
    return services.workplan_action_add(
        actor=head,
        outcome=outcome,
        data=ActionInput(description="Patrols", owner_id=str(officer.pk), due_on=date(2026, 3, 1)),
        source="t",
    )


def test_the_owner_sets_the_status(api_for, officer, action):
    response = api_for(officer).post(
        status_url(action), {"status": "done", "note": "In place"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": str(action.pk),
        "description": "Patrols",
        "owner_email": "olu@police.example",
        "owner_name": None,
        "due_on": "2026-03-01",
        "status": "done",
        "overdue": False,
        "completed_on": "2026-03-15",
    }
    (progress,) = ActionProgress.objects.all()
    assert (progress.status, progress.note, progress.by) == ("done", "In place", officer)
    event = AuditEvent.objects.filter(object_id=str(action.pk)).last()
    assert event.source == "api:api-workplan-action-status"


def test_a_governor_sets_the_status(api_for, world, persona, action):
    steering = persona(Role.STEERING_MEMBER, world.p)
    response = api_for(steering).post(status_url(action), {"status": "in_progress"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"


@pytest.mark.parametrize(
    ("sent", "errors"),
    [
        (
            {"status": "finished"},
            {"status": ["Choose a status: not_started, in_progress, done, dropped"]},
        ),
        ({"status": 3}, {"status": ["Give a string, not a number"]}),
        ({"status": ["done"]}, {"status": ["Give a string, not a list"]}),
        ({}, {"status": ["This field is required"]}),
        ({"status": "done", "note": 5}, {"note": ["Give a string, not a number"]}),
        ({"status": "done", "owner": "me"}, {"owner": ["This field is not expected"]}),
        ({"status": "dropped"}, {"note": ["Say why the action is dropped"]}),
        ("done", {"non_field_errors": ["Send a JSON object, not a string"]}),
    ],
)
def test_bad_status_input_is_refused(api_for, officer, action, sent, errors):
    response = api_for(officer).post(
        status_url(action), json.dumps(sent), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert not ActionProgress.objects.exists()
    assert WorkplanAction.objects.get().status == "not_started"


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SCHOOL_STAFF, "school_a"),
        (Role.SAFEGUARDING_LEAD, "school_b"),
        (Role.SSP_OFFICER, "q"),
    ],
)
def test_others_may_not_set_the_status(api_for, world, persona, action, role, scope):
    client = api_for(persona(role, getattr(world, scope)))
    for sent in ({"status": "done"}, {"status": 5}):
        response = client.post(status_url(action), sent, format="json")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert WorkplanAction.objects.get().status == "not_started"


def test_an_owner_who_left_the_partnership_may_not_set_the_status(api_for, officer, action):
    client = api_for(officer)
    officer.memberships.all().delete()
    response = client.post(status_url(action), {"status": "done"}, format="json")
    assert response.status_code == 404
    assert WorkplanAction.objects.get().status == "not_started"


def test_the_schema_documents_the_work_plan_endpoints(db):
    document = APIClient().get("/api/v1/schema/?format=json").json()
    plan = document["paths"]["/api/v1/partnerships/{partnership_id}/workplan"]
    assert {"get", "post"} <= set(plan)
    assert any(p["name"] == "year" for p in plan["get"]["parameters"])
    assert "/api/v1/workplan-actions/{action_id}/status" in document["paths"]
    schemas = document["components"]["schemas"]
    assert set(schemas["WorkplanTargetOutput"]["properties"]) == {
        "id",
        "description",
        "indicator",
        "measure",
        "baseline",
        "baseline_on",
        "target_value",
        "target_on",
        "current",
        "status",
    }
    assert "WorkplanTargetInputRequest" in schemas
