"""Reads of early-intervention plans, always through the access policy. Every read that shows a
plan is audited, naming the sharing decision that allows it when the reader has one."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import AuditAction
from saferschools.sharing.models import SharedItem

from .models import Plan, PlanAction, PlanStatus, Pupil, Referral
from .selectors import grant_detail

# The landing page lists this many of each kind of overdue item, oldest first.
LANDING_LIMIT = 10


def _read_detail(user: Any, plan: Plan, **extra: Any) -> dict[str, Any]:
    return {
        "pupil": str(plan.pupil_id),
        **grant_detail(user, plan.pupil, SharedItem.PLANS),
        **extra,
    }


def plan_get(*, user: Any, plan_id: Any, source: str, write: bool = False) -> Plan:
    """A plan the user may see (or, with ``write``, change), else ``Http404``; the read is
    audited, naming the grant that allows it."""
    found = access.get_plan_for_user(user, plan_id, write=write)
    plan = Plan.objects.select_related(
        "pupil", "pupil__school", "school", "lead_professional", "opened_by"
    ).get(pk=found.pk)
    plan_audit_read(user=user, plan=plan, source=source)
    return plan


def plan_audit_read(*, user: Any, plan: Plan, source: str) -> None:
    """Record that the user was shown this plan."""
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        obj=plan,
        detail=_read_detail(user, plan),
    )


def plan_actions(*, plan: Plan) -> list[PlanAction]:
    """The plan's agreed actions, soonest due first, with their owners."""
    return list(plan.actions.select_related("owner").order_by("due_on", "created_at"))


def plan_reviews(*, plan: Plan) -> QuerySet[Any]:
    """The plan's reviews, latest first, with who held them."""
    return plan.reviews.select_related("reviewed_by").order_by("-held_on", "-created_at")


def plan_referrals(*, user: Any, plan: Plan) -> list[Referral]:
    """The referrals made under this plan that the user may see, newest first (shown by agency
    and status only; each opens on its own audited page)."""
    return list(
        access.scope(user, Referral)
        .filter(plan=plan)
        .select_related("agency")
        .order_by("-referred_at")
    )


def pupil_plans(*, user: Any, pupil: Pupil) -> QuerySet[Plan]:
    """The pupil's plans the user may see: the one not closed first, then the closed ones,
    newest first. Not yet audited (``plans_audit_listing``)."""
    return (
        access.scope(user, Plan)
        .filter(pupil=pupil)
        .select_related("lead_professional")
        .annotate(
            closed_last=Case(
                When(status=PlanStatus.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("closed_last", "-opened_at")
    )


@transaction.atomic
def plans_audit_listing(
    *, user: Any, plans: Iterable[Plan], source: str, pupil: Pupil | None = None
) -> list[Plan]:
    """Evaluate a list of plans about to be shown, with one audit event per plan; when all are
    one pupil's, the grant through which the user sees them is named."""
    shown = list(plans)
    detail: dict[str, Any] = {"listing": True}
    if pupil is not None and shown:
        detail.update(pupil=str(pupil.pk), **grant_detail(user, pupil, SharedItem.PLANS))
    audit_record_many(
        actor=user, action=AuditAction.VIEW, source=source, objects=shown, detail=detail
    )
    return shown


@dataclass(frozen=True)
class LandingPlans:
    """What the user owes on plans: actions they own past their due date and plans they lead
    past their review date (the first few of each, with how many there are in all)."""

    overdue_actions: list[PlanAction]
    overdue_action_count: int
    overdue_reviews: list[Plan]
    overdue_review_count: int

    @property
    def empty(self) -> bool:
        return not (self.overdue_action_count or self.overdue_review_count)


def landing_plans(*, user: Any) -> LandingPlans:
    """The user's overdue plan actions (not done, due before today, on a plan not closed) and
    the plans they lead whose review date has passed, among the plans they may still change:
    someone who has left the school is no longer reminded. Not yet audited."""
    today = timezone.localdate()
    plans = access.scope(user, Plan, write=True).exclude(status=PlanStatus.CLOSED)
    actions = PlanAction.objects.filter(
        plan__in=plans.values("pk"), owner=user, done_at__isnull=True, due_on__lt=today
    ).order_by("due_on", "created_at")
    reviews = (
        Plan.objects.filter(
            pk__in=plans.values("pk"), lead_professional=user, next_review_on__lt=today
        )
        .select_related("pupil")
        .order_by("next_review_on", "opened_at")
    )
    listed_actions = list(actions.select_related("plan", "plan__pupil")[:LANDING_LIMIT])
    listed_reviews = list(reviews[:LANDING_LIMIT])
    return LandingPlans(
        overdue_actions=listed_actions,
        overdue_action_count=(
            len(listed_actions) if len(listed_actions) < LANDING_LIMIT else actions.count()
        ),
        overdue_reviews=listed_reviews,
        overdue_review_count=(
            len(listed_reviews) if len(listed_reviews) < LANDING_LIMIT else reviews.count()
        ),
    )
