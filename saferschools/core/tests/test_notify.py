"""Notifications in the product and their e-mail copies, sent by the task worker."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from saferschools.accounts.models import User
from saferschools.core.models import Notification
from saferschools.core.notifications import (
    EMAIL_ATTEMPTS,
    notification_list,
    notifications_mark_read,
    notify,
    send_notification_emails,
    unread_count,
)
from saferschools.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

TASK = "saferschools.core.notifications.send_notification_emails"


def email_tasks():
    return DBTaskResult.objects.filter(task_path=TASK)


def send(**fields):
    values = {
        "title": "New report at Oakwood School",
        "url": "/reports/0b8a7c3e-0000-4000-8000-000000000001/",
        "kind": "report_received",
        "object_id": "0b8a7c3e-0000-4000-8000-000000000001",
    }
    values.update(fields)
    return notify(**values)


def test_each_user_is_notified_once(run_worker):
    ann, ben = UserFactory(), UserFactory()
    made = send(users=[ann, ben, ann, User.objects.get(pk=ann.pk)])

    assert [n.user for n in made] == [ann, ben]
    assert Notification.objects.filter(user=ann).count() == 1
    assert Notification.objects.filter(user=ben).count() == 1
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ann.email, ben.email])


def test_inactive_users_are_skipped():
    active, inactive = UserFactory(), UserFactory(is_active=False)
    made = send(users=User.objects.filter(pk__in=[active.pk, inactive.pk]))
    assert [n.user for n in made] == [active]
    assert not Notification.objects.filter(user=inactive).exists()


def test_one_task_is_queued_for_all_the_emails():
    users = [UserFactory() for _ in range(4)]
    made = send(users=users)
    (task,) = email_tasks()
    assert task.status == "READY"
    assert sorted(task.args_kwargs["args"][0]) == sorted(str(n.pk) for n in made)


def test_nobody_to_tell_queues_nothing():
    assert send(users=[]) == []
    assert send(users=[UserFactory(is_active=False)]) == []
    assert not Notification.objects.exists()
    assert not email_tasks().exists()


def test_nothing_is_stored_or_sent_when_the_callers_transaction_rolls_back(run_worker):
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        send(users=[user])
        raise RuntimeError("the change being announced failed")
    assert not Notification.objects.exists()
    assert not email_tasks().exists()
    run_worker()
    assert mail.outbox == []


def test_the_email_holds_the_title_and_a_link(run_worker, settings):
    settings.BASE_URL = "https://saferschools.example/"
    user = UserFactory(full_name="Dana Lead")
    send(users=[user])
    run_worker()

    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "SaferSchools: New report at Oakwood School"
    assert "Hello Dana Lead," in message.body
    assert "New report at Oakwood School." in message.body
    assert "https://saferschools.example/reports/0b8a7c3e-0000-4000-8000-000000000001/" in (
        message.body
    )
    assert "URGENT" not in message.subject
    assert Notification.objects.get(user=user).emailed_at is not None


def test_an_urgent_email_says_so(run_worker):
    send(users=[UserFactory()], urgent=True, title="New urgent report at Oakwood School")
    run_worker()
    (message,) = mail.outbox
    assert message.subject == "SaferSchools: URGENT: New urgent report at Oakwood School"


def test_a_notification_without_a_link_sends_none(run_worker):
    send(users=[UserFactory()], url="")
    run_worker()
    (message,) = mail.outbox
    assert "http" not in message.body


def test_a_long_title_is_cut_to_fit():
    (notification,) = send(users=[UserFactory()], title="x" * 300)
    assert Notification.objects.get(pk=notification.pk).title == "x" * 200


def test_a_retried_task_sends_nothing_twice(run_worker):
    users = [UserFactory(), UserFactory()]
    made = send(users=users)
    ids = [str(n.pk) for n in made]
    run_worker()
    assert len(mail.outbox) == 2

    # The same batch again, queued a second time and called directly.
    send_notification_emails.enqueue(ids)
    run_worker()
    assert send_notification_emails.call(ids) == 0
    assert len(mail.outbox) == 2
    assert not DBTaskResult.objects.failed().exists()


def test_someone_deactivated_before_the_worker_runs_gets_no_email(run_worker):
    user = UserFactory()
    send(users=[user])
    User.objects.filter(pk=user.pk).update(is_active=False)
    run_worker()
    assert mail.outbox == []


def test_a_refused_email_is_queued_again_and_the_others_go(monkeypatch, run_worker):
    ann, ben = UserFactory(email="ann@school.example"), UserFactory(email="ben@school.example")
    start = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        send(users=[ann, ben])
    real_send = mail.send_mail

    def refuse_ann(subject, body, sender, to, **kwargs):
        if to == [ann.email]:
            raise smtplib.SMTPRecipientsRefused({ann.email: (550, b"mailbox busy")})
        return real_send(subject, body, sender, to, **kwargs)

    monkeypatch.setattr("saferschools.core.notifications.send_mail", refuse_ann)
    with time_machine.travel(start, tick=False):
        run_worker()
    assert [m.to for m in mail.outbox] == [[ben.email]]
    assert Notification.objects.get(user=ann).emailed_at is None
    assert Notification.objects.get(user=ben).emailed_at is not None
    # The refused one waits in the queue for its next try; nothing has failed for good.
    retry = DBTaskResult.objects.ready().get()
    assert retry.args_kwargs["args"][1] == 1
    assert retry.run_after == start + timedelta(minutes=1)
    assert not DBTaskResult.objects.failed().exists()

    # The mail server takes it on the next try.
    monkeypatch.setattr("saferschools.core.notifications.send_mail", real_send)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == [ann.email, ben.email]
    assert Notification.objects.get(user=ann).emailed_at is not None


def test_an_email_refused_every_time_fails_the_task_at_the_last_attempt(monkeypatch):
    (made,) = send(users=[UserFactory()])

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("saferschools.core.notifications.send_mail", refuse)
    # Before the last attempt the task queues itself again and succeeds...
    assert send_notification_emails.call([str(made.pk)], 0) == 0
    assert DBTaskResult.objects.ready().count() == 1
    # ...at the last it fails, so that the failure is seen.
    with pytest.raises(RuntimeError, match="still refused after 11 attempts"):
        send_notification_emails.call([str(made.pk)], EMAIL_ATTEMPTS - 1)
    assert Notification.objects.get(pk=made.pk).emailed_at is None


def test_list_unread_and_mark_read():
    from django.contrib.auth.models import AnonymousUser

    ann, ben = UserFactory(), UserFactory()
    with time_machine.travel(datetime(2026, 3, 4, 9, 0, tzinfo=UTC), tick=False):
        first = send(users=[ann], title="First")[0]
    with time_machine.travel(datetime(2026, 3, 4, 9, 5, tzinfo=UTC), tick=False):
        send(users=[ann, ben], title="Second")

    assert [n.title for n in notification_list(user=ann)] == ["Second", "First"]
    assert [n.title for n in notification_list(user=ben)] == ["Second"]
    assert unread_count(user=ann) == 2
    assert unread_count(user=AnonymousUser()) == 0

    assert notifications_mark_read(user=ann, ids=[str(first.pk)]) == 1
    assert unread_count(user=ann) == 1
    # Someone else's notification cannot be marked read.
    bens = Notification.objects.get(user=ben)
    assert notifications_mark_read(user=ann, ids=[str(bens.pk)]) == 0
    assert unread_count(user=ben) == 1
    assert notifications_mark_read(user=ann) == 1
    assert unread_count(user=ann) == 0
    assert notifications_mark_read(user=ann) == 0
