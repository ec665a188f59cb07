"""The staff side of pupils' reports: the inbox, a report and every step taken on it, its photos,
the export, the counts, and each area's triage settings and safety advice.

Every report is fetched through the access policy (out of scope is "not found"), every read is
audited, and every step is a service call that writes the timeline and the audit log.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saferschools.casework import selectors as casework_selectors
from saferschools.casework.models import Pupil, year_group_label
from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many, audit_source
from saferschools.core.models import Area, AuditAction, School
from saferschools.core.selectors import handles_reports
from saferschools.incidents import selectors as incident_selectors
from saferschools.lib.csvfile import csv_cell
from saferschools.lib.markdown import markdown_render

from . import selectors, services, triage
from .forms import (
    AssignForm,
    CloseForm,
    ConfirmForm,
    ExportForm,
    InboxFilterForm,
    NoteForm,
    ReplyForm,
    ReportingSettingsForm,
    SafetyTopicForm,
)
from .models import (
    ESCALATE_MINUTES_DEFAULT,
    Category,
    EntryKind,
    Report,
    ReportingSettings,
    ReportPhoto,
    Status,
    UrgentReason,
)
from .photos import MAX_PHOTOS

INBOX_PAGE_SIZE = 50
PUPIL_SEARCH_LIMIT = 20
STATUS_TAGS = {
    Status.NEW: "govuk-tag--blue",
    Status.ACKNOWLEDGED: "govuk-tag--yellow",
    Status.CLOSED: "govuk-tag--grey",
}


def _reason_labels(report: Report) -> list[str]:
    labels = dict(UrgentReason.choices)
    return [labels.get(code, code) for code in report.urgent_reasons or []]


def _report_schools(user: Any) -> list[School]:
    return list(access.schools_handling_reports(user))


def _require_handler(user: Any) -> None:
    if not handles_reports(user=user):
        raise Http404("No reports found.")


# The inbox ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    report: Report
    reasons: list[str]
    status_tag: str


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    _require_handler(request.user)
    form = InboxFilterForm(request.GET, schools=_report_schools(request.user))
    if not form.is_valid():
        return render(request, "reporting/inbox.html", {"form": form, "page": None}, status=400)
    # What the pupil wrote is not shown in the list: it stays in the database.
    reports = selectors.report_inbox(user=request.user, **form.filters()).defer("description")
    page = Paginator(reports, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    query = form.query()
    context = {
        "form": form,
        "page": page,
        "rows": [
            InboxRow(report, _reason_labels(report), STATUS_TAGS[Status(report.status)])
            for report in page
        ],
        "query": urlencode(query),
        "filters": query,
    }
    # htmx asks for the results alone when a filter changes; without JavaScript the form is
    # submitted and the whole page comes back.
    template = (
        "reporting/_inbox_results.html"
        if request.headers.get("HX-Request")
        else "reporting/inbox.html"
    )
    return render(request, template, context)


# The export --------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "reference",
    "id",
    "school URN",
    "school",
    "category",
    "location",
    "received",
    "urgent",
    "urgent reasons",
    "status",
    "acknowledged at",
    "due at",
    "overdue",
    "assigned to",
    "closed at",
    "outcome",
]
# Those who oversee schools' reports without handling them (the steering group, analysts) get
# the register alone: nobody's name, not even the colleague who holds a report.
REGISTER_COLUMNS = [column for column in EXPORT_COLUMNS if column != "assigned to"]
NAME_COLUMNS = ["pupil name", "year group"]


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _export_row(report: Report, columns: list[str], include_names: bool) -> list[str]:
    handled = getattr(report, "handled", False)
    assignee = report.assigned_to if handled else None
    values: dict[str, object] = {
        "reference": report.reference,
        "id": report.pk,
        "school URN": report.school.urn,
        "school": report.school.name,
        "category": report.get_category_display(),
        "location": report.get_location_display(),
        "received": _when(report.received_at),
        "urgent": "yes" if report.urgent else "no",
        "urgent reasons": "; ".join(_reason_labels(report)),
        "status": report.get_status_display(),
        "acknowledged at": _when(report.acknowledged_at),
        "due at": _when(report.due_at),
        "overdue": "yes" if getattr(report, "is_overdue", False) else "no",
        "assigned to": (assignee.full_name or assignee.email) if assignee else "",
        "closed at": _when(report.closed_at),
        "outcome": report.get_outcome_display() if report.outcome else "",
    }
    row = [values[column] for column in columns]
    if include_names:
        # Only reached when every exported report is one the user handles.
        row += [report.pupil_name, year_group_label(report.year_group)]
    return [csv_cell(value) for value in row]


def _export_refused(request: HttpRequest, form: ExportForm, handler: bool) -> HttpResponse:
    """The download form again with its errors, having exported nothing."""
    return render(request, "reporting/export.html", {"form": form, "handler": handler}, status=400)


@login_required
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The report register as CSV, with the inbox's filters; never what a pupil wrote.

    Those who handle reports download their inbox, with the names pupils gave if they ask;
    the steering group and analysts download the register rows of their partnership schools,
    without any name (``access.scope_report_register``).
    """
    user = request.user
    if not access.can_export_reports(user):
        raise Http404("No reports found.")
    handler = handles_reports(user=user)
    form = ExportForm(
        request.GET, schools=access.report_register_schools(user), names_allowed=handler
    )
    if not form.is_valid():
        return _export_refused(request, form, handler)
    include_names = form.cleaned_data["include_names"]
    reports = list(selectors.report_register(user=user, names=include_names, **form.filters()))
    if include_names and not all(getattr(report, "handled", False) for report in reports):
        form.add_error(
            "include_names",
            "Names are only for the reports you handle: choose one of your own schools, or "
            "leave names out",
        )
        return _export_refused(request, form, handler)
    audit_record_many(
        actor=user,
        action=AuditAction.EXPORT,
        source=audit_source(request),
        objects=reports,
        detail={"format": "csv", "names": include_names},
    )
    columns = EXPORT_COLUMNS if handler else REGISTER_COLUMNS
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reports-{stamp}.csv"'
    # The byte-order mark makes spreadsheets read the file as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(columns + (NAME_COLUMNS if include_names else []))
    for report in reports:
        writer.writerow(_export_row(report, columns, include_names))
    return response


# Counts ------------------------------------------------------------------------------------

COUNT_PERIODS = {"term": "By term", "week": "By week (weeks start on Monday)"}


class CountsForm(forms.Form):
    by = forms.ChoiceField(
        label="Count",
        choices=list(COUNT_PERIODS.items()),
        required=False,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        error_messages={"invalid_choice": "Choose to count by term or by week"},
    )


@dataclass
class SchoolCounts:
    school: School
    rows: list[selectors.CountRow]


@login_required
@require_safe
def counts(request: HttpRequest) -> HttpResponse:
    """Reports per school, period and category; small counts hidden from those who may not
    see personal data at the school."""
    if not access.memberships_of(request.user):
        raise Http404("No schools found.")
    form = CountsForm(request.GET)
    if not form.is_valid():
        return render(request, "reporting/counts.html", {"form": form, "schools": []}, status=400)
    by = form.cleaned_data["by"] or "term"
    grouped: dict[Any, SchoolCounts] = {}
    for row in selectors.report_counts(user=request.user, by=by):
        grouped.setdefault(row.school.pk, SchoolCounts(row.school, [])).rows.append(row)
    return render(
        request,
        "reporting/counts.html",
        {
            "form": form,
            "by": by,
            "period_label": "Week beginning" if by == "week" else "Term",
            "schools": list(grouped.values()),
            "suppress_below": selectors.SUPPRESS_BELOW,
            "register": _register_download(request.user),
        },
    )


def _register_download(user: Any) -> dict[str, Any]:
    """The download of the list of reports, offered on the counts page to whoever may have it.

    The names pupils gave are never offered here: those who handle reports ask for them from
    their inbox.
    """
    if not access.can_export_reports(user):
        return {"form": None}
    form = ExportForm(
        schools=access.report_register_schools(user),
        names_allowed=False,
        initial={"status": "all"},
    )
    return {"form": form, "handler": handles_reports(user=user)}


# One report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryError:
    text: str
    href: str


def _errors_of(form: forms.Form, anchor: str) -> list[SummaryError]:
    """The form's errors for the error summary: each field's links to its input, the others
    to the form's section of the page."""
    errors = [SummaryError(str(text), f"#{anchor}") for text in form.non_field_errors()]
    for bound in form:
        target = bound.id_for_label or f"{bound.auto_id}_0"
        errors += [SummaryError(str(text), f"#{target}") for text in bound.errors]
    return errors


def _add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put the service's errors on the form: on the field of that name, else on the form."""
    for field, texts in error.message_dict.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


THUMBNAIL_WIDTH = 300


def _thumbnail(photo: ReportPhoto) -> tuple[int, int]:
    """A display size that fits a phone's screen, keeping the photo's proportions."""
    width = min(photo.width, THUMBNAIL_WIDTH) or 1
    return width, max(1, round(photo.height * width / max(photo.width, 1)))


@dataclass
class ReportForms:
    """The forms of a report's page; the one that failed is bound, with its errors."""

    acknowledge: forms.Form
    assign: AssignForm
    reply: ReplyForm
    note: NoteForm
    close: CloseForm
    reopen: forms.Form


# Where each form's errors are linked from the summary when they belong to no field.
ANCHORS = {
    "acknowledge": "acknowledge",
    "assign": "assign_assignee",
    "reply": "reply_body",
    "note": "note_body",
    "close": "close_outcome_0",
    "reopen": "reopen",
    "link": "pupil-search",
}


def _report_page(
    request: HttpRequest,
    report: Report,
    *,
    failed: str = "",
    failed_form: forms.Form | None = None,
    link_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    assignees = list(selectors.report_assignees(report=report))
    page_forms = ReportForms(
        acknowledge=ConfirmForm(),
        assign=AssignForm(
            initial={"assignee": str(report.assigned_to_id or "")}, assignees=assignees
        ),
        reply=ReplyForm(),
        note=NoteForm(),
        close=CloseForm(),
        reopen=ConfirmForm(),
    )
    summary: list[SummaryError] = []
    if failed_form is not None:
        setattr(page_forms, failed, failed_form)
        summary = _errors_of(failed_form, ANCHORS[failed])
    for text in link_errors or []:
        summary.append(SummaryError(text, f"#{ANCHORS['link']}"))

    source = audit_source(request)
    can_link = access.can_read_pupils(user, report.school)
    linked_pupil = None
    if report.pupil_id and can_link:
        linked_pupil = casework_selectors.pupil_get(
            user=user, pupil_id=report.pupil_id, source=source
        )
    pupil_query = ""
    pupil_results = None
    if can_link and request.method == "GET":
        pupil_query = request.GET.get("pupil_search", "").replace("\x00", "").strip()[:100]
        if pupil_query:
            found = casework_selectors.pupil_search(
                casework_selectors.pupil_list(user=user, school=report.school), pupil_query
            )
            # Names on screen are a read of personal data: each pupil listed is audited.
            pupil_results = casework_selectors.audit_listing(
                user=user, pupils=found[:PUPIL_SEARCH_LIMIT], source=source
            )
    # The incidents recorded from the report, for those who record incidents at the school.
    can_record_incident = access.can_record_incidents(user, report.school)
    incidents = None
    if can_record_incident:
        incidents = incident_selectors.incident_audit_listing(
            user=user,
            incidents=list(
                incident_selectors.incident_list(user=user, school=report.school)
                .filter(report=report)
                .prefetch_related("parties")
            ),
            source=source,
        )
    return render(
        request,
        "reporting/report.html",
        {
            "report": report,
            "can_record_incident": can_record_incident,
            "incidents": incidents,
            "status_tag": STATUS_TAGS[Status(report.status)],
            "reasons": _reason_labels(report),
            "year_group": year_group_label(report.year_group),
            "overdue": Report.objects.filter(selectors.overdue_condition(), pk=report.pk).exists(),
            "timeline": selectors.report_timeline(report=report),
            "note_kind": EntryKind.NOTE,
            "closed_kind": EntryKind.CLOSED,
            "photos": [
                (photo, *_thumbnail(photo))
                for photo in report.photos.defer("content").order_by("position")
            ],
            "forms": page_forms,
            "errors": summary,
            "failed": failed,
            "link_errors": link_errors or [],
            "can_link": can_link,
            "linked_pupil": linked_pupil,
            "pupil_query": pupil_query,
            "pupil_results": pupil_results,
            "search_limit": PUPIL_SEARCH_LIMIT,
            "is_closed": report.status == Status.CLOSED,
            "is_new": report.status == Status.NEW,
        },
        status=status,
    )


@login_required
@require_safe
def report_detail(request: HttpRequest, report_id: str) -> HttpResponse:
    report = selectors.report_get(
        user=request.user, report_id=report_id, source=audit_source(request)
    )
    return _report_page(request, report)


def _audited_view(request: HttpRequest, report: Report) -> None:
    """Showing the report again, with an error, is a read of it like any other."""
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        source=audit_source(request),
        object_type=services.AUDIT_TYPE,
        object_id=str(report.pk),
    )


def _writable(request: HttpRequest, report_id: str) -> Report:
    """The report, if the user may act on it; else ``Http404``."""
    return access.get_report_for_user(request.user, report_id, write=True)


def _step(
    request: HttpRequest,
    report: Report,
    *,
    name: str,
    form: forms.Form,
    run: Callable[[Report, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Validate the form, run the service and go back to the report with ``done``; on any error
    show the report again with the error summary, having changed nothing."""
    if form.is_valid():
        try:
            run(report, form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("reporting-report", report_id=report.pk)
    _audited_view(request, report)
    report.refresh_from_db()
    return _report_page(request, report, failed=name, failed_form=form, status=400)


@login_required
@require_POST
def acknowledge(request: HttpRequest, report_id: str) -> HttpResponse:
    return _step(
        request,
        _writable(request, report_id),
        name="acknowledge",
        form=ConfirmForm(request.POST),
        run=lambda report, data: services.report_acknowledge(
            actor=request.user, report=report, source=audit_source(request)
        ),
        done="Report acknowledged.",
    )


@login_required
@require_POST
def assign(request: HttpRequest, report_id: str) -> HttpResponse:
    report = _writable(request, report_id)
    form = AssignForm(request.POST, assignees=selectors.report_assignees(report=report))
    return _step(
        request,
        report,
        name="assign",
        form=form,
        run=lambda report, data: services.report_assign(
            actor=request.user,
            report=report,
            assignee=data["assignee"],
            source=audit_source(request),
        ),
        done="Report assigned.",
    )


@login_required
@require_POST
def reply(request: HttpRequest, report_id: str) -> HttpResponse:
    return _step(
        request,
        _writable(request, report_id),
        name="reply",
        form=ReplyForm(request.POST),
        run=lambda report, data: services.report_reply(
            actor=request.user, report=report, body=data["body"], source=audit_source(request)
        ),
        done="Reply sent. The pupil sees it when they follow up with their receipt code.",
    )


@login_required
@require_POST
def note(request: HttpRequest, report_id: str) -> HttpResponse:
    return _step(
        request,
        _writable(request, report_id),
        name="note",
        form=NoteForm(request.POST),
        run=lambda report, data: services.report_add_note(
            actor=request.user, report=report, body=data["body"], source=audit_source(request)
        ),
        done="Note added.",
    )


@login_required
@require_POST
def close(request: HttpRequest, report_id: str) -> HttpResponse:
    return _step(
        request,
        _writable(request, report_id),
        name="close",
        form=CloseForm(request.POST),
        run=lambda report, data: services.report_close(
            actor=request.user,
            report=report,
            outcome=data["outcome"],
            note=data["note"],
            source=audit_source(request),
        ),
        done="Report closed.",
    )


@login_required
@require_POST
def reopen(request: HttpRequest, report_id: str) -> HttpResponse:
    return _step(
        request,
        _writable(request, report_id),
        name="reopen",
        form=ConfirmForm(request.POST),
        run=lambda report, data: services.report_reopen(
            actor=request.user, report=report, source=audit_source(request)
        ),
        done="Report reopened. It needs an outcome again.",
    )


def _chosen_pupil(user: Any, report: Report, value: str) -> Pupil:
    """The pupil of the report's school chosen on the form, if the user may see them."""
    pupils = casework_selectors.pupil_list(user=user, school=report.school, on_roll=None)
    try:
        found = pupils.filter(pk=value).first() if value else None
    except (ValidationError, ValueError):
        found = None
    if found is None:
        raise ValidationError({"pupil": "Choose a pupil of the school from the search results"})
    return found


@login_required
@require_POST
def link_pupil(request: HttpRequest, report_id: str) -> HttpResponse:
    """Link the report to a pupil's record (the ``pupil`` chosen), or unlink it (``unlink``)."""
    report = _writable(request, report_id)
    if not access.can_read_pupils(request.user, report.school):
        raise Http404("No pupils found.")
    unlink = bool(request.POST.get("unlink"))
    try:
        pupil = None if unlink else _chosen_pupil(request.user, report, request.POST["pupil"])
        services.report_link_pupil(
            actor=request.user, report=report, pupil=pupil, source=audit_source(request)
        )
    except KeyError:
        problems = ["Choose a pupil of the school from the search results"]
    except ValidationError as error:
        problems = [text for texts in error.message_dict.values() for text in texts]
    else:
        messages.success(request, "Link removed." if unlink else "Report linked to the pupil.")
        return redirect("reporting-report", report_id=report.pk)
    _audited_view(request, report)
    report.refresh_from_db()
    return _report_page(request, report, link_errors=problems, status=400)


@login_required
@require_safe
def photo(request: HttpRequest, report_id: str, position: int) -> HttpResponse:
    """A photo sent with a report, for those who may read the report; each look is audited."""
    report = access.get_report_for_user(request.user, report_id)
    found = (
        ReportPhoto.objects.filter(report=report, position=position).first()
        if 1 <= position <= MAX_PHOTOS
        else None
    )
    if found is None:
        raise Http404("No photo found.")
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        source=audit_source(request),
        object_type=services.AUDIT_TYPE,
        object_id=str(report.pk),
        detail={"photo": position},
    )
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    extension = "png" if found.content_type == "image/png" else "jpg"
    response["Content-Disposition"] = (
        f'inline; filename="report-{report.reference}-photo-{position}.{extension}"'
    )
    return response


# The area's settings and safety advice ----------------------------------------------------


def _area_for(user: Any, area_id: str, may: Callable[[Any, Area], bool]) -> Area:
    """The area, if ``may`` lets the user change this part of its reporting; else ``Http404``."""
    area = access.get_area_for_user(user, area_id)
    if not may(user, area):
        raise Http404("No area found.")
    return area


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def area_settings(request: HttpRequest, area_id: str) -> HttpResponse:
    area = _area_for(request.user, area_id, access.can_configure_triage)
    if request.method == "POST":
        form = ReportingSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.reporting_settings_update(
                    actor=request.user,
                    area=area,
                    cue_words=form.cleaned_data["cue_words"],
                    escalate_after_minutes=form.cleaned_data["escalate_after_minutes"],
                    source=audit_source(request),
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, "Reporting settings saved.")
                return redirect("reporting-settings", area_id=area.pk)
    else:
        # Shown without being stored: the area's settings are made when first saved or used.
        current = ReportingSettings.objects.filter(area=area).first()
        form = ReportingSettingsForm(
            initial={
                "cue_words": current.cue_words if current else "\n".join(triage.DEFAULT_CUE_WORDS),
                "escalate_after_minutes": current.escalate_after_minutes
                if current
                else ESCALATE_MINUTES_DEFAULT,
            }
        )
    return render(
        request,
        "reporting/area_settings.html",
        {"area": area, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def topic_list(request: HttpRequest, area_id: str) -> HttpResponse:
    area = _area_for(request.user, area_id, access.can_edit_safety_advice)
    return render(
        request,
        "reporting/topic_list.html",
        {
            "area": area,
            "topics": selectors.safety_topics(area=area),
            # Leaders edit the advice; only the area's administrators change the settings.
            "can_configure": access.can_configure_triage(request.user, area),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def topic_edit(request: HttpRequest, area_id: str, category: str) -> HttpResponse:
    area = _area_for(request.user, area_id, access.can_edit_safety_advice)
    topic = selectors.safety_topic(area=area, category=category)
    if topic is None:
        raise Http404("No topic found.")
    action = request.POST.get("action", "save")
    preview = None
    if request.method == "POST" and action == "reset":
        had_own = services.safety_topic_reset(
            actor=request.user, area=area, category=category, source=audit_source(request)
        )
        messages.success(
            request,
            "The standard advice is shown again."
            if had_own
            else "The standard advice was already shown.",
        )
        return redirect("reporting-edit-topic", area_id=area.pk, category=category)
    if request.method == "POST":
        form = SafetyTopicForm(request.POST)
        if form.is_valid() and action == "preview":
            preview = markdown_render(form.cleaned_data["body"])
        elif form.is_valid():
            try:
                services.safety_topic_save(
                    actor=request.user,
                    area=area,
                    category=category,
                    source=audit_source(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, f"Advice on “{Category(category).label}” saved.")
                return redirect("reporting-edit-topic", area_id=area.pk, category=category)
    else:
        form = SafetyTopicForm(
            initial={"title": topic.title, "summary": topic.summary, "body": topic.body}
        )
        preview = markdown_render(topic.body)
    return render(
        request,
        "reporting/topic_edit.html",
        {"area": area, "topic": topic, "form": form, "preview": preview},
        status=400 if form.errors else 200,
    )
