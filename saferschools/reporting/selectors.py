"""Reads of pupils' reports, always starting from the access policy, and of safety advice."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from saferschools.accounts.models import PERSONAL_DATA_ROLES
from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import Area, AuditAction, School
from saferschools.lib.schooldays import LONDON, term_bounds, term_label, term_of, week_start

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
    return _inbox_order(
        _filtered(
            reports,
            user=user,
            status=status,
            category=category,
            school=school,
            overdue=overdue,
            assigned_to_me=assigned_to_me,
        )
    )


def report_register(
    *,
    user: Any,
    status: str = "",
    category: str = "",
    school: School | None = None,
    overdue: bool = False,
    assigned_to_me: bool = False,
    names: bool = False,
) -> QuerySet[Report]:
    """The register rows of the reports the user may account for
    (``access.scope_report_register``), filtered and ordered as the inbox.

    Each report carries ``handled``: whether the user handles it, and so may see the name the
    pupil gave and who holds it. What the pupil wrote is never loaded, and the name and year
    group only when ``names`` is asked for.
    """
    handled = access.scope(user, Report).order_by().filter(pk=OuterRef("pk"))
    deferred = ["description", "occurred"] + ([] if names else ["pupil_name", "year_group"])
    reports = (
        access.scope_report_register(user)
        .select_related("school", "assigned_to")
        .defer(*deferred)
        .annotate(handled=Exists(handled))
    )
    return _inbox_order(
        _filtered(
            reports,
            user=user,
            status=status,
            category=category,
            school=school,
            overdue=overdue,
            assigned_to_me=assigned_to_me,
        )
    )


def _filtered(
    reports: QuerySet[Report],
    *,
    user: Any,
    status: str,
    category: str,
    school: School | None,
    overdue: bool,
    assigned_to_me: bool,
) -> QuerySet[Report]:
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
    return reports


def _inbox_order(reports: QuerySet[Report]) -> QuerySet[Report]:
    """Open urgent reports first, then the newest."""
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

# Why a count is hidden (``CountRow.suppressed_reason``).
SMALL = "small"  # from 1 to SUPPRESS_BELOW - 1
COMPLEMENTARY = "complementary"  # hidden with others so that a small one cannot be worked out


@dataclass
class CountRow:
    school: School
    period: str
    category: str
    count: int | None  # None: suppressed
    suppressed_reason: str = ""  # SMALL or COMPLEMENTARY when ``count`` is None

    @property
    def category_label(self) -> str:
        return Category(self.category).label


def report_counts(
    *, user: Any, by: str = "term", since: date | None = None, area: Area | None = None
) -> list[CountRow]:
    """Reports per school, period (``week`` or ``term``) and category, for the schools the user
    can see, in order of school, then time, then category. Only counts above zero have a row.

    A week (Monday to Sunday, UK time) belongs to the term its Monday falls in, in both views:
    a term's count is the sum of its weeks' counts, so a week that runs into a new term cannot
    be split by setting the two views side by side. ``since`` picks whole periods: the week, or
    the term, holding it and those after.

    Where the user has no personal-data role at a school, a small count could point to a child
    and is hidden (``count`` None). Each school, category and term is decided on its own, from
    its whole term whatever ``since`` says, so that no two calls show different parts of it:

    * a count from 1 to 4, of a week or of a term, is hidden (reason ``small``);
    * in the week view, the term's total (shown in the term view when 5 or more) less the weeks
      shown is the sum of the hidden weeks, each at least 1 (a week with no row had none) and at
      most 4. When that pins one of them — a single hidden week, or several that are all 1 or
      all 4 — the smallest other week with a count is hidden too (the earliest of equals), and
      every hidden week of that term says ``complementary`` instead, not telling which is the
      small one. Two or more small weeks of any other mix are left as they are;
    * in the term view, a total of 5 or more whose weeks are all from 1 to 4 is hidden
      (``complementary``): there is no other week to hide with them, and the total would pin
      them when they are all 1 or all 4. It is hidden whatever they are, so that its being
      hidden does not tell which.

    Users who handle the school's reports or may see its pupils' records (its safeguarding
    lead, head teacher, SSP officer) see every count.

    What remains, for someone who knows these rules: a hidden pair is narrowed by them — the
    other week hidden is the smallest not shown as small, so it is no larger than any week shown
    in that term; where a shown week has the same count, the earliest-of-equals rule can tell
    which hidden week is the small one. And a term whose only reports of a category were one
    in each of four weeks shows four small weeks in a term whose total is small: each must be 1.
    """
    schools = access.scope(user, School).filter(partnership_link__isnull=False)
    if area is not None:
        schools = schools.filter(area=area)
    schools_by_id = {school.pk: school for school in schools.select_related("area")}
    reports = Report.objects.filter(school_id__in=schools_by_id)
    first_week = None
    if since is not None:
        first_week = week_start(since)
        reports = reports.filter(
            received_at__gte=datetime.combine(
                _first_monday(term_of(first_week)), datetime.min.time(), LONDON
            )
        )
    daily = (
        reports.annotate(day=TruncDate("received_at", tzinfo=LONDON))
        .values("school_id", "day", "category")
        .annotate(n=Count("id"))
    )
    # The weeks' counts of each school, category and term.
    terms: dict[tuple[Any, str, tuple[int, int]], dict[date, int]] = {}
    for row in daily:
        monday = week_start(row["day"])
        weeks = terms.setdefault((row["school_id"], row["category"], term_of(monday)), {})
        weeks[monday] = weeks.get(monday, 0) + row["n"]
    full_view: dict[Any, bool] = {}
    # Periods are kept as dates or (year, term) for sorting, so that rows come in time order.
    keyed: list[tuple[tuple[Any, ...], CountRow]] = []
    for (school_id, category, term), weeks in terms.items():
        school = schools_by_id[school_id]
        hidden: dict[date, str] = {}
        term_hidden = ""
        if any(_is_small(n) for n in weeks.values()):
            if school_id not in full_view:
                full_view[school_id] = _sees_personal_data_at(user, school)
            if not full_view[school_id]:
                hidden, term_hidden = _hidden_counts(weeks)
        order = (school.name, str(school.pk))
        if by == "week":
            for monday, n in weeks.items():
                if first_week is not None and monday < first_week:
                    continue
                reason = hidden.get(monday, "")
                week_row = CountRow(
                    school, monday.isoformat(), category, None if reason else n, reason
                )
                keyed.append(((*order, monday, category), week_row))
        else:
            total = None if term_hidden else sum(weeks.values())
            term_row = CountRow(school, term_label(term), category, total, term_hidden)
            keyed.append(((*order, term, category), term_row))
    keyed.sort(key=lambda item: item[0])
    return [row for _, row in keyed]


def _is_small(count: int) -> bool:
    return 0 < count < SUPPRESS_BELOW


def _hidden_counts(weeks: dict[date, int]) -> tuple[dict[date, str], str]:
    """For a viewer without personal data at the school: which of one school's, category's
    and term's weekly counts to hide, each with its reason, and the reason to hide the term's
    total ("" to show it). The rules are those of ``report_counts``."""
    small = [monday for monday, n in weeks.items() if _is_small(n)]
    if not small:
        return {}, ""
    total = sum(weeks.values())
    if total < SUPPRESS_BELOW:
        return dict.fromkeys(small, SMALL), SMALL
    others = sorted((n, monday) for monday, n in weeks.items() if n >= SUPPRESS_BELOW)
    if not others:
        return dict.fromkeys(small, SMALL), COMPLEMENTARY
    # The viewer knows the small weeks' sum, each week being from 1 to 4.
    small_sum = sum(weeks[monday] for monday in small)
    most = SUPPRESS_BELOW - 1
    if len(small) == 1 or small_sum in (len(small), most * len(small)):
        smallest_other = others[0][1]
        return dict.fromkeys([*small, smallest_other], COMPLEMENTARY), ""
    return dict.fromkeys(small, SMALL), ""


def _first_monday(term: tuple[int, int]) -> date:
    """The Monday of the term's first week: the first Monday on or after its first day."""
    first_day = term_bounds(term)[0]
    return first_day + timedelta(days=-first_day.weekday() % 7)


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
