"""The pages of notifications from the police: the officer records one, the school's leaders
list, read and acknowledge them; the pupil's page and the landing page show them; everyone else
gets 404."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.lib.schooldays import LONDON
from saferschools.sharing.models import (
    Decision,
    PoliceNotification,
    SharedItem,
    SharingDecision,
)
from saferschools.sharing.police_services import police_notification_record
from saferschools.testing.factories import PupilFactory

pytestmark = pytest.mark.django_db

NOTIFICATION_TYPE = "sharing.policenotification"
PUPIL_TYPE = "casework.pupil"


@pytest.fixture
def officer(world, persona):
    """The SSP officer of partnership P (schools A and B)."""
    return persona(Role.SSP_OFFICER, world.p, full_name="Pat Officer")


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def dsl_b(world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_b)


@pytest.fixture
def supervisor(world, persona):
    return persona(Role.POLICE_SUPERVISOR, world.police)


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


READERS = ["dsl", "head", "officer"]
OUTSIDERS = ["staff", "outside_officer", "practitioner", "dsl_b", "supervisor", "analyst"]


@pytest.fixture
def sam(world):
    return PupilFactory(school=world.school_a, given_name="Sam", family_name="Okafor")


def record(officer, school, pupil, **changes) -> PoliceNotification:
    values = {
        "kind": "domestic_abuse",
        "summary": "Police attended a domestic incident; Sam was at home.",
        "occurred_at": timezone.now() - timedelta(hours=10),
    }
    values.update(changes)
    return police_notification_record(
        actor=officer, school=school, pupil_id=str(pupil.pk), source="test", **values
    )


@pytest.fixture
def notification(officer, world, sam):
    return record(officer, world.school_a, sam)


def list_url(school):
    return reverse("sharing-police-notifications", args=[school.urn])


def new_url(school):
    return reverse("sharing-record-police-notification", args=[school.urn])


def detail_url(notification):
    return reverse("sharing-police-notification", args=[notification.pk])


def acknowledge_url(notification):
    return reverse("sharing-acknowledge-police-notification", args=[notification.pk])


def form_data(chosen, **overrides):
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "q": "",
        "pupil": str(chosen.pk),
        "kind": "domestic_abuse",
        "occurred_on_day": str(yesterday.day),
        "occurred_on_month": str(yesterday.month),
        "occurred_on_year": str(yesterday.year),
        "occurred_time": "21:40",
        "summary": "Police attended a domestic incident at home.",
    }
    data.update(overrides)
    return data


def reads(notification, **detail):
    events = AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type=NOTIFICATION_TYPE, object_id=str(notification.pk)
    )
    return events.filter(detail=detail) if detail else events


def changes_written():
    return (
        PoliceNotification.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
        list(PoliceNotification.objects.values_list("acknowledged_at", "support_given")),
    )


# Recording ----------------------------------------------------------------------------------


def test_the_officer_finds_the_pupil_and_records_a_notification(client, world, officer, sam):
    client.force_login(officer)
    response = client.get(new_url(world.school_a))
    assert response.status_code == 200
    assert "Okafor" not in response.content.decode()

    # "Find" sends the form back with what was typed, the pupils found offered, nothing saved.
    typed = form_data(sam, q="okafor", pupil="", summary="Half typed")
    response = client.post(new_url(world.school_a), {**typed, "find": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Okafor, Sam" in body
    assert "Half typed" in body
    assert "govuk-error-summary" not in body
    assert not PoliceNotification.objects.exists()
    # The names offered are a listing of the register, audited as such.
    assert AuditEvent.objects.filter(
        object_type=PUPIL_TYPE, object_id=str(sam.pk), detail={"listing": True}
    ).exists()

    response = client.post(new_url(world.school_a), form_data(sam, q="okafor"))
    notification = PoliceNotification.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(notification)
    assert notification.pupil == sam
    assert notification.recorded_by == officer
    yesterday = timezone.localdate() - timedelta(days=1)
    assert notification.occurred_at == datetime.combine(
        yesterday, datetime.min.time().replace(hour=21, minute=40), tzinfo=LONDON
    )
    page = client.get(response["Location"])
    assert "Notification sent to Oakwood School" in page.content.decode()


def test_a_second_search_keeps_the_pupil_chosen(client, world, officer, sam):
    other = PupilFactory(school=world.school_a, given_name="Ava", family_name="Brown")
    client.force_login(officer)
    response = client.post(new_url(world.school_a), {**form_data(sam, q="brown"), "find": "1"})
    offered = response.context["form"].pupils_offered
    assert offered == [sam, other]


def test_starting_from_the_pupils_page_chooses_the_pupil(client, world, officer, sam):
    client.force_login(officer)
    response = client.get(new_url(world.school_a), {"pupil": str(sam.pk)})
    assert response.context["form"].pupils_offered == [sam]
    assert response.context["form"].initial["pupil"] == str(sam.pk)


def test_sent_empty_every_problem_is_named(client, world, officer, sam):
    client.force_login(officer)
    before = changes_written()
    response = client.post(new_url(world.school_a), {"q": "", "pupil": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"q", "kind", "summary", "occurred_on", "occurred_time"}
    assert errors["q"] == ["Choose the pupil: find them by name, pupil id or UPN first"]
    assert changes_written() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"occurred_on_year": "2999"}, "occurred_on", "It cannot have happened in the future"),
        ({"occurred_on_month": "13"}, "occurred_on", "The date it happened must be a real date"),
        ({"occurred_time": "25:00"}, "occurred_time", None),
        ({"kind": "burglary"}, "kind", "Choose what happened from the list"),
        ({"summary": "x" * 5001}, "summary", None),
        ({"summary": "\x00"}, "summary", None),
    ],
    ids=["future", "not-a-date", "not-a-time", "unknown-kind", "too-long", "only-nul"],
)
def test_bad_input_is_named_and_nothing_changes(
    client, world, officer, sam, overrides, field, message
):
    client.force_login(officer)
    before = changes_written()
    response = client.post(new_url(world.school_a), form_data(sam, **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in errors[field]
    assert changes_written() == before


@pytest.mark.parametrize(
    "pupil", ["of-another-school", "malformed"], ids=["of-another-school", "malformed"]
)
def test_a_pupil_not_offered_is_refused(client, world, officer, sam, pupil):
    client.force_login(officer)
    value = str(world.pupil_b.pk) if pupil == "of-another-school" else "not-a-uuid"
    before = changes_written()
    response = client.post(new_url(world.school_a), form_data(sam, pupil=value))
    assert response.status_code == 400
    assert "q" in response.context["form"].errors or "pupil" in response.context["form"].errors
    assert changes_written() == before


@pytest.mark.parametrize("who", ["dsl", "head", "staff", "outside_officer", "practitioner"])
def test_only_the_schools_officers_record(client, world, request, who, sam):
    client.force_login(request.getfixturevalue(who))
    assert client.get(new_url(world.school_a)).status_code == 404
    response = client.post(new_url(world.school_a), form_data(sam))
    assert response.status_code == 404
    assert not PoliceNotification.objects.exists()


def test_an_unknown_school_is_404(client, officer):
    client.force_login(officer)
    assert client.get("/schools/1/police-notifications/new/").status_code == 404
    assert client.get("/schools/1/police-notifications/").status_code == 404


# The school's list ------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_leaders_and_officers_list_the_schools_notifications(
    client, world, notification, request, who
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(list_url(world.school_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Okafor, Sam" in body
    assert detail_url(notification) in body
    assert "Domestic abuse at home" in body
    assert reads(notification, listing=True).count() == 1
    # The summary is not in the list.
    assert "Police attended" not in body


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_list_is_404_for_everyone_else(client, world, notification, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(list_url(world.school_a)).status_code == 404
    assert not reads(notification).exists()


def test_unread_first_the_longest_overdue_first_and_flagged(
    client, world, officer, dsl, sam, django_assert_max_num_queries
):
    friday = datetime(2026, 3, 6, 19, 0, tzinfo=LONDON)
    monday_noon = datetime(2026, 3, 9, 12, 0, tzinfo=LONDON)
    with time_machine.travel(friday, tick=False):
        old = record(officer, world.school_a, sam, occurred_at=friday - timedelta(hours=1))
    with time_machine.travel(friday + timedelta(hours=1), tick=False):
        read = record(officer, world.school_a, sam, occurred_at=friday)
    from saferschools.sharing.police_services import police_notification_acknowledge

    police_notification_acknowledge(
        actor=dsl, notification=read, support_given="Tutor told.", source="test"
    )
    with time_machine.travel(monday_noon, tick=False):
        new = record(officer, world.school_a, sam, occurred_at=monday_noon - timedelta(hours=1))
        for _ in range(5):
            record(officer, world.school_a, sam, occurred_at=monday_noon - timedelta(hours=2))
        client.force_login(dsl)
        with django_assert_max_num_queries(20):
            response = client.get(list_url(world.school_a))
    rows = response.context["rows"]
    assert rows[0].notification == old and rows[0].overdue
    # Six more recorded together on Monday, due on Tuesday morning, none overdue yet.
    assert new in [row.notification for row in rows[1:7]]
    assert not any(row.overdue for row in rows[1:7])
    assert len(rows) == 8
    assert rows[-1].notification == read and not rows[-1].overdue
    assert "Overdue" in response.content.decode()


# One notification --------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_readers_open_a_notification_and_the_read_is_audited(client, notification, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(detail_url(notification))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sam Okafor" in body
    assert "Police attended a domestic incident" in body
    event = reads(notification).get()
    assert event.actor_id == user.pk
    assert event.detail == {}


def test_only_leaders_get_the_acknowledge_form(client, notification, dsl, officer):
    client.force_login(dsl)
    assert client.get(detail_url(notification)).context["form"] is not None
    client.force_login(officer)
    assert client.get(detail_url(notification)).context["form"] is None


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_notification_is_404_for_everyone_else(client, notification, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(detail_url(notification)).status_code == 404
    response = client.post(acknowledge_url(notification), {"support_given": "Seen."})
    assert response.status_code == 404
    assert not reads(notification).exists()
    assert PoliceNotification.objects.get(pk=notification.pk).acknowledged_at is None


def test_a_missing_notification_is_404(client, dsl):
    client.force_login(dsl)
    assert (
        client.get("/police-notifications/00000000-0000-0000-0000-000000000000/").status_code == 404
    )


def test_a_practitioner_granted_notifications_reads_them_through_the_grant(
    client, world, notification, practitioner, dsl, sam
):
    grant = SharingDecision.objects.create(
        pupil=sam,
        school=world.school_a,
        agency=world.yot,
        purpose="Support",
        information="Notifications",
        items=[SharedItem.NOTIFICATIONS],
        lawful_basis="gdpr_6_1_e",
        consent="not_sought",
        consent_reason="A child at risk",
        golden_rules_confirmed=True,
        decision=Decision.SHARE,
        expires_on=date.today() + timedelta(days=30),
        decided_by=dsl,
        decided_at=timezone.now(),
    )
    client.force_login(practitioner)
    response = client.get(detail_url(notification))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert reads(notification).get().detail == {"grant": str(grant.pk)}
    # Still not the school's list, and no acknowledging.
    assert client.get(list_url(world.school_a)).status_code == 404
    response = client.post(acknowledge_url(notification), {"support_given": "Seen."})
    assert response.status_code == 404


def test_a_leader_acknowledges_it(client, notification, dsl):
    client.force_login(dsl)
    response = client.post(
        acknowledge_url(notification), {"support_given": "Tutor to check in at registration."}
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(notification)
    stored = PoliceNotification.objects.get(pk=notification.pk)
    assert stored.acknowledged_by == dsl
    assert stored.support_given == "Tutor to check in at registration."
    body = client.get(detail_url(notification)).content.decode()
    assert "Notification acknowledged" in body
    assert "Tutor to check in at registration." in body
    assert "Acknowledge it" not in body


@pytest.mark.parametrize("support", ["", "   ", "x" * 5001], ids=["empty", "blank", "too-long"])
def test_acknowledging_without_the_support_given_is_refused(client, notification, dsl, support):
    client.force_login(dsl)
    before = changes_written()
    response = client.post(acknowledge_url(notification), {"support_given": support})
    assert response.status_code == 400
    assert "support_given" in response.context["form"].errors
    assert changes_written() == before


def test_acknowledging_twice_is_refused(client, notification, dsl, head):
    client.force_login(dsl)
    client.post(acknowledge_url(notification), {"support_given": "Tutor told."})
    client.force_login(head)
    response = client.post(acknowledge_url(notification), {"support_given": "Again."})
    assert response.status_code == 302
    assert "already been acknowledged" in client.get(response["Location"]).content.decode()
    stored = PoliceNotification.objects.get(pk=notification.pk)
    assert (stored.acknowledged_by, stored.support_given) == (dsl, "Tutor told.")


def test_acknowledge_is_post_only(client, notification, dsl):
    client.force_login(dsl)
    assert client.get(acknowledge_url(notification)).status_code == 405


# The pupil's page and the landing page -----------------------------------------------------


def test_the_pupils_page_lists_the_notifications(client, notification, officer, sam):
    client.force_login(officer)
    response = client.get(reverse("casework-pupil", args=[sam.pk]))
    body = response.content.decode()
    assert "Notifications from the police" in body
    assert detail_url(notification) in body
    assert f"{new_url(sam.school)}?pupil={sam.pk}" in body
    assert reads(notification, listing=True).exists()


def test_staff_see_no_notifications_on_the_pupils_page(client, notification, staff, sam):
    client.force_login(staff)
    body = client.get(reverse("casework-pupil", args=[sam.pk])).content.decode()
    assert "Notifications from the police" not in body
    assert not reads(notification).exists()


def test_the_landing_page_shows_leaders_the_unread_without_names(client, world, officer, dsl, sam):
    with time_machine.travel(datetime(2026, 3, 6, 19, 0, tzinfo=LONDON), tick=False):
        overdue = record(officer, world.school_a, sam)
    fresh = record(officer, world.school_a, sam)
    client.force_login(dsl)
    response = client.get("/")
    body = response.content.decode()
    assert "Notifications from the police" in body
    assert detail_url(overdue) in body and detail_url(fresh) in body
    assert body.index(detail_url(overdue)) < body.index(detail_url(fresh))
    assert "Okafor" not in body
    assert list_url(world.school_a) in body
    assert new_url(world.school_a) not in body


def test_the_landing_page_gives_officers_their_schools(client, world, officer):
    client.force_login(officer)
    body = client.get("/").content.decode()
    assert new_url(world.school_a) in body and new_url(world.school_b) in body


def test_nothing_on_the_landing_page_for_staff(client, staff, notification):
    client.force_login(staff)
    assert "Notifications from the police" not in client.get("/").content.decode()


def test_the_officer_is_told_when_it_is_due_in_uk_time(client, world, officer, sam):
    client.force_login(officer)
    # A Wednesday in summer (BST): due at 08:30 on Thursday, 07:30 UTC.
    with time_machine.travel(datetime(2026, 6, 10, 12, 0, tzinfo=LONDON), tick=False):
        response = client.post(new_url(world.school_a), form_data(sam), follow=True)
    assert "it is due to be read by Thursday 11 June 2026 08:30." in response.content.decode()
