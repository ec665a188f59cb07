"""The incident log's pages: a school's incidents, recording and changing one, its page and
history, the places; and what other pages show of incidents (the pupil's record, the pupil's
report, the school page and the navigation)."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.core import access
from saferschools.core.context_processors import _incidents_item
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.incidents import services
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
PUPIL_TYPE = "casework.pupil"


# People and places ----------------------------------------------------------------------------


@pytest.fixture
def officer(world, persona):
    """The SSP officer deployed to partnership P (schools A and B)."""
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def dsl_b(world, persona):
    """The safeguarding lead of school B, in the same partnership as school A."""
    return persona(Role.SAFEGUARDING_LEAD, world.school_b)


@pytest.fixture
def other_area_dsl(world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_d)


@pytest.fixture
def supervisor(world, persona):
    return persona(Role.POLICE_SUPERVISOR, world.police)


@pytest.fixture
def colleague(world, persona):
    """Another member of staff at school A."""
    return persona(Role.SCHOOL_STAFF, world.school_a)


ALLOWED = ["dsl", "officer", "head"]
OUTSIDERS = ["outside_officer", "practitioner", "dsl_b", "other_area_dsl", "supervisor"]


@pytest.fixture
def bike_sheds(world):
    return Place.objects.create(
        school=world.school_a, name="Bike sheds", kind=PlaceKind.SITE_ZONE, plan_x=20, plan_y=30
    )


@pytest.fixture
def station_road(world):
    return Place.objects.create(
        school=world.school_a,
        name="Station Road stop",
        kind=PlaceKind.STOP,
        latitude=51.1725,
        longitude=-0.1625,
    )


def record(actor, school, **values) -> Incident:
    fields = {
        "occurred_at": timezone.now() - timedelta(hours=3),
        "location_kind": "on_site",
        "category": "assault",
        "severity": "medium",
        "description": "Pushed into the lockers\n<b>twice</b>",
    }
    fields.update(values)
    return services.incident_record(
        actor=actor, school=school, data=IncidentInput(**fields), source="test"
    )


@pytest.fixture
def incident(world, staff, bike_sheds):
    """Recorded by a member of staff at school A, naming a pupil as the victim."""
    return record(
        staff,
        world.school_a,
        place_id=bike_sheds.pk,
        parties=[
            PartyInput(role="victim", pupil_id=str(world.pupil_a.pk)),
            PartyInput(role="perpetrator", description="Adult in a grey hoodie"),
        ],
    )


def list_url(school):
    return reverse("incidents-list", args=[school.urn])


def record_url(school):
    return reverse("incidents-record", args=[school.urn])


def places_url(school):
    return reverse("incidents-places", args=[school.urn])


def incident_url(incident, name="incidents-incident"):
    return reverse(name, args=[incident.pk])


def views_of(incident, **detail):
    events = AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type=INCIDENT_TYPE, object_id=str(incident.pk)
    )
    return events.filter(detail=detail) if detail else events


def written():
    return (
        Incident.objects.count(),
        IncidentParty.objects.count(),
        IncidentRevision.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
        Notification.objects.count(),
        list(Incident.objects.values_list("version", "severity").order_by("id")),
    )


def form_data(world, **overrides):
    """What a browser sends for a good incident at school A, yesterday at 12:30."""
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "occurred_on_day": str(yesterday.day),
        "occurred_on_month": str(yesterday.month),
        "occurred_on_year": str(yesterday.year),
        "occurred_time": "12:30",
        "location_kind": "on_site",
        "place": "",
        "category": "assault",
        "severity": "high",
        "description": "Pushed off a bike by an adult at the gate.",
        "party_1_role": "victim",
        "party_1_pupil": str(world.pupil_a.pk),
        "party_1_description": "",
        "party_2_role": "perpetrator",
        "party_2_pupil": "",
        "party_2_description": "Adult man in a grey hoodie",
        "police_action": "none",
        "report_id": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def summary_links(response):
    """The error summary's (target, text) pairs."""

    body = response.content.decode()
    start = body.index("govuk-error-summary__list")
    end = body.index("</ul>", start)
    found = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', body[start:end])
    return [(target, html.unescape(text)) for target, text in found]


# A school's incidents ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ALLOWED)
def test_leaders_and_officers_see_the_schools_incidents(client, world, incident, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(list_url(world.school_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert incident.reference in body
    assert incident_url(incident) in body
    assert "Bike sheds" in body
    assert "On the school site" in body
    assert "Assault" in body
    # No pupil's name and nothing of what happened is in the list.
    assert world.pupil_a.family_name not in body
    assert "lockers" not in body
    assert [row.parties for row in response.context["rows"]] == [2]


def test_the_list_shows_uk_time_the_severity_and_who_recorded(client, world, dsl, staff):
    record(
        staff,
        world.school_a,
        occurred_at=datetime(2025, 7, 1, 9, 30, tzinfo=UTC),
        severity="critical",
    )
    client.force_login(dsl)
    body = client.get(list_url(world.school_a)).content.decode()
    assert "1 Jul 2025 10:30" in body
    assert '<strong class="govuk-tag govuk-tag--red">Critical</strong>' in body
    assert staff.full_name in body


def test_a_member_of_staff_sees_only_what_they_recorded(
    client, world, staff, colleague, dsl, incident
):
    dsls_own = record(dsl, world.school_a)
    client.force_login(staff)
    response = client.get(list_url(world.school_a))
    assert [row.incident for row in response.context["rows"]] == [incident]
    assert dsls_own.reference not in response.content.decode()
    client.force_login(colleague)
    response = client.get(list_url(world.school_a))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "No incidents match these filters." in response.content.decode()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_list_is_404_for_those_who_do_not_work_at_the_school(
    client, world, incident, request, who
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(list_url(world.school_a)).status_code == 404
    assert not views_of(incident).exists()


def test_an_unknown_school_is_404(client, dsl):
    client.force_login(dsl)
    assert client.get("/schools/1/incidents/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world, incident):
    for url in (list_url(world.school_a), record_url(world.school_a), incident_url(incident)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts-sign-in"))


def test_the_list_is_newest_first(client, world, dsl):
    older = record(dsl, world.school_a, occurred_at=timezone.now() - timedelta(days=3))
    newer = record(dsl, world.school_a, occurred_at=timezone.now() - timedelta(days=1))
    client.force_login(dsl)
    rows = client.get(list_url(world.school_a)).context["rows"]
    assert [row.incident for row in rows] == [newer, older]


def test_the_filters_narrow_the_list(client, world, dsl, bike_sheds, station_road):
    def at(day):
        return datetime(2025, 10, day, 12, tzinfo=UTC)

    sheds = record(dsl, world.school_a, occurred_at=at(6), place_id=bike_sheds.pk)
    stop = record(
        dsl,
        world.school_a,
        occurred_at=at(8),
        location_kind="journey",
        place_id=station_road.pk,
        category="theft",
    )
    online = record(
        dsl, world.school_a, occurred_at=at(10), location_kind="online", severity="critical"
    )
    client.force_login(dsl)

    def shown(**query):
        response = client.get(list_url(world.school_a), query)
        assert response.status_code == 200
        return [row.incident for row in response.context["rows"]]

    assert shown() == [online, stop, sheds]
    assert shown(since="2025-10-07") == [online, stop]
    assert shown(until="8/10/2025") == [stop, sheds]
    assert shown(since="7/10/2025", until="08/10/2025") == [stop]
    assert shown(category="theft") == [stop]
    assert shown(severity="critical") == [online]
    assert shown(location_kind="journey") == [stop]
    assert shown(place=str(bike_sheds.pk)) == [sheds]
    assert shown(severity="low") == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"since": "last week"}, "since", "Enter the first date as a date, for example 1/9/2025"),
        ({"until": "31/02/2025"}, "until", "Enter the last date as a date, for example 31/12/2025"),
        ({"until": "9999-12-31"}, "until", "Enter a date from 2000 to 2100"),
        ({"since": "0001-01-01"}, "since", "Enter a date from 2000 to 2100"),
        (
            {"since": "2025-10-08", "until": "2025-10-01"},
            "until",
            "The last date must be the same as or after the first date",
        ),
        ({"category": "jaywalking"}, "category", "Choose a category from the list"),
        ({"severity": "extreme"}, "severity", "Choose a severity from the list"),
        ({"location_kind": "moon"}, "location_kind", "Choose where from the list"),
        ({"place": "not-a-place"}, "place", "Choose one of the school's places"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(
    client, world, dsl, incident, query, field, message
):
    client.force_login(dsl)
    response = client.get(list_url(world.school_a), query)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert (f"id_{field}", message) in summary_links(response)
    assert incident.reference not in response.content.decode()
    assert not views_of(incident).exists()


def test_another_schools_place_is_not_a_filter(client, world, dsl, incident):
    elsewhere = Place.objects.create(school=world.school_b, name="Field", kind="site_zone")
    client.force_login(dsl)
    response = client.get(list_url(world.school_a), {"place": str(elsewhere.pk)})
    assert response.status_code == 400
    assert "place" in response.context["form"].errors


def test_htmx_gets_the_results_alone(client, world, dsl, incident):
    client.force_login(dsl)
    response = client.get(list_url(world.school_a), {"category": "assault"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="incident-results">')
    assert "<html" not in body
    assert incident.reference in body
    bad = client.get(list_url(world.school_a), {"category": "x"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert "Correct the filters to see incidents." in bad.content.decode()


def test_the_list_is_paginated_and_keeps_its_filters(client, world, dsl):
    for n in range(55):
        record(dsl, world.school_a, occurred_at=timezone.now() - timedelta(hours=n + 1))
    client.force_login(dsl)
    first = client.get(list_url(world.school_a), {"category": "assault"})
    assert len(first.context["rows"]) == 50
    assert "category=assault&amp;page=2" in first.content.decode()
    second = client.get(list_url(world.school_a), {"category": "assault", "page": "2"})
    assert len(second.context["rows"]) == 5
    assert client.get(list_url(world.school_a), {"page": "nonsense"}).status_code == 200


def test_listing_incidents_that_name_pupils_is_audited(client, world, dsl, incident):
    unnamed = record(dsl, world.school_a, parties=[PartyInput("witness", description="A man")])
    client.force_login(dsl)
    client.get(list_url(world.school_a))
    event = views_of(incident).get()
    assert (event.actor_id, event.source) == (dsl.pk, "web:incidents-list")
    assert not views_of(unnamed).exists()


def _list_queries(client, school):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(list_url(school)).status_code == 200
    return len(queries.captured_queries)


def _victim_incidents(actor, world, count):
    for _ in range(count):
        pupil = PupilFactory(school=world.school_a)
        place = Place.objects.create(
            school=world.school_a, name=f"Zone {Place.objects.count()}", kind="site_zone"
        )
        record(
            actor,
            world.school_a,
            place_id=place.pk,
            parties=[
                PartyInput("victim", str(pupil.pk)),
                PartyInput("witness", description="Dinner supervisor"),
            ],
        )


def test_list_queries_do_not_grow_with_incidents(client, world, dsl):
    client.force_login(dsl)
    _victim_incidents(dsl, world, 3)
    small = _list_queries(client, world.school_a)
    _victim_incidents(dsl, world, 30)
    large = _list_queries(client, world.school_a)
    assert large == small


def test_list_query_count_is_bounded(client, world, dsl, django_assert_max_num_queries):
    _victim_incidents(dsl, world, 20)
    client.force_login(dsl)
    # session, user, memberships, school, may record, places, count, page, parties, the audit
    # events (head lock, insert, head update and their savepoints), may keep places, may see
    # hotspots, the unread notifications of the navigation, and the session saved with its
    # savepoints.
    with django_assert_max_num_queries(20):
        assert client.get(list_url(world.school_a)).status_code == 200


def test_the_list_is_get_only(client, world, dsl):
    client.force_login(dsl)
    assert client.post(list_url(world.school_a)).status_code == 405


# Recording an incident --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "dsl", "officer", "head"])
def test_everyone_who_works_at_the_school_gets_the_form(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(record_url(world.school_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Record an incident" in body
    assert 'name="occurred_on_day"' in body
    assert 'name="party_6_role"' in body
    assert 'name="party_7_role"' not in body


def test_the_form_offers_the_schools_pupils_on_roll_and_its_places(
    client, world, staff, bike_sheds
):
    left = PupilFactory(school=world.school_a, family_name="Leaver", on_roll=False)
    Place.objects.create(school=world.school_a, name="Old hut", kind="site_zone", active=False)
    client.force_login(staff)
    response = client.get(record_url(world.school_a))
    body = response.content.decode()
    assert world.pupil_a.family_name in body
    assert "Leaver" not in body
    assert world.pupil_b.family_name not in body
    assert "Bike sheds (Zone of the school site)" in body
    assert "Old hut" not in body
    assert "No particular place" in body
    # The names offered are a listing of the register: each pupil's read is audited.
    event = AuditEvent.objects.get(object_type=PUPIL_TYPE, object_id=str(world.pupil_a.pk))
    assert (event.actor_id, event.detail) == (staff.pk, {"listing": True})
    assert not AuditEvent.objects.filter(object_id=str(left.pk)).exists()


def test_without_the_register_a_party_can_only_be_described(client, world, staff, monkeypatch):
    monkeypatch.setattr(access, "can_read_pupils", lambda user, school: False)
    client.force_login(staff)
    body = client.get(record_url(world.school_a)).content.decode()
    assert 'name="party_1_pupil"' not in body
    assert 'name="party_1_description"' in body
    assert world.pupil_a.family_name not in body
    response = client.post(
        record_url(world.school_a), form_data(world, party_1_pupil=None, party_1_description="")
    )
    assert response.status_code == 400
    assert ("id_party_1_description", "Party 1: describe the person") in summary_links(response)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_form_is_404_for_outsiders_and_records_nothing(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    before = written()
    assert client.get(record_url(world.school_a)).status_code == 404
    assert client.post(record_url(world.school_a), form_data(world)).status_code == 404
    assert written() == before


def test_recording_saves_the_incident_and_goes_to_it(client, world, staff, bike_sheds):
    client.force_login(staff)
    response = client.post(
        record_url(world.school_a),
        form_data(
            world,
            place=str(bike_sheds.pk),
            restorative_approach="on",
            restorative_outcome="Apology given",
            sanction="Detention",
            police_action="words_of_advice",
        ),
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == incident_url(incident)
    assert incident.recorded_by == staff
    assert incident.place == bike_sheds
    assert (incident.category, incident.severity) == ("assault", "high")
    assert incident.restorative_approach is True
    assert (incident.restorative_outcome, incident.sanction) == ("Apology given", "Detention")
    assert incident.police_action == "words_of_advice"
    local = timezone.localtime(incident.occurred_at)
    assert (local.date(), local.hour, local.minute) == (
        timezone.localdate() - timedelta(days=1),
        12,
        30,
    )
    parties = sorted(incident.parties.values_list("role", "pupil_id", "description"))
    assert parties == [
        ("perpetrator", None, "Adult man in a grey hoodie"),
        ("victim", world.pupil_a.pk, ""),
    ]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type=INCIDENT_TYPE)
    assert (event.actor_id, event.source) == (staff.pk, "web:incidents-record")
    page = client.get(response["Location"])
    assert f"Incident {incident.reference} recorded." in page.content.decode()
    assert not Notification.objects.exists()


def test_a_critical_incident_says_who_was_alerted(client, world, staff, dsl, head):
    client.force_login(staff)
    response = client.post(record_url(world.school_a), form_data(world, severity="critical"))
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "the head teacher, the safeguarding leads, the SSP officers and the police" in body
    assert set(Notification.objects.values_list("user", flat=True)) == {dsl.pk, head.pk}


def test_a_flagged_incident_is_critical(client, world, staff, dsl):
    client.force_login(staff)
    response = client.post(
        record_url(world.school_a), form_data(world, severity="low", flagged_critical="on")
    )
    assert response.status_code == 302
    assert Incident.objects.get().flagged_critical is True
    assert Notification.objects.filter(user=dsl).count() == 1


def test_empty_party_rows_are_ignored(client, world, staff):
    client.force_login(staff)
    response = client.post(
        record_url(world.school_a),
        form_data(
            world, party_1_role="", party_1_pupil="", party_2_role="", party_2_description=""
        ),
    )
    assert response.status_code == 302
    assert not IncidentParty.objects.exists()


def _other_schools_place(world):
    return str(Place.objects.create(school=world.school_b, name="Field", kind="site_zone").pk)


BAD_FORMS = {
    "no date": (
        {"occurred_on_day": "", "occurred_on_month": "", "occurred_on_year": ""},
        "id_occurred_on_0",
        "Enter the date it happened",
    ),
    "no month": (
        {"occurred_on_month": ""},
        "id_occurred_on_0",
        "The date it happened must include a month",
    ),
    "not a real date": (
        {"occurred_on_day": "31", "occurred_on_month": "2"},
        "id_occurred_on_0",
        "The date it happened must be a real date",
    ),
    "letters in the date": (
        {"occurred_on_day": "first"},
        "id_occurred_on_0",
        "The date it happened must be a real date",
    ),
    "two-digit year": (
        {"occurred_on_year": "25"},
        "id_occurred_on_0",
        "Year must include 4 numbers",
    ),
    "in the future": (
        {"occurred_on_year": str(timezone.localdate().year + 1)},
        "id_occurred_on_0",
        "An incident cannot be in the future",
    ),
    "no time": (
        {"occurred_time": ""},
        "id_occurred_time",
        "Enter the time it happened, for example 13:45",
    ),
    "not a time": (
        {"occurred_time": "25:70"},
        "id_occurred_time",
        "Enter the time it happened as hours and minutes, for example 13:45",
    ),
    "nowhere": ({"location_kind": None}, "id_location_kind_0", "Choose where it happened"),
    "unknown category": (
        {"category": "jaywalking"},
        "id_category",
        "Choose a category from the list",
    ),
    "no severity": ({"severity": None}, "id_severity_0", "Choose how severe it was"),
    "no description": ({"description": "  "}, "id_description", "Describe what happened"),
    "another school's place": (
        {"place": "OTHER_PLACE"},
        "id_place",
        "Choose one of the school's places",
    ),
    "place that does not fit": (
        {"place": "SHEDS", "location_kind": "journey"},
        "id_place",
        "Bike sheds is on the school site: choose a place that fits where it happened",
    ),
    "pupil of another school": (
        {"party_2_pupil": "PUPIL_B", "party_2_description": ""},
        "id_party_2_pupil",
        "Party 2: choose a pupil of this school",
    ),
    "party without a role": (
        {"party_2_role": ""},
        "id_party_2_role",
        "Party 2: choose a role (victim, perpetrator, witness or other)",
    ),
    "party that is nobody": (
        {"party_3_role": "witness"},
        "id_party_3_pupil",
        "Party 3: choose a pupil of the school or describe the person",
    ),
    "party both a pupil and described": (
        {"party_1_description": "Sam"},
        "id_party_1_description",
        "Party 1: choose a pupil or describe someone who is not a pupil here, not both",
    ),
    "party described at length": (
        {"party_2_description": "x" * 301},
        "id_party_2_description",
        "Party 2: use 300 characters or fewer to describe them",
    ),
    "unknown police action": (
        {"police_action": "tasered"},
        "id_police_action_0",
        "Choose a police action from the list",
    ),
    "sanction at length": (
        {"sanction": "x" * 501},
        "id_sanction",
        "Use 500 characters or fewer for the sanction",
    ),
}


@pytest.mark.parametrize("case", BAD_FORMS)
def test_bad_input_is_a_400_naming_the_field_and_records_nothing(
    client, world, staff, bike_sheds, case
):
    overrides, target, message = BAD_FORMS[case]
    swaps = {
        "OTHER_PLACE": _other_schools_place(world),
        "SHEDS": str(bike_sheds.pk),
        "PUPIL_B": str(world.pupil_b.pk),
    }
    overrides = {key: swaps.get(value, value) for key, value in overrides.items()}
    client.force_login(staff)
    before = written()
    response = client.post(record_url(world.school_a), form_data(world, **overrides))
    assert response.status_code == 400
    assert (target, message) in summary_links(response)
    body = response.content.decode()
    assert "<title>Error: Record an incident" in body
    assert html.unescape(body).count(message) == 2
    assert written() == before


def test_an_empty_form_names_every_field_it_needs(client, world, staff):
    client.force_login(staff)
    response = client.post(record_url(world.school_a), {})
    assert response.status_code == 400
    assert [target for target, _ in summary_links(response)] == [
        "id_occurred_on_0",
        "id_occurred_time",
        "id_location_kind_0",
        "id_category",
        "id_severity_0",
        "id_description",
        "id_police_action_0",
    ]
    assert not Incident.objects.exists()


def test_what_was_typed_comes_back_with_the_errors(client, world, staff):
    client.force_login(staff)
    response = client.post(
        record_url(world.school_a), form_data(world, description="", sanction="Detention")
    )
    body = response.content.decode()
    assert 'value="Detention"' in body
    assert 'value="Adult man in a grey hoodie"' in body
    assert f'<option value="{world.pupil_a.pk}" selected>' in body
    assert 'name="occurred_on_day" type="text" inputmode="numeric" value="' in body


def test_a_report_fills_in_the_form_and_is_linked(client, world, dsl):
    report = submit_report(world.school_a, category="weapons", location="journey").report
    client.force_login(dsl)
    response = client.get(record_url(world.school_a), {"report": str(report.pk)})
    body = response.content.decode()
    assert f'name="report_id" value="{report.pk}"' in body
    assert reverse("reporting-report", args=[report.pk]) in body
    assert response.context["form"].initial["category"] == "weapons"
    assert response.context["form"].initial["location_kind"] == "journey"
    response = client.post(record_url(world.school_a), form_data(world, report_id=str(report.pk)))
    assert response.status_code == 302
    assert Incident.objects.get().report == report


@pytest.mark.parametrize("where", ["school_c", "nowhere"])
def test_a_report_one_cannot_open_is_not_filled_in(client, world, dsl, staff, where):
    report = submit_report(world.school_a if where == "nowhere" else world.school_c).report
    # A member of staff cannot open the school's reports; the other school's is out of reach.
    client.force_login(staff if where == "nowhere" else dsl)
    response = client.get(record_url(world.school_a), {"report": str(report.pk)})
    assert response.status_code == 200
    assert str(report.pk) not in response.content.decode()
    assert client.get(record_url(world.school_a), {"report": "nonsense"}).status_code == 200


def test_a_report_of_another_school_sent_with_the_form_is_refused(client, world, dsl):
    report = submit_report(world.school_c).report
    client.force_login(dsl)
    before = written()
    response = client.post(record_url(world.school_a), form_data(world, report_id=str(report.pk)))
    assert response.status_code == 400
    assert "Choose a pupil&#x27;s report to this school that you can open" in (
        response.content.decode()
    )
    assert written() == before


def test_the_record_form_refuses_other_methods(client, world, staff):
    client.force_login(staff)
    assert client.put(record_url(world.school_a)).status_code == 405


# One incident -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", [*ALLOWED, "staff"])
def test_the_incident_page_shows_everything_recorded(client, world, incident, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(incident_url(incident))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Incident {incident.reference}" in body
    assert "Pushed into the lockers<br>&lt;b&gt;twice&lt;/b&gt;" in body
    assert "Bike sheds (Zone of the school site)" in body
    assert "Adult in a grey hoodie" in body
    assert reverse("casework-pupil", args=[world.pupil_a.pk]) in body
    assert world.pupil_a.name in body
    assert incident_url(incident, "incidents-edit") in body
    assert "Version</dt>" in body
    event = views_of(incident).get()
    assert (event.actor_id, event.source) == (user.pk, "web:incidents-incident")


@pytest.mark.parametrize("who", [*OUTSIDERS, "colleague"])
def test_the_incident_page_is_404_for_outsiders(client, incident, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(incident_url(incident)).status_code == 404
    assert not views_of(incident).exists()


def test_a_missing_or_malformed_incident_is_404(client, dsl):
    client.force_login(dsl)
    assert client.get("/incidents/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/incidents/not-an-incident/").status_code == 404


def test_an_incident_naming_no_pupil_is_not_audited_when_read(client, world, dsl):
    unnamed = record(dsl, world.school_a, parties=[PartyInput("witness", description="A man")])
    client.force_login(dsl)
    assert client.get(incident_url(unnamed)).status_code == 200
    assert not views_of(unnamed).exists()


def test_a_repeat_victim_is_tagged(client, world, dsl, incident):
    again = record(
        dsl,
        world.school_a,
        occurred_at=incident.occurred_at - timedelta(days=1),
        parties=[PartyInput("victim", str(world.pupil_a.pk))],
    )
    client.force_login(dsl)
    assert "Repeat victim this term" in client.get(incident_url(again)).content.decode()
    other = PupilFactory(school=world.school_a)
    first = record(dsl, world.school_a, parties=[PartyInput("victim", str(other.pk))])
    assert "Repeat victim this term" not in client.get(incident_url(first)).content.decode()


def test_the_linked_report_is_a_link_only_for_those_who_may_open_it(client, world, dsl, staff):
    report = submit_report(world.school_a).report
    incident = record(dsl, world.school_a, report_id=str(report.pk))
    client.force_login(dsl)
    assert reverse("reporting-report", args=[report.pk]) in (
        client.get(incident_url(incident)).content.decode()
    )
    shared = record(staff, world.school_a)
    Incident.objects.filter(pk=shared.pk).update(report=report)
    client.force_login(staff)
    body = client.get(incident_url(shared)).content.decode()
    assert f"Report {report.reference}" in body
    assert reverse("reporting-report", args=[report.pk]) not in body


def test_the_incident_page_is_get_only(client, dsl, incident):
    client.force_login(dsl)
    assert client.post(incident_url(incident)).status_code == 405


# Changing an incident ---------------------------------------------------------------------


def test_the_change_form_comes_filled_in(client, world, dsl, incident):
    client.force_login(dsl)
    response = client.get(incident_url(incident, "incidents-edit"))
    assert response.status_code == 200
    body = response.content.decode()
    local = timezone.localtime(incident.occurred_at)
    assert f'name="occurred_on_year" type="text" inputmode="numeric" value="{local.year}"' in body
    assert f'value="{local:%H:%M}"' in body
    assert f'<option value="{world.pupil_a.pk}" selected>' in body
    assert 'value="Adult in a grey hoodie"' in body
    assert f'<option value="{incident.place_id}" selected>' in body
    assert views_of(incident).exists()


def test_a_change_keeps_the_version_before_it(client, world, dsl, incident):
    client.force_login(dsl)
    data = form_data(world, severity="low")
    response = client.post(incident_url(incident, "incidents-edit"), data)
    assert response.status_code == 302
    assert response["Location"] == incident_url(incident)
    incident.refresh_from_db()
    assert (incident.version, incident.severity, incident.updated_by) == (2, "low", dsl)
    revision = IncidentRevision.objects.get()
    assert (revision.version, revision.snapshot["severity"]) == (1, "medium")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type=INCIDENT_TYPE)
    assert (event.actor_id, event.source) == (dsl.pk, "web:incidents-edit")
    page = client.get(response["Location"]).content.decode()
    assert f"Incident {incident.reference} changed." in page
    assert incident_url(incident, "incidents-history") in page


def test_becoming_critical_says_who_was_alerted(client, world, dsl, incident):
    client.force_login(dsl)
    response = client.post(
        incident_url(incident, "incidents-edit"), form_data(world, severity="critical")
    )
    page = client.get(response["Location"]).content.decode()
    assert "have been alerted" in page
    assert Notification.objects.filter(user=dsl).count() == 1


def test_the_recorder_may_change_it_and_a_colleague_may_not(
    client, world, staff, colleague, incident
):
    client.force_login(colleague)
    before = written()
    assert client.get(incident_url(incident, "incidents-edit")).status_code == 404
    response = client.post(incident_url(incident, "incidents-edit"), form_data(world))
    assert response.status_code == 404
    assert written() == before
    client.force_login(staff)
    response = client.post(incident_url(incident, "incidents-edit"), form_data(world))
    assert response.status_code == 302


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_change_form_is_404_for_outsiders(client, world, incident, request, who):
    client.force_login(request.getfixturevalue(who))
    before = written()
    assert client.get(incident_url(incident, "incidents-edit")).status_code == 404
    assert (
        client.post(incident_url(incident, "incidents-edit"), form_data(world)).status_code == 404
    )
    assert written() == before
    assert not views_of(incident).exists()


def test_a_bad_change_is_a_400_and_changes_nothing(client, world, dsl, incident):
    client.force_login(dsl)
    before = written()
    response = client.post(
        incident_url(incident, "incidents-edit"),
        form_data(
            world, severity=None, party_2_pupil=str(world.pupil_b.pk), party_2_description=""
        ),
    )
    assert response.status_code == 400
    assert summary_links(response) == [
        ("id_severity_0", "Choose how severe it was"),
        ("id_party_2_pupil", "Party 2: choose a pupil of this school"),
    ]
    assert written() == before
    # Shown again with the pupils involved: a read, audited.
    assert views_of(incident).count() == 1


def test_a_pupil_who_has_left_stays_a_choice_on_the_incident(client, world, dsl, incident):
    world.pupil_a.on_roll = False
    world.pupil_a.save()
    client.force_login(dsl)
    body = client.get(incident_url(incident, "incidents-edit")).content.decode()
    assert f"{world.pupil_a.school_pupil_id}, has left)" in body
    response = client.post(incident_url(incident, "incidents-edit"), form_data(world))
    assert response.status_code == 302


def test_an_incident_with_many_parties_gets_rows_for_all(client, world, dsl):
    many = record(
        dsl,
        world.school_a,
        parties=[PartyInput("witness", description=f"Witness {n}") for n in range(8)],
    )
    client.force_login(dsl)
    body = client.get(incident_url(many, "incidents-edit")).content.decode()
    assert 'value="Witness 7"' in body
    assert 'name="party_10_role"' in body
    assert 'name="party_11_role"' not in body


# History ----------------------------------------------------------------------------------


def _change(actor, incident, **values):
    current = {
        "occurred_at": incident.occurred_at,
        "location_kind": incident.location_kind,
        "category": incident.category,
        "severity": incident.severity,
        "description": incident.description,
        "place_id": incident.place_id,
        "parties": [],
    }
    current.update(values)
    return services.incident_update(
        actor=actor, incident=incident, data=IncidentInput(**current), source="test"
    )


def test_the_history_shows_each_earlier_version(client, world, dsl, staff, incident):
    changed = _change(dsl, incident, severity="high", description="Corrected")
    _change(dsl, changed, severity="critical")
    client.force_login(dsl)
    response = client.get(incident_url(incident, "incidents-history"))
    assert response.status_code == 200
    versions = response.context["versions"]
    assert [v.version for v in versions] == [1, 2]
    first, second = versions
    assert ("Severity", "Medium") in first.rows
    assert ("Severity", "High") in second.rows
    assert ("What happened", "Corrected") in second.rows
    assert ("Place", "Bike sheds") in first.rows
    assert first.written_by == staff.full_name
    assert first.replaced_by == dsl.full_name
    assert {p.pupil for p in first.parties} == {world.pupil_a, None}
    assert second.parties == []
    body = response.content.decode()
    assert world.pupil_a.name in body
    assert "Adult in a grey hoodie" in body
    event = views_of(incident, history=True).get()
    assert (event.actor_id, event.source) == (dsl.pk, "web:incidents-history")


def test_the_history_names_no_pupil_to_those_who_may_not_read_the_register(
    client, world, dsl, incident, monkeypatch
):
    _change(dsl, incident, severity="high")
    monkeypatch.setattr(access, "can_read_pupils", lambda user, school: False)
    client.force_login(dsl)
    body = client.get(incident_url(incident, "incidents-history")).content.decode()
    assert "A pupil of the school" in body
    assert world.pupil_a.family_name not in body


def test_an_unchanged_incident_has_no_earlier_versions(client, dsl, incident):
    client.force_login(dsl)
    response = client.get(incident_url(incident, "incidents-history"))
    assert "has not been changed since it was recorded" in response.content.decode()
    assert views_of(incident, history=True).exists()


@pytest.mark.parametrize("who", [*OUTSIDERS, "colleague"])
def test_the_history_is_404_for_outsiders(client, dsl, incident, request, who):
    _change(dsl, incident, severity="high")
    client.force_login(request.getfixturevalue(who))
    assert client.get(incident_url(incident, "incidents-history")).status_code == 404
    assert not views_of(incident).exists()


# Places -----------------------------------------------------------------------------------


def test_staff_see_the_places_but_cannot_add_one(client, world, staff, bike_sheds, station_road):
    client.force_login(staff)
    response = client.get(places_url(world.school_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bike sheds" in body
    assert "20% across, 30% down" in body
    assert "51.17250, -0.16250" in body
    assert "Add a place" not in body
    before = Place.objects.count()
    assert (
        client.post(places_url(world.school_a), {"name": "Gate", "kind": "site_zone"}).status_code
        == 404
    )
    assert Place.objects.count() == before


@pytest.mark.parametrize("who", ["dsl", "officer", "head"])
def test_leaders_and_officers_add_a_place(client, world, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert "Add a place" in client.get(places_url(world.school_a)).content.decode()
    response = client.post(
        places_url(world.school_a),
        {"name": "Front gate", "kind": "site_zone", "plan_x": "45", "plan_y": "90"},
    )
    assert response.status_code == 302
    assert response["Location"] == places_url(world.school_a)
    place = Place.objects.get(name="Front gate")
    assert (place.school, place.plan_x, place.plan_y) == (world.school_a, 45.0, 90.0)
    assert "Place “Front gate” added." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("data", "target", "message"),
    [
        ({"name": "", "kind": "site_zone"}, "place_name", "Enter the name of the place"),
        ({"name": "Gate"}, "place_kind_0", "Choose the kind of place"),
        (
            {"name": "Gate", "kind": "site_zone", "latitude": "north"},
            "place_latitude",
            "Enter the latitude as a number, for example 51.1725",
        ),
        (
            {"name": "Gate", "kind": "site_zone", "latitude": "51.2"},
            "place_longitude",
            "Give both latitude and longitude",
        ),
        (
            {"name": "Gate", "kind": "site_zone", "latitude": "99", "longitude": "0"},
            "place_latitude",
            "Give a number from 49 to 61",
        ),
        (
            {"name": "bike SHEDS", "kind": "site_zone"},
            "place_name",
            "The school already has a place of that name",
        ),
        (
            {"name": "Gate", "kind": "site_zone", "plan_x": "nan", "plan_y": "5"},
            "place_plan_x",
            "Enter how far across the plan as a number from 0 to 100",
        ),
    ],
)
def test_a_bad_place_is_a_400_naming_the_field(
    client, world, dsl, bike_sheds, data, target, message
):
    client.force_login(dsl)
    before = (Place.objects.count(), AuditEvent.objects.count())
    response = client.post(places_url(world.school_a), data)
    assert response.status_code == 400
    assert (target, message) in summary_links(response)
    assert (Place.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_places_are_404_for_those_who_do_not_work_at_the_school(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(places_url(world.school_a)).status_code == 404
    response = client.post(places_url(world.school_a), {"name": "Gate", "kind": "site_zone"})
    assert response.status_code == 404
    assert not Place.objects.exists()


# Incidents on other pages -----------------------------------------------------------------


def test_the_pupils_record_lists_their_incidents(client, world, dsl, incident):
    again = record(
        dsl,
        world.school_a,
        occurred_at=incident.occurred_at - timedelta(days=2),
        category="theft",
        parties=[PartyInput("victim", str(world.pupil_a.pk))],
    )
    witnessed = record(
        dsl,
        world.school_a,
        occurred_at=incident.occurred_at - timedelta(days=400),
        parties=[PartyInput("witness", str(world.pupil_a.pk))],
    )
    client.force_login(dsl)
    response = client.get(reverse("casework-pupil", args=[world.pupil_a.pk]))
    rows = response.context["incidents"]
    assert [(row.incident, row.role, row.repeat_victim) for row in rows] == [
        (incident, "Victim", True),
        (again, "Victim", True),
        (witnessed, "Witness", False),
    ]
    body = response.content.decode()
    assert incident_url(witnessed) in body
    assert body.count("Repeat victim this term") == 2
    for listed in (incident, again, witnessed):
        event = views_of(listed).filter(source="web:casework-pupil").get()
        assert event.actor_id == dsl.pk


def test_a_member_of_staff_sees_only_their_own_on_the_pupils_record(
    client, world, dsl, staff, incident
):
    dsls_own = record(dsl, world.school_a, parties=[PartyInput("witness", str(world.pupil_a.pk))])
    client.force_login(staff)
    response = client.get(reverse("casework-pupil", args=[world.pupil_a.pk]))
    assert [row.incident for row in response.context["incidents"]] == [incident]
    assert dsls_own.reference not in response.content.decode()


def test_a_pupil_without_incidents_says_so(client, world, dsl):
    client.force_login(dsl)
    response = client.get(reverse("casework-pupil", args=[world.pupil_a.pk]))
    assert response.context["incidents"] == []
    assert "No incident you can see involves this pupil." in response.content.decode()


def test_the_pupils_report_links_to_recording_an_incident_and_lists_them(client, world, dsl):
    report = submit_report(world.school_a).report
    client.force_login(dsl)
    report_url = reverse("reporting-report", args=[report.pk])
    body = client.get(report_url).content.decode()
    assert f'{record_url(world.school_a)}?report={report.pk}"' in body
    assert "Record an incident from this report" in body
    linked = record(
        dsl,
        world.school_a,
        report_id=str(report.pk),
        parties=[PartyInput("victim", str(world.pupil_a.pk))],
    )
    unlinked = record(dsl, world.school_a)
    response = client.get(report_url)
    assert [i.pk for i in response.context["incidents"]] == [linked.pk]
    body = response.content.decode()
    assert incident_url(linked) in body
    assert incident_url(unlinked) not in body
    assert views_of(linked).filter(source="web:reporting-report").exists()


@pytest.mark.parametrize("who", ["dsl", "staff"])
def test_the_school_page_links_to_the_incidents(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    body = client.get(reverse("core-school", args=[world.school_a.urn])).content.decode()
    assert f'href="{list_url(world.school_a)}"' in body
    assert f'href="{record_url(world.school_a)}"' in body


@pytest.mark.parametrize("role", [Role.POLICE_SUPERVISOR, Role.LA_ANALYST, Role.AREA_ADMIN])
def test_the_school_page_has_no_incident_links_for_those_who_do_not_record(
    client, world, persona, role
):
    client.force_login(persona(role, world.area))
    response = client.get(reverse("core-school", args=[world.school_a.urn]))
    assert response.status_code == 200
    assert list_url(world.school_a) not in response.content.decode()


def _nav(response):
    return {item.text: item for item in response.context["nav_items"]}


def test_the_navigation_has_incidents_for_those_who_record_them(client, world, staff, officer):
    client.force_login(staff)
    items = _nav(client.get(reverse("core-home")))
    assert items["Incidents"].href == list_url(world.school_a)
    assert not items["Incidents"].active
    assert _nav(client.get(list_url(world.school_a)))["Incidents"].active
    client.force_login(officer)
    items = _nav(client.get(reverse("core-home")))
    # An officer of a partnership chooses the school from the partnership's page.
    assert items["Incidents"].href == reverse("core-partnership", args=[world.p.pk])


def test_the_navigation_has_no_incidents_for_others(client, world, supervisor, practitioner):
    for user in (supervisor, practitioner):
        client.force_login(user)
        assert "Incidents" not in _nav(client.get(reverse("core-home")))


def test_the_incidents_item_costs_no_query(world, staff):
    access.memberships_of(staff)
    request = RequestFactory().get("/")
    request.user = staff
    with CaptureQueriesContext(connection) as queries:
        item = _incidents_item(request, staff)
    assert item is not None
    assert queries.captured_queries == []
