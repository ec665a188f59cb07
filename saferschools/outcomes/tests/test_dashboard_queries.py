"""The dashboards cost a fixed number of queries, whatever the number of schools and records:
an area's over some 400 schools as over 40."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saferschools.accounts.models import Role
from saferschools.core.models import School

from .dashboard_world import NOW, at, incidents, published, reports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def more_schools(area, count: int, start: int) -> list[School]:
    return School.objects.bulk_create(
        School(urn=800000 + start + n, name=f"Extra {start + n}", area=area, number_of_pupils=500)
        for n in range(count)
    )


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_an_areas_dashboard_over_400_schools_costs_what_it_does_over_40(
    client, world, dsl, persona
):
    client.force_login(persona(Role.LA_ANALYST, world.area))
    url = f"/areas/{world.area.pk}/dashboard/"
    few = more_schools(world.area, 35, 0)
    for one in few[:5]:
        incidents(one, at(2026, 1, 12, 10), dsl, 3)
        published(one, "persistent_absence", "2024/25", "12.0")
    client.get(url)  # the first reading of the catalogue, templates and the like

    over_40 = queries(client, url)
    many = more_schools(world.area, 360, 100)
    for one in many[:20]:
        incidents(one, at(2025, 11, 3, 10), dsl, 2)
        reports(one, at(2025, 11, 3, 10), 1)
        published(one, "persistent_absence", "2024/25", "9.5")
    over_400 = queries(client, url)

    assert School.objects.filter(area=world.area).count() == 399
    assert over_400 == over_40


def test_one_indicator_of_an_area_by_partnership_costs_the_same_over_more_schools(
    client, world, dsl, persona
):
    client.force_login(persona(Role.LA_ANALYST, world.area))
    url = f"/areas/{world.area.pk}/dashboard/?indicator=incidents_per_100&kind=term"
    more_schools(world.area, 10, 0)
    client.get(url)

    before = queries(client, url)
    for one in more_schools(world.area, 100, 100)[:10]:
        incidents(one, at(2026, 1, 12, 10), dsl, 4)

    assert queries(client, url) == before


def test_a_schools_and_a_partnerships_dashboards_cost_the_same_with_more_records(
    client, world, dsl
):
    client.force_login(dsl)
    school = f"/schools/{world.school_a.urn}/dashboard/"
    partnership = f"/partnerships/{world.p.pk}/dashboard/?kind=month"
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 1)
    client.get(school)
    client.get(partnership)

    before = (queries(client, school), queries(client, partnership))
    incidents(world.school_a, at(2025, 10, 12, 10), dsl, 30, category="theft")
    incidents(world.school_b, at(2026, 2, 12, 10), dsl, 12)
    reports(world.school_b, at(2026, 2, 12, 10), 8)

    assert (queries(client, school), queries(client, partnership)) == before
    assert before[0] < 80
