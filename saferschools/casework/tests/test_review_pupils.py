"""Pupils listed to a practitioner through a sharing grant, and what a pupil's page costs as the
incidents naming the pupil grow."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework import selectors
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.incidents.models import Incident, IncidentParty
from saferschools.lib.schooldays import LONDON
from saferschools.sharing.models import SharingDecision
from saferschools.testing.factories import MembershipFactory

from .test_chronology import decide

pytestmark = pytest.mark.django_db


def listing_events(pupil):
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        object_type="casework.pupil",
        object_id=str(pupil.pk),
        detail__listing=True,
    )


def test_the_pupils_api_names_the_grant_of_each_pupil_a_practitioner_is_shown(
    client, world, dsl, practitioner
):
    shared = decide(world.pupil_a, world.yot, dsl)
    client.force_login(practitioner)
    response = client.get("/api/v1/pupils")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [str(world.pupil_a.pk)]
    (event,) = listing_events(world.pupil_a)
    assert event.actor_id == practitioner.pk
    assert event.detail == {"listing": True, "grant": str(shared.pk)}
    assert event.source == "api:api-pupils"


def test_a_listing_names_each_pupils_own_grant_and_none_for_the_schools_case_workers(
    world, dsl, persona
):
    # Someone who is both a case worker at school A and a practitioner granted pupils of A
    # and of C: the pupil of A is theirs to see anyway, the pupil of C through the grant.
    both = persona(Role.SAFEGUARDING_LEAD, world.school_a)
    MembershipFactory(user=both, role=Role.AGENCY_PRACTITIONER, agency=world.yot)
    decide(world.pupil_a, world.yot, dsl)
    through_c = decide(world.pupil_c, world.yot, dsl)
    older_c = decide(world.pupil_c, world.yot, dsl, decided_at=timezone.now() - timedelta(days=2))
    assert older_c.pk != through_c.pk
    selectors.audit_listing(user=both, pupils=[world.pupil_a, world.pupil_c], source="test")
    assert listing_events(world.pupil_a).get().detail == {"listing": True}
    assert listing_events(world.pupil_c).get().detail == {
        "listing": True,
        "grant": str(through_c.pk),
    }


def test_an_expired_grant_lists_nothing_in_the_api(client, world, dsl, practitioner):
    decide(world.pupil_a, world.yot, dsl)
    SharingDecision.objects.update(expires_on=timezone.localdate())
    client.force_login(practitioner)
    response = client.get("/api/v1/pupils")
    assert response.status_code == 200
    assert response.json() == []
    assert not listing_events(world.pupil_a).exists()


def _victim_incident(world, dsl, pupil, days_ago):
    at = timezone.now() - timedelta(days=days_ago)
    incident = Incident.objects.create(
        school=world.school_a,
        occurred_at=at,
        recorded_at=at,
        recorded_by=dsl,
        location_kind="on_site",
        category="bullying",
        severity="medium",
        description="Pushed at break.",
        updated_at=at,
        updated_by=dsl,
    )
    IncidentParty.objects.create(incident=incident, role="victim", pupil=pupil)
    # Another pupil was a victim too: their history is not the page's concern.
    IncidentParty.objects.create(incident=incident, role="victim", pupil=world.pupil_b)
    return incident


def test_the_pupils_page_costs_the_same_however_many_incidents_name_them(client, world, dsl):
    _victim_incident(world, dsl, world.pupil_a, 1)
    _victim_incident(world, dsl, world.pupil_a, 2)
    client.force_login(dsl)
    url = reverse("casework-pupil", args=[world.pupil_a.pk])
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    for days in range(3, 9):
        _victim_incident(world, dsl, world.pupil_a, days)
    with CaptureQueriesContext(connection) as eight:
        page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["incidents"]) == 8
    assert len(eight) == len(two)


@time_machine.travel(datetime(2026, 3, 10, 12, 0, tzinfo=LONDON), tick=False)
def test_a_victim_again_within_the_term_is_flagged(client, world, dsl):
    first = _victim_incident(world, dsl, world.pupil_a, 1)
    # The autumn term before: not the same term.
    long_ago = _victim_incident(world, dsl, world.pupil_a, 100)
    client.force_login(dsl)
    url = reverse("casework-pupil", args=[world.pupil_a.pk])
    flags = {row.incident.pk: row.repeat_victim for row in client.get(url).context["incidents"]}
    assert flags == {first.pk: False, long_ago.pk: False}
    again = _victim_incident(world, dsl, world.pupil_a, 0)
    flags = {row.incident.pk: row.repeat_victim for row in client.get(url).context["incidents"]}
    assert flags == {first.pk: True, again.pk: True, long_ago.pk: False}


def test_the_repeat_victim_tag_counts_only_incidents_the_viewer_sees(client, world, dsl, staff):
    # The member of staff sees the incident they recorded, not the lead's: the tag must not
    # tell them that another exists.
    mine = _victim_incident(world, staff, world.pupil_a, 1)
    _victim_incident(world, dsl, world.pupil_a, 0)
    url = reverse("casework-pupil", args=[world.pupil_a.pk])
    client.force_login(staff)
    flags = {row.incident.pk: row.repeat_victim for row in client.get(url).context["incidents"]}
    assert flags == {mine.pk: False}
    client.force_login(dsl)
    flags = {row.incident.pk: row.repeat_victim for row in client.get(url).context["incidents"]}
    assert set(flags.values()) == {True}
