"""Referrals of pupils to agencies: making one, recording the agency's answer, and reminding the
school when no answer comes.

Each function checks everything first and raises one ``ValidationError`` keyed by field (the
names the API uses), then writes in one transaction with its audit event; notifications and the
reminder's background task are stored in the same transaction, so they exist exactly when the
referral does. Notifications name the school, never the pupil.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import Agency, AuditAction
from saferschools.core.notifications import notify
from saferschools.lib.checks import check_choice, check_text
from saferschools.lib.schooldays import end_of_school_day_after
from saferschools.sharing.models import Decision, SharingDecision

from .models import (
    Plan,
    Pupil,
    PupilTransfer,
    Referral,
    ReferralService,
    ReferralStatus,
    ReferralUpdate,
    TransferStatus,
)
from .records import pupil_check_writable
from .services import pupil_lock

TEXT_MAX = 5000
# With no answer, the school is reminded at the end of the fifth school day after the referral,
# and again every five school days, three times at most.
REMINDER_SCHOOL_DAYS = 5
MAX_REMINDERS = 3

# The service a referral to each kind of agency is for, unless the referrer says otherwise.
AGENCY_SERVICES: dict[str, ReferralService] = {
    Agency.Kind.YOUTH_OFFENDING_TEAM: ReferralService.YOUTH_OFFENDING_TEAM,
    Agency.Kind.CAMHS: ReferralService.CAMHS,
    Agency.Kind.CHILDRENS_SOCIAL_CARE: ReferralService.SOCIAL_CARE,
    # A local authority's early help is the door to its children's services.
    Agency.Kind.LOCAL_AUTHORITY: ReferralService.SOCIAL_CARE,
    Agency.Kind.EDUCATION_WELFARE: ReferralService.EDUCATION_WELFARE,
    Agency.Kind.FIRE: ReferralService.FIRE,
    Agency.Kind.VOLUNTARY: ReferralService.VOLUNTARY,
}

# Where a referral may go from each status: never back to "sent", completed only once accepted,
# and a declined or completed referral's answer is final (a new referral starts again).
NEXT_STATUSES: dict[str, tuple[ReferralStatus, ...]] = {
    ReferralStatus.SENT: (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED),
    ReferralStatus.ACCEPTED: (ReferralStatus.COMPLETED, ReferralStatus.DECLINED),
    ReferralStatus.DECLINED: (),
    ReferralStatus.COMPLETED: (),
}
NEEDS_OUTCOME = frozenset({ReferralStatus.DECLINED, ReferralStatus.COMPLETED})


def referral_service_for(agency: Agency) -> ReferralService:
    """The service a referral to this agency is for by default."""
    return AGENCY_SERVICES.get(agency.kind, ReferralService.OTHER)


def _uuid(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


def _audit(actor: Any, action: AuditAction, referral: Referral, source: str, **detail: Any) -> None:
    audit_record(actor=actor, action=action, source=source, obj=referral, detail=detail or None)


@dataclass
class ReferralInput:
    """What a referral says, as given by the form, the API or the demo."""

    agency_id: object
    reason: object
    service: object = None
    sharing_decision_id: object = None
    plan_id: object = None


def referral_agencies(*, pupil: Pupil) -> Any:
    """The agencies a pupil may be referred to: those of the school's area, by name."""
    return Agency.objects.filter(area_id=pupil.school.area_id).order_by("name")


def _agency(value: object, pupil: Pupil, errors: dict[str, str]) -> Agency | None:
    key = _uuid(value)
    found = referral_agencies(pupil=pupil).filter(pk=key).first() if key else None
    if found is None:
        errors["agency_id"] = (
            "Choose an agency of the school's area"
            if value not in (None, "")
            else "Choose the agency to refer to"
        )
    return found


def _sharing_decision(
    value: object, actor: Any, pupil: Pupil, agency: Agency | None, errors: dict[str, str]
) -> SharingDecision | None:
    """A live "share" decision about this pupil, made to the agency referred to."""
    if value in (None, ""):
        return None
    key = _uuid(value)
    field = "sharing_decision_id"
    decision = (
        access.scope(actor, SharingDecision).filter(pk=key, pupil=pupil).first() if key else None
    )
    if decision is None:
        errors[field] = "Choose a sharing decision about this pupil"
    elif decision.decision != Decision.SHARE:
        errors[field] = "That decision was not to share: choose a decision to share"
    elif not decision.live:
        errors[field] = "That decision no longer allows sharing: it has expired or been revoked"
    elif agency is not None and decision.agency_id != agency.pk:
        errors[field] = "That decision shares with another agency: choose one made to this agency"
    else:
        return decision
    return None


def _plan(value: object, actor: Any, pupil: Pupil, errors: dict[str, str]) -> Plan | None:
    if value in (None, ""):
        return None
    key = _uuid(value)
    plan = (
        access.scope(actor, Plan, write=True).filter(pk=key, pupil=pupil).first() if key else None
    )
    if plan is None:
        errors["plan_id"] = "Choose one of this pupil's plans"
    return plan


def _queue_reminder(referral: Referral, reminder: int, after: datetime) -> None:
    from .tasks import referral_remind

    # Stored with the referral: the reminder comes when due, even after a restart.
    referral_remind.using(run_after=end_of_school_day_after(after, REMINDER_SCHOOL_DAYS)).enqueue(
        str(referral.pk), reminder
    )


@transaction.atomic
def referral_create(*, actor: Any, pupil: Pupil, data: ReferralInput, source: str) -> Referral:
    """Refer a pupil to an agency of the school's area, for a service (by default the one the
    agency's kind suggests), with the reason and, optionally, the live "share" decision to that
    agency under which information goes with it and the plan it is part of.

    The caller fetched the pupil with ``access.get_casework_pupil_for_user(write=True)``. The
    practitioners the decision grants access to are told of the referral; the school is reminded
    if no answer comes within five school days.
    """
    pupil = pupil_lock(pupil.pk)
    pupil_check_writable(pupil)
    errors: dict[str, str] = {}
    agency = _agency(data.agency_id, pupil, errors)
    if data.service in (None, ""):
        service = referral_service_for(agency) if agency is not None else ""
    else:
        service = check_choice(data.service, ReferralService, "service", errors)
    reason = check_text(data.reason, "reason", TEXT_MAX, errors, required=True)
    decision = _sharing_decision(data.sharing_decision_id, actor, pupil, agency, errors)
    plan = _plan(data.plan_id, actor, pupil, errors)
    if errors:
        raise ValidationError(errors)
    assert agency is not None  # errors name agency_id otherwise
    referral = Referral.objects.create(
        pupil=pupil,
        school=pupil.school,
        agency=agency,
        service=service,
        reason=reason,
        sharing_decision=decision,
        plan=plan,
        referred_by=actor,
        referred_at=timezone.now(),
    )
    detail: dict[str, Any] = {"pupil": str(pupil.pk), "agency": str(agency.pk)}
    if decision is not None:
        detail["sharing_decision"] = str(decision.pk)
    _audit(actor, AuditAction.CREATE, referral, source, **detail)
    if decision is not None:
        notify(
            users=access.decision_grantees(decision),
            title=f"New referral from {pupil.school.name}",
            url=reverse("casework-referral", args=[referral.pk]),
            kind="referral_received",
            object_id=str(referral.pk),
        )
    _queue_reminder(referral, 1, referral.referred_at)
    return referral


def referral_next_statuses(referral: Referral) -> tuple[ReferralStatus, ...]:
    """The statuses the referral may move to now."""
    return NEXT_STATUSES[ReferralStatus(referral.status)]


@transaction.atomic
def referral_update_status(
    *, actor: Any, referral: Referral, status: object, outcome: object = "", source: str
) -> Referral:
    """Record the agency's answer: accepted, declined or completed (with the outcome for the
    last two), by the school's case workers or a practitioner of the agency whose live grant
    covers the pupil (others get ``Http404``). The change is kept in the referral's history and
    the referrer is told of it when someone else records it."""
    # The pupil first, then the referral: the order every change to a pupil's casework keeps.
    pupil_lock(referral.pupil_id)
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("pupil", "school", "agency")
        .get(pk=referral.pk)
    )
    if not access.can_answer_referral(actor, referral):
        raise Http404("No referral found.")
    pupil_check_writable(referral.pupil)
    errors: dict[str, str] = {}
    current = ReferralStatus(referral.status)
    allowed = NEXT_STATUSES[current]
    if status == ReferralStatus.SENT:
        errors["status"] = "A referral cannot go back to sent"
    else:
        status = check_choice(status, ReferralStatus, "status", errors)
        if status == current:
            errors["status"] = f"The referral is already {current.label.lower()}"
        elif status and status not in allowed:
            errors["status"] = (
                f"This referral is {current.label.lower()}: its answer is final"
                if not allowed
                else "A referral is completed only once it has been accepted"
            )
    text = check_text(outcome, "outcome", TEXT_MAX, errors, required=False)
    if status in NEEDS_OUTCOME and not text and "outcome" not in errors:
        errors["outcome"] = (
            "Enter why the referral was declined"
            if status == ReferralStatus.DECLINED
            else "Enter the outcome of the referral"
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    changed = ["status"]
    referral.status = ReferralStatus(str(status))
    if text and text != referral.outcome:
        referral.outcome = text
        changed.append("outcome")
    if referral.answered_at is None:
        referral.answered_at = now
        changed.append("answered_at")
    referral.save()
    ReferralUpdate.objects.create(
        referral=referral, status=referral.status, outcome=text, by=actor, at=now
    )
    _audit(actor, AuditAction.UPDATE, referral, source, fields=sorted(changed))
    if actor.pk != referral.referred_by_id:
        referrer = (
            access.users_reaching_school(referral.school, access.CASEWORK_ROLES)
            .filter(pk=referral.referred_by_id)
            .first()
        )
        notify(
            users=[referrer] if referrer is not None else [],
            title=f"A referral from {referral.school.name} to {referral.agency.name} "
            f"is {referral.get_status_display().lower()}",
            url=reverse("casework-referral", args=[referral.pk]),
            kind="referral_answered",
            object_id=str(referral.pk),
        )
    return referral


@transaction.atomic
def referral_remind(*, referral_id: str, reminder: int) -> str:
    """Run when reminder number ``reminder`` falls due. A referral still sent (no answer) has its
    referrer, if still on the school's cases, and the school's safeguarding leads told, and the
    next reminder is queued five school days on, up to three; none is sent once the pupil's
    record has moved to another school. Returns what it did; running it twice does nothing
    more."""
    referral = (
        Referral.objects.select_for_update().select_related("school").filter(pk=referral_id).first()
    )
    if referral is None or referral.status != ReferralStatus.SENT:
        return "answered"
    if PupilTransfer.objects.filter(
        pupil_id=referral.pupil_id, status=TransferStatus.CONFIRMED
    ).exists():
        # The pupil's record has moved to another school, receipt confirmed: the school that
        # referred no longer sees the pupil, and a reminder would lead it to a page it cannot
        # open.
        return "moved"
    if referral.reminders_sent >= reminder or reminder > MAX_REMINDERS:
        return "already reminded"
    school = referral.school
    leads = list(access.users_reaching_school(school, {Role.SAFEGUARDING_LEAD}))
    referrer = (
        access.users_reaching_school(school, access.CASEWORK_ROLES)
        .filter(pk=referral.referred_by_id)
        .first()
    )
    referral.reminders_sent = reminder
    referral.save(update_fields=["reminders_sent"])
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        source="task:referral_remind",
        obj=referral,
        detail={"fields": ["reminders_sent"]},
    )
    notify(
        users=[*([referrer] if referrer is not None else []), *leads],
        title=f"A referral from {school.name} has had no answer",
        url=reverse("casework-referral", args=[referral.pk]),
        kind="referral_unanswered",
        object_id=str(referral.pk),
    )
    if reminder < MAX_REMINDERS:
        _queue_reminder(referral, reminder + 1, timezone.now())
    return "reminded"
