"""Reads of pupils' reports, always starting from the access policy, and of safety advice."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from saferschools.accounts.models import PERSONAL_DATA_ROLES
from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import Area, AuditAction, School
from saferschools.lib.schooldays import LONDON, term_label, term_of, week_start

from .models import (
    PUPIL_VISIBLE_KINDS,
    Category,
    Report,
    ReportEntry,
    SafetyTopic,
    Status,
)
from .receipts import receipt_digest, receipt_normalise
from .services import AUDIT_TYPE, report_mark_read

# Aggregates shown to roles without personal-data access leave out counts from 1 to 4.
SUPPRESS_BELOW = 5


def overdue_condition(now: datetime | None = None) -> Q:
    """Reports past due: not acknowledged by ``due_at``, or without an outcome by
    ``outcome_due_at``."""
    now = now or timezone.now()
    return Q(status=Status.NEW, due_at__lt=now) | (
        ~Q(status=Status.CLOSED) & Q(outcome_due_at__lt=now)
    )


def _with_flags(reports: QuerySet[Report]) -> QuerySet[Report]:
    now = timezone.now()
    return reports.annotate(
        is_overdue=Case(When(overdue_condition(now), then=Value(True)), default=Value(False)),
        open_urgent=Case(
            When(~Q(status=Status.CLOSED) & Q(urgent=True), then=Value(True)),
            default=Value(False),
        ),
    )


def report_inbox(
    *,
    user: Any,
    status: str = "",
    category: str = "",
    school: School | None = None,
    overdue: bool = False,
    assigned_to_me: bool = False,
) -> QuerySet[Report]:
    """The reports the user handles, open urgent ones first, then newest first."""
    reports = access.scope(user, Report).select_related("school", "assigned_to")
    if status == "open":
        reports = reports.exclude(status=Status.CLOSED)
    elif status:
        reports = reports.filter(status=status)
    if category:
        reports = reports.filter(category=category)
    if school is not None:
        reports = reports.filter(school=school)
    if overdue:
        reports = reports.filter(overdue_condition())
    if assigned_to_me:
        reports = reports.filter(assigned_to=user)
    return _with_flags(reports).order_by(F("open_urgent").desc(), "-received_at", "id")


def report_get(*, user: Any, report_id: Any, source: str, write: bool = False) -> Report:
    """Open one report: fetched through the access policy (``Http404`` when out of scope),
    the read audited, and the pupil's latest words marked as seen."""
    report = access.get_report_for_user(user, report_id, write=write)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        object_type=AUDIT_TYPE,
        object_id=str(report.pk),
    )
    if report.unread_by_school:
        report_mark_read(report=report)
    return report


def report_timeline(*, report: Report) -> QuerySet[ReportEntry]:
    """Every step of a report for staff, oldest first."""
    return report.entries.select_related("actor").order_by("at", "id")


def report_assignees(*, report: Report) -> QuerySet[Any]:
    """The colleagues a report can be given to: anyone working at its school."""
    return access.users_reaching_school(report.school, access.SCHOOL_ROLES)


def report_overdue(*, user: Any) -> QuerySet[Report]:
    """Open reports past due, for the safeguarding leads' and head teachers' landing pages."""
    return report_inbox(user=user, overdue=True)


def report_inbox_summary(*, user: Any) -> dict[str, int]:
    """Counts for a landing page: open, urgent and open, overdue, and unread."""
    reports = access.scope(user, Report).exclude(status=Status.CLOSED)
    return reports.aggregate(
        open=Count("id"),
        urgent=Count("id", filter=Q(urgent=True)),
        overdue=Count("id", filter=overdue_condition()),
        unread=Count("id", filter=Q(unread_by_school=True)),
        new=Count("id", filter=Q(status=Status.NEW)),
    )


# The pupil's side --------------------------------------------------------------------------


def followup_find(receipt: object) -> Report | None:
    """The report this receipt belongs to, or ``None`` alike for a wrong, malformed or expired
    receipt."""
    code = receipt_normalise(receipt)
    if code is None:
        return None
    report = Report.objects.select_related("school").filter(receipt_hash=receipt_digest(code))
    found = report.first()
    if found is None or receipt_expired(found):
        return None
    return found


def receipt_expired(report: Report) -> bool:
    """A receipt stops working ``RECEIPT_DAYS_AFTER_CLOSE`` days after its report closed."""
    return (
        report.status == Status.CLOSED
        and report.closed_at is not None
        and report.closed_at + timedelta(days=settings.RECEIPT_DAYS_AFTER_CLOSE) < timezone.now()
    )


def followup_messages(*, report: Report) -> QuerySet[ReportEntry]:
    """The conversation the pupil sees: their messages and the school's replies, no notes."""
    return report.entries.filter(kind__in=PUPIL_VISIBLE_KINDS).order_by("at", "id")


# Counts ----------------------------------------------------------------------------------


@dataclass
class CountRow:
    school: School
    period: str
    category: str
    count: int | None  # None: suppressed

    @property
    def category_label(self) -> str:
        return Category(self.category).label


def report_counts(
    *, user: Any, by: str = "term", since: date | None = None, area: Area | None = None
) -> list[CountRow]:
    """Reports per school, period (``week`` or ``term``) and category, for the schools the user
    can see. Counts of 1 to 4 are suppressed (``None``) for schools where the user has no
    personal-data role: a small count can point to a child."""
    schools = access.scope(user, School).filter(partnership_link__isnull=False)
    if area is not None:
        schools = schools.filter(area=area)
    schools_by_id = {school.pk: school for school in schools.select_related("area")}
    reports = Report.objects.filter(school_id__in=schools_by_id)
    if since is not None:
        reports = reports.filter(
            received_at__gte=datetime.combine(since, datetime.min.time(), LONDON)
        )
    daily = (
        reports.annotate(day=TruncDate("received_at", tzinfo=LONDON))
        .values("school_id", "day", "category")
        .annotate(n=Count("id"))
    )
    # Periods are kept as dates or (year, term) until the end, so that rows sort in time order.
    totals: dict[tuple[Any, Any, str], int] = {}
    for row in daily:
        day = row["day"]
        period = week_start(day) if by == "week" else term_of(day)
        key = (row["school_id"], period, row["category"])
        totals[key] = totals.get(key, 0) + row["n"]
    full_view: dict[Any, bool] = {}
    rows = []
    for (school_id, period, category), count in sorted(
        totals.items(), key=lambda item: (schools_by_id[item[0][0]].name, *item[0][1:])
    ):
        shown: int | None = count
        if 0 < count < SUPPRESS_BELOW:
            if school_id not in full_view:
                full_view[school_id] = _sees_personal_data_at(user, schools_by_id[school_id])
            if not full_view[school_id]:
                shown = None
        label = period.isoformat() if by == "week" else term_label(period)
        rows.append(CountRow(schools_by_id[school_id], label, category, shown))
    return rows


def _sees_personal_data_at(user: Any, school: School) -> bool:
    return access.can_handle_reports(user, school) or (
        bool(access.roles_of(user) & PERSONAL_DATA_ROLES) and access.can_read_pupils(user, school)
    )


# Safety topics ---------------------------------------------------------------------------

TOPICS_DIR = Path(__file__).resolve().parent / "topics"


@dataclass(frozen=True)
class Topic:
    category: str
    title: str
    summary: str
    body: str
    customised: bool = False

    @property
    def category_label(self) -> str:
        return Category(self.category).label


@cache
def default_topic(category: str) -> Topic:
    """The advice shipped for a category: ``topics/<category>.md``, whose first lines are
    ``title:`` and ``summary:``, then a blank line and the markdown body."""
    text = (TOPICS_DIR / f"{category}.md").read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n")
    fields = dict(line.split(":", 1) for line in head.splitlines())
    return Topic(category, fields["title"].strip(), fields["summary"].strip(), body.strip())


def safety_topics(*, area: Area) -> list[Topic]:
    """The area's advice for every category, its own where it has one, else the shipped one."""
    own = {topic.category: topic for topic in SafetyTopic.objects.filter(area=area)}
    topics = []
    for category in Category.values:
        if category in own:
            t = own[category]
            topics.append(Topic(category, t.title, t.summary, t.body, customised=True))
        else:
            topics.append(default_topic(category))
    return topics


def safety_topic(*, area: Area, category: str) -> Topic | None:
    if category not in Category.values:
        return None
    own = SafetyTopic.objects.filter(area=area, category=category).first()
    if own is not None:
        return Topic(category, own.title, own.summary, own.body, customised=True)
    return default_topic(category)
