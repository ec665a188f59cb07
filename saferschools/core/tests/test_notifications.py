"""The notifications page and the navigation's counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.core.models import Notification
from saferschools.core.notifications import notify
from saferschools.reporting import services
from saferschools.testing.factories import UserFactory, submit_report

pytestmark = pytest.mark.django_db

PAGE = reverse("core-notifications")
HOME = reverse("core-home")
INBOX = reverse("reporting-inbox")


def note_for(user, title, *, minutes_ago=0, read=False, **fields):
    return Notification.objects.create(
        user=user,
        title=title,
        url=fields.pop("url", "/reports/"),
        kind="test",
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        read_at=timezone.now() if read else None,
        **fields,
    )


def nav_texts(response) -> list[str]:
    return [item.text for item in response.context["nav_items"]]


def test_notifications_are_listed_newest_first_with_unread_marked(client, dsl, staff):
    note_for(dsl, "Older and read", minutes_ago=30, read=True)
    note_for(dsl, "Newest", minutes_ago=1, urgent=True)
    note_for(dsl, "Middle", minutes_ago=10)
    note_for(staff, "Somebody else's")
    client.force_login(dsl)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert [n.title for n in response.context["page"]] == ["Newest", "Middle", "Older and read"]
    body = response.content.decode()
    assert "Somebody else" not in body
    assert body.count(">Unread</strong>") == 2
    assert body.index("Newest") < body.index("Middle") < body.index("Older and read")
    assert 'href="/reports/"' in body
    assert "You have 2 unread notifications." in body


def test_a_new_report_notifies_the_safeguarding_lead_with_a_link(client, world, dsl):
    report = submit_report(world.school_a).report
    client.force_login(dsl)
    body = client.get(PAGE).content.decode()
    assert "New report at Oakwood School" in body
    assert reverse("reporting-report", args=[report.pk]) in body


def test_marking_all_read_marks_only_ones_own(client, dsl, staff):
    mine = [note_for(dsl, "One"), note_for(dsl, "Two")]
    theirs = note_for(staff, "Theirs")
    client.force_login(dsl)
    response = client.post(PAGE)
    assert response.status_code == 302
    assert response["Location"] == PAGE
    for notification in mine:
        notification.refresh_from_db()
        assert notification.read_at is not None
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get(PAGE)
    assert "2 notifications marked as read." in page.content.decode()
    assert "Mark all as read" not in page.content.decode()


def test_marking_read_with_nothing_unread_says_so(client, dsl):
    client.force_login(dsl)
    page = client.get(client.post(PAGE)["Location"])
    assert "You had no unread notifications." in page.content.decode()


def test_an_empty_list_says_so(client, dsl):
    client.force_login(dsl)
    assert "You have no notifications." in client.get(PAGE).content.decode()


def test_notifications_are_paginated(client, dsl):
    for n in range(55):
        note_for(dsl, f"Notice {n}", minutes_ago=n)
    client.force_login(dsl)
    first = client.get(PAGE)
    assert len(first.context["page"]) == 50
    assert "?page=2" in first.content.decode()
    assert len(client.get(PAGE, {"page": "2"}).context["page"]) == 5
    assert client.get(PAGE, {"page": "many"}).status_code == 200


def test_notifications_need_sign_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-sign-in"))
    assert client.post(PAGE).status_code == 302


def test_other_methods_are_refused(client, dsl):
    client.force_login(dsl)
    assert client.put(PAGE).status_code == 405
    assert client.delete(PAGE).status_code == 405


# The navigation


def test_navigation_counts_unread_notifications(client, dsl):
    client.force_login(dsl)
    assert "Notifications" in nav_texts(client.get(HOME))
    note_for(dsl, "One")
    note_for(dsl, "Two")
    note_for(dsl, "Read", read=True)
    response = client.get(HOME)
    assert "Notifications (2 unread)" in nav_texts(response)
    assert "Notifications (2 unread)" in response.content.decode()
    client.post(PAGE)
    assert "Notifications" in nav_texts(client.get(HOME))


@pytest.mark.parametrize("who", ["dsl", "officer", "head"])
def test_report_handlers_have_reports_in_the_navigation(client, world, persona, request, who):
    user = {
        "dsl": lambda: request.getfixturevalue("dsl"),
        "officer": lambda: persona(Role.SSP_OFFICER, world.p),
        "head": lambda: persona(Role.HEAD_TEACHER, world.school_a),
    }[who]()
    client.force_login(user)
    response = client.get(HOME)
    # Those who handle reports also see pupils' records, and find them from "Pupils".
    expected = ["Home", "Reports", "Incidents", "Pupils"]
    expected += ["Activity"] if who == "officer" else []
    assert nav_texts(response) == [*expected, "Notifications"]
    assert f'href="{INBOX}"' in response.content.decode()
    inbox = client.get(INBOX)
    active = [item.text for item in inbox.context["nav_items"] if item.active]
    assert active == ["Reports"]


@pytest.mark.parametrize("role", [Role.LA_ANALYST, Role.AREA_ADMIN, Role.POLICE_SUPERVISOR])
def test_other_roles_have_no_reports_in_the_navigation(client, world, persona, role):
    client.force_login(persona(role, world.area))
    # A police supervisor oversees officers' time; nobody here handles reports.
    activity = ["Activity"] if role == Role.POLICE_SUPERVISOR else []
    assert nav_texts(client.get(HOME)) == ["Home", *activity, "Notifications"]


def test_staff_get_reports_in_the_navigation_once_given_one(client, world, dsl, staff):
    client.force_login(staff)
    assert "Reports" not in nav_texts(client.get(HOME))
    report = submit_report(world.school_a).report
    services.report_assign(actor=dsl, report=report, assignee=staff, source="test")
    response = client.get(HOME)
    assert "Reports" in nav_texts(response)
    assert "Notifications (1 unread)" in nav_texts(response)


def test_a_user_without_a_role_still_sees_notifications(client, db):
    user = UserFactory()
    notify(users=[user], title="Welcome", url="", kind="test")
    client.force_login(user)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "Welcome" in response.content.decode()
    assert nav_texts(response) == ["Home", "Notifications (1 unread)"]


def test_no_navigation_before_the_second_factor(client, dsl, settings):
    settings.REQUIRE_TWO_FACTOR = True
    note_for(dsl, "One")
    client.force_login(dsl)
    response = client.get(PAGE)
    # The page itself waits for the second factor.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-two-factor"))
    code_page = client.get(response["Location"])
    assert code_page.status_code == 200
    assert code_page.context["nav_items"] == []
    assert "Notifications" not in code_page.content.decode()
