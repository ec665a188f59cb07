"""Reads of pupils' records, always through the access policy. Reads are audited."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import AuditAction, AuditEvent, School
from saferschools.sharing.models import SharingDecision

from .models import Pupil


def pupil_list(
    *, user: Any, school: School | None = None, on_roll: bool | None = True
) -> QuerySet[Pupil]:
    """The pupils the user may see, optionally of one school; not yet audited (see below)."""
    pupils = access.scope(user, Pupil).select_related("school")
    if school is not None:
        pupils = pupils.filter(school=school)
    if on_roll is not None:
        pupils = pupils.filter(on_roll=on_roll)
    return pupils.order_by("family_name", "given_name", "id")


def pupil_search(pupils: QuerySet[Pupil], query: str) -> QuerySet[Pupil]:
    """Narrow a list by name, the school's pupil id or UPN."""
    condition = Q()
    for word in query.split()[:5]:
        condition &= (
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(school_pupil_id__iexact=word)
            | Q(upn__iexact=word)
        )
    return pupils.filter(condition)


def grants_by_pupil(user: Any, pupils: Iterable[Pupil]) -> dict[Any, SharingDecision]:
    """For each pupil the user reaches through a live grant rather than as one of the school's
    case workers, the grant (the newest, if several): ``access.pupil_grant`` for a whole list,
    in one query at most, and none for a user without a grant."""
    grants = access.pupils_granted(user)
    if not grants:
        return {}
    newest: dict[Any, SharingDecision] = {}
    for grant in grants:
        newest.setdefault(grant.pupil_id, grant)
    granted = [pupil for pupil in pupils if pupil.pk in newest]
    if not granted:
        return {}
    case_schools = set(access.casework_schools(user).values_list("pk", flat=True))
    return {pupil.pk: newest[pupil.pk] for pupil in granted if pupil.school_id not in case_schools}


@transaction.atomic
def audit_listing(*, user: Any, pupils: Iterable[Pupil], source: str) -> list[Pupil]:
    """Evaluate a list of pupils about to be shown, with one audit event per pupil, all in one
    append; a pupil the user reaches through a sharing grant has the grant named."""
    shown = list(pupils)
    grants = grants_by_pupil(user, shown)
    audit_record_many(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        objects=shown,
        detail={"listing": True},
        details=[
            {"grant": str(grants[pupil.pk].pk)} if pupil.pk in grants else {} for pupil in shown
        ],
    )
    return shown


def pupil_get(*, user: Any, pupil_id: Any, source: str) -> Pupil:
    """One pupil the user may see (else ``Http404``); the read is audited, naming the sharing
    decision that allows it when the user reaches the pupil through a grant."""
    pupil = access.get_pupil_for_user(user, pupil_id)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        obj=pupil,
        detail=grant_detail(user, pupil),
    )
    return pupil


def grant_detail(user: Any, pupil: Pupil, item: str | None = None) -> dict[str, Any]:
    """Audit detail naming the live grant through which the user reads this pupil (one that
    opens ``item``, a ``SharedItem``, when given), if any: every use of a grant is in the audit
    log, under the grant that allowed it."""
    grant = access.pupil_grant(user, pupil, item)
    return {"grant": str(grant.pk)} if grant is not None else {}


def pupil_access_log(*, user: Any, pupil: Pupil) -> QuerySet[AuditEvent]:
    """Who has read or changed this pupil's record: for the school's safeguarding leads.

    Raises ``Http404`` unless the user may change the pupil's record (its school's leaders).
    """
    access.get_pupil_for_user(user, pupil.pk, write=True)
    return AuditEvent.objects.filter(
        object_type=Pupil._meta.label_lower, object_id=str(pupil.pk)
    ).order_by("-seq")
