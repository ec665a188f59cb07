"""Where a partnership stands in the guidance's four stages, and what it needs to move on.

A partnership moves forward one stage at a time, by the decision of one who keeps its
governance, and only when what its present stage needs is in place (section 3):

- Stage 1 (identify need): every school of the partnership has completed its needs assessment.
- Stage 2 (prioritise and secure commitment): the partnership has chosen at least one core aim
  with a desired outcome, and its latest protocol names the police force and every school of
  the partnership and has been signed by every partner it names.
- Stage 3 (implement the work-plan): the work-plan of the current academic year is agreed, with
  at least one outcome, and every outcome has at least one action.

Stage 4 (review impact) is the last.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferschools.core.audit import audit_record
from saferschools.core.models import Agency, AuditAction, Partnership
from saferschools.lib.schooldays import academic_year_label, academic_year_of

from .models import NeedsAssessment, PartnershipAim, Protocol, Workplan

Stage = Partnership.Stage


def london_today() -> date:
    return timezone.localdate()


def latest_protocol(partnership: Partnership) -> Protocol | None:
    """The partnership's latest protocol version, with its partners; ``None`` if none yet."""
    return (
        Protocol.objects.filter(partnership=partnership)
        .prefetch_related("partners__agency", "partners__school")
        .order_by("-version")
        .first()
    )


def protocol_missing(partnership: Partnership, protocol: Protocol | None) -> list[str]:
    """What keeps the protocol from being in force, in words for the partnership page."""
    if protocol is None:
        return ["Agree a protocol setting out the partnership's working arrangements"]
    missing = []
    partners = list(protocol.partners.all())
    if not any(
        p.agency is not None and p.agency.kind == Agency.Kind.POLICE_FORCE for p in partners
    ):
        missing.append("Name the police force as a partner in the protocol")
    named_schools = {p.school_id for p in partners if p.school_id}
    for school in partnership.schools.order_by("name"):
        if school.pk not in named_schools:
            missing.append(f"Name {school.name} as a partner in the protocol")
    for partner in partners:
        if partner.signed_at is None:
            missing.append(f"{partner.name} to sign version {protocol.version} of the protocol")
    return missing


def stage_missing(partnership: Partnership, *, today: date | None = None) -> list[str]:
    """What the partnership's present stage still needs before it can move to the next, in
    plain words; empty when it may move on (or is at the last stage)."""
    today = today or london_today()
    missing: list[str] = []
    if partnership.stage == Stage.IDENTIFY_NEED:
        schools = list(partnership.schools.order_by("name"))
        if not schools:
            return ["Add a school to the partnership"]
        done = set(
            NeedsAssessment.objects.filter(
                school__in=schools, completed_on__isnull=False
            ).values_list("school_id", flat=True)
        )
        for school in schools:
            if school.pk not in done:
                missing.append(f"Complete the needs assessment of {school.name}")
    elif partnership.stage == Stage.PRIORITISE:
        aims = PartnershipAim.objects.filter(partnership=partnership)
        if not aims.exists():
            missing.append("Choose the core aims the partnership takes on")
        elif not aims.filter(outcomes__isnull=False).exists():
            missing.append("Agree a desired outcome for at least one aim")
        missing.extend(protocol_missing(partnership, latest_protocol(partnership)))
    elif partnership.stage == Stage.IMPLEMENT:
        year = academic_year_of(today)
        workplan = (
            Workplan.objects.filter(partnership=partnership, year=year)
            .prefetch_related("outcomes__actions")
            .first()
        )
        label = academic_year_label(year)
        if workplan is None:
            return [f"Write the work-plan for {label}"]
        outcomes = list(workplan.outcomes.all())
        if not outcomes:
            missing.append(f"Choose the outcomes of the {label} work-plan")
        for outcome in outcomes:
            if not outcome.actions.all():
                missing.append(f"Agree an action for the outcome “{outcome.text}”")
        if workplan.status != Workplan.Status.AGREED:
            missing.append(f"Agree the {label} work-plan")
    return missing


@transaction.atomic
def partnership_advance(*, actor: Any, partnership: Partnership, source: str) -> Partnership:
    """Move the partnership to its next stage, recording who did and when.

    Refuses with a ``ValidationError`` on ``stage`` naming what is missing, or when the
    partnership is at its last stage; nothing changes then. The row is locked so that two
    people moving it at once move it one stage.
    """
    locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if locked.stage == Stage.REVIEW:
        raise ValidationError({"stage": "The partnership is at its last stage."})
    missing = stage_missing(locked)
    if missing:
        raise ValidationError({"stage": [f"Still needed: {item}" for item in missing]})
    before = locked.stage
    locked.stage = before + 1
    if locked.started_on is None and locked.stage == Stage.IMPLEMENT:
        locked.started_on = london_today()
    locked.save(update_fields=["stage", "started_on"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=locked,
        detail={"from_stage": before, "to_stage": locked.stage},
    )
    partnership.stage, partnership.started_on = locked.stage, locked.started_on
    return locked
