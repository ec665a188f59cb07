"""The records behind a school's computed figure: for those who see the school's records only
(others get 404, and no link to it), each record linked to its own page, filtered by category,
in pages, and every record listed audited as a read."""

from urllib.parse import quote

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saferschools.accounts.models import Role
from saferschools.core.models import AuditEvent
from saferschools.incidents.models import IncidentParty
from saferschools.reporting.models import Report

from .dashboard_world import NOW, at, incident, incidents, report, reports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def records_url(school, code: str, period: str, query: str = "") -> str:
    url = f"/schools/{school.urn}/dashboard/{code}/{quote(period)}/"
    return f"{url}?{query}" if query else url


def views() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="view").order_by("seq"))


def test_the_incidents_behind_a_figure_link_to_their_pages_and_are_audited(client, world, dsl):
    bullying = incident(world.school_a, at(2026, 1, 12, 10), dsl)
    theft = incident(world.school_a, at(2025, 10, 7, 10), dsl, category="theft")
    incident(world.school_a, at(2025, 7, 1, 10), dsl)  # the year before
    incident(world.school_b, at(2026, 1, 12, 10), dsl)  # another school
    client.force_login(dsl)

    response = client.get(records_url(world.school_a, "incidents", "2025/26"))

    assert response.status_code == 200
    assert response.context["records"] == [bullying, theft]
    page = response.content.decode()
    assert f'href="/incidents/{bullying.pk}/"' in page
    assert f'href="/incidents/{theft.pk}/"' in page
    assert "Pushed against the lockers" not in page
    events = views()
    assert [(e.object_type, e.object_id) for e in events] == [
        ("incidents.incident", str(bullying.pk)),
        ("incidents.incident", str(theft.pk)),
    ]
    assert events[0].source == "web:outcomes-dashboard-records"
    assert events[0].detail == {"indicator": "incidents", "period": "2025/26"}


def test_the_reports_behind_a_rate_for_a_term_by_category(client, world, dsl):
    hate = report(world.school_a, at(2026, 2, 2, 10), category="hate")
    report(world.school_a, at(2026, 2, 3, 10))
    report(world.school_a, at(2025, 11, 3, 10), category="hate")  # the autumn term
    client.force_login(dsl)

    response = client.get(
        records_url(world.school_a, "reports_per_100", "2025/26 spring", "category=hate")
    )

    assert response.status_code == 200
    assert response.context["records"] == [hate]
    assert f'href="/reports/{hate.pk}/"' in response.content.decode()
    assert (
        "Pupils' reports received, 2025/26 spring: Hate or prejudice"
        in response.content.decode().replace("&#x27;", "'")
    )
    assert [e.object_id for e in views() if e.object_type == "reporting.report"] == [str(hate.pk)]


def test_the_reports_behind_the_time_to_close_are_those_closed_in_the_period(client, world, dsl):
    closed = report(world.school_a, at(2025, 12, 1, 10))
    Report.objects.filter(pk=closed.pk).update(
        status="closed", closed_at=at(2026, 1, 5, 10), outcome="advice_given"
    )
    report(world.school_a, at(2026, 1, 2, 10))  # still open
    client.force_login(dsl)

    response = client.get(records_url(world.school_a, "report_days_to_close", "2026-01"))

    assert [r.pk for r in response.context["records"]] == [closed.pk]


def test_the_incidents_behind_repeat_victimisation_name_a_pupil_as_victim_once_each(
    client, world, dsl
):
    from saferschools.testing.factories import PupilFactory

    twice = incident(world.school_a, at(2026, 1, 12, 10), dsl)
    for pupil in (world.pupil_a, PupilFactory(school=world.school_a)):
        IncidentParty.objects.create(incident=twice, role="victim", pupil=pupil)
    witnessed = incident(world.school_a, at(2026, 1, 13, 10), dsl)
    IncidentParty.objects.create(incident=witnessed, role="witness", pupil=world.pupil_a)
    client.force_login(dsl)

    response = client.get(records_url(world.school_a, "repeat_victimisation", "2025/26"))

    assert response.context["records"] == [twice]


def test_a_bad_category_is_named_and_nothing_is_read(client, world, dsl):
    incident(world.school_a, at(2026, 1, 12, 10), dsl)
    client.force_login(dsl)

    response = client.get(records_url(world.school_a, "incidents", "2025/26", "category=%00nope"))

    assert response.status_code == 400
    assert "Choose one of the categories in the list" in response.content.decode()
    assert views() == []


def test_the_records_come_in_pages_each_page_audited(client, world, dsl):
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 55)
    client.force_login(dsl)

    first = client.get(records_url(world.school_a, "incidents", "2025/26"))
    second = client.get(records_url(world.school_a, "incidents", "2025/26", "page=2"))
    beyond = client.get(records_url(world.school_a, "incidents", "2025/26", "page=99999999999"))

    assert len(first.context["records"]) == 50
    assert len(second.context["records"]) == 5
    assert len(beyond.context["records"]) == 5
    assert "55 records, 1 to 50 shown" in first.content.decode()
    assert len(views()) == 60


def test_a_page_of_records_costs_the_same_queries_however_many(client, world, dsl):
    client.force_login(dsl)
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(records_url(world.school_a, "incidents", "2025/26"))
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 40)
    with CaptureQueriesContext(connection) as many:
        client.get(records_url(world.school_a, "incidents", "2025/26"))

    assert len(many) == len(few) <= 20


@pytest.mark.parametrize(
    "role,scope",
    [
        (Role.LA_ANALYST, "area"),
        (Role.STEERING_MEMBER, "p"),
        (Role.POLICE_SUPERVISOR, "police"),
        (Role.SCHOOL_STAFF, "school_a"),  # records incidents, but sees only their own
        (Role.SSP_OFFICER, "q"),
        (Role.AGENCY_PRACTITIONER, "yot"),
    ],
)
def test_those_who_do_not_see_the_schools_records_get_not_found(
    client, world, dsl, persona, role, scope
):
    incident(world.school_a, at(2026, 1, 12, 10), dsl)
    client.force_login(persona(role, getattr(world, scope)))

    assert client.get(records_url(world.school_a, "incidents", "2025/26")).status_code == 404
    assert views() == []


@pytest.mark.parametrize(
    "code,period",
    [
        ("officer_hours", "2025/26"),  # the officers' work: no records about pupils behind it
        ("persistent_absence", "2025/26"),  # published
        ("no_such_thing", "2025/26"),
        ("incidents", "2025/27"),
        ("incidents", "2025%2F26%20winter"),
        ("incidents", "x" * 300),
    ],
)
def test_what_names_no_figure_is_not_found(client, world, dsl, code, period):
    client.force_login(dsl)

    assert (
        client.get(f"/schools/{world.school_a.urn}/dashboard/{code}/{period}/").status_code == 404
    )


def test_an_officer_of_the_partnership_reads_them_too(client, world, dsl, persona):
    incidents(world.school_b, at(2026, 1, 12, 10), dsl, 2)
    client.force_login(persona(Role.SSP_OFFICER, world.p))

    response = client.get(records_url(world.school_b, "incidents", "2026-01"))

    assert response.status_code == 200
    assert len(response.context["records"]) == 2


def test_only_those_who_see_the_records_get_links_to_them(client, world, dsl, persona):
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 6)
    reports(world.school_a, at(2026, 1, 12, 10), 6)
    dashboard = f"/schools/{world.school_a.urn}/dashboard/?indicator=incidents"
    link = f"/schools/{world.school_a.urn}/dashboard/incidents/2025/26/"

    client.force_login(dsl)
    with_links = client.get(dashboard).content.decode()
    client.force_login(persona(Role.LA_ANALYST, world.area))
    without = client.get(dashboard).content.decode()

    assert f'href="{link}"' in with_links
    assert f'href="{link}?category=bullying"' in with_links
    assert "/dashboard/incidents/2024/25/" not in with_links  # nothing recorded: no list
    assert "/dashboard/incidents/" not in without
