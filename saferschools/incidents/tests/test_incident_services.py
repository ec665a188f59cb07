"""Recording and changing incidents, adding places, and the reads that follow from them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.core import access
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.incidents import selectors, services
from saferschools.incidents.models import (
    Incident,
    IncidentParty,
    IncidentRevision,
    Place,
    PlaceKind,
)
from saferschools.incidents.services import IncidentInput, PartyInput
from saferschools.testing.factories import PupilFactory, submit_report

pytestmark = pytest.mark.django_db

INCIDENT_TYPE = "incidents.incident"


# People and places ----------------------------------------------------------------------------


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def officer(world, persona):
    """The SSP officer of partnership P (schools A and B)."""
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def supervisor(world, persona):
    """A police supervisor of the area's force."""
    return persona(Role.POLICE_SUPERVISOR, world.police)


@pytest.fixture
def other_area_supervisor(world, persona):
    return persona(Role.POLICE_SUPERVISOR, world.other_police)


@pytest.fixture
def dsl_b(world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_b)


@pytest.fixture
def bike_sheds(world):
    return Place.objects.create(school=world.school_a, name="Bike sheds", kind=PlaceKind.SITE_ZONE)


@pytest.fixture
def station_road(world):
    return Place.objects.create(
        school=world.school_a, name="Station Road stop", kind=PlaceKind.STOP
    )


def incident_input(**overrides) -> IncidentInput:
    values = {
        "occurred_at": timezone.now() - timedelta(hours=2),
        "location_kind": "on_site",
        "category": "assault",
        "severity": "medium",
        "description": "A pupil was pushed into the wall by the lockers.",
    }
    values.update(overrides)
    return IncidentInput(**values)


def record(actor, school, **overrides) -> Incident:
    return services.incident_record(
        actor=actor, school=school, data=incident_input(**overrides), source="test"
    )


def written() -> tuple[int, ...]:
    """Everything recording or changing an incident could write."""
    return (
        Incident.objects.count(),
        IncidentParty.objects.count(),
        IncidentRevision.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


# Recording ------------------------------------------------------------------------------------


def test_recording_stores_the_incident_its_parties_and_an_audit_event(world, staff, bike_sheds):
    incident = record(
        staff,
        world.school_a,
        place_id=str(bike_sheds.pk),
        parties=[
            PartyInput(role="victim", pupil_id=str(world.pupil_a.pk)),
            PartyInput(role="perpetrator", description="  Adult in a grey hoodie  "),
        ],
        restorative_approach=True,
        restorative_outcome="Apology accepted",
        police_action="words_of_advice",
    )
    incident.refresh_from_db()
    assert incident.school == world.school_a
    assert incident.recorded_by == staff
    assert incident.updated_by == staff
    assert incident.place == bike_sheds
    assert incident.version == 1
    assert incident.recorded_at >= incident.occurred_at
    assert (incident.restorative_approach, incident.restorative_outcome) == (
        True,
        "Apology accepted",
    )
    assert incident.police_action == "words_of_advice"
    parties = sorted(incident.parties.values_list("role", "pupil_id", "description"))
    assert parties == [
        ("perpetrator", None, "Adult in a grey hoodie"),
        ("victim", world.pupil_a.pk, ""),
    ]
    event = AuditEvent.objects.get(object_type=INCIDENT_TYPE, object_id=str(incident.pk))
    assert (event.action, event.actor_id, event.source) == (AuditAction.CREATE, staff.pk, "test")
    assert event.detail == {"category": "assault", "parties": 2}
    # Nobody is alerted about an incident that is not critical.
    assert not Notification.objects.exists()


def test_an_online_incident_may_be_at_any_place(world, staff, bike_sheds):
    incident = record(staff, world.school_a, location_kind="online", place_id=bike_sheds.pk)
    assert incident.place == bike_sheds


def test_a_report_of_the_school_can_be_linked(world, dsl):
    report = submit_report(world.school_a).report
    incident = record(dsl, world.school_a, report_id=str(report.pk))
    assert incident.report == report


# Each way of getting it wrong: the field named, nothing written.


def _other_schools_place(world):
    return Place.objects.create(school=world.school_b, name="Field", kind=PlaceKind.SITE_ZONE).pk


def _inactive_place(world):
    return Place.objects.create(
        school=world.school_a, name="Old hut", kind=PlaceKind.SITE_ZONE, active=False
    ).pk


BAD_INPUTS = {
    "in the future": (
        "occurred_at",
        lambda w: {"occurred_at": timezone.now() + timedelta(hours=1)},
    ),
    "not a moment": ("occurred_at", lambda w: {"occurred_at": "yesterday"}),
    "last century": ("occurred_at", lambda w: {"occurred_at": datetime(1999, 5, 1, tzinfo=UTC)}),
    "unknown location kind": ("location_kind", lambda w: {"location_kind": "moon"}),
    "unknown category": ("category", lambda w: {"category": "jaywalking"}),
    "unknown severity": ("severity", lambda w: {"severity": "extreme"}),
    "no description": ("description", lambda w: {"description": "   "}),
    "description too long": ("description", lambda w: {"description": "x" * 5001}),
    "flag not a yes or no": ("flagged_critical", lambda w: {"flagged_critical": "yes"}),
    "restorative not a yes or no": ("restorative_approach", lambda w: {"restorative_approach": 1}),
    "outcome too long": ("restorative_outcome", lambda w: {"restorative_outcome": "x" * 501}),
    "sanction too long": ("sanction", lambda w: {"sanction": "x" * 501}),
    "unknown police action": ("police_action", lambda w: {"police_action": "tasered"}),
    "unknown place": ("place_id", lambda w: {"place_id": "6f1c1f0e-0000-4000-8000-000000000000"}),
    "malformed place": ("place_id", lambda w: {"place_id": "not-a-place"}),
    "another school's place": ("place_id", lambda w: {"place_id": _other_schools_place(w)}),
    "inactive place": ("place_id", lambda w: {"place_id": _inactive_place(w)}),
    "parties not a list": ("parties", lambda w: {"parties": "Sam"}),
    "too many parties": (
        "parties",
        lambda w: {"parties": [PartyInput(role="witness", description="x")] * 31},
    ),
    "party not a party": ("parties[0]", lambda w: {"parties": [{"role": "victim"}]}),
    "party with an unknown role": (
        "parties[0].role",
        lambda w: {"parties": [PartyInput(role="bystander", description="A man")]},
    ),
    "pupil of another school": (
        "parties[1].pupil_id",
        lambda w: {
            "parties": [
                PartyInput(role="victim", pupil_id=str(w.pupil_a.pk)),
                PartyInput(role="perpetrator", pupil_id=str(w.pupil_b.pk)),
            ]
        },
    ),
    "malformed pupil": (
        "parties[0].pupil_id",
        lambda w: {"parties": [PartyInput(role="victim", pupil_id="nobody")]},
    ),
    "party both a pupil and described": (
        "parties[0].description",
        lambda w: {
            "parties": [PartyInput(role="victim", pupil_id=str(w.pupil_a.pk), description="Sam")]
        },
    ),
    "party neither a pupil nor described": (
        "parties[0].description",
        lambda w: {"parties": [PartyInput(role="witness")]},
    ),
    "party described at length": (
        "parties[0].description",
        lambda w: {"parties": [PartyInput(role="witness", description="x" * 301)]},
    ),
    "another school's report": (
        "report_id",
        lambda w: {"report_id": str(submit_report(w.school_c).report.pk)},
    ),
    "unknown report": ("report_id", lambda w: {"report_id": "not-a-report"}),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_names_the_field_and_writes_nothing(world, dsl, case):
    field, overrides = BAD_INPUTS[case]
    values = overrides(world)
    before = written()
    with pytest.raises(ValidationError) as raised:
        record(dsl, world.school_a, **values)
    assert field in raised.value.message_dict
    assert written() == before


def test_a_place_must_fit_where_it_happened(world, dsl, bike_sheds, station_road):
    before = written()
    with pytest.raises(ValidationError) as raised:
        record(dsl, world.school_a, location_kind="journey", place_id=bike_sheds.pk)
    assert raised.value.message_dict["place_id"] == [
        "Bike sheds is on the school site: choose a place that fits where it happened"
    ]
    with pytest.raises(ValidationError) as raised:
        record(dsl, world.school_a, location_kind="on_site", place_id=station_road.pk)
    assert "place_id" in raised.value.message_dict
    assert written() == before
    assert record(dsl, world.school_a, location_kind="journey", place_id=station_road.pk).place


def test_every_problem_is_named_at_once(world, dsl):
    before = written()
    with pytest.raises(ValidationError) as raised:
        record(
            dsl,
            world.school_a,
            occurred_at=timezone.now() + timedelta(days=1),
            category="nonsense",
            description="",
            parties=[
                PartyInput(role="victim", pupil_id=str(world.pupil_a.pk)),
                PartyInput(role="witness", pupil_id=str(world.pupil_c.pk)),
            ],
        )
    assert set(raised.value.message_dict) == {
        "occurred_at",
        "category",
        "description",
        "parties[1].pupil_id",
    }
    assert raised.value.message_dict["occurred_at"] == ["An incident cannot be in the future"]
    assert raised.value.message_dict["parties[1].pupil_id"] == ["Choose a pupil of this school"]
    assert written() == before


@pytest.mark.parametrize("who", ["outside_officer", "practitioner", "supervisor", "dsl_b"])
def test_only_those_who_work_at_the_school_record_there(world, request, who):
    before = written()
    with pytest.raises(ValidationError) as raised:
        record(request.getfixturevalue(who), world.school_a)
    assert "school_urn" in raised.value.message_dict
    assert written() == before


def test_a_few_minutes_ahead_is_forgiven_for_clocks_that_disagree(world, staff):
    incident = record(staff, world.school_a, occurred_at=timezone.now() + timedelta(minutes=2))
    assert incident.recorded_at >= incident.occurred_at


# Critical incidents ---------------------------------------------------------------------------


@pytest.fixture
def everyone(world, dsl, staff, head, officer, supervisor, other_area_supervisor, dsl_b, persona):
    return {
        "dsl": dsl,
        "staff": staff,
        "head": head,
        "officer": officer,
        "supervisor": supervisor,
        "area_supervisor": persona(Role.POLICE_SUPERVISOR, world.area),
        "other_area_supervisor": other_area_supervisor,
        "dsl_b": dsl_b,
        "outside_officer": persona(Role.SSP_OFFICER, world.q),
        "practitioner": persona(Role.AGENCY_PRACTITIONER, world.yot),
    }


def _alerts(user):
    return list(Notification.objects.filter(user=user, kind="incident_critical"))


@pytest.mark.parametrize("how", [{"severity": "critical"}, {"flagged_critical": True}])
def test_a_critical_incident_alerts_leaders_officers_and_supervisors(world, everyone, how):
    incident = record(everyone["staff"], world.school_a, **how)
    incident_url = reverse("incidents-incident", args=[incident.pk])
    school_url = reverse("core-school", args=[world.school_a.urn])
    for who in ("dsl", "head", "officer"):
        (alert,) = _alerts(everyone[who])
        assert alert.url == incident_url
        assert alert.urgent is True
        assert alert.object_id == str(incident.pk)
        assert alert.title == "Critical incident recorded at Oakwood School"
    for who in ("supervisor", "area_supervisor"):
        (alert,) = _alerts(everyone[who])
        # Supervisors cannot open the incident: they are sent to the school, told whom to ask.
        assert alert.url == school_url
        assert alert.urgent is True
        assert "contact the school's head teacher or SSP officer" in alert.title
    for who in ("staff", "dsl_b", "other_area_supervisor", "outside_officer", "practitioner"):
        assert _alerts(everyone[who]) == []
    # The alert holds no detail of what happened.
    assert not Notification.objects.filter(title__icontains="pushed").exists()


def test_an_incident_that_is_not_critical_alerts_nobody(world, everyone):
    record(everyone["staff"], world.school_a, severity="high")
    assert not Notification.objects.exists()


def _update(actor, incident, **overrides):
    return services.incident_update(
        actor=actor, incident=incident, data=incident_input(**overrides), source="test"
    )


def test_becoming_critical_on_a_change_alerts_once(world, everyone):
    incident = record(everyone["staff"], world.school_a, severity="high")
    assert not Notification.objects.exists()
    incident = _update(everyone["dsl"], incident, severity="critical")
    (alert,) = _alerts(everyone["head"])
    assert alert.title == "Critical incident now critical at Oakwood School"
    assert len(_alerts(everyone["supervisor"])) == 1
    count = Notification.objects.count()
    _update(everyone["dsl"], incident, severity="critical", description="More detail.")
    _update(everyone["dsl"], incident, severity="critical", flagged_critical=True)
    assert Notification.objects.count() == count


def test_a_critical_incident_changed_stays_alerted_once(world, everyone):
    incident = record(everyone["staff"], world.school_a, flagged_critical=True)
    count = Notification.objects.count()
    _update(everyone["dsl"], incident, flagged_critical=True, severity="low")
    assert Notification.objects.count() == count


# Changes and their history --------------------------------------------------------------------


def test_each_change_keeps_the_version_it_replaces(world, staff, dsl):
    incident = record(
        staff,
        world.school_a,
        severity="low",
        parties=[PartyInput(role="victim", pupil_id=str(world.pupil_a.pk))],
    )
    first_at = incident.occurred_at
    changed = _update(
        dsl,
        incident,
        occurred_at=first_at,
        severity="high",
        parties=[PartyInput(role="witness", description="Dinner supervisor")],
    )
    assert changed.version == 2
    assert changed.updated_by == dsl
    assert changed.recorded_by == staff
    changed = _update(dsl, changed, occurred_at=first_at, severity="medium")
    assert changed.version == 3

    revisions = list(selectors.incident_history(incident=changed))
    assert [r.version for r in revisions] == [1, 2]
    assert [r.replaced_by for r in revisions] == [dsl, dsl]
    first, second = (r.snapshot for r in revisions)
    assert first["severity"] == "low"
    assert first["parties"] == [
        {"role": "victim", "pupil_id": str(world.pupil_a.pk), "description": ""}
    ]
    assert first["updated_by_id"] == str(staff.pk)
    assert second["severity"] == "high"
    assert second["parties"] == [
        {"role": "witness", "pupil_id": None, "description": "Dinner supervisor"}
    ]
    assert list(changed.parties.values_list("role", "description")) == []
    updates = AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type=INCIDENT_TYPE, object_id=str(incident.pk)
    )
    assert [event.detail for event in updates] == [{"version": 2}, {"version": 3}]


def test_a_bad_change_changes_nothing(world, staff, dsl):
    incident = record(staff, world.school_a)
    before = written()
    with pytest.raises(ValidationError) as raised:
        _update(
            dsl,
            incident,
            severity="unheard-of",
            parties=[PartyInput(role="victim", pupil_id=str(world.pupil_d.pk))],
        )
    assert set(raised.value.message_dict) == {"severity", "parties[0].pupil_id"}
    assert written() == before
    incident.refresh_from_db()
    assert (incident.version, incident.severity) == (1, "medium")


# Repeat victimisation -------------------------------------------------------------------------


def _victim_at(actor, world, when, pupil=None, role="victim"):
    return record(
        actor,
        world.school_a,
        occurred_at=when,
        parties=[PartyInput(role=role, pupil_id=str((pupil or world.pupil_a).pk))],
    )


def at(year, month, day):
    return datetime(year, month, day, 12, 30, tzinfo=UTC)


def test_a_victim_again_within_the_term_is_flagged(world, dsl):
    october = _victim_at(dsl, world, at(2025, 10, 6))
    december = _victim_at(dsl, world, at(2025, 12, 15))
    flagged = selectors.repeat_victims(incidents=Incident.objects.all())
    pupil = str(world.pupil_a.pk)
    assert flagged == {(str(october.pk), pupil), (str(december.pk), pupil)}


def test_victims_in_different_terms_are_not_flagged(world, dsl):
    _victim_at(dsl, world, at(2025, 12, 15))  # autumn term
    _victim_at(dsl, world, at(2026, 1, 12))  # spring term
    _victim_at(dsl, world, at(2026, 4, 20))  # summer term
    assert selectors.repeat_victims(incidents=Incident.objects.all()) == set()


def test_only_being_a_victim_twice_counts(world, dsl):
    other = PupilFactory(school=world.school_a)
    _victim_at(dsl, world, at(2025, 10, 6))
    _victim_at(dsl, world, at(2025, 10, 8), role="witness")
    _victim_at(dsl, world, at(2025, 10, 9), pupil=other)
    assert selectors.repeat_victims(incidents=Incident.objects.all()) == set()


# Who sees what was recorded -------------------------------------------------------------------


def test_a_member_of_staff_sees_what_they_recorded_and_no_colleague_does(
    world, staff, dsl, persona
):
    colleague = persona(Role.SCHOOL_STAFF, world.school_a)
    incident = record(staff, world.school_a)
    dsls_own = record(dsl, world.school_a)
    assert list(selectors.incident_list(user=staff)) == [incident]
    assert access.get_incident_for_user(staff, incident.pk, write=True) == incident
    assert list(selectors.incident_list(user=colleague)) == []
    with pytest.raises(Http404):
        access.get_incident_for_user(colleague, incident.pk)
    with pytest.raises(Http404):
        access.get_incident_for_user(staff, dsls_own.pk)
    assert set(selectors.incident_list(user=dsl)) == {incident, dsls_own}


def test_opening_an_incident_that_names_a_pupil_is_audited(world, dsl):
    named = record(dsl, world.school_a, parties=[PartyInput("victim", str(world.pupil_a.pk))])
    unnamed = record(dsl, world.school_a, parties=[PartyInput("witness", description="A man")])
    selectors.incident_get(user=dsl, incident_id=named.pk, source="test")
    selectors.incident_get(user=dsl, incident_id=unnamed.pk, source="test")
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type=INCIDENT_TYPE)
    assert list(views.values_list("object_id", flat=True)) == [str(named.pk)]


# Places ---------------------------------------------------------------------------------------


def _place(actor, school, **values):
    values.setdefault("name", "Bike sheds")
    values.setdefault("kind", "site_zone")
    return services.place_create(actor=actor, school=school, source="test", **values)


def test_a_leader_adds_a_place_with_coordinates_and_a_pin(world, dsl):
    place = _place(dsl, world.school_a, latitude=51.1725, longitude=-0.1625, plan_x=40, plan_y=62.5)
    place.refresh_from_db()
    assert (place.name, place.kind, place.school) == ("Bike sheds", "site_zone", world.school_a)
    assert (place.latitude, place.longitude, place.plan_x, place.plan_y) == (
        51.1725,
        -0.1625,
        40.0,
        62.5,
    )
    event = AuditEvent.objects.get(object_type="incidents.place")
    assert (event.action, event.actor_id) == (AuditAction.CREATE, dsl.pk)


BAD_PLACES = {
    "no name": ("name", {"name": " "}),
    "unknown kind": ("kind", {"kind": "castle"}),
    "latitude off the map": ("latitude", {"latitude": 12.0, "longitude": -0.1}),
    "latitude as text": ("latitude", {"latitude": "north", "longitude": -0.1}),
    "latitude without longitude": ("longitude", {"latitude": 51.2}),
    "pin off the plan": ("plan_x", {"plan_x": 101, "plan_y": 5}),
    "pin half given": ("plan_x", {"plan_y": 5}),
}


@pytest.mark.parametrize("case", BAD_PLACES)
def test_a_bad_place_names_the_field_and_adds_nothing(world, dsl, case):
    field, values = BAD_PLACES[case]
    before = (Place.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as raised:
        _place(dsl, world.school_a, **values)
    assert field in raised.value.message_dict
    assert (Place.objects.count(), AuditEvent.objects.count()) == before


def test_place_names_are_unique_within_a_school(world, dsl, dsl_b):
    _place(dsl, world.school_a, name="Bike sheds")
    with pytest.raises(ValidationError) as raised:
        _place(dsl, world.school_a, name="BIKE SHEDS")
    assert raised.value.message_dict["name"] == ["The school already has a place of that name"]
    assert _place(dsl_b, world.school_b, name="Bike sheds").school == world.school_b


@pytest.mark.parametrize("who", ["staff", "outside_officer", "dsl_b", "supervisor"])
def test_only_leaders_and_officers_keep_the_places(world, request, who):
    with pytest.raises(ValidationError) as raised:
        _place(request.getfixturevalue(who), world.school_a)
    assert "school_urn" in raised.value.message_dict
    assert not Place.objects.exists()


def test_the_place_list_is_for_those_who_work_at_the_school(world, dsl, staff, bike_sheds):
    Place.objects.create(school=world.school_a, name="Old hut", kind="site_zone", active=False)
    Place.objects.create(school=world.school_b, name="Field", kind="site_zone")
    assert [p.name for p in selectors.place_list(user=staff, school=world.school_a)] == [
        "Bike sheds"
    ]
    everything = selectors.place_list(user=dsl, school=world.school_a, active_only=False)
    assert [p.name for p in everything] == ["Bike sheds", "Old hut"]
    assert list(selectors.place_list(user=dsl, school=world.school_b)) == []


def test_a_change_keeps_a_retired_place_and_a_report_passed_to_a_colleague(world, persona, dsl):
    from saferschools.incidents import services as incident_services
    from saferschools.incidents.models import Place
    from saferschools.reporting.services import report_assign
    from saferschools.testing.factories import submit_report

    staff = persona(Role.SCHOOL_STAFF, world.school_a)
    report = submit_report(world.school_a).report
    report_assign(actor=dsl, report=report, assignee=staff, source="test")
    place = incident_services.place_create(
        actor=dsl, school=world.school_a, name="Old hut", kind="site_zone", source="test"
    )
    data = incident_services.IncidentInput(
        occurred_at=timezone.now() - timedelta(hours=2),
        location_kind="on_site",
        category="theft",
        severity="low",
        description="A bag taken.",
        place_id=str(place.pk),
        report_id=str(report.pk),
    )
    incident = incident_services.incident_record(
        actor=staff, school=world.school_a, data=data, source="test"
    )
    Place.objects.filter(pk=place.pk).update(active=False)
    report_assign(actor=dsl, report=report, assignee=dsl, source="test")
    changed = incident_services.incident_update(
        actor=staff, incident=incident, data=data, source="test"
    )
    assert (changed.place_id, changed.report_id, changed.version) == (place.pk, report.pk, 2)
