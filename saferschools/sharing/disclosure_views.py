"""The disclosure log of a school or a partnership, for the data protection officer: every
sharing decision (shared or not), every referral made with one, and every notification
received from the police; with whom, when, on what basis and until when. As a page and as a
CSV file; showing or downloading lines is audited, one event per line.
"""

import csv
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import AuditAction, Partnership, School
from saferschools.lib.csvfile import csv_cell

from . import selectors
from .decision_forms import PeriodForm
from .models import LawfulBasis, SpecialCondition
from .selectors import KIND_DECISION, KIND_NOTIFICATION, KIND_REFERRAL, DisclosureEntry

PAGE_SIZE = 50
KIND_LABELS = {
    KIND_DECISION: "Sharing decision",
    KIND_REFERRAL: "Referral",
    KIND_NOTIFICATION: "Notification from the police",
}
# The page of each kind of line.
PAGES = {
    KIND_DECISION: "sharing-decision",
    KIND_REFERRAL: "casework-referral",
    KIND_NOTIFICATION: "sharing-police-notification",
}
# Who made each kind of line: decided, referred or notified.
BY_FIELDS = {
    KIND_DECISION: "decided_by",
    KIND_REFERRAL: "referred_by",
    KIND_NOTIFICATION: "recorded_by",
}
MOVED = "A pupil whose record has moved to another school"
# What the police wrote about a pupil is part of the pupil's record, which goes with them: the
# log keeps that a notification came, from whom and when, not what it said.
WITHHELD = "Not shown: the pupil's record has moved to another school"
CSV_COLUMNS = [
    "when",
    "what",
    "id",
    "school URN",
    "school",
    "pupil",
    "school's pupil id",
    "direction",
    "with or from",
    "decision",
    "information",
    "lawful basis",
    "condition",
    "consent",
    "access ends",
    "revoked at",
    "by",
]


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _person(user: Any) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _with_whom(entry: DisclosureEntry) -> str:
    obj: Any = entry.obj
    if entry.kind == KIND_NOTIFICATION:
        return f"The police ({_person(obj.recorded_by)})"
    practitioner = getattr(entry.decision, "practitioner", None)
    name = obj.agency.name
    return f"{name} ({_person(practitioner)})" if practitioner is not None else name


def _summary(entry: DisclosureEntry) -> dict[str, str]:
    """What a line says, as text: the page and the file show the same."""
    obj: Any = entry.obj
    decision = entry.decision
    if entry.kind == KIND_DECISION:
        outcome = obj.get_decision_display()
    elif entry.kind == KIND_REFERRAL:
        outcome = f"Referred ({obj.get_status_display().lower()})"
    else:
        outcome = "Acknowledged" if obj.acknowledged_at else "Not yet acknowledged"
    return {
        "what": KIND_LABELS[entry.kind],
        "direction": "Received" if entry.kind == KIND_NOTIFICATION else "Shared",
        "with": _with_whom(entry),
        "decision": outcome,
        "information": (
            decision.information
            if decision is not None
            else obj.summary
            if entry.pupil_shown
            else WITHHELD
        ),
        "lawful_basis": _label(LawfulBasis, decision.lawful_basis) if decision else "",
        "condition": _label(SpecialCondition, decision.special_condition) if decision else "",
        "consent": decision.get_consent_display() if decision else "",
        "until": f"{decision.expires_on:%Y-%m-%d}" if decision and decision.expires_on else "",
        "revoked": (
            timezone.localtime(decision.revoked_at).strftime("%Y-%m-%d %H:%M")
            if decision and decision.revoked_at
            else ""
        ),
        "by": _person(getattr(obj, BY_FIELDS[entry.kind])),
        # Pages about a pupil who has moved school are no longer the school's to open.
        "link": reverse(PAGES[entry.kind], args=[obj.pk]) if entry.pupil_shown else "",
    }


def _log_page(
    request: HttpRequest, *, schools: list[School], title: str, heading: dict[str, Any]
) -> HttpResponse:
    user = request.user
    form = PeriodForm(request.GET)
    context: dict[str, Any] = {"form": form, "title": title, "page": None, "rows": [], **heading}
    if not form.is_valid():
        return render(request, "sharing/disclosure_log.html", context, status=400)
    keys = selectors.disclosure_keys(
        schools=schools, since=form.cleaned_data["since"], until=form.cleaned_data["until"]
    )
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = selectors.disclosure_entries(user=user, keys=list(page))
    selectors.disclosure_audit(user=user, entries=entries, source=audit_source(request))
    query = urlencode(form.query())
    context.update(
        page=page,
        rows=[(entry, _summary(entry)) for entry in entries],
        query=query,
        download=f"{heading['download']}?{query}" if query else heading["download"],
        moved=MOVED,
        total=len(keys),
    )
    return render(request, "sharing/disclosure_log.html", context)


def _download(
    request: HttpRequest, *, schools: list[School], name: str, title: str, heading: dict[str, Any]
) -> HttpResponse:
    user = request.user
    form = PeriodForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "title": title, "page": None, "rows": [], **heading}
        return render(request, "sharing/disclosure_log.html", context, status=400)
    keys = selectors.disclosure_keys(
        schools=schools, since=form.cleaned_data["since"], until=form.cleaned_data["until"]
    )
    entries = selectors.disclosure_entries(user=user, keys=keys)
    selectors.disclosure_audit(
        user=user, entries=entries, source=audit_source(request), action=AuditAction.EXPORT
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="disclosure-log-{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    # The byte-order mark makes spreadsheets read the file as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        line = _summary(entry)
        pupil = entry.pupil
        writer.writerow(
            [
                csv_cell(value)
                for value in (
                    timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M"),
                    line["what"],
                    entry.obj.pk,
                    entry.school.urn,
                    entry.school.name,
                    pupil.name if entry.pupil_shown else MOVED,
                    pupil.school_pupil_id if entry.pupil_shown else "",
                    line["direction"],
                    line["with"],
                    line["decision"],
                    line["information"],
                    line["lawful_basis"],
                    line["condition"],
                    line["consent"],
                    line["until"],
                    line["revoked"],
                    line["by"],
                )
            ]
        )
    return response


def _school_log(user: Any, urn: int) -> School:
    """The school, if the user keeps its disclosure log; else ``Http404``."""
    school = access.get_school_for_user(user, urn)
    if not access.disclosure_log_schools(user).filter(pk=school.pk).exists():
        raise Http404("No school found.")
    return school


def _partnership_log(user: Any, partnership_id: str) -> tuple[Partnership, list[School]]:
    """The partnership and those of its schools whose log the user keeps; ``Http404`` when
    there are none."""
    partnership = access.get_partnership_for_user(user, partnership_id)
    schools = list(
        access.disclosure_log_schools(user).filter(partnership_link__partnership=partnership)
    )
    if not schools:
        raise Http404("No partnership found.")
    return partnership, schools


def _school_heading(school: School) -> tuple[str, dict[str, Any]]:
    return f"Disclosure log: {school.name}", {
        "caption": school.name,
        "back": reverse("core-school", args=[school.urn]),
        "back_text": f"Back to {school.name}",
        "download": reverse("sharing-school-disclosure-download", args=[school.urn]),
        "many_schools": False,
    }


def _partnership_heading(
    partnership: Partnership, schools: Iterable[School]
) -> tuple[str, dict[str, Any]]:
    return f"Disclosure log: {partnership.name}", {
        "caption": partnership.name,
        "schools": ", ".join(school.name for school in schools),
        "back": reverse("core-partnership", args=[partnership.pk]),
        "back_text": f"Back to {partnership.name}",
        "download": reverse("sharing-partnership-disclosure-download", args=[partnership.pk]),
        "many_schools": True,
    }


@login_required
@require_safe
def school_log(request: HttpRequest, urn: int) -> HttpResponse:
    school = _school_log(request.user, urn)
    title, heading = _school_heading(school)
    return _log_page(request, schools=[school], title=title, heading=heading)


@login_required
@require_safe
def school_log_download(request: HttpRequest, urn: int) -> HttpResponse:
    school = _school_log(request.user, urn)
    title, heading = _school_heading(school)
    return _download(request, schools=[school], name=str(school.urn), title=title, heading=heading)


@login_required
@require_safe
def partnership_log(request: HttpRequest, partnership_id: str) -> HttpResponse:
    partnership, schools = _partnership_log(request.user, partnership_id)
    title, heading = _partnership_heading(partnership, schools)
    return _log_page(request, schools=schools, title=title, heading=heading)


@login_required
@require_safe
def partnership_log_download(request: HttpRequest, partnership_id: str) -> HttpResponse:
    partnership, schools = _partnership_log(request.user, partnership_id)
    title, heading = _partnership_heading(partnership, schools)
    return _download(request, schools=schools, name="partnership", title=title, heading=heading)


urlpatterns: list[URLPattern] = [
    path("schools/<int:urn>/disclosure-log/", school_log, name="sharing-school-disclosure-log"),
    path(
        "schools/<int:urn>/disclosure-log/download/",
        school_log_download,
        name="sharing-school-disclosure-download",
    ),
    path(
        "partnerships/<uuid:partnership_id>/disclosure-log/",
        partnership_log,
        name="sharing-partnership-disclosure-log",
    ),
    path(
        "partnerships/<uuid:partnership_id>/disclosure-log/download/",
        partnership_log_download,
        name="sharing-partnership-disclosure-download",
    ),
]
