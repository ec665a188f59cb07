"""The incidents API over real HTTP: an officer adds a place, a member of staff records an
incident at it, and the safeguarding lead lists and opens it."""

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.incidents.models import Incident, Place
from saferschools.testing.factories import (
    MembershipFactory,
    PartnershipFactory,
    PartnershipSchoolFactory,
    PupilFactory,
    SchoolFactory,
    UserFactory,
)

# The live server runs in another thread and needs committed data; the serialized rollback
# restores what migrations put in the database (the audit chain's head) for each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def call(
    url: str, data: object = None, key: str | None = None
) -> tuple[int, dict[str, str], object]:
    """GET ``url``, or POST ``data`` as JSON; the status, headers and decoded JSON body, also
    for 4xx answers."""
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})  # noqa: S310
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if key is not None:
        request.add_header("Authorization", f"Token {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read())


def key_for(user) -> str:
    _, key = api_token_create(actor=None, user=user, name="http test", source="test")
    return key


@pytest.fixture
def school(transactional_db):
    """A partnership school with two pupils, its safeguarding lead, a member of staff and the
    partnership's officer, each with an API token."""
    school = SchoolFactory(name="Oakwood School")
    partnership = PartnershipFactory(area=school.area)
    PartnershipSchoolFactory(partnership=partnership, school=school)
    people = {}
    for name, role, scope in [
        ("dsl", Role.SAFEGUARDING_LEAD, {"school": school}),
        ("staff", Role.SCHOOL_STAFF, {"school": school}),
        ("officer", Role.SSP_OFFICER, {"partnership": partnership}),
    ]:
        user = UserFactory(email=f"{name}@oakwood.example", full_name=name.title())
        MembershipFactory(user=user, role=role, **scope)
        people[name] = (user, key_for(user))
    pupils = [PupilFactory(school=school), PupilFactory(school=school)]
    return school, people, pupils


def test_a_place_and_an_incident_at_it_over_http(live_server, school):
    school, people, pupils = school
    (dsl, dsl_key), (staff, staff_key), (_, officer_key) = (
        people["dsl"],
        people["staff"],
        people["officer"],
    )
    api = f"{live_server.url}/api/v1"

    # The officer adds the bus stop where trouble starts.
    place = {
        "name": "Bus stop, Victoria Road",
        "kind": "stop",
        "latitude": 51.17,
        "longitude": -0.16,
    }
    status, headers, created = call(f"{api}/schools/{school.urn}/places", place, key=officer_key)
    assert status == 201
    assert headers["Content-Type"] == "application/json"
    assert isinstance(created, dict)
    assert created["location_kind"] == "journey"
    place_id = created["id"]

    # A member of staff sees it among the school's places and the categories to choose from.
    status, _, places = call(f"{api}/schools/{school.urn}/places", key=staff_key)
    assert status == 200
    assert isinstance(places, list)
    assert [(p["id"], p["name"]) for p in places] == [(place_id, "Bus stop, Victoria Road")]
    status, _, categories = call(f"{api}/incident-categories", key=staff_key)
    assert status == 200
    assert isinstance(categories, list)
    assert {"code": "anti_social_behaviour", "name": "Anti-social behaviour"} in categories

    # They record what happened there, with its parties.
    occurred = (timezone.now() - timedelta(minutes=50)).replace(microsecond=0)
    incident = {
        "school_urn": school.urn,
        "occurred_at": occurred.isoformat(),
        "location_kind": "journey",
        "place_id": place_id,
        "category": "anti_social_behaviour",
        "severity": "high",
        "description": "Older youths blocked the bus stop and threw a drink at two pupils 🥤",
        "parties": [
            {"role": "victim", "pupil_id": str(pupils[0].pk)},
            {"role": "victim", "pupil_id": str(pupils[1].pk)},
            {"role": "perpetrator", "description": "Three older youths, one on a bike"},
        ],
        "actions": {"advice": "Told pupils to wait inside until the bus comes"},
        "police_action": "none",
    }
    status, headers, recorded = call(f"{api}/incidents", incident, key=staff_key)
    assert status == 201
    assert isinstance(recorded, dict)
    incident_id = recorded["id"]
    assert headers["Location"] == f"/api/v1/incidents/{incident_id}"
    stored = Incident.objects.get()
    assert (str(stored.pk), str(stored.place_id), stored.recorded_by) == (
        incident_id,
        place_id,
        staff,
    )
    assert stored.occurred_at == occurred

    # The safeguarding lead lists the school's incidents and opens this one.
    status, _, listed = call(f"{api}/incidents?school={school.urn}", key=dsl_key)
    assert status == 200
    assert isinstance(listed, list)
    assert [(i["id"], i["place_id"], i["parties"], i["critical"]) for i in listed] == [
        (incident_id, place_id, 3, False)
    ]
    status, headers, detail = call(f"{api}/incidents/{incident_id}", key=dsl_key)
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert isinstance(detail, dict)
    assert detail["description"] == incident["description"]
    assert sorted((p["role"], p["pupil_id"], p["description"]) for p in detail["parties"]) == [
        ("perpetrator", None, "Three older youths, one on a bike"),
        *sorted(("victim", str(p.pk), "") for p in pupils),
    ]
    assert detail["actions"]["advice"] == "Told pupils to wait inside until the bus comes"
    assert detail["recorded_by"] == {"id": str(staff.pk), "name": "Staff"}
    views = AuditEvent.objects.filter(actor_id=dsl.pk, action=AuditAction.VIEW)
    assert sorted(e.source for e in views) == ["api:api-incident", "api:api-incidents"]
    assert not Notification.objects.filter(kind="incident_critical").exists()


def test_bad_input_over_http_names_the_fields_and_records_nothing(live_server, school):
    school, people, _ = school
    _, staff_key = people["staff"]
    incident = {
        "school_urn": school.urn,
        "occurred_at": (timezone.now() + timedelta(days=2)).isoformat(),
        "location_kind": "on_site",
        "place_id": "c0ffee00-0000-4000-8000-000000000000",
        "category": "theft",
        "severity": "low",
        "description": "A bike was taken from the rack.",
        "parties": [{"role": "victim", "pupil_id": str(PupilFactory().pk)}],
    }

    status, headers, body = call(f"{live_server.url}/api/v1/incidents", incident, key=staff_key)

    assert status == 400
    assert headers["Content-Type"] == "application/json"
    assert isinstance(body, dict)
    assert set(body["errors"]) == {"occurred_at", "place_id", "parties[0].pupil_id"}
    assert not Incident.objects.exists()
    assert not Place.objects.exists()


def test_outsiders_over_http_are_not_found(live_server, school):
    school, _, _ = school
    other = SchoolFactory(area=school.area)
    outsider = UserFactory()
    MembershipFactory(user=outsider, role=Role.SAFEGUARDING_LEAD, school=other)
    key = key_for(outsider)
    api = f"{live_server.url}/api/v1"
    incident = {
        "school_urn": school.urn,
        "occurred_at": timezone.now().isoformat(),
        "location_kind": "online",
        "category": "online_bullying",
        "severity": "medium",
        "description": "Messages in a group chat.",
    }

    answers = [
        call(f"{api}/incidents", incident, key=key),
        call(f"{api}/incidents?school={school.urn}", key=key),
        call(f"{api}/schools/{school.urn}/places", key=key),
        call(f"{api}/schools/{school.urn}/places", {"name": "Gate", "kind": "site_zone"}, key=key),
    ]

    assert [(status, body) for status, _, body in answers] == [(404, {"detail": "Not found."})] * 4
    assert not Incident.objects.exists()
    assert not Place.objects.exists()
    assert call(f"{api}/incidents")[0] == 401
