"""Reads of referrals, always through the access policy. Every read that shows a referral is
audited, naming the sharing decision that allows it when the reader has one."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import AuditAction
from saferschools.sharing.models import Decision, SharedItem, SharingDecision

from .models import Plan, Pupil, Referral, ReferralStatus, ReferralUpdate
from .selectors import grant_detail

# The landing page lists this many referrals of each kind, oldest first.
LANDING_LIMIT = 10


def referral_get(*, user: Any, referral_id: Any, source: str) -> Referral:
    """A referral the user may see, else ``Http404``; the read is audited, naming the grant that
    allows it."""
    found = access.get_referral_for_user(user, referral_id)
    referral = Referral.objects.select_related(
        "pupil",
        "pupil__school",
        "school",
        "agency",
        "referred_by",
        "plan",
        "sharing_decision",
        "sharing_decision__agency",
    ).get(pk=found.pk)
    referral_audit_read(user=user, referral=referral, source=source)
    return referral


def referral_audit_read(*, user: Any, referral: Referral, source: str) -> None:
    """Record that the user was shown this referral."""
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        obj=referral,
        detail={
            "pupil": str(referral.pupil_id),
            **grant_detail(user, referral.pupil, SharedItem.REFERRALS),
        },
    )


def referral_history(*, referral: Referral) -> QuerySet[ReferralUpdate]:
    """The referral's changes of status, oldest first, with who recorded each."""
    return referral.updates.select_related("by").order_by("at")


def pupil_referrals(*, user: Any, pupil: Pupil) -> QuerySet[Referral]:
    """The pupil's referrals the user may see, newest first. Not yet audited
    (``referrals_audit_listing``)."""
    return (
        access.scope(user, Referral)
        .filter(pupil=pupil)
        .select_related("agency")
        .order_by("-referred_at")
    )


@transaction.atomic
def referrals_audit_listing(
    *, user: Any, referrals: Iterable[Referral], source: str, pupil: Pupil | None = None
) -> list[Referral]:
    """Evaluate a list of referrals about to be shown, with one audit event per referral; when
    all are one pupil's, the grant through which the user sees them is named."""
    shown = list(referrals)
    detail: dict[str, Any] = {"listing": True}
    if pupil is not None and shown:
        detail.update(pupil=str(pupil.pk), **grant_detail(user, pupil, SharedItem.REFERRALS))
    audit_record_many(
        actor=user, action=AuditAction.VIEW, source=source, objects=shown, detail=detail
    )
    return shown


def referral_decisions(*, user: Any, pupil: Pupil) -> list[SharingDecision]:
    """The "share" decisions about the pupil that are live today, newest first: those a
    referral may go under."""
    return list(
        access.scope(user, SharingDecision)
        .filter(
            pupil=pupil,
            decision=Decision.SHARE,
            revoked_at__isnull=True,
            expires_on__gt=timezone.localdate(),
        )
        .select_related("agency")
        .order_by("-decided_at")
    )


def referral_plans(*, user: Any, pupil: Pupil) -> QuerySet[Plan]:
    """The pupil's plans a referral may be part of, newest first."""
    return access.scope(user, Plan, write=True).filter(pupil=pupil).order_by("-opened_at")


@dataclass(frozen=True)
class LandingReferrals:
    """Referrals waiting on the user: for a practitioner, those made to their agency for a pupil
    they are granted that have no answer yet; for a case worker, those they made that have had
    a reminder and still no answer. The first few of each, with how many there are."""

    to_answer: list[Referral]
    to_answer_count: int
    unanswered: list[Referral]
    unanswered_count: int

    @property
    def empty(self) -> bool:
        return not (self.to_answer_count or self.unanswered_count)


def _first_and_count(referrals: QuerySet[Referral]) -> tuple[list[Referral], int]:
    listed = list(
        referrals.select_related("pupil", "pupil__school", "school", "agency")[:LANDING_LIMIT]
    )
    return listed, len(listed) if len(listed) < LANDING_LIMIT else referrals.count()


@transaction.atomic
def landing_audit_listing(*, user: Any, waiting: LandingReferrals, source: str) -> None:
    """Record the reads of the referrals listed on the landing page: those to answer pupil by
    pupil, each naming the grant through which the user sees it."""
    by_pupil: dict[Any, list[Referral]] = {}
    for referral in waiting.to_answer:
        by_pupil.setdefault(referral.pupil_id, []).append(referral)
    for referrals in by_pupil.values():
        referrals_audit_listing(
            user=user, referrals=referrals, source=source, pupil=referrals[0].pupil
        )
    referrals_audit_listing(user=user, referrals=waiting.unanswered, source=source)


def landing_referrals(*, user: Any) -> LandingReferrals:
    """What ``LandingReferrals`` says, oldest first. Not yet audited."""
    grants = access.pupils_granted(user)
    to_answer: list[Referral] = []
    to_answer_count = 0
    if grants:
        condition = Q(pk__in=[])
        for grant in grants:
            condition |= Q(pupil_id=grant.pupil_id, agency_id=grant.agency_id)
        to_answer, to_answer_count = _first_and_count(
            access.scope(user, Referral)
            .filter(condition, status=ReferralStatus.SENT)
            .order_by("referred_at")
        )
    unanswered, unanswered_count = _first_and_count(
        access.scope(user, Referral, write=True)
        .filter(referred_by=user, status=ReferralStatus.SENT, reminders_sent__gt=0)
        .order_by("referred_at")
    )
    return LandingReferrals(to_answer, to_answer_count, unanswered, unanswered_count)
