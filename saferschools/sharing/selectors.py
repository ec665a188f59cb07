"""Reads of sharing decisions, grants, agreements and the disclosure log, always starting from
the access policy. Every read that shows a pupil is audited, naming the grant it was made
through when that is how the reader reaches the pupil."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from saferschools.accounts.models import Membership
from saferschools.casework.models import Pupil, Referral
from saferschools.casework.selectors import grant_detail
from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import Agency, AuditAction, Partnership, School
from saferschools.lib.schooldays import LONDON

from .models import InformationSharingAgreement, PoliceNotification, SharingDecision

# Agreements whose review falls within this many days show as due on the keepers' landing page.
REVIEW_SOON_DAYS = 30


# A pupil's casework page and the decisions about a pupil ---------------------------------------


def casework_pupil_get(*, user: Any, pupil_id: Any, source: str, write: bool = False) -> Pupil:
    """A pupil whose casework the user sees (or, with ``write``, keeps), else ``Http404``; the
    read is audited, naming the grant when the user reaches the pupil through one."""
    pupil = access.get_casework_pupil_for_user(user, pupil_id, write=write)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        obj=pupil,
        detail=grant_detail(user, pupil),
    )
    return pupil


def _with_people(decisions: QuerySet[SharingDecision]) -> QuerySet[SharingDecision]:
    return decisions.select_related(
        "pupil", "school", "agency", "practitioner", "agreement", "decided_by", "revoked_by"
    )


def pupil_decisions(*, user: Any, pupil: Pupil) -> QuerySet[SharingDecision]:
    """The decisions about this pupil that the user sees, newest first: all of them for the
    school's case workers, a practitioner's own live grants. Not yet audited."""
    return _with_people(access.scope(user, SharingDecision).filter(pupil=pupil)).order_by(
        "-decided_at", "id"
    )


def decision_audit_listing(
    *, user: Any, decisions: Sequence[SharingDecision], source: str, **detail: Any
) -> list[SharingDecision]:
    """Decisions about a pupil shown in a list are a read: one audit event each."""
    shown = list(decisions)
    audit_record_many(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        objects=shown,
        detail={"listing": True, **detail},
    )
    return shown


def decision_get(
    *, user: Any, decision_id: Any, source: str, write: bool = False
) -> SharingDecision:
    """One sharing decision the user may see (the school's case workers; a grantee while it is
    live) or, with ``write``, revoke; else ``Http404``. The read is audited, naming the grant
    when it is the grantee who reads it."""
    found = access.get_sharing_decision_for_user(user, decision_id, write=write)
    decision = _with_people(SharingDecision.objects.filter(pk=found.pk)).get()
    detail = {"pupil": str(decision.pupil_id), **grant_detail(user, decision.pupil)}
    if "grant" in detail and any(g.pk == decision.pk for g in access.pupils_granted(user)):
        # A grantee reads the decision that grants them access: that grant, not another one
        # they may hold for the same pupil.
        detail["grant"] = str(decision.pk)
    audit_record(actor=user, action=AuditAction.VIEW, source=source, obj=decision, detail=detail)
    return decision


# What a decision form offers -------------------------------------------------------------------


@dataclass(frozen=True)
class Practitioner:
    user: Any
    agency: Agency


def decision_agencies(*, user: Any, school: School) -> QuerySet[Agency]:
    """The agencies a school may share with: those of its area."""
    return access.scope(user, Agency).filter(area_id=school.area_id).order_by("name")


def decision_practitioners(*, agencies: Iterable[Agency]) -> list[Practitioner]:
    """The practitioners a decision with one of these agencies may name, by agency and name."""
    grantees = [
        Practitioner(user=m.user, agency=m.agency)
        for m in Membership.objects.filter(
            role__in=list(access.GRANTEE_ROLES),
            agency__in=[agency.pk for agency in agencies],
            user__is_active=True,
        ).select_related("user", "agency")
        if m.agency is not None
    ]
    return sorted(
        grantees,
        key=lambda p: (p.agency.name, p.user.full_name or p.user.email, str(p.user.pk)),
    )


def decision_agreements(*, user: Any, school: School) -> list[InformationSharingAgreement]:
    """The agreements of the school's partnership that a decision may rely on."""
    partnership = school.partnership
    if partnership is None:
        return []
    return list(
        access.scope(user, InformationSharingAgreement)
        .filter(partnership=partnership)
        .prefetch_related("parties")
        .order_by("title")
    )


# A practitioner's grants -----------------------------------------------------------------------


def grants_shown(*, user: Any, source: str) -> list[SharingDecision]:
    """The user's live grants, newest first, with their pupils and schools. Showing the list is
    a read of each pupil's name: one audit event per pupil, naming (as every use of a grant
    does) the grant through which it is read, the pupil's newest."""
    grants = list(
        access.live_grants(user)
        .select_related("pupil", "school", "agency", "practitioner")
        .order_by("-decided_at", "id")
    )
    # Each pupil once, under their newest grant (grants come newest first).
    newest: dict[Any, SharingDecision] = {}
    for grant in grants:
        newest.setdefault(grant.pupil_id, grant)
    audit_record_many(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        objects=[grant.pupil for grant in newest.values()],
        detail={"listing": True},
        details=[{"grant": str(grant.pk)} for grant in newest.values()],
    )
    return grants


# Agreements ------------------------------------------------------------------------------------


def agreement_list(*, user: Any, partnership: Partnership) -> QuerySet[InformationSharingAgreement]:
    """The partnership's agreements the user may read, by title, with their parties."""
    return (
        access.scope(user, InformationSharingAgreement)
        .filter(partnership=partnership)
        .prefetch_related(Prefetch("parties", queryset=Agency.objects.order_by("name")))
        .order_by("title", "id")
    )


def agreement_get(
    *, user: Any, agreement_id: Any, write: bool = False
) -> InformationSharingAgreement:
    """One agreement the user may read (or change), with its partnership and parties; else
    ``Http404``. Agreements hold no personal data: reading one is not audited."""
    found = access.get_agreement_for_user(user, agreement_id, write=write)
    return (
        InformationSharingAgreement.objects.filter(pk=found.pk)
        .select_related("partnership", "created_by")
        .prefetch_related(Prefetch("parties", queryset=Agency.objects.order_by("name")))
        .get()
    )


def agreements_due(*, user: Any) -> list[InformationSharingAgreement]:
    """The agreements the user keeps whose review is overdue or due within
    ``REVIEW_SOON_DAYS``, the most overdue first."""
    soon = timezone.localdate() + timedelta(days=REVIEW_SOON_DAYS)
    return list(
        access.scope(user, InformationSharingAgreement, write=True)
        .filter(review_on__lte=soon)
        .select_related("partnership")
        .order_by("review_on", "title")
    )


# The disclosure log ----------------------------------------------------------------------------

KIND_DECISION = "decision"
KIND_REFERRAL = "referral"
KIND_NOTIFICATION = "notification"


@dataclass(frozen=True)
class EntryKey:
    at: datetime
    kind: str
    id: uuid.UUID


@dataclass
class DisclosureEntry:
    """One line of the log: something the school shared (a decision, shared or not, or a
    referral made with one) or received (a notification from the police)."""

    at: datetime
    kind: str
    obj: SharingDecision | Referral | PoliceNotification
    school: School
    pupil: Pupil
    # False for a pupil whose record has since moved to another school: the line stays in the
    # log, the pupil's name does not.
    pupil_shown: bool
    decision: SharingDecision | None

    @property
    def sent(self) -> bool:
        return self.kind != KIND_NOTIFICATION


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LONDON)


def disclosure_keys(
    *, schools: Iterable[School], since: date | None = None, until: date | None = None
) -> list[EntryKey]:
    """Every entry of the schools' log between ``since`` and ``until`` (both days included, in
    UK time), newest first: ids and times only, to page through.

    ``schools`` comes from ``access.disclosure_log_schools``: the log is the schools' own record
    of what they disclosed and received, so it keeps lines about pupils who have since moved.
    """
    school_ids = [school.pk for school in schools]
    ranges: dict[str, Any] = {}
    if since is not None:
        ranges["gte"] = _day_start(since)
    if until is not None:
        ranges["lt"] = _day_start(until + timedelta(days=1))

    def bounded(queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
        return queryset.filter(**{f"{field}__{op}": value for op, value in ranges.items()})

    keys: list[EntryKey] = []
    sources: list[tuple[str, QuerySet[Any], str]] = [
        (KIND_DECISION, SharingDecision.objects.filter(school_id__in=school_ids), "decided_at"),
        (
            KIND_REFERRAL,
            Referral.objects.filter(school_id__in=school_ids, sharing_decision__isnull=False),
            "referred_at",
        ),
        (
            KIND_NOTIFICATION,
            PoliceNotification.objects.filter(school_id__in=school_ids),
            "recorded_at",
        ),
    ]
    for kind, queryset, field in sources:
        keys.extend(
            EntryKey(at=at, kind=kind, id=pk)
            for pk, at in bounded(queryset, field).values_list("pk", field)
        )
    keys.sort(key=lambda key: (key.at, key.kind, str(key.id)), reverse=True)
    return keys


def disclosure_entries(*, user: Any, keys: Sequence[EntryKey]) -> list[DisclosureEntry]:
    """The entries for these keys, in their order, with what each line shows."""
    ids: dict[str, list[uuid.UUID]] = {KIND_DECISION: [], KIND_REFERRAL: [], KIND_NOTIFICATION: []}
    for key in keys:
        ids[key.kind].append(key.id)
    decisions = {
        d.pk: d for d in _with_people(SharingDecision.objects.filter(pk__in=ids[KIND_DECISION]))
    }
    referrals = {
        r.pk: r
        for r in Referral.objects.filter(pk__in=ids[KIND_REFERRAL]).select_related(
            "pupil",
            "school",
            "agency",
            "referred_by",
            "sharing_decision",
            "sharing_decision__agency",
            # A line names the practitioner the decision shared with, if it named one.
            "sharing_decision__practitioner",
        )
    }
    notifications = {
        n.pk: n
        for n in PoliceNotification.objects.filter(pk__in=ids[KIND_NOTIFICATION]).select_related(
            "pupil", "school", "recorded_by"
        )
    }
    found: dict[str, dict[uuid.UUID, Any]] = {
        KIND_DECISION: decisions,
        KIND_REFERRAL: referrals,
        KIND_NOTIFICATION: notifications,
    }
    pupil_ids = {
        obj.pupil_id for objects in found.values() for obj in objects.values() if obj is not None
    }
    visible = set(
        access.scope(user, Pupil).filter(pk__in=sorted(pupil_ids)).values_list("pk", flat=True)
    )
    entries = []
    for key in keys:
        obj = found[key.kind].get(key.id)
        if obj is None:  # pragma: no cover - only if a row went between the two reads
            continue
        decision: SharingDecision | None = None
        if isinstance(obj, SharingDecision):
            decision = obj
        elif isinstance(obj, Referral):
            decision = obj.sharing_decision
        entries.append(
            DisclosureEntry(
                at=key.at,
                kind=key.kind,
                obj=obj,
                school=obj.school,
                pupil=obj.pupil,
                pupil_shown=obj.pupil_id in visible,
                decision=decision,
            )
        )
    return entries


def disclosure_audit(
    *, user: Any, entries: Sequence[DisclosureEntry], source: str, action: str = AuditAction.VIEW
) -> None:
    """Lines of the log are about pupils: showing them is a read (downloading them, an export)
    with one audit event per decision, referral or notification."""
    audit_record_many(
        actor=user,
        action=action,
        source=source,
        objects=[entry.obj for entry in entries],
        detail={"listing": True, "log": "disclosure"},
    )
