"""The incidents API: categories, recording, the list and the detail, and a school's places."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.incidents import services
from saferschools.incidents.models import (
    Incident,
    IncidentCategory,
    IncidentParty,
    Place,
    PlaceKind,
)
from saferschools.testing.factories import PupilFactory, UserFactory, submit_report

pytestmark = pytest.mark.django_db

CATEGORIES = "/api/v1/incident-categories"
INCIDENTS = "/api/v1/incidents"

LIST_KEYS = {
    "id",
    "school_urn",
    "occurred_at",
    "location_kind",
    "place_id",
    "category",
    "severity",
    "critical",
    "parties",
}
DETAIL_KEYS = (LIST_KEYS - {"parties"}) | {
    "flagged_critical",
    "description",
    "parties",
    "actions",
    "police_action",
    "report_id",
    "version",
    "recorded_by",
    "recorded_at",
    "updated_at",
}
PLACE_KEYS = {"id", "name", "kind", "location_kind", "latitude", "longitude", "plan_x", "plan_y"}


def places_url(school) -> str:
    return f"/api/v1/schools/{school.urn}/places"


def incident_url(incident) -> str:
    return f"{INCIDENTS}/{incident.pk}"


def ago(**delta: float) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


@pytest.fixture
def api_for():
    """An APIClient that acts as ``user`` through a new API token."""

    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def officer(world, persona):
    """The SSP officer of partnership P (schools A and B)."""
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def supervisor(world, persona):
    return persona(Role.POLICE_SUPERVISOR, world.area)


@pytest.fixture
def gate(world, dsl):
    """A zone of school A's site."""
    return services.place_create(
        actor=dsl, school=world.school_a, name="Main gate", kind="site_zone", source="test"
    )


def good(world, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "school_urn": world.school_a.urn,
        "occurred_at": ago(hours=2),
        "location_kind": "on_site",
        "category": "assault",
        "severity": "medium",
        "description": "A year 9 pupil was pushed over by the lockers 🙁",
        "parties": [
            {"role": "victim", "pupil_id": str(world.pupil_a.pk)},
            {"role": "witness", "description": "Parent waiting at the gate"},
        ],
    }
    data.update(changes)
    return data


def record(user, world, **changes: Any) -> Incident:
    """An incident recorded through the service, as the web form records one."""
    values: dict[str, Any] = {
        "occurred_at": timezone.now() - timedelta(hours=1),
        "location_kind": "on_site",
        "category": "theft",
        "severity": "low",
        "description": "A phone was taken from a bag in the changing room.",
    }
    values.update(changes)
    return services.incident_record(
        actor=user,
        school=changes.pop("school", world.school_a),
        data=services.IncidentInput(**{k: v for k, v in values.items() if k != "school"}),
        source="test",
    )


def outsider_of(kind: str, world, persona):
    if kind == "officer_of_q":
        return persona(Role.SSP_OFFICER, world.q)
    if kind == "practitioner":
        return persona(Role.AGENCY_PRACTITIONER, world.yot)
    if kind == "dsl_of_b":
        return persona(Role.SAFEGUARDING_LEAD, world.school_b)
    if kind == "police_supervisor":
        return persona(Role.POLICE_SUPERVISOR, world.area)
    if kind == "area_admin":
        return persona(Role.AREA_ADMIN, world.area)
    if kind == "other_area_officer":
        return persona(Role.SSP_OFFICER, world.r)
    if kind == "no_membership":
        return UserFactory()
    raise AssertionError(kind)


OUTSIDER_KINDS = [
    "officer_of_q",
    "practitioner",
    "dsl_of_b",
    "police_supervisor",
    "area_admin",
    "other_area_officer",
    "no_membership",
]


@pytest.fixture(params=OUTSIDER_KINDS)
def outsider(request, world, persona):
    """Someone who neither works at school A nor oversees its incidents."""
    return outsider_of(request.param, world, persona)


def assert_bad(response, *fields: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert set(body["errors"]) == set(fields)
    for field in fields:
        assert field in body["detail"]
        assert all(isinstance(m, str) and m for m in body["errors"][field])


def assert_nothing_recorded() -> None:
    assert not Incident.objects.exists()
    assert not IncidentParty.objects.exists()
    assert not Notification.objects.filter(kind="incident_critical").exists()
    assert not AuditEvent.objects.filter(object_type="incidents.incident").exists()


# GET /api/v1/incident-categories


def test_categories_list_every_code_with_its_name(api_for, staff):
    response = api_for(staff).get(CATEGORIES)

    assert response.status_code == 200
    categories = response.json()
    assert [c["code"] for c in categories] == IncidentCategory.values
    assert all(set(c) == {"code", "name"} for c in categories)
    assert {"code": "weapon_found", "name": "Weapon found"} in categories
    assert {"code": "theft", "name": "Theft"} in categories


@pytest.mark.parametrize("kind", OUTSIDER_KINDS)
def test_categories_are_for_any_signed_in_user(api_for, world, persona, kind):
    response = api_for(outsider_of(kind, world, persona)).get(CATEGORIES)

    assert response.status_code == 200
    assert len(response.json()) == len(IncidentCategory.values)


# POST /api/v1/incidents


@pytest.mark.parametrize("who", ["staff", "dsl", "head", "officer"])
def test_anyone_who_works_at_the_school_records_an_incident(api_for, world, request, who):
    user = request.getfixturevalue(who)
    data = good(
        world,
        actions={
            "restorative_approach": True,
            "restorative_outcome": "Apology accepted",
            "sanction": "Lunchtime detention",
            "advice": "Talked about keeping hands to yourself",
            "referral": "",
        },
        police_action="words_of_advice",
    )

    response = api_for(user).post(INCIDENTS, data, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id"}
    incident = Incident.objects.get()
    assert body["id"] == str(incident.pk)
    assert response["Location"] == incident_url(incident)
    assert incident.school == world.school_a
    assert incident.recorded_by == user
    assert (incident.location_kind, incident.category, incident.severity) == (
        "on_site",
        "assault",
        "medium",
    )
    assert incident.description == data["description"]
    assert incident.restorative_approach is True
    assert incident.restorative_outcome == "Apology accepted"
    assert incident.sanction == "Lunchtime detention"
    assert incident.advice == "Talked about keeping hands to yourself"
    assert incident.referral == ""
    assert incident.police_action == "words_of_advice"
    assert incident.flagged_critical is False
    parties = sorted(incident.parties.all(), key=lambda p: p.role)
    assert [(p.role, p.pupil, p.description) for p in parties] == [
        ("victim", world.pupil_a, ""),
        ("witness", None, "Parent waiting at the gate"),
    ]
    event = AuditEvent.objects.get(object_id=str(incident.pk), action=AuditAction.CREATE)
    assert event.actor_id == user.pk
    assert event.source == "api:api-incidents"
    assert not Notification.objects.exists()


def test_the_least_an_incident_needs(api_for, world, staff):
    data = good(world)
    del data["parties"]

    response = api_for(staff).post(INCIDENTS, data, format="json")

    assert response.status_code == 201
    incident = Incident.objects.get()
    assert not incident.parties.exists()
    assert incident.place is None
    assert incident.report is None
    assert incident.police_action == "none"
    assert (incident.restorative_approach, incident.sanction) == (False, "")


def test_optional_fields_may_be_null(api_for, world, staff):
    data = good(
        world,
        place_id=None,
        report_id=None,
        police_action=None,
        flagged_critical=None,
        actions=None,
        parties=[{"role": "other", "pupil_id": None, "description": "A delivery driver"}],
    )

    response = api_for(staff).post(INCIDENTS, data, format="json")

    assert response.status_code == 201
    party = IncidentParty.objects.get()
    assert (party.role, party.pupil, party.description) == ("other", None, "A delivery driver")


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2025-07-01T08:30:00", datetime(2025, 7, 1, 7, 30, tzinfo=UTC)),
        ("2025-01-15T08:30", datetime(2025, 1, 15, 8, 30, tzinfo=UTC)),
        ("2025-07-01T08:30:00Z", datetime(2025, 7, 1, 8, 30, tzinfo=UTC)),
        ("2025-07-01T08:30:00+02:00", datetime(2025, 7, 1, 6, 30, tzinfo=UTC)),
        ("2025-07-01 08:30:00.250000-01:00", datetime(2025, 7, 1, 9, 30, 0, 250000, tzinfo=UTC)),
    ],
)
def test_a_time_without_an_offset_is_a_time_in_england(api_for, world, staff, sent, stored):
    response = api_for(staff).post(INCIDENTS, good(world, occurred_at=sent), format="json")

    assert response.status_code == 201
    assert Incident.objects.get().occurred_at == stored


def test_an_incident_at_one_of_the_schools_places(api_for, world, staff, gate):
    response = api_for(staff).post(INCIDENTS, good(world, place_id=str(gate.pk)), format="json")

    assert response.status_code == 201
    assert Incident.objects.get().place == gate


def test_an_incident_linked_to_the_pupils_report(api_for, world, dsl):
    report = submit_report(world.school_a).report

    response = api_for(dsl).post(INCIDENTS, good(world, report_id=str(report.pk)), format="json")

    assert response.status_code == 201
    assert Incident.objects.get().report == report


@dataclass
class Ids:
    """Ids that bad input cases name: other schools' pupils, places and reports."""

    pupil_a: str
    pupil_b: str
    gate: str
    place_b: str
    old_place: str
    report_a: str
    report_b: str


@pytest.fixture
def ids(world, dsl, gate, persona) -> Ids:
    dsl_b = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    place_b = services.place_create(
        actor=dsl_b, school=world.school_b, name="Main gate", kind="site_zone", source="test"
    )
    old = services.place_create(
        actor=dsl, school=world.school_a, name="Old hut", kind="site_zone", source="test"
    )
    Place.objects.filter(pk=old.pk).update(active=False)
    return Ids(
        pupil_a=str(world.pupil_a.pk),
        pupil_b=str(world.pupil_b.pk),
        gate=str(gate.pk),
        place_b=str(place_b.pk),
        old_place=str(old.pk),
        report_a=str(submit_report(world.school_a).report.pk),
        report_b=str(submit_report(world.school_b).report.pk),
    )


def victim(pupil_id: object, **more: Any) -> dict[str, Any]:
    return {"role": "victim", "pupil_id": pupil_id, **more}


BAD: list[tuple[str, Callable[[Ids], dict[str, Any]], str]] = [
    # When it happened
    (
        "future",
        lambda i: {"occurred_at": (timezone.now() + timedelta(days=1)).isoformat()},
        "occurred_at",
    ),
    ("words", lambda i: {"occurred_at": "yesterday after lunch"}, "occurred_at"),
    ("date-only", lambda i: {"occurred_at": "2025-03-04"}, "occurred_at"),
    ("negative-year", lambda i: {"occurred_at": "-2025-03-04T10:00:00"}, "occurred_at"),
    ("no-month-13", lambda i: {"occurred_at": "2025-13-04T10:00:00"}, "occurred_at"),
    ("no-hour-25", lambda i: {"occurred_at": "2025-03-04T25:00:00"}, "occurred_at"),
    ("bad-offset", lambda i: {"occurred_at": "2025-03-04T10:00:00+25:00"}, "occurred_at"),
    ("year-one", lambda i: {"occurred_at": "0001-01-01T00:00:00+01:00"}, "occurred_at"),
    ("last-century", lambda i: {"occurred_at": "1999-12-31T10:00:00Z"}, "occurred_at"),
    ("other-digits", lambda i: {"occurred_at": "٢٠٢٥-03-04T10:00:00"}, "occurred_at"),
    ("epoch-number", lambda i: {"occurred_at": 1741082400}, "occurred_at"),
    ("null-time", lambda i: {"occurred_at": None}, "occurred_at"),
    # What and where
    ("location", lambda i: {"location_kind": "playground"}, "location_kind"),
    ("location-type", lambda i: {"location_kind": 1}, "location_kind"),
    ("category", lambda i: {"category": "fighting"}, "category"),
    ("category-list", lambda i: {"category": ["theft"]}, "category"),
    ("report-category-case", lambda i: {"category": "THEFT"}, "category"),
    ("severity", lambda i: {"severity": "extreme"}, "severity"),
    ("severity-missing", lambda i: {"severity": None}, "severity"),
    ("description-empty", lambda i: {"description": "  \n "}, "description"),
    ("description-number", lambda i: {"description": 42}, "description"),
    ("description-long", lambda i: {"description": "x" * 5001}, "description"),
    ("flag-string", lambda i: {"flagged_critical": "yes"}, "flagged_critical"),
    ("flag-number", lambda i: {"flagged_critical": 1}, "flagged_critical"),
    # Places
    ("place-unknown", lambda i: {"place_id": "6f1c1d4e-0000-4000-8000-000000000000"}, "place_id"),
    ("place-malformed", lambda i: {"place_id": "main-gate"}, "place_id"),
    ("place-number", lambda i: {"place_id": 7}, "place_id"),
    ("place-of-b", lambda i: {"place_id": i.place_b}, "place_id"),
    ("place-inactive", lambda i: {"place_id": i.old_place}, "place_id"),
    ("place-elsewhere", lambda i: {"place_id": i.gate, "location_kind": "journey"}, "place_id"),
    # Parties
    ("parties-text", lambda i: {"parties": "victim"}, "parties"),
    ("parties-object", lambda i: {"parties": {"role": "victim"}}, "parties"),
    ("party-text", lambda i: {"parties": ["victim"]}, "parties[0]"),
    (
        "party-role",
        lambda i: {"parties": [{"role": "bystander", "description": "A"}]},
        "parties[0].role",
    ),
    ("party-no-role", lambda i: {"parties": [{"description": "A man"}]}, "parties[0].role"),
    (
        "party-role-type",
        lambda i: {"parties": [{"role": 1, "description": "A"}]},
        "parties[0].role",
    ),
    ("party-nobody", lambda i: {"parties": [{"role": "victim"}]}, "parties[0].description"),
    ("pupil-of-b", lambda i: {"parties": [victim(i.pupil_b)]}, "parties[0].pupil_id"),
    (
        "pupil-malformed",
        lambda i: {"parties": [victim(i.pupil_a), victim("Sam")]},
        "parties[1].pupil_id",
    ),
    ("pupil-number", lambda i: {"parties": [victim(12)]}, "parties[0].pupil_id"),
    (
        "pupil-described",
        lambda i: {"parties": [victim(i.pupil_a, description="Sam")]},
        "parties[0].description",
    ),
    (
        "party-description-type",
        lambda i: {"parties": [{"role": "other", "description": ["A"]}]},
        "parties[0].description",
    ),
    (
        "party-unknown-key",
        lambda i: {"parties": [victim(i.pupil_a, name="Sam")]},
        "parties[0].name",
    ),
    (
        "too-many-parties",
        lambda i: {"parties": [{"role": "witness", "description": "A"}] * 31},
        "parties",
    ),
    # Actions
    ("actions-text", lambda i: {"actions": "detention"}, "actions"),
    (
        "restorative-string",
        lambda i: {"actions": {"restorative_approach": "yes"}},
        "actions.restorative_approach",
    ),
    ("sanction-number", lambda i: {"actions": {"sanction": 5}}, "actions.sanction"),
    ("sanction-long", lambda i: {"actions": {"sanction": "x" * 501}}, "actions.sanction"),
    ("action-unknown", lambda i: {"actions": {"detention": "1 hour"}}, "actions.detention"),
    ("police-action", lambda i: {"police_action": "caution"}, "police_action"),
    ("police-action-type", lambda i: {"police_action": True}, "police_action"),
    # The report it came from
    ("report-of-b", lambda i: {"report_id": i.report_b}, "report_id"),
    ("report-malformed", lambda i: {"report_id": "R-123"}, "report_id"),
    ("report-number", lambda i: {"report_id": 123}, "report_id"),
    # The school
    ("urn-string", lambda i: {"school_urn": "900000"}, "school_urn"),
    ("urn-bool", lambda i: {"school_urn": True}, "school_urn"),
    ("urn-float", lambda i: {"school_urn": 900000.0}, "school_urn"),
    ("urn-null", lambda i: {"school_urn": None}, "school_urn"),
]


@pytest.mark.parametrize(("changes", "field"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_recorded(
    api_for, world, dsl, ids, changes, field
):
    response = api_for(dsl).post(INCIDENTS, good(world, **changes(ids)), format="json")

    assert_bad(response, field)
    assert_nothing_recorded()


def test_staff_cannot_link_a_report_they_cannot_open(api_for, world, staff, ids):
    response = api_for(staff).post(INCIDENTS, good(world, report_id=ids.report_a), format="json")

    assert_bad(response, "report_id")
    assert_nothing_recorded()


def test_every_problem_in_the_json_is_named_at_once(api_for, world, dsl, ids):
    data = good(
        world,
        occurred_at="soon",
        category=7,
        parties=[victim(ids.pupil_a, age=14), "witness"],
        actions={"sanction": 5},
        colour="red",
    )

    response = api_for(dsl).post(INCIDENTS, data, format="json")

    assert_bad(
        response,
        "occurred_at",
        "category",
        "parties[0].age",
        "parties[1]",
        "actions.sanction",
        "colour",
    )
    assert_nothing_recorded()


def test_every_bad_value_is_named_at_once(api_for, world, dsl, ids):
    data = good(
        world,
        location_kind="playground",
        severity="extreme",
        description="",
        parties=[victim(ids.pupil_b), {"role": "hero", "description": "A"}],
    )

    response = api_for(dsl).post(INCIDENTS, data, format="json")

    assert_bad(
        response,
        "location_kind",
        "severity",
        "description",
        "parties[0].pupil_id",
        "parties[1].role",
    )
    assert_nothing_recorded()


def test_every_missing_field_is_named_at_once(api_for, dsl):
    response = api_for(dsl).post(INCIDENTS, {}, format="json")

    assert_bad(
        response,
        "school_urn",
        "occurred_at",
        "location_kind",
        "category",
        "severity",
        "description",
    )
    assert_nothing_recorded()


def test_unknown_fields_are_refused_by_name(api_for, world, dsl):
    data = good(world, pupil_name="Sam", recorded_by="someone else")

    response = api_for(dsl).post(INCIDENTS, data, format="json")

    assert_bad(response, "pupil_name", "recorded_by")
    assert response.json()["errors"]["pupil_name"] == ["This field is not expected"]
    assert_nothing_recorded()


@pytest.mark.parametrize(
    "raw", ["[]", '"incident"', "42", "null", "{not json", '{"school_urn": ' + "9" * 5000 + "}"]
)
def test_a_body_that_is_not_a_json_object_is_refused(api_for, dsl, raw):
    response = api_for(dsl).post(INCIDENTS, raw, content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()
    assert_nothing_recorded()


def test_a_form_post_is_refused_as_the_wrong_media_type(api_for, world, dsl):
    response = api_for(dsl).post(INCIDENTS, {"school_urn": world.school_a.urn})

    assert response.status_code == 415
    assert_nothing_recorded()


def test_outsiders_cannot_record_at_the_school(api_for, world, outsider):
    response = api_for(outsider).post(INCIDENTS, good(world), format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert_nothing_recorded()


def test_outsiders_get_not_found_even_for_bad_input(api_for, world, outsider):
    data = good(world, category="fighting", colour="red")

    response = api_for(outsider).post(INCIDENTS, data, format="json")

    assert response.status_code == 404
    assert_nothing_recorded()


@pytest.mark.parametrize("urn", [999999, 0, -4, 10**30])
def test_an_unknown_school_is_not_found(api_for, world, dsl, urn):
    response = api_for(dsl).post(INCIDENTS, good(world, school_urn=urn), format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert_nothing_recorded()


def test_staff_of_a_school_cannot_record_at_another(api_for, world, staff):
    response = api_for(staff).post(
        INCIDENTS, good(world, school_urn=world.school_b.urn, parties=[]), format="json"
    )

    assert response.status_code == 404
    assert_nothing_recorded()


def test_the_officer_records_at_every_school_of_the_partnership(api_for, world, officer):
    data = good(world, school_urn=world.school_b.urn, parties=[victim(str(world.pupil_b.pk))])

    response = api_for(officer).post(INCIDENTS, data, format="json")

    assert response.status_code == 201
    assert Incident.objects.get().school == world.school_b


@pytest.mark.parametrize(
    "changes",
    [{"severity": "critical"}, {"severity": "low", "flagged_critical": True}],
    ids=["severity", "flagged"],
)
def test_a_critical_incident_alerts_the_school_and_the_police_at_once(
    api_for, world, staff, dsl, head, officer, supervisor, persona, changes
):
    dsl_of_b = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    officer_of_q = persona(Role.SSP_OFFICER, world.q)

    response = api_for(staff).post(INCIDENTS, good(world, **changes), format="json")

    assert response.status_code == 201
    incident = Incident.objects.get()
    assert incident.critical
    alerted = Notification.objects.filter(kind="incident_critical", object_id=str(incident.pk))
    assert {n.user for n in alerted} == {dsl, head, officer, supervisor}
    assert all(n.urgent for n in alerted)
    assert all("Critical incident" in n.title for n in alerted)
    assert not Notification.objects.filter(user__in=[staff, dsl_of_b, officer_of_q]).exists()


def test_an_incident_that_is_not_critical_alerts_nobody(api_for, world, staff, dsl, officer):
    response = api_for(staff).post(INCIDENTS, good(world, severity="high"), format="json")

    assert response.status_code == 201
    assert not Notification.objects.exists()


# GET /api/v1/incidents


def test_the_school_lists_its_incidents_newest_first(api_for, world, dsl, staff, gate, persona):
    older = record(staff, world, occurred_at=timezone.now() - timedelta(days=3))
    newer = record(
        dsl,
        world,
        place_id=str(gate.pk),
        severity="critical",
        parties=[services.PartyInput(role="victim", pupil_id=str(world.pupil_a.pk))],
    )
    record(persona(Role.SAFEGUARDING_LEAD, world.school_b), world, school=world.school_b)

    response = api_for(dsl).get(INCIDENTS)

    assert response.status_code == 200
    listed = response.json()
    assert [i["id"] for i in listed] == [str(newer.pk), str(older.pk)]
    assert all(set(i) == LIST_KEYS for i in listed)
    assert listed[0] == {
        "id": str(newer.pk),
        "school_urn": world.school_a.urn,
        "occurred_at": listed[0]["occurred_at"],
        "location_kind": "on_site",
        "place_id": str(gate.pk),
        "category": "theft",
        "severity": "critical",
        "critical": True,
        "parties": 1,
    }
    assert datetime.fromisoformat(listed[0]["occurred_at"]) == newer.occurred_at
    assert (listed[1]["place_id"], listed[1]["parties"], listed[1]["critical"]) == (None, 0, False)


def test_the_officer_lists_every_school_of_the_partnership(api_for, world, dsl, officer):
    at_a = record(dsl, world)
    at_b = record(officer, world, school=world.school_b)

    everything = api_for(officer).get(INCIDENTS).json()
    only_b = api_for(officer).get(INCIDENTS, {"school": world.school_b.urn}).json()

    assert {i["id"] for i in everything} == {str(at_a.pk), str(at_b.pk)}
    assert [i["id"] for i in only_b] == [str(at_b.pk)]


def test_a_member_of_staff_sees_only_what_they_recorded(api_for, world, staff, dsl, persona):
    colleague = persona(Role.SCHOOL_STAFF, world.school_a)
    own = record(staff, world)
    theirs = record(colleague, world)
    leads = record(dsl, world)
    client = api_for(staff)

    listed = client.get(INCIDENTS, {"school": world.school_a.urn})
    detail = client.get(incident_url(own))

    assert listed.status_code == 200
    assert [i["id"] for i in listed.json()] == [str(own.pk)]
    assert detail.status_code == 200
    for other in (theirs, leads):
        response = client.get(incident_url(other))
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_the_list_is_filtered_by_time_and_category(api_for, world, dsl):
    def at(day: int, hour: int) -> datetime:
        return datetime(2025, 3, day, hour, tzinfo=UTC)

    early = record(dsl, world, occurred_at=at(3, 23))
    middle = record(dsl, world, occurred_at=at(4, 8), category="assault")
    late = record(dsl, world, occurred_at=at(7, 15))
    client = api_for(dsl)

    def listed(**params: Any) -> list[str]:
        response = client.get(INCIDENTS, params)
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()]

    assert listed(since="2025-03-04") == [str(late.pk), str(middle.pk)]
    assert listed(until="2025-03-04") == [str(middle.pk), str(early.pk)]
    assert listed(since="2025-03-04", until="2025-03-06") == [str(middle.pk)]
    assert listed(since="2025-03-04T08:00:00Z", until="2025-03-07T15:00:00Z") == [str(middle.pk)]
    # A time without an offset is a time in England (GMT in March).
    assert listed(until="2025-03-07T15:00:01") == [str(late.pk), str(middle.pk), str(early.pk)]
    assert listed(category="assault") == [str(middle.pk)]
    assert listed(category="theft", school=world.school_a.urn) == [str(late.pk), str(early.pk)]


def test_a_date_in_summer_starts_at_midnight_in_england(api_for, world, dsl):
    before = record(dsl, world, occurred_at=datetime(2025, 6, 30, 22, 59, tzinfo=UTC))
    after = record(dsl, world, occurred_at=datetime(2025, 6, 30, 23, 0, tzinfo=UTC))

    response = api_for(dsl).get(INCIDENTS, {"since": "2025-07-01"})

    assert [i["id"] for i in response.json()] == [str(after.pk)]
    assert str(before.pk) not in response.content.decode()


def test_the_list_is_capped_by_limit(api_for, world, dsl):
    made = [record(dsl, world, occurred_at=timezone.now() - timedelta(hours=h)) for h in (3, 2, 1)]
    client = api_for(dsl)

    two = client.get(INCIDENTS, {"limit": 2}).json()
    all_three = client.get(INCIDENTS).json()

    assert [i["id"] for i in two] == [str(made[2].pk), str(made[1].pk)]
    assert len(all_three) == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"since": "2025-02-30"}, "since"),
        ({"since": "9999-12-31T23:59:59-12:00"}, "since"),
        ({"until": "9999-12-31"}, "until"),
        ({"until": "2025-03-04T10:00:00+30:00"}, "until"),
        ({"since": "2025-03-05", "until": "2025-03-04"}, "until"),
        ({"since": "2025-03-04T12:00Z", "until": "2025-03-04T12:00Z"}, "until"),
        ({"category": "fighting"}, "category"),
        ({"category": ""}, "category"),
        ({"school": "oakwood"}, "school"),
        ({"school": "-5"}, "school"),
        ({"school": "٣"}, "school"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "9" * 5000}, "limit"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(api_for, world, dsl, params, field):
    record(dsl, world)

    response = api_for(dsl).get(INCIDENTS, params)

    assert_bad(response, field)
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


@pytest.mark.parametrize("urn", ["999999", "0", "9" * 40])
def test_listing_an_unknown_school_is_not_found(api_for, world, dsl, urn):
    response = api_for(dsl).get(INCIDENTS, {"school": urn})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_listing_a_school_out_of_scope_is_not_found(api_for, world, dsl, outsider):
    record(dsl, world)

    for client, urn in [
        (api_for(dsl), world.school_b.urn),
        (api_for(outsider), world.school_a.urn),
    ]:
        response = client.get(INCIDENTS, {"school": urn})
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_outsiders_list_nothing(api_for, world, dsl, outsider):
    record(dsl, world, parties=[services.PartyInput(role="victim", pupil_id=str(world.pupil_a.pk))])

    response = api_for(outsider).get(INCIDENTS)

    assert response.status_code == 200
    assert response.json() == []
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_listing_incidents_that_name_pupils_is_audited(api_for, world, dsl, officer):
    named = record(
        dsl, world, parties=[services.PartyInput(role="victim", pupil_id=str(world.pupil_a.pk))]
    )
    unnamed = record(
        dsl, world, parties=[services.PartyInput(role="perpetrator", description="Older youth")]
    )

    response = api_for(officer).get(INCIDENTS)

    assert {i["id"] for i in response.json()} == {str(named.pk), str(unnamed.pk)}
    events = AuditEvent.objects.filter(actor_id=officer.pk, action=AuditAction.VIEW)
    assert [(e.object_type, e.object_id, e.source) for e in events] == [
        ("incidents.incident", str(named.pk), "api:api-incidents")
    ]


def test_the_list_costs_the_same_queries_however_long(api_for, world, dsl):
    def victim_party() -> list[services.PartyInput]:
        pupil = PupilFactory(school=world.school_a)
        return [services.PartyInput(role="victim", pupil_id=str(pupil.pk))]

    client = api_for(dsl)
    record(dsl, world, parties=victim_party())
    client.get(INCIDENTS)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(INCIDENTS).json()) == 1
    for _ in range(6):
        record(dsl, world, parties=victim_party())
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(INCIDENTS).json()) == 7

    assert len(many) == len(few)


# GET /api/v1/incidents/<id>


def test_the_detail_shows_parties_actions_and_who_recorded_it(api_for, world, dsl, staff, gate):
    report = submit_report(world.school_a).report
    incident = record(
        staff,
        world,
        place_id=str(gate.pk),
        category="assault",
        severity="high",
        parties=[
            services.PartyInput(role="victim", pupil_id=str(world.pupil_a.pk)),
            services.PartyInput(role="perpetrator", description="Older youth in a grey hoodie"),
        ],
        restorative_approach=True,
        restorative_outcome="Both agreed to keep apart",
        sanction="Exclusion for a day",
        police_action="community_resolution",
    )
    services.incident_update(
        actor=dsl,
        incident=incident,
        data=services.IncidentInput(
            occurred_at=incident.occurred_at,
            location_kind="on_site",
            place_id=str(gate.pk),
            category="assault",
            severity="high",
            description=incident.description,
            parties=[
                services.PartyInput(role="victim", pupil_id=str(world.pupil_a.pk)),
                services.PartyInput(role="perpetrator", description="Older youth in a grey hoodie"),
            ],
            restorative_approach=True,
            restorative_outcome="Both agreed to keep apart",
            sanction="Exclusion for a day",
            police_action="community_resolution",
            report_id=str(report.pk),
        ),
        source="test",
    )

    response = api_for(dsl).get(incident_url(incident))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == DETAIL_KEYS
    assert body["id"] == str(incident.pk)
    assert body["school_urn"] == world.school_a.urn
    assert (body["category"], body["severity"], body["critical"]) == ("assault", "high", False)
    assert body["flagged_critical"] is False
    assert body["place_id"] == str(gate.pk)
    assert body["description"] == incident.description
    assert sorted(body["parties"], key=lambda p: p["role"]) == [
        {"role": "perpetrator", "pupil_id": None, "description": "Older youth in a grey hoodie"},
        {"role": "victim", "pupil_id": str(world.pupil_a.pk), "description": ""},
    ]
    assert body["actions"] == {
        "restorative_approach": True,
        "restorative_outcome": "Both agreed to keep apart",
        "sanction": "Exclusion for a day",
        "advice": "",
        "referral": "",
    }
    assert body["police_action"] == "community_resolution"
    assert body["report_id"] == str(report.pk)
    assert body["version"] == 2
    assert body["recorded_by"] == {"id": str(staff.pk), "name": staff.full_name}
    assert datetime.fromisoformat(body["recorded_at"]) == incident.recorded_at
    assert datetime.fromisoformat(body["updated_at"]) > incident.recorded_at


def test_reading_an_incident_that_names_a_pupil_is_audited(api_for, world, dsl, officer):
    named = record(
        dsl, world, parties=[services.PartyInput(role="witness", pupil_id=str(world.pupil_a.pk))]
    )
    unnamed = record(dsl, world)
    client = api_for(officer)

    assert client.get(incident_url(named)).status_code == 200
    assert client.get(incident_url(unnamed)).status_code == 200

    events = AuditEvent.objects.filter(actor_id=officer.pk, action=AuditAction.VIEW)
    assert [(e.object_type, e.object_id, e.source) for e in events] == [
        ("incidents.incident", str(named.pk), "api:api-incident")
    ]


def test_outsiders_cannot_read_an_incident(api_for, world, dsl, outsider):
    incident = record(
        dsl, world, parties=[services.PartyInput(role="victim", pupil_id=str(world.pupil_a.pk))]
    )

    response = api_for(outsider).get(incident_url(incident))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_an_unknown_incident_is_not_found(api_for, dsl):
    client = api_for(dsl)

    assert client.get(f"{INCIDENTS}/6f1c1d4e-0000-4000-8000-000000000000").status_code == 404
    assert client.get(f"{INCIDENTS}/not-an-id").status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_an_incident_is_not_changed_through_the_detail(api_for, world, dsl, method):
    incident = record(dsl, world)

    response = getattr(api_for(dsl), method)(incident_url(incident), {}, format="json")

    assert response.status_code == 405
    assert Incident.objects.get().version == 1


# GET|POST /api/v1/schools/<urn>/places


@pytest.mark.parametrize("who", ["staff", "dsl", "head", "officer"])
def test_those_who_work_at_the_school_list_its_places(api_for, world, request, dsl, gate, who):
    services.place_create(
        actor=dsl,
        school=world.school_a,
        name="Bus stop, Victoria Road",
        kind="stop",
        latitude=51.1721,
        longitude=-0.1629,
        plan_x=12.5,
        plan_y=80,
        source="test",
    )
    old = services.place_create(
        actor=dsl, school=world.school_a, name="Old hut", kind="site_zone", source="test"
    )
    Place.objects.filter(pk=old.pk).update(active=False)

    response = api_for(request.getfixturevalue(who)).get(places_url(world.school_a))

    assert response.status_code == 200
    places = response.json()
    assert all(set(p) == PLACE_KEYS for p in places)
    stop = Place.objects.get(name="Bus stop, Victoria Road")
    assert places == [
        {
            "id": str(stop.pk),
            "name": "Bus stop, Victoria Road",
            "kind": "stop",
            "location_kind": "journey",
            "latitude": 51.1721,
            "longitude": -0.1629,
            "plan_x": 12.5,
            "plan_y": 80.0,
        },
        {
            "id": str(gate.pk),
            "name": "Main gate",
            "kind": "site_zone",
            "location_kind": "on_site",
            "latitude": None,
            "longitude": None,
            "plan_x": None,
            "plan_y": None,
        },
    ]


def test_outsiders_cannot_list_a_schools_places(api_for, world, gate, outsider):
    response = api_for(outsider).get(places_url(world.school_a))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_places_of_an_unknown_school_are_not_found(api_for, dsl):
    assert api_for(dsl).get("/api/v1/schools/999999/places").status_code == 404


@pytest.mark.parametrize("who", ["dsl", "head", "officer"])
def test_leaders_and_officers_add_a_place(api_for, world, request, who):
    user = request.getfixturevalue(who)
    data = {
        "name": "Alley behind the shops",
        "kind": "neighbourhood_point",
        "latitude": 51.17,
        "longitude": -0.16,
    }

    response = api_for(user).post(places_url(world.school_a), data, format="json")

    assert response.status_code == 201
    place = Place.objects.get()
    assert response.json() == {
        "id": str(place.pk),
        "name": "Alley behind the shops",
        "kind": "neighbourhood_point",
        "location_kind": "neighbourhood",
        "latitude": 51.17,
        "longitude": -0.16,
        "plan_x": None,
        "plan_y": None,
    }
    assert place.school == world.school_a
    event = AuditEvent.objects.get(object_id=str(place.pk), action=AuditAction.CREATE)
    assert (event.actor_id, event.source) == (user.pk, "api:api-school-places")


def test_a_place_with_a_pin_on_the_site_plan(api_for, world, dsl):
    data = {"name": "Field", "kind": "site_zone", "plan_x": 0, "plan_y": 100}

    response = api_for(dsl).post(places_url(world.school_a), data, format="json")

    assert response.status_code == 201
    assert (response.json()["plan_x"], response.json()["plan_y"]) == (0.0, 100.0)


def test_staff_see_places_but_do_not_keep_them(api_for, world, staff):
    data = {"name": "Field", "kind": "site_zone"}

    response = api_for(staff).post(places_url(world.school_a), data, format="json")

    assert response.status_code == 404
    assert not Place.objects.exists()


def test_outsiders_cannot_add_a_place(api_for, world, outsider):
    data = {"name": "Field", "kind": "site_zone"}

    response = api_for(outsider).post(places_url(world.school_a), data, format="json")

    assert response.status_code == 404
    assert not Place.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "site_zone"}, "name"),
        ({"name": "  ", "kind": "site_zone"}, "name"),
        ({"name": 5, "kind": "site_zone"}, "name"),
        ({"name": "x" * 121, "kind": "site_zone"}, "name"),
        ({"name": "main GATE", "kind": "site_zone"}, "name"),
        ({"name": "Field"}, "kind"),
        ({"name": "Field", "kind": "playground"}, "kind"),
        ({"name": "Field", "kind": "stop", "latitude": "51.1", "longitude": -0.1}, "latitude"),
        ({"name": "Field", "kind": "stop", "latitude": True, "longitude": -0.1}, "latitude"),
        ({"name": "Field", "kind": "stop", "latitude": 40, "longitude": -0.1}, "latitude"),
        ({"name": "Field", "kind": "stop", "latitude": 51.1}, "longitude"),
        ({"name": "Field", "kind": "site_zone", "plan_x": 150, "plan_y": 5}, "plan_x"),
        ({"name": "Field", "kind": "site_zone", "plan_y": 5}, "plan_x"),
        ({"name": "Field", "kind": "site_zone", "colour": "green"}, "colour"),
    ],
)
def test_a_bad_place_is_refused_naming_the_field(api_for, world, dsl, gate, data, field):
    response = api_for(dsl).post(places_url(world.school_a), data, format="json")

    assert_bad(response, field)
    assert list(Place.objects.all()) == [gate]


def test_a_place_body_must_be_a_json_object(api_for, world, dsl):
    response = api_for(dsl).post(
        places_url(world.school_a), json.dumps(["Field"]), content_type="application/json"
    )

    assert response.status_code == 400
    assert not Place.objects.exists()


def test_a_new_place_is_offered_for_recording_at_once(api_for, world, officer, staff):
    created = api_for(officer).post(
        places_url(world.school_a), {"name": "Car park", "kind": "site_zone"}, format="json"
    )
    place_id = created.json()["id"]

    listed = api_for(staff).get(places_url(world.school_a)).json()
    recorded = api_for(staff).post(INCIDENTS, good(world, place_id=place_id), format="json")

    assert [p["id"] for p in listed] == [place_id]
    assert recorded.status_code == 201
    assert str(Incident.objects.get().place_id) == place_id


# Credentials and the schema


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", CATEGORIES),
        ("get", INCIDENTS),
        ("post", INCIDENTS),
        ("get", "detail"),
        ("get", "places"),
        ("post", "places"),
    ],
)
def test_every_endpoint_needs_credentials(world, dsl, method, url):
    incident = record(dsl, world)
    url = {"detail": incident_url(incident), "places": places_url(world.school_a)}.get(url, url)
    data = good(world) if url == INCIDENTS else {"name": "Field", "kind": "site_zone"}

    response = getattr(APIClient(), method)(url, data if method == "post" else None, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert Incident.objects.count() == 1
    assert not Place.objects.exists()


def test_the_schema_documents_every_incident_endpoint(db):
    document = APIClient().get("/api/v1/schema/?format=json").json()

    paths = document["paths"]
    for path, methods in [
        ("/api/v1/incident-categories", {"get"}),
        ("/api/v1/incidents", {"get", "post"}),
        ("/api/v1/incidents/{incident_id}", {"get"}),
        ("/api/v1/schools/{urn}/places", {"get", "post"}),
    ]:
        assert methods <= set(paths[path]), path
        for method in methods:
            assert paths[path][method]["summary"], (path, method)
    schemas = document["components"]["schemas"]
    assert set(schemas["IncidentOutput"]["properties"]) == LIST_KEYS
    assert set(schemas["IncidentDetailOutput"]["properties"]) == DETAIL_KEYS
    assert set(schemas["PlaceOutput"]["properties"]) == PLACE_KEYS
    assert schemas["IncidentCategoryEnum"]["enum"] == IncidentCategory.values
    assert schemas["PlaceKindEnum"]["enum"] == PlaceKind.values
    assert "codes" in paths["/api/v1/incident-categories"]["get"]["summary"]
    limit = next(p for p in paths["/api/v1/incidents"]["get"]["parameters"] if p["name"] == "limit")
    assert "200" in limit["description"] and "1000" in limit["description"]
