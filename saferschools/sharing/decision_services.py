"""Sharing decisions: recording one, case by case, whether the answer is share or not, and
revoking a share before it expires.

Each function checks everything first and raises one ``ValidationError`` keyed by field (the
names the API uses), then writes in one transaction with its audit event and the grantees'
notifications, so that nobody is told of a grant that was not stored.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from saferschools.casework.models import Pupil
from saferschools.casework.records import pupil_check_writable
from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import Agency, AuditAction
from saferschools.core.notifications import notify
from saferschools.lib.checks import check_boolean, check_choice, check_text

from .models import (
    Consent,
    Decision,
    InformationSharingAgreement,
    LawfulBasis,
    SharedItem,
    SharingDecision,
    SpecialCondition,
)

PURPOSE_MAX = 2000
INFORMATION_MAX = 2000
REASON_MAX = 2000
# A grant lasts at most a year: a longer need is a new decision, taken again on the facts then.
LONGEST_GRANT_MONTHS = 12
# What the API opens when a "share" names no items: the casework itself, not the incidents,
# pupils' reports and police notifications, which each need to be named.
DEFAULT_ITEMS = (
    SharedItem.ASSESSMENTS,
    SharedItem.PLANS,
    SharedItem.REFERRALS,
    SharedItem.MEETINGS,
)
# Consent as the lawful basis, or as the condition, needs consent sought and given.
CONSENT_BASES = frozenset({LawfulBasis.CONSENT, LawfulBasis.LAW_ENFORCEMENT_CONSENT})
CONSENT_CONDITIONS = frozenset({SpecialCondition.EXPLICIT_CONSENT})
# The police's law enforcement processing (DPA 2018 Part 3) has its own conditions for
# sensitive processing (Schedule 8); UK GDPR processing has Article 9 and Schedule 1. A basis
# under one regime with a condition under the other is no lawful basis at all.
LAW_ENFORCEMENT_BASES = frozenset(
    {LawfulBasis.LAW_ENFORCEMENT_CONSENT, LawfulBasis.LAW_ENFORCEMENT_TASK}
)
LAW_ENFORCEMENT_CONDITIONS = frozenset(
    {SpecialCondition.NONE, SpecialCondition.LAW_ENFORCEMENT_SAFEGUARDING}
)
# A second press of the button, or a client sending again after losing the answer, records
# nothing more: the same decision by the same person about the same pupil within this time is
# the one already recorded.
DUPLICATE_WINDOW = timedelta(minutes=10)


@dataclass
class SharingDecisionInput:
    """What a sharing decision says, as given by the form, the API or the demo. Ids are as
    sent; values are checked by ``sharing_decision_record``."""

    agency_id: object
    purpose: object
    information: object
    lawful_basis: object
    consent: object
    golden_rules_confirmed: object
    decision: object
    items: object = field(default_factory=list)
    special_condition: object = SpecialCondition.NONE
    consent_reason: object = ""
    reason: object = ""
    expires_on: object = None
    practitioner_id: object = None
    agreement_id: object = None


def latest_expiry(today: date) -> date:
    """The last expiry date a grant decided ``today`` may have: a year ahead (28 February
    for a decision on 29 February)."""
    year = today.year + LONGEST_GRANT_MONTHS // 12
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _required_text(
    value: object, field: str, max_length: int, errors: dict[str, str], missing: str
) -> str:
    """Text that must be given; ``missing`` says what to give when it is not."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[field] = missing
        return ""
    return check_text(value, field, max_length, errors, required=True)


def _required_choice(
    value: object, choices: Any, field: str, errors: dict[str, str], missing: str
) -> str:
    if value in (None, ""):
        errors[field] = f"{missing}: one of " + ", ".join(choices.values)
        return ""
    return check_choice(value, choices, field, errors)


def _uuid(value: object) -> str | None:
    """The canonical form of an id, or ``None`` when it is not one."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _agency(value: object, pupil: Pupil, errors: dict[str, str]) -> Agency | None:
    key = _uuid(value)
    agency = Agency.objects.filter(pk=key, area_id=pupil.school.area_id).first() if key else None
    if agency is None:
        errors["agency_id"] = (
            "Choose the agency to share with: one of the agencies of the school's area"
            if value in (None, "")
            else "Choose one of the agencies of the school's area"
        )
    return agency


def _practitioner(value: object, agency: Agency | None, errors: dict[str, str]) -> Any:
    if value in (None, ""):
        return None
    key = _uuid(value)
    practitioner = (
        access.agency_practitioners(agency).filter(pk=key).first()
        if key and agency is not None
        else None
    )
    if practitioner is None and agency is not None:
        errors["practitioner_id"] = (
            f"Choose a practitioner of {agency.name}, or nobody in particular"
        )
    elif practitioner is None:
        errors["practitioner_id"] = "Choose a practitioner of the agency, or nobody in particular"
    return practitioner


def _agreement(
    value: object, pupil: Pupil, agency: Agency | None, errors: dict[str, str]
) -> InformationSharingAgreement | None:
    if value in (None, ""):
        return None
    key = _uuid(value)
    partnership = pupil.school.partnership
    agreement = (
        InformationSharingAgreement.objects.filter(pk=key, partnership=partnership).first()
        if key and partnership is not None
        else None
    )
    if agreement is None:
        errors["agreement_id"] = "Choose one of the partnership's sharing agreements, or none"
    elif agency is not None and not agreement.parties.filter(pk=agency.pk).exists():
        errors["agreement_id"] = f"{agency.name} is not a party to that agreement: choose another"
        agreement = None
    return agreement


def _items(value: object, errors: dict[str, str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors["items"] = "Give the items as a list of: " + ", ".join(SharedItem.values)
        return []
    unknown = [v for v in value if v not in SharedItem.values]
    if unknown:
        errors["items"] = "Choose items from: " + ", ".join(SharedItem.values)
        return []
    # In the catalogue's order, each once.
    return [item for item in SharedItem.values if item in value]


def check_basis_and_condition(basis: str, condition: str, errors: dict[str, str]) -> None:
    """Refuse a condition of the other data protection regime than the lawful basis: Part 3
    (law enforcement) bases take a Schedule 8 condition or none, UK GDPR bases an Article 9 or
    Schedule 1 condition or none. Records the problem on ``special_condition``."""
    if not basis or not condition or "special_condition" in errors:
        return
    law_enforcement = basis in LAW_ENFORCEMENT_BASES
    if law_enforcement and condition not in LAW_ENFORCEMENT_CONDITIONS:
        errors["special_condition"] = (
            "For a basis under the Data Protection Act 2018 Part 3, choose the Schedule 8 "
            "condition, or None"
        )
    elif not law_enforcement and condition == SpecialCondition.LAW_ENFORCEMENT_SAFEGUARDING:
        errors["special_condition"] = (
            "Schedule 8 is a condition for the police's law enforcement processing only: for a "
            "basis under UK GDPR, choose an Article 9 or Schedule 1 condition, or None"
        )


def _expiry(value: object, today: date, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        errors["expires_on"] = "Enter the date access ends: a share lasts until a date you set"
        return None
    # A moment is not a day: access ends as a day begins, whatever time was meant.
    if not isinstance(value, date) or isinstance(value, datetime):
        errors["expires_on"] = "Enter the date access ends as a date"
        return None
    if value <= today:
        errors["expires_on"] = "The date access ends must be after today"
        return None
    latest = latest_expiry(today)
    if value > latest:
        errors["expires_on"] = (
            f"The date access ends must be within a year: {_day(latest)} at the latest"
        )
        return None
    return value


def _clean(data: SharingDecisionInput, *, pupil: Pupil) -> dict[str, Any]:
    errors: dict[str, str] = {}
    agency = _agency(data.agency_id, pupil, errors)
    values: dict[str, Any] = {
        "agency": agency,
        "practitioner": _practitioner(data.practitioner_id, agency, errors),
        "agreement": _agreement(data.agreement_id, pupil, agency, errors),
        "purpose": _required_text(
            data.purpose, "purpose", PURPOSE_MAX, errors, "Give the purpose: why share"
        ),
        "information": _required_text(
            data.information,
            "information",
            INFORMATION_MAX,
            errors,
            "Say what information would be shared",
        ),
        "lawful_basis": _required_choice(
            data.lawful_basis, LawfulBasis, "lawful_basis", errors, "Give the lawful basis"
        ),
        "special_condition": check_choice(
            data.special_condition or SpecialCondition.NONE,
            SpecialCondition,
            "special_condition",
            errors,
        ),
        "consent": _required_choice(
            data.consent, Consent, "consent", errors, "Say whether consent was sought"
        ),
        "consent_reason": check_text(
            data.consent_reason, "consent_reason", REASON_MAX, errors, required=False
        ),
        "decision": _required_choice(
            data.decision, Decision, "decision", errors, "Give the decision"
        ),
        "reason": check_text(data.reason, "reason", REASON_MAX, errors, required=False),
    }
    confirmed = data.golden_rules_confirmed is not None and check_boolean(
        data.golden_rules_confirmed, "golden_rules_confirmed", errors
    )
    if "golden_rules_confirmed" not in errors and not confirmed:
        errors["golden_rules_confirmed"] = "Confirm that you have considered each golden rule"
    items = _items(data.items, errors)
    share = values["decision"] == Decision.SHARE
    consent = values["consent"]
    if consent == Consent.NOT_SOUGHT and not values["consent_reason"]:
        errors.setdefault(
            "consent_reason",
            "Say why consent was not sought (for example, seeking it would put a child at risk)",
        )
    if share and consent == Consent.REFUSED and not values["consent_reason"]:
        errors.setdefault("consent_reason", "Say why you share although consent was refused")
    if consent and consent != Consent.GIVEN:
        if values["lawful_basis"] in CONSENT_BASES:
            errors["lawful_basis"] = (
                "Consent is the lawful basis only when it was sought and given: choose another"
            )
        if values["special_condition"] in CONSENT_CONDITIONS:
            errors["special_condition"] = (
                "Explicit consent is the condition only when it was sought and given: "
                "choose another"
            )
    check_basis_and_condition(values["lawful_basis"], values["special_condition"], errors)
    if values["decision"] == Decision.NOT_SHARE and not values["reason"]:
        errors.setdefault("reason", "Say why you decided not to share")
    if share:
        if not items and "items" not in errors:
            errors["items"] = "Choose at least one part of the pupil's record that the share opens"
        values["expires_on"] = _expiry(data.expires_on, timezone.localdate(), errors)
    else:
        # Nothing opens for a "do not share": items and an end date would only mislead.
        items = []
        values["expires_on"] = None
    values["items"] = items
    if errors:
        raise ValidationError(errors)
    return values


def sharing_decision_validate(*, pupil: Pupil, data: SharingDecisionInput) -> None:
    """Check a decision as ``sharing_decision_record`` would, storing nothing: raises the same
    ``ValidationError``, so that a caller can name every problem at once with its own."""
    _clean(data, pupil=pupil)


def _recent_duplicate(
    *, actor: Any, pupil: Pupil, values: dict[str, Any]
) -> SharingDecision | None:
    """The same decision, word for word, recorded by the same person about the same pupil
    within ``DUPLICATE_WINDOW``, if there is one."""
    same = {key: value for key, value in values.items() if key != "items"}
    candidates = SharingDecision.objects.filter(
        pupil=pupil,
        decided_by=actor,
        decided_at__gte=timezone.now() - DUPLICATE_WINDOW,
        revoked_at__isnull=True,
        **same,
    ).order_by("-decided_at")
    return next((d for d in candidates if list(d.items or []) == values["items"]), None)


def _decision_url(decision: SharingDecision) -> str:
    return reverse("sharing-decision", args=[decision.pk])


@transaction.atomic
def sharing_decision_record(
    *,
    actor: Any,
    pupil: Pupil,
    data: SharingDecisionInput,
    source: str,
    ignore_repeat: bool = False,
) -> SharingDecision:
    """Record a decision whether to share a pupil's information with an agency, for a case
    worker of the pupil's school (else a ``ValidationError`` on ``pupil_id``).

    A "share" is audited as a share naming the agency and the items it opens, and tells the
    grantees (by title and link, never the pupil's name); a "do not share" is audited as a
    record made. Nothing is stored unless every field is right. With ``ignore_repeat`` (a form
    or a client that may send the same thing twice), the same decision sent again by the same
    person within ``DUPLICATE_WINDOW`` stores, audits and tells nothing more: the decision
    already recorded is returned.
    """
    if not access.can_open_casework(actor, pupil.school):
        raise ValidationError({"pupil_id": "You do not keep this pupil's casework"})
    pupil_check_writable(pupil)
    values = _clean(data, pupil=pupil)
    if ignore_repeat:
        # Decisions about one pupil are taken one at a time, so that the same decision sent
        # twice at once is found by the second.
        Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
        repeated = _recent_duplicate(actor=actor, pupil=pupil, values=values)
        if repeated is not None:
            return repeated
    decision = SharingDecision.objects.create(
        pupil=pupil,
        school=pupil.school,
        decided_by=actor,
        decided_at=timezone.now(),
        golden_rules_confirmed=True,
        **values,
    )
    shared = decision.decision == Decision.SHARE
    detail: dict[str, Any] = {
        "pupil": str(pupil.pk),
        "agency": str(decision.agency_id),
        "decision": decision.decision,
    }
    if shared:
        detail["items"] = list(decision.items)
        detail["expires_on"] = decision.expires_on.isoformat() if decision.expires_on else None
    audit_record(
        actor=actor,
        action=AuditAction.SHARE if shared else AuditAction.CREATE,
        source=source,
        obj=decision,
        detail=detail,
    )
    if shared and decision.expires_on is not None:
        notify(
            users=access.decision_grantees(decision),
            title=(
                f"{pupil.school.name} has shared a pupil's record with {decision.agency.name} "
                f"until the end of {_day(decision.expires_on - timedelta(days=1))}"
            ),
            url=_decision_url(decision),
            kind="sharing_granted",
            object_id=str(decision.pk),
        )
    return decision


@transaction.atomic
def sharing_decision_revoke(
    *, actor: Any, decision: SharingDecision, reason: object = "", source: str
) -> SharingDecision:
    """End a live share at once, for a case worker of its school (the caller fetches the
    decision with ``write=True``). The reason is kept; the grantees are told that access has
    ended. A decision that shares nothing today cannot be revoked."""
    errors: dict[str, str] = {}
    clean_reason = check_text(reason, "reason", REASON_MAX, errors, required=False)
    # Locked, so that two revocations at once end it once.
    current = (
        SharingDecision.objects.select_for_update()
        .select_related("agency", "school")
        .get(pk=decision.pk)
    )
    if not access.can_open_casework(actor, current.school):
        raise ValidationError({"decision": "You do not keep this pupil's casework"})
    if current.decision != Decision.SHARE:
        errors["decision"] = "This decision was not to share: there is nothing to revoke"
    elif current.revoked_at is not None:
        errors["decision"] = "This share has already been revoked"
    elif not current.live:
        errors["decision"] = "This share has already expired"
    if errors:
        raise ValidationError(errors)
    # Ending access is always allowed, even while the pupil's record awaits a receiving
    # school's confirmation: it only ever shares less.
    current.revoked_at = timezone.now()
    current.revoked_by = actor
    current.revoke_reason = clean_reason
    current.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=current,
        detail={"revoked": True, "pupil": str(current.pupil_id)},
    )
    notify(
        users=access.decision_grantees(current),
        title=(
            f"{current.school.name} has ended {current.agency.name}'s access to a pupil's record"
        ),
        url=reverse("sharing-shared-with-me"),
        kind="sharing_revoked",
        object_id=str(current.pk),
    )
    return current
