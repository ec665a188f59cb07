"""The partnership's aims and desired outcomes, and its protocol: writing a version and each
partner's sign-off (section 3 of the guidance, Stage 2).

Each function checks everything first and raises one ``ValidationError`` keyed by field, then
writes in one transaction with its audit event. Callers fetch the partnership through the
access policy (``get_governed_partnership_for_user``); the functions check again that the actor
may do what they ask, so that the API and commands are held to the same rule as the pages.

A protocol is never changed in place: partners sign the words of a version, so every change is
a new version that nobody has signed yet. Writing and signing lock the partnership's row, so
that a signature always lands on the version it was given for, and two partners signing at once
both land.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import Agency, AuditAction, Partnership, School
from saferschools.core.notifications import notify
from saferschools.lib.checks import check_choice, check_text
from saferschools.sharing.models import InformationSharingAgreement

from . import protocol_selectors
from .aims import outcome_menu
from .models import CoreAim, DesiredOutcome, PartnershipAim, Protocol, ProtocolPartner
from .stage import protocol_missing

TEXT_MAX = 5000
SHORT_TEXT_MAX = 2000
NOTE_MAX = 500
OUTCOME_MAX = 500
# A protocol is reviewed at least every three years, and usually every year.
LONGEST_REVIEW = timedelta(days=3 * 366)
# The same version sent again by the same person within this time (a second press of the
# button) is the one already saved.
DUPLICATE_WINDOW = timedelta(minutes=10)


def _lock(partnership: Partnership) -> None:
    """Lock the partnership's row: its aims, versions and sign-offs change one at a time."""
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()


def _check_governs(actor: Any, partnership: Partnership) -> None:
    if not access.can_govern(actor, partnership):
        raise ValidationError(
            {
                "partnership": "Only the partnership's head teachers, its steering group and the "
                "area's administrators keep its aims and protocol"
            }
        )


# Aims and desired outcomes --------------------------------------------------------------------


@dataclass(frozen=True)
class AimsSaved:
    """What a save of the aims changed (aim codes, and counts of outcomes)."""

    aims_added: list[str]
    aims_removed: list[str]
    outcomes_added: int
    outcomes_removed: int

    @property
    def changed(self) -> bool:
        return bool(
            self.aims_added or self.aims_removed or self.outcomes_added or self.outcomes_removed
        )


def _clean_aims(aims: object) -> dict[str, list[str]]:
    errors: dict[str, str] = {}
    if not isinstance(aims, dict):
        raise ValidationError({"aims": "Give the chosen aims, each with its desired outcomes"})
    cleaned: dict[str, list[str]] = {}
    for aim, outcomes in aims.items():
        if not isinstance(aim, str) or aim not in CoreAim.values:
            errors["aims"] = "Choose aims from the seven core aims"
            continue
        key = f"outcomes_{aim}"
        if not isinstance(outcomes, list | tuple):
            errors[key] = "Give the desired outcomes as a list of text"
            continue
        texts: list[str] = []
        for outcome in outcomes:
            text = check_text(outcome, key, OUTCOME_MAX, errors, required=False)
            if text and text not in texts:
                texts.append(text)
        cleaned[str(CoreAim(aim))] = texts
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def partnership_aims_save(
    *, actor: Any, partnership: Partnership, aims: dict[str, list[str]], source: str
) -> AimsSaved:
    """Make the partnership's aims exactly ``aims`` (core aim code → desired outcomes' texts).

    Aims not given are removed with their outcomes; an aim kept keeps the outcomes given again
    and gains the new ones. An outcome worded as in the guidance's menu for its aim is marked
    ``from_guidance``. Work-plan outcomes keep their own aim code, so removing an aim a
    work-plan uses is allowed. Refuses (``ValidationError``, nothing changed) an actor who does
    not keep the partnership's governance, an unknown aim or an outcome too long; one audit
    event names the aims added and removed and counts the outcomes.
    """
    _check_governs(actor, partnership)
    wanted = _clean_aims(aims)
    _lock(partnership)
    current = {
        aim.aim: aim
        for aim in PartnershipAim.objects.filter(partnership=partnership).prefetch_related(
            "outcomes"
        )
    }
    removed = sorted(set(current) - set(wanted), key=CoreAim.values.index)
    added = sorted(set(wanted) - set(current), key=CoreAim.values.index)
    outcomes_removed = sum(len(current[aim].outcomes.all()) for aim in removed)
    outcomes_added = 0
    if removed:
        PartnershipAim.objects.filter(pk__in=[current[aim].pk for aim in removed]).delete()
    for aim_code in sorted(wanted, key=CoreAim.values.index):
        texts = wanted[aim_code]
        aim = current.get(aim_code)
        if aim is None:
            aim = PartnershipAim(partnership=partnership, aim=aim_code, chosen_by=actor)
            aim.full_clean()
            aim.save()
            existing: dict[str, DesiredOutcome] = {}
        else:
            existing = {outcome.text: outcome for outcome in aim.outcomes.all()}
        gone = [outcome.pk for text, outcome in existing.items() if text not in texts]
        if gone:
            DesiredOutcome.objects.filter(pk__in=gone).delete()
            outcomes_removed += len(gone)
        menu = outcome_menu(aim_code)
        new = []
        for text in texts:
            if text in existing:
                continue
            outcome = DesiredOutcome(aim=aim, text=text, from_guidance=text in menu)
            outcome.full_clean(validate_unique=False, validate_constraints=False)
            new.append(outcome)
        DesiredOutcome.objects.bulk_create(new)
        outcomes_added += len(new)
    saved = AimsSaved(
        aims_added=added,
        aims_removed=removed,
        outcomes_added=outcomes_added,
        outcomes_removed=outcomes_removed,
    )
    if saved.changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            obj=partnership,
            detail={
                "aims": "saved",
                "aims_added": added,
                "aims_removed": removed,
                "outcomes_added": outcomes_added,
                "outcomes_removed": outcomes_removed,
            },
        )
    return saved


# The protocol -----------------------------------------------------------------------------------


def partner_field(partner: Agency | School, part: str) -> str:
    """The name under which a partner's ``brings`` or ``responsibilities`` is given (and its
    errors are keyed): ``agency_<hex>_brings``, ``school_<hex>_responsibilities``."""
    kind = "agency" if isinstance(partner, Agency) else "school"
    return f"{kind}_{partner.pk.hex}_{part}"


@dataclass
class PartnerInput:
    """One partner as given: an agency or one of the partnership's schools (by id), with what
    it brings and its roles and responsibilities."""

    brings: object
    responsibilities: object
    agency_id: object = None
    school_id: object = None


@dataclass
class ProtocolInput:
    """What a version of the protocol says, as given by the form or the demo."""

    purpose: object
    line_management: object
    deployment: object
    resources_and_funding: object
    communication: object
    governance: object
    review_on: object
    days_per_school: object = ""
    room_and_equipment: object = ""
    sharing_agreement_id: object = None
    change_note: object = ""
    partners: list[PartnerInput] = field(default_factory=list)


def _uuid(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _review_on(value: object, errors: dict[str, str], current: date | None) -> date | None:
    if not isinstance(value, date):
        errors["review_on"] = "Enter the date the protocol is next reviewed"
        return None
    # A new version that keeps the review date as it was is allowed, even once it has passed.
    if value == current:
        return value
    today = timezone.localdate()
    if value <= today:
        errors["review_on"] = "The next review must be after today"
        return None
    if value > today + LONGEST_REVIEW:
        errors["review_on"] = "Review the protocol within three years"
        return None
    return value


def _agreement(
    value: object, partnership: Partnership, errors: dict[str, str]
) -> InformationSharingAgreement | None:
    if value in (None, ""):
        return None
    key = _uuid(value)
    agreement = (
        InformationSharingAgreement.objects.filter(pk=key, partnership=partnership).first()
        if key
        else None
    )
    if agreement is None:
        errors["sharing_agreement_id"] = "Choose one of the partnership's sharing agreements"
    return agreement


def _partners(
    given: object, partnership: Partnership, errors: dict[str, str]
) -> list[tuple[Agency | School, str, str]]:
    if not isinstance(given, list | tuple):
        errors["partners"] = "Give the partners"
        return []
    schools = {school.pk: school for school in partnership.schools.all()}
    agencies = {agency.pk: agency for agency in Agency.objects.filter(area=partnership.area_id)}
    chosen: list[tuple[Agency | School, object, object]] = []
    seen: set[uuid.UUID] = set()
    for item in given:
        if not isinstance(item, PartnerInput):
            errors["partners"] = "Give each partner as an agency or a school"
            return []
        agency_key, school_key = _uuid(item.agency_id), _uuid(item.school_id)
        partner: Agency | School | None
        if (item.agency_id is None) == (item.school_id is None):
            partner = None
        elif item.agency_id is not None:
            partner = agencies.get(agency_key) if agency_key else None
        else:
            partner = schools.get(school_key) if school_key else None
        if partner is None:
            errors["partners"] = (
                "Choose partners among the partnership's schools and the agencies of its area"
            )
            return []
        if partner.pk not in seen:
            seen.add(partner.pk)
            chosen.append((partner, item.brings, item.responsibilities))
    missing = [school.name for pk, school in schools.items() if pk not in seen]
    if missing:
        errors["partners"] = "Name every school of the partnership as a partner: " + ", ".join(
            sorted(missing)
        )
        return []
    cleaned = []
    for partner, brings, responsibilities in chosen:
        cleaned.append(
            (
                partner,
                check_text(brings, partner_field(partner, "brings"), TEXT_MAX, errors),
                check_text(
                    responsibilities,
                    partner_field(partner, "responsibilities"),
                    TEXT_MAX,
                    errors,
                ),
            )
        )
    # Schools first, then agencies, each in name order: the order the protocol is read in.
    cleaned.sort(key=lambda row: (isinstance(row[0], Agency), row[0].name.lower()))
    return cleaned


def _clean_protocol(
    data: ProtocolInput,
    partnership: Partnership,
    latest: Protocol | None,
    errors: dict[str, str],
) -> tuple[dict[str, Any], list[tuple[Agency | School, str, str]]]:
    values: dict[str, Any] = {
        "purpose": check_text(data.purpose, "purpose", TEXT_MAX, errors),
        "line_management": check_text(data.line_management, "line_management", TEXT_MAX, errors),
        "deployment": check_choice(data.deployment, Protocol.Deployment, "deployment", errors),
        "days_per_school": check_text(
            data.days_per_school, "days_per_school", SHORT_TEXT_MAX, errors, required=False
        ),
        "room_and_equipment": check_text(
            data.room_and_equipment, "room_and_equipment", SHORT_TEXT_MAX, errors, required=False
        ),
        "resources_and_funding": check_text(
            data.resources_and_funding, "resources_and_funding", TEXT_MAX, errors
        ),
        "communication": check_text(data.communication, "communication", TEXT_MAX, errors),
        "governance": check_text(data.governance, "governance", TEXT_MAX, errors),
        "sharing_agreement": _agreement(data.sharing_agreement_id, partnership, errors),
        "review_on": _review_on(data.review_on, errors, latest.review_on if latest else None),
        "change_note": check_text(
            data.change_note, "change_note", NOTE_MAX, errors, required=False
        ),
    }
    partners = _partners(data.partners, partnership, errors)
    return values, partners


def _stale(based_on_version: object, latest: Protocol | None) -> str | None:
    """Why a change made to ``based_on_version`` may not be saved over ``latest``, if so."""
    latest_version = latest.version if latest else None
    if based_on_version == latest_version:
        return None
    if latest is None:
        return "There is no protocol to change: write the first one"
    if based_on_version is None:
        text = (
            f"Someone wrote the protocol while you were writing yours: it is now version "
            f"{latest.version}. Read that version, then save again to replace it with what is "
            "below."
        )
    else:
        text = (
            f"Someone saved version {latest.version} of the protocol while you were changing "
            f"version {based_on_version}. Read version {latest.version}, then save again to "
            "replace it with what is below."
        )
    return text


def _already_saved(
    *,
    actor: Any,
    latest: Protocol,
    based_on_version: int | None,
    values: dict[str, Any],
    partners: list[tuple[Agency | School, str, str]],
) -> bool:
    """Whether ``latest`` is this very change, which the actor saved moments ago (the form sent
    twice): the version after the one they started from, with the same words and partners."""
    if latest.created_by_id != getattr(actor, "pk", None):
        return False
    if latest.version != (based_on_version or 0) + 1:
        return False
    if latest.created_at < timezone.now() - DUPLICATE_WINDOW:
        return False
    agreement = values["sharing_agreement"]
    fields = {name: value for name, value in values.items() if name != "sharing_agreement"}
    if any(getattr(latest, name) != value for name, value in fields.items()):
        return False
    if latest.sharing_agreement_id != (agreement.pk if agreement is not None else None):
        return False
    saved = {
        (p.agency_id or p.school_id, p.brings, p.responsibilities)
        for p in ProtocolPartner.objects.filter(protocol=latest)
    }
    return saved == {(partner.pk, brings, duties) for partner, brings, duties in partners}


@transaction.atomic
def protocol_save(
    *,
    actor: Any,
    partnership: Partnership,
    data: ProtocolInput,
    based_on_version: int | None,
    source: str,
) -> Protocol:
    """Write the next version of the partnership's protocol (version 1 when there is none).

    The new version names the partners given (every school of the partnership, and agencies
    of its area), with no sign-off: partners sign the words of a version. ``based_on_version``
    is the version the change was made to (``None`` for the first): a change made to a version
    since replaced is refused (``ValidationError`` on ``version``), so nobody silently undoes
    another's change; the same change sent again by the same person within minutes (a second
    press of the button) returns the version it saved, writing nothing. Every problem is named
    by field and nothing changes. The people who can sign for the new version's partners are
    told it awaits their sign-off.
    """
    _check_governs(actor, partnership)
    _lock(partnership)
    latest = Protocol.objects.filter(partnership=partnership).order_by("-version").first()
    errors: dict[str, str] = {}
    stale = _stale(based_on_version, latest)
    if stale is not None:
        errors["version"] = stale
    values, partners = _clean_protocol(data, partnership, latest, errors)
    if (
        latest is not None
        and set(errors) == {"version"}
        and _already_saved(
            actor=actor,
            latest=latest,
            based_on_version=based_on_version,
            values=values,
            partners=partners,
        )
    ):
        return latest
    if errors:
        raise ValidationError(errors)
    protocol = Protocol(
        partnership=partnership,
        version=(latest.version + 1) if latest else 1,
        created_by=actor,
        **values,
    )
    # The version's uniqueness is the database's to check, at the moment of writing.
    protocol.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            protocol.save()
    except IntegrityError:
        # Where the database takes no row lock (SQLite), two versions written at once meet here.
        raise ValidationError(
            {
                "version": "Someone saved a version of the protocol at the same moment as you. "
                "Read it, then save again to replace it with what is below."
            }
        ) from None
    rows = []
    for partner, brings, responsibilities in partners:
        row = ProtocolPartner(
            protocol=protocol,
            agency=partner if isinstance(partner, Agency) else None,
            school=partner if isinstance(partner, School) else None,
            brings=brings,
            responsibilities=responsibilities,
        )
        row.full_clean(validate_unique=False, validate_constraints=False)
        rows.append(row)
    ProtocolPartner.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=protocol,
        detail={
            "version": protocol.version,
            "based_on": based_on_version or 0,
            "partners": len(rows),
        },
    )
    signers = [
        user
        for user in protocol_selectors.partner_signers(protocol=protocol)
        if user.pk != getattr(actor, "pk", None)
    ]
    notify(
        users=signers,
        title=f"Version {protocol.version} of the {partnership.name} protocol awaits your sign-off",
        url=reverse("planning-protocol", kwargs={"partnership_id": partnership.pk}),
        kind="protocol_sign_off",
        object_id=str(protocol.pk),
    )
    return protocol


@transaction.atomic
def protocol_sign(
    *,
    actor: Any,
    protocol: Protocol,
    agency: Agency | None = None,
    school: School | None = None,
    source: str,
) -> ProtocolPartner:
    """Record that ``agency`` (or ``school``) agrees this version of the protocol, signed by
    ``actor``, who must be able to sign for it (``access.can_sign_for_agency`` / ``_school``).

    Only the latest version is signed, and a partner signs a version once: signing again, a
    partner the version does not name, or one the actor cannot sign for are refused with a
    ``ValidationError`` on ``agency_id`` (``school_urn`` for a school), an old version on
    ``protocol``; nothing changes then. When the last partner signs, those who keep the
    partnership's governance are told whether the protocol is now in force.
    """
    if (agency is None) == (school is None):
        raise ValidationError({"agency_id": "Sign for one agency, or one school"})
    partnership = protocol.partnership
    _lock(partnership)
    latest = (
        Protocol.objects.filter(partnership=partnership)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    if latest != protocol.version:
        raise ValidationError(
            {
                "protocol": f"Version {protocol.version} of the protocol has been replaced by "
                f"version {latest}: read version {latest}, then sign it"
            }
        )
    key = "agency_id" if agency is not None else "school_urn"
    partner_of: Agency | School = agency if agency is not None else school  # type: ignore[assignment]
    found = (
        ProtocolPartner.objects.select_for_update()
        .filter(protocol=protocol, **({"agency": agency} if agency else {"school": school}))
        .first()
    )
    if found is None:
        raise ValidationError(
            {
                key: f"{partner_of.name} is not a partner in version {protocol.version} of the "
                "protocol"
            }
        )
    may_sign = (
        access.can_sign_for_agency(actor, agency)
        if agency is not None
        else access.can_sign_for_school(actor, school)  # type: ignore[arg-type]
    )
    if not may_sign:
        who = "work for" if agency is not None else "lead as its head teacher"
        raise ValidationError(
            {key: f"You cannot sign for {partner_of.name}: sign only for a partner you {who}"}
        )
    if found.signed_at is not None:
        signed_on = date_format(timezone.localtime(found.signed_at), "j F Y")
        raise ValidationError(
            {key: f"{partner_of.name} signed version {protocol.version} already, on {signed_on}"}
        )
    found.signed_by = actor
    found.signed_at = timezone.now()
    found.full_clean(validate_unique=False)
    # Only a partner not yet signed is signed, whatever the database's locking.
    if not ProtocolPartner.objects.filter(pk=found.pk, signed_at__isnull=True).update(
        signed_by=actor, signed_at=found.signed_at
    ):
        raise ValidationError({key: f"{partner_of.name} signed version {protocol.version} already"})
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=protocol,
        detail={
            "version": protocol.version,
            "signed_for": "agency" if agency is not None else "school",
            "partner": str(partner_of.pk),
        },
    )
    if not ProtocolPartner.objects.filter(protocol=protocol, signed_at__isnull=True).exists():
        _tell_governors(protocol)
    return found


def _tell_governors(protocol: Protocol) -> None:
    partnership = protocol.partnership
    fresh = Protocol.objects.prefetch_related("partners__agency", "partners__school").get(
        pk=protocol.pk
    )
    missing = protocol_missing(partnership, fresh)
    if missing:
        title = (
            f"Every partner has signed version {protocol.version} of the {partnership.name} "
            f"protocol, but it is not yet in force"
        )
    else:
        title = (
            f"The {partnership.name} protocol is in force: every partner signed version "
            f"{protocol.version}"
        )
    notify(
        users=protocol_selectors.partnership_governors(partnership=partnership),
        title=title,
        url=reverse("planning-protocol", kwargs={"partnership_id": partnership.pk}),
        kind="protocol_in_force" if not missing else "protocol_signed",
        object_id=str(protocol.pk),
    )
