"""Sharing at its edges: the audit names the grant a read was made through, lists stay a fixed
number of queries as data grows, and a page refusing a change links only to what it shows."""

import csv
import html
import io
import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saferschools.accounts.models import Role, User
from saferschools.casework.models import (
    PupilTransfer,
    Referral,
    ReferralService,
    TransferReason,
    TransferStatus,
)
from saferschools.core import access
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.lib.schooldays import LONDON
from saferschools.sharing import police_views
from saferschools.sharing.models import PoliceNotification, SharedItem
from saferschools.sharing.police_services import (
    police_notification_acknowledge,
    police_notification_check_due,
    police_notification_record,
)
from saferschools.testing.factories import PartnershipSchoolFactory, SchoolFactory

from .test_decision_services import decide
from .test_police_services import check_tasks, run_at, told

pytestmark = pytest.mark.django_db


def at(*moment: int) -> time_machine.travel:
    return time_machine.travel(datetime(*moment, tzinfo=LONDON), tick=False)


def text(response) -> str:
    return html.unescape(response.content.decode())


def reads_of(user, obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            actor_id=user.pk, action=AuditAction.VIEW, object_id=str(obj.pk)
        ).order_by("seq")
    )


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p, full_name="PC Sam Reed")


def notify_school(officer, school, pupil):
    return police_notification_record(
        actor=officer,
        school=school,
        pupil_id=str(pupil.pk),
        kind="missing",
        summary="Missing overnight; found safe.",
        occurred_at=timezone.now() - timedelta(hours=5),
        source="test",
    )


# The audit names the grant used ----------------------------------------------------------------


def test_reading_a_decision_names_that_grant_not_another_for_the_same_pupil(
    client, world, dsl, practitioner
):
    with at(2026, 3, 2, 9, 0):
        first = decide(dsl, world.pupil_a, world.yot, items=[SharedItem.PLANS])
    with at(2026, 3, 3, 9, 0):
        second = decide(dsl, world.pupil_a, world.yot, items=[SharedItem.MEETINGS])
        client.force_login(practitioner)
        assert client.get(f"/sharing-decisions/{first.pk}/").status_code == 200
        assert client.get(f"/sharing-decisions/{second.pk}/").status_code == 200
    assert [e.detail["grant"] for e in reads_of(practitioner, first)] == [str(first.pk)]
    assert [e.detail["grant"] for e in reads_of(practitioner, second)] == [str(second.pk)]


def test_reading_a_notification_names_the_grant_that_opens_notifications(
    client, world, dsl, officer, practitioner
):
    with at(2026, 3, 2, 9, 0):
        notification = notify_school(officer, world.school_a, world.pupil_a)
        opening = decide(dsl, world.pupil_a, world.yot, items=[SharedItem.NOTIFICATIONS])
    with at(2026, 3, 3, 9, 0):
        # A newer grant for the same pupil that does not open notifications.
        decide(dsl, world.pupil_a, world.yot, items=[SharedItem.PLANS])
        client.force_login(practitioner)
        assert client.get(f"/police-notifications/{notification.pk}/").status_code == 200
        assert client.get(f"/pupils/{world.pupil_a.pk}/").status_code == 200
    events = reads_of(practitioner, notification)
    assert len(events) == 2  # the page, and the listing on the pupil's page
    assert {event.detail["grant"] for event in events} == {str(opening.pk)}


# Lists in a fixed number of queries ------------------------------------------------------------


def _referrals_with_named_practitioner(world, dsl, practitioner, count):
    decision = decide(dsl, world.pupil_a, world.yot, practitioner_id=str(practitioner.pk))
    for _ in range(count):
        Referral.objects.create(
            pupil=world.pupil_a,
            school=world.school_a,
            agency=world.yot,
            service=ReferralService.YOUTH_OFFENDING_TEAM,
            reason="Prevention",
            sharing_decision=decision,
            referred_by=dsl,
            referred_at=timezone.now(),
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("suffix", ["", "download/"], ids=["page", "csv"])
def test_the_disclosure_log_does_not_grow_in_queries_with_referrals_naming_a_practitioner(
    client, world, dsl, persona, suffix
):
    named = persona(Role.AGENCY_PRACTITIONER, world.yot, full_name="Yusuf Oyelaran")
    url = f"/schools/{world.school_a.urn}/disclosure-log/{suffix}"
    client.force_login(dsl)
    _referrals_with_named_practitioner(world, dsl, named, 2)
    few = _queries(client, url)
    _referrals_with_named_practitioner(world, dsl, named, 12)
    many = _queries(client, url)
    assert many == few
    assert "Surrey YOS (Yusuf Oyelaran)" in text(client.get(url))


def test_the_landing_panel_of_notifications_does_not_grow_in_queries_with_schools(world, persona):
    officer = persona(Role.SSP_OFFICER, world.p)
    head = persona(Role.HEAD_TEACHER, world.p)

    def panel_queries(user) -> int:
        request = RequestFactory().get("/")
        request.user = User.objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as queries:
            panel = police_views.landing_panel(request)
        assert panel is not None
        return len(queries)

    few = (panel_queries(officer), panel_queries(head))
    for number in range(6):
        school = SchoolFactory(area=world.area, name=f"Added School {number}")
        PartnershipSchoolFactory(partnership=world.p, school=school)
    many = (panel_queries(officer), panel_queries(head))
    assert many == few


# A refused change links to what the page shows -------------------------------------------------


def _links_resolve(body: str) -> None:
    """Every link of the error summary goes to an element of the page."""
    summary = body.split('class="govuk-error-summary"', 1)[1].split("</div>\n</div>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets or "govuk-error-summary__list" not in summary
    for target in targets:
        assert f'id="{target}"' in body, target


def test_revoking_a_share_no_longer_live_says_why_without_a_broken_link(client, world, dsl):
    with at(2026, 3, 2, 9, 0):
        decision = decide(dsl, world.pupil_a, world.yot, expires_on=date(2026, 3, 10))
        client.force_login(dsl)
        url = f"/sharing-decisions/{decision.pk}/revoke/"
        assert client.post(url, {"reason": "Closed"}).status_code == 302
        again = client.post(url, {"reason": "Another reason"})
    assert again.status_code == 400
    body = text(again)
    assert "This share has already been revoked" in body
    if 'class="govuk-error-summary"' in body:
        _links_resolve(body)
    with at(2026, 3, 11, 9, 0):
        expired = decide(dsl, world.pupil_a, world.yot, expires_on=date(2026, 3, 20))
    with at(2026, 3, 21, 9, 0):
        client.force_login(dsl)
        late = client.post(f"/sharing-decisions/{expired.pk}/revoke/", {"reason": "Closed"})
    assert late.status_code == 400
    assert "already expired" in text(late)
    if 'class="govuk-error-summary"' in text(late):
        _links_resolve(text(late))


# The disclosure log after a pupil moves school -------------------------------------------------


def test_the_log_keeps_what_was_shared_but_not_what_the_police_wrote_of_a_pupil_who_moved(
    client, world, dsl, officer
):
    decision = decide(dsl, world.pupil_a, world.yot)
    notification = notify_school(officer, world.school_a, world.pupil_a)
    url = f"/schools/{world.school_a.urn}/disclosure-log/download/"
    client.force_login(dsl)

    def lines() -> dict[str, dict[str, str]]:
        content = client.get(url).content.decode().removeprefix("\ufeff")
        return {row["id"]: row for row in csv.DictReader(io.StringIO(content))}

    before = lines()
    assert before[str(notification.pk)]["information"] == "Missing overnight; found safe."
    PupilTransfer.objects.create(
        pupil=world.pupil_a,
        from_school=world.school_a,
        to_school=world.school_b,
        reason=TransferReason.MANAGED_MOVE,
        status=TransferStatus.CONFIRMED,
        sent_by=dsl,
        sent_at=timezone.now(),
    )
    after = lines()
    assert after[str(decision.pk)]["information"] == decision.information
    assert after[str(notification.pk)]["information"] == (
        "Not shown: the pupil's record has moved to another school"
    )
    for row in after.values():
        assert row["pupil"] == "A pupil whose record has moved to another school"
        assert row["school's pupil id"] == ""
    assert "Missing overnight" not in client.get(url).content.decode()


def test_acknowledged_by_someone_else_meanwhile_says_so_instead_of_a_page_without_the_error(
    client, world, dsl, officer, persona, monkeypatch
):
    notification = notify_school(officer, world.school_a, world.pupil_a)
    stale = PoliceNotification.objects.get(pk=notification.pk)
    head = persona(Role.HEAD_TEACHER, world.school_a)
    police_notification_acknowledge(
        actor=head, notification=notification, support_given="Checked in", source="test"
    )
    # The lead's request read the notification just before the head teacher's was stored.
    monkeypatch.setattr(access, "get_police_notification_for_user", lambda *args: stale)
    client.force_login(dsl)
    response = client.post(
        f"/police-notifications/{notification.pk}/acknowledge/",
        {"support_given": "A quiet space"},
        follow=True,
    )
    assert response.status_code == 200
    assert "This notification had already been acknowledged." in text(response)
    notification.refresh_from_db()
    assert (notification.acknowledged_by, notification.support_given) == (head, "Checked in")


# A notification unread when the pupil's record moves ------------------------------------------


def test_a_notification_unread_when_the_pupil_moves_tells_the_officer_not_the_old_school(
    world, dsl, officer, run_worker
):
    recorded = datetime(2026, 3, 3, 21, 40, tzinfo=LONDON)
    with time_machine.travel(recorded, tick=False):
        notification = notify_school(officer, world.school_a, world.pupil_a)
        PupilTransfer.objects.create(
            pupil=world.pupil_a,
            from_school=world.school_a,
            to_school=world.school_c,
            reason=TransferReason.MANAGED_MOVE,
            status=TransferStatus.CONFIRMED,
            sent_by=dsl,
            sent_at=timezone.now(),
        )
    run_at(datetime(2026, 3, 4, 8, 31, tzinfo=LONDON), run_worker)
    run_at(datetime(2026, 3, 4, 17, 1, tzinfo=LONDON), run_worker)
    # The sending school, which can no longer open it, is not chased; the officer is told once,
    # with the receiving school's page (the officer is not deployed there).
    assert told("police_notification_escalated") == set()
    assert told("police_notification_escalated_again") == set()
    assert told("police_notification_pupil_moved") == {officer}
    alert = Notification.objects.get(kind="police_notification_pupil_moved")
    assert alert.url == f"/schools/{world.school_c.urn}/"
    assert world.pupil_a.family_name not in alert.title
    assert [task.return_value for task in check_tasks(notification)] == ["pupil moved"]
    # Running the check again tells nobody more.
    assert police_notification_check_due(notification_id=str(notification.pk)) == "pupil moved"
    assert Notification.objects.filter(kind="police_notification_pupil_moved").count() == 1
