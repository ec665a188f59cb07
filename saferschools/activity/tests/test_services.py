"""The activity services: what they accept, what they refuse (naming the field, storing
nothing), and the audit events they write."""

import uuid
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from saferschools.activity import services
from saferschools.activity.models import Activity, CalendarFeed, PatrolPlan
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON

from .helpers import entry_input, log, plan, plan_input

pytestmark = pytest.mark.django_db


def refused(officer, data, field: str) -> dict[str, list[str]]:
    """The service refuses ``data`` naming ``field`` and stores nothing."""
    before = Activity.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.activity_log(actor=officer, data=data, source="test")
    assert field in caught.value.message_dict, caught.value.message_dict
    assert (Activity.objects.count(), AuditEvent.objects.count()) == before
    return caught.value.message_dict


# Logging -----------------------------------------------------------------------------------


def test_an_officer_logs_time_at_a_school_they_are_deployed_to(world, officer, gate):
    entry = log(
        officer,
        world.school_a,
        place_id=str(gate.pk),
        note="  Arrivals calm.\r\nSpoke to parents.  ",
    )

    entry.refresh_from_db()
    assert entry.officer == officer
    assert entry.school == world.school_a
    assert (entry.kind, entry.detail, entry.minutes) == ("patrol", "start_of_day", 40)
    assert entry.started_at == datetime(2025, 3, 11, 8, 15, tzinfo=LONDON)
    assert entry.place == gate
    assert entry.note == "Arrivals calm.\nSpoke to parents."
    assert entry.what == "Patrol: start of the school day"
    event = AuditEvent.objects.get(object_type="activity.activity", object_id=str(entry.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor_id == officer.pk
    assert event.detail == {"kind": "patrol", "minutes": 40}


def test_a_partnership_officer_logs_at_each_school_of_the_partnership(world, officer):
    log(officer, world.school_b, kind="lesson", detail="citizenship", minutes=45)

    assert Activity.objects.get().school == world.school_b


def test_an_iso_time_with_its_offset_is_accepted(world, officer):
    entry = log(officer, world.school_a, started_at="2025-03-11T08:15:00Z", detail=None)

    assert entry.started_at == datetime(2025, 3, 11, 8, 15, tzinfo=LONDON)
    assert entry.detail == ""


@pytest.mark.parametrize("minutes", [0, -5, 721, 10**12, "45", 45.0, True, None])
def test_a_duration_out_of_range_or_not_whole_minutes_is_refused(world, officer, minutes):
    errors = refused(officer, entry_input(world.school_a, minutes=minutes), "minutes")

    assert errors["minutes"] == ["Give a whole number of minutes from 1 to 720"]


@pytest.mark.parametrize("minutes", [1, 720])
def test_the_ends_of_the_duration_range_are_accepted(world, officer, minutes):
    assert log(officer, world.school_a, minutes=minutes).minutes == minutes


@pytest.mark.parametrize(
    "started_at",
    [
        datetime(2025, 3, 11, 8, 15),  # naive: which zone?
        datetime(2025, 3, 12, 10, 30, tzinfo=LONDON),  # in the future
        datetime(1999, 12, 31, 8, 0, tzinfo=LONDON),
        "2025-03-11 08:15",
        "last Tuesday",
        "2025-02-30T08:00:00Z",
        date(2025, 3, 11),
        None,
    ],
)
def test_a_bad_start_is_refused(world, officer, started_at):
    refused(officer, entry_input(world.school_a, started_at=started_at), "started_at")


def test_a_start_a_few_minutes_ahead_is_allowed_for_clocks_that_disagree(world, officer):
    start = datetime(2025, 3, 12, 10, 10, tzinfo=LONDON)

    assert log(officer, world.school_a, started_at=start).started_at == start


@pytest.mark.parametrize("urn", ["c", "d", "e", 999999, "abc", -1, 10**20, True, None])
def test_a_school_the_officer_is_not_deployed_to_is_refused_alike(world, officer, urn):
    value = getattr(world, f"school_{urn}").urn if isinstance(urn, str) and len(urn) == 1 else urn
    errors = refused(officer, entry_input(world.school_a, school_urn=value), "school_urn")

    assert errors["school_urn"] == ["Choose a school you are deployed to (its URN)"]


def test_a_urn_given_as_text_is_accepted(world, officer):
    assert log(officer, world.school_a, school_urn=str(world.school_a.urn)).school == (
        world.school_a
    )


@pytest.mark.parametrize("who", ["dsl", "staff", "supervisor", "analyst", "practitioner"])
def test_only_officers_log_activity(world, request, who):
    refused(request.getfixturevalue(who), entry_input(world.school_a), "school_urn")


def test_a_place_of_another_school_or_unknown_is_refused(world, officer, gate, place_c):
    for value in [str(place_c.pk), str(uuid.uuid4()), "not-a-uuid", 42]:
        errors = refused(officer, entry_input(world.school_a, place_id=value), "place_id")
        assert errors["place_id"] == ["Choose one of the school's places, or none"]
    # The gate is school A's: not a place of school B.
    refused(officer, entry_input(world.school_b, place_id=str(gate.pk)), "place_id")


def test_a_place_no_longer_in_use_is_refused_for_a_new_entry(world, officer, gate):
    gate.active = False
    gate.save()

    refused(officer, entry_input(world.school_a, place_id=str(gate.pk)), "place_id")


@pytest.mark.parametrize(
    ("kind", "detail", "field"),
    [
        ("walkabout", "", "kind"),
        ("", "", "kind"),
        (None, "", "kind"),
        ("patrol", "pshe", "detail"),
        ("lesson", "truancy", "detail"),
        ("one_to_one", "pshe", "detail"),
        ("training", "start_of_day", "detail"),
        ("patrol", 3, "detail"),
    ],
)
def test_a_kind_or_detail_that_does_not_fit_is_refused(world, officer, kind, detail, field):
    refused(officer, entry_input(world.school_a, kind=kind, detail=detail), field)


def test_a_long_note_is_refused_and_control_characters_are_dropped(world, officer):
    refused(officer, entry_input(world.school_a, note="x" * 2001), "note")
    refused(officer, entry_input(world.school_a, note=["a list"]), "note")

    entry = log(officer, world.school_a, note="Gate\x00 ok 🚓")
    assert entry.note == "Gate ok 🚓"


def test_every_problem_is_named_at_once(world, officer):
    data = entry_input(
        world.school_c, kind="nap", started_at="soon", minutes=0, place_id="x", note=1
    )

    errors = refused(officer, data, "school_urn")

    assert set(errors) == {"school_urn", "kind", "started_at", "minutes", "place_id", "note"}


# Correcting and deleting -------------------------------------------------------------------


def test_an_officer_corrects_an_entry_and_the_change_is_audited(world, officer, gate):
    entry = log(officer, world.school_a)

    services.activity_update(
        actor=officer,
        activity=entry,
        data=entry_input(world.school_a, minutes=55, place_id=gate.pk, note="Late bus."),
        source="test",
    )

    entry.refresh_from_db()
    assert (entry.minutes, entry.place, entry.note) == (55, gate, "Late bus.")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(entry.pk))
    assert event.detail == {"changed": ["minutes", "place", "note"]}
    assert event.actor_id == officer.pk


def test_a_correction_with_bad_input_changes_nothing(world, officer):
    entry = log(officer, world.school_a)

    with pytest.raises(ValidationError) as caught:
        services.activity_update(
            actor=officer,
            activity=entry,
            data=entry_input(world.school_c, minutes=-1),
            source="test",
        )

    assert set(caught.value.message_dict) == {"school_urn", "minutes"}
    entry.refresh_from_db()
    assert (entry.school, entry.minutes) == (world.school_a, 40)
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_an_entry_keeps_its_place_after_the_school_stops_using_it(world, officer, gate):
    entry = log(officer, world.school_a, place_id=gate.pk)
    gate.active = False
    gate.save()

    services.activity_update(
        actor=officer,
        activity=entry,
        data=entry_input(world.school_a, place_id=gate.pk, minutes=41),
        source="test",
    )

    entry.refresh_from_db()
    assert (entry.place, entry.minutes) == (gate, 41)


def test_an_officer_deletes_an_entry_and_the_deletion_is_audited(world, officer):
    entry = log(officer, world.school_a)

    services.activity_delete(actor=officer, activity=entry, source="test")

    assert not Activity.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert (event.object_type, event.object_id) == ("activity.activity", str(entry.pk))
    assert event.detail == {"kind": "patrol", "minutes": 40}


def test_nobody_deletes_another_officers_entry_through_the_service(world, officer, outside_officer):
    entry = log(officer, world.school_a)

    services.activity_delete(actor=outside_officer, activity=entry, source="test")

    assert Activity.objects.filter(pk=entry.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.DELETE).exists()


# Patrol plans ------------------------------------------------------------------------------


def test_an_officer_plans_a_patrol(world, officer, gate):
    made = plan(officer, world.school_a, place_id=str(gate.pk), weekdays=[0, 2, 4])

    made.refresh_from_db()
    assert made.weekday_names == ["Monday", "Wednesday", "Friday"]
    assert (made.starts_at, made.ends_at, made.minutes) == (time(8, 15), time(8, 45), 30)
    assert made.valid_from == date(2025, 3, 3)
    assert made.valid_until is None
    assert made.active
    event = AuditEvent.objects.get(object_type="activity.patrolplan")
    assert (event.action, event.object_id) == (AuditAction.CREATE, str(made.pk))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [5]}, "weekdays"),
        ({"weekdays": [0, 6]}, "weekdays"),
        ({"weekdays": ["monday"]}, "weekdays"),
        ({"weekdays": "01234"}, "weekdays"),
        ({"starts_at": "8 o'clock"}, "starts_at"),
        ({"starts_at": "25:00"}, "starts_at"),
        ({"ends_at": "08:15"}, "ends_at"),
        ({"ends_at": "07:00"}, "ends_at"),
        ({"valid_from": None}, "valid_from"),
        ({"valid_from": "2025-13-01"}, "valid_from"),
        ({"valid_until": "2025-03-02"}, "valid_until"),
        ({"valid_until": "9999-12-31"}, "valid_until"),
        ({"active": "yes"}, "active"),
        ({"school_urn": 999999}, "school_urn"),
    ],
)
def test_a_bad_patrol_plan_is_refused(world, officer, fields, field):
    with pytest.raises(ValidationError) as caught:
        plan(officer, world.school_a, **fields)

    assert field in caught.value.message_dict
    assert not PatrolPlan.objects.exists()
    assert not AuditEvent.objects.filter(object_type="activity.patrolplan").exists()


def test_an_officer_changes_a_plan_and_the_change_is_audited(world, officer):
    made = plan(officer, world.school_a)

    services.patrol_plan_update(
        actor=officer,
        plan=made,
        data=plan_input(world.school_a, active=False, valid_until="2025-04-04"),
        source="test",
    )

    made.refresh_from_db()
    assert (made.active, made.valid_until) == (False, date(2025, 4, 4))
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="activity.patrolplan")
    assert event.detail == {"changed": ["valid_until", "active"]}


# The calendar address ----------------------------------------------------------------------


def test_a_calendar_address_is_stored_only_as_a_hash(world, officer):
    feed, token = services.calendar_feed_create(actor=officer, source="test")

    assert len(token) >= 40
    assert feed.token_hash == services.token_hash(token)
    assert token not in str(list(CalendarFeed.objects.values()))
    assert token not in str(list(AuditEvent.objects.values()))
    event = AuditEvent.objects.get(object_type="activity.calendarfeed")
    assert (event.action, event.object_id) == (AuditAction.CREATE, str(feed.pk))


def test_a_new_calendar_address_revokes_the_one_before(world, officer, clock):
    first, first_token = services.calendar_feed_create(actor=officer, source="test")
    clock.shift(timedelta(minutes=1))

    second, second_token = services.calendar_feed_create(actor=officer, source="test")

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert first_token != second_token
    assert CalendarFeed.objects.filter(officer=officer, revoked_at__isnull=True).count() == 1


def test_revoking_leaves_no_working_address(world, officer):
    services.calendar_feed_create(actor=officer, source="test")

    assert services.calendar_feed_revoke(actor=officer, source="test") is True
    assert services.calendar_feed_revoke(actor=officer, source="test") is False
    assert not CalendarFeed.objects.filter(revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="activity.calendarfeed", detail={"revoked": True}
    ).exists()


@pytest.mark.parametrize("who", ["dsl", "supervisor"])
def test_only_officers_have_a_calendar_address(world, request, who):
    with pytest.raises(ValidationError):
        services.calendar_feed_create(actor=request.getfixturevalue(who), source="test")

    assert not CalendarFeed.objects.exists()
