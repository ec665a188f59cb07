"""GET /api/v1/schools/<urn>/crime-nearby: who may ask, what it answers, and bad input."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditEvent
from saferschools.incidents.crime import crime_settings_update
from saferschools.incidents.models import CrimeMonth, PoliceCrime
from saferschools.testing.factories import SchoolFactory

pytestmark = pytest.mark.django_db

SEP, OCT = date(2023, 9, 1), date(2023, 10, 1)


def url(school) -> str:
    return reverse("api-school-crime-nearby", args=[school.urn])


@pytest.fixture
def api_for():
    """An APIClient that acts as ``user`` through a new API token."""

    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def crime_at(school, dx: int, dy: int, crime_type: str, month: date = SEP) -> None:
    batch, _ = CrimeMonth.objects.get_or_create(
        force="Surrey Police", month=month, defaults={"imported_at": timezone.now()}
    )
    PoliceCrime.objects.create(
        batch=batch,
        month=month,
        easting=school.easting + dx,
        northing=school.northing + dy,
        crime_type=crime_type,
    )


@pytest.fixture
def crimes(world):
    school = world.school_a
    crime_at(school, 0, 100, "Drugs")
    crime_at(school, 0, 200, "Drugs")
    crime_at(school, 300, 0, "Burglary")
    crime_at(school, 900, 0, "Robbery")
    crime_at(school, 0, 0, "Shoplifting", month=OCT)
    return school


def test_the_latest_month_when_none_is_asked_for(api_for, staff, crimes):
    response = api_for(staff).get(url(crimes))

    assert response.status_code == 200
    assert response.json() == {
        "month": "2023-10",
        "radius_m": 500,
        "total": 1,
        "by_type": {"Shoplifting": 1},
    }


def test_a_month_and_a_radius(api_for, staff, crimes):
    response = api_for(staff).get(url(crimes), {"month": "2023-09", "radius_m": "1000"})

    assert response.status_code == 200
    assert response.json() == {
        "month": "2023-09",
        "radius_m": 1000,
        "total": 4,
        "by_type": {"Drugs": 2, "Burglary": 1, "Robbery": 1},
    }
    assert list(response.json()["by_type"]) == ["Drugs", "Burglary", "Robbery"]


def test_the_areas_radius_by_default(api_for, staff, crimes, world):
    crime_settings_update(actor=None, area=world.area, radius_m=250, source="test")

    body = api_for(staff).get(url(crimes), {"month": "2023-09"}).json()

    assert (body["radius_m"], body["total"], body["by_type"]) == (250, 2, {"Drugs": 2})


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SCHOOL_STAFF, "school_a"),
        (Role.SAFEGUARDING_LEAD, "school_a"),
        (Role.HEAD_TEACHER, "school_a"),
        (Role.SSP_OFFICER, "p"),
        (Role.POLICE_SUPERVISOR, "police"),
        (Role.LA_ANALYST, "area"),
        (Role.STEERING_MEMBER, "p"),
        (Role.AREA_ADMIN, "area"),
        (Role.AGENCY_PRACTITIONER, "yot"),
        (Role.SAFEGUARDING_LEAD, "school_b"),  # a colleague school of the same partnership
    ],
)
def test_anyone_who_sees_the_school_may_ask(api_for, persona, world, crimes, role, scope):
    user = persona(role, getattr(world, scope))

    response = api_for(user).get(url(crimes), {"month": "2023-09"})

    assert response.status_code == 200
    assert response.json()["total"] == 3


def test_outsiders_get_404_as_for_a_missing_school(api_for, persona, world, crimes):
    outsider = persona(Role.SSP_OFFICER, world.r)  # another area's partnership
    client = api_for(outsider)

    hidden = client.get(url(crimes), {"month": "2023-09"})
    missing = client.get(reverse("api-school-crime-nearby", args=[999_999]))

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Not found."}


def test_outsiders_learn_nothing_from_bad_input(api_for, persona, world, crimes):
    outsider = persona(Role.SSP_OFFICER, world.r)

    response = api_for(outsider).get(url(crimes), {"month": "soon", "radius_m": "far"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_colleague_in_another_partnership_of_the_area_is_an_outsider(
    api_for, outside_officer, crimes
):
    assert api_for(outside_officer).get(url(crimes)).status_code == 404


def test_unauthenticated_calls_get_401(crimes):
    response = APIClient().get(url(crimes))

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2023-13"}, "month"),
        ({"month": "2023-9"}, "month"),
        ({"month": "September 2023"}, "month"),
        ({"month": "2023-09-01"}, "month"),
        ({"radius_m": "49"}, "radius_m"),
        ({"radius_m": "5001"}, "radius_m"),
        ({"radius_m": "half a mile"}, "radius_m"),
        ({"radius_m": "500.5"}, "radius_m"),
    ],
)
def test_bad_input_is_400_naming_the_field(api_for, staff, crimes, params, field):
    response = api_for(staff).get(url(crimes), params)

    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {field}
    assert field in body["detail"]


def test_empty_parameters_are_as_if_not_given(api_for, staff, crimes):
    response = api_for(staff).get(url(crimes), {"month": "", "radius_m": ""})

    assert response.status_code == 200
    assert (response.json()["month"], response.json()["radius_m"]) == ("2023-10", 500)


def test_bad_month_and_radius_are_both_named(api_for, staff, crimes):
    response = api_for(staff).get(url(crimes), {"month": "x", "radius_m": "0"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"month", "radius_m"}
    assert response.json()["errors"]["month"] == ["Give a month as YYYY-MM, e.g. 2023-09"]


def test_no_month_imported_is_404_naming_month(api_for, dsl, world):
    response = api_for(dsl).get(url(world.school_a))

    assert response.status_code == 404
    body = response.json()
    assert set(body["errors"]) == {"month"}
    assert "No crime data has been imported" in body["detail"]


def test_a_month_not_imported_is_404_naming_it(api_for, staff, crimes):
    response = api_for(staff).get(url(crimes), {"month": "2019-01"})

    assert response.status_code == 404
    assert response.json()["errors"]["month"] == [
        "No crime data for 2019-01 has been imported for this school's police force area."
    ]


def test_another_forces_months_are_not_the_schools_latest(api_for, persona, world, crimes):
    # Crimes imported for Surrey only: the other area's school has no month of its own.
    user = persona(Role.SAFEGUARDING_LEAD, world.school_d)

    response = api_for(user).get(url(world.school_d))

    assert response.status_code == 404
    assert "month" in response.json()["errors"]


def test_a_school_without_a_location_is_404_saying_so(api_for, persona, world, crimes):
    school = SchoolFactory(area=world.area, easting=None, northing=None)
    user = persona(Role.SAFEGUARDING_LEAD, school)

    response = api_for(user).get(url(school), {"month": "2023-09"})

    assert response.status_code == 404
    assert response.json() == {"detail": "The school register gives no location for this school."}


def test_reading_public_crime_data_writes_no_audit_event(api_for, staff, crimes):
    client = api_for(staff)
    before = AuditEvent.objects.count()

    client.get(url(crimes))

    assert AuditEvent.objects.count() == before


def test_only_get_is_allowed(api_for, staff, crimes):
    response = api_for(staff).post(url(crimes), {}, format="json")

    assert response.status_code == 405


def test_the_schema_describes_the_endpoint(api_for, staff):
    import yaml

    schema = yaml.safe_load(api_for(staff).get("/api/v1/schema/").content)

    operation = schema["paths"]["/api/v1/schools/{urn}/crime-nearby"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"urn", "month", "radius_m"}
    assert set(operation["responses"]) >= {"200", "400", "404"}
    output = schema["components"]["schemas"]["CrimeNearbyOutput"]
    assert set(output["properties"]) == {"month", "radius_m", "total", "by_type"}
