"""Referrals: making one, recording the agency's answer, and the reminders when none comes."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from saferschools.accounts.models import Role
from saferschools.casework import plan_services, referral_services
from saferschools.casework.models import (
    PupilTransfer,
    Referral,
    ReferralService,
    ReferralStatus,
    ReferralUpdate,
    TransferReason,
    TransferStatus,
)
from saferschools.casework.referral_services import ReferralInput
from saferschools.core.models import Agency, AuditAction, AuditEvent, Notification
from saferschools.sharing.models import Consent, Decision, LawfulBasis, SharingDecision
from saferschools.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026, 10:00 in London (GMT).
WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def grant(pupil, agency, decider, *, items=("referrals",), days=30, practitioner=None, **fields):
    values = {
        "pupil": pupil,
        "school": pupil.school,
        "agency": agency,
        "practitioner": practitioner,
        "purpose": "To support the pupil together",
        "information": "Attendance and the plan",
        "items": list(items),
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "consent": Consent.GIVEN,
        "golden_rules_confirmed": True,
        "decision": Decision.SHARE,
        "expires_on": timezone.localdate() + timedelta(days=days),
        "decided_by": decider,
        "decided_at": timezone.now(),
    }
    values.update(fields)
    return SharingDecision.objects.create(**values)


def refer(actor, pupil, agency, **changes) -> Referral:
    values = {"agency_id": str(agency.pk), "reason": "Repeated absence and a new peer group."}
    values.update(changes)
    return referral_services.referral_create(
        actor=actor, pupil=pupil, data=ReferralInput(**values), source="test"
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def told(kind: str) -> set:
    return {n.user for n in Notification.objects.filter(kind=kind)}


def run_at(moment: datetime, run_worker) -> None:
    with time_machine.travel(moment, tick=False):
        run_worker()
    assert not DBTaskResult.objects.failed().exists()


def reminder_tasks(referral: Referral):
    return DBTaskResult.objects.filter(
        task_path__endswith="referral_remind", args_kwargs__args__0=str(referral.pk)
    ).order_by("run_after")


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def second_lead(world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_a)


# Making a referral ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "service"),
    [
        (Agency.Kind.YOUTH_OFFENDING_TEAM, ReferralService.YOUTH_OFFENDING_TEAM),
        (Agency.Kind.CAMHS, ReferralService.CAMHS),
        (Agency.Kind.LOCAL_AUTHORITY, ReferralService.SOCIAL_CARE),
        (Agency.Kind.FIRE, ReferralService.FIRE),
        (Agency.Kind.POLICE_FORCE, ReferralService.OTHER),
    ],
)
def test_the_service_follows_the_agencys_kind_unless_given(world, dsl, kind, service):
    agency = AgencyFactory(area=world.area, kind=kind)
    assert refer(dsl, world.pupil_a, agency).service == service
    given = refer(dsl, world.pupil_a, agency, service=ReferralService.PARENTING)
    assert given.service == ReferralService.PARENTING


def test_a_referral_is_sent_audited_and_its_reminder_queued(world, dsl):
    with time_machine.travel(WEDNESDAY, tick=False):
        referral = refer(dsl, world.pupil_a, world.yot)
    assert referral.status == ReferralStatus.SENT
    assert (referral.referred_by, referral.referred_at) == (dsl, WEDNESDAY)
    assert (referral.school, referral.reminders_sent) == (world.school_a, 0)
    event = AuditEvent.objects.get(object_id=str(referral.pk))
    assert event.action == AuditAction.CREATE
    assert event.detail == {"pupil": str(world.pupil_a.pk), "agency": str(world.yot.pk)}
    # The end of the fifth school day after: Wednesday 11 March, 17:00.
    (task,) = reminder_tasks(referral)
    assert task.run_after == utc(2026, 3, 11, 17, 0)
    assert task.args_kwargs["args"] == [str(referral.pk), 1]
    # Without a sharing decision, nobody at the agency is told.
    assert not Notification.objects.exists()


def test_the_reminder_skips_weekends_and_bank_holidays(world, dsl):
    # Thursday 2 April 2026: Good Friday and Easter Monday are bank holidays.
    with time_machine.travel(utc(2026, 4, 2, 9, 0), tick=False):
        referral = refer(dsl, world.pupil_a, world.yot)
    # Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 April; 17:00 in London is 16:00 UTC in summer time.
    assert reminder_tasks(referral).get().run_after == utc(2026, 4, 13, 16, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"agency_id": None}, "agency_id"),
        ({"agency_id": "not-an-id"}, "agency_id"),
        ({"reason": " "}, "reason"),
        ({"reason": 7}, "reason"),
        ({"service": "counselling"}, "service"),
        ({"sharing_decision_id": "nope"}, "sharing_decision_id"),
        ({"plan_id": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"}, "plan_id"),
    ],
    ids=[
        "no agency",
        "bad agency",
        "blank reason",
        "reason a number",
        "bad service",
        "bad decision",
        "unknown plan",
    ],
)
def test_bad_input_is_refused_naming_the_field(world, dsl, changes, field):
    with pytest.raises(ValidationError) as excinfo:
        refer(dsl, world.pupil_a, world.yot, **changes)
    assert field in errors_of(excinfo)
    assert not Referral.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not AuditEvent.objects.exists()


def test_only_agencies_of_the_schools_area(world, dsl):
    with pytest.raises(ValidationError) as excinfo:
        refer(dsl, world.pupil_a, world.other_police)
    assert errors_of(excinfo) == {"agency_id": ["Choose an agency of the school's area"]}


def test_the_plan_must_be_the_pupils_own(world, dsl, persona):
    other_lead = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    theirs = plan_services.plan_open(
        actor=other_lead,
        pupil=world.pupil_b,
        lead_professional_id=str(other_lead.pk),
        concerns="c",
        goals="g",
        next_review_on=timezone.localdate(),
        source="test",
    )
    with pytest.raises(ValidationError) as excinfo:
        refer(dsl, world.pupil_a, world.yot, plan_id=str(theirs.pk))
    assert "plan_id" in errors_of(excinfo)
    ours = plan_services.plan_open(
        actor=dsl,
        pupil=world.pupil_a,
        lead_professional_id=str(dsl.pk),
        concerns="c",
        goals="g",
        next_review_on=timezone.localdate(),
        source="test",
    )
    assert refer(dsl, world.pupil_a, world.yot, plan_id=str(ours.pk)).plan == ours


def test_the_sharing_decision_must_be_a_live_share_to_that_agency_about_that_pupil(world, dsl):
    yesterday = timezone.localdate() - timedelta(days=1)
    cases = {
        "Choose a sharing decision about this pupil": grant(world.pupil_e, world.yot, dsl),
        "That decision was not to share: choose a decision to share": grant(
            world.pupil_a, world.yot, dsl, decision=Decision.NOT_SHARE, expires_on=None
        ),
        "That decision no longer allows sharing: it has expired or been revoked": grant(
            world.pupil_a, world.yot, dsl, expires_on=yesterday
        ),
        "That decision shares with another agency: choose one made to this agency": grant(
            world.pupil_a, world.police, dsl
        ),
    }
    revoked = grant(world.pupil_a, world.yot, dsl, revoked_at=timezone.now(), revoked_by=dsl)
    cases["That decision no longer allows sharing: it has expired or been revoked"] = revoked
    for message, decision in cases.items():
        with pytest.raises(ValidationError) as excinfo:
            refer(dsl, world.pupil_a, world.yot, sharing_decision_id=str(decision.pk))
        assert errors_of(excinfo) == {"sharing_decision_id": [message]}
    assert not Referral.objects.exists()


def test_the_practitioners_a_decision_grants_are_told_without_the_pupils_name(
    world, dsl, practitioner, persona
):
    colleague = persona(Role.AGENCY_PRACTITIONER, world.yot)
    officer = persona(Role.AGENCY_PRACTITIONER, world.police)
    decision = grant(world.pupil_a, world.yot, dsl)
    referral = refer(dsl, world.pupil_a, world.yot, sharing_decision_id=str(decision.pk))
    assert referral.sharing_decision == decision
    assert told("referral_received") == {practitioner, colleague}
    assert officer not in told("referral_received")
    notification = Notification.objects.filter(kind="referral_received").first()
    assert notification.title == "New referral from Oakwood School"
    assert notification.url == f"/referrals/{referral.pk}/"
    assert world.pupil_a.family_name not in notification.title
    assert AuditEvent.objects.get(object_id=str(referral.pk)).detail["sharing_decision"] == str(
        decision.pk
    )


def test_a_decision_naming_one_practitioner_tells_only_them(world, dsl, practitioner, persona):
    persona(Role.AGENCY_PRACTITIONER, world.yot)
    decision = grant(world.pupil_a, world.yot, dsl, practitioner=practitioner)
    refer(dsl, world.pupil_a, world.yot, sharing_decision_id=str(decision.pk))
    assert told("referral_received") == {practitioner}


def test_no_referral_while_the_record_awaits_another_schools_confirmation(world, dsl):
    PupilTransfer.objects.create(
        pupil=world.pupil_a,
        from_school=world.school_a,
        to_school=world.school_b,
        reason=TransferReason.MANAGED_MOVE,
        status=TransferStatus.SENT,
        sent_by=dsl,
        sent_at=timezone.now(),
    )
    with pytest.raises(ValidationError) as excinfo:
        refer(dsl, world.pupil_a, world.yot)
    assert "pupil" in errors_of(excinfo)


# The agency's answer -------------------------------------------------------------------------


def answer(actor, referral, status, outcome=""):
    return referral_services.referral_update_status(
        actor=actor, referral=referral, status=status, outcome=outcome, source="test"
    )


def test_accepted_then_completed_with_history_and_audit(world, dsl, practitioner):
    grant(world.pupil_a, world.yot, dsl)
    referral = refer(dsl, world.pupil_a, world.yot)
    answer(practitioner, referral, "accepted")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.answered_at is not None
    # The referrer hears of the answer, in words without the pupil's name.
    (notification,) = Notification.objects.filter(kind="referral_answered")
    assert notification.user == dsl
    assert notification.title == "A referral from Oakwood School to Surrey YOS is accepted"
    answer(dsl, referral, "completed", "Six sessions attended; closed.")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (
        ReferralStatus.COMPLETED,
        "Six sessions attended; closed.",
    )
    assert list(ReferralUpdate.objects.values_list("status", "by")) == [
        ("accepted", practitioner.pk),
        ("completed", dsl.pk),
    ]
    updates = AuditEvent.objects.filter(object_id=str(referral.pk), action=AuditAction.UPDATE)
    assert [e.detail["fields"] for e in updates] == [
        ["answered_at", "status"],
        ["outcome", "status"],
    ]
    assert "Six sessions" not in str([e.detail for e in updates])
    # The school's own answer tells nobody.
    assert Notification.objects.filter(kind="referral_answered").count() == 1


@pytest.mark.parametrize(
    ("steps", "status", "outcome", "errors"),
    [
        ([], "sent", "", {"status": ["A referral cannot go back to sent"]}),
        (
            [],
            "completed",
            "Done",
            {"status": ["A referral is completed only once it has been accepted"]},
        ),
        ([], "declined", "", {"outcome": ["Enter why the referral was declined"]}),
        ([], "lost", "", {"status": ["Choose one of: sent, accepted, declined, completed"]}),
        ([], None, "", {"status": ["Choose one of: sent, accepted, declined, completed"]}),
        (["accepted"], "accepted", "", {"status": ["The referral is already accepted"]}),
        (["accepted"], "completed", "", {"outcome": ["Enter the outcome of the referral"]}),
        (["accepted"], "sent", "", {"status": ["A referral cannot go back to sent"]}),
        (
            ["declined"],
            "accepted",
            "",
            {"status": ["This referral is declined: its answer is final"]},
        ),
    ],
    ids=[
        "back to sent",
        "completed unaccepted",
        "declined without why",
        "unknown",
        "none",
        "again",
        "completed without outcome",
        "accepted to sent",
        "after declined",
    ],
)
def test_status_rules(world, dsl, steps, status, outcome, errors):
    referral = refer(dsl, world.pupil_a, world.yot)
    for step in steps:
        answer(dsl, referral, step, "Reason")
    before = ReferralUpdate.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        answer(dsl, referral, status, outcome)
    assert errors_of(excinfo) == errors
    assert ReferralUpdate.objects.count() == before


def test_only_those_who_may_answer_record_an_answer(world, dsl, practitioner, staff, persona):
    referral = refer(dsl, world.pupil_a, world.yot)
    police_practitioner = persona(Role.AGENCY_PRACTITIONER, world.police)
    # A grant to the police does not let the police answer a referral to the YOT.
    grant(world.pupil_a, world.police, dsl)
    for user in (practitioner, staff, police_practitioner):
        with pytest.raises(Http404):
            answer(user, referral, "accepted")
    assert Referral.objects.get().status == ReferralStatus.SENT


# Reminders -----------------------------------------------------------------------------------


def test_an_unanswered_referral_is_chased_three_times(
    world, dsl, head, second_lead, staff, run_worker
):
    with time_machine.travel(WEDNESDAY, tick=False):
        referral = refer(dsl, world.pupil_a, world.yot)
    run_at(utc(2026, 3, 11, 16, 59), run_worker)
    assert Referral.objects.get().reminders_sent == 0
    run_at(utc(2026, 3, 11, 17, 1), run_worker)
    assert Referral.objects.get().reminders_sent == 1
    assert told("referral_unanswered") == {dsl, second_lead}
    notification = Notification.objects.filter(kind="referral_unanswered").first()
    assert notification.title == "A referral from Oakwood School has had no answer"
    assert notification.url == f"/referrals/{referral.pk}/"
    assert [t.run_after for t in reminder_tasks(referral)] == [
        utc(2026, 3, 11, 17, 0),
        utc(2026, 3, 18, 17, 0),
    ]
    run_at(utc(2026, 3, 18, 17, 1), run_worker)
    run_at(utc(2026, 3, 25, 17, 1), run_worker)
    assert Referral.objects.get().reminders_sent == 3
    assert Notification.objects.filter(kind="referral_unanswered").count() == 6
    # No fourth.
    assert reminder_tasks(referral).count() == 3
    run_at(utc(2026, 5, 1, 12, 0), run_worker)
    assert Referral.objects.get().reminders_sent == 3
    events = AuditEvent.objects.filter(object_id=str(referral.pk), source="task:referral_remind")
    assert events.count() == 3


def test_an_answered_referral_is_not_chased(world, dsl, practitioner, run_worker):
    grant(world.pupil_a, world.yot, dsl)
    with time_machine.travel(WEDNESDAY, tick=False):
        referral = refer(dsl, world.pupil_a, world.yot)
        answer(practitioner, referral, "accepted")
    run_at(utc(2026, 3, 11, 17, 1), run_worker)
    assert Referral.objects.get().reminders_sent == 0
    assert not told("referral_unanswered")
    assert reminder_tasks(referral).count() == 1


def test_a_reminder_run_twice_reminds_once(world, dsl):
    with time_machine.travel(WEDNESDAY, tick=False):
        referral = refer(dsl, world.pupil_a, world.yot)
    with time_machine.travel(utc(2026, 3, 11, 17, 1), tick=False):
        assert referral_services.referral_remind(referral_id=str(referral.pk), reminder=1) == (
            "reminded"
        )
        assert referral_services.referral_remind(referral_id=str(referral.pk), reminder=1) == (
            "already reminded"
        )
    assert Referral.objects.get().reminders_sent == 1


def test_a_referrer_who_has_left_the_school_is_not_reminded(world, dsl, second_lead, run_worker):
    with time_machine.travel(WEDNESDAY, tick=False):
        refer(dsl, world.pupil_a, world.yot)
    dsl.memberships.all().delete()
    run_at(utc(2026, 3, 11, 17, 1), run_worker)
    assert told("referral_unanswered") == {second_lead}


def test_a_reminder_that_fails_is_tried_again(world, dsl, run_worker, monkeypatch):
    with time_machine.travel(WEDNESDAY, tick=False):
        referral = refer(dsl, world.pupil_a, world.yot)
    real = referral_services.referral_remind

    def broken(**kwargs):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(referral_services, "referral_remind", broken)
    with time_machine.travel(utc(2026, 3, 11, 17, 1), tick=False):
        run_worker()
    assert Referral.objects.get().reminders_sent == 0
    retry = DBTaskResult.objects.get(
        task_path__endswith="referral_remind", args_kwargs__args=[str(referral.pk), 1, 1]
    )
    assert retry.run_after == utc(2026, 3, 11, 17, 2)
    monkeypatch.setattr(referral_services, "referral_remind", real)
    with time_machine.travel(utc(2026, 3, 11, 17, 3), tick=False):
        run_worker()
    assert Referral.objects.get().reminders_sent == 1
    assert dsl in told("referral_unanswered")
