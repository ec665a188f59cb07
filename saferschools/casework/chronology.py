"""A pupil's chronology: one timeline of everything about the pupil the viewer may see.

The entries come from the pupil's reports, the incidents naming them, their risk assessments,
early-intervention plans, referrals, the multi-agency meetings that discussed them, sharing
decisions, notifications from the police and moves between schools. Each kind is read with one
or two queries through the access policy, so a long record costs no more queries than a short
one. The school's case workers see every kind; a practitioner with a live grant sees the kinds
the grant names and the sharing decisions that grant them; anyone else gets ``Http404`` for the
pupil, as for a pupil who does not exist. An entry holds labels and dates, never what a pupil
wrote or what was said about them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse

from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction
from saferschools.incidents.models import Incident, IncidentParty
from saferschools.lib.schooldays import LONDON
from saferschools.reporting.models import Report
from saferschools.sharing.models import Decision, PoliceNotification, SharedItem, SharingDecision

from .models import (
    Meeting,
    MeetingPupil,
    Plan,
    PlanReview,
    PlanStatus,
    Pupil,
    PupilTransfer,
    Referral,
    ReferralStatus,
    ReferralUpdate,
    RiskAssessment,
    TransferStatus,
)
from .selectors import grant_detail

# Free text kept in an entry (a plan's outcome, a referral's) is cut to this length.
SUMMARY_TEXT_MAX = 200


class Kind(models.TextChoices):
    REPORT = "report", "Pupils' reports"
    INCIDENT = "incident", "Incidents"
    ASSESSMENT = "assessment", "Risk assessments"
    PLAN = "plan", "Early-intervention plans"
    REFERRAL = "referral", "Referrals"
    MEETING = "meeting", "Multi-agency meetings"
    SHARING_DECISION = "sharing_decision", "Sharing decisions"
    POLICE_NOTIFICATION = "police_notification", "Notifications from the police"
    TRANSFER = "transfer", "Moving school"


# The kind of entry each item of a sharing decision opens to an agency's practitioners.
GRANTED_KINDS: dict[str, Kind] = {
    SharedItem.REPORTS: Kind.REPORT,
    SharedItem.INCIDENTS: Kind.INCIDENT,
    SharedItem.ASSESSMENTS: Kind.ASSESSMENT,
    SharedItem.PLANS: Kind.PLAN,
    SharedItem.REFERRALS: Kind.REFERRAL,
    SharedItem.MEETINGS: Kind.MEETING,
    SharedItem.NOTIFICATIONS: Kind.POLICE_NOTIFICATION,
}

# The page of each kind's record; practitioners are not sent to the pages of reports and
# incidents, which only the school's case workers open.
PAGES: dict[Kind, str] = {
    Kind.REPORT: "reporting-report",
    Kind.INCIDENT: "incidents-incident",
    Kind.ASSESSMENT: "casework-assessment",
    Kind.PLAN: "casework-plan",
    Kind.REFERRAL: "casework-referral",
    Kind.MEETING: "casework-meeting",
    Kind.SHARING_DECISION: "sharing-decision",
    Kind.POLICE_NOTIFICATION: "sharing-police-notification",
    Kind.TRANSFER: "casework-transfer",
}
SCHOOL_ONLY_PAGES = frozenset({Kind.REPORT, Kind.INCIDENT, Kind.TRANSFER})


@dataclass(frozen=True)
class Entry:
    """One event of the pupil's record: when, what kind, a summary in words, the id of the
    record it belongs to (the plan, for a plan's review) and that record's page, if the viewer
    may open it. ``date_only`` marks an event known by its day alone."""

    at: datetime
    kind: str
    summary: str
    id: str
    url: str = ""
    date_only: bool = False

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def day(self) -> date:
        return self.at.astimezone(LONDON).date()


@dataclass(frozen=True)
class Viewer:
    """What of a pupil's chronology a user sees."""

    kinds: tuple[Kind, ...]
    case_worker: bool


def chronology_viewer(*, user: Any, pupil: Pupil) -> Viewer:
    """The kinds of entry the user sees for this pupil: every kind for the school's case
    workers (pupils' reports for those who handle the school's reports, moves between schools
    for its leaders), else the kinds their live grants name, with the sharing decisions.
    The caller has fetched the pupil with ``access.get_casework_pupil_for_user``."""
    items = access.granted_items(user, pupil)
    if items is None:
        kinds = [
            kind
            for kind in Kind
            if (kind != Kind.REPORT or access.can_handle_reports(user, pupil.school))
            and (kind != Kind.TRANSFER or access.can_manage_pupils(user, pupil.school))
        ]
        return Viewer(tuple(kinds), case_worker=True)
    granted = {GRANTED_KINDS[item] for item in items if item in GRANTED_KINDS}
    kinds = [kind for kind in Kind if kind in granted or kind == Kind.SHARING_DECISION]
    return Viewer(tuple(kinds), case_worker=False)


def chronology_entries(
    *,
    user: Any,
    pupil: Pupil,
    viewer: Viewer | None = None,
    kinds: Iterable[str] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[Entry]:
    """The pupil's chronology as the user may see it, newest first: of the ``kinds`` asked
    for (all the user sees, if none), from the start of ``since`` to the end of ``until``
    (days in Europe/London). Not audited: the caller audits the read (``chronology_audit``)."""
    viewer = viewer or chronology_viewer(user=user, pupil=pupil)
    wanted = set(viewer.kinds) if kinds is None else set(viewer.kinds) & set(kinds)
    entries: list[Entry] = []
    for kind in viewer.kinds:
        if kind in wanted:
            entries.extend(_READERS[kind](user, pupil, viewer))
    if since is not None:
        entries = [e for e in entries if e.day >= since]
    if until is not None:
        entries = [e for e in entries if e.day <= until]
    entries.sort(key=lambda e: (e.at, e.kind, e.id, e.summary), reverse=True)
    return entries


def chronology_audit(*, user: Any, pupil: Pupil, source: str, export: str = "") -> None:
    """Audit a read of the pupil's chronology (or, with ``export`` naming the format, its
    export): one event on the pupil, naming the grant through which the user reads it."""
    detail: dict[str, Any] = {"chronology": True, **grant_detail(user, pupil)}
    if export:
        detail["format"] = export
    audit_record(
        actor=user,
        action=AuditAction.EXPORT if export else AuditAction.VIEW,
        source=source,
        obj=pupil,
        detail=detail,
    )


# Each kind's entries -------------------------------------------------------------------------


def _page(viewer: Viewer, kind: Kind, pk: Any) -> str:
    if kind in SCHOOL_ONLY_PAGES and not viewer.case_worker:
        return ""
    return reverse(PAGES[kind], args=[pk])


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_TEXT_MAX else text[: SUMMARY_TEXT_MAX - 1] + "…"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LONDON)


def _reports(user: Any, pupil: Pupil, viewer: Viewer) -> list[Entry]:
    # The school's handlers read its reports through the policy; a practitioner only through
    # a grant naming reports, which the viewer's kinds already say.
    reports = (access.scope(user, Report) if viewer.case_worker else Report.objects.all()).filter(
        pupil=pupil
    )
    entries = []
    for report in reports.order_by():
        status = report.get_status_display()
        if report.outcome:
            status += f" ({report.get_outcome_display()})"
        entries.append(
            Entry(
                at=report.received_at,
                kind=Kind.REPORT,
                summary=f"Pupil's report {report.reference}: {report.get_category_display()}; "
                f"{status.lower()}",
                id=str(report.pk),
                url=_page(viewer, Kind.REPORT, report.pk),
            )
        )
    return entries


def _incidents(user: Any, pupil: Pupil, viewer: Viewer) -> list[Entry]:
    parts = IncidentParty.objects.filter(pupil=pupil)
    if viewer.case_worker:
        parts = parts.filter(incident__in=access.scope(user, Incident).order_by().values("pk"))
    return [
        Entry(
            at=part.incident.occurred_at,
            kind=Kind.INCIDENT,
            summary=f"Incident {part.incident.reference}: {part.incident.get_category_display()}"
            f"; involved as {part.get_role_display().lower()}",
            id=str(part.incident_id),
            url=_page(viewer, Kind.INCIDENT, part.incident_id),
        )
        for part in parts.select_related("incident").order_by()
    ]


def _assessments(user: Any, pupil: Pupil, viewer: Viewer) -> list[Entry]:
    assessments = access.scope(user, RiskAssessment).filter(pupil=pupil).order_by()
    return [
        Entry(
            at=assessment.assessed_at,
            kind=Kind.ASSESSMENT,
            summary=f"Risk assessment: {assessment.get_level_display().lower()} risk",
            id=str(assessment.pk),
            url=_page(viewer, Kind.ASSESSMENT, assessment.pk),
        )
        for assessment in assessments
    ]


def _plans(user: Any, pupil: Pupil, viewer: Viewer) -> list[Entry]:
    plans = access.scope(user, Plan).filter(pupil=pupil)
    entries = []
    for plan in plans.order_by():
        url = _page(viewer, Kind.PLAN, plan.pk)
        entries.append(
            Entry(plan.opened_at, Kind.PLAN, "Early-intervention plan opened", str(plan.pk), url)
        )
        if plan.status == PlanStatus.CLOSED and plan.closed_at is not None:
            summary = "Early-intervention plan closed"
            if plan.outcome:
                summary += f": {_cut(plan.outcome)}"
            entries.append(Entry(plan.closed_at, Kind.PLAN, summary, str(plan.pk), url))
    reviews = PlanReview.objects.filter(plan__in=plans.order_by().values("pk")).order_by()
    for review in reviews:
        entries.append(
            Entry(
                at=_start_of(review.held_on),
                kind=Kind.PLAN,
                summary="Early-intervention plan reviewed",
                id=str(review.plan_id),
                url=_page(viewer, Kind.PLAN, review.plan_id),
                date_only=True,
            )
        )
    return entries


def _referrals(user: Any, pupil: Pupil, viewer: Viewer) -> list[Entry]:
    referrals = access.scope(user, Referral).filter(pupil=pupil)
    entries = []
    agencies: dict[Any, str] = {}
    for referral in referrals.select_related("agency").order_by():
        agencies[referral.pk] = referral.agency.name
        entries.append(
            Entry(
                at=referral.referred_at,
                kind=Kind.REFERRAL,
                summary=f"Referred to {referral.agency.name} "
                f"({referral.get_service_display().lower()})",
                id=str(referral.pk),
                url=_page(viewer, Kind.REFERRAL, referral.pk),
            )
        )
    # The referral's own entry records its sending; its history holds the answers.
    updates = ReferralUpdate.objects.filter(referral__in=referrals.order_by().values("pk")).exclude(
        status=ReferralStatus.SENT
    )
    for update in updates.order_by():
        summary = f"Referral to {agencies[update.referral_id]}: {update.get_status_display()}"
        if update.outcome:
            summary += f": {_cut(update.outcome)}"
        entries.append(
            Entry(
                update.at,
                Kind.REFERRAL,
                summary,
                str(update.referral_id),
                _page(viewer, Kind.REFERRAL, update.referral_id),
            )
        )
    return entries


def _meetings(user: Any, pupil: Pupil, viewer: Viewer) -> list[Entry]:
    discussed = MeetingPupil.objects.filter(
        pupil=pupil, meeting__in=access.scope(user, Meeting).order_by().values("pk")
    ).select_related("meeting")
    return [
        Entry(
            at=item.meeting.held_at,
            kind=Kind.MEETING,
            summary=f"Discussed at a multi-agency meeting: {item.meeting.title}",
            id=str(item.meeting_id),
            url=_page(viewer, Kind.MEETING, item.meeting_id),
        )
        for item in discussed.order_by()
    ]


def _sharing_decisions(user: Any, pupil: Pupil, viewer: Viewer) -> list[Entry]:
    decisions = (
        access.scope(user, SharingDecision)
        .filter(pupil=pupil)
        .select_related("agency", "practitioner")
        .order_by()
    )
    entries = []
    for decision in decisions:
        url = _page(viewer, Kind.SHARING_DECISION, decision.pk)
        recipient = decision.agency.name
        if decision.practitioner is not None:
            name = decision.practitioner.full_name or decision.practitioner.email
            recipient += f" ({name})"
        if decision.decision == Decision.SHARE:
            items = ", ".join(
                SharedItem(item).label.lower()
                for item in decision.items or []
                if item in SharedItem.values
            )
            summary = f"Decided to share with {recipient}"
            if items:
                summary += f": {items}"
            if decision.expires_on is not None:
                last_day = decision.expires_on - timedelta(days=1)
                summary += f"; access until the end of {last_day.day} {last_day:%B %Y}"
        else:
            summary = f"Decided not to share with {recipient}"
        entries.append(
            Entry(decision.decided_at, Kind.SHARING_DECISION, summary, str(decision.pk), url)
        )
        if decision.revoked_at is not None:
            entries.append(
                Entry(
                    decision.revoked_at,
                    Kind.SHARING_DECISION,
                    f"Sharing with {recipient} revoked",
                    str(decision.pk),
                    url,
                )
            )
    return entries


def _police_notifications(user: Any, pupil: Pupil, viewer: Viewer) -> list[Entry]:
    notifications = access.scope(user, PoliceNotification).filter(pupil=pupil).order_by()
    entries = []
    for notification in notifications:
        url = _page(viewer, Kind.POLICE_NOTIFICATION, notification.pk)
        entries.append(
            Entry(
                notification.recorded_at,
                Kind.POLICE_NOTIFICATION,
                f"Notification from the police: {notification.get_kind_display().lower()}",
                str(notification.pk),
                url,
            )
        )
        if notification.acknowledged_at is not None:
            entries.append(
                Entry(
                    notification.acknowledged_at,
                    Kind.POLICE_NOTIFICATION,
                    "Notification from the police read by the school, and the support given "
                    "recorded",
                    str(notification.pk),
                    url,
                )
            )
    return entries


def _transfers(user: Any, pupil: Pupil, viewer: Viewer) -> list[Entry]:
    transfers = (
        access.scope(user, PupilTransfer)
        .filter(Q(pupil=pupil) | Q(received_pupil=pupil))
        .select_related("from_school", "to_school")
        .order_by()
    )
    entries = []
    for transfer in transfers:
        url = _page(viewer, Kind.TRANSFER, transfer.pk)
        pk = str(transfer.pk)
        if transfer.received_pupil_id == pupil.pk:
            if transfer.confirmed_at is not None:
                entries.append(
                    Entry(
                        transfer.confirmed_at,
                        Kind.TRANSFER,
                        f"Safeguarding record received from {transfer.from_school.name}",
                        pk,
                        url,
                    )
                )
            continue
        if transfer.status == TransferStatus.EXPORTED:
            sent = f"Safeguarding record exported as a sealed PDF for {transfer.to_school_name}"
        else:
            destination = transfer.to_school.name if transfer.to_school else ""
            sent = f"Safeguarding record sent to {destination}"
        sent += f" ({transfer.get_reason_display().lower()})"
        entries.append(Entry(transfer.sent_at, Kind.TRANSFER, sent, pk, url))
        if transfer.confirmed_at is not None and transfer.to_school is not None:
            entries.append(
                Entry(
                    transfer.confirmed_at,
                    Kind.TRANSFER,
                    f"Receipt confirmed by {transfer.to_school.name}",
                    pk,
                    url,
                )
            )
    return entries


_READERS: dict[Kind, Callable[[Any, Pupil, Viewer], list[Entry]]] = {
    Kind.REPORT: _reports,
    Kind.INCIDENT: _incidents,
    Kind.ASSESSMENT: _assessments,
    Kind.PLAN: _plans,
    Kind.REFERRAL: _referrals,
    Kind.MEETING: _meetings,
    Kind.SHARING_DECISION: _sharing_decisions,
    Kind.POLICE_NOTIFICATION: _police_notifications,
    Kind.TRANSFER: _transfers,
}
