"""What the risk-assessment tests share: a sharing grant made directly, and recording an
assessment through the real service. (No tests of its own.)"""

from datetime import timedelta

from django.utils import timezone

from saferschools.casework.assessment_services import FactorInput, assessment_record
from saferschools.casework.models import RiskAssessment
from saferschools.sharing.models import (
    Consent,
    Decision,
    LawfulBasis,
    SharedItem,
    SharingDecision,
)


def make_grant(
    pupil, agency, *, by, items=(SharedItem.ASSESSMENTS,), days=30, practitioner=None
) -> SharingDecision:
    """A "share" decision for the pupil to the agency, live for ``days`` from today."""
    return SharingDecision.objects.create(
        pupil=pupil,
        school=pupil.school,
        agency=agency,
        practitioner=practitioner,
        purpose="Early help: the youth offending team is assessing the pupil",
        information="Risk-factor assessments",
        items=[str(item) for item in items],
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        consent=Consent.NOT_SOUGHT,
        consent_reason="Seeking consent would place the child at risk",
        golden_rules_confirmed=True,
        decision=Decision.SHARE,
        expires_on=timezone.localdate() + timedelta(days=days),
        decided_by=by,
        decided_at=timezone.now(),
    )


def factor(code: str, evidence: str = "Seen by staff", source: str = "School records"):
    return FactorInput(code=code, evidence=evidence, source=source)


def assess(pupil, by, *codes: str, **options) -> RiskAssessment:
    """An assessment of the pupil with these guidance codes present, through the service."""
    return assessment_record(
        actor=by,
        pupil=pupil,
        factors=[factor(code) for code in codes],
        notes=options.pop("notes", ""),
        review_on=options.pop("review_on", None),
        source="test",
    )
