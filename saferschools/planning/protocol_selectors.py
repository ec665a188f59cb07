"""Reading the partnership's aims and protocol: the versions, their partners and sign-offs,
whether the protocol is in force, and who signs for each partner.

Readers start from the access policy; none of this is personal data (it names the partners'
people and what they agreed), so reading it is not audited.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from saferschools.accounts.models import Role, User
from saferschools.core import access
from saferschools.core.models import Partnership
from saferschools.sharing.models import InformationSharingAgreement

from .models import CoreAim, DesiredOutcome, PartnershipAim, Protocol, ProtocolPartner
from .stage import protocol_missing

AIM_ORDER = {code: position for position, code in enumerate(CoreAim.values)}


def aims_list(*, user: Any, partnership: Partnership) -> list[PartnershipAim]:
    """The partnership's chosen aims in the guidance's order, each with its desired outcomes."""
    aims = list(
        access.scope(user, PartnershipAim)
        .filter(partnership=partnership)
        .prefetch_related(Prefetch("outcomes", queryset=DesiredOutcome.objects.order_by("text")))
    )
    return sorted(aims, key=lambda aim: AIM_ORDER.get(aim.aim, len(AIM_ORDER)))


def _partners() -> Prefetch:
    # Schools first, then agencies, each by name.
    return Prefetch(
        "partners",
        queryset=ProtocolPartner.objects.select_related("agency", "school", "signed_by").order_by(
            F("agency__name").asc(nulls_first=True), "school__name", "id"
        ),
    )


def _protocols(user: Any, partnership: Partnership) -> QuerySet[Protocol]:
    return (
        access.scope(user, Protocol)
        .filter(partnership=partnership)
        .select_related("partnership", "sharing_agreement", "created_by")
        .prefetch_related(_partners())
        .order_by("-version")
    )


def protocol_latest(*, user: Any, partnership: Partnership) -> Protocol | None:
    """The partnership's latest protocol version with its partners; ``None`` if none yet."""
    return _protocols(user, partnership).first()


def protocol_get(*, user: Any, partnership: Partnership, version: int) -> Protocol:
    """One version of the partnership's protocol with its partners; else ``Http404``."""
    found = _protocols(user, partnership).filter(version=version).first()
    if found is None:
        raise Http404("No protocol found.")
    return found


def protocol_versions(*, user: Any, partnership: Partnership) -> list[Protocol]:
    """Every version of the partnership's protocol, newest first, without their partners."""
    return list(
        access.scope(user, Protocol)
        .filter(partnership=partnership)
        .select_related("created_by")
        .only("id", "partnership_id", "version", "change_note", "created_at", "created_by")
        .order_by("-version")
    )


@dataclass(frozen=True)
class ProtocolStatus:
    """Whether a version is the one in force, and what keeps the latest from being so."""

    latest: bool
    in_force: bool
    missing: list[str]


def protocol_status(
    *, partnership: Partnership, protocol: Protocol, latest_version: int
) -> ProtocolStatus:
    """In force: the latest version, naming the police force and every school of the
    partnership, signed by every partner it names (``stage.protocol_missing``)."""
    if protocol.version != latest_version:
        return ProtocolStatus(latest=False, in_force=False, missing=[])
    missing = protocol_missing(partnership, protocol)
    return ProtocolStatus(latest=True, in_force=not missing, missing=missing)


def signable_partners(*, user: Any, protocol: Protocol) -> list[ProtocolPartner]:
    """The partners of this version (partners prefetched) that the user may sign for and that
    have not signed yet."""
    found = []
    for partner in protocol.partners.all():
        if partner.signed_at is not None:
            continue
        if partner.agency_id is not None:
            if access.can_sign_for_agency(user, partner.agency):  # type: ignore[arg-type]
                found.append(partner)
        elif access.can_sign_for_school(user, partner.school):  # type: ignore[arg-type]
            found.append(partner)
    return found


def partner_signers(*, protocol: Protocol) -> QuerySet[User]:
    """The active users who can sign for a partner of this version (as ``access`` decides)."""
    return access.protocol_signers(protocol)


def partnership_governors(*, partnership: Partnership) -> QuerySet[User]:
    """The active users who keep the partnership's governance (``access.can_govern``)."""
    return access.partnership_governors(partnership)


def protocols_to_sign(*, user: Any) -> list[ProtocolPartner]:
    """The partners the user may sign for whose partnership's latest protocol awaits their
    signature, oldest version first."""
    memberships = access.memberships_of(user)
    agency_ids = [m.agency_id for m in memberships if m.agency_id is not None]
    school_ids = [
        m.school_id for m in memberships if m.role == Role.HEAD_TEACHER and m.school_id is not None
    ]
    if not agency_ids and not school_ids:
        return []
    newer = Protocol.objects.filter(
        partnership_id=OuterRef("protocol__partnership_id"),
        version__gt=OuterRef("protocol__version"),
    )
    return list(
        ProtocolPartner.objects.filter(
            Q(agency_id__in=agency_ids) | Q(school_id__in=school_ids),
            signed_at__isnull=True,
            protocol__in=access.scope(user, Protocol).values("pk"),
        )
        .exclude(Exists(newer))
        .select_related("protocol__partnership", "agency", "school")
        .order_by("protocol__created_at", "id")
    )


def partnership_agreements(
    *, user: Any, partnership: Partnership
) -> list[InformationSharingAgreement]:
    """The partnership's information-sharing agreements the user reads, by title: those a
    protocol may rely on."""
    return list(
        access.scope(user, InformationSharingAgreement)
        .filter(partnership=partnership)
        .order_by("title", "id")
    )
