"""Information-sharing agreements: a partnership's standing arrangement for routine sharing
between its partners (who, why, what, on what basis, how often, how kept, for how long, and
when it is next reviewed).

Every change makes a new version of the agreement; each is audited with its version number.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import Agency, AuditAction, Partnership
from saferschools.lib.checks import check_choice, check_text

from .decision_services import check_basis_and_condition
from .models import InformationSharingAgreement, LawfulBasis, SpecialCondition

TITLE_MAX = 200
FREQUENCY_MAX = 200
TEXT_MAX = 5000
# An agreement is reviewed at least every three years, and usually every year.
LONGEST_REVIEW = timedelta(days=3 * 366)
# The same agreement recorded again by the same person within this time (a second press of the
# button) is the one already recorded.
DUPLICATE_WINDOW = timedelta(minutes=10)


@dataclass
class AgreementInput:
    """What an agreement says, as given by the form or the demo."""

    title: object
    purpose: object
    data_shared: object
    lawful_basis: object
    frequency: object
    security: object
    retention: object
    review_on: object
    party_ids: object = field(default_factory=list)
    special_condition: object = SpecialCondition.NONE
    # The version the change was made to, when known: a change to a version since replaced
    # is refused rather than silently undoing someone else's.
    version: object = None


def _parties(value: object, partnership: Partnership, errors: dict[str, str]) -> list[Agency]:
    if not isinstance(value, list | tuple) or not value:
        errors["party_ids"] = "Choose at least one agency that is party to the agreement"
        return []
    keys = set()
    for item in value:
        try:
            keys.add(uuid.UUID(str(item)))
        except ValueError:
            errors["party_ids"] = "Choose agencies of the partnership's area"
            return []
    agencies = list(Agency.objects.filter(pk__in=keys, area_id=partnership.area_id))
    if len(agencies) != len(keys):
        errors["party_ids"] = "Choose agencies of the partnership's area"
        return []
    return agencies


def _review_on(
    value: object, today: date, errors: dict[str, str], current: date | None = None
) -> date | None:
    if not isinstance(value, date):
        errors["review_on"] = "Enter the date the agreement is next reviewed"
        return None
    # A change that leaves the review date as it was is allowed, even once it has passed.
    if value == current:
        return value
    if value <= today:
        errors["review_on"] = "The next review must be after today"
        return None
    if value > today + LONGEST_REVIEW:
        errors["review_on"] = "Review the agreement within three years"
        return None
    return value


def _clean(
    data: AgreementInput, *, partnership: Partnership, current: date | None = None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "title": check_text(data.title, "title", TITLE_MAX, errors, required=True),
        "purpose": check_text(data.purpose, "purpose", TEXT_MAX, errors, required=True),
        "data_shared": check_text(data.data_shared, "data_shared", TEXT_MAX, errors, required=True),
        "lawful_basis": check_choice(data.lawful_basis, LawfulBasis, "lawful_basis", errors),
        "special_condition": check_choice(
            data.special_condition or SpecialCondition.NONE,
            SpecialCondition,
            "special_condition",
            errors,
        ),
        "frequency": check_text(data.frequency, "frequency", FREQUENCY_MAX, errors, required=True),
        "security": check_text(data.security, "security", TEXT_MAX, errors, required=True),
        "retention": check_text(data.retention, "retention", TEXT_MAX, errors, required=True),
        "review_on": _review_on(data.review_on, timezone.localdate(), errors, current),
    }
    check_basis_and_condition(values["lawful_basis"], values["special_condition"], errors)
    parties = _parties(data.party_ids, partnership, errors)
    if errors:
        raise ValidationError(errors)
    values["parties"] = parties
    return values


def _same_agreement(
    candidates: Any, values: dict[str, Any], parties: list[Agency]
) -> InformationSharingAgreement | None:
    """The agreement among ``candidates`` that says exactly this, with these parties."""
    wanted = {party.pk for party in parties}
    for agreement in candidates.filter(**values).prefetch_related("parties"):
        if {party.pk for party in agreement.parties.all()} == wanted:
            return agreement
    return None


@transaction.atomic
def agreement_create(
    *, actor: Any, partnership: Partnership, data: AgreementInput, source: str
) -> InformationSharingAgreement:
    """Record a partnership's information-sharing agreement, for those who keep its
    agreements (its schools' leaders, the area's administrators); version 1."""
    if not access.can_keep_agreements(actor, partnership):
        raise ValidationError({"partnership": "You do not keep this partnership's agreements"})
    values = _clean(data, partnership=partnership)
    parties = values.pop("parties")
    # A partnership's agreements are recorded one at a time, so that the same one sent twice
    # at once is found by the second.
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    repeated = _same_agreement(
        InformationSharingAgreement.objects.filter(
            partnership=partnership,
            created_by=actor,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        ),
        values,
        parties,
    )
    if repeated is not None:
        return repeated
    agreement = InformationSharingAgreement.objects.create(
        partnership=partnership, created_by=actor, **values
    )
    agreement.parties.set(parties)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=agreement,
        detail={"version": agreement.version, "parties": len(parties)},
    )
    return agreement


@transaction.atomic
def agreement_update(
    *, actor: Any, agreement: InformationSharingAgreement, data: AgreementInput, source: str
) -> InformationSharingAgreement:
    """Change an agreement (fetched with ``write=True``): the new text is the next version.

    Given ``data.version``, a change made to a version since replaced is refused (a
    ``ValidationError`` on ``version``) unless it is exactly what the agreement now says."""
    current = (
        InformationSharingAgreement.objects.select_for_update()
        .select_related("partnership")
        .get(pk=agreement.pk)
    )
    if not access.can_keep_agreements(actor, current.partnership):
        raise ValidationError({"partnership": "You do not keep this partnership's agreements"})
    values = _clean(data, partnership=current.partnership, current=current.review_on)
    parties = values.pop("parties")
    if data.version is not None and data.version != current.version:
        if _same_agreement(
            InformationSharingAgreement.objects.filter(pk=current.pk), values, parties
        ):
            # The change was made already (the same form sent twice): nothing more to do.
            return current
        raise ValidationError(
            {
                "version": f"Someone changed this agreement while you were changing it: it is "
                f"now version {current.version}. Check that version, then save again to "
                "replace it with what is below."
            }
        )
    for name, value in values.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    current.parties.set(parties)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=current,
        detail={"version": current.version, "parties": len(parties)},
    )
    return current
