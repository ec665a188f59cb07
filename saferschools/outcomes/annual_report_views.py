"""The partnership's annual report and business plan: the years it has a report for, the report
of a year with its charts, the written sections' form, and the PDF.

Everyone whose role reaches the partnership reads the report (``access.get_partnership_for_user``);
it holds counts only, small ones left out for every reader, so reading it is not a read of
personal data and is not audited. Those who keep the partnership's governance write its sections
(``access.can_govern``); saves and PDF downloads are audited.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import Partnership
from saferschools.lib.pdf import pdf_response
from saferschools.lib.schooldays import academic_year_label

from . import annual_report_services as services
from .annual_report import ReportYearError, report_get, report_year_check, report_years
from .annual_report_document import pdf_filename, report_context, report_pdf
from .annual_report_forms import AnnualReportForm, report_initial
from .models import AnnualReport, Evaluation


def _checked_year(partnership: Partnership, year: int) -> int:
    """The year, if the partnership has a report for it; else ``Http404``, as for a page that
    does not exist."""
    try:
        report_year_check(partnership=partnership, year=year)
    except ReportYearError:
        raise Http404("No report found.") from None
    return year


@login_required
@require_safe
def annual_reports(request: HttpRequest, partnership_id: str) -> HttpResponse:
    user = request.user
    partnership = access.get_partnership_for_user(user, partnership_id)
    written = {
        report.year: report
        for report in access.scope(user, AnnualReport).filter(partnership=partnership)
    }
    years = [
        (year, academic_year_label(year), written.get(year))
        for year in report_years(partnership=partnership)
    ]
    return render(
        request,
        "outcomes/annual_report_years.html",
        {
            "partnership": partnership,
            "years": years,
            "can_govern": access.can_govern(user, partnership),
        },
    )


@login_required
@require_safe
def annual_report(request: HttpRequest, partnership_id: str, year: int) -> HttpResponse:
    user = request.user
    partnership = access.get_partnership_for_user(user, partnership_id)
    year = _checked_year(partnership, year)
    context = report_context(partnership=partnership, year=year)
    context["can_govern"] = access.can_govern(user, partnership)
    return render(request, "outcomes/annual_report.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def annual_report_edit(request: HttpRequest, partnership_id: str, year: int) -> HttpResponse:
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id, write=True)
    year = _checked_year(partnership, year)
    report = report_get(partnership=partnership, year=year)
    evaluations = list(
        access.scope(user, Evaluation)
        .filter(partnership=partnership)
        .select_related("indicator")
        .order_by("-created_at")
    )
    if request.method != "POST":
        form = AnnualReportForm(initial=report_initial(report), evaluations=evaluations)
        return _edit_page(request, partnership, year, form, report)
    form = AnnualReportForm(request.POST, evaluations=evaluations)
    if form.is_valid():
        try:
            services.annual_report_save(
                actor=user,
                partnership=partnership,
                year=year,
                data=form.report_input(),
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
            if "version" in error.message_dict:
                # Saving again, having been told, replaces the version there is now.
                report = report_get(partnership=partnership, year=year)
                resent = request.POST.copy()
                resent["version"] = str(report_initial(report)["version"])
                form.data = resent
        else:
            messages.success(
                request, f"The annual report for {academic_year_label(year)} is saved."
            )
            return redirect("outcomes-annual-report", partnership_id=partnership.pk, year=year)
    return _edit_page(request, partnership, year, form, report)


def _edit_page(
    request: HttpRequest,
    partnership: Partnership,
    year: int,
    form: AnnualReportForm,
    report: AnnualReport | None,
) -> HttpResponse:
    return render(
        request,
        "outcomes/annual_report_edit.html",
        {
            "partnership": partnership,
            "year": year,
            "year_label": academic_year_label(year),
            "next_year_label": academic_year_label(year + 1),
            "form": form,
            "report": report,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def annual_report_pdf(request: HttpRequest, partnership_id: str, year: int) -> HttpResponse:
    """The report as a document to print or send; the download is in the audit log."""
    user = request.user
    partnership = access.get_partnership_for_user(user, partnership_id)
    year = _checked_year(partnership, year)
    pdf = report_pdf(partnership=partnership, year=year)
    services.annual_report_exported(
        actor=user, partnership=partnership, year=year, source=audit_source(request)
    )
    return pdf_response(pdf, filename=pdf_filename(partnership, year))


urlpatterns: list[URLPattern] = [
    path(
        "partnerships/<uuid:partnership_id>/annual-report/",
        annual_reports,
        name="outcomes-annual-reports",
    ),
    path(
        "partnerships/<uuid:partnership_id>/annual-report/<int:year>/",
        annual_report,
        name="outcomes-annual-report",
    ),
    path(
        "partnerships/<uuid:partnership_id>/annual-report/<int:year>/edit/",
        annual_report_edit,
        name="outcomes-annual-report-edit",
    ),
    path(
        "partnerships/<uuid:partnership_id>/annual-report/<int:year>.pdf",
        annual_report_pdf,
        name="outcomes-annual-report-pdf",
    ),
]
