"""Who may see and change incidents and places: every role, at its own school, at another
school of the same partnership, at a school of another partnership and in another area; and the
member of staff who recorded an incident."""

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Membership, Role
from saferschools.core import access
from saferschools.incidents import services
from saferschools.incidents.models import Incident, Place, PlaceKind
from saferschools.incidents.services import IncidentInput

pytestmark = pytest.mark.django_db

# Each persona holds one membership: (role, the world's scope it is held over).
PERSONAS = {
    "school_staff": (Role.SCHOOL_STAFF, "school_a"),
    "safeguarding_lead": (Role.SAFEGUARDING_LEAD, "school_a"),
    "head_teacher": (Role.HEAD_TEACHER, "school_a"),
    "ssp_officer_of_the_school": (Role.SSP_OFFICER, "school_a"),
    "ssp_officer_of_the_partnership": (Role.SSP_OFFICER, "p"),
    "police_supervisor_of_the_force": (Role.POLICE_SUPERVISOR, "police"),
    "police_supervisor_of_the_area": (Role.POLICE_SUPERVISOR, "area"),
    "agency_practitioner": (Role.AGENCY_PRACTITIONER, "yot"),
    "la_analyst": (Role.LA_ANALYST, "area"),
    "steering_member": (Role.STEERING_MEMBER, "p"),
    "area_admin": (Role.AREA_ADMIN, "area"),
}
# Where an incident is, seen from school A.
WHERE = {
    "own school": "school_a",
    "same partnership": "school_b",
    "other partnership": "school_c",
    "other area": "school_d",
}
OWN = {"own school"}
PARTNERSHIP = {"own school", "same partnership"}
# Where each persona sees (and may change) every incident. Staff see only what they recorded.
SEES_ALL = {
    "safeguarding_lead": OWN,
    "head_teacher": OWN,
    "ssp_officer_of_the_school": OWN,
    "ssp_officer_of_the_partnership": PARTNERSHIP,
}
# Where each persona records incidents and reads the places.
RECORDS = {**SEES_ALL, "school_staff": OWN}
# Where each persona keeps the list of places.
KEEPS_PLACES = SEES_ALL


@pytest.fixture
def make_persona(world, persona):
    def make(name):
        role, scope = PERSONAS[name]
        return persona(role, getattr(world, scope))

    return make


@pytest.fixture
def incidents(world, persona):
    """One incident at each school, recorded by that school's safeguarding lead."""
    made = {}
    for where, school_name in WHERE.items():
        school = getattr(world, school_name)
        lead = persona(Role.SAFEGUARDING_LEAD, school)
        made[where] = services.incident_record(
            actor=lead,
            school=school,
            data=IncidentInput(
                occurred_at=timezone.now(),
                location_kind="on_site",
                category="theft",
                severity="low",
                description="A bag went missing from the changing rooms.",
            ),
            source="test",
        )
    return made


@pytest.fixture
def places(world):
    return {
        where: Place.objects.create(
            school=getattr(world, school_name), name="Changing rooms", kind=PlaceKind.SITE_ZONE
        )
        for where, school_name in WHERE.items()
    }


def _reads(user, incident, *, write=False):
    in_scope = access.scope(user, Incident, write=write).filter(pk=incident.pk).exists()
    try:
        access.get_incident_for_user(user, incident.pk, write=write)
    except Http404:
        fetched = False
    else:
        fetched = True
    assert in_scope == fetched
    return fetched


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("name", PERSONAS)
def test_who_reads_and_changes_an_incident(make_persona, incidents, name, where):
    user = make_persona(name)
    expected = where in SEES_ALL.get(name, set())
    incident = incidents[where]
    assert _reads(user, incident) is expected
    assert _reads(user, incident, write=True) is expected


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("name", PERSONAS)
def test_who_opens_an_incident_page(client, make_persona, incidents, name, where):
    client.force_login(make_persona(name))
    incident = incidents[where]
    expected = 200 if where in SEES_ALL.get(name, set()) else 404
    assert client.get(reverse("incidents-incident", args=[incident.pk])).status_code == expected
    assert client.get(reverse("incidents-edit", args=[incident.pk])).status_code == expected
    assert client.get(reverse("incidents-history", args=[incident.pk])).status_code == expected


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("name", PERSONAS)
def test_who_records_incidents_and_reads_the_places(world, make_persona, places, name, where):
    user = make_persona(name)
    school = getattr(world, WHERE[where])
    expected = where in RECORDS.get(name, set())
    assert access.can_record_incidents(user, school) is expected
    place = places[where]
    assert access.scope(user, Place).filter(pk=place.pk).exists() is expected
    if not expected:
        with pytest.raises(Http404):
            access.get_place_for_user(user, place.pk)


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("name", PERSONAS)
def test_who_reaches_a_schools_incident_pages(client, world, make_persona, name, where):
    client.force_login(make_persona(name))
    urn = getattr(world, WHERE[where]).urn
    expected = 200 if where in RECORDS.get(name, set()) else 404
    assert client.get(reverse("incidents-list", args=[urn])).status_code == expected
    assert client.get(reverse("incidents-record", args=[urn])).status_code == expected
    assert client.get(reverse("incidents-places", args=[urn])).status_code == expected


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("name", PERSONAS)
def test_who_keeps_the_places(world, make_persona, places, name, where):
    user = make_persona(name)
    school = getattr(world, WHERE[where])
    expected = where in KEEPS_PLACES.get(name, set())
    assert access.can_keep_places(user, school) is expected
    assert access.scope(user, Place, write=True).filter(pk=places[where].pk).exists() is expected


# The member of staff who recorded it ---------------------------------------------------------


@pytest.fixture
def recorded(world, staff):
    return services.incident_record(
        actor=staff,
        school=world.school_a,
        data=IncidentInput(
            occurred_at=timezone.now(),
            location_kind="on_site",
            category="criminal_damage",
            severity="low",
            description="Graffiti in the toilets.",
        ),
        source="test",
    )


def test_the_recorder_reads_and_changes_what_they_recorded(staff, recorded):
    assert _reads(staff, recorded)
    assert _reads(staff, recorded, write=True)


def test_another_member_of_staff_does_not(world, persona, recorded):
    colleague = persona(Role.SCHOOL_STAFF, world.school_a)
    assert not _reads(colleague, recorded)
    assert not _reads(colleague, recorded, write=True)


def test_the_recorder_loses_it_on_leaving_the_school(world, staff, recorded):
    Membership.objects.filter(user=staff).update(school=world.school_b)
    staff = type(staff).objects.get(pk=staff.pk)
    assert not _reads(staff, recorded)
    assert not _reads(staff, recorded, write=True)


def test_the_recorder_keeps_nothing_through_a_role_that_is_not_at_a_school(world, staff, recorded):
    Membership.objects.filter(user=staff).update(
        role=Role.POLICE_SUPERVISOR, school=None, area=world.area
    )
    staff = type(staff).objects.get(pk=staff.pk)
    assert not _reads(staff, recorded)


def test_an_inactive_account_reads_nothing(world, dsl, incidents):
    dsl.is_active = False
    dsl.save()
    assert not _reads(dsl, incidents["own school"])
    assert not access.can_record_incidents(dsl, world.school_a)
