"""The area's school holidays: the service, the selector and the administrators' page."""

import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from saferschools.accounts.models import Role
from saferschools.core import selectors
from saferschools.core.models import AuditAction, AuditEvent, SchoolHoliday
from saferschools.core.services import school_holiday_add, school_holiday_remove

pytestmark = pytest.mark.django_db

HOME = reverse("core-home")


def holidays_url(area) -> str:
    return reverse("core-holidays", args=[area.pk])


@pytest.fixture
def admin(world, persona):
    return persona(Role.AREA_ADMIN, world.area)


@pytest.fixture
def other_admin(world, persona):
    return persona(Role.AREA_ADMIN, world.other_area)


def add(area, name="Autumn half term", starts_on=date(2026, 10, 26), ends_on=date(2026, 10, 30)):
    return school_holiday_add(
        actor=None, area=area, name=name, starts_on=starts_on, ends_on=ends_on, source="test"
    )


def holiday_events(action):
    return AuditEvent.objects.filter(object_type="core.schoolholiday", action=action)


def refused(area, **fields) -> dict[str, list[str]]:
    before = SchoolHoliday.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        add(area, **fields)
    assert (SchoolHoliday.objects.count(), AuditEvent.objects.count()) == before
    return error.value.message_dict


# The service -------------------------------------------------------------------------------


def test_adding_a_holiday_is_audited(world, admin):
    holiday = school_holiday_add(
        actor=admin,
        area=world.area,
        name="  Christmas holiday ",
        starts_on=date(2026, 12, 21),
        ends_on=date(2027, 1, 1),
        source="test",
    )

    assert holiday.name == "Christmas holiday"
    (event,) = holiday_events(AuditAction.CREATE)
    assert event.object_id == str(holiday.pk)
    assert event.actor_id == admin.pk
    assert event.detail == {
        "area": str(world.area.pk),
        "starts_on": "2026-12-21",
        "ends_on": "2027-01-01",
    }


def test_a_one_day_holiday_and_a_year_long_one_are_allowed(world):
    add(world.area, starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 2))
    add(world.area, starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    assert SchoolHoliday.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the name of the holiday"),
        ({"name": "   "}, "name", "Enter the name of the holiday"),
        ({"name": "x" * 101}, "name", "100 characters or fewer"),
        ({"starts_on": None}, "starts_on", "Enter the first day"),
        ({"ends_on": None}, "ends_on", "Enter the last day"),
        ({"ends_on": date(2026, 10, 25)}, "ends_on", "same as or after the first day"),
        ({"ends_on": date(2027, 10, 27)}, "ends_on", "at most 366 days"),
    ],
)
def test_bad_holidays_are_refused_by_field(world, fields, field, message):
    errors = refused(world.area, **fields)
    assert list(errors) == [field]
    assert message in errors[field][0]


def test_an_overlapping_holiday_is_refused(world):
    add(world.area)

    errors = refused(
        world.area, name="Diwali", starts_on=date(2026, 10, 30), ends_on=date(2026, 11, 2)
    )
    assert errors["starts_on"] == [
        "These dates overlap Autumn half term (26 October 2026 to 30 October 2026)"
    ]
    # One that holds the other inside it overlaps too.
    assert "starts_on" in refused(
        world.area, name="Long", starts_on=date(2026, 10, 1), ends_on=date(2026, 11, 30)
    )


def test_holidays_next_to_each_other_or_in_another_area_do_not_overlap(world):
    add(world.area)
    add(world.area, name="Inset days", starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 3))
    add(world.other_area)
    assert SchoolHoliday.objects.count() == 3


def test_removing_a_holiday_is_audited(world, admin):
    holiday = add(world.area)
    holiday_id = str(holiday.pk)

    school_holiday_remove(actor=admin, holiday=holiday, source="test")

    assert not SchoolHoliday.objects.exists()
    (event,) = holiday_events(AuditAction.DELETE)
    assert event.object_id == holiday_id
    assert event.actor_id == admin.pk


# The selectors -----------------------------------------------------------------------------


def test_holiday_days_are_the_area_s_days_within_the_range(world, django_assert_num_queries):
    add(world.area)
    add(world.area, name="Christmas", starts_on=date(2026, 12, 21), ends_on=date(2027, 1, 1))
    add(world.other_area, name="Other", starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 6))

    with django_assert_num_queries(1):
        found = selectors.holiday_days(world.area, date(2026, 10, 28), date(2026, 12, 22))

    assert found == {
        date(2026, 10, 28),
        date(2026, 10, 29),
        date(2026, 10, 30),
        date(2026, 12, 21),
        date(2026, 12, 22),
    }
    assert selectors.holiday_days(world.area.pk, date(2026, 11, 1), date(2026, 12, 1)) == set()


def test_school_holidays_are_in_date_order(world):
    later = add(
        world.area, name="Christmas", starts_on=date(2026, 12, 21), ends_on=date(2027, 1, 1)
    )
    earlier = add(world.area)
    add(world.other_area)
    assert list(selectors.school_holidays(area=world.area)) == [earlier, later]


# The page ----------------------------------------------------------------------------------


def form_data(**fields) -> dict[str, str]:
    data = {
        "name": "Autumn half term",
        "starts_on_day": "26",
        "starts_on_month": "10",
        "starts_on_year": "2026",
        "ends_on_day": "30",
        "ends_on_month": "10",
        "ends_on_year": "2026",
    }
    data.update(fields)
    return data


def test_the_administrator_sees_the_list_and_the_form(client, world, admin):
    add(world.area)
    add(world.other_area, name="Hampshire half term")
    client.force_login(admin)

    page = client.get(holidays_url(world.area))

    assert page.status_code == 200
    body = page.content.decode()
    assert "Autumn half term" in body
    assert "Mon 26 Oct 2026" in body and "Fri 30 Oct 2026" in body
    assert "Hampshire half term" not in body
    assert 'name="starts_on_day"' in body and 'name="ends_on_year"' in body


def test_the_landing_page_links_administrators_to_the_holidays(client, world, admin, dsl):
    client.force_login(admin)
    assert f'href="{holidays_url(world.area)}"' in client.get(HOME).content.decode()
    client.force_login(dsl)
    assert "/holidays/" not in client.get(HOME).content.decode()


def test_adding_on_the_page(client, world, admin):
    client.force_login(admin)

    response = client.post(holidays_url(world.area), form_data())

    assert response.status_code == 302
    assert response["Location"] == holidays_url(world.area)
    holiday = SchoolHoliday.objects.get()
    assert (holiday.area, holiday.starts_on, holiday.ends_on) == (
        world.area,
        date(2026, 10, 26),
        date(2026, 10, 30),
    )
    (event,) = holiday_events(AuditAction.CREATE)
    assert event.source == "web:core-holidays"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter the name of the holiday"),
        ({"name": "x" * 101}, "100 characters or fewer"),
        ({"starts_on_day": "", "starts_on_month": "", "starts_on_year": ""}, "first day"),
        ({"starts_on_day": "31", "starts_on_month": "2", "starts_on_year": "2027"}, "real date"),
        ({"ends_on_month": ""}, "must include a month"),
        ({"ends_on_year": "26"}, "Year must include 4 numbers"),
        ({"ends_on_day": "x"}, "real date"),
        ({"ends_on_day": "25"}, "same as or after the first day"),
        ({"ends_on_year": "2027"}, "at most 366 days"),
    ],
)
def test_bad_input_on_the_page_is_a_400_naming_the_field(client, world, admin, fields, message):
    client.force_login(admin)

    response = client.post(holidays_url(world.area), form_data(**fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not SchoolHoliday.objects.exists()
    assert not holiday_events(AuditAction.CREATE).exists()


def test_an_overlap_on_the_page_is_a_400_on_the_first_day(client, world, admin):
    add(world.area)
    client.force_login(admin)

    response = client.post(holidays_url(world.area), form_data(name="Again"))

    assert response.status_code == 400
    assert response.context["form"].errors["starts_on"] == [
        "These dates overlap Autumn half term (26 October 2026 to 30 October 2026)"
    ]
    assert SchoolHoliday.objects.count() == 1


def test_removing_on_the_page(client, world, admin):
    holiday = add(world.area)
    client.force_login(admin)

    response = client.post(holidays_url(world.area), {"remove": str(holiday.pk)})

    assert response.status_code == 302
    assert not SchoolHoliday.objects.exists()
    assert holiday_events(AuditAction.DELETE).count() == 1


@pytest.mark.parametrize("remove", ["not-an-id", "00000000-0000-4000-8000-000000000000", "other"])
def test_removing_what_is_not_the_area_s_holiday_is_a_404(client, world, admin, remove):
    other = add(world.other_area)
    client.force_login(admin)

    response = client.post(
        holidays_url(world.area), {"remove": str(other.pk) if remove == "other" else remove}
    )

    assert response.status_code == 404
    assert SchoolHoliday.objects.count() == 1


@pytest.mark.parametrize("who", ["dsl", "staff", "other_admin", "analyst", "supervisor"])
def test_only_the_area_s_administrators_reach_the_page(
    client, world, persona, dsl, staff, other_admin, who
):
    holiday = add(world.area)
    users = {
        "dsl": dsl,
        "staff": staff,
        "other_admin": other_admin,
        "analyst": persona(Role.LA_ANALYST, world.area),
        "supervisor": persona(Role.POLICE_SUPERVISOR, world.police),
    }
    client.force_login(users[who])

    assert client.get(holidays_url(world.area)).status_code == 404
    assert client.post(holidays_url(world.area), form_data(name="Mine")).status_code == 404
    assert client.post(holidays_url(world.area), {"remove": str(holiday.pk)}).status_code == 404
    assert list(SchoolHoliday.objects.all()) == [holiday]


def test_an_unknown_area_is_a_404_and_signing_in_comes_first(client, world, admin):
    response = client.get(holidays_url(world.area))
    assert response.status_code == 302
    assert reverse("accounts-sign-in") in response["Location"]

    client.force_login(admin)
    assert client.get(reverse("core-holidays", args=[uuid.uuid4()])).status_code == 404


# The demo ----------------------------------------------------------------------------------


def test_the_demo_holidays_are_added_once_and_only_to_an_area_without_any(world):
    from saferschools.core.demo import demo_holidays

    demo_holidays(world.area)
    demo_holidays(world.area)
    add(world.other_area)
    demo_holidays(world.other_area)

    assert [h.name for h in selectors.school_holidays(area=world.area)] == [
        "Autumn half term",
        "Christmas holiday",
        "Spring half term",
        "Easter holiday",
        "Summer half term",
        "Summer holiday",
    ]
    assert world.other_area.holidays.count() == 1
    assert holiday_events(AuditAction.CREATE).count() == 7
