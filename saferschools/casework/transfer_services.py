"""Moving school: a pupil's safeguarding record sent to the school they move to.

Inside the product the record goes to the receiving school's leaders, who confirm receipt by
naming the pupil on their own register (or adding them from the record); until then the sending
school's access is read-only (``records.pupil_check_writable``) and the transfer is chased
every five school days, at most three times. When the receiving school does not use the
product the record is exported as a PDF sealed with a passphrase, given by telephone.

The record is a snapshot taken when sent, in plain JSON values: the chronology as the sending
school saw it, the risk assessments with their factors, and the open early-intervention plan
with its actions and reviews. Every change is audited in its transaction.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, School
from saferschools.core.notifications import notify
from saferschools.lib.pdf import passphrase_new, pdf_render, pdf_seal
from saferschools.lib.schooldays import end_of_school_day_after
from saferschools.lib.text import text_clean

from .chronology import chronology_entries
from .models import (
    Plan,
    PlanStatus,
    Pupil,
    PupilTransfer,
    RiskAssessment,
    RiskAssessmentFactor,
    TransferReason,
    TransferStatus,
)
from .records import pupil_check_writable
from .transfer_selectors import (
    can_send_records,
    is_receiving,
    moved_away,
    receiving_schools,
    record_for_display,
)

NOTES_MAX = 2000
SCHOOL_NAME_MAX = 200
# An unconfirmed transfer is chased at the end of every fifth school day after it was sent,
# at most this many times.
CHASE_SCHOOL_DAYS = 5
CHASES_MAX = 3
RECORD_VERSION = 1


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _person(user: Any) -> str:
    return (user.full_name or user.email) if user is not None else ""


def transfer_record(*, actor: Any, pupil: Pupil) -> dict[str, Any]:
    """The pupil's safeguarding record as ``actor`` sees it now, in plain JSON values."""
    entries = chronology_entries(user=actor, pupil=pupil)
    assessments = (
        access.scope(actor, RiskAssessment)
        .filter(pupil=pupil)
        .select_related("assessed_by")
        .prefetch_related(
            Prefetch("factors", queryset=RiskAssessmentFactor.objects.select_related("factor"))
        )
        .order_by("-assessed_at", "id")
    )
    plan = (
        access.scope(actor, Plan)
        .filter(pupil=pupil)
        .exclude(status=PlanStatus.CLOSED)
        .select_related("lead_professional")
        .prefetch_related("actions__owner", "reviews")
        .order_by("-opened_at", "id")
        .first()
    )
    return {
        "version": RECORD_VERSION,
        "made_at": _iso(timezone.now()),
        "pupil": {
            "given_name": pupil.given_name,
            "family_name": pupil.family_name,
            "date_of_birth": _iso(pupil.date_of_birth),
            "year_group": pupil.year_group,
            "upn": pupil.upn,
            "school_pupil_id": pupil.school_pupil_id,
        },
        "from_school": {"urn": pupil.school.urn, "name": pupil.school.name},
        "chronology": [
            {
                "at": _iso(entry.at),
                "date_only": entry.date_only,
                "kind": entry.kind,
                "kind_label": entry.kind_label,
                "summary": entry.summary,
            }
            for entry in entries
        ],
        "assessments": [
            {
                "assessed_at": _iso(assessment.assessed_at),
                "assessed_by": _person(assessment.assessed_by),
                "level": assessment.level,
                "level_label": assessment.get_level_display(),
                "level_reason": assessment.level_reason,
                "notes": assessment.notes,
                "review_on": _iso(assessment.review_on),
                "factors": [
                    {
                        "code": item.factor.code,
                        "domain": item.factor.domain,
                        "domain_label": item.factor.get_domain_display(),
                        "name": item.factor.name,
                        "evidence": item.evidence,
                        "source": item.source,
                    }
                    for item in assessment.factors.all()
                ],
            }
            for assessment in assessments
        ],
        "plan": _plan_record(plan) if plan is not None else None,
    }


def _plan_record(plan: Plan) -> dict[str, Any]:
    return {
        "opened_at": _iso(plan.opened_at),
        "lead_professional": _person(plan.lead_professional),
        "status": plan.status,
        "status_label": plan.get_status_display(),
        "concerns": plan.concerns,
        "goals": plan.goals,
        "next_review_on": _iso(plan.next_review_on),
        "actions": [
            {
                "description": action.description,
                "owner": _person(action.owner) if action.owner else action.owner_name,
                "due_on": _iso(action.due_on),
                "done_at": _iso(action.done_at),
            }
            for action in plan.actions.all()
        ],
        "reviews": [
            {
                "held_on": _iso(review.held_on),
                "notes": review.notes,
                "next_review_on": _iso(review.next_review_on),
            }
            for review in plan.reviews.all()
        ],
    }


def _checked(errors: dict[str, str], check: Callable[[], str]) -> str:
    """The value ``check`` gives, or "" with its error kept under the field it names."""
    try:
        return check()
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
        return ""


def _reason(reason: object) -> str:
    if reason not in TransferReason.values:
        raise ValidationError({"reason": "Choose why the pupil is moving school"})
    return str(reason)


def _check_sender(actor: Any, school: School) -> None:
    if not can_send_records(actor, school):
        raise ValidationError(
            {"pupil": "Only the school's safeguarding leads and head teacher send its records"}
        )


def _transfer_url(transfer: PupilTransfer) -> str:
    return reverse("casework-transfer", args=[transfer.pk])


def _receiving_leaders(transfer: PupilTransfer) -> list[Any]:
    if transfer.to_school is None:
        return []
    return list(access.users_reaching_school(transfer.to_school, access.SCHOOL_LEADERS))


@transaction.atomic
def transfer_send(
    *,
    actor: Any,
    pupil: Pupil,
    to_school: School | None,
    reason: object,
    notes: object,
    source: str,
) -> PupilTransfer:
    """Send the pupil's safeguarding record to a school of the area that uses the product.

    The record is the snapshot of ``transfer_record``; the receiving school's safeguarding leads
    and head teacher are told (the title names the schools, never the pupil) and the transfer is
    chased at the end of the fifth school day if still unconfirmed. From now until receipt is
    confirmed the pupil's casework is read-only to the sending school. Refused, with the field
    named, unless the actor leads the pupil's school and nothing else awaits confirmation.
    """
    pupil = Pupil.objects.select_for_update(of=("self",)).select_related("school").get(pk=pupil.pk)
    _check_sender(actor, pupil.school)
    pupil_check_writable(pupil)
    errors: dict[str, str] = {}
    if to_school is None:
        errors["to_school"] = "Choose the school the pupil is moving to"
    elif not receiving_schools(pupil=pupil).filter(pk=to_school.pk).exists():
        errors["to_school"] = "Choose a school of your area that uses SaferSchools"
    reason_code = _checked(errors, lambda: _reason(reason))
    notes_text = _checked(
        errors, lambda: text_clean(notes, field="notes", max_length=NOTES_MAX, required=False)
    )
    if errors or to_school is None:
        raise ValidationError(errors)
    transfer = PupilTransfer(
        pupil=pupil,
        from_school=pupil.school,
        to_school=to_school,
        reason=reason_code,
        notes=notes_text,
        status=TransferStatus.SENT,
        record=transfer_record(actor=actor, pupil=pupil),
        sent_by=actor,
        sent_at=timezone.now(),
    )
    transfer.full_clean()
    transfer.save()
    notify(
        users=_receiving_leaders(transfer),
        title=f"A pupil's safeguarding record from {pupil.school.name} awaits your confirmation",
        url=_transfer_url(transfer),
        kind="transfer_sent",
        object_id=str(transfer.pk),
    )
    from .transfer_tasks import transfer_chase

    # Stored with the transfer: the chase runs when due, even after a restart.
    transfer_chase.using(run_after=_chase_due(transfer, 1)).enqueue(str(transfer.pk), 1)
    audit_record(
        actor=actor,
        action=AuditAction.SHARE,
        source=source,
        obj=pupil,
        detail={"transfer": str(transfer.pk), "to_school_urn": to_school.urn},
    )
    return transfer


@transaction.atomic
def transfer_export(
    *, actor: Any, pupil: Pupil, to_school_name: object, reason: object, notes: object, source: str
) -> PupilTransfer:
    """Record that the pupil's safeguarding record goes to a school that does not use the
    product: the snapshot is kept with the transfer, to be exported as a sealed PDF
    (``transfer_seal``). Refused unless the actor leads the pupil's school."""
    pupil = Pupil.objects.select_for_update(of=("self",)).select_related("school").get(pk=pupil.pk)
    _check_sender(actor, pupil.school)
    pupil_check_writable(pupil)
    errors: dict[str, str] = {}
    name = _checked(
        errors,
        lambda: text_clean(to_school_name, field="to_school_name", max_length=SCHOOL_NAME_MAX),
    )
    reason_code = _checked(errors, lambda: _reason(reason))
    notes_text = _checked(
        errors, lambda: text_clean(notes, field="notes", max_length=NOTES_MAX, required=False)
    )
    if errors:
        raise ValidationError(errors)
    transfer = PupilTransfer(
        pupil=pupil,
        from_school=pupil.school,
        to_school_name=name,
        reason=reason_code,
        notes=notes_text,
        status=TransferStatus.EXPORTED,
        record=transfer_record(actor=actor, pupil=pupil),
        sent_by=actor,
        sent_at=timezone.now(),
    )
    transfer.full_clean()
    transfer.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=transfer,
        detail={"status": TransferStatus.EXPORTED},
    )
    return transfer


@dataclass(frozen=True)
class SealedRecord:
    pdf: bytes
    passphrase: str


@transaction.atomic
def transfer_seal(*, actor: Any, transfer: PupilTransfer, source: str) -> SealedRecord:
    """The exported record as a PDF sealed under a new passphrase, to be shown once to the
    sender and given by telephone; the passphrase is kept nowhere. Each call makes a new
    passphrase (an earlier one does not open the new file) and stores the new file's SHA-256,
    so the file the receiving school holds can be checked. Audited as an export of the pupil's
    record. Refused unless the actor leads the sending school."""
    transfer = PupilTransfer.objects.select_for_update().get(pk=transfer.pk)
    _check_sender(actor, transfer.from_school)
    if transfer.status != TransferStatus.EXPORTED:
        raise ValidationError(
            {"transfer": "Only a record for a school that does not use SaferSchools is exported"}
        )
    passphrase = passphrase_new()
    pdf = pdf_render(
        template="casework/pdf/transfer.html",
        context={"transfer": transfer, "record": record_for_display(transfer.record)},
    )
    sealed = pdf_seal(pdf, passphrase=passphrase)
    transfer.pdf_sha256 = hashlib.sha256(sealed).hexdigest()
    transfer.save(update_fields=["pdf_sha256"])
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        source=source,
        obj=transfer.pupil,
        detail={"transfer": str(transfer.pk), "format": "pdf", "sha256": transfer.pdf_sha256},
    )
    return SealedRecord(pdf=sealed, passphrase=passphrase)


@dataclass(frozen=True)
class NewPupil:
    """The receiving school's own id for a pupil added to its register from a record."""

    school_pupil_id: str


@transaction.atomic
def transfer_confirm(
    *,
    actor: Any,
    transfer: PupilTransfer,
    pupil: Pupil | None = None,
    new_pupil: NewPupil | None = None,
    source: str,
) -> PupilTransfer:
    """Confirm receipt of a record: the receiving school names the pupil on its register
    (``pupil``) or adds them from the record's details under its own id (``new_pupil``). The
    transfer is confirmed with the pupil received; from now on the sending school no longer
    sees the pupil (the access policy's ``_transferred_away``), and its sender is told.
    Refused with the field named if the transfer is not awaiting confirmation, the actor does
    not lead the receiving school, or the pupil is not the school's."""
    transfer = (
        PupilTransfer.objects.select_for_update(of=("self",))
        .select_related("from_school", "to_school", "sent_by")
        .get(pk=transfer.pk)
    )
    if transfer.status != TransferStatus.SENT:
        raise ValidationError({"transfer": "This record is not awaiting confirmation"})
    if not is_receiving(actor, transfer):
        raise ValidationError({"transfer": "Only the receiving school's leaders confirm receipt"})
    assert transfer.to_school is not None
    if (pupil is None) == (new_pupil is None):
        raise ValidationError(
            {"pupil": "Choose the pupil on your register, or add them from the record"}
        )
    if pupil is not None:
        if (
            pupil.school_id != transfer.to_school_id
            or moved_away().filter(pupil_id=pupil.pk).exists()
        ):
            raise ValidationError({"pupil": "Choose a pupil on your school's register"})
        received = pupil
    else:
        assert new_pupil is not None
        received = _pupil_add(actor, transfer, new_pupil, source)
    transfer.status = TransferStatus.CONFIRMED
    transfer.confirmed_by = actor
    transfer.confirmed_at = timezone.now()
    transfer.received_pupil = received
    transfer.save(update_fields=["status", "confirmed_by", "confirmed_at", "received_pupil"])
    notify(
        users=[transfer.sent_by],
        title=f"{transfer.to_school.name} confirmed receipt of the safeguarding record you sent",
        url=_transfer_url(transfer),
        kind="transfer_confirmed",
        object_id=str(transfer.pk),
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=transfer,
        detail={"status": TransferStatus.CONFIRMED, "received_pupil": str(received.pk)},
    )
    return transfer


def _pupil_add(actor: Any, transfer: PupilTransfer, new_pupil: NewPupil, source: str) -> Pupil:
    """Add the pupil the record is about to the receiving school's register."""
    assert transfer.to_school is not None
    school_pupil_id = text_clean(
        new_pupil.school_pupil_id,
        field="school_pupil_id",
        max_length=Pupil._meta.get_field("school_pupil_id").max_length or 40,
    )
    details = transfer.record.get("pupil", {})
    school = transfer.to_school
    if Pupil.objects.filter(school=school, school_pupil_id=school_pupil_id).exists():
        raise ValidationError(
            {"school_pupil_id": "Another pupil on your register has this id: give a new one"}
        )
    upn = details.get("upn") or ""
    if upn and Pupil.objects.filter(school=school, upn=upn).exists():
        raise ValidationError(
            {"pupil": "A pupil on your register has this record's UPN: choose them instead"}
        )
    pupil = Pupil(
        school=school,
        school_pupil_id=school_pupil_id,
        given_name=details.get("given_name", ""),
        family_name=details.get("family_name", ""),
        date_of_birth=details.get("date_of_birth"),
        year_group=details.get("year_group"),
        upn=upn,
    )
    try:
        pupil.full_clean()
        # A savepoint: a clash with a pupil added meanwhile must not spoil the transaction.
        with transaction.atomic():
            pupil.save()
    except (ValidationError, IntegrityError):
        raise ValidationError(
            {"pupil": "The record's details do not fit your register: add the pupil by import"}
        ) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=pupil,
        detail={
            "fields": ["date_of_birth", "family_name", "given_name", "upn", "year_group"],
            "school_urn": school.urn,
            "transfer": str(transfer.pk),
        },
    )
    return pupil


def _chase_due(transfer: PupilTransfer, chase: int) -> datetime:
    return end_of_school_day_after(transfer.sent_at, CHASE_SCHOOL_DAYS * chase)


@transaction.atomic
def transfer_chase(*, transfer_id: str, chase: int) -> str:
    """Run at the end of the fifth school day after a record was sent (and every fifth school
    day after, ``chase`` counting from 1): if receipt is still unconfirmed, the receiving
    school's leaders are told again and the sender told it is unconfirmed, ``chased_at`` is set,
    and the next chase is queued, up to ``CHASES_MAX``. Returns what it did; running a chase
    twice does nothing more."""
    transfer = (
        PupilTransfer.objects.select_for_update(of=("self",))
        .select_related("from_school", "to_school", "sent_by")
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None or transfer.status != TransferStatus.SENT:
        return "nothing to do"
    from .transfer_tasks import transfer_chase as chase_task

    due = _chase_due(transfer, chase)
    now = timezone.now()
    if now < due:
        # Run early (a school day added to the calendar since): wait until it is due.
        chase_task.using(run_after=due).enqueue(str(transfer.pk), chase)
        return "not yet due"
    if transfer.chased_at is not None and transfer.chased_at >= due:
        return "already chased"
    assert transfer.to_school is not None
    transfer.chased_at = now
    transfer.save(update_fields=["chased_at"])
    url = _transfer_url(transfer)
    notify(
        users=_receiving_leaders(transfer),
        title=f"A pupil's safeguarding record from {transfer.from_school.name} still awaits "
        "your confirmation",
        url=url,
        kind="transfer_chased",
        object_id=str(transfer.pk),
        urgent=chase == CHASES_MAX,
    )
    notify(
        users=[transfer.sent_by],
        title=f"{transfer.to_school.name} has not yet confirmed receipt of the safeguarding "
        "record you sent",
        url=url,
        kind="transfer_chased",
        object_id=str(transfer.pk),
    )
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        source="task:transfer_chase",
        obj=transfer,
        detail={"step": "chase", "chase": chase},
    )
    if chase < CHASES_MAX:
        chase_task.using(run_after=_chase_due(transfer, chase + 1)).enqueue(
            str(transfer.pk), chase + 1
        )
    return "chased"
