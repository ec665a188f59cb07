"""Counting published crime near schools: the radius, months, forces, the area's settings, many
schools at once, the real Surrey months around Oakwood School, and the school's page."""

import io
import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role, User
from saferschools.core.models import Agency, AuditEvent, School
from saferschools.incidents.crime import (
    NearbyCrime,
    crime_forces,
    crime_latest_month,
    crime_month_imported,
    crime_months,
    crime_nearby,
    crime_nearby_by_month,
    crime_nearby_schools,
    crime_settings,
    crime_settings_update,
)
from saferschools.incidents.demo import demo_crime
from saferschools.incidents.models import CrimeMonth, PoliceCrime
from saferschools.incidents.models.crime import CrimeSettings
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in
from saferschools.testing.factories import AgencyFactory, SchoolFactory

pytestmark = pytest.mark.django_db

SEP, OCT, NOV = date(2023, 9, 1), date(2023, 10, 1), date(2023, 11, 1)
# Oakwood School, Horley, as the DfE register places it.
OAKWOOD = {"urn": 125273, "name": "Oakwood School", "easting": 529037, "northing": 143173}


def batch(month: date = SEP, force: str = "Surrey Police") -> CrimeMonth:
    found = CrimeMonth.objects.filter(force=force, month=month).first()
    return found or CrimeMonth.objects.create(force=force, month=month, imported_at=timezone.now())


def crime_at(school, dx: int, dy: int, crime_type: str = "Burglary", **where) -> PoliceCrime:
    """A crime ``dx`` metres east and ``dy`` metres north of the school."""
    month_batch = batch(**where)
    return PoliceCrime.objects.create(
        batch=month_batch,
        month=month_batch.month,
        easting=school.easting + dx,
        northing=school.northing + dy,
        longitude=-0.16,
        latitude=51.17,
        crime_type=crime_type,
    )


# The radius


def test_counts_the_crimes_within_the_radius_edge_included(world):
    school = world.school_a
    crime_at(school, 0, 0)
    crime_at(school, 500, 0)  # on the edge
    crime_at(school, 0, -499)
    crime_at(school, 300, 400)  # exactly 500 m away diagonally
    crime_at(school, 0, 501)
    crime_at(school, 354, 354)  # 500.6 m away
    crime_at(school, 3000, 3000)

    nearby = crime_nearby(school=school, month=SEP)

    assert nearby == NearbyCrime(SEP, 500, 4, {"Burglary": 4})


def test_counts_by_type_most_frequent_first(world):
    school = world.school_a
    for _ in range(3):
        crime_at(school, 10, 10, "Violence and sexual offences")
    crime_at(school, 10, 10, "Anti-social behaviour")
    crime_at(school, 10, 10, "Drugs")
    crime_at(school, 10, 10, "Drugs")

    nearby = crime_nearby(school=school, month=SEP)

    assert nearby.total == 6
    assert list(nearby.by_type.items()) == [
        ("Violence and sexual offences", 3),
        ("Drugs", 2),
        ("Anti-social behaviour", 1),
    ]
    assert nearby.as_dict() == {
        "month": "2023-09",
        "radius_m": 500,
        "total": 6,
        "by_type": {"Violence and sexual offences": 3, "Drugs": 2, "Anti-social behaviour": 1},
    }


def test_a_radius_given_overrides_the_areas(world):
    school = world.school_a
    crime_at(school, 0, 100)
    crime_at(school, 0, 900)
    crime_at(school, 0, 2100)

    assert crime_nearby(school=school, month=SEP, radius_m=50).total == 0
    assert crime_nearby(school=school, month=SEP, radius_m=1000).total == 2
    assert crime_nearby(school=school, month=SEP, radius_m=5000).total == 3


def test_the_areas_radius_is_used(world):
    school = world.school_a
    crime_at(school, 0, 900)
    crime_settings_update(actor=None, area=world.area, radius_m=1000, source="test")

    nearby = crime_nearby(school=school, month=SEP)

    assert (nearby.radius_m, nearby.total) == (1000, 1)
    assert crime_nearby(school=world.school_d, month=SEP).radius_m == 500


def test_rows_without_location_are_never_counted(world):
    school = world.school_a
    crime_at(school, 0, 0)
    PoliceCrime.objects.create(batch=batch(), month=SEP, crime_type="Drugs")

    assert crime_nearby(school=school, month=SEP).total == 1


def test_a_month_counts_only_its_own_crimes(world):
    school = world.school_a
    crime_at(school, 0, 0, month=SEP)
    crime_at(school, 0, 0, month=OCT)
    crime_at(school, 0, 0, month=OCT)

    assert crime_nearby(school=school, month=SEP).total == 1
    assert crime_nearby(school=school, month=OCT).total == 2
    assert crime_nearby(school=school, month=NOV).total == 0


def test_a_neighbouring_forces_crimes_across_the_boundary_count(world):
    school = world.school_a
    crime_at(school, 0, 0)
    crime_at(school, 0, -200, force="Sussex Police")

    assert crime_nearby(school=school, month=SEP).total == 2


def test_a_school_without_a_location_cannot_be_counted(world):
    school = SchoolFactory(area=world.area, easting=None, northing=None)

    with pytest.raises(ValueError, match="no location"):
        crime_nearby(school=school, month=SEP)


def test_one_query_for_several_months(world, django_assert_num_queries):
    school = world.school_a
    crime_at(school, 0, 0, month=SEP)
    crime_at(school, 0, 0, month=OCT)
    school.area  # noqa: B018 - loaded here, as the page has it

    with django_assert_num_queries(2):  # the area's settings, then the crimes
        months = crime_nearby_by_month(school=school, months=[SEP, OCT])

    assert [(m.month, m.total) for m in months] == [(OCT, 1), (SEP, 1)]


# Months and forces


def test_months_are_the_areas_forces_newest_first(world):
    for month in (SEP, OCT, NOV):
        batch(month)
    batch(date(2023, 12, 1), force="Hampshire Constabulary")

    assert crime_forces(world.area) == ["Surrey Police"]
    assert crime_months(school=world.school_a) == [NOV, OCT, SEP]
    assert crime_months(school=world.school_a, limit=2) == [NOV, OCT]
    assert crime_latest_month(school=world.school_a) == NOV
    assert crime_month_imported(school=world.school_a, month=SEP)
    assert not crime_month_imported(school=world.school_a, month=date(2023, 12, 1))


def test_forces_match_whatever_their_case(world):
    batch(SEP, force="SURREY POLICE")

    assert crime_latest_month(school=world.school_a) == SEP


def test_no_month_when_the_areas_force_has_none(world):
    batch(SEP, force="Hampshire Constabulary")

    # The other area's police force agency is "Hampshire Police": not the published name.
    assert crime_latest_month(school=world.school_d) is None
    assert crime_nearby_by_month(school=world.school_d) == []


def test_the_settings_name_the_force_as_published(world):
    batch(SEP, force="Hampshire Constabulary")
    crime_settings_update(
        actor=None, area=world.other_area, radius_m=500, force="Hampshire Constabulary", source="t"
    )

    assert crime_forces(world.other_area) == ["Hampshire Constabulary"]
    assert crime_latest_month(school=world.school_d) == SEP


def test_an_area_naming_no_force_takes_every_forces_months():
    school = SchoolFactory()
    batch(OCT, force="Anywhere Police")

    assert crime_forces(school.area) == []
    assert crime_latest_month(school=school) == OCT


def test_several_police_force_agencies_share_their_months(world):
    AgencyFactory(area=world.area, name="British Transport Police", kind=Agency.Kind.POLICE_FORCE)
    batch(SEP)
    batch(OCT, force="British Transport Police")

    assert crime_forces(world.area) == ["British Transport Police", "Surrey Police"]
    assert crime_months(school=world.school_a) == [OCT, SEP]


# The area's settings


def test_settings_default_to_500_metres(world):
    settings = crime_settings(world.area)

    assert settings.radius_m == 500
    assert settings.force == ""
    assert settings.pk is None


def test_settings_update_saves_and_audits(world):
    settings = crime_settings_update(
        actor=None, area=world.area, radius_m=750, force="  Surrey   Police ", source="test"
    )

    assert (settings.radius_m, settings.force) == (750, "Surrey Police")
    assert crime_settings(world.area).radius_m == 750
    event = AuditEvent.objects.get(object_type="incidents.crimesettings")
    assert event.detail == {"fields": ["force", "radius_m"], "radius_m": 750}

    crime_settings_update(
        actor=None, area=world.area, radius_m=750, force="Surrey Police", source="test"
    )

    assert AuditEvent.objects.filter(object_type="incidents.crimesettings").count() == 1


@pytest.mark.parametrize(
    ("radius", "force", "fields"),
    [
        (49, "", {"radius_m"}),
        (5001, "", {"radius_m"}),
        ("500", "", {"radius_m"}),
        (True, "", {"radius_m"}),
        (None, "", {"radius_m"}),
        (500, "x" * 121, {"force"}),
        (500, 7, {"force"}),
        (0, ["Surrey"], {"radius_m", "force"}),
    ],
)
def test_settings_update_refuses_bad_input_and_changes_nothing(world, radius, force, fields):
    with pytest.raises(ValidationError) as caught:
        crime_settings_update(actor=None, area=world.area, radius_m=radius, force=force, source="t")

    assert set(caught.value.message_dict) == fields
    assert not CrimeSettings.objects.exists()
    assert not AuditEvent.objects.filter(object_type="incidents.crimesettings").exists()


def test_the_radius_is_bounded_in_the_database_too(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CrimeSettings.objects.create(area=world.area, radius_m=10_000)


# Many schools at once: the grid index


def test_many_schools_at_once_agree_with_one_at_a_time(world):
    rng = random.Random(2023)
    schools = [
        SchoolFactory(
            area=world.area,
            easting=rng.randint(520_000, 530_000),
            northing=rng.randint(140_000, 150_000),
        )
        for _ in range(25)
    ]
    types = ["Burglary", "Drugs", "Robbery"]
    month_batch = batch()
    PoliceCrime.objects.bulk_create(
        PoliceCrime(
            batch=month_batch,
            month=SEP,
            easting=rng.randint(519_000, 531_000),
            northing=rng.randint(139_000, 151_000),
            crime_type=rng.choice(types),
        )
        for _ in range(3000)
    )
    unlocated = SchoolFactory(area=world.area, easting=None, northing=None)

    together = crime_nearby_schools(schools=[*schools, unlocated], month=SEP, radius_m=700)

    assert set(together) == {school.pk for school in schools}
    for school in schools:
        assert together[school.pk] == crime_nearby(school=school, month=SEP, radius_m=700)
    assert sum(n.total for n in together.values()) > 0


def test_many_schools_with_none_located():
    assert crime_nearby_schools(schools=[], month=SEP, radius_m=500) == {}


# The real Surrey months around Oakwood School


@pytest.fixture
def oakwood(world):
    return SchoolFactory(area=world.area, **OAKWOOD)


def test_oakwood_school_gets_sensible_counts_for_the_autumn_term(oakwood):
    demo_crime()

    months = crime_nearby_by_month(school=oakwood)

    assert [m.month for m in months] == [NOV, OCT, SEP]
    # Counted by hand from the published files: each crime's point converted to the grid and
    # measured from the school's grid reference in the DfE register.
    assert [m.total for m in months] == [23, 22, 16]
    for month in months:
        assert sum(month.by_type.values()) == month.total
        assert month.top_types[0][0] == "Violence and sexual offences"
    wider = crime_nearby(school=oakwood, month=SEP, radius_m=2000)
    assert 16 < wider.total < 7824
    assert crime_nearby(school=oakwood, month=SEP, radius_m=50).total < 16


def test_the_demo_area_shows_oakwoods_neighbourhood_crime(client):
    call_command("demo", "--quiet-sign-ins", stdout=io.StringIO())
    call_command("demo", "--quiet-sign-ins", stdout=io.StringIO())
    oakwood = School.objects.get(urn=OAKWOOD["urn"])
    head = User.objects.get(email="head@oakwood.example")

    assert CrimeMonth.objects.count() == 3
    assert [m.total for m in crime_nearby_by_month(school=oakwood)] == [23, 22, 16]
    body = school_page(client, head, oakwood)
    assert "November 2023" in body and "September 2023" in body


def test_every_demo_school_is_counted_at_once(oakwood, world):
    demo_crime()
    others = [
        SchoolFactory(area=world.area, easting=516251, northing=149313),  # Dorking
        SchoolFactory(area=world.area, easting=503346, northing=166818),  # Chertsey
    ]

    counts = crime_nearby_schools(schools=[oakwood, *others], month=OCT, radius_m=500)

    assert counts[oakwood.pk].total == 22
    assert all(counts[s.pk] == crime_nearby(school=s, month=OCT) for s in others)


# The school's page


def school_page(client, user, school) -> str:
    client.force_login(user)
    response = client.get(reverse("core-school", args=[school.urn]))
    assert response.status_code == 200
    return response.content.decode()


def test_school_page_shows_crime_near_the_school(client, persona, world):
    school = world.school_a
    for month in (SEP, OCT, NOV):
        batch(month)
    for _ in range(3):
        crime_at(school, 100, 100, "Violence and sexual offences", month=OCT)
    crime_at(school, 100, 100, "Drugs", month=OCT)
    crime_at(school, 50, 0, "Shoplifting", month=NOV)
    crime_at(school, 2000, 0, "Robbery", month=NOV)
    staff = persona(Role.SCHOOL_STAFF, school)

    body = school_page(client, staff, school)

    assert "Crime near the school" in body
    assert "Crimes recorded within 500 metres of the school, by month" in body
    assert body.index("November 2023") < body.index("October 2023") < body.index("September 2023")
    assert "Violence and sexual offences: 3<br>Drugs: 1" in body
    assert "Shoplifting: 1" in body
    assert "Robbery" not in body
    assert "None recorded" in body  # September
    assert "Police data: data.police.uk" in body


def test_school_page_for_an_analyst_of_the_area(client, persona, world):
    crime_at(world.school_c, 0, 0)
    analyst = persona(Role.LA_ANALYST, world.area)

    body = school_page(client, analyst, world.school_c)

    assert "September 2023" in body
    assert "Burglary: 1" in body


def test_school_page_without_crime_data(client, dsl, world):
    body = school_page(client, dsl, world.school_a)

    assert "No police crime data has been imported for this school's area yet." in body


def test_school_page_for_a_school_without_a_location(client, persona, world):
    school = SchoolFactory(area=world.area, easting=None, northing=None)
    crime_at(world.school_a, 0, 0)
    user = persona(Role.SAFEGUARDING_LEAD, school)

    body = school_page(client, user, school)

    assert "gives no location for this school" in body


def test_school_page_queries_do_not_grow_with_crimes(
    client, dsl, world, django_assert_max_num_queries
):
    school = world.school_a
    for month in (SEP, OCT, NOV):
        for n in range(40):
            crime_at(school, n, n, f"Type {n % 7}", month=month)
    client.force_login(dsl)
    url = reverse("core-school", args=[school.urn])
    client.get(url)

    # With the checks whether to link the hotspots and the places, and the casework links (case
    # worker, officer, keeper of the disclosure log).
    with django_assert_max_num_queries(24):
        response = client.get(url)

    assert response.status_code == 200


def _in_a_browser(function):
    for mark in BROWSER_TEST_MARKS:
        function = mark(function)
    return function


@_in_a_browser
def test_school_page_with_crime_is_accessible(page, persona, password, world):
    school = world.school_a
    crime_at(school, 100, 100, "Violence and sexual offences", month=OCT)
    crime_at(school, 100, 100, "Anti-social behaviour", month=OCT)
    crime_at(school, 0, 0, "Drugs", month=SEP)
    lead = persona(Role.SAFEGUARDING_LEAD, school)
    sign_in(page, lead.email, password)

    page.goto(f"/schools/{school.urn}/")

    table = page.get_by_role("table", name="Crimes recorded within 500 metres of the school")
    assert table.get_by_role("rowheader").all_inner_texts() == ["October 2023", "September 2023"]
    assert_accessible(page)
