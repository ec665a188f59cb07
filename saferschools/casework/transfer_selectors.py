"""Reads for moving school: who may send a pupil's record, the schools it may go to, the
transfers a school's leaders see, and the record as it was sent, ready to show."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.dateparse import parse_date, parse_datetime

from saferschools.accounts.models import Membership
from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, School

from .models import Pupil, PupilTransfer, TransferStatus, year_group_label

SCHOOL_CHOICES_MAX = 20
REGISTER_MATCHES_MAX = 20


def can_send_records(user: Any, school: School) -> bool:
    """Whether the user may send the safeguarding records of this school's pupils to another
    school: its safeguarding leads and head teacher, who keep its register."""
    return access.can_manage_pupils(user, school)


def pupil_for_sending(user: Any, pupil_id: Any) -> Pupil:
    """A pupil whose record the user may send to another school: one whose casework they keep
    and whose school they lead. Else ``Http404``, as for a pupil who does not exist."""
    pupil = access.get_casework_pupil_for_user(user, pupil_id, write=True)
    if not can_send_records(user, pupil.school):
        raise Http404("No pupil found.")
    return pupil


def receiving_schools(*, pupil: Pupil) -> QuerySet[School]:
    """The schools a pupil's record may be sent to inside the product: the open schools of the
    pupil's area, other than their own, with a safeguarding lead or head teacher to confirm
    receipt (as ``access.users_reaching_school`` finds them), in name order."""
    leaders = Membership.objects.filter(
        role__in=list(access.SCHOOL_LEADERS), user__is_active=True
    ).filter(
        Q(school=OuterRef("pk"))
        | Q(partnership__school_links__school=OuterRef("pk"))
        | Q(agency__area_id=OuterRef("area_id"))
        | Q(area_id=OuterRef("area_id"))
    )
    return (
        School.objects.filter(area_id=pupil.school.area_id, is_open=True)
        .exclude(pk=pupil.school_id)
        .filter(Exists(leaders))
        .order_by("name", "urn")
    )


def school_search(schools: QuerySet[School], query: str) -> QuerySet[School]:
    """Narrow a list of schools by a URN or words of the name."""
    query = query.strip()
    if query.isascii() and query.isdigit() and len(query) <= 9:
        return schools.filter(urn=int(query))
    condition = Q()
    for word in query.split()[:5]:
        condition &= Q(name__icontains=word)
    return schools.filter(condition)


def transfer_get(*, user: Any, transfer_id: Any) -> PupilTransfer:
    """A transfer the user sees (the leaders of the sending and receiving schools); else
    ``Http404``. Not audited: the caller audits a read of the record (``transfer_audit_read``)."""
    transfer = access.get_transfer_for_user(user, transfer_id)
    return PupilTransfer.objects.select_related(
        "pupil", "from_school", "to_school", "sent_by", "confirmed_by", "received_pupil"
    ).get(pk=transfer.pk)


def is_receiving(user: Any, transfer: PupilTransfer) -> bool:
    """Whether the user leads the school the record was sent to."""
    return transfer.to_school is not None and access.can_manage_pupils(user, transfer.to_school)


def record_visible(user: Any, transfer: PupilTransfer) -> bool:
    """Whether the user reads the record sent: the receiving school's leaders, and the sending
    school's until the receiving school confirms receipt; from then on the pupil is the
    receiving school's, and the sending school no longer sees them at all."""
    return is_receiving(user, transfer) or transfer.status != TransferStatus.CONFIRMED


@transaction.atomic
def transfer_audit_read(*, user: Any, transfer: PupilTransfer, source: str) -> None:
    """Audit a read of the record a transfer holds: of the transfer, and of the pupil whose
    record it is, so that the read is in the pupil's own "who looked at this record" list."""
    audit_record(actor=user, action=AuditAction.VIEW, source=source, obj=transfer)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        obj=transfer.pupil,
        detail={"transfer": str(transfer.pk)},
    )


def moved_away() -> QuerySet[PupilTransfer, Any]:
    """The ids of pupils whose record has moved to another school, receipt confirmed: their
    school no longer sees them (the access policy's rule)."""
    return PupilTransfer.objects.filter(status=TransferStatus.CONFIRMED).values("pupil_id")


def register_matches(*, transfer: PupilTransfer) -> list[Pupil]:
    """Pupils of the receiving school's register who may be the pupil the record is about:
    the one with the record's UPN first, then those born on the same day. A pupil whose own
    record the school has since sent on to another school is not the school's to see, nor to
    name."""
    if transfer.to_school is None:
        return []
    details = transfer.record.get("pupil", {})
    upn = details.get("upn") or ""
    born = _day(details.get("date_of_birth"))
    condition = Q(pk__in=[])
    if upn:
        condition |= Q(upn=upn)
    if born is not None:
        condition |= Q(date_of_birth=born)
    pupils = list(
        Pupil.objects.filter(condition, school=transfer.to_school)
        .exclude(pk__in=moved_away())
        .order_by("family_name", "given_name", "id")[:REGISTER_MATCHES_MAX]
    )
    pupils.sort(key=lambda p: not (upn and p.upn == upn))
    return pupils


def _led_school_ids(user: Any) -> set[Any]:
    # The schools the user leads are those whose disclosure log they keep: the same roles.
    return set(access.disclosure_log_schools(user).values_list("pk", flat=True))


@dataclass(frozen=True)
class LandingTransfers:
    awaiting: list[PupilTransfer]
    unconfirmed: list[PupilTransfer]


def landing_transfers(*, user: Any) -> LandingTransfers | None:
    """Transfers awaiting the user's confirmation (sent to a school they lead) and those their
    schools sent that are not yet confirmed; ``None`` for those who lead no school."""
    if not access.roles_of(user) & access.SCHOOL_LEADERS:
        return None
    led = _led_school_ids(user)
    if not led:
        return None
    pending = (
        access.scope(user, PupilTransfer)
        .filter(status=TransferStatus.SENT)
        .select_related("from_school", "to_school")
        .order_by("sent_at", "id")
    )
    awaiting, unconfirmed = [], []
    for transfer in pending:
        if transfer.to_school_id in led:
            awaiting.append(transfer)
        if transfer.from_school_id in led:
            unconfirmed.append(transfer)
    return LandingTransfers(awaiting, unconfirmed)


def pupil_transfers(*, user: Any, pupil: Pupil) -> list[PupilTransfer]:
    """The transfers of this pupil's record the user sees: sent from it and received into it,
    newest first."""
    return list(
        access.scope(user, PupilTransfer)
        .filter(Q(pupil=pupil) | Q(received_pupil=pupil))
        .select_related("from_school", "to_school", "received_pupil")
        .order_by("-sent_at", "id")
    )


# The record as sent, ready for a page or a PDF --------------------------------------------------


def _moment(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _day(value: Any) -> date | None:
    return parse_date(value) if isinstance(value, str) and value else None


def record_for_display(record: dict[str, Any]) -> dict[str, Any]:
    """The record a transfer holds (plain JSON values) with its dates and times as dates and
    times again, for templates."""
    pupil = dict(record.get("pupil", {}))
    pupil["date_of_birth"] = _day(pupil.get("date_of_birth"))
    year_group = pupil.get("year_group")
    pupil["year_group_label"] = year_group_label(
        year_group if isinstance(year_group, int) else None
    )
    chronology = [
        {**entry, "at": _moment(entry.get("at"))} for entry in record.get("chronology", [])
    ]
    assessments = [
        {
            **assessment,
            "assessed_at": _moment(assessment.get("assessed_at")),
            "review_on": _day(assessment.get("review_on")),
        }
        for assessment in record.get("assessments", [])
    ]
    plan = record.get("plan")
    if plan:
        plan = {
            **plan,
            "opened_at": _moment(plan.get("opened_at")),
            "next_review_on": _day(plan.get("next_review_on")),
            "actions": [
                {
                    **action,
                    "due_on": _day(action.get("due_on")),
                    "done_at": _moment(action.get("done_at")),
                }
                for action in plan.get("actions", [])
            ],
            "reviews": [
                {
                    **review,
                    "held_on": _day(review.get("held_on")),
                    "next_review_on": _day(review.get("next_review_on")),
                }
                for review in plan.get("reviews", [])
            ],
        }
    return {
        **record,
        "pupil": pupil,
        "made_at": _moment(record.get("made_at")),
        "chronology": chronology,
        "assessments": assessments,
        "plan": plan,
    }
