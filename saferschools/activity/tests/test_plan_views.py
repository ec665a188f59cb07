"""Patrol plan pages: the officer adds and changes their plans and keeps their calendar
address; the supervisor reads their officers' plans; nobody else sees any."""

from datetime import date, time

import pytest
from django.urls import reverse

from saferschools.activity import services
from saferschools.activity.models import CalendarFeed, PatrolPlan
from saferschools.core.models import AuditAction, AuditEvent

from .helpers import plan

pytestmark = pytest.mark.django_db

PLANS = reverse("activity-plans")
ADD = reverse("activity-add-plan")
NEW_LINK = reverse("activity-new-calendar")
REVOKE = reverse("activity-revoke-calendar")


def plan_data(world, **fields):
    data = {
        "school": str(world.school_a.urn),
        "place": "",
        "weekdays": ["0", "2", "4"],
        "starts_at": "15:05",
        "ends_at": "15:45",
        "valid_from": "2025-03-03",
        "valid_until": "2025-04-04",
        "active": "on",
    }
    data.update(fields)
    return data


def edit_url(made) -> str:
    return reverse("activity-edit-plan", args=[made.pk])


def test_an_officer_sees_their_plans_with_the_next_patrol(client, world, officer, gate):
    plan(officer, world.school_a, place_id=gate.pk, weekdays=[0])
    client.force_login(officer)

    page = client.get(PLANS)

    assert page.status_code == 200
    body = page.content.decode()
    assert "Your plans" in body
    assert "Main gate" in body
    assert "Monday<br>" in body
    assert "08:15 to 08:45" in body
    assert "Mon 17 Mar, 08:15" in body  # the next Monday after Wednesday 12 March
    assert "Make a calendar link" in body
    assert edit_url(PatrolPlan.objects.get()) in body


def test_an_officer_adds_a_plan(client, world, officer, route):
    client.force_login(officer)
    assert client.get(ADD).status_code == 200

    response = client.post(ADD, plan_data(world, place=str(route.pk)))

    assert response.status_code == 302
    made = PatrolPlan.objects.get()
    assert (made.officer, made.school, made.place) == (officer, world.school_a, route)
    assert made.weekday_numbers == [0, 2, 4]
    assert (made.starts_at, made.ends_at) == (time(15, 5), time(15, 45))
    assert (made.valid_from, made.valid_until, made.active) == (
        date(2025, 3, 3),
        date(2025, 4, 4),
        True,
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(made.pk), source="web:activity-add-plan"
    ).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": ["5"]}, "weekdays"),
        ({"starts_at": "quarter past"}, "starts_at"),
        ({"ends_at": "15:00"}, "ends_at"),
        ({"valid_from": ""}, "valid_from"),
        ({"valid_until": "2025-03-01"}, "valid_until"),
        ({"school": str(999999)}, "school"),
        ({"place": "00000000-0000-0000-0000-000000000000"}, "place"),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(client, world, officer, fields, field):
    client.force_login(officer)

    page = client.post(ADD, plan_data(world, **fields))

    assert page.status_code == 400
    assert field in page.context["form"].errors
    assert "There is a problem" in page.content.decode()
    assert not PatrolPlan.objects.exists()


def test_an_officer_changes_a_plan(client, world, officer):
    made = plan(officer, world.school_a)
    client.force_login(officer)
    form = client.get(edit_url(made))
    assert form.status_code == 200
    assert form.context["form"].initial["weekdays"] == [0, 1, 2, 3, 4]

    response = client.post(edit_url(made), plan_data(world, active=""))

    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.active, made.weekday_numbers) == (False, [0, 2, 4])
    assert "Monday, Wednesday, Friday" in client.get(PLANS).content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(made.pk)).exists()


def test_a_bad_change_to_a_plan_changes_nothing(client, world, officer):
    made = plan(officer, world.school_a)
    client.force_login(officer)

    page = client.post(edit_url(made), plan_data(world, ends_at="07:00"))

    assert page.status_code == 400
    made.refresh_from_db()
    assert made.ends_at == time(8, 45)


def test_a_supervisor_reads_the_plans_of_the_officers_they_oversee(
    client, world, officer, other_area_officer, supervisor
):
    plan(officer, world.school_a)
    plan(other_area_officer, world.school_d, starts_at="07:55")
    client.force_login(supervisor)

    page = client.get(PLANS)

    assert page.status_code == 200
    body = page.content.decode()
    assert "Plans of the officers you oversee" in body
    assert "PC Ada Lovell" in body
    assert "Monday to Friday" in body
    assert "PC Dee Fareham" not in body
    assert "07:55" not in body
    assert "Make a calendar link" not in body
    assert "Change" not in body
    made = PatrolPlan.objects.get(officer=officer)
    assert client.get(edit_url(made)).status_code == 404
    assert client.get(ADD).status_code == 404


@pytest.mark.parametrize("who", ["dsl", "staff", "head", "analyst", "practitioner"])
def test_plans_are_not_found_for_anyone_else(client, world, officer, request, who):
    made = plan(officer, world.school_a)
    client.force_login(request.getfixturevalue(who))

    assert client.get(PLANS).status_code == 404
    assert client.get(ADD).status_code == 404
    assert client.post(ADD, plan_data(world)).status_code == 404
    assert client.get(edit_url(made)).status_code == 404
    assert client.post(NEW_LINK).status_code == 404
    assert client.post(REVOKE).status_code == 404
    assert PatrolPlan.objects.count() == 1
    assert not CalendarFeed.objects.exists()


def test_another_officer_cannot_change_a_plan(client, world, officer, school_officer):
    made = plan(officer, world.school_a)
    client.force_login(school_officer)

    assert client.get(edit_url(made)).status_code == 404
    assert client.post(edit_url(made), plan_data(world, active="")).status_code == 404
    made.refresh_from_db()
    assert made.active
    assert str(made.pk) not in client.get(PLANS).content.decode()


# The calendar address ----------------------------------------------------------------------


def test_an_officer_makes_a_calendar_link_and_sees_it_once(client, world, officer):
    client.force_login(officer)

    page = client.post(NEW_LINK)

    assert page.status_code == 200
    url = page.context["url"]
    assert url.startswith("http://127.0.0.1:8000/activity/calendar/")
    assert url.endswith(".ics")
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get()
    assert feed.token_hash == services.token_hash(token)
    assert page["Cache-Control"] == "no-store"
    assert page.context["webcal_url"] == "webcal://" + url.split("://", 1)[1]
    # Shown once: the plans page says a link exists, but not what it is.
    plans = client.get(PLANS).content.decode()
    assert token not in plans
    assert "Make a new link" in plans
    assert "Turn off the link" in plans
    # Anyone may fetch the feed with it, as a calendar program does.
    client.logout()
    assert client.get(f"/activity/calendar/{token}.ics").status_code == 200


def test_a_new_link_stops_the_old_one_working(client, world, officer):
    client.force_login(officer)
    first = client.post(NEW_LINK).context["url"]
    second = client.post(NEW_LINK).context["url"]

    assert first != second
    assert client.get(first.split("8000", 1)[1]).status_code == 404
    assert client.get(second.split("8000", 1)[1]).status_code == 200


def test_an_officer_turns_the_link_off(client, world, officer):
    client.force_login(officer)
    url = client.post(NEW_LINK).context["url"].split("8000", 1)[1]

    response = client.post(REVOKE, follow=True)

    assert "Your calendar link no longer works." in response.content.decode()
    assert client.get(url).status_code == 404
    assert "Make a calendar link" in client.get(PLANS).content.decode()
    assert "You had no calendar link." in client.post(REVOKE, follow=True).content.decode()


def test_calendar_links_are_made_and_revoked_only_by_post(client, officer):
    client.force_login(officer)

    assert client.get(NEW_LINK).status_code == 405
    assert client.get(REVOKE).status_code == 405
    assert not CalendarFeed.objects.exists()
