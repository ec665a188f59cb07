"""Reads of areas, schools and partnerships, always through the access policy."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse

from saferschools.accounts.models import Membership, Role, ScopeType
from saferschools.casework.models import Pupil
from saferschools.reporting import selectors as reporting_selectors
from saferschools.reporting.models import Report

from . import access
from .audit import audit_record
from .models import Agency, Area, AuditAction, Partnership, School, SchoolHoliday


def school_list(*, user: Any) -> QuerySet[School]:
    """The schools the user may see, with their partnership, in name order."""
    return (
        access.scope(user, School)
        .select_related("area", "partnership_link__partnership")
        .order_by("name", "urn")
    )


def partnership_list(*, user: Any) -> QuerySet[Partnership]:
    """The partnerships the user may see, each with the number of its schools (counted apart
    from the join the scope may make through one of them), in name order."""
    return (
        Partnership.objects.filter(pk__in=access.scope(user, Partnership).values("pk"))
        .annotate(school_count=Count("school_links"))
        .order_by("name")
    )


@dataclass
class Link:
    href: str
    text: str
    hint: str = ""


@dataclass
class LandingSection:
    """One membership on the landing page: the role, its scope and what it reaches."""

    role: str
    scope_name: str
    scope_kind: str
    links: list[Link] = field(default_factory=list)
    note: str = ""


def _links_for(membership: Membership) -> tuple[list[Link], str]:
    links: list[Link] = []
    note = ""
    sees_pupils = membership.role in access.POLICY[Pupil].read
    scope_object = membership.scope
    if isinstance(scope_object, School):
        school = scope_object
        links.append(Link(reverse("core-school", args=[school.urn]), school.name, "School details"))
        links.append(
            Link(
                reverse("outcomes-dashboard-school", args=[school.urn]),
                "Dashboard",
                f"{school.name}'s indicators over time",
            )
        )
        if sees_pupils:
            links.append(
                Link(
                    reverse("casework-pupils", args=[school.urn]),
                    "Pupils",
                    "The school's pupil register",
                )
            )
        if school.partnership is not None:
            links.append(
                Link(
                    reverse("core-partnership", args=[school.partnership.pk]),
                    school.partnership.name,
                    "The partnership",
                )
            )
    elif isinstance(scope_object, Partnership):
        partnership = scope_object
        links.append(
            Link(
                reverse("core-partnership", args=[partnership.pk]),
                partnership.name,
                "The partnership and its schools",
            )
        )
        links.append(
            Link(
                reverse("outcomes-dashboard-partnership", args=[partnership.pk]),
                "Dashboard",
                "The partnership's indicators over time",
            )
        )
        if sees_pupils:
            for school in partnership.schools.order_by("name"):
                links.append(
                    Link(reverse("casework-pupils", args=[school.urn]), f"Pupils at {school.name}")
                )
    else:
        area = access.area_of(scope_object)
        links.append(
            Link(
                reverse("core-area", args=[area.pk]),
                area.name,
                "Schools and partnerships of the area",
            )
        )
        note = ROLE_NOTES.get(membership.role, "").format(scope=scope_object.name)
    if membership.role in access.AREA_DASHBOARD_ROLES:
        area = access.area_of(scope_object)
        links.append(
            Link(
                reverse("outcomes-dashboard-area", args=[area.pk]),
                f"{area.name} dashboard",
                "The area's indicators, by partnership",
            )
        )
    if membership.role in access.PRIORITISATION_ROLES:
        area = access.area_of(scope_object)
        links.append(
            Link(
                reverse("planning-prioritisation", args=[area.pk]),
                "Prioritise the area's schools",
                "Every school ranked by need, with weights you set",
            )
        )
    if membership.role in access.REPORT_REGISTER_ROLES:
        links.append(
            Link(
                reverse("reporting-counts") + "#download",
                "Download the list of reports",
                "Every report to the schools, without names or anything a pupil wrote",
            )
        )
    in_partnership = not isinstance(scope_object, School) or scope_object.partnership is not None
    if membership.role in access.CASEWORK_COUNT_ROLES | access.CASEWORK_ROLES and in_partnership:
        links.append(
            Link(
                reverse("casework-counts"),
                "Casework counts",
                "Assessments, plans, referrals, sharing decisions and notifications per school",
            )
        )
    return links, note


# What roles without pupils' records see instead, in a line on their landing page.
ROLE_NOTES: dict[str, str] = {
    Role.AGENCY_PRACTITIONER: (
        "You see a pupil's record only while a sharing decision grants it to {scope}."
    ),
    Role.POLICE_SUPERVISOR: (
        "Supervisors see officers' work and counts across schools, never a pupil's record."
    ),
    Role.AREA_ADMIN: (
        "Administrators manage schools, partnerships and accounts; they see no pupil's record."
    ),
    Role.LA_ANALYST: (
        "Analysts see figures for the area with small numbers suppressed, never a pupil's name."
    ),
}


def landing_sections(*, user: Any) -> list[LandingSection]:
    """What each of the user's memberships lets them reach, for the landing page."""
    sections = []
    for membership in access.memberships_of(user):
        links, note = _links_for(membership)
        sections.append(
            LandingSection(
                role=membership.get_role_display(),
                scope_name=membership.scope_name,
                scope_kind=ScopeType(membership.scope_type).label,
                links=links,
                note=note,
            )
        )
    return sections


def area_overview(*, user: Any, area: Area) -> dict[str, Any]:
    """The schools, partnerships and agencies of an area the user may see."""
    return {
        "schools": school_list(user=user).filter(area=area),
        "partnerships": partnership_list(user=user).filter(area=area),
        "agencies": access.scope(user, Agency).filter(area=area).order_by("name"),
    }


def area_accounts(*, user: Any, area: Area, source: str) -> list[Membership]:
    """The area's accounts and roles, for its administrators; showing them is audited once.

    Empty for anyone else (the access policy gives them no membership to see).
    """
    memberships = list(
        access.scope(user, Membership)
        .filter(access.memberships_in_areas([area.pk]))
        .select_related("user", "school", "partnership", "agency", "area")
        .order_by("user__email", "role")
    )
    if memberships:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            source=source,
            obj=area,
            detail={"shown": "accounts", "count": len(memberships)},
        )
    return memberships


def handles_reports(*, user: Any) -> bool:
    """Whether the user has pupils' reports to handle: by a role that receives them anywhere,
    or as a colleague at a school who has been given one."""
    roles = access.roles_of(user)
    if roles & access.POLICY[Report].read:
        return True
    if roles & access.SCHOOL_ROLES:
        return access.scope(user, Report).exists()
    return False


@dataclass
class ReportsPanel:
    """The reports part of a landing page: counts with links, and what is overdue."""

    summary: dict[str, int]
    # Only for the school's leaders, who answer for every report ending with an outcome.
    overdue: list[Report] | None = None


OVERDUE_SHOWN = 20


def landing_reports(*, user: Any) -> ReportsPanel | None:
    """The inbox summary for whoever handles reports, with the overdue reports listed for
    safeguarding leads and head teachers; ``None`` for everyone else."""
    if not handles_reports(user=user):
        return None
    summary = reporting_selectors.report_inbox_summary(user=user)
    overdue = None
    if access.roles_of(user) & access.SCHOOL_LEADERS:
        overdue = list(reporting_selectors.report_overdue(user=user)[:OVERDUE_SHOWN])
    return ReportsPanel(summary=summary, overdue=overdue)


@dataclass(frozen=True)
class ReportingArea:
    area: Area
    triage: bool  # may change the cue words and escalation time
    advice: bool  # may change the safety advice


def reporting_areas(*, user: Any) -> list[ReportingArea]:
    """The areas whose triage settings or safety advice the user may change."""
    found = []
    for area in access.scope(user, Area).order_by("name"):
        triage = access.can_configure_triage(user, area)
        advice = access.can_edit_safety_advice(user, area)
        if triage or advice:
            found.append(ReportingArea(area, triage, advice))
    return found


# School holidays ---------------------------------------------------------------------------


def school_holidays(*, area: Area) -> QuerySet[SchoolHoliday]:
    """The area's school holidays, in date order. Not personal data: the caller has already
    found the area through the access policy."""
    return SchoolHoliday.objects.filter(area=area).order_by("starts_on", "name")


def holiday_days_by_area(
    area_ids: Iterable[uuid.UUID], first: date, last: date
) -> dict[uuid.UUID, set[date]]:
    """For each area, the days from ``first`` to ``last`` (both included) that fall in one of
    its school holidays; an area without any maps to an empty set. One query."""
    ids = set(area_ids)
    found: dict[uuid.UUID, set[date]] = {area_id: set() for area_id in ids}
    if not ids or last < first:
        return found
    holidays = SchoolHoliday.objects.filter(
        area_id__in=ids, starts_on__lte=last, ends_on__gte=first
    ).values_list("area_id", "starts_on", "ends_on")
    for area_id, starts_on, ends_on in holidays:
        day, until = max(starts_on, first), min(ends_on, last)
        while day <= until:
            found[area_id].add(day)
            day += timedelta(days=1)
    return found


def holiday_days(area: Area | uuid.UUID, first: date, last: date) -> set[date]:
    """The days from ``first`` to ``last`` (both included) in the area's school holidays. One
    query."""
    area_id = area.pk if isinstance(area, Area) else area
    return holiday_days_by_area([area_id], first, last)[area_id]
