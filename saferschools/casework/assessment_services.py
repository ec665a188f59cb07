"""Recording risk-factor assessments of pupils, and the factors an area adds to the catalogue.

Each function checks everything first and raises one ``ValidationError`` keyed by field (a
factor's problems under ``factors[<index>].<part>``, as the API names them), then writes in one
transaction with its audit event. An assessment's level is worked out by ``risk.risk_level`` and
stored with the reason for it, so that what was decided stays readable as it was decided.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import Area, AuditAction
from saferschools.lib.checks import check_boolean, check_choice, check_text

from . import risk
from .assessment_selectors import risk_factor_catalogue
from .models import Pupil, RiskAssessment, RiskAssessmentFactor, RiskDomain, RiskFactor
from .records import pupil_check_writable
from .services import pupil_lock

EVIDENCE_MAX = 2000
SOURCE_MAX = 200
NOTES_MAX = 5000
FACTOR_NAME_MAX = 200
CODE_MAX = RiskFactor._meta.get_field("code").max_length or 60
# A review further off than this is a slip of the year: risk changes faster than that.
REVIEW_WITHIN = timedelta(days=3 * 366)
# Factors an area adds come after the guidance's within their domain.
AREA_POSITION_START = 100


@dataclass(frozen=True)
class FactorInput:
    """A factor found present: its catalogue code, the evidence for it and where that came from
    (for example "attendance records" or "police")."""

    code: object
    evidence: object
    source: object


def _required_text(
    value: object, field: str, max_length: int, missing: str, errors: dict[str, str]
) -> str:
    """Text that must be given, with ``missing`` as the message when it is not."""
    text = check_text(value, field, max_length, errors, required=False)
    if field not in errors and not text:
        errors[field] = missing
    return text


def _factors(
    factors: object, catalogue: dict[str, RiskFactor], errors: dict[str, str]
) -> list[tuple[RiskFactor, str, str]]:
    """The factors given, each found in the pupil's catalogue, active and given once."""
    if not isinstance(factors, list | tuple):
        errors["factors"] = "Give the factors present as a list (empty when none is present)"
        return []
    if len(factors) > len(catalogue):
        errors["factors"] = f"Give at most {len(catalogue)} factors, each once"
        return []
    cleaned: list[tuple[RiskFactor, str, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(factors):
        field = f"factors[{index}]"
        if not isinstance(item, FactorInput):
            errors[field] = "Give a factor's code, the evidence and its source"
            continue
        code = item.code if isinstance(item.code, str) else None
        factor = catalogue.get(code) if code is not None else None
        if factor is None:
            errors[f"{field}.code"] = (
                "Choose a factor from the catalogue (GET /api/v1/risk-factors)"
            )
        elif not factor.active:
            errors[f"{field}.code"] = f"“{factor.name}” is no longer used: choose another factor"
        elif factor.code in seen:
            errors[f"{field}.code"] = f"“{factor.name}” is given more than once"
        what = f"for “{factor.name}”" if factor is not None else "for this factor"
        evidence = _required_text(
            item.evidence, f"{field}.evidence", EVIDENCE_MAX, f"Enter the evidence {what}", errors
        )
        source = _required_text(
            item.source,
            f"{field}.source",
            SOURCE_MAX,
            f"Enter where the evidence {what} came from",
            errors,
        )
        if factor is not None and factor.active and factor.code not in seen:
            seen.add(factor.code)
            cleaned.append((factor, evidence, source))
    return cleaned


def _review_on(value: object, errors: dict[str, str]) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date):
        errors["review_on"] = "Give the review date as a date"
        return None
    today = timezone.localdate()
    if value < today:
        errors["review_on"] = "The review date must be today or in the future"
        return None
    if value > today + REVIEW_WITHIN:
        errors["review_on"] = "The review date must be within the next three years"
        return None
    return value


@transaction.atomic
def assessment_record(
    *,
    actor: Any,
    pupil: Pupil,
    factors: list[FactorInput],
    notes: object = "",
    review_on: object = None,
    source: str,
) -> RiskAssessment:
    """Record an assessment of the pupil by one of the school's case workers: the factors found
    present, each with its evidence and source, and the level the published rule gives them.

    No factor at all is a recorded "no factors present", low. Unknown, retired and repeated
    factors are refused, as is any change to a pupil whose record awaits another school's
    confirmation. The assessment and its audit event are written together.
    """
    try:
        access.get_casework_pupil_for_user(actor, pupil.pk, write=True)
    except Http404:
        raise ValidationError({"pupil": "You do not keep this pupil's casework"}) from None
    pupil = pupil_lock(pupil.pk)
    pupil_check_writable(pupil)
    catalogue = {
        factor.code: factor
        for factor in risk_factor_catalogue(area=pupil.school.area, active_only=False)
    }
    errors: dict[str, str] = {}
    present = _factors(factors, catalogue, errors)
    clean_notes = check_text(notes, "notes", NOTES_MAX, errors, required=False)
    clean_review_on = _review_on(review_on, errors)
    if errors:
        raise ValidationError(errors)
    level = risk.risk_level(factor for factor, _, _ in present)
    assessment = RiskAssessment.objects.create(
        pupil=pupil,
        school=pupil.school,
        assessed_by=actor,
        assessed_at=timezone.now(),
        level=level.level,
        level_reason=level.reason,
        notes=clean_notes,
        review_on=clean_review_on,
    )
    RiskAssessmentFactor.objects.bulk_create(
        RiskAssessmentFactor(assessment=assessment, factor=factor, evidence=text, source=origin)
        for factor, text, origin in present
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=assessment,
        detail={"pupil": str(pupil.pk), "level": assessment.level, "factors": len(present)},
    )
    return assessment


# The area's own factors ----------------------------------------------------------------------


def _check_area_admin(actor: Any, area: Area) -> None:
    if not access.scope(actor, Area, write=True).filter(pk=area.pk).exists():
        raise ValidationError({"area": "You do not administer this area"})


def _name(value: object, area: Area, errors: dict[str, str], *, current: RiskFactor | None) -> str:
    """A factor's name, unlike any other in the area's catalogue (ignoring case)."""
    name = check_text(value, "name", FACTOR_NAME_MAX, errors)
    if not name:
        return ""
    others = RiskFactor.objects.filter(Q(area__isnull=True) | Q(area=area), name__iexact=name)
    if current is not None:
        others = others.exclude(pk=current.pk)
    if others.exists():
        errors["name"] = "The catalogue already has a factor with this name"
    return name


def factor_code_for(name: str) -> str:
    """The code a factor named so gets: its name in lower-case letters, digits and
    underscores, as the guidance's codes are written."""
    return slugify(name).replace("-", "_")[:CODE_MAX].strip("_")


@transaction.atomic
def risk_factor_add(
    *, actor: Any, area: Area, domain: object, name: object, serious: object, source: str
) -> RiskFactor:
    """Add a factor of the area's own to the catalogue its schools assess against, for the
    area's administrators. Its code comes from its name and never clashes with the
    guidance's codes or another of the area's."""
    _check_area_admin(actor, area)
    errors: dict[str, str] = {}
    clean_domain = check_choice(domain, RiskDomain, "domain", errors)
    clean_name = _name(name, area, errors, current=None)
    clean_serious = check_boolean(serious, "serious", errors)
    code = factor_code_for(clean_name) if clean_name else ""
    if clean_name and "name" not in errors:
        if not code:
            errors["name"] = "Use letters or numbers in the name"
        elif (
            code in risk.GUIDANCE_CODES
            or RiskFactor.objects.filter(Q(area__isnull=True) | Q(area=area), code=code).exists()
        ):
            errors["name"] = (
                f"This name gives the code “{code}”, which another factor has: choose another name"
            )
    if errors:
        raise ValidationError(errors)
    last = RiskFactor.objects.filter(area=area).aggregate(last=Max("position"))["last"]
    factor = RiskFactor(
        area=area,
        code=code,
        domain=clean_domain,
        name=clean_name,
        serious=clean_serious,
        position=max(AREA_POSITION_START, (last or 0) + 1),
    )
    try:
        with transaction.atomic():
            factor.save()
    except IntegrityError:
        # Someone added a factor of the same code a moment ago.
        raise ValidationError(
            {"name": f"This name gives the code “{code}”, which another factor has"}
        ) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=factor,
        detail={"area": str(area.pk), "code": code},
    )
    return factor


@transaction.atomic
def risk_factor_update(
    *, actor: Any, factor: RiskFactor, name: object, serious: object, source: str
) -> RiskFactor:
    """Rename one of the area's own factors or change whether it is serious. Its code stays, and
    assessments already recorded keep the level they were given."""
    if factor.area is None:
        raise ValidationError({"factor": "The guidance's factors cannot be changed"})
    _check_area_admin(actor, factor.area)
    errors: dict[str, str] = {}
    clean_name = _name(name, factor.area, errors, current=factor)
    clean_serious = check_boolean(serious, "serious", errors)
    if errors:
        raise ValidationError(errors)
    factor.name = clean_name
    factor.serious = clean_serious
    factor.save(update_fields=["name", "serious"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=factor,
        detail={"serious": clean_serious},
    )
    return factor


@transaction.atomic
def risk_factor_set_active(
    *, actor: Any, factor: RiskFactor, active: bool, source: str
) -> RiskFactor:
    """Retire one of the area's own factors (no longer offered for new assessments; those that
    found it present keep it) or bring it back."""
    if factor.area is None:
        raise ValidationError({"factor": "The guidance's factors cannot be retired"})
    _check_area_admin(actor, factor.area)
    if factor.active != active:
        factor.active = active
        factor.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            obj=factor,
            detail={"active": active},
        )
    return factor
