"""Reads of the risk-factor catalogue and of pupils' risk assessments.

Assessments are personal data: they are read only through the access policy (the school's case
workers, and practitioners whose live grant names assessments), and every one shown is audited,
naming the sharing decision when that is how the reader reaches the pupil.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import Area, AuditAction
from saferschools.sharing.models import SharedItem

from . import risk
from .models import Pupil, RiskAssessment, RiskAssessmentFactor, RiskDomain, RiskFactor
from .selectors import grant_detail

# The catalogue ---------------------------------------------------------------------------------


def risk_factor_catalogue(*, area: Area | None, active_only: bool = True) -> list[RiskFactor]:
    """The factors offered in an area (the guidance's and the area's own), in the catalogue's
    order; with ``active_only=False`` also those the area has retired."""
    condition = Q(area__isnull=True)
    if area is not None:
        condition |= Q(area=area)
    factors = RiskFactor.objects.filter(condition)
    if active_only:
        factors = factors.filter(active=True)
    return sorted(factors, key=risk.catalogue_order)


def risk_factors_for_user(*, user: Any) -> list[RiskFactor]:
    """The guidance's factors and the active ones of every area the user's memberships reach,
    in the catalogue's order: what an assessment may name."""
    areas = access.scope(user, Area).values("pk")
    factors = RiskFactor.objects.filter(
        Q(area__isnull=True) | Q(area__in=areas, active=True)
    ).select_related("area")
    return sorted(factors, key=risk.catalogue_order)


def area_risk_factors(*, user: Any, area: Area) -> list[RiskFactor]:
    """Everything in an area's catalogue, retired factors too, for its administrators (who reach
    the area with ``access.get_area_for_user(..., write=True)``)."""
    access.get_area_for_user(user, area.pk, write=True)
    return risk_factor_catalogue(area=area, active_only=False)


def get_area_factor_for_user(user: Any, area_id: Any, factor_id: Any) -> RiskFactor:
    """One of an area's own factors, for its administrators; else ``Http404``. The guidance's
    factors belong to no area and are not changed here."""
    area = access.get_area_for_user(user, area_id, write=True)
    try:
        return RiskFactor.objects.select_related("area").get(area=area, pk=factor_id)
    except (RiskFactor.DoesNotExist, ValidationError, ValueError, TypeError):
        # A malformed id is "not found" too.
        raise Http404("No risk factor found.") from None


@dataclass(frozen=True)
class DomainGroup:
    """The factors of one domain, in the catalogue's order."""

    domain: str
    label: str
    items: Sequence[Any]


def group_by_domain(items: Sequence[Any], factor_of: Any = None) -> list[DomainGroup]:
    """Catalogue factors (or rows naming one, through ``factor_of``) grouped by domain in the
    guidance's order; domains with nothing in them are left out."""
    groups: dict[str, list[Any]] = {domain: [] for domain in RiskDomain.values}
    for item in items:
        factor = factor_of(item) if factor_of is not None else item
        groups.setdefault(factor.domain, []).append(item)
    return [
        DomainGroup(
            domain=domain,
            label=RiskDomain(domain).label,
            items=sorted(
                members,
                key=lambda item: risk.catalogue_order(
                    factor_of(item) if factor_of is not None else item
                ),
            ),
        )
        for domain, members in groups.items()
        if members
    ]


# Assessments ---------------------------------------------------------------------------------


def _with_factors(assessments: QuerySet[RiskAssessment]) -> QuerySet[RiskAssessment]:
    return assessments.select_related("assessed_by", "pupil", "school").prefetch_related(
        Prefetch(
            "factors",
            queryset=RiskAssessmentFactor.objects.select_related("factor").order_by("id"),
        )
    )


def can_read_assessments(user: Any, pupil: Pupil) -> bool:
    """Whether the user sees this pupil's assessments: the school's case workers, and the
    practitioners whose live grant for the pupil names assessments."""
    return access.can_read_pupil_item(user, pupil, SharedItem.ASSESSMENTS)


def can_record_assessment(user: Any, pupil: Pupil) -> bool:
    """Whether the user records assessments of this pupil: the school's case workers."""
    return access.can_open_casework(user, pupil.school)


def get_assessable_pupil(*, user: Any, pupil_id: Any, source: str, write: bool = False) -> Pupil:
    """A pupil whose assessments the user sees (or, with ``write``, records); else ``Http404``,
    exactly as for a pupil who does not exist. The read of the pupil is audited, naming the
    grant when that is how the user reaches them."""
    pupil = access.get_casework_pupil_for_user(user, pupil_id, write=write)
    if not can_read_assessments(user, pupil):
        raise Http404("No pupil found.")
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        obj=pupil,
        detail=grant_detail(user, pupil, SharedItem.ASSESSMENTS),
    )
    return pupil


def assessment_history(*, user: Any, pupil: Pupil, source: str) -> list[RiskAssessment]:
    """The pupil's assessments, newest first, each with its factors; ``Http404`` unless the user
    sees the pupil's assessments. One audit event per assessment listed, naming the grant when
    the user reaches the pupil through one."""
    if not can_read_assessments(user, pupil):
        raise Http404("No pupil found.")
    assessments = list(
        _with_factors(access.scope(user, RiskAssessment).filter(pupil=pupil)).order_by(
            "-assessed_at", "-id"
        )
    )
    audit_record_many(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        objects=assessments,
        detail={"listing": True, **grant_detail(user, pupil, SharedItem.ASSESSMENTS)},
    )
    return assessments


@dataclass(frozen=True)
class Changes:
    """What changed between an assessment and the one before it."""

    previous: RiskAssessment
    added: list[RiskFactor]
    removed: list[RiskFactor]
    trend: str


@dataclass(frozen=True)
class AssessmentRead:
    """An assessment, what changed since the one before it, and the pupil's latest assessment
    when that is a later one (``None`` when this is the latest)."""

    assessment: RiskAssessment
    changes: Changes | None
    later: RiskAssessment | None

    @property
    def review_overdue(self) -> bool:
        """A review date passed with no reassessment since."""
        return review_overdue(self.assessment, latest=self.later is None)


def review_overdue(assessment: RiskAssessment, *, latest: bool, today: date | None = None) -> bool:
    """Whether the assessment's review is overdue: its date has passed and it is still the
    pupil's latest assessment."""
    today = today or timezone.localdate()
    return latest and assessment.review_on is not None and assessment.review_on < today


def changes_between(assessment: RiskAssessment, previous: RiskAssessment | None) -> Changes | None:
    """Factors added and removed since ``previous``, and the level's trend (factors
    prefetched)."""
    if previous is None:
        return None
    now = {row.factor_id: row.factor for row in assessment.factors.all()}
    before = {row.factor_id: row.factor for row in previous.factors.all()}
    return Changes(
        previous=previous,
        added=sorted((now[pk] for pk in now.keys() - before.keys()), key=risk.catalogue_order),
        removed=sorted((before[pk] for pk in before.keys() - now.keys()), key=risk.catalogue_order),
        trend=risk.trend(assessment.level, previous.level),
    )


def assessment_get(*, user: Any, assessment_id: Any, source: str) -> AssessmentRead:
    """One assessment the user may see (else ``Http404``), with what changed since the pupil's
    previous one and whether a later one replaces it. The read is audited, as is the previous
    assessment compared with it, naming the grant when that is how the user reaches the pupil."""
    found = access.get_assessment_for_user(user, assessment_id)
    assessment = _with_factors(RiskAssessment.objects.filter(pk=found.pk)).get()
    siblings = access.scope(user, RiskAssessment).filter(pupil_id=assessment.pupil_id)
    same_time = Q(assessed_at=assessment.assessed_at)
    previous = (
        _with_factors(
            siblings.filter(
                Q(assessed_at__lt=assessment.assessed_at) | same_time & Q(id__lt=assessment.pk)
            )
        )
        .order_by("-assessed_at", "-id")
        .first()
    )
    later = (
        siblings.filter(
            Q(assessed_at__gt=assessment.assessed_at) | same_time & Q(id__gt=assessment.pk)
        )
        .order_by("-assessed_at", "-id")
        .first()
    )
    shown = [assessment] if previous is None else [assessment, previous]
    audit_record_many(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        objects=shown,
        detail=grant_detail(user, assessment.pupil, SharedItem.ASSESSMENTS),
    )
    return AssessmentRead(
        assessment=assessment, changes=changes_between(assessment, previous), later=later
    )
