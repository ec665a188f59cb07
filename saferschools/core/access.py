"""The access policy: the one place that decides what each user may see and change.

Access follows from a user's memberships alone (a role held over a school, partnership, agency
or area). ``scope(user, Model)`` gives the rows a user may read, ``scope(user, Model,
write=True)`` those they may change, and the ``get_<thing>_for_user`` helpers fetch one object,
raising ``Http404`` alike for what does not exist and what is out of scope, so that nobody learns
that an object they may not see exists. Views, API views, exports and commands all come here.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from saferschools.accounts.models import TWO_FACTOR_ROLES, Membership, Role, User
from saferschools.activity.models import Activity, PatrolPlan
from saferschools.casework.models import (
    Meeting,
    Plan,
    Pupil,
    PupilTransfer,
    Referral,
    RiskAssessment,
    TransferStatus,
)
from saferschools.incidents.models import Incident, Place
from saferschools.outcomes.models import AnnualReport, Evaluation, SurveyRound
from saferschools.planning.models import (
    NeedsAssessment,
    PartnershipAim,
    Protocol,
    SspRequest,
    SteeringAction,
    SteeringMeeting,
    SteeringMember,
    Workplan,
    WorkplanAction,
)
from saferschools.reporting.models import Report
from saferschools.sharing.models import (
    Decision,
    InformationSharingAgreement,
    PoliceNotification,
    SharedItem,
    SharingDecision,
)

from .models import Agency, Area, Partnership, School

M = TypeVar("M", bound=models.Model)

ALL_ROLES = frozenset(Role.values)
SCHOOL_LEADERS = frozenset({Role.SAFEGUARDING_LEAD, Role.HEAD_TEACHER})
REPORT_HANDLERS = SCHOOL_LEADERS | {Role.SSP_OFFICER}
# Roles whose memberships place a person at a school (as opposed to overseeing an area).
SCHOOL_ROLES = frozenset(
    {Role.SCHOOL_STAFF, Role.SAFEGUARDING_LEAD, Role.HEAD_TEACHER, Role.SSP_OFFICER}
)


@dataclass(frozen=True)
class Rule:
    """Which roles may read and which may change a kind of object, within their scopes."""

    read: frozenset[str]
    write: frozenset[str]


POLICY: dict[type[models.Model], Rule] = {
    # Schools, partnerships, agencies and areas are public or organisational facts: every role
    # sees those within its scope; only the area's administrator changes them.
    School: Rule(read=ALL_ROLES, write=frozenset({Role.AREA_ADMIN})),
    Partnership: Rule(read=ALL_ROLES, write=frozenset({Role.AREA_ADMIN, Role.HEAD_TEACHER})),
    Agency: Rule(read=ALL_ROLES, write=frozenset({Role.AREA_ADMIN})),
    Area: Rule(read=ALL_ROLES, write=frozenset({Role.AREA_ADMIN})),
    # Pupils are personal data: the school's own staff and the officers deployed to it. Police
    # supervisors, agencies, analysts, the steering group and administrators see no pupil
    # unless a sharing decision grants it. Only the school's leaders change the register.
    Pupil: Rule(
        read=frozenset(
            {Role.SCHOOL_STAFF, Role.SAFEGUARDING_LEAD, Role.HEAD_TEACHER, Role.SSP_OFFICER}
        ),
        write=SCHOOL_LEADERS,
    ),
    Membership: Rule(read=frozenset({Role.AREA_ADMIN}), write=frozenset({Role.AREA_ADMIN})),
    # Pupils' reports go to the school's safeguarding leads and the officers deployed there
    # (SHARP: "the SSP officer and the nominated staff member"), and to its head teacher. A
    # colleague a report is assigned to sees it too, while they work at the school.
    Report: Rule(read=REPORT_HANDLERS, write=REPORT_HANDLERS),
    # Incidents name pupils: the school's leaders and its officers see them all; any member of
    # staff records one and sees (and corrects) what they recorded, while at the school.
    Incident: Rule(read=REPORT_HANDLERS, write=REPORT_HANDLERS),
    # A school's places are shared by everyone who records incidents there; its leaders and
    # officers keep the list.
    Place: Rule(read=SCHOOL_ROLES, write=REPORT_HANDLERS),
}


def memberships_of(user: Any) -> list[Membership]:
    """The user's memberships, loaded once per user object (once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).select_related(
                "school", "partnership", "agency", "area"
            )
        )
        user._memberships_cache = cached
    return cached


def roles_of(user: Any) -> set[str]:
    return {m.role for m in memberships_of(user)}


def requires_two_factor(user: Any) -> bool:
    """Whether the user must give a second factor: a role that reaches personal data or hands
    out roles, or the operator's administration site."""
    return bool(roles_of(user) & TWO_FACTOR_ROLES) or bool(getattr(user, "is_staff", False))


@dataclass(frozen=True)
class _Reach:
    school_ids: frozenset[uuid.UUID]
    partnership_ids: frozenset[uuid.UUID]
    area_ids: frozenset[uuid.UUID]

    @property
    def empty(self) -> bool:
        return not (self.school_ids or self.partnership_ids or self.area_ids)


def _reach(user: Any, roles: Iterable[str]) -> _Reach:
    """The schools, partnerships and areas the user's memberships in these roles cover.

    An agency-scoped membership reaches the agency's area: a police force's supervisor oversees
    the partnerships of the force's area.
    """
    roles = frozenset(roles)
    schools: set[uuid.UUID] = set()
    partnerships: set[uuid.UUID] = set()
    areas: set[uuid.UUID] = set()
    for membership in memberships_of(user):
        if membership.role not in roles:
            continue
        scope_object = membership.scope
        if isinstance(scope_object, School):
            schools.add(scope_object.pk)
        elif isinstance(scope_object, Partnership):
            partnerships.add(scope_object.pk)
        elif isinstance(scope_object, Agency):
            areas.add(scope_object.area_id)
        else:
            areas.add(scope_object.pk)
    return _Reach(frozenset(schools), frozenset(partnerships), frozenset(areas))


NOTHING = Q(pk__in=[])


def memberships_in_areas(area_ids: Iterable[uuid.UUID]) -> Q:
    """Memberships whose scope (school, partnership, agency or area) lies in these areas."""
    area_ids = list(area_ids)
    return (
        Q(school__area_id__in=area_ids)
        | Q(partnership__area_id__in=area_ids)
        | Q(agency__area_id__in=area_ids)
        | Q(area_id__in=area_ids)
    )


def _school_condition(reach: _Reach, path: str) -> Q:
    """Rows whose school (reached through ``path``) is within ``reach``."""
    if reach.empty:
        return NOTHING
    condition = NOTHING
    if reach.school_ids:
        condition |= Q(**{f"{path}id__in": reach.school_ids})
    if reach.partnership_ids:
        condition |= Q(**{f"{path}partnership_link__partnership_id__in": reach.partnership_ids})
    if reach.area_ids:
        condition |= Q(**{f"{path}area_id__in": reach.area_ids})
    return condition


def _partnership_condition(reach: _Reach) -> Q:
    if reach.empty:
        return NOTHING
    condition = NOTHING
    if reach.school_ids:
        condition |= Q(school_links__school_id__in=reach.school_ids)
    if reach.partnership_ids:
        condition |= Q(id__in=reach.partnership_ids)
    if reach.area_ids:
        condition |= Q(area_id__in=reach.area_ids)
    return condition


def _area_ids_reached(user: Any, roles: Iterable[str]) -> set[uuid.UUID]:
    """The areas a user's memberships in these roles touch, whatever the scope's kind."""
    roles = frozenset(roles)
    areas: set[uuid.UUID] = set()
    for membership in memberships_of(user):
        if membership.role in roles:
            areas.add(area_of(membership.scope).pk)
    return areas


def scope(user: Any, model: type[M], *, write: bool = False) -> models.QuerySet[M]:
    """The rows of ``model`` that ``user`` may read (or, with ``write=True``, change).

    Always a queryset, never evaluated here; a model with no rule, an anonymous or inactive user,
    or a user without a fitting membership gets an empty one.
    """
    rule = POLICY.get(model)
    queryset = model._default_manager.all()
    if rule is None:
        return queryset.none()
    roles = rule.write if write else rule.read
    if not memberships_of(user):
        return queryset.none()
    if model is School:
        reach = _reach(user, roles)
        condition = _school_condition(reach, "")
        if reach.school_ids:
            # The other schools of one's own partnership are colleagues, and public facts.
            condition |= Q(
                partnership_link__partnership__school_links__school_id__in=reach.school_ids
            )
    elif model is Pupil:
        condition = _school_condition(_reach(user, roles), "school__") & ~_transferred_away("")
        if not write:
            granted = _granted_pupil_ids(user)
            if granted:
                condition |= Q(pk__in=granted)
    elif model is Report:
        condition = _school_condition(_reach(user, roles), "school__")
        at_school = _school_condition(_reach(user, SCHOOL_ROLES), "school__")
        if at_school is not NOTHING:
            condition |= Q(assigned_to=user) & at_school
    elif model is Incident:
        condition = _school_condition(_reach(user, roles), "school__")
        at_school = _school_condition(_reach(user, SCHOOL_ROLES), "school__")
        if at_school is not NOTHING:
            condition |= Q(recorded_by=user) & at_school
    elif model is Place:
        condition = _school_condition(_reach(user, roles), "school__")
    elif model in (Activity, PatrolPlan):
        condition = _officer_work_condition(user, roles)
    elif model in CASEWORK_MODELS:
        condition = _casework_condition(user, model, roles, write=write)
    elif model is PupilTransfer:
        reach = _reach(user, roles)
        condition = _school_condition(reach, "from_school__") | _school_condition(
            reach, "to_school__"
        )
    elif model is InformationSharingAgreement:
        condition = _agreement_condition(user, roles, write=write)
    elif model is Partnership:
        condition = _partnership_condition(_reach(user, roles))
    elif model in PARTNERSHIP_RECORDS:
        partnerships = Partnership.objects.filter(_partnership_condition(_reach(user, roles)))
        condition = Q(**{f"{PARTNERSHIP_RECORDS[model]}__in": partnerships.values("id")})
    elif model is NeedsAssessment and not write:
        # Public evidence and the school's own analysis: whoever sees the school reads it.
        condition = Q(school__in=scope(user, School).values("pk"))
    elif model is SurveyRound and not write:
        # Anonymous answers counted, small numbers suppressed: whoever sees the school.
        condition = Q(school__in=scope(user, School).values("pk"))
    elif model in (NeedsAssessment, SspRequest, SurveyRound):
        condition = _school_condition(_reach(user, roles), "school__")
    elif model in (Agency, Area):
        area_ids = _area_ids_reached(user, roles)
        condition = Q(id__in=area_ids) if model is Area else Q(area_id__in=area_ids)
        condition = condition if area_ids else NOTHING
    elif model is Membership:
        area_ids = _area_ids_reached(user, roles)
        condition = memberships_in_areas(area_ids) if area_ids else NOTHING
    else:  # pragma: no cover - every model in POLICY has a branch above
        return queryset.none()
    return queryset.filter(condition).distinct()


def _get(user: Any, model: type[M], *, write: bool, **lookup: Any) -> M:
    try:
        return scope(user, model, write=write).get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        # A malformed id is "not found" too, in the same words as a missing or forbidden one.
        raise Http404(f"No {model._meta.verbose_name} found.") from None


def get_school_for_user(user: Any, urn: int | str, *, write: bool = False) -> School:
    """The school with this URN if the user may see it (or change it); else ``Http404``."""
    try:
        urn = int(urn)
    except (TypeError, ValueError):
        raise Http404("No school found.") from None
    return _get(user, School, write=write, urn=urn)


def get_partnership_for_user(
    user: Any, partnership_id: uuid.UUID | str, *, write: bool = False
) -> Partnership:
    """The partnership if the user may see it (or change it); else ``Http404``."""
    return _get(user, Partnership, write=write, id=partnership_id)


def get_pupil_for_user(user: Any, pupil_id: uuid.UUID | str, *, write: bool = False) -> Pupil:
    """The pupil if the user may see (or change) their record; else ``Http404``.

    The caller audits the read: fetching is not yet reading.
    """
    return _get(user, Pupil, write=write, id=pupil_id)


def get_report_for_user(user: Any, report_id: uuid.UUID | str, *, write: bool = False) -> Report:
    """A pupil's report if the user handles reports at its school or it is assigned to them;
    else ``Http404``. The caller audits the read."""
    return _get(user, Report, write=write, id=report_id)


def get_incident_for_user(
    user: Any, incident_id: uuid.UUID | str, *, write: bool = False
) -> Incident:
    """An incident if the user sees the school's incidents or recorded it; else ``Http404``.
    The caller audits the read."""
    return _get(user, Incident, write=write, id=incident_id)


def get_place_for_user(user: Any, place_id: uuid.UUID | str, *, write: bool = False) -> Place:
    """A school's place if the user works at the school (or, to change it, leads it or is its
    officer); else ``Http404``."""
    return _get(user, Place, write=write, id=place_id)


def can_see_incidents(user: Any, school: School) -> bool:
    """Whether the user sees all of this school's incidents: its leaders and its officers."""
    return _reaches_school(user, POLICY[Incident].read, school)


# Roles that oversee schools' safety without seeing pupils: they see aggregates such as
# hotspots, with small counts left out.
OVERSIGHT_ROLES = frozenset({Role.POLICE_SUPERVISOR, Role.LA_ANALYST, Role.STEERING_MEMBER})


def can_see_hotspots(user: Any, school: School) -> bool:
    """Whether the user sees the school's hotspots: in full as one who sees its incidents, or
    with small counts left out as a police supervisor, analyst or steering group member whose
    role reaches the school. Staff who only record incidents, and agencies, do not."""
    if can_see_incidents(user, school):
        return True
    return _reaches_school(user, OVERSIGHT_ROLES, school)


def can_keep_places(user: Any, school: School) -> bool:
    """Whether the user may add to and change the school's list of places."""
    return _reaches_school(user, POLICY[Place].write, school)


def can_record_incidents(user: Any, school: School) -> bool:
    """Whether the user may record an incident at this school: anyone who works there."""
    return _reaches_school(user, SCHOOL_ROLES, school)


def get_area_for_user(user: Any, area_id: uuid.UUID | str, *, write: bool = False) -> Area:
    """The area if the user's memberships reach it; else ``Http404``."""
    return _get(user, Area, write=write, id=area_id)


def _reaches_school(user: Any, roles: frozenset[str], school: School) -> bool:
    condition = _school_condition(_reach(user, roles), "")
    return School.objects.filter(condition, pk=school.pk).exists()


def get_school_for_pupils(user: Any, urn: int | str, *, write: bool = False) -> School:
    """The school if the user may see (or, with ``write``, change) its pupil register;
    else ``Http404``, as for a school that does not exist."""
    school = get_school_for_user(user, urn)
    if not _reaches_school(user, POLICY[Pupil].write if write else POLICY[Pupil].read, school):
        raise Http404("No school found.")
    return school


def can_read_pupils(user: Any, school: School) -> bool:
    """Whether the user may see the pupil register of this school."""
    return _reaches_school(user, POLICY[Pupil].read, school)


def can_manage_pupils(user: Any, school: School) -> bool:
    """Whether the user may import and change the pupil register of this school."""
    return _reaches_school(user, POLICY[Pupil].write, school)


def can_manage_accounts(user: Any, area: Area) -> bool:
    """Whether the user may give and take roles, and unlock accounts, in this area."""
    return scope(user, Area, write=True).filter(pk=area.pk).exists()


def get_membership_for_user(
    user: Any, membership_id: uuid.UUID | str, *, write: bool = False
) -> Membership:
    """A membership in an area the user administers; else ``Http404``."""
    return _get(user, Membership, write=write, id=membership_id)


def get_account_for_user(user: Any, account_id: uuid.UUID | str) -> Any:
    """A user account holding a role in an area this user administers; else ``Http404``."""
    memberships = scope(user, Membership, write=True).filter(user_id=account_id)
    try:
        membership = memberships.select_related("user").first()
    except (ValidationError, ValueError, TypeError):
        membership = None
    if membership is None:
        raise Http404("No user found.")
    return membership.user


def area_of(scope_object: School | Partnership | Agency | Area) -> Area:
    """The area a school, partnership, agency or area belongs to."""
    return scope_object if isinstance(scope_object, Area) else scope_object.area


def users_reaching_school(school: School, roles: Iterable[str]) -> models.QuerySet[Any]:
    """The active users holding one of ``roles`` over this school: over the school itself, its
    partnership, an agency of its area or its area."""
    memberships = Membership.objects.filter(role__in=list(roles)).filter(
        Q(school=school)
        | Q(partnership__school_links__school=school)
        | Q(agency__area_id=school.area_id)
        | Q(area_id=school.area_id)
    )
    return (
        User.objects.filter(is_active=True, memberships__in=memberships)
        .distinct()
        .order_by("full_name", "email")
    )


def can_handle_reports(user: Any, school: School) -> bool:
    """Whether the user receives and handles pupils' reports to this school."""
    return _reaches_school(user, POLICY[Report].read, school)


def schools_handling_reports(user: Any) -> models.QuerySet[School]:
    """The schools whose reports the user handles: those their report roles reach, and the
    schools of reports assigned to them, in name order."""
    condition = _school_condition(_reach(user, POLICY[Report].read), "")
    assigned = scope(user, Report).filter(assigned_to=user).values("school_id")
    return School.objects.filter(condition | Q(pk__in=assigned)).distinct().order_by("name", "urn")


def can_configure_triage(user: Any, area: Area) -> bool:
    """Whether the user may change the area's triage settings (cue words and escalation time):
    the area's administrators only, since a change holds for every school of the area."""
    return scope(user, Area, write=True).filter(pk=area.pk).exists()


def can_edit_safety_advice(user: Any, area: Area) -> bool:
    """Whether the user may change the safety advice pupils of the area read: the area's
    administrators and the safeguarding leads and head teachers of its schools."""
    if can_configure_triage(user, area):
        return True
    return bool(_area_ids_reached(user, SCHOOL_LEADERS) & {area.pk})


# Roles that oversee partnerships and account for their pupils' reports without handling them:
# the steering group and the local authority's analysts.
REPORT_REGISTER_ROLES = frozenset({Role.STEERING_MEMBER, Role.LA_ANALYST})


def _overseen_schools(user: Any, path: str) -> Q:
    """Partnership schools (reached through ``path``) that the user's steering-group or
    analyst memberships reach; an analyst's area reaches only the schools in a partnership."""
    condition = _school_condition(_reach(user, REPORT_REGISTER_ROLES), path)
    if condition is NOTHING:
        return NOTHING
    return condition & Q(**{f"{path}partnership_link__isnull": False})


def scope_report_register(user: Any) -> models.QuerySet[Report]:
    """The reports whose register row the user may see, e.g. in a download.

    A register row is metadata only: reference, school, category, location, dates, urgency,
    status and outcome. A report is here either because the user handles it (it is in
    ``scope(user, Report)``) or because it was made to a partnership school that the user's
    steering-group or analyst memberships reach. For the second kind the caller shows the
    register row and nothing else: never what the pupil wrote, the messages, the name or year
    group the pupil gave, nor which member of staff holds it.
    """
    handled = scope(user, Report)
    overseen = _overseen_schools(user, "school__")
    if overseen is NOTHING:
        return handled
    return Report.objects.filter(Q(pk__in=handled.order_by().values("pk")) | overseen).distinct()


def report_register_schools(user: Any) -> models.QuerySet[School]:
    """The schools of the user's report register, in name order: those whose reports they
    handle and the partnership schools their steering-group or analyst memberships reach."""
    handled = schools_handling_reports(user).order_by().values("pk")
    condition = Q(pk__in=handled) | _overseen_schools(user, "")
    return School.objects.filter(condition).distinct().order_by("name", "urn")


def can_export_reports(user: Any) -> bool:
    """Whether the user may download the register of pupils' reports: those who handle
    reports (by a report role, or as a colleague given one), the steering group and the
    area's analysts. What each may download is ``scope_report_register``."""
    roles = roles_of(user)
    if roles & (POLICY[Report].read | REPORT_REGISTER_ROLES):
        return True
    return bool(roles & SCHOOL_ROLES) and scope(user, Report).exists()


# The officers' activity and patrol plans ------------------------------------------------------

# An officer's log and patrol plans are their own: only they write them. A police supervisor
# reads those of the officers they oversee, at the schools within their reach, to account for
# the officers' time; nobody else sees them, not even the schools.
OFFICER_WORK_ROLES = frozenset({Role.SSP_OFFICER, Role.POLICE_SUPERVISOR})
POLICY[Activity] = Rule(read=OFFICER_WORK_ROLES, write=frozenset({Role.SSP_OFFICER}))
POLICY[PatrolPlan] = Rule(read=OFFICER_WORK_ROLES, write=frozenset({Role.SSP_OFFICER}))


def _deployed_within(reach: _Reach) -> Q:
    """SSP officer memberships over a school within ``reach``, or over a partnership with a
    school within it."""
    if reach.empty:
        return NOTHING
    at_school = Q(school__isnull=False) & _school_condition(reach, "school__")
    in_partnership = Q(partnership__isnull=False) & _school_condition(
        reach, "partnership__school_links__school__"
    )
    return Q(role=Role.SSP_OFFICER) & (at_school | in_partnership)


def _officer_work_condition(user: Any, roles: frozenset[str]) -> Q:
    """Activity or patrol plan rows: the user's own as an officer; as a supervisor, those of the
    officers they oversee at the schools within their reach."""
    held = roles_of(user) & roles
    condition = NOTHING
    if Role.SSP_OFFICER in held:
        condition |= Q(officer_id=user.pk)
    if Role.POLICE_SUPERVISOR in held:
        reach = _reach(user, {Role.POLICE_SUPERVISOR})
        overseen = Membership.objects.filter(_deployed_within(reach)).values("user_id")
        condition |= Q(officer_id__in=overseen) & _school_condition(reach, "school__")
    return condition


def can_log_activity(user: Any) -> bool:
    """Whether the user keeps an activity log and patrol plans: an SSP officer."""
    return Role.SSP_OFFICER in roles_of(user)


def activity_schools(user: Any) -> models.QuerySet[School]:
    """The schools an officer is deployed to (by a school or partnership membership), where
    they log activity and plan patrols, in name order."""
    condition = _school_condition(_reach(user, {Role.SSP_OFFICER}), "")
    return School.objects.filter(condition).distinct().order_by("name", "urn")


def can_see_time_use(user: Any) -> bool:
    """Whether the user sees officers' time use: an officer their own, a police supervisor
    that of the officers they oversee."""
    return bool(roles_of(user) & OFFICER_WORK_ROLES)


def officers_overseen(user: Any) -> models.QuerySet[Any]:
    """The SSP officers whose time the user sees: themselves, if an officer, and, as a police
    supervisor, every officer deployed to a school within their reach (a force's supervisor
    reaches the force's area), in name order."""
    roles = roles_of(user)
    condition = NOTHING
    if Role.SSP_OFFICER in roles:
        condition |= Q(pk=user.pk)
    if Role.POLICE_SUPERVISOR in roles:
        reach = _reach(user, {Role.POLICE_SUPERVISOR})
        condition |= Q(pk__in=Membership.objects.filter(_deployed_within(reach)).values("user_id"))
    return User.objects.filter(condition).distinct().order_by("full_name", "email")


def get_officer_for_user(user: Any, officer_id: uuid.UUID | str) -> Any:
    """An officer whose time the user sees (``officers_overseen``); else ``Http404``."""
    return _get_from(officers_overseen(user), "officer", id=officer_id)


def get_activity_for_user(
    user: Any, activity_id: uuid.UUID | str, *, write: bool = False
) -> Activity:
    """An entry of an officer's activity log: to change it, the officer's own; to read it, also
    an overseeing supervisor's. Else ``Http404``."""
    return _get(user, Activity, write=write, id=activity_id)


def get_patrol_plan_for_user(
    user: Any, plan_id: uuid.UUID | str, *, write: bool = False
) -> PatrolPlan:
    """An officer's patrol plan: to change it, the officer's own; to read it, also an
    overseeing supervisor's. Else ``Http404``."""
    return _get(user, PatrolPlan, write=write, id=plan_id)


def _get_from(queryset: models.QuerySet[Any], noun: str, **lookup: Any) -> Any:
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404(f"No {noun} found.") from None


# Casework and information sharing -------------------------------------------------------------

# A pupil's casework (risk assessments, early-intervention plans, referrals, multi-agency
# meetings, sharing decisions and notifications from the police) is for the school's
# safeguarding leads, its head teacher and the officers deployed to it. Other staff cannot open
# a case. An agency's practitioners see a pupil's casework only while a "share" decision grants
# it, and only the items it names.
CASEWORK_ROLES = REPORT_HANDLERS
# A grant goes to the practitioners of the agency a sharing decision names.
GRANTEE_ROLES = frozenset({Role.AGENCY_PRACTITIONER})

POLICY[RiskAssessment] = Rule(read=CASEWORK_ROLES, write=CASEWORK_ROLES)
POLICY[Plan] = Rule(read=CASEWORK_ROLES, write=CASEWORK_ROLES)
POLICY[Referral] = Rule(read=CASEWORK_ROLES, write=CASEWORK_ROLES)
POLICY[Meeting] = Rule(read=CASEWORK_ROLES, write=CASEWORK_ROLES)
POLICY[SharingDecision] = Rule(read=CASEWORK_ROLES, write=CASEWORK_ROLES)
# The officer records a notification; the school's leaders acknowledge it
# (``can_acknowledge_police_notifications``).
POLICY[PoliceNotification] = Rule(read=CASEWORK_ROLES, write=frozenset({Role.SSP_OFFICER}))
# A pupil's record moves between the safeguarding leads and head teachers of two schools.
POLICY[PupilTransfer] = Rule(read=SCHOOL_LEADERS, write=SCHOOL_LEADERS)
# Agreements hold no personal data: everyone in the partnership, and its partner agencies, read
# them; the schools' leaders and the area's administrators keep them.
POLICY[InformationSharingAgreement] = Rule(read=ALL_ROLES, write=SCHOOL_LEADERS | {Role.AREA_ADMIN})

# Which item of a grant opens each kind of casework to a practitioner.
CASEWORK_MODELS: dict[type[models.Model], str] = {
    RiskAssessment: SharedItem.ASSESSMENTS,
    Plan: SharedItem.PLANS,
    Referral: SharedItem.REFERRALS,
    Meeting: SharedItem.MEETINGS,
    SharingDecision: "",
    PoliceNotification: SharedItem.NOTIFICATIONS,
}


def _transferred_away(path: str) -> Q:
    """Pupils (reached through ``path``) whose record has moved to another school, receipt
    confirmed: the sending school no longer sees them."""
    moved = PupilTransfer.objects.filter(status=TransferStatus.CONFIRMED).values("pupil_id")
    return Q(**{f"{path}pk__in" if not path else f"{path}id__in": moved})


def _grantee_agency_ids(user: Any) -> list[uuid.UUID]:
    return [
        m.agency_id
        for m in memberships_of(user)
        if m.role in GRANTEE_ROLES and m.agency_id is not None
    ]


def live_grants(user: Any) -> models.QuerySet[SharingDecision]:
    """The "share" decisions that grant this user access today: made to an agency they are a
    practitioner of, naming them or no one, neither revoked nor expired (a grant ends at the
    start of its expiry date, Europe/London), about a pupil whose record has not since moved
    to another school."""
    agencies = _grantee_agency_ids(user)
    if not agencies:
        return SharingDecision.objects.none()
    return (
        SharingDecision.objects.filter(
            decision=Decision.SHARE,
            revoked_at__isnull=True,
            expires_on__gt=timezone.localdate(),
            agency_id__in=agencies,
        )
        .filter(Q(practitioner__isnull=True) | Q(practitioner_id=user.pk))
        # The access a school gave ends with its own once the receiving school confirms
        # receipt: nobody could revoke it after that, and the record is no longer the
        # sending school's to share. The receiving school decides afresh.
        .exclude(_transferred_away("pupil__"))
    )


def _user_grants(user: Any) -> list[SharingDecision]:
    """The user's live grants, read once per user object (once per request)."""
    if not _grantee_agency_ids(user):
        return []
    cached = getattr(user, "_grants_cache", None)
    if cached is None:
        cached = list(live_grants(user).order_by("-decided_at"))
        user._grants_cache = cached
    return cached


def _granted_pupil_ids(user: Any, item: str | None = None) -> list[uuid.UUID]:
    """Pupils the user's live grants open (to one kind of item, if given)."""
    return sorted(
        {g.pupil_id for g in _user_grants(user) if item is None or item in (g.items or [])}
    )


def _keeps_casework_of(user: Any, pupil: Pupil) -> bool:
    """Whether the user is a case worker of the pupil's school and the pupil's record is still
    that school's (not since moved to another school, receipt confirmed)."""
    condition = _school_condition(_reach(user, CASEWORK_ROLES), "school__")
    if condition is NOTHING:
        return False
    return Pupil.objects.filter(condition & ~_transferred_away(""), pk=pupil.pk).exists()


def pupil_grant(user: Any, pupil: Pupil, item: str | None = None) -> SharingDecision | None:
    """The live sharing decision through which the user reaches this pupil, if that is how they
    reach them: given ``item``, the newest that names this kind of item of their casework, else
    the newest of all; ``None`` for those who reach the pupil otherwise. Callers name it in the
    audit event of every read it allows."""
    if _keeps_casework_of(user, pupil):
        return None
    grants = [grant for grant in _user_grants(user) if grant.pupil_id == pupil.pk]
    for grant in grants:
        if item is None or item in (grant.items or []):
            return grant
    # Reached through a grant that does not name the item (an agency reads the referrals made
    # to it under any grant for the pupil): that grant is the one used.
    return grants[0] if grants else None


def granted_items(user: Any, pupil: Pupil) -> frozenset[str] | None:
    """What of a pupil's casework the user sees: ``None`` for everything (the school's case
    workers, while the pupil's record is the school's), else the items named by the user's live
    grants for the pupil (possibly none)."""
    if _keeps_casework_of(user, pupil):
        return None
    items: set[str] = set()
    for grant in _user_grants(user):
        if grant.pupil_id == pupil.pk:
            items.update(grant.items or [])
    return frozenset(items)


def _casework_condition(
    user: Any, model: type[models.Model], roles: frozenset[str], *, write: bool
) -> Q:
    """Casework rows: those of pupils at a school the user's case roles reach (not since moved
    away); for reading, also those a live grant opens to the user."""
    condition = _school_condition(_reach(user, roles), "school__") & ~_transferred_away("pupil__")
    if model is Meeting:
        # A meeting is about several pupils: its case workers and its attendees see it.
        condition = _school_condition(_reach(user, roles), "school__")
        if not write:
            condition |= Q(attendees=user.pk)
            granted = _granted_pupil_ids(user, SharedItem.MEETINGS)
            if granted:
                condition |= Q(pupils_discussed__pupil_id__in=granted)
        return condition
    if write:
        return condition
    if model is SharingDecision:
        grants = [g.pk for g in _user_grants(user)]
        return condition | Q(pk__in=grants) if grants else condition
    granted = _granted_pupil_ids(user, CASEWORK_MODELS[model])
    if model is Referral:
        # An agency sees the referrals made to it for a pupil it has been granted.
        to_agency = [
            (g.pupil_id, g.agency_id) for g in _user_grants(user) if g.pupil_id not in granted
        ]
        for pupil_id, agency_id in to_agency:
            condition |= Q(pupil_id=pupil_id, agency_id=agency_id)
    if granted:
        condition |= Q(pupil_id__in=granted)
    return condition


def _agreement_condition(user: Any, roles: frozenset[str], *, write: bool) -> Q:
    """Agreements of the partnerships the user's roles reach; for reading, also those their
    agency is a party to."""
    partnerships = Partnership.objects.filter(_partnership_condition(_reach(user, roles)))
    condition = Q(partnership__in=partnerships.values("pk"))
    if not write:
        agencies = [m.agency_id for m in memberships_of(user) if m.agency_id is not None]
        if agencies:
            condition |= Q(parties__in=agencies)
    return condition


def can_open_casework(user: Any, school: School) -> bool:
    """Whether the user opens and keeps the casework of this school's pupils: its safeguarding
    leads, head teacher and officers. Other staff do not."""
    return _reaches_school(user, CASEWORK_ROLES, school)


def get_casework_pupil_for_user(
    user: Any, pupil_id: uuid.UUID | str, *, write: bool = False
) -> Pupil:
    """A pupil whose casework the user sees (the school's case workers, or a practitioner with a
    live grant) or, with ``write``, keeps (the case workers only); else ``Http404``, exactly as
    for a pupil who does not exist. The caller audits the read, naming ``pupil_grant``."""
    pupil = _get(user, Pupil, write=False, id=pupil_id)
    if can_open_casework(user, pupil.school):
        return pupil
    if not write and any(g.pupil_id == pupil.pk for g in _user_grants(user)):
        return pupil
    raise Http404("No pupil found.")


def get_assessment_for_user(
    user: Any, assessment_id: uuid.UUID | str, *, write: bool = False
) -> RiskAssessment:
    """A risk assessment the user may see (or change); else ``Http404``."""
    return _get(user, RiskAssessment, write=write, id=assessment_id)


def get_plan_for_user(user: Any, plan_id: uuid.UUID | str, *, write: bool = False) -> Plan:
    """An early-intervention plan the user may see (or change); else ``Http404``."""
    return _get(user, Plan, write=write, id=plan_id)


def get_referral_for_user(
    user: Any, referral_id: uuid.UUID | str, *, write: bool = False
) -> Referral:
    """A referral the user may see (or, as a case worker, change); else ``Http404``."""
    return _get(user, Referral, write=write, id=referral_id)


def can_answer_referral(user: Any, referral: Referral) -> bool:
    """Whether the user may record the answer to a referral: the school's case workers, or a
    practitioner of the agency it went to whose live grant covers the pupil."""
    if can_open_casework(user, referral.school):
        return True
    return any(
        g.pupil_id == referral.pupil_id and g.agency_id == referral.agency_id
        for g in _user_grants(user)
    )


def get_meeting_for_user(user: Any, meeting_id: uuid.UUID | str, *, write: bool = False) -> Meeting:
    """A multi-agency meeting the user may see (case workers of its school, its attendees, and
    practitioners granted a pupil it discussed) or change; else ``Http404``."""
    return _get(user, Meeting, write=write, id=meeting_id)


def can_read_pupil_item(user: Any, pupil: Pupil, item: str) -> bool:
    """Whether the user sees this kind of item (a ``SharedItem``) of the pupil's casework."""
    items = granted_items(user, pupil)
    return items is None or item in items


def get_transfer_for_user(
    user: Any, transfer_id: uuid.UUID | str, *, write: bool = False
) -> PupilTransfer:
    """A transfer of a pupil's record, for the leaders of the sending or receiving school;
    else ``Http404``."""
    return _get(user, PupilTransfer, write=write, id=transfer_id)


def get_sharing_decision_for_user(
    user: Any, decision_id: uuid.UUID | str, *, write: bool = False
) -> SharingDecision:
    """A sharing decision: the school's case workers see and revoke it; a practitioner sees one
    that grants them access today. Else ``Http404``."""
    return _get(user, SharingDecision, write=write, id=decision_id)


def get_police_notification_for_user(
    user: Any, notification_id: uuid.UUID | str, *, write: bool = False
) -> PoliceNotification:
    """A notification from the police: the school's case workers see it; else ``Http404``."""
    return _get(user, PoliceNotification, write=write, id=notification_id)


def can_record_police_notifications(user: Any, school: School) -> bool:
    """Whether the user may notify this school of an incident outside school: its officers."""
    return _reaches_school(user, POLICY[PoliceNotification].write, school)


def can_acknowledge_police_notifications(user: Any, school: School) -> bool:
    """Whether the user reads and acts on the police's notifications to this school: its
    safeguarding leads and head teacher."""
    return _reaches_school(user, SCHOOL_LEADERS, school)


def police_notification_schools(user: Any) -> tuple[frozenset[uuid.UUID], frozenset[uuid.UUID]]:
    """The ids of the schools whose notifications from the police the user acknowledges (as
    ``can_acknowledge_police_notifications``) and of those they notify (as
    ``can_record_police_notifications``), in two queries whatever the number of schools."""
    acknowledges = School.objects.filter(_school_condition(_reach(user, SCHOOL_LEADERS), ""))
    records = School.objects.filter(
        _school_condition(_reach(user, POLICY[PoliceNotification].write), "")
    )
    return (
        frozenset(acknowledges.values_list("pk", flat=True)),
        frozenset(records.values_list("pk", flat=True)),
    )


def get_agreement_for_user(
    user: Any, agreement_id: uuid.UUID | str, *, write: bool = False
) -> InformationSharingAgreement:
    """An information-sharing agreement of a partnership the user reaches, or one their agency
    is party to (to change it: the partnership's school leaders or the area's administrators);
    else ``Http404``."""
    return _get(user, InformationSharingAgreement, write=write, id=agreement_id)


def can_keep_agreements(user: Any, partnership: Partnership) -> bool:
    """Whether the user may record and change the partnership's sharing agreements."""
    condition = _partnership_condition(_reach(user, POLICY[InformationSharingAgreement].write))
    return Partnership.objects.filter(condition, pk=partnership.pk).exists()


def disclosure_log_schools(user: Any) -> models.QuerySet[School]:
    """The schools whose disclosure log the user keeps: their safeguarding leads and head
    teachers (a partnership-wide role reaches every school of it), in name order."""
    condition = _school_condition(_reach(user, SCHOOL_LEADERS), "")
    return School.objects.filter(condition).distinct().order_by("name", "urn")


# Roles that see counts of casework without names: small counts suppressed.
CASEWORK_COUNT_ROLES = frozenset({Role.LA_ANALYST, Role.STEERING_MEMBER, Role.POLICE_SUPERVISOR})


def casework_count_schools(user: Any) -> models.QuerySet[School]:
    """Partnership schools whose casework counts the user sees without names (analysts,
    steering members and police supervisors reaching them) or in full (case workers)."""
    condition = _school_condition(_reach(user, CASEWORK_COUNT_ROLES | CASEWORK_ROLES), "")
    return (
        School.objects.filter(condition, partnership_link__isnull=False)
        .distinct()
        .order_by("name", "urn")
    )


def casework_schools(user: Any) -> models.QuerySet[School]:
    """The schools whose pupils' casework the user keeps, in name order."""
    condition = _school_condition(_reach(user, CASEWORK_ROLES), "")
    return School.objects.filter(condition).distinct().order_by("name", "urn")


def pupils_granted(user: Any) -> Sequence[SharingDecision]:
    """The user's live grants, newest first: what an agency practitioner may open today."""
    return list(_user_grants(user))


def agency_practitioners(agency: Agency) -> models.QuerySet[Any]:
    """The active users holding the practitioner role over this agency, in name order: those a
    sharing decision with the agency may name."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__role__in=list(GRANTEE_ROLES),
            memberships__agency=agency,
        )
        .distinct()
        .order_by("full_name", "email")
    )


def decision_grantees(decision: SharingDecision) -> models.QuerySet[Any]:
    """The users a "share" decision gives access to: the practitioner it names, or else every
    practitioner of its agency (none for a "do not share" decision)."""
    if decision.decision != Decision.SHARE:
        return User.objects.none()
    grantees = agency_practitioners(decision.agency)
    if decision.practitioner_id is not None:
        grantees = grantees.filter(pk=decision.practitioner_id)
    return grantees


# The partnership's life: needs, protocol, steering group, work-plan ----------------------------

# The partnership's governance is kept by its head teachers, its steering group and the area's
# administrators; everyone whose role reaches the partnership reads it (it holds no pupil's
# personal data, only the names of the partners' people and what they agreed).
GOVERNANCE_ROLES = frozenset({Role.HEAD_TEACHER, Role.STEERING_MEMBER, Role.AREA_ADMIN})

# Each record of the partnership's life and the path from it to its partnership.
PARTNERSHIP_RECORDS: dict[type[models.Model], str] = {
    PartnershipAim: "partnership",
    Protocol: "partnership",
    SteeringMember: "partnership",
    SteeringMeeting: "partnership",
    SteeringAction: "meeting__partnership",
    Workplan: "partnership",
    WorkplanAction: "outcome__workplan__partnership",
}
for _model in PARTNERSHIP_RECORDS:
    POLICY[_model] = Rule(read=ALL_ROLES, write=GOVERNANCE_ROLES)

# A school's needs assessment is written by those who know the school's needs at first hand: its
# leaders and its officer ("the school and the police work together to produce an analysis of
# needs", 3.12); everyone whose role reaches the school reads it.
POLICY[NeedsAssessment] = Rule(read=ALL_ROLES, write=REPORT_HANDLERS)
# A request names the parent, governor or member of staff who made it: the school's leaders only.
POLICY[SspRequest] = Rule(read=SCHOOL_LEADERS, write=SCHOOL_LEADERS)

# Ranking an area's schools is for the local authority and the police (3.2), and the area's
# administrators; all see the area's figures with small counts suppressed.
PRIORITISATION_ROLES = frozenset({Role.LA_ANALYST, Role.POLICE_SUPERVISOR, Role.AREA_ADMIN})


def can_govern(user: Any, partnership: Partnership) -> bool:
    """Whether the user may change the partnership's aims, protocol, steering group and
    work-plan: its head teachers and steering group members, and the area's administrators."""
    condition = _partnership_condition(_reach(user, GOVERNANCE_ROLES))
    return Partnership.objects.filter(condition, pk=partnership.pk).exists()


def get_governed_partnership_for_user(
    user: Any, partnership_id: uuid.UUID | str, *, write: bool = False
) -> Partnership:
    """The partnership if the user may read its governance (or, with ``write``, keep it); else
    ``Http404``, as for one that does not exist. A reader who may not keep it gets 404 for a
    write alike."""
    partnership = get_partnership_for_user(user, partnership_id)
    if write and not can_govern(user, partnership):
        raise Http404("No partnership found.")
    return partnership


def get_steering_meeting_for_user(
    user: Any, meeting_id: uuid.UUID | str, *, write: bool = False
) -> SteeringMeeting:
    """A steering group meeting of a partnership the user reaches; else ``Http404``."""
    return _get(user, SteeringMeeting, write=write, id=meeting_id)


def get_steering_member_for_user(
    user: Any, member_id: uuid.UUID | str, *, write: bool = False
) -> SteeringMember:
    """A steering group member of a partnership the user reaches; else ``Http404``."""
    return _get(user, SteeringMember, write=write, id=member_id)


def get_workplan_for_user(
    user: Any, workplan_id: uuid.UUID | str, *, write: bool = False
) -> Workplan:
    """A work-plan of a partnership the user reaches; else ``Http404``."""
    return _get(user, Workplan, write=write, id=workplan_id)


def _owned_or_kept(user: Any, model: type[M], write: bool) -> models.QuerySet[M]:
    """Actions the user may read (or update): those of partnerships they reach, and, to update,
    also those they own while they still reach the partnership."""
    readable = scope(user, model)
    if not write:
        return readable
    return readable.filter(Q(pk__in=scope(user, model, write=True).values("pk")) | Q(owner=user))


def get_workplan_action_for_user(
    user: Any, action_id: uuid.UUID | str, *, write: bool = False
) -> WorkplanAction:
    """A work-plan action the user may read, or with ``write`` update the status and progress
    of (its owner, or whoever keeps the partnership's governance); else ``Http404``."""
    return _get_from(_owned_or_kept(user, WorkplanAction, write), "action", id=action_id)


def get_steering_action_for_user(
    user: Any, action_id: uuid.UUID | str, *, write: bool = False
) -> SteeringAction:
    """A steering group action the user may read, or with ``write`` mark done (its owner, or
    whoever keeps the partnership's governance); else ``Http404``."""
    return _get_from(_owned_or_kept(user, SteeringAction, write), "action", id=action_id)


def can_sign_for_agency(user: Any, agency: Agency) -> bool:
    """Whether the user may sign the protocol on behalf of this agency: they hold a role over
    the agency itself (its supervisor, practitioner or analyst), not merely over its area."""
    return any(
        membership.agency_id == agency.pk
        for membership in memberships_of(user)
        if membership.agency_id is not None
    )


def can_sign_for_school(user: Any, school: School) -> bool:
    """Whether the user may sign the protocol on behalf of this school: its head teacher."""
    return any(
        membership.role == Role.HEAD_TEACHER and membership.school_id == school.pk
        for membership in memberships_of(user)
        if membership.school_id is not None
    )


def can_assess_needs(user: Any, school: School) -> bool:
    """Whether the user may write the school's needs assessment: its leaders and officers."""
    return _reaches_school(user, POLICY[NeedsAssessment].write, school)


def can_read_ssp_requests(user: Any, school: School) -> bool:
    """Whether the user may read (and record, and answer) the requests made to this school,
    which name the people who made them: its safeguarding leads and head teacher."""
    return _reaches_school(user, POLICY[SspRequest].read, school)


def get_ssp_request_for_user(
    user: Any, request_id: uuid.UUID | str, *, write: bool = False
) -> SspRequest:
    """A request made to a school whose requests the user reads; else ``Http404``."""
    return _get(user, SspRequest, write=write, id=request_id)


def schools_with_counts_in_full(user: Any, schools: Iterable[School]) -> set[uuid.UUID]:
    """Which of these schools' own counts of reports and incidents the user sees without small
    numbers suppressed (as ``sees_school_counts_in_full`` decides for one). One query."""
    ids = [school.pk for school in schools]
    condition = _school_condition(_reach(user, REPORT_HANDLERS), "")
    return set(School.objects.filter(condition, pk__in=ids).values_list("pk", flat=True))


def sees_school_counts_in_full(user: Any, school: School) -> bool:
    """Whether the user sees the school's own counts of reports and incidents without small
    numbers suppressed: those who read its reports. Everyone else sees 1 to 4 suppressed."""
    return _reaches_school(user, REPORT_HANDLERS, school)


def prioritisation_areas(user: Any) -> models.QuerySet[Area]:
    """The areas whose schools the user may rank (analysts, police supervisors and
    administrators of the area, or of one of its agencies)."""
    area_ids = _area_ids_reached(user, PRIORITISATION_ROLES)
    return Area.objects.filter(pk__in=area_ids).order_by("name")


def get_prioritisation_area_for_user(user: Any, area_id: uuid.UUID | str) -> Area:
    """The area if the user may rank its schools; else ``Http404``."""
    return _get_from(prioritisation_areas(user), "area", id=area_id)


def users_reaching_partnership(
    partnership: Partnership, roles: Iterable[str] | None = None
) -> models.QuerySet[Any]:
    """The active users holding a role (one of ``roles``, if given) over this partnership: at
    one of its schools, over the partnership itself, over an agency of its area or over its
    area; in name order."""
    memberships = Membership.objects.filter(
        Q(school__partnership_link__partnership=partnership)
        | Q(partnership=partnership)
        | Q(agency__area_id=partnership.area_id)
        | Q(area_id=partnership.area_id)
    )
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return (
        User.objects.filter(is_active=True, memberships__in=memberships)
        .distinct()
        .order_by("full_name", "email")
    )


def partnership_governors(partnership: Partnership) -> models.QuerySet[Any]:
    """The active users who keep the partnership's governance (as ``can_govern`` decides)."""
    return users_reaching_partnership(partnership, GOVERNANCE_ROLES)


def protocol_signers(protocol: Protocol) -> models.QuerySet[Any]:
    """The active users who can sign for a partner of this version of the protocol (as
    ``can_sign_for_agency`` and ``can_sign_for_school`` decide), in name order."""
    partners = list(protocol.partners.values_list("agency_id", "school_id"))
    agency_ids = [agency for agency, _ in partners if agency]
    school_ids = [school for _, school in partners if school]
    memberships = Membership.objects.filter(
        Q(agency_id__in=agency_ids) | Q(role=Role.HEAD_TEACHER, school_id__in=school_ids)
    )
    return (
        User.objects.filter(is_active=True, memberships__in=memberships)
        .distinct()
        .order_by("full_name", "email")
    )


# Stage 4: indicators, pupil surveys, evaluation and the annual report ---------------------------

# A school's survey rounds are run by its leaders, who print the codes and hand them out; whoever
# sees the school reads the results: counts of anonymous answers, small numbers suppressed.
POLICY[SurveyRound] = Rule(read=ALL_ROLES, write=SCHOOL_LEADERS)
# The area's survey questions are worded by its administrators and analysts.
SURVEY_QUESTION_ROLES = frozenset({Role.AREA_ADMIN, Role.LA_ANALYST})
# An evaluation holds no personal data: everyone who reaches the partnership reads it; the
# local authority's analysts, the police supervisors, the area's administrators and the
# partnership's governors make them.
EVALUATION_ROLES = GOVERNANCE_ROLES | {Role.LA_ANALYST, Role.POLICE_SUPERVISOR}
PARTNERSHIP_RECORDS[Evaluation] = "partnership"
POLICY[Evaluation] = Rule(read=ALL_ROLES, write=EVALUATION_ROLES)
# The annual report is the partnership's own account (counts only, no pupil identifiable): read
# by all who reach the partnership, written by those who keep its governance.
PARTNERSHIP_RECORDS[AnnualReport] = "partnership"
POLICY[AnnualReport] = Rule(read=ALL_ROLES, write=GOVERNANCE_ROLES)
# An area's dashboard (every school and partnership of the area) is for those who oversee the
# area: its analysts, the police supervisors and its administrators.
AREA_DASHBOARD_ROLES = PRIORITISATION_ROLES


def can_run_surveys(user: Any, school: School) -> bool:
    """Whether the user may open and close the school's survey rounds and print codes."""
    return _reaches_school(user, POLICY[SurveyRound].write, school)


def get_survey_round_for_user(
    user: Any, round_id: uuid.UUID | str, *, write: bool = False
) -> SurveyRound:
    """A survey round of a school the user sees (or, with ``write``, runs); else ``Http404``."""
    return _get(user, SurveyRound, write=write, id=round_id)


def survey_question_areas(user: Any) -> models.QuerySet[Area]:
    """The areas whose survey questions the user may word."""
    area_ids = _area_ids_reached(user, SURVEY_QUESTION_ROLES)
    return Area.objects.filter(pk__in=area_ids).order_by("name")


def get_survey_question_area_for_user(user: Any, area_id: uuid.UUID | str) -> Area:
    """The area if the user may word its survey questions; else ``Http404``."""
    return _get_from(survey_question_areas(user), "area", id=area_id)


def can_evaluate(user: Any, partnership: Partnership) -> bool:
    """Whether the user may make an evaluation of the partnership."""
    condition = _partnership_condition(_reach(user, EVALUATION_ROLES))
    return Partnership.objects.filter(condition, pk=partnership.pk).exists()


def get_evaluation_for_user(user: Any, evaluation_id: uuid.UUID | str) -> Evaluation:
    """An evaluation of a partnership the user reaches; else ``Http404``."""
    return _get(user, Evaluation, write=False, id=evaluation_id)


def dashboard_areas(user: Any) -> models.QuerySet[Area]:
    """The areas whose dashboard the user may read."""
    area_ids = _area_ids_reached(user, AREA_DASHBOARD_ROLES)
    return Area.objects.filter(pk__in=area_ids).order_by("name")


def get_dashboard_area_for_user(user: Any, area_id: uuid.UUID | str) -> Area:
    """The area if the user may read its dashboard; else ``Http404``."""
    return _get_from(dashboard_areas(user), "area", id=area_id)
