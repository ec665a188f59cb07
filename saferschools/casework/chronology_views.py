"""The pupil's chronology: a page filtered by kind and dates, a printable PDF, a CSV for a lawful
request (a subject access request, a court), and the latest entries on the pupil's page.

The pupil is fetched through the access policy (``get_casework_pupil_for_user``): the school's
case workers and practitioners with a live grant; anyone else gets 404, as for a pupil who does
not exist. Every page, PDF and CSV is audited as one event on the pupil naming the grant used.
"""

import csv
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.incidents.forms import DateInputField
from saferschools.lib.csvfile import csv_cell
from saferschools.lib.pdf import pdf_render, pdf_response
from saferschools.lib.schooldays import LONDON

from .chronology import Entry, Kind, Viewer, chronology_audit, chronology_entries, chronology_viewer
from .models import Pupil

PAGE_SIZE = 50
PANEL_SIZE = 5
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
CSV_COLUMNS = ["pupil", "school", "date", "time", "kind", "summary", "record id"]


class ChronologyDateField(DateInputField):
    """A date in the GOV.UK date input; one of more digits than any date has is not a date."""

    def clean(self, value: Any) -> date | None:
        try:
            return super().clean(value)
        except (OverflowError, ValueError):
            raise ValidationError(f"The date {self.what} must be a real date") from None


class ChronologyFilterForm(forms.Form):
    """The chronology's filters, sent as a GET form so that a filtered chronology (and its PDF
    and CSV) has its own address. No kind ticked shows every kind."""

    kind = forms.MultipleChoiceField(
        label="What to show",
        help_text="Leave all unticked to show everything.",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        error_messages={"invalid_choice": "Choose what to show from the list"},
    )
    since = ChronologyDateField(
        label="From",
        help_text="The first day shown. For example, 1 9 2025",
        what="to show from",
        required=False,
    )
    until = ChronologyDateField(
        label="To",
        help_text="The last day shown. For example, 31 7 2026",
        what="to show to",
        required=False,
    )

    def __init__(self, data: Any, *, kinds: tuple[Kind, ...]) -> None:
        super().__init__(data)
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        for name, value in (("since", since), ("until", until)):
            if value is not None and not FIRST_DAY <= value <= LAST_DAY:
                self.add_error(name, "Enter a date from 2000 to 2100")
        if since and until and until < since and not self.errors:
            self.add_error("until", "The date to show to must be the same as or after the first")
        return self.cleaned_data

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kinds": data.get("kind") or None,
            "since": data.get("since"),
            "until": data.get("until"),
        }

    def query(self) -> str:
        """The filters as a query string, for the pages, the PDF and the CSV."""
        pairs: list[tuple[str, str]] = [
            ("kind", kind) for kind in self.cleaned_data.get("kind", [])
        ]
        for name in ("since", "until"):
            day = self.cleaned_data.get(name)
            if day is not None:
                pairs += [
                    (f"{name}_day", str(day.day)),
                    (f"{name}_month", str(day.month)),
                    (f"{name}_year", str(day.year)),
                ]
        return urlencode(pairs)

    def description(self) -> str:
        """The filters in words, for the top of the PDF."""
        data = self.cleaned_data
        labels = dict(self.fields["kind"].choices)  # type: ignore[attr-defined]
        parts = [", ".join(labels[k] for k in data["kind"]) if data.get("kind") else "Everything"]
        if data.get("since"):
            parts.append(f"from {_day(data['since'])}")
        if data.get("until"):
            parts.append(f"to {_day(data['until'])}")
        return " ".join(parts)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _filtered(request: HttpRequest, pupil_id: str) -> tuple[Pupil, Viewer, ChronologyFilterForm]:
    pupil = access.get_casework_pupil_for_user(request.user, pupil_id)
    viewer = chronology_viewer(user=request.user, pupil=pupil)
    return pupil, viewer, ChronologyFilterForm(request.GET, kinds=viewer.kinds)


def _page_context(pupil: Pupil, viewer: Viewer, form: ChronologyFilterForm) -> dict[str, Any]:
    return {
        "pupil": pupil,
        "form": form,
        "page": None,
        "entries": [],
        "query": "",
        "can_export_csv": viewer.case_worker,
    }


@login_required
@require_safe
def chronology(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """The pupil's chronology, newest first, filtered and paginated; audited as one read."""
    pupil, viewer, form = _filtered(request, pupil_id)
    context = _page_context(pupil, viewer, form)
    if not form.is_valid():
        return render(request, "casework/chronology.html", context, status=400)
    entries = chronology_entries(user=request.user, pupil=pupil, viewer=viewer, **form.filters())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    chronology_audit(user=request.user, pupil=pupil, source=audit_source(request))
    context.update(page=page, entries=list(page), query=form.query())
    return render(request, "casework/chronology.html", context)


@login_required
@require_safe
def chronology_pdf(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """The chronology with the page's filters as a PDF to print; audited as an export."""
    pupil, viewer, form = _filtered(request, pupil_id)
    if not form.is_valid():
        return render(
            request, "casework/chronology.html", _page_context(pupil, viewer, form), status=400
        )
    entries = chronology_entries(user=request.user, pupil=pupil, viewer=viewer, **form.filters())
    chronology_audit(user=request.user, pupil=pupil, source=audit_source(request), export="pdf")
    pdf = pdf_render(
        template="casework/pdf/chronology.html",
        context={
            "pupil": pupil,
            "entries": entries,
            "filters": form.description(),
            "made_at": timezone.localtime(),
            "made_by": request.user,
        },
    )
    return pdf_response(pdf, filename=f"chronology-{timezone.localdate():%Y-%m-%d}.pdf")


def _csv_row(pupil: Pupil, entry: Entry) -> list[str]:
    local = entry.at.astimezone(LONDON)
    row = [
        pupil.name,
        pupil.school.name,
        local.strftime("%Y-%m-%d"),
        "" if entry.date_only else local.strftime("%H:%M"),
        entry.kind_label,
        entry.summary,
        entry.id,
    ]
    return [csv_cell(value) for value in row]


@login_required
@require_safe
def chronology_csv(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """The chronology with the page's filters as CSV, for a lawful request such as a subject
    access request or a court's order: for the school's case workers, not for practitioners,
    whose grant is to read, not to pass on. Audited as an export."""
    pupil, viewer, form = _filtered(request, pupil_id)
    if not viewer.case_worker:
        raise Http404("No pupil found.")
    if not form.is_valid():
        return render(
            request, "casework/chronology.html", _page_context(pupil, viewer, form), status=400
        )
    entries = chronology_entries(user=request.user, pupil=pupil, viewer=viewer, **form.filters())
    chronology_audit(user=request.user, pupil=pupil, source=audit_source(request), export="csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="chronology-{stamp}.csv"'
    # The byte-order mark makes spreadsheets read the file as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(_csv_row(pupil, entry))
    return response


urlpatterns = [
    path("pupils/<uuid:pupil_id>/chronology/", chronology, name="casework-chronology"),
    path("pupils/<uuid:pupil_id>/chronology.pdf", chronology_pdf, name="casework-chronology-pdf"),
    path("pupils/<uuid:pupil_id>/chronology.csv", chronology_csv, name="casework-chronology-csv"),
]


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict[str, Any] | None:
    """The latest entries of the pupil's chronology and a link to it all, for those who may
    read it; the pupil's page audits its own read."""
    try:
        access.get_casework_pupil_for_user(request.user, pupil.pk)
    except Http404:
        return None
    viewer = chronology_viewer(user=request.user, pupil=pupil)
    entries = chronology_entries(user=request.user, pupil=pupil, viewer=viewer)
    return {"pupil": pupil, "entries": entries[:PANEL_SIZE], "total": len(entries)}
