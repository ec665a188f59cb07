"""Early-intervention plans: opening a case, its agreed actions, its reviews, its status and its
outcome.

Each function checks everything first and raises one ``ValidationError`` keyed by field, then
writes in one transaction with its audit event (naming the fields changed, never their values).
Callers fetch the pupil or the plan through the access policy with ``write=True`` (the school's
case workers); every change is refused while the pupil's record awaits a receiving school's
confirmation.

A plan is open, or under review while a review is being prepared; recording a review sets the
next review date and leaves the plan open; closing needs an outcome, and a closed plan changes
no more unless reopened. A pupil has at most one plan that is not closed at a time.
"""

import uuid
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction
from saferschools.lib.checks import check_text

from .models import Plan, PlanAction, PlanReview, PlanStatus, Pupil
from .records import pupil_check_writable
from .services import pupil_lock

TEXT_MAX = 5000
OUTSIDE_NAME_MAX = 120
OUTSIDE_ORGANISATION_MAX = 70
# Reviews and due dates are planned weeks or months ahead; a date years away is a typing error.
FURTHEST_AHEAD = timedelta(days=2 * 365)
ONE_OPEN_PLAN = (
    "This pupil already has a plan that is not closed: change that one, or close it first"
)
PLAN_CLOSED = "This plan is closed: reopen it to change it"


def _audit(actor: Any, action: AuditAction, obj: Any, source: str, **detail: Any) -> None:
    audit_record(actor=actor, action=action, source=source, obj=obj, detail=detail or None)


def _uuid(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


def plan_case_workers(*, pupil: Pupil) -> Any:
    """The people who may lead a plan for this pupil or own one of its actions: the active users
    holding a casework role over the pupil's school, in name order."""
    return access.users_reaching_school(pupil.school, access.CASEWORK_ROLES)


def _case_worker(
    value: object, pupil: Pupil, field: str, errors: dict[str, str], *, current: Any = None
) -> Any:
    """The case worker chosen (by id); the one already chosen stays allowed even if they have
    since left the school."""
    key = _uuid(value)
    if current is not None and key == str(current.pk):
        return current
    found = plan_case_workers(pupil=pupil).filter(pk=key).first() if key else None
    if found is None:
        errors[field] = "Choose someone who works on the school's cases"
    return found


def _day(
    value: object,
    field: str,
    errors: dict[str, str],
    *,
    earliest: date,
    too_early: str,
    required: bool = True,
) -> date | None:
    if value is None:
        if required:
            errors[field] = "Enter a date"
        return None
    if not isinstance(value, date):
        errors[field] = "Enter a real date"
        return None
    if value < earliest:
        errors[field] = too_early
        return None
    if value > timezone.localdate() + FURTHEST_AHEAD:
        errors[field] = "Enter a date within the next two years"
        return None
    return value


def _check_changeable(plan: Plan) -> None:
    pupil_check_writable(plan.pupil)
    if plan.status == PlanStatus.CLOSED:
        raise ValidationError({"plan": PLAN_CLOSED})


def _locked(plan: Plan) -> Plan:
    # The pupil first, then the plan: the order every change to a pupil's casework keeps.
    pupil_lock(plan.pupil_id)
    return (
        Plan.objects.select_for_update(of=("self",))
        .select_related("pupil", "school")
        .get(pk=plan.pk)
    )


def _has_other_open_plan(pupil: Pupil, plan: Plan | None = None) -> bool:
    others = Plan.objects.filter(pupil=pupil).exclude(status=PlanStatus.CLOSED)
    if plan is not None:
        others = others.exclude(pk=plan.pk)
    return others.exists()


@transaction.atomic
def plan_open(
    *,
    actor: Any,
    pupil: Pupil,
    lead_professional_id: object,
    concerns: object,
    goals: object,
    next_review_on: object,
    source: str,
) -> Plan:
    """Open an early-intervention plan for a pupil with no plan open: a lead professional among
    the school's case workers, the concerns, the goals and the first review (today or later).
    Caller fetched the pupil with ``access.get_casework_pupil_for_user(write=True)``."""
    # Lock the pupil's row so that two plans cannot be opened for them at once.
    pupil = pupil_lock(pupil.pk)
    pupil_check_writable(pupil)
    errors: dict[str, str] = {}
    lead = _case_worker(lead_professional_id, pupil, "lead_professional", errors)
    values = {
        "concerns": check_text(concerns, "concerns", TEXT_MAX, errors, required=True),
        "goals": check_text(goals, "goals", TEXT_MAX, errors, required=True),
    }
    review = _day(
        next_review_on,
        "next_review_on",
        errors,
        earliest=timezone.localdate(),
        too_early="The first review must be today or later",
    )
    if _has_other_open_plan(pupil):
        errors["plan"] = ONE_OPEN_PLAN
    if errors:
        raise ValidationError(errors)
    plan = Plan.objects.create(
        pupil=pupil,
        school=pupil.school,
        lead_professional=lead,
        next_review_on=review,
        opened_by=actor,
        opened_at=timezone.now(),
        **values,
    )
    _audit(actor, AuditAction.CREATE, plan, source, pupil=str(pupil.pk))
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: Any,
    plan: Plan,
    lead_professional_id: object,
    concerns: object,
    goals: object,
    source: str,
) -> Plan:
    """Change a plan's lead professional, concerns or goals; the audit names the fields
    changed. Nothing changed is no change (and no audit event)."""
    plan = _locked(plan)
    _check_changeable(plan)
    errors: dict[str, str] = {}
    lead = _case_worker(
        lead_professional_id,
        plan.pupil,
        "lead_professional",
        errors,
        current=plan.lead_professional,
    )
    values = {
        "concerns": check_text(concerns, "concerns", TEXT_MAX, errors, required=True),
        "goals": check_text(goals, "goals", TEXT_MAX, errors, required=True),
    }
    if errors:
        raise ValidationError(errors)
    changed = [field for field, value in values.items() if getattr(plan, field) != value]
    if lead.pk != plan.lead_professional_id:
        changed.append("lead_professional")
    if not changed:
        return plan
    for field, value in values.items():
        setattr(plan, field, value)
    plan.lead_professional = lead
    plan.save()
    _audit(actor, AuditAction.UPDATE, plan, source, fields=sorted(changed))
    return plan


@transaction.atomic
def plan_action_add(
    *,
    actor: Any,
    plan: Plan,
    description: object,
    owner_id: object,
    owner_name: object,
    owner_organisation: object,
    due_on: object,
    source: str,
) -> PlanAction:
    """Add an agreed action to a plan: what, by when (from the day the plan opened), and whose
    — a case worker of the school (``owner_id``) or someone from outside it, named with their
    organisation."""
    plan = _locked(plan)
    _check_changeable(plan)
    errors: dict[str, str] = {}
    text = check_text(description, "description", 500, errors, required=True)
    owner = None
    outside = ""
    name = check_text(owner_name, "owner_name", OUTSIDE_NAME_MAX, errors, required=False)
    organisation = check_text(
        owner_organisation, "owner_organisation", OUTSIDE_ORGANISATION_MAX, errors, required=False
    )
    if owner_id:
        owner = _case_worker(owner_id, plan.pupil, "owner", errors)
        if name or organisation:
            errors["owner_name"] = "Choose a case worker or name someone from outside, not both"
    elif not (name or organisation):
        if "owner_name" not in errors:
            errors["owner"] = "Choose who owns the action, or name someone from outside the school"
    elif not name:
        errors.setdefault("owner_name", "Enter the name of the person from outside the school")
    elif not organisation:
        errors.setdefault("owner_organisation", "Enter the organisation they work for")
    else:
        outside = f"{name} ({organisation})"
    due = _day(
        due_on,
        "due_on",
        errors,
        earliest=timezone.localtime(plan.opened_at).date(),
        too_early="The due date cannot be before the plan was opened",
    )
    if errors:
        raise ValidationError(errors)
    assert due is not None  # errors name due_on otherwise
    action = PlanAction.objects.create(
        plan=plan, description=text, owner=owner, owner_name=outside, due_on=due
    )
    _audit(actor, AuditAction.CREATE, action, source, plan=str(plan.pk))
    return action


@transaction.atomic
def plan_action_complete(*, actor: Any, action: PlanAction, source: str) -> PlanAction:
    """Mark an action of an open plan done (the action must be the plan's own: the caller
    fetched the plan through the access policy and the action from it)."""
    plan = _locked(action.plan)
    _check_changeable(plan)
    action = PlanAction.objects.select_for_update().get(pk=action.pk, plan=plan)
    if action.done_at is not None:
        raise ValidationError({"action": "This action is already marked done"})
    action.done_at = timezone.now()
    action.save(update_fields=["done_at"])
    _audit(actor, AuditAction.UPDATE, action, source, plan=str(plan.pk), fields=["done_at"])
    return action


@transaction.atomic
def plan_review_record(
    *, actor: Any, plan: Plan, held_on: object, notes: object, next_review_on: object, source: str
) -> PlanReview:
    """Record a review held on a day (from the day the plan opened, not in the future), what it
    found and when the next one is (after it, today or later). The plan stays open: one under
    review is open again, due for review on the new date."""
    plan = _locked(plan)
    _check_changeable(plan)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    held = _day(
        held_on,
        "held_on",
        errors,
        earliest=timezone.localtime(plan.opened_at).date(),
        too_early="The review cannot be before the plan was opened",
    )
    if held is not None and held > today:
        errors["held_on"] = "The review cannot be in the future: record it once held"
        held = None
    text = check_text(notes, "notes", TEXT_MAX, errors, required=True)
    earliest = max(today, held + timedelta(days=1)) if held is not None else today
    next_review = _day(
        next_review_on,
        "next_review_on",
        errors,
        earliest=earliest,
        too_early="The next review must be after this one, and today or later",
    )
    if errors:
        raise ValidationError(errors)
    assert held is not None  # errors name held_on otherwise
    review = PlanReview.objects.create(
        plan=plan, held_on=held, notes=text, reviewed_by=actor, next_review_on=next_review
    )
    changed = ["next_review_on"]
    plan.next_review_on = next_review
    if plan.status == PlanStatus.UNDER_REVIEW:
        plan.status = PlanStatus.OPEN
        changed.append("status")
    plan.save()
    _audit(actor, AuditAction.CREATE, review, source, plan=str(plan.pk))
    _audit(actor, AuditAction.UPDATE, plan, source, fields=sorted(changed))
    return review


@transaction.atomic
def plan_status_set(*, actor: Any, plan: Plan, status: object, source: str) -> Plan:
    """Move a plan between open and under review (closing takes ``plan_close``)."""
    plan = _locked(plan)
    _check_changeable(plan)
    if status not in (PlanStatus.OPEN, PlanStatus.UNDER_REVIEW):
        raise ValidationError({"status": "Choose open or under review"})
    if plan.status == status:
        raise ValidationError(
            {"status": f"The plan is already {PlanStatus(str(status)).label.lower()}"}
        )
    plan.status = PlanStatus(str(status))
    plan.save()
    _audit(actor, AuditAction.UPDATE, plan, source, fields=["status"])
    return plan


@transaction.atomic
def plan_close(*, actor: Any, plan: Plan, outcome: object, source: str) -> Plan:
    """Close a plan with its outcome (required)."""
    plan = _locked(plan)
    _check_changeable(plan)
    errors: dict[str, str] = {}
    text = check_text(outcome, "outcome", TEXT_MAX, errors, required=True)
    if errors:
        raise ValidationError(errors)
    plan.status = PlanStatus.CLOSED
    plan.outcome = text
    plan.closed_at = timezone.now()
    plan.save()
    _audit(actor, AuditAction.UPDATE, plan, source, fields=["closed_at", "outcome", "status"])
    return plan


@transaction.atomic
def plan_reopen(*, actor: Any, plan: Plan, source: str) -> Plan:
    """Reopen a closed plan, unless the pupil has another plan open by now. The outcome it was
    closed with is kept until it is closed again."""
    plan = _locked(plan)
    pupil_check_writable(plan.pupil)
    if plan.status != PlanStatus.CLOSED:
        raise ValidationError({"plan": "This plan is not closed"})
    if _has_other_open_plan(plan.pupil, plan):
        raise ValidationError({"plan": ONE_OPEN_PLAN})
    plan.status = PlanStatus.OPEN
    plan.closed_at = None
    plan.save()
    _audit(actor, AuditAction.UPDATE, plan, source, fields=["closed_at", "status"])
    return plan
