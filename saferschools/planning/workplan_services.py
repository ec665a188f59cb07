"""The work-plan of each academic year (Stage 3): its chosen outcomes, each tied to a core aim,
the partners' roles, the agreed actions with their owners and progress, and the targets.

Each function checks everything first and raises one ``ValidationError`` keyed by field (the
names the API uses; the API prefixes them with the path of the outcome, action or target),
then writes in one transaction with its audit event, naming the fields changed, never their
values. Callers fetch the partnership, the plan or the action through the access policy with
``write=True``.

Every change to a plan locks the plan's row first, so that changes to one plan happen one after
another. A form shows a fingerprint of what it changes (``*_version``); a change sent with a
fingerprint that no longer matches was made to something another person has changed since,
and is refused rather than silently undoing theirs.

A plan may be changed after it was agreed: each such change is audited on the plan too
(``changed_after_agreement``), the plan's page says that it changed after it was agreed, and
the governors may agree it again.

An action's owner is reminded of it once it is overdue: at the start of the first school day
after its due date, then every five school days, three times at most, while it is neither done
nor dropped and its due date stays the same. Whatever stops the reminders (the action closed,
its owner gone or given as a name) is undone by what follows it: reopening the action, or
giving it an owner again, queues the next reminder, so that none is lost.

Every change locks the plan, then reads afresh what it changes: something removed a moment
before by someone else is refused as such (``version``), never written to.
"""

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Manager, Max, Model, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import Agency, AuditAction, Partnership
from saferschools.core.notifications import notify
from saferschools.lib.checks import check_text
from saferschools.lib.schooldays import (
    LONDON,
    academic_year_label,
    academic_year_of,
    add_school_days,
    school_day_start,
    start_of_next_school_day,
)
from saferschools.outcomes.models import Indicator

from .models import (
    ActionProgress,
    ActionStatus,
    CoreAim,
    DesiredOutcome,
    PartnerRole,
    Target,
    TargetMeasurement,
    Workplan,
    WorkplanAction,
    WorkplanOutcome,
)

OUTCOME_MAX = 500
PARTNER_MAX = 200
ROLE_MAX = 2000
DESCRIPTION_MAX = 500
OWNER_NAME_MAX = 200
MEASURE_MAX = 200
NOTE_MAX = 2000
MEASUREMENT_NOTE_MAX = 500
# A plan is kept for an academic year from 2000/01 to 2100/01 (the model's bounds), and may be
# started at most one year ahead.
YEAR_MIN, YEAR_MAX = 2000, 2100
# Figures are stored with three decimal places and twelve digits in all: nine before the point.
NUMBER_DIGITS = 9
DECIMAL_PLACES = 3
STEP = Decimal(1).scaleb(-DECIMAL_PLACES)
# Rounding to the step needs twelve digits at most once the figure is below a thousand million.
SAFE = Context(prec=40, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation])
# An indicator's code as the catalogue writes it (a slug); anything else is none of them.
INDICATOR_CODE = re.compile(r"[-a-zA-Z0-9_]{1,60}")
# An overdue action's owner is reminded at the start of the school day after its due date, then
# every five school days, three times at most.
REMINDER_SCHOOL_DAYS = 5
MAX_REMINDERS = 3

M = TypeVar("M", bound=Model)

OPEN_STATUSES = frozenset({ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS})
CLOSED_STATUSES = frozenset({ActionStatus.DONE, ActionStatus.DROPPED})
CHANGED_SINCE = (
    "Someone else changed this since you opened it: check what it says now, and send your "
    "changes again if they are still needed"
)
REMOVED_SINCE = "Someone else removed this from the work-plan since you opened it"


# Inputs ------------------------------------------------------------------------------------------


@dataclass
class RoleInput:
    """A partner's role towards an outcome: who (a name, and an agency of the area if it is
    one) and what they do."""

    partner: object = ""
    role: object = ""
    agency_id: object = None


@dataclass
class ActionInput:
    """An agreed action: what, whose (a user reaching the partnership, by id, or a typed name)
    and by when."""

    description: object = ""
    due_on: object = None
    owner_id: object = None
    owner_name: object = ""


@dataclass
class TargetInput:
    """A target: an indicator of the catalogue (by code) or what is measured by hand, its
    baseline with its date, and the value to reach by the target date."""

    description: object = ""
    indicator: object = None
    measure: object = ""
    baseline: object = None
    baseline_on: object = None
    target_value: object = None
    target_on: object = None


@dataclass
class OutcomeInput:
    """A chosen outcome, tied to a core aim, with what comes under it."""

    aim: object = ""
    text: object = ""
    partner_roles: list[RoleInput] = field(default_factory=list)
    actions: list[ActionInput] = field(default_factory=list)
    targets: list[TargetInput] = field(default_factory=list)


# Fingerprints against stale edits ------------------------------------------------------------------


def _fingerprint(*values: object) -> str:
    payload = json.dumps([None if v is None else str(v) for v in values], ensure_ascii=True)
    return hashlib.sha256(payload.encode("ascii")).hexdigest()[:20]


def outcome_version(outcome: WorkplanOutcome) -> str:
    return _fingerprint(outcome.aim, outcome.text)


def role_version(role: PartnerRole) -> str:
    return _fingerprint(role.partner, role.agency_id, role.role)


def action_version(action: WorkplanAction) -> str:
    """What the action's form changes: its description, owner and due date."""
    return _fingerprint(action.description, action.owner_id, action.owner_name, action.due_on)


def action_status_version(action: WorkplanAction) -> str:
    """The action's status and how many progress notes it has (the status form's view)."""
    return _fingerprint(action.status, action.completed_on, action.progress.count())


def target_version(target: Target) -> str:
    return _fingerprint(
        target.description,
        target.indicator_id,
        target.measure,
        target.baseline,
        target.baseline_on,
        target.target_value,
        target.target_on,
    )


def workplan_version(workplan: Workplan) -> str:
    """Everything agreeing the plan agrees to: every outcome with its roles, actions (not their
    progress) and targets. Reads the plan's prefetched outcomes when there are some."""
    parts: list[str] = []
    for outcome in sorted(workplan.outcomes.all(), key=lambda o: str(o.pk)):
        parts.append(f"o{outcome.pk}:{outcome_version(outcome)}")
        parts.extend(
            f"r{r.pk}:{role_version(r)}"
            for r in sorted(outcome.partner_roles.all(), key=lambda r: str(r.pk))
        )
        parts.extend(
            f"a{a.pk}:{action_version(a)}"
            for a in sorted(outcome.actions.all(), key=lambda a: str(a.pk))
        )
        parts.extend(
            f"t{t.pk}:{target_version(t)}"
            for t in sorted(outcome.targets.all(), key=lambda t: str(t.pk))
        )
    return _fingerprint(*parts)


def _check_version(seen: object, current: str, errors: dict[str, str]) -> None:
    """``seen`` is the fingerprint the form was shown (``None`` when the caller has none, as
    the API): a different one means someone changed the thing since."""
    if seen is not None and seen != current:
        errors["version"] = CHANGED_SINCE


# Checks -------------------------------------------------------------------------------------------


def _text(
    value: object, name: str, max_length: int, errors: dict[str, str], *, missing: str = ""
) -> str:
    """Cleaned text; ``missing`` is the message for an empty value (optional when not given)."""
    text = check_text(value, name, max_length, errors, required=False)
    if name not in errors and missing and not text:
        errors[name] = missing
    return text


def _number(
    value: object, name: str, errors: dict[str, str], *, what: str, missing: str = ""
) -> Decimal | None:
    """A figure with at most three decimal places below a thousand million, given as a number
    or as text; ``missing`` is the message for none (``Enter`` and ``what`` when not given)."""
    if value is None or value == "":
        errors[name] = missing or f"Enter {what}"
        return None
    wrong = f"Enter {what} as a number, for example 12 or 7.5"
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        errors[name] = wrong
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[name] = wrong
        return None
    if not number.is_finite():
        errors[name] = wrong
        return None
    # Judged by its exponent before any arithmetic: 1e999999999 is a Decimal, but taking its
    # absolute value or rounding it overflows.
    if number and number.adjusted() >= NUMBER_DIGITS:
        errors[name] = f"Enter {what} below 1,000,000,000"
        return None
    rounded = number.quantize(STEP, context=SAFE)
    if rounded != number:
        errors[name] = f"Enter {what} with at most {DECIMAL_PLACES} decimal places"
        return None
    # Nought is nought, whatever its sign.
    return rounded if rounded else STEP * 0


def _day(value: object, name: str, errors: dict[str, str], *, what: str) -> date | None:
    if value is None or value == "":
        errors[name] = f"Enter {what}"
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        errors[name] = f"Enter {what} as a real date"
        return None
    if not YEAR_MIN <= value.year <= YEAR_MAX + 2:
        errors[name] = f"Enter {what} between {YEAR_MIN} and {YEAR_MAX + 2}"
        return None
    return value


def long_date(day: date) -> str:
    """A date as the pages write it: 1 September 2025."""
    return f"{day.day} {day:%B %Y}"


def _uuid(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


def _aim(value: object, errors: dict[str, str], name: str = "aim") -> str:
    if not isinstance(value, str) or value not in CoreAim.values:
        errors[name] = "Choose the core aim the outcome is tied to"
        return ""
    return value


def check_year(value: object) -> int | None:
    """The start year of an academic year a plan may be kept for; ``None`` if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if YEAR_MIN <= value <= YEAR_MAX else None


def current_year(today: date | None = None) -> int:
    """The academic year holding today (London), as its start year."""
    return academic_year_of(today or timezone.localdate())


def action_due_bounds(year: int) -> tuple[date, date]:
    """The due dates an action of the ``year`` plan may have: from the January before the year
    starts (preparation) to the end of the August after the following year."""
    return date(year, 1, 1), date(year + 2, 8, 31)


def workplan_action_owners(*, partnership: Partnership) -> Any:
    """The people who may own an action of the partnership's work-plan: the active users whose
    memberships reach the partnership, in name order."""
    return access.users_reaching_partnership(partnership)


# Cleaning an outcome and what comes under it --------------------------------------------------------


def _clean_role(data: RoleInput, partnership: Partnership, errors: dict[str, str]) -> dict:
    agency = None
    agency_key = _uuid(data.agency_id)
    if data.agency_id not in (None, ""):
        agency = (
            Agency.objects.filter(pk=agency_key, area_id=partnership.area_id).first()
            if agency_key
            else None
        )
        if agency is None:
            errors["agency_id"] = "Choose an agency of the partnership's area"
    partner = _text(data.partner, "partner", PARTNER_MAX, errors)
    if not partner and "partner" not in errors:
        if agency is not None:
            partner = agency.name
        elif "agency_id" not in errors:
            errors["partner"] = (
                "Enter the partner, for example “Police and education social worker”"
            )
    role = _text(
        data.role,
        "role",
        ROLE_MAX,
        errors,
        missing="Enter what the partner does towards the outcome",
    )
    return {"partner": partner, "agency": agency, "role": role}


def _clean_action(
    data: ActionInput,
    workplan: Workplan,
    errors: dict[str, str],
    *,
    owners: Any,
    current: WorkplanAction | None = None,
) -> dict:
    description = _text(
        data.description, "description", DESCRIPTION_MAX, errors, missing="Describe the action"
    )
    owner = None
    owner_name = _text(data.owner_name, "owner_name", OWNER_NAME_MAX, errors)
    owner_key = _uuid(data.owner_id)
    if data.owner_id not in (None, ""):
        if (
            current is not None
            and current.owner_id is not None
            and owner_key == str(current.owner_id)
        ):
            # The owner already chosen stays allowed even if they have since left.
            owner = current.owner
        else:
            owner = owners.filter(pk=owner_key).first() if owner_key else None
        if owner is None:
            errors["owner_id"] = "Choose someone who works in the partnership"
        elif owner_name:
            errors["owner_name"] = "Choose a person or type a name, not both"
    elif not owner_name and "owner_name" not in errors:
        errors["owner_id"] = "Choose who owns the action, or type the name of the person"
    due_on = _day(data.due_on, "due_on", errors, what="the date the action is due")
    if due_on is not None:
        earliest, latest = action_due_bounds(workplan.year)
        changed = current is None or current.due_on != due_on
        if changed and not earliest <= due_on <= latest:
            errors["due_on"] = (
                f"Enter a due date from {long_date(earliest)} to {long_date(latest)} for the "
                f"{workplan.year_label} work-plan"
            )
    return {
        "description": description,
        "owner": owner,
        "owner_name": "" if owner is not None else owner_name,
        "due_on": due_on,
    }


def _indicators(codes: Iterable[object]) -> dict[str, Indicator]:
    wanted = {code for code in codes if isinstance(code, str) and INDICATOR_CODE.fullmatch(code)}
    return {i.code: i for i in Indicator.objects.filter(code__in=wanted)} if wanted else {}


def _clean_target(
    data: TargetInput, indicators: dict[str, Indicator], errors: dict[str, str]
) -> dict:
    description = _text(
        data.description,
        "description",
        DESCRIPTION_MAX,
        errors,
        missing="Describe the target, for example “Persistent absence among 10 priority "
        "families down by a fifth”",
    )
    indicator = None
    if data.indicator not in (None, ""):
        indicator = indicators.get(data.indicator) if isinstance(data.indicator, str) else None
        if indicator is None:
            errors["indicator"] = "Choose an indicator from the catalogue"
    measure = _text(data.measure, "measure", MEASURE_MAX, errors)
    if indicator is not None and measure:
        errors["measure"] = "Choose an indicator or say what is measured by hand, not both"
    elif (
        indicator is None and not measure and "indicator" not in errors and "measure" not in errors
    ):
        errors["measure"] = "Choose an indicator, or say what is measured by hand"
    baseline = _number(
        data.baseline,
        "baseline",
        errors,
        what="the baseline",
        missing="Enter the baseline: the figure when the target was set",
    )
    target_value = _number(data.target_value, "target_value", errors, what="the target value")
    baseline_on = _day(data.baseline_on, "baseline_on", errors, what="the date of the baseline")
    target_on = _day(data.target_on, "target_on", errors, what="the date the target is for")
    if baseline_on and target_on and target_on <= baseline_on:
        errors["target_on"] = "The target date must be after the baseline date"
    if indicator is not None:
        # A score (Progress 8) may be below nought; every other unit may not.
        lowest = None if indicator.unit == Indicator.Unit.SCORE else Decimal(0)
        highest = Decimal(100) if indicator.unit == Indicator.Unit.PERCENT else None
        for name, value in (("baseline", baseline), ("target_value", target_value)):
            if value is None:
                continue
            if (lowest is not None and value < lowest) or (highest is not None and value > highest):
                span = "from 0 to 100" if highest is not None else "of 0 or more"
                errors[name] = f"Enter a figure {span} for {indicator.name.lower()}"
    return {
        "description": description,
        "indicator": indicator,
        "measure": "" if indicator is not None else measure,
        "baseline": baseline,
        "baseline_on": baseline_on,
        "target_value": target_value,
        "target_on": target_on,
    }


def _prefixed(errors: dict[str, str], prefix: str, into: dict[str, str]) -> None:
    for key, text in errors.items():
        into[f"{prefix}{key}"] = text


# Audit and locking ---------------------------------------------------------------------------------


def _audit(actor: Any, verb: AuditAction, obj: Any, source: str, **detail: Any) -> None:
    audit_record(actor=actor, action=verb, source=source, obj=obj, detail=detail or None)


def _locked(workplan: Workplan) -> Workplan:
    return (
        Workplan.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .get(pk=workplan.pk)
    )


def _current(queryset: QuerySet[M] | Manager[M], pk: object) -> M:
    """The row as it stands once its plan is locked. One removed since the caller fetched it (by
    someone else, a moment before) is refused as changed, never written to."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({"version": REMOVED_SINCE})
    return found


def _changed(actor: Any, workplan: Workplan, source: str, what: str) -> None:
    """A change to an agreed plan is recorded on the plan too, so that its page can say the
    plan changed after it was agreed."""
    if workplan.status == Workplan.Status.AGREED:
        workplan.changed_since_agreed_at = timezone.now()
        Workplan.objects.filter(pk=workplan.pk).update(
            changed_since_agreed_at=workplan.changed_since_agreed_at
        )
        _audit(actor, AuditAction.UPDATE, workplan, source, changed_after_agreement=what)


def _changed_fields(obj: Any, values: dict[str, Any]) -> list[str]:
    """Set on ``obj`` the values that differ from its own; their names, in order."""
    changed = sorted(name for name, value in values.items() if getattr(obj, name) != value)
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _save_changed(
    actor: Any, workplan: Workplan, obj: Any, changed: list[str], source: str, what: str
) -> None:
    """Save a change, audited with the names of the fields changed (never their values)."""
    obj.save()
    _audit(actor, AuditAction.UPDATE, obj, source, fields=changed)
    _changed(actor, workplan, source, what)


def _remove(
    actor: Any,
    workplan: Workplan,
    current: Any,
    *,
    version: object,
    fingerprint: str,
    under: Iterable[Any] = (),
    source: str,
    what: str,
) -> None:
    """Remove ``current`` with what is removed with it (``under``), each removal audited, once
    the fingerprint the person was shown still matches."""
    errors: dict[str, str] = {}
    _check_version(version, fingerprint, errors)
    if errors:
        raise ValidationError(errors)
    audit_record_many(
        actor=actor,
        action=AuditAction.DELETE,
        source=source,
        objects=[*under, current],
        detail={"workplan": str(workplan.pk)},
    )
    current.delete()
    _changed(actor, workplan, source, what)


def _next_position(workplan: Workplan) -> int:
    highest = workplan.outcomes.aggregate(top=Max("position"))["top"]
    return 0 if highest is None else highest + 1


# Reminders ----------------------------------------------------------------------------------------


def first_reminder_at(due_on: date) -> datetime:
    """The start of the first school day after the due date."""
    return start_of_next_school_day(datetime.combine(due_on + timedelta(days=1), time.min, LONDON))


def _queue_reminder(action: WorkplanAction, reminder: int, run_after: datetime) -> None:
    from .workplan_tasks import workplan_action_remind

    # Stored with the action in this transaction: the reminder comes when due, even after a
    # restart; the due date it was queued for stops it if the date is moved.
    workplan_action_remind.using(run_after=run_after).enqueue(
        str(action.pk), action.due_on.isoformat(), reminder
    )


def _queue_next_reminder(action: WorkplanAction) -> None:
    """Queue the next reminder of an open action a user owns: the first for the start of the
    first school day after its due date, a later one for the start of the next school day.

    Called whenever a chain of reminders may have stopped (a new action, a new due date, a new
    owner, an action reopened), so that none is lost. Each reminder is sent once however many
    times it is queued, so a chain still running is not doubled."""
    if (
        action.owner_id is None
        or action.status not in OPEN_STATUSES
        or action.reminders_sent >= MAX_REMINDERS
    ):
        return
    if action.reminders_sent == 0:
        run_after = first_reminder_at(action.due_on)
    else:
        run_after = start_of_next_school_day(timezone.now())
    _queue_reminder(action, action.reminders_sent + 1, run_after)


def _tell_owner(actor: Any, action: WorkplanAction, workplan: Workplan) -> None:
    if action.owner is not None and action.owner != actor:
        notify(
            users=[action.owner],
            title=f"You own an action in the {workplan.year_label} work-plan of "
            f"{workplan.partnership.name}",
            url=reverse("planning-workplan-action", args=[action.pk]),
            kind="workplan_action_owned",
            object_id=str(action.pk),
        )


# Starting and agreeing a plan ----------------------------------------------------------------------


def _create_plan(actor: Any, partnership: Partnership, year: int, source: str) -> Workplan:
    try:
        with transaction.atomic():
            workplan = Workplan.objects.create(partnership=partnership, year=year, created_by=actor)
    except IntegrityError:
        raise ValidationError(
            {"year": f"There is already a work-plan for {academic_year_label(year)}"}
        ) from None
    _audit(actor, AuditAction.CREATE, workplan, source, year=year)
    return workplan


def _check_new_year(year: object, errors: dict[str, str]) -> int | None:
    checked = check_year(year)
    if checked is None:
        errors["year"] = (
            f"Give the year the academic year starts in, from {YEAR_MIN} to {YEAR_MAX}, "
            "for example 2025 for 2025/26"
        )
        return None
    if checked > current_year() + 1:
        errors["year"] = "A work-plan can be started at most one academic year ahead"
        return None
    return checked


@transaction.atomic
def workplan_start(
    *,
    actor: Any,
    partnership: Partnership,
    year: object,
    desired_outcome_ids: Sequence[object] = (),
    source: str,
) -> Workplan:
    """Start the partnership's work-plan for an academic year, with the desired outcomes chosen
    (those the partnership agreed under its aims) as its first outcomes. Refuses a year that
    already has a plan, or one more than a year ahead."""
    # The partnership's row serialises two people starting the same year's plan.
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    errors: dict[str, str] = {}
    checked = _check_new_year(year, errors)
    if (
        checked is not None
        and Workplan.objects.filter(partnership=partnership, year=checked).exists()
    ):
        errors["year"] = f"There is already a work-plan for {academic_year_label(checked)}"
    keys = [_uuid(value) for value in desired_outcome_ids]
    desired = list(
        DesiredOutcome.objects.filter(aim__partnership=partnership, pk__in=[k for k in keys if k])
        .select_related("aim")
        .order_by("aim__aim", "text")
    )
    if any(key is None for key in keys) or len(desired) != len(set(keys)):
        errors["desired_outcomes"] = "Choose outcomes from the partnership's desired outcomes"
    if errors:
        raise ValidationError(errors)
    assert checked is not None
    workplan = _create_plan(actor, partnership, checked, source)
    outcomes = WorkplanOutcome.objects.bulk_create(
        WorkplanOutcome(workplan=workplan, aim=one.aim.aim, text=one.text, position=index)
        for index, one in enumerate(desired)
    )
    if outcomes:
        audit_record_many(
            actor=actor,
            action=AuditAction.CREATE,
            source=source,
            objects=outcomes,
            detail={"workplan": str(workplan.pk)},
        )
    return workplan


def workplan_missing_for_agreement(workplan: Workplan) -> list[str]:
    """What the plan needs before it can be agreed: an outcome, and an action for each."""
    outcomes = list(workplan.outcomes.all())
    if not outcomes:
        return ["Add at least one outcome"]
    return [
        f"Add an action to the outcome “{outcome.text}”"
        for outcome in outcomes
        if not outcome.actions.all()
    ]


@transaction.atomic
def workplan_agree(*, actor: Any, workplan: Workplan, version: object, source: str) -> Workplan:
    """Record that the partners agreed the plan as it stands (``version`` is the fingerprint of
    the plan as the agreeing person saw it). Refuses a plan without outcomes or with an outcome
    without an action, one changed since it was shown, and one already agreed and unchanged
    since."""
    locked = _locked(workplan)
    plan = (
        Workplan.objects.prefetch_related(
            "outcomes__partner_roles", "outcomes__actions", "outcomes__targets"
        )
        .select_related("partnership")
        .get(pk=locked.pk)
    )
    errors: dict[str, str] = {}
    _check_version(version, workplan_version(plan), errors)
    missing = workplan_missing_for_agreement(plan)
    if missing:
        errors["workplan"] = "Before the plan can be agreed: " + "; ".join(
            item[:1].lower() + item[1:] for item in missing
        )
    if (
        not errors
        and plan.status == Workplan.Status.AGREED
        and plan.changed_since_agreed_at is None
    ):
        errors["workplan"] = "The plan is already agreed, and has not changed since"
    if errors:
        raise ValidationError(errors)
    plan.status = Workplan.Status.AGREED
    plan.agreed_on = timezone.localdate()
    plan.agreed_by = actor
    plan.changed_since_agreed_at = None
    plan.save(update_fields=["status", "agreed_on", "agreed_by", "changed_since_agreed_at"])
    _audit(actor, AuditAction.UPDATE, plan, source, fields=["agreed_by", "agreed_on", "status"])
    workplan.status, workplan.agreed_on, workplan.agreed_by = (
        plan.status,
        plan.agreed_on,
        plan.agreed_by,
    )
    workplan.changed_since_agreed_at = None
    return plan


# Outcomes ----------------------------------------------------------------------------------------


@transaction.atomic
def workplan_outcome_add(
    *, actor: Any, workplan: Workplan, aim: object, text: object, source: str
) -> WorkplanOutcome:
    """Add a chosen outcome, tied to a core aim, at the end of the plan."""
    workplan = _locked(workplan)
    errors: dict[str, str] = {}
    values = {
        "aim": _aim(aim, errors),
        "text": _text(text, "text", OUTCOME_MAX, errors, missing="Enter the outcome"),
    }
    if errors:
        raise ValidationError(errors)
    outcome = WorkplanOutcome.objects.create(
        workplan=workplan, position=_next_position(workplan), **values
    )
    _audit(actor, AuditAction.CREATE, outcome, source, workplan=str(workplan.pk))
    _changed(actor, workplan, source, "outcome added")
    return outcome


@transaction.atomic
def workplan_outcome_update(
    *,
    actor: Any,
    outcome: WorkplanOutcome,
    aim: object,
    text: object,
    version: object = None,
    source: str,
) -> WorkplanOutcome:
    """Change an outcome's aim or words; nothing changed is no change (and no audit event)."""
    workplan = _locked(outcome.workplan)
    outcome = _current(WorkplanOutcome.objects, outcome.pk)
    errors: dict[str, str] = {}
    _check_version(version, outcome_version(outcome), errors)
    values = {
        "aim": _aim(aim, errors),
        "text": _text(text, "text", OUTCOME_MAX, errors, missing="Enter the outcome"),
    }
    if errors:
        raise ValidationError(errors)
    changed = _changed_fields(outcome, values)
    if changed:
        _save_changed(actor, workplan, outcome, changed, source, "outcome changed")
    return outcome


@transaction.atomic
def workplan_outcome_remove(
    *, actor: Any, outcome: WorkplanOutcome, version: object = None, source: str
) -> None:
    """Remove an outcome with its partner roles, actions (and their progress notes) and
    targets (and their measurements); each removal is audited."""
    workplan = _locked(outcome.workplan)
    current = _current(WorkplanOutcome.objects, outcome.pk)
    _remove(
        actor,
        workplan,
        current,
        version=version,
        fingerprint=outcome_version(current),
        under=[
            *current.partner_roles.all(),
            *ActionProgress.objects.filter(action__outcome=current),
            *current.actions.all(),
            *TargetMeasurement.objects.filter(target__outcome=current),
            *current.targets.all(),
        ],
        source=source,
        what="outcome removed",
    )


# Partner roles -----------------------------------------------------------------------------------


@transaction.atomic
def workplan_role_add(
    *, actor: Any, outcome: WorkplanOutcome, data: RoleInput, source: str
) -> PartnerRole:
    """Say what a partner does towards an outcome."""
    workplan = _locked(outcome.workplan)
    outcome = _current(WorkplanOutcome.objects, outcome.pk)
    errors: dict[str, str] = {}
    values = _clean_role(data, workplan.partnership, errors)
    if errors:
        raise ValidationError(errors)
    role = PartnerRole.objects.create(outcome=outcome, **values)
    _audit(actor, AuditAction.CREATE, role, source, outcome=str(outcome.pk))
    _changed(actor, workplan, source, "partner role added")
    return role


@transaction.atomic
def workplan_role_update(
    *, actor: Any, role: PartnerRole, data: RoleInput, version: object = None, source: str
) -> PartnerRole:
    """Change a partner's role; nothing changed is no change."""
    workplan = _locked(role.outcome.workplan)
    role = _current(PartnerRole.objects.select_related("agency"), role.pk)
    errors: dict[str, str] = {}
    _check_version(version, role_version(role), errors)
    values = _clean_role(data, workplan.partnership, errors)
    if errors:
        raise ValidationError(errors)
    changed = _changed_fields(role, values)
    if changed:
        _save_changed(actor, workplan, role, changed, source, "partner role changed")
    return role


@transaction.atomic
def workplan_role_remove(
    *, actor: Any, role: PartnerRole, version: object = None, source: str
) -> None:
    """Remove a partner's role from an outcome."""
    workplan = _locked(role.outcome.workplan)
    current = _current(PartnerRole.objects, role.pk)
    _remove(
        actor,
        workplan,
        current,
        version=version,
        fingerprint=role_version(current),
        source=source,
        what="partner role removed",
    )


# Actions -----------------------------------------------------------------------------------------


@transaction.atomic
def workplan_action_add(
    *, actor: Any, outcome: WorkplanOutcome, data: ActionInput, source: str
) -> WorkplanAction:
    """Add an agreed action to an outcome: what, whose and by when. A user who owns it is told,
    and reminded once it is overdue."""
    workplan = _locked(outcome.workplan)
    outcome = _current(WorkplanOutcome.objects, outcome.pk)
    errors: dict[str, str] = {}
    values = _clean_action(
        data, workplan, errors, owners=workplan_action_owners(partnership=workplan.partnership)
    )
    if errors:
        raise ValidationError(errors)
    action = WorkplanAction.objects.create(outcome=outcome, **values)
    _audit(actor, AuditAction.CREATE, action, source, outcome=str(outcome.pk))
    _changed(actor, workplan, source, "action added")
    _queue_next_reminder(action)
    _tell_owner(actor, action, workplan)
    return action


@transaction.atomic
def workplan_action_update(
    *, actor: Any, action: WorkplanAction, data: ActionInput, version: object = None, source: str
) -> WorkplanAction:
    """Change what an action is, whose it is or when it is due. A new due date starts the
    reminders afresh (those queued for the old date stop); a new owner is told, and reminded
    where the reminders have got to."""
    workplan = _locked(action.outcome.workplan)
    # The action's row too: the reminder task writes it without the plan's lock.
    action = _current(
        WorkplanAction.objects.select_for_update(of=("self",)).select_related("owner"), action.pk
    )
    errors: dict[str, str] = {}
    _check_version(version, action_version(action), errors)
    values = _clean_action(
        data,
        workplan,
        errors,
        owners=workplan_action_owners(partnership=workplan.partnership),
        current=action,
    )
    if errors:
        raise ValidationError(errors)
    changed = _changed_fields(action, values)
    if not changed:
        return action
    if "due_on" in changed:
        action.reminders_sent = 0
    _save_changed(actor, workplan, action, changed, source, "action changed")
    if "due_on" in changed or "owner" in changed:
        _queue_next_reminder(action)
    if "owner" in changed:
        _tell_owner(actor, action, workplan)
    return action


@transaction.atomic
def workplan_action_remove(
    *, actor: Any, action: WorkplanAction, version: object = None, source: str
) -> None:
    """Remove an action with its progress notes, each removal audited (its reminders stop)."""
    workplan = _locked(action.outcome.workplan)
    current = _current(WorkplanAction.objects, action.pk)
    _remove(
        actor,
        workplan,
        current,
        version=version,
        fingerprint=action_version(current),
        under=current.progress.all(),
        source=source,
        what="action removed",
    )


def action_is_overdue(action: WorkplanAction, today: date) -> bool:
    return action.status in OPEN_STATUSES and action.due_on < today


@transaction.atomic
def workplan_action_update_status(
    *,
    actor: Any,
    action: WorkplanAction,
    status: object,
    note: object = "",
    version: object = None,
    source: str,
) -> WorkplanAction:
    """Record progress on an action: its status, with a note (required to drop it). Done sets
    the day it was completed, and reopening clears it; reopening an action starts its
    reminders again where they stopped. The same status again needs a note, which is then a
    progress note. Caller fetched the action with ``get_workplan_action_for_user(write=True)``
    (its owner, or one who keeps the partnership's governance)."""
    _locked(action.outcome.workplan)
    action = _current(WorkplanAction.objects.select_for_update(of=("self",)), action.pk)
    errors: dict[str, str] = {}
    _check_version(version, action_status_version(action), errors)
    if not isinstance(status, str) or status not in ActionStatus.values:
        errors["status"] = "Choose a status: " + ", ".join(ActionStatus.values)
    text = _text(note, "note", NOTE_MAX, errors)
    if "status" not in errors:
        if status == ActionStatus.DROPPED and status != action.status and not text:
            errors.setdefault("note", "Say why the action is dropped")
        elif status == action.status and not text and "note" not in errors:
            errors["note"] = (
                f"The action is already {ActionStatus(status).label.lower()}: add a note to "
                "record progress"
            )
    if errors:
        raise ValidationError(errors)
    status = ActionStatus(str(status))
    before = action.status
    today = timezone.localdate()
    changed: list[str] = []
    if status != before:
        action.status = status
        changed.append("status")
        completed_on = today if status == ActionStatus.DONE else None
        if action.completed_on != completed_on:
            action.completed_on = completed_on
            changed.append("completed_on")
        action.save(update_fields=changed)
    progress = ActionProgress.objects.create(
        action=action, status=status, note=text, by=actor, at=timezone.now()
    )
    _audit(actor, AuditAction.CREATE, progress, source, action=str(action.pk), status=str(status))
    if changed:
        _audit(actor, AuditAction.UPDATE, action, source, fields=sorted(changed))
    if before in CLOSED_STATUSES and status in OPEN_STATUSES:
        _queue_next_reminder(action)
    return action


def workplan_action_remind(*, action_id: str, due_on: str, reminder: int) -> str:
    """Run when reminder number ``reminder`` of an action due on ``due_on`` falls due. An action
    still open, still due that day and owned by a user who still reaches the partnership has
    its owner told by e-mail, and the next reminder is queued five school days on, three in
    all. Returns what it did; running it twice does nothing more."""
    with transaction.atomic():
        action = (
            WorkplanAction.objects.select_for_update(of=("self",))
            .select_related("owner", "outcome__workplan__partnership")
            .filter(pk=action_id)
            .first()
        )
        if action is None:
            return "removed"
        if action.status not in OPEN_STATUSES:
            return "closed"
        if action.due_on.isoformat() != due_on:
            return "due date moved"
        if action.owner is None or not action.owner.is_active:
            return "no one to remind"
        if action.reminders_sent >= reminder or reminder > MAX_REMINDERS:
            return "already reminded"
        try:
            # Someone who no longer reaches the partnership would be sent to a page they
            # cannot open.
            access.get_workplan_action_for_user(action.owner, action.pk, write=True)
        except Http404:
            return "owner left"
        workplan = action.outcome.workplan
        action.reminders_sent = reminder
        action.save(update_fields=["reminders_sent"])
        _audit(
            None,
            AuditAction.UPDATE,
            action,
            "task:workplan_action_remind",
            fields=["reminders_sent"],
        )
        notify(
            users=[action.owner],
            title=f"A work-plan action of yours is overdue: {workplan.partnership.name}, "
            f"{workplan.year_label}",
            url=reverse("planning-workplan-action", args=[action.pk]),
            kind="workplan_action_overdue",
            object_id=str(action.pk),
        )
        if reminder < MAX_REMINDERS:
            day = add_school_days(timezone.localdate(), REMINDER_SCHOOL_DAYS)
            _queue_reminder(action, reminder + 1, datetime.combine(day, school_day_start(), LONDON))
    return "reminded"


# Targets -----------------------------------------------------------------------------------------


@transaction.atomic
def workplan_target_add(
    *, actor: Any, outcome: WorkplanOutcome, data: TargetInput, source: str
) -> Target:
    """Set a target for an outcome: an indicator of the catalogue or what is measured by hand,
    the baseline and its date, the target value and its date (after the baseline's)."""
    workplan = _locked(outcome.workplan)
    outcome = _current(WorkplanOutcome.objects, outcome.pk)
    errors: dict[str, str] = {}
    values = _clean_target(data, _indicators([data.indicator]), errors)
    if errors:
        raise ValidationError(errors)
    target = Target.objects.create(outcome=outcome, **values)
    _audit(actor, AuditAction.CREATE, target, source, outcome=str(outcome.pk))
    _changed(actor, workplan, source, "target added")
    return target


@transaction.atomic
def workplan_target_update(
    *, actor: Any, target: Target, data: TargetInput, version: object = None, source: str
) -> Target:
    """Change a target; nothing changed is no change."""
    workplan = _locked(target.outcome.workplan)
    target = _current(Target.objects.select_related("indicator"), target.pk)
    errors: dict[str, str] = {}
    _check_version(version, target_version(target), errors)
    values = _clean_target(data, _indicators([data.indicator]), errors)
    if errors:
        raise ValidationError(errors)
    changed = _changed_fields(target, values)
    if changed:
        _save_changed(actor, workplan, target, changed, source, "target changed")
    return target


@transaction.atomic
def workplan_target_remove(
    *, actor: Any, target: Target, version: object = None, source: str
) -> None:
    """Remove a target with its measurements, each removal audited."""
    workplan = _locked(target.outcome.workplan)
    current = _current(Target.objects, target.pk)
    _remove(
        actor,
        workplan,
        current,
        version=version,
        fingerprint=target_version(current),
        under=current.measurements.all(),
        source=source,
        what="target removed",
    )


@transaction.atomic
def workplan_target_measure(
    *,
    actor: Any,
    target: Target,
    measured_on: object,
    value: object,
    note: object = "",
    source: str,
) -> TargetMeasurement:
    """Record a value of a target measured by hand, on a day from its baseline date to today."""
    _locked(target.outcome.workplan)
    target = _current(Target.objects, target.pk)
    errors: dict[str, str] = {}
    if target.indicator_id is not None:
        errors["value"] = "This target's progress comes from its indicator, not by hand"
    day = _day(measured_on, "measured_on", errors, what="the date it was measured")
    if day is not None and day > timezone.localdate():
        errors["measured_on"] = "The date it was measured cannot be in the future"
    elif day is not None and day < target.baseline_on:
        errors["measured_on"] = (
            f"The date it was measured cannot be before the baseline date "
            f"({long_date(target.baseline_on)})"
        )
    number = _number(value, "value", errors, what="the value measured")
    text = _text(note, "note", MEASUREMENT_NOTE_MAX, errors)
    if errors:
        raise ValidationError(errors)
    assert day is not None and number is not None  # errors name them otherwise
    measurement = TargetMeasurement.objects.create(
        target=target, measured_on=day, value=number, note=text, recorded_by=actor
    )
    _audit(actor, AuditAction.CREATE, measurement, source, target=str(target.pk))
    return measurement


# A year's outcomes at once (the API) -------------------------------------------------------------


@transaction.atomic
def workplan_outcomes_add(
    *,
    actor: Any,
    partnership: Partnership,
    year: object,
    outcomes: Sequence[OutcomeInput],
    source: str,
) -> Workplan:
    """Add outcomes, each with its partner roles, actions and targets, to the partnership's plan
    for the year, starting the plan if there is none. All or nothing: errors name each field
    by its path (``outcomes[0].targets[1].baseline``)."""
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    errors: dict[str, str] = {}
    workplan = None
    checked = check_year(year)
    if checked is None:
        errors["year"] = (
            f"Give the year the academic year starts in, from {YEAR_MIN} to {YEAR_MAX}, "
            "for example 2025 for 2025/26"
        )
    else:
        workplan = Workplan.objects.filter(partnership=partnership, year=checked).first()
        if workplan is None:
            _check_new_year(checked, errors)
    if not outcomes:
        errors["outcomes"] = "Give at least one outcome"
    # Checked against a plan of the year, existing or not yet made.
    shape = workplan or Workplan(partnership=partnership, year=checked or current_year())
    owners = workplan_action_owners(partnership=partnership)
    indicators = _indicators(target.indicator for outcome in outcomes for target in outcome.targets)
    cleaned = []
    for index, outcome in enumerate(outcomes):
        prefix = f"outcomes[{index}]."
        own: dict[str, str] = {}
        values = {
            "aim": _aim(outcome.aim, own),
            "text": _text(outcome.text, "text", OUTCOME_MAX, own, missing="Enter the outcome"),
        }
        _prefixed(own, prefix, errors)
        roles = []
        for number, role in enumerate(outcome.partner_roles):
            own = {}
            roles.append(_clean_role(role, partnership, own))
            _prefixed(own, f"{prefix}partner_roles[{number}].", errors)
        actions = []
        for number, action in enumerate(outcome.actions):
            own = {}
            actions.append(_clean_action(action, shape, own, owners=owners))
            _prefixed(own, f"{prefix}actions[{number}].", errors)
        targets = []
        for number, target in enumerate(outcome.targets):
            own = {}
            targets.append(_clean_target(target, indicators, own))
            _prefixed(own, f"{prefix}targets[{number}].", errors)
        cleaned.append((values, roles, actions, targets))
    if errors:
        raise ValidationError(errors)
    assert checked is not None
    if workplan is None:
        workplan = _create_plan(actor, partnership, checked, source)
    else:
        workplan = _locked(workplan)
    position = _next_position(workplan)
    for offset, (values, roles, actions, targets) in enumerate(cleaned):
        made = WorkplanOutcome.objects.create(
            workplan=workplan, position=position + offset, **values
        )
        _audit(actor, AuditAction.CREATE, made, source, workplan=str(workplan.pk))
        for role_values in roles:
            _audit(
                actor,
                AuditAction.CREATE,
                PartnerRole.objects.create(outcome=made, **role_values),
                source,
                outcome=str(made.pk),
            )
        for target_values in targets:
            _audit(
                actor,
                AuditAction.CREATE,
                Target.objects.create(outcome=made, **target_values),
                source,
                outcome=str(made.pk),
            )
        for action_values in actions:
            made_action = WorkplanAction.objects.create(outcome=made, **action_values)
            _audit(actor, AuditAction.CREATE, made_action, source, outcome=str(made.pk))
            _queue_next_reminder(made_action)
            _tell_owner(actor, made_action, workplan)
    _changed(actor, workplan, source, "outcomes added")
    return workplan
