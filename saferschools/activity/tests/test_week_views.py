"""The officer's week: the log by day, the quick add, correcting and deleting entries."""

from datetime import datetime

import pytest
from django.urls import reverse

from saferschools.activity.models import Activity
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON

from .helpers import log

pytestmark = pytest.mark.django_db

WEEK = reverse("activity-week")
NON_OFFICERS = ["dsl", "staff", "head", "analyst", "practitioner", "supervisor"]


def edit_url(entry) -> str:
    return reverse("activity-edit", args=[entry.pk])


def delete_url(entry) -> str:
    return reverse("activity-delete", args=[entry.pk])


def add_data(world, **fields) -> dict[str, str]:
    data = {
        "day": "2025-03-11",
        "start": "08:10",
        "minutes": "35",
        "activity": "patrol:start_of_day",
        "school": str(world.school_a.urn),
        "place": "",
        "note": "",
    }
    data.update(fields)
    return data


def snapshot():
    return (
        list(Activity.objects.values_list("id", "school", "kind", "minutes", "started_at")),
        AuditEvent.objects.count(),
    )


# The week ----------------------------------------------------------------------------------


def test_the_week_lists_the_officers_entries_by_day(client, world, officer, gate, school_officer):
    log(officer, world.school_a, place_id=gate.pk, note="Calm <b>morning</b>")
    log(
        officer,
        world.school_b,
        kind="lesson",
        detail="pshe",
        started_at=datetime(2025, 3, 10, 13, 30, tzinfo=LONDON),
        minutes=90,
    )
    log(officer, world.school_a, started_at=datetime(2025, 3, 7, 8, 15, tzinfo=LONDON))
    log(school_officer, world.school_c, note="Someone else's")
    client.force_login(officer)

    page = client.get(WEEK)

    assert page.status_code == 200
    days = page.context["days"]
    assert days[0].day.isoformat() == "2025-03-10"
    assert [len(day.entries) for day in days] == [1, 1, 0, 0, 0, 0, 0]
    body = page.content.decode()
    assert "Week beginning Monday 10 March 2025" in body
    assert "Patrol: start of the school day" in body
    assert "Lesson: PSHE" in body
    assert "08:15 to 08:55" in body
    assert "Main gate" in body
    assert "Calm &lt;b&gt;morning&lt;/b&gt;" in body
    assert "Someone else" not in body
    assert "2 h 10 min" in body  # the week's total
    assert "?week=2025-03-03" in body and "?week=2025-03-17" in body


def test_any_day_of_a_week_shows_that_week(client, world, officer):
    log(officer, world.school_a, started_at=datetime(2025, 3, 7, 8, 15, tzinfo=LONDON))
    client.force_login(officer)

    page = client.get(WEEK, {"week": "2025-03-08"})

    assert page.context["monday"].isoformat() == "2025-03-03"
    assert [len(day.entries) for day in page.context["days"]] == [0, 0, 0, 0, 1, 0, 0]
    assert "Back to this week" in page.content.decode()


def test_times_are_shown_in_uk_time(client, world, officer, clock):
    clock.move_to(datetime(2025, 6, 20, 12, 0, tzinfo=LONDON))
    # 07:15 UTC is 08:15 British Summer Time.
    log(officer, world.school_a, started_at="2025-06-19T07:15:00+00:00")
    client.force_login(officer)

    body = client.get(WEEK).content.decode()

    assert "08:15 to 08:55" in body
    assert "Thursday 19 June" in body


@pytest.mark.parametrize("week", ["soon", "2025-02-30", "0001-01-01", "9999-12-31"])
def test_a_bad_week_is_a_clear_error(client, officer, week):
    client.force_login(officer)

    page = client.get(WEEK, {"week": week})

    assert page.status_code == 400
    assert "Give the week as a date" in page.content.decode() or (
        "Give a week from the years" in page.content.decode()
    )
    assert page.context["week_form"].errors["week"]


@pytest.mark.parametrize("who", NON_OFFICERS)
def test_the_week_is_not_found_for_anyone_but_an_officer(client, world, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(WEEK).status_code == 404
    assert client.post(WEEK, add_data(world)).status_code == 404
    assert not Activity.objects.exists()


def test_the_week_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(WEEK)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-sign-in"))


def test_the_week_takes_a_fixed_number_of_queries(
    client, world, officer, gate, django_assert_max_num_queries
):
    for hour in range(7, 19):
        log(
            officer,
            world.school_a,
            place_id=gate.pk,
            started_at=datetime(2025, 3, 11, hour, 0, tzinfo=LONDON),
        )
    client.force_login(officer)
    client.get(WEEK)

    with django_assert_max_num_queries(14):
        page = client.get(WEEK)

    assert sum(len(day.entries) for day in page.context["days"]) == 12


# The quick add -----------------------------------------------------------------------------


def test_an_officer_adds_an_entry_from_the_week(client, world, officer, gate):
    client.force_login(officer)

    response = client.post(
        WEEK, add_data(world, place=str(gate.pk), note="Busy crossing"), follow=True
    )

    entry = Activity.objects.get()
    assert (entry.officer, entry.school, entry.place) == (officer, world.school_a, gate)
    assert (entry.kind, entry.detail, entry.minutes) == ("patrol", "start_of_day", 35)
    assert entry.started_at == datetime(2025, 3, 11, 8, 10, tzinfo=LONDON)
    assert response.redirect_chain[-1][0] == f"{WEEK}?week=2025-03-10"
    assert "Patrol: start of the school day added." in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(entry.pk), source="web:activity-week"
    ).exists()


def test_an_entry_without_a_detail_or_place(client, world, officer):
    client.force_login(officer)

    client.post(WEEK, add_data(world, activity="one_to_one", school=str(world.school_b.urn)))

    entry = Activity.objects.get()
    assert (entry.kind, entry.detail, entry.place, entry.school) == (
        "one_to_one",
        "",
        None,
        world.school_b,
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"minutes": "0"}, "minutes", "Give a whole number of minutes from 1 to 720"),
        ({"minutes": "-30"}, "minutes", "Give a whole number of minutes from 1 to 720"),
        ({"minutes": "100000"}, "minutes", "Give a whole number of minutes from 1 to 720"),
        ({"minutes": "an hour"}, "minutes", "Enter a whole number of minutes"),
        ({"minutes": ""}, "minutes", "Enter how many minutes it took"),
        ({"start": "25:99"}, "start", "Enter the start time as hours and minutes"),
        (
            {"day": "2025-03-12", "start": "11:00"},
            "start",
            "An activity cannot start in the future",
        ),
        ({"day": "yesterday"}, "day", "Enter the day as a date"),
        ({"activity": "nap"}, "activity", "Choose one of the activities listed"),
        ({"school": "999999"}, "school", "Choose one of the schools you are deployed to"),
        ({"place": "not-a-place"}, "place", "Choose one of the school's places, or none"),
        ({"note": "x" * 2001}, "note", "Use 2,000 characters or fewer"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    client, world, officer, fields, field, message
):
    client.force_login(officer)
    before = snapshot()

    page = client.post(WEEK, add_data(world, **fields))

    assert page.status_code == 400
    assert field in page.context["form"].errors
    assert message in " ".join(page.context["form"].errors[field])
    body = page.content.decode()
    assert "There is a problem" in body
    assert f'href="#id_{field}"' in body
    assert page.context["days"] is not None
    assert snapshot() == before


def test_a_place_of_another_school_is_refused_on_the_place(
    client, world, officer, gate, school_officer
):
    client.force_login(officer)

    page = client.post(WEEK, add_data(world, school=str(world.school_b.urn), place=str(gate.pk)))

    assert page.status_code == 400
    assert page.context["form"].errors["place"] == ["Choose one of the school's places, or none"]
    assert not Activity.objects.exists()


def test_a_school_the_officer_is_not_deployed_to_is_not_offered(
    client, world, officer, school_officer
):
    client.force_login(officer)

    page = client.post(WEEK, add_data(world, school=str(world.school_c.urn)))

    assert page.status_code == 400
    assert "school" in page.context["form"].errors
    assert world.school_c.name not in page.content.decode()
    assert not Activity.objects.exists()


# Correcting --------------------------------------------------------------------------------


def test_an_officer_corrects_their_entry(client, world, officer, route):
    entry = log(officer, world.school_a)
    client.force_login(officer)

    form = client.get(edit_url(entry))
    assert form.status_code == 200
    assert form.context["form"].initial["start"].strftime("%H:%M") == "08:15"
    response = client.post(
        edit_url(entry),
        add_data(
            world,
            start="15:30",
            minutes="60",
            activity="patrol:travel_routes",
            place=str(route.pk),
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"{WEEK}?week=2025-03-10"
    entry.refresh_from_db()
    assert (entry.detail, entry.minutes, entry.place) == ("travel_routes", 60, route)
    assert entry.started_at == datetime(2025, 3, 11, 15, 30, tzinfo=LONDON)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(entry.pk))
    assert event.source == "web:activity-edit"
    assert event.detail == {"changed": ["detail", "started_at", "minutes", "place"]}


def test_a_bad_correction_changes_nothing(client, world, officer):
    entry = log(officer, world.school_a)
    client.force_login(officer)
    before = snapshot()

    page = client.post(edit_url(entry), add_data(world, minutes="0", activity="lesson:truancy"))

    assert page.status_code == 400
    assert set(page.context["form"].errors) == {"minutes", "activity"}
    assert snapshot() == before


@pytest.mark.parametrize("who", ["school_officer", "supervisor", "dsl", "analyst"])
def test_nobody_else_opens_corrects_or_deletes_an_officers_entry(
    client, world, officer, request, who
):
    entry = log(officer, world.school_a)
    client.force_login(request.getfixturevalue(who))
    before = snapshot()

    assert client.get(edit_url(entry)).status_code == 404
    assert client.post(edit_url(entry), add_data(world, minutes="5")).status_code == 404
    assert client.get(delete_url(entry)).status_code == 404
    assert client.post(delete_url(entry)).status_code == 404
    assert snapshot() == before


def test_an_unknown_entry_is_not_found(client, officer):
    client.force_login(officer)

    assert client.get("/activity/00000000-0000-0000-0000-000000000000/edit/").status_code == 404


# Deleting ----------------------------------------------------------------------------------


def test_an_officer_deletes_their_entry_after_confirming(client, world, officer):
    entry = log(officer, world.school_a)
    client.force_login(officer)

    confirm = client.get(delete_url(entry))
    assert confirm.status_code == 200
    assert "Delete this entry?" in confirm.content.decode()
    assert Activity.objects.exists()

    response = client.post(delete_url(entry), follow=True)

    assert not Activity.objects.exists()
    assert "Patrol: start of the school day deleted." in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert (event.object_id, event.source) == (str(entry.pk), "web:activity-delete")


def test_the_quick_add_starts_at_today_and_the_latest_school(client, world, officer):
    log(officer, world.school_b, started_at=datetime(2025, 3, 11, 9, 0, tzinfo=LONDON))
    log(officer, world.school_a, started_at=datetime(2025, 3, 10, 9, 0, tzinfo=LONDON))
    client.force_login(officer)

    form = client.get(WEEK).context["form"]

    assert form.initial == {"day": "2025-03-12", "school": world.school_b.urn}
    assert client.get(WEEK, {"week": "2025-03-03"}).context["form"].initial["day"] == "2025-03-03"
