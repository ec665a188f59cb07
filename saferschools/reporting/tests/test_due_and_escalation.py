"""When a report falls due, and what the background worker does when nobody has answered it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult

from saferschools.accounts.models import Role
from saferschools.core.audit import audit_verify
from saferschools.core.models import Notification
from saferschools.reporting.models import EntryKind, Report
from saferschools.reporting.selectors import report_overdue
from saferschools.reporting.services import (
    report_acknowledge,
    report_check_due,
    report_reply,
    reporting_settings_update,
)
from saferschools.testing.factories import submit_report

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026, 10:00 in London (GMT).
WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def submit_at(moment: datetime, school, **fields) -> Report:
    with time_machine.travel(moment, tick=False):
        return submit_report(school, **fields).report


def check_task(report: Report) -> DBTaskResult:
    return DBTaskResult.objects.get(
        task_path__endswith="report_check_due", args_kwargs__args=[str(report.pk)]
    )


def run_at(moment: datetime, run_worker) -> None:
    with time_machine.travel(moment, tick=False):
        run_worker()
    assert not DBTaskResult.objects.failed().exists()


# Due times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # A Wednesday morning: by the end of Thursday, 17:00 GMT.
        (utc(2026, 3, 4, 10, 0), utc(2026, 3, 5, 17, 0)),
        # Late on a school day is still due the next school day.
        (utc(2026, 3, 4, 23, 59), utc(2026, 3, 5, 17, 0)),
        # Friday → Monday.
        (utc(2026, 3, 6, 15, 0), utc(2026, 3, 9, 17, 0)),
        # Saturday and Sunday → Monday.
        (utc(2026, 3, 7, 11, 0), utc(2026, 3, 9, 17, 0)),
        (utc(2026, 3, 8, 11, 0), utc(2026, 3, 9, 17, 0)),
        # Friday before the spring bank holiday → Tuesday, 17:00 BST (16:00 UTC).
        (utc(2026, 5, 22, 12, 0), utc(2026, 5, 26, 16, 0)),
        # Thursday before Easter → the Tuesday after Easter Monday.
        (utc(2026, 4, 2, 9, 0), utc(2026, 4, 7, 16, 0)),
        # Christmas Eve 2026 (Thursday) → Tuesday 29 December, GMT.
        (utc(2026, 12, 24, 9, 0), utc(2026, 12, 29, 17, 0)),
        # Summer: 17:00 in London is 16:00 UTC.
        (utc(2026, 6, 10, 9, 0), utc(2026, 6, 11, 16, 0)),
        # 23:30 UTC on a summer Sunday is Monday in London: due Tuesday.
        (utc(2026, 6, 14, 23, 30), utc(2026, 6, 16, 16, 0)),
        # Friday 27 March (GMT) → Monday 30 March, after the clocks went forward.
        (utc(2026, 3, 27, 12, 0), utc(2026, 3, 30, 16, 0)),
    ],
)
def test_a_report_is_due_by_the_end_of_the_next_school_day(world, received, due):
    report = submit_at(received, world.school_a)
    assert report.received_at == received
    assert report.due_at == due


@pytest.mark.parametrize(
    ("received", "outcome_due"),
    [
        (utc(2026, 3, 4, 10, 0), utc(2026, 3, 18, 17, 0)),
        # Ten school days from 1 April 2026 skip Good Friday and Easter Monday.
        (utc(2026, 4, 1, 10, 0), utc(2026, 4, 17, 16, 0)),
        # Across Christmas and New Year.
        (utc(2026, 12, 21, 10, 0), utc(2027, 1, 7, 17, 0)),
    ],
)
def test_an_outcome_is_due_ten_school_days_later(world, received, outcome_due):
    assert submit_at(received, world.school_a).outcome_due_at == outcome_due
    assert submit_at(received, world.school_a, in_danger=True).outcome_due_at == outcome_due


def test_an_outcome_due_follows_the_setting(world, settings):
    settings.REPORT_OUTCOME_SCHOOL_DAYS = 3
    assert submit_at(WEDNESDAY, world.school_a).outcome_due_at == utc(2026, 3, 9, 17, 0)


def test_an_urgent_report_is_due_within_the_areas_escalation_time(world, persona):
    report = submit_at(WEDNESDAY, world.school_a, in_danger=True)
    assert report.due_at == WEDNESDAY + timedelta(minutes=15)

    admin = persona(Role.AREA_ADMIN, world.area)
    reporting_settings_update(
        actor=admin, area=world.area, cue_words="knife", escalate_after_minutes=5, source="test"
    )
    report = submit_at(WEDNESDAY, world.school_a, category="weapons")
    assert report.due_at == WEDNESDAY + timedelta(minutes=5)
    # Another area keeps its own time.
    other = submit_at(WEDNESDAY, world.school_d, category="weapons")
    assert other.due_at == WEDNESDAY + timedelta(minutes=15)


def test_an_urgent_report_late_on_friday_is_still_due_in_minutes(world):
    friday_night = utc(2026, 3, 6, 22, 0)
    report = submit_at(friday_night, world.school_a, category="self_harm")
    assert report.due_at == friday_night + timedelta(minutes=15)


# Escalation ---------------------------------------------------------------------------------


@pytest.fixture
def people(world, persona, dsl, staff):
    """Everyone who might be told of an escalation, and some who must not be."""
    return {
        "dsl": dsl,
        "staff": staff,
        "officer": persona(Role.SSP_OFFICER, world.p),
        "head": persona(Role.HEAD_TEACHER, world.school_a),
        "supervisor": persona(Role.POLICE_SUPERVISOR, world.police),
        "area_supervisor": persona(Role.POLICE_SUPERVISOR, world.area),
        "other_head": persona(Role.HEAD_TEACHER, world.school_b),
        "other_area_supervisor": persona(Role.POLICE_SUPERVISOR, world.other_police),
        "outside_officer": persona(Role.SSP_OFFICER, world.q),
        "admin": persona(Role.AREA_ADMIN, world.area),
        "analyst": persona(Role.LA_ANALYST, world.area),
    }


def told(kind: str) -> set:
    return {n.user for n in Notification.objects.filter(kind=kind).select_related("user")}


def test_the_due_check_is_stored_with_the_report(world):
    report = submit_at(WEDNESDAY, world.school_a, in_danger=True)
    task = check_task(report)
    assert task.status == "READY"
    assert task.run_after == report.due_at == WEDNESDAY + timedelta(minutes=15)
    assert task.args_kwargs == {"args": [str(report.pk)], "kwargs": {}}


def test_unacknowledged_urgent_report_escalates_when_due(world, people, run_worker):
    report = submit_at(WEDNESDAY, world.school_a, in_danger=True)
    run_at(WEDNESDAY, run_worker)  # the receivers' e-mails go now
    assert check_task(report).status == "READY"
    mail.outbox.clear()

    # A minute before it falls due, the worker leaves it alone.
    run_at(WEDNESDAY + timedelta(minutes=14), run_worker)
    assert Report.objects.get(pk=report.pk).escalated_at is None
    assert check_task(report).status == "READY"

    run_at(WEDNESDAY + timedelta(minutes=16), run_worker)

    stored = Report.objects.get(pk=report.pk)
    assert stored.escalated_at == WEDNESDAY + timedelta(minutes=16)
    assert stored.status == "new"
    assert report.entries.filter(kind=EntryKind.ESCALATED).count() == 1
    task = check_task(report)
    assert (task.status, task.return_value) == ("SUCCESSFUL", "escalated")
    expected = {people[who] for who in ("dsl", "officer", "head", "supervisor", "area_supervisor")}
    assert told("report_escalated") == expected
    notification = Notification.objects.filter(kind="report_escalated").first()
    assert notification.urgent is True
    assert notification.title == (
        "Urgent report at Oakwood School not acknowledged after 16 minutes"
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in expected)
    assert all(m.subject.startswith("SaferSchools: URGENT: ") for m in mail.outbox)
    with time_machine.travel(WEDNESDAY + timedelta(minutes=16), tick=False):
        assert report in report_overdue(user=people["dsl"])
    assert audit_verify().ok


def test_acknowledged_in_time_does_not_escalate(world, people, run_worker):
    report = submit_at(WEDNESDAY, world.school_a, in_danger=True)
    with time_machine.travel(WEDNESDAY + timedelta(minutes=3), tick=False):
        report_acknowledge(actor=people["dsl"], report=report, source="test")

    run_at(WEDNESDAY + timedelta(hours=1), run_worker)

    stored = Report.objects.get(pk=report.pk)
    assert stored.escalated_at is None
    assert not report.entries.filter(kind=EntryKind.ESCALATED).exists()
    assert not told("report_escalated")
    assert check_task(report).return_value == "nothing to do"


def test_a_reply_in_time_also_stops_escalation(world, people, run_worker):
    report = submit_at(WEDNESDAY, world.school_a, category="exploitation")
    with time_machine.travel(WEDNESDAY + timedelta(minutes=10), tick=False):
        report_reply(actor=people["officer"], report=report, body="We are here.", source="test")
    run_at(WEDNESDAY + timedelta(hours=1), run_worker)
    assert Report.objects.get(pk=report.pk).escalated_at is None


def test_escalation_happens_once(world, people, run_worker):
    report = submit_at(WEDNESDAY, world.school_a, in_danger=True)
    later = WEDNESDAY + timedelta(minutes=20)
    run_at(later, run_worker)
    escalated_at = Report.objects.get(pk=report.pk).escalated_at
    notifications = Notification.objects.filter(kind="report_escalated").count()

    with time_machine.travel(later + timedelta(minutes=5), tick=False):
        # The same check again, as after a restart that ran it twice.
        from saferschools.reporting.tasks import report_check_due as check_due_task

        check_due_task.enqueue(str(report.pk))
        run_worker()
        assert report_check_due(report_id=str(report.pk)) == "already escalated"

    assert Report.objects.get(pk=report.pk).escalated_at == escalated_at
    assert report.entries.filter(kind=EntryKind.ESCALATED).count() == 1
    assert Notification.objects.filter(kind="report_escalated").count() == notifications
    assert not DBTaskResult.objects.failed().exists()


def test_an_escalated_report_can_still_be_acknowledged(world, people, run_worker):
    report = submit_at(WEDNESDAY, world.school_a, in_danger=True)
    run_at(WEDNESDAY + timedelta(minutes=20), run_worker)
    with time_machine.travel(WEDNESDAY + timedelta(minutes=25), tick=False):
        report_acknowledge(actor=people["head"], report=report, source="test")
        assert report not in report_overdue(user=people["dsl"])
    stored = Report.objects.get(pk=report.pk)
    assert stored.status == "acknowledged" and stored.acknowledged_by == people["head"]
    # Still without an outcome after ten school days, it is overdue again.
    with time_machine.travel(stored.outcome_due_at + timedelta(seconds=1), tick=False):
        assert report in report_overdue(user=people["dsl"])


def test_a_non_urgent_report_past_due_is_marked_overdue(world, people, run_worker):
    report = submit_at(WEDNESDAY, world.school_a)
    assert report.due_at == utc(2026, 3, 5, 17, 0)
    run_at(utc(2026, 3, 5, 16, 59), run_worker)
    assert not report.entries.filter(kind=EntryKind.OVERDUE).exists()
    mail.outbox.clear()

    run_at(utc(2026, 3, 5, 17, 1), run_worker)

    assert report.entries.filter(kind=EntryKind.OVERDUE).count() == 1
    assert not report.entries.filter(kind=EntryKind.ESCALATED).exists()
    assert Report.objects.get(pk=report.pk).escalated_at is None
    assert check_task(report).return_value == "overdue"
    assert told("report_overdue") == {people["dsl"], people["head"], people["officer"]}
    assert not Notification.objects.filter(kind="report_overdue", urgent=True).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        people[who].email for who in ("dsl", "head", "officer")
    )
    with time_machine.travel(utc(2026, 3, 5, 17, 1), tick=False):
        assert report in report_overdue(user=people["head"])

    with time_machine.travel(utc(2026, 3, 6, 9, 0), tick=False):
        assert report_check_due(report_id=str(report.pk)) == "already overdue"
    assert report.entries.filter(kind=EntryKind.OVERDUE).count() == 1


def test_a_non_urgent_report_acknowledged_in_time_is_not_overdue(world, people, run_worker):
    report = submit_at(WEDNESDAY, world.school_a)
    with time_machine.travel(utc(2026, 3, 5, 9, 0), tick=False):
        report_acknowledge(actor=people["dsl"], report=report, source="test")
    run_at(utc(2026, 3, 6, 9, 0), run_worker)
    assert not report.entries.filter(kind=EntryKind.OVERDUE).exists()
    assert not told("report_overdue")


def test_the_check_of_a_report_that_is_gone_does_nothing(world):
    assert report_check_due(report_id="00000000-0000-0000-0000-000000000000") == "nothing to do"


def test_with_nobody_at_the_school_the_area_administrators_are_told(world, persona, run_worker):
    admin = persona(Role.AREA_ADMIN, world.area)
    persona(Role.SCHOOL_STAFF, world.school_c)
    urgent = submit_at(WEDNESDAY, world.school_c, in_danger=True)
    plain = submit_at(WEDNESDAY, world.school_c)
    run_at(utc(2026, 3, 6, 9, 0), run_worker)
    assert Report.objects.get(pk=urgent.pk).escalated_at is not None
    assert told("report_escalated") == {admin}
    assert plain.entries.filter(kind=EntryKind.OVERDUE).exists()
    assert told("report_overdue") == {admin}


def test_those_who_cannot_open_the_report_are_told_whom_to_contact(world, people, run_worker):
    report = submit_at(WEDNESDAY, world.school_a, in_danger=True)
    run_at(WEDNESDAY + timedelta(minutes=16), run_worker)
    report_url = f"/reports/{report.pk}/"
    school_url = f"/schools/{world.school_a.urn}/"
    by_user = {n.user: n for n in Notification.objects.filter(kind="report_escalated")}
    for who in ("dsl", "officer", "head"):
        assert by_user[people[who]].url == report_url
        assert by_user[people[who]].title.endswith("after 16 minutes")
    for who in ("supervisor", "area_supervisor"):
        notification = by_user[people[who]]
        assert notification.url == school_url
        assert notification.title.endswith(
            ": contact the school's safeguarding lead or SSP officer"
        )


def test_an_administrator_told_for_lack_of_receivers_gets_no_link_to_the_report(
    world, persona, run_worker
):
    admin = persona(Role.AREA_ADMIN, world.area)
    report = submit_at(WEDNESDAY, world.school_c)
    notification = Notification.objects.get(kind="report_received", user=admin)
    assert str(report.pk) not in notification.url
    assert notification.url == f"/schools/{world.school_c.urn}/"
    assert "no safeguarding lead or SSP officer" in notification.title


def test_a_due_check_that_fails_is_tried_again_and_still_escalates(
    world, people, run_worker, monkeypatch
):
    from saferschools.reporting import services

    report = submit_at(WEDNESDAY, world.school_a, in_danger=True)
    real_check = services.report_check_due

    def broken(**kwargs):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(services, "report_check_due", broken)
    with time_machine.travel(WEDNESDAY + timedelta(minutes=16), tick=False):
        run_worker()
    assert Report.objects.get(pk=report.pk).escalated_at is None
    retry = DBTaskResult.objects.get(
        task_path__endswith="report_check_due", args_kwargs__args=[str(report.pk), 1]
    )
    assert retry.run_after == WEDNESDAY + timedelta(minutes=17)

    monkeypatch.setattr(services, "report_check_due", real_check)
    with time_machine.travel(WEDNESDAY + timedelta(minutes=18), tick=False):
        run_worker()
    assert Report.objects.get(pk=report.pk).escalated_at == WEDNESDAY + timedelta(minutes=18)
    assert people["head"] in told("report_escalated")
