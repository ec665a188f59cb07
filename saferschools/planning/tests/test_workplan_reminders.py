"""Reminders of overdue work-plan actions: at the start of the school day after the due date,
then every five school days, three at most, by the real task worker; none once the action is
done or dropped or its due date moves; a failed reminder is queued again."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult

from saferschools.accounts.models import Role
from saferschools.core.models import AuditEvent, Notification
from saferschools.planning import workplan_services as services
from saferschools.planning import workplan_tasks
from saferschools.planning.models import CoreAim, WorkplanAction
from saferschools.planning.workplan_services import ActionInput

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026, in the morning.
WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
# Due on Friday 6 March: reminded on Monday 9 March as the school day starts (08:30, GMT).
DUE = date(2026, 3, 6)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def run_at(moment: datetime, run_worker) -> None:
    with time_machine.travel(moment, tick=False):
        run_worker()
    assert not DBTaskResult.objects.failed().exists()


def reminder_tasks(action):
    return DBTaskResult.objects.filter(
        task_path__endswith="workplan_action_remind", args_kwargs__args__0=str(action.pk)
    ).order_by("run_after", "enqueued_at")


def reminded() -> list[Notification]:
    return list(Notification.objects.filter(kind="workplan_action_overdue").order_by("created_at"))


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p, email="olu@police.example")


@pytest.fixture
def outcome(world, head):
    with time_machine.travel(WEDNESDAY, tick=False):
        workplan = services.workplan_start(actor=head, partnership=world.p, year=2025, source="t")
        return services.workplan_outcome_add(
            actor=head, workplan=workplan, aim=CoreAim.SAFETY, text="Safer travel", source="t"
        )


def add_action(outcome, head, *, owner=None, owner_name="", due_on=DUE):
    with time_machine.travel(WEDNESDAY, tick=False):
        return services.workplan_action_add(
            actor=head,
            outcome=outcome,
            data=ActionInput(
                description="Co-ordinated patrols",
                owner_id=str(owner.pk) if owner else None,
                owner_name=owner_name,
                due_on=due_on,
            ),
            source="t",
        )


def test_an_overdue_action_is_chased_three_times(outcome, head, officer, run_worker):
    action = add_action(outcome, head, owner=officer)
    (task,) = reminder_tasks(action)
    assert task.run_after == utc(2026, 3, 9, 8, 30)
    assert task.args_kwargs["args"] == [str(action.pk), "2026-03-06", 1]
    run_at(utc(2026, 3, 9, 8, 29), run_worker)
    assert WorkplanAction.objects.get().reminders_sent == 0
    mail.outbox.clear()
    run_at(utc(2026, 3, 9, 8, 31), run_worker)
    assert WorkplanAction.objects.get().reminders_sent == 1
    (notification,) = reminded()
    assert notification.user == officer
    assert notification.title == "A work-plan action of yours is overdue: Horley SSP, 2025/26"
    assert notification.url == f"/work-plan/actions/{action.pk}/"
    (email,) = mail.outbox
    assert email.to == ["olu@police.example"]
    assert "A work-plan action of yours is overdue" in email.subject
    assert [t.run_after for t in reminder_tasks(action)] == [
        utc(2026, 3, 9, 8, 30),
        utc(2026, 3, 16, 8, 30),
    ]
    run_at(utc(2026, 3, 16, 8, 31), run_worker)
    run_at(utc(2026, 3, 23, 8, 31), run_worker)
    assert WorkplanAction.objects.get().reminders_sent == 3
    assert len(reminded()) == 3
    # No fourth.
    assert reminder_tasks(action).count() == 3
    run_at(utc(2026, 5, 1, 12, 0), run_worker)
    assert len(reminded()) == 3
    events = AuditEvent.objects.filter(
        object_id=str(action.pk), source="task:workplan_action_remind"
    )
    assert events.count() == 3


def test_the_first_reminder_waits_for_a_school_day(outcome, head, officer):
    # Due on Thursday 2 April 2026: Good Friday and Easter Monday are bank holidays, so the
    # school day after is Tuesday 7 April (08:30 in summer time is 07:30 UTC).
    action = add_action(outcome, head, owner=officer, due_on=date(2026, 4, 2))
    assert reminder_tasks(action).get().run_after == utc(2026, 4, 7, 7, 30)


def test_a_done_action_is_not_chased(outcome, head, officer, run_worker):
    action = add_action(outcome, head, owner=officer)
    with time_machine.travel(utc(2026, 3, 8, 18, 0), tick=False):
        services.workplan_action_update_status(
            actor=officer, action=action, status="done", source="t"
        )
    run_at(utc(2026, 3, 9, 8, 31), run_worker)
    assert reminded() == []
    assert WorkplanAction.objects.get().reminders_sent == 0


def test_an_action_owned_by_a_name_is_not_chased(outcome, head):
    action = add_action(outcome, head, owner_name="Year managers")
    assert not reminder_tasks(action).exists()


def test_a_new_due_date_starts_the_reminders_afresh(outcome, head, officer, run_worker):
    action = add_action(outcome, head, owner=officer)
    run_at(utc(2026, 3, 9, 8, 31), run_worker)
    assert WorkplanAction.objects.get().reminders_sent == 1
    with time_machine.travel(utc(2026, 3, 10, 12, 0), tick=False):
        services.workplan_action_update(
            actor=head,
            action=action,
            data=ActionInput(
                description=action.description, owner_id=str(officer.pk), due_on=date(2026, 3, 20)
            ),
            source="t",
        )
    assert WorkplanAction.objects.get().reminders_sent == 0
    # The reminder queued for the old date finds it moved.
    run_at(utc(2026, 3, 16, 8, 31), run_worker)
    assert len(reminded()) == 1
    run_at(utc(2026, 3, 23, 8, 31), run_worker)
    assert len(reminded()) == 2
    assert WorkplanAction.objects.get().reminders_sent == 1


def test_reopening_an_overdue_action_starts_its_reminders_again(outcome, head, officer, run_worker):
    action = add_action(outcome, head, owner=officer)
    run_at(utc(2026, 3, 9, 8, 31), run_worker)
    with time_machine.travel(utc(2026, 3, 10, 12, 0), tick=False):
        services.workplan_action_update_status(
            actor=officer, action=action, status="done", source="t"
        )
    run_at(utc(2026, 3, 16, 8, 31), run_worker)
    assert len(reminded()) == 1
    with time_machine.travel(utc(2026, 3, 17, 12, 0), tick=False):
        services.workplan_action_update_status(
            actor=head,
            action=action,
            status="in_progress",
            note="Not finished after all",
            source="t",
        )
    run_at(utc(2026, 3, 18, 8, 31), run_worker)
    assert len(reminded()) == 2
    assert WorkplanAction.objects.get().reminders_sent == 2


def test_an_owner_who_left_is_not_reminded(outcome, head, officer, run_worker):
    add_action(outcome, head, owner=officer)
    officer.memberships.all().delete()
    run_at(utc(2026, 3, 9, 8, 31), run_worker)
    assert reminded() == []


def test_a_failed_reminder_is_queued_again(outcome, head, officer, monkeypatch):
    action = add_action(outcome, head, owner=officer)

    def fail(**kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr(services, "workplan_action_remind", fail)
    with time_machine.travel(utc(2026, 3, 9, 8, 31), tick=False), pytest.raises(RuntimeError):
        workplan_tasks.workplan_action_remind.call(str(action.pk), "2026-03-06", 1)
    retry = reminder_tasks(action).last()
    assert retry.args_kwargs["args"] == [str(action.pk), "2026-03-06", 1, 1]
    assert retry.run_after == utc(2026, 3, 9, 8, 32)


def test_a_reminder_run_twice_reminds_once(outcome, head, officer):
    action = add_action(outcome, head, owner=officer)
    with time_machine.travel(utc(2026, 3, 9, 8, 31), tick=False):
        first = services.workplan_action_remind(
            action_id=str(action.pk), due_on="2026-03-06", reminder=1
        )
        again = services.workplan_action_remind(
            action_id=str(action.pk), due_on="2026-03-06", reminder=1
        )
    assert (first, again) == ("reminded", "already reminded")
    assert len(reminded()) == 1


def test_a_new_owner_is_reminded_where_the_reminders_had_got_to(
    outcome, head, officer, persona, world, run_worker
):
    action = add_action(outcome, head, owner=officer)
    run_at(utc(2026, 3, 9, 8, 31), run_worker)
    # The officer hands the action over to a team, whose reminders stop for want of a person.
    with time_machine.travel(utc(2026, 3, 10, 12, 0), tick=False):
        services.workplan_action_update(
            actor=head,
            action=action,
            data=ActionInput(
                description=action.description, owner_name="Year managers", due_on=DUE
            ),
            source="t",
        )
    run_at(utc(2026, 3, 16, 8, 31), run_worker)
    assert len(reminded()) == 1
    # Then to a person again: the second reminder comes as the next school day starts.
    successor = persona(Role.SSP_OFFICER, world.p)
    with time_machine.travel(utc(2026, 3, 17, 12, 0), tick=False):
        services.workplan_action_update(
            actor=head,
            action=action,
            data=ActionInput(
                description=action.description, owner_id=str(successor.pk), due_on=DUE
            ),
            source="t",
        )
    run_at(utc(2026, 3, 18, 8, 31), run_worker)
    assert [n.user for n in reminded()] == [officer, successor]
    assert WorkplanAction.objects.get().reminders_sent == 2
    run_at(utc(2026, 3, 25, 8, 31), run_worker)
    assert [n.user for n in reminded()] == [officer, successor, successor]
    assert WorkplanAction.objects.get().reminders_sent == 3


def test_an_action_reopened_after_its_date_moved_while_done_is_reminded(
    outcome, head, officer, run_worker
):
    action = add_action(outcome, head, owner=officer)
    with time_machine.travel(utc(2026, 3, 5, 12, 0), tick=False):
        services.workplan_action_update_status(
            actor=officer, action=action, status="done", source="t"
        )
        services.workplan_action_update(
            actor=head,
            action=action,
            data=ActionInput(
                description=action.description, owner_id=str(officer.pk), due_on=date(2026, 3, 13)
            ),
            source="t",
        )
        services.workplan_action_update_status(
            actor=head, action=action, status="in_progress", note="Not finished", source="t"
        )
    run_at(utc(2026, 3, 9, 8, 31), run_worker)
    assert reminded() == []
    # Reminded after the new due date (Friday 13 March): on Monday 16 March.
    run_at(utc(2026, 3, 16, 8, 31), run_worker)
    assert len(reminded()) == 1
