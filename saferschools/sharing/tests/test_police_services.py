"""Notifications from the police: when one is due, who is alerted, escalation by the background
worker while nobody has read it, and the school acknowledging it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django_tasks_db.models import DBTaskResult

from saferschools.accounts.models import Role
from saferschools.core.audit import audit_verify
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.lib.schooldays import LONDON
from saferschools.sharing.models import PoliceNotification
from saferschools.sharing.police_services import (
    police_notification_acknowledge,
    police_notification_check_due,
    police_notification_record,
)
from saferschools.testing.factories import PupilFactory

pytestmark = pytest.mark.django_db

NOTIFICATION_TYPE = "sharing.policenotification"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


# Tuesday 3 March 2026, 21:40 in London (GMT): a domestic incident in the evening.
TUESDAY_EVENING = london(2026, 3, 3, 21, 40)
WEDNESDAY_START = london(2026, 3, 4, 8, 30)
WEDNESDAY_END = london(2026, 3, 4, 17, 0)


@pytest.fixture
def people(world, persona, dsl):
    return {
        "dsl": dsl,
        "head": persona(Role.HEAD_TEACHER, world.school_a),
        "officer": persona(Role.SSP_OFFICER, world.p),
        "staff": persona(Role.SCHOOL_STAFF, world.school_a),
        "dsl_b": persona(Role.SAFEGUARDING_LEAD, world.school_b),
        "supervisor": persona(Role.POLICE_SUPERVISOR, world.police),
        "admin": persona(Role.AREA_ADMIN, world.area),
    }


def record_at(moment: datetime, people, world, **changes) -> PoliceNotification:
    values = {
        "actor": people["officer"],
        "school": world.school_a,
        "pupil_id": str(world.pupil_a.pk),
        "kind": "domestic_abuse",
        "summary": "Police attended a domestic incident at home; the pupil was present.",
        "occurred_at": moment - timedelta(minutes=40),
        "source": "test",
    }
    values.update(changes)
    with time_machine.travel(moment, tick=False):
        return police_notification_record(**values)


def check_tasks(notification: PoliceNotification) -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path__endswith="police_notification_check_due",
            args_kwargs__args__0=str(notification.pk),
        ).order_by("run_after")
    )


def run_at(moment: datetime, run_worker) -> None:
    with time_machine.travel(moment, tick=False):
        run_worker()
    assert not DBTaskResult.objects.failed().exists()


def told(kind: str) -> set:
    return {n.user for n in Notification.objects.filter(kind=kind).select_related("user")}


# Due times -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded", "due"),
    [
        # Friday evening: Monday at 08:30.
        (london(2026, 3, 6, 19, 30), london(2026, 3, 9, 8, 30)),
        # The Thursday before Good Friday and Easter Monday 2026: Tuesday at 08:30.
        (london(2026, 4, 2, 22, 15), london(2026, 4, 7, 8, 30)),
        # 07:00 on a school day: 08:30 that same morning.
        (london(2026, 3, 4, 7, 0), london(2026, 3, 4, 8, 30)),
        # During the school day: the next morning.
        (london(2026, 3, 4, 11, 0), london(2026, 3, 5, 8, 30)),
    ],
    ids=["friday-evening", "before-a-bank-holiday", "early-on-a-school-day", "school-hours"],
)
def test_due_before_the_next_school_day(world, people, recorded, due):
    notification = record_at(recorded, people, world)
    assert notification.due_by == due
    assert notification.recorded_at == recorded
    (task,) = check_tasks(notification)
    assert task.run_after == due
    assert task.args_kwargs == {"args": [str(notification.pk), 1], "kwargs": {}}


def test_recording_alerts_the_schools_leaders_without_the_pupils_name(world, people):
    notification = record_at(TUESDAY_EVENING, people, world)
    assert told("police_notification") == {people["dsl"], people["head"]}
    alert = Notification.objects.filter(kind="police_notification").first()
    assert alert.title == "Notification from the police for Oakwood School"
    assert alert.urgent is True
    assert alert.url == f"/police-notifications/{notification.pk}/"
    assert world.pupil_a.family_name not in alert.title
    event = AuditEvent.objects.get(object_type=NOTIFICATION_TYPE, action=AuditAction.CREATE)
    assert event.actor_id == people["officer"].pk
    assert event.detail == {
        "school_urn": world.school_a.urn,
        "kind": "domestic_abuse",
        "pupil": str(world.pupil_a.pk),
    }
    assert audit_verify().ok


def test_a_school_without_leaders_alerts_the_areas_administrators_without_a_link_to_it(
    world, persona
):
    officer = persona(Role.SSP_OFFICER, world.school_e)
    admin = persona(Role.AREA_ADMIN, world.area)
    with time_machine.travel(TUESDAY_EVENING, tick=False):
        police_notification_record(
            actor=officer,
            school=world.school_e,
            pupil_id=str(world.pupil_e.pk),
            kind="missing",
            summary="Reported missing overnight, found safe.",
            occurred_at=TUESDAY_EVENING - timedelta(hours=2),
            source="test",
        )
    (alert,) = Notification.objects.filter(kind="police_notification")
    assert alert.user == admin
    assert alert.url == f"/schools/{world.school_e.urn}/"
    assert alert.title.endswith("the school has no safeguarding lead or head teacher to read it")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pupil_id": None}, "pupil_id"),
        ({"pupil_id": "not-an-id"}, "pupil_id"),
        ({"pupil_id": "pupil_b"}, "pupil_id"),  # of another school of the partnership
        ({"kind": "burglary"}, "kind"),
        ({"kind": 3}, "kind"),
        ({"summary": "   "}, "summary"),
        ({"summary": "x" * 5001}, "summary"),
        ({"summary": ["a list"]}, "summary"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": TUESDAY_EVENING + timedelta(hours=1)}, "occurred_at"),
        ({"occurred_at": london(1999, 12, 31, 23, 0)}, "occurred_at"),
    ],
    ids=[
        "no-pupil",
        "bad-pupil-id",
        "pupil-of-another-school",
        "unknown-kind",
        "kind-not-text",
        "empty-summary",
        "summary-too-long",
        "summary-not-text",
        "occurred-not-a-time",
        "occurred-in-the-future",
        "occurred-before-2000",
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(world, people, changes, field):
    if changes.get("pupil_id") == "pupil_b":
        changes["pupil_id"] = str(world.pupil_b.pk)
    with pytest.raises(ValidationError) as raised:
        record_at(TUESDAY_EVENING, people, world, **changes)
    assert field in raised.value.message_dict
    assert not PoliceNotification.objects.exists()
    assert not Notification.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not AuditEvent.objects.filter(object_type=NOTIFICATION_TYPE).exists()


def test_the_kind_defaults_to_other_and_the_text_is_cleaned(world, people):
    notification = record_at(
        TUESDAY_EVENING, people, world, kind=None, summary="  Seen at the scene\r\nby officers\x00 "
    )
    assert notification.kind == "other"
    assert notification.summary == "Seen at the scene\nby officers"


# Escalation ------------------------------------------------------------------------------


def test_unread_at_the_start_of_the_school_day_escalates_then_again_at_its_end(
    world, people, run_worker
):
    notification = record_at(TUESDAY_EVENING, people, world)
    run_at(TUESDAY_EVENING, run_worker)  # the alerts' e-mails go now
    mail.outbox.clear()

    # A minute before it falls due, the worker leaves it alone.
    run_at(WEDNESDAY_START - timedelta(minutes=1), run_worker)
    assert PoliceNotification.objects.get(pk=notification.pk).escalated_at is None

    run_at(WEDNESDAY_START + timedelta(minutes=1), run_worker)
    stored = PoliceNotification.objects.get(pk=notification.pk)
    assert stored.escalated_at == WEDNESDAY_START + timedelta(minutes=1)
    assert told("police_notification_escalated") == {
        people["dsl"],
        people["head"],
        people["officer"],
    }
    alert = Notification.objects.filter(kind="police_notification_escalated").first()
    assert alert.title == "Notification from the police for Oakwood School not yet read"
    assert alert.urgent is True
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        people[who].email for who in ("dsl", "head", "officer")
    )
    assert all(m.subject.startswith("SaferSchools: URGENT: ") for m in mail.outbox)
    first, second = check_tasks(notification)
    assert (first.status, first.return_value) == ("SUCCESSFUL", "escalated")
    assert second.status == "READY"
    assert second.run_after == WEDNESDAY_END
    assert second.args_kwargs["args"] == [str(notification.pk), 2]

    run_at(WEDNESDAY_END + timedelta(minutes=1), run_worker)
    assert told("police_notification_escalated_again") == {
        people["dsl"],
        people["head"],
        people["officer"],
    }
    # The first escalation's time stays; nothing more is queued: two escalations at most.
    assert PoliceNotification.objects.get(pk=notification.pk).escalated_at == stored.escalated_at
    tasks = check_tasks(notification)
    assert [t.return_value for t in tasks] == ["escalated", "escalated again"]
    run_at(WEDNESDAY_END + timedelta(days=3), run_worker)
    assert len(check_tasks(notification)) == 2
    steps = AuditEvent.objects.filter(
        object_type=NOTIFICATION_TYPE, object_id=str(notification.pk), action=AuditAction.UPDATE
    )
    assert [e.detail for e in steps] == [
        {"step": "escalated", "escalation": 1},
        {"step": "escalated", "escalation": 2},
    ]
    assert audit_verify().ok


def test_read_in_time_does_not_escalate(world, people, run_worker):
    notification = record_at(TUESDAY_EVENING, people, world)
    with time_machine.travel(london(2026, 3, 4, 8, 5), tick=False):
        police_notification_acknowledge(
            actor=people["dsl"],
            notification=notification,
            support_given="Form tutor to check in at registration.",
            source="test",
        )
    run_at(WEDNESDAY_END + timedelta(hours=1), run_worker)
    assert PoliceNotification.objects.get(pk=notification.pk).escalated_at is None
    assert not told("police_notification_escalated")
    (task,) = check_tasks(notification)
    assert task.return_value == "nothing to do"


def test_read_after_the_first_escalation_stops_the_second(world, people, run_worker):
    notification = record_at(TUESDAY_EVENING, people, world)
    run_at(WEDNESDAY_START + timedelta(minutes=5), run_worker)
    with time_machine.travel(london(2026, 3, 4, 10, 0), tick=False):
        police_notification_acknowledge(
            actor=people["head"],
            notification=notification,
            support_given="Spoke with the pupil; referred to the school counsellor.",
            source="test",
        )
    run_at(WEDNESDAY_END + timedelta(minutes=1), run_worker)
    assert not told("police_notification_escalated_again")
    assert [t.return_value for t in check_tasks(notification)] == ["escalated", "nothing to do"]


def test_a_check_run_twice_escalates_once(world, people, run_worker):
    notification = record_at(TUESDAY_EVENING, people, world)
    run_at(WEDNESDAY_START + timedelta(minutes=1), run_worker)
    alerts = Notification.objects.count()
    with time_machine.travel(WEDNESDAY_START + timedelta(minutes=2), tick=False):
        assert police_notification_check_due(notification_id=str(notification.pk)) == (
            "already escalated"
        )
    run_at(WEDNESDAY_END + timedelta(minutes=1), run_worker)
    alerts_after_second = Notification.objects.count()
    with time_machine.travel(WEDNESDAY_END + timedelta(minutes=2), tick=False):
        assert (
            police_notification_check_due(notification_id=str(notification.pk), escalation=2)
            == "already escalated"
        )
    assert Notification.objects.count() == alerts_after_second == alerts + 3
    assert police_notification_check_due(notification_id=str(world.pupil_a.pk)) == ("nothing to do")


def test_a_failed_check_is_queued_again(world, people, run_worker, monkeypatch):
    notification = record_at(TUESDAY_EVENING, people, world)

    def broken(**kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr(
        "saferschools.sharing.police_services.police_notification_check_due", broken
    )
    with time_machine.travel(WEDNESDAY_START + timedelta(minutes=1), tick=False):
        run_worker()
    first, retry = check_tasks(notification)
    assert first.status == "FAILED"
    assert retry.status == "READY"
    assert retry.args_kwargs["args"] == [str(notification.pk), 1, 1]
    assert retry.run_after == WEDNESDAY_START + timedelta(minutes=2)


# Acknowledging -----------------------------------------------------------------------------


def test_acknowledging_records_who_when_and_the_support(world, people):
    notification = record_at(TUESDAY_EVENING, people, world)
    moment = datetime(2026, 3, 4, 8, 10, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        done = police_notification_acknowledge(
            actor=people["dsl"],
            notification=notification,
            support_given="  Quiet room available; tutor told.  ",
            source="test",
        )
    stored = PoliceNotification.objects.get(pk=notification.pk)
    assert (stored.acknowledged_at, stored.acknowledged_by) == (moment, people["dsl"])
    assert stored.support_given == done.support_given == "Quiet room available; tutor told."
    event = AuditEvent.objects.get(object_type=NOTIFICATION_TYPE, action=AuditAction.UPDATE)
    assert event.detail == {"change": "acknowledged"}


@pytest.mark.parametrize("support", ["", "   ", None, 7, "x" * 5001], ids=repr)
def test_acknowledging_needs_the_support_given(world, people, support):
    notification = record_at(TUESDAY_EVENING, people, world)
    with pytest.raises(ValidationError) as raised:
        police_notification_acknowledge(
            actor=people["dsl"], notification=notification, support_given=support, source="test"
        )
    assert "support_given" in raised.value.message_dict
    assert PoliceNotification.objects.get(pk=notification.pk).acknowledged_at is None


def test_acknowledged_once_only(world, people):
    notification = record_at(TUESDAY_EVENING, people, world)
    police_notification_acknowledge(
        actor=people["dsl"], notification=notification, support_given="Tutor told.", source="t"
    )
    with pytest.raises(ValidationError) as raised:
        police_notification_acknowledge(
            actor=people["head"], notification=notification, support_given="Again.", source="t"
        )
    assert raised.value.message_dict["support_given"] == [
        "This notification has already been read and acknowledged"
    ]
    stored = PoliceNotification.objects.get(pk=notification.pk)
    assert (stored.acknowledged_by, stored.support_given) == (people["dsl"], "Tutor told.")


def test_a_pupil_of_the_school_not_on_roll_can_still_be_notified(world, people):
    left = PupilFactory(school=world.school_a, on_roll=False)
    notification = record_at(TUESDAY_EVENING, people, world, pupil_id=str(left.pk))
    assert notification.pupil == left
