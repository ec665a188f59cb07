"""The disclosure log of a school and of a partnership: every sharing decision, referrals made
with one and notifications from the police; newest first, by period, a page at a time, and as a
CSV file safe to open in a spreadsheet. Showing and downloading lines is audited."""

import csv
import html
import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework.models import (
    PupilTransfer,
    Referral,
    ReferralService,
    TransferReason,
    TransferStatus,
)
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON
from saferschools.sharing.models import Decision, PoliceNotification
from saferschools.testing.factories import PupilFactory

from .test_decision_services import decide

pytestmark = pytest.mark.django_db


def school_log(school, query: str = "") -> str:
    return f"/schools/{school.urn}/disclosure-log/{query}"


def school_csv(school, query: str = "") -> str:
    return f"/schools/{school.urn}/disclosure-log/download/{query}"


def partnership_log(partnership, query: str = "") -> str:
    return f"/partnerships/{partnership.pk}/disclosure-log/{query}"


def text(response) -> str:
    return html.unescape(response.content.decode())


def rows_of(response) -> list[dict[str, str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(content.removeprefix("\ufeff"))))


def at(*moment: int) -> time_machine.travel:
    return time_machine.travel(datetime(*moment, tzinfo=LONDON), tick=False)


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p, full_name="PC Sam Reed")


@pytest.fixture
def lead_b(world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_b)


@pytest.fixture
def history(world, dsl, lead_b, officer):
    """School A shares, refuses, refers and is notified over a spring; school B shares once."""
    with at(2026, 3, 2, 10, 0):
        shared = decide(dsl, world.pupil_a, world.yot, expires_on=datetime(2026, 6, 1).date())
    with at(2026, 3, 9, 10, 0):
        refused = decide(
            dsl,
            world.pupil_a,
            world.police,
            agency_id=str(world.police.pk),
            decision=Decision.NOT_SHARE,
            reason="No need to know",
        )
    with at(2026, 3, 16, 10, 0):
        referral = Referral.objects.create(
            pupil=world.pupil_a,
            school=world.school_a,
            agency=world.yot,
            service=ReferralService.YOUTH_OFFENDING_TEAM,
            reason="Prevention",
            sharing_decision=shared,
            referred_by=dsl,
            referred_at=timezone.now(),
        )
        Referral.objects.create(
            pupil=world.pupil_a,
            school=world.school_a,
            agency=world.yot,
            service=ReferralService.PARENTING,
            reason="Parenting course, nothing shared",
            referred_by=dsl,
            referred_at=timezone.now(),
        )
    with at(2026, 3, 23, 7, 0):
        notification = PoliceNotification.objects.create(
            school=world.school_a,
            pupil=world.pupil_a,
            summary="Police attended a domestic incident at home",
            occurred_at=timezone.now() - timedelta(hours=8),
            recorded_by=officer,
            recorded_at=timezone.now(),
            due_by=timezone.now() + timedelta(hours=2),
        )
    with at(2026, 3, 24, 10, 0):
        other_school = decide(lead_b, world.pupil_b, world.yot)
    return {
        "shared": shared,
        "refused": refused,
        "referral": referral,
        "notification": notification,
        "other_school": other_school,
    }


# The school's log ----------------------------------------------------------------------------------


def test_the_log_lists_everything_shared_and_received_newest_first(client, world, dsl, history):
    client.force_login(dsl)
    page = client.get(school_log(world.school_a))
    assert page.status_code == 200
    body = text(page)
    order = [
        body.index(f"/police-notifications/{history['notification'].pk}/"),
        body.index(f"/referrals/{history['referral'].pk}/"),
        body.index(f"/sharing-decisions/{history['refused'].pk}/"),
        body.index(f"/sharing-decisions/{history['shared'].pk}/"),
    ]
    assert order == sorted(order)
    assert "4 entries" in body
    assert "Parenting course" not in body
    assert f"/sharing-decisions/{history['other_school'].pk}/" not in body
    assert "UK GDPR Article 6(1)(e): public task" in body
    assert "The police (PC Sam Reed)" in body
    assert "Received" in body


def test_showing_the_log_is_audited_line_by_line(client, world, dsl, history):
    client.force_login(dsl)
    client.get(school_log(world.school_a))
    shown = AuditEvent.objects.filter(actor_id=dsl.pk, action=AuditAction.VIEW)
    ids = {e.object_id for e in shown if e.detail.get("log") == "disclosure"}
    assert ids == {
        str(history["shared"].pk),
        str(history["refused"].pk),
        str(history["referral"].pk),
        str(history["notification"].pk),
    }


def test_the_log_is_filtered_by_period_with_both_days_included(client, world, dsl, history):
    client.force_login(dsl)
    page = client.get(
        school_log(
            world.school_a,
            "?since_day=9&since_month=3&since_year=2026&until_day=16&until_month=3&until_year=2026",
        )
    )
    body = text(page)
    assert "2 entries" in body
    assert "Do not share" in body
    assert "Referral</a>: Referred" in body
    assert "Notification from the police" not in body
    assert "this period" in body


@pytest.mark.parametrize(
    "query",
    [
        "?since_day=31&since_month=2&since_year=2026",
        "?since_day=1&since_month=3&since_year=2026&until_day=1&until_month=2&until_year=2026",
        "?until_day=" + "9" * 5000 + "&until_month=1&until_year=2026",
        "?since_day=1&since_month=3",
    ],
    ids=["not-a-date", "end-before-start", "huge-day", "no-year"],
)
def test_a_bad_period_is_refused_with_an_error(client, world, dsl, history, query):
    client.force_login(dsl)
    page = client.get(school_log(world.school_a, query))
    assert page.status_code == 400
    assert "There is a problem" in text(page)
    assert client.get(school_csv(world.school_a, query)).status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_log_pages_in_few_queries(client, world, dsl, django_assert_max_num_queries):
    with at(2026, 3, 2, 10, 0):
        for _ in range(55):
            decide(dsl, world.pupil_a, world.yot, decision=Decision.NOT_SHARE, reason="No")
    client.force_login(dsl)
    with django_assert_max_num_queries(20):
        first = client.get(school_log(world.school_a))
    assert "55 entries, page 1 of 2" in text(first)
    with django_assert_max_num_queries(20):
        second = client.get(school_log(world.school_a, "?page=2"))
    assert second.status_code == 200
    assert client.get(school_log(world.school_a, "?page=999999999999")).status_code == 200


def test_a_pupil_who_has_moved_school_stays_in_the_log_unnamed(client, world, dsl, history):
    PupilTransfer.objects.create(
        pupil=world.pupil_a,
        from_school=world.school_a,
        to_school=world.school_b,
        reason=TransferReason.MANAGED_MOVE,
        status=TransferStatus.CONFIRMED,
        sent_by=dsl,
        sent_at=timezone.now(),
    )
    client.force_login(dsl)
    body = text(client.get(school_log(world.school_a)))
    assert "4 entries" in body
    assert world.pupil_a.name not in body
    assert "A pupil whose record has moved to another school" in body


# Who keeps it -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SCHOOL_STAFF, "school_a"),
        (Role.SSP_OFFICER, "p"),
        (Role.AGENCY_PRACTITIONER, "yot"),
        (Role.LA_ANALYST, "area"),
        (Role.SAFEGUARDING_LEAD, "school_b"),
        (Role.SAFEGUARDING_LEAD, "school_d"),
        (Role.AREA_ADMIN, "area"),
    ],
    ids=["staff", "officer", "practitioner", "analyst", "other-school", "other-area", "admin"],
)
def test_only_the_schools_leaders_keep_its_log(client, world, persona, role, scope):
    client.force_login(persona(role, getattr(world, scope)))
    assert client.get(school_log(world.school_a)).status_code == 404
    assert client.get(school_csv(world.school_a)).status_code == 404


def test_an_unknown_school_is_not_found(client, dsl):
    client.force_login(dsl)
    assert client.get("/schools/1/disclosure-log/").status_code == 404
    assert client.get("/schools/99999999999999999999/disclosure-log/").status_code == 404


# The partnership's log ---------------------------------------------------------------------------


def test_a_partnership_head_sees_every_schools_lines(client, world, persona, history):
    head = persona(Role.HEAD_TEACHER, world.p)
    client.force_login(head)
    body = text(client.get(partnership_log(world.p)))
    assert "5 entries" in body
    assert "Langshott Primary" in body
    assert f"/sharing-decisions/{history['other_school'].pk}/" in body


def test_a_schools_lead_sees_only_their_schools_lines_in_the_partnership_log(
    client, world, dsl, history
):
    client.force_login(dsl)
    body = text(client.get(partnership_log(world.p)))
    assert "4 entries" in body
    assert f"/sharing-decisions/{history['other_school'].pk}/" not in body
    assert client.get(partnership_log(world.q)).status_code == 404


def test_the_partnership_log_is_not_found_for_others(client, world, staff, practitioner):
    for user in (staff, practitioner):
        client.force_login(user)
        assert client.get(partnership_log(world.p)).status_code == 404


# The file ------------------------------------------------------------------------------------------


def test_the_file_holds_every_line_and_each_is_audited_as_an_export(client, world, dsl, history):
    client.force_login(dsl)
    response = client.get(school_csv(world.school_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    assert [row["what"] for row in rows] == [
        "Notification from the police",
        "Referral",
        "Sharing decision",
        "Sharing decision",
    ]
    share = rows[3]
    assert share["pupil"] == world.pupil_a.name
    assert share["with or from"] == "Surrey YOS"
    assert share["lawful basis"] == "UK GDPR Article 6(1)(e): public task"
    assert share["access ends"] == "2026-06-01"
    assert share["direction"] == "Shared"
    assert rows[0]["direction"] == "Received"
    exported = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor_id=dsl.pk)
    assert {e.object_id for e in exported} == {row["id"] for row in rows}


def test_the_file_is_safe_to_open_in_a_spreadsheet(client, world, dsl):
    decide(
        dsl,
        world.pupil_a,
        world.yot,
        information='=HYPERLINK("http://example.com","click")',
        purpose="+1 safeguarding",
    )
    client.force_login(dsl)
    (row,) = rows_of(client.get(school_csv(world.school_a)))
    assert row["information"] == '\'=HYPERLINK("http://example.com","click")'


def test_the_file_keeps_to_the_period(client, world, dsl, history):
    client.force_login(dsl)
    response = client.get(school_csv(world.school_a, "?since_day=23&since_month=3&since_year=2026"))
    assert [row["what"] for row in rows_of(response)] == ["Notification from the police"]


def test_a_revoked_share_says_when(client, world, dsl):
    pupil = PupilFactory(school=world.school_a)
    decision = decide(dsl, pupil, world.yot)
    decision.revoked_at = timezone.now()
    decision.save()
    client.force_login(dsl)
    assert "Revoked" in text(client.get(school_log(world.school_a)))
    (row,) = rows_of(client.get(school_csv(world.school_a)))
    assert row["revoked at"] != ""
