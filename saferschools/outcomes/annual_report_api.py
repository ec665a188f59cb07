"""The annual report API: a partnership's report for an academic year as JSON (the figures and
the written sections), and the same report as a PDF.

Whoever reaches the partnership reads it (``access.get_partnership_for_user``); out of scope is
404, as for a partnership that does not exist. ``year`` is the academic year, as 2025 or
2025/26; missing or bad, or a year the partnership has no report for, is a 400 naming it.
Counts of records about pupils from 1 to 4 are null, with their ``text`` "fewer than 5", for
every reader, as in the report itself.
"""

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.schema import DetailOutput, ErrorOutput
from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import Partnership
from saferschools.lib.pdf import pdf_response

from .annual_report import (
    ReportYearError,
    annual_report_figures,
    report_year_check,
    report_year_parse,
)
from .annual_report_document import pdf_filename, report_pdf
from .annual_report_services import annual_report_exported


def _figure(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=3, coerce_to_string=False, **kwargs
    )


@extend_schema_serializer(component_name="AnnualReportCount")
class CountOutput(serializers.Serializer):
    value = serializers.IntegerField(
        allow_null=True,
        help_text="The count; null when it is from 1 to 4, or would let one be worked out",
    )
    text = serializers.CharField(
        help_text='As the report shows it: "12", "fewer than 5" or "not shown"'
    )


@extend_schema_serializer(component_name="AnnualReportLabelledCount")
class LabelledOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = CountOutput()


@extend_schema_serializer(component_name="AnnualReportSummary")
class SummaryOutput(serializers.Serializer):
    schools = serializers.IntegerField()
    pupils_on_roll = serializers.IntegerField(
        allow_null=True, help_text="Null unless every school's number of pupils is known"
    )
    reports = CountOutput(help_text="Pupils' reports received")
    incidents = CountOutput(help_text="Incidents recorded")
    referrals = CountOutput(help_text="Referrals made to other services")
    officer_hours = _figure()
    patrols_planned = serializers.IntegerField()
    patrols_done = serializers.IntegerField()
    steering_meetings = serializers.IntegerField()
    actions_done = serializers.IntegerField()
    actions = serializers.IntegerField()
    targets_met = serializers.IntegerField()
    targets = serializers.IntegerField()


@extend_schema_serializer(component_name="AnnualReportSchool")
class SchoolOutput(serializers.Serializer):
    urn = serializers.IntegerField()
    name = serializers.CharField()
    phase = serializers.CharField()
    pupils = serializers.IntegerField(allow_null=True)


@extend_schema_serializer(component_name="AnnualReportAgency")
class AgencyOutput(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()


@extend_schema_serializer(component_name="AnnualReportProtocol")
class ProtocolOutput(serializers.Serializer):
    version = serializers.IntegerField()
    written_on = serializers.DateField()
    in_force = serializers.BooleanField()
    signed_on = serializers.DateField(
        allow_null=True, help_text="When its last partner signed, once every partner has"
    )
    review_on = serializers.DateField()


@extend_schema_serializer(component_name="AnnualReportMemberKind")
class MemberKindOutput(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    members = serializers.IntegerField()


@extend_schema_serializer(component_name="AnnualReportMemberRole")
class MemberRoleOutput(serializers.Serializer):
    kind_label = serializers.CharField()
    organisation = serializers.CharField()
    role = serializers.CharField()


@extend_schema_serializer(component_name="AnnualReportGovernance")
class GovernanceOutput(serializers.Serializer):
    schools = SchoolOutput(many=True)
    agencies = AgencyOutput(many=True, help_text="The agencies the protocol names")
    protocol = ProtocolOutput(
        allow_null=True, help_text="The latest version written by the end of the period"
    )
    members = serializers.IntegerField(help_text="Steering group members during the period")
    members_by_kind = MemberKindOutput(many=True)
    member_roles = MemberRoleOutput(
        many=True, help_text="Adult members by organisation and role; pupils are counted only"
    )
    meetings_held = serializers.ListField(child=serializers.DateField())


@extend_schema_serializer(component_name="AnnualReportActivityKind")
class ActivityRowOutput(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    hours = _figure()
    sessions = serializers.IntegerField(help_text="Entries logged")


@extend_schema_serializer(component_name="AnnualReportActivity")
class ActivityOutput(serializers.Serializer):
    by_kind = ActivityRowOutput(many=True)
    hours = _figure()
    patrols_planned = serializers.IntegerField()
    patrols_done = serializers.IntegerField()
    lessons = serializers.IntegerField()
    one_to_ones = serializers.IntegerField()


@extend_schema_serializer(component_name="AnnualReportMonth")
class MonthOutput(serializers.Serializer):
    month = serializers.CharField(help_text="As 2025-09")
    label = serializers.CharField()  # type: ignore[assignment]
    reports = CountOutput()
    incidents = CountOutput()


@extend_schema_serializer(component_name="AnnualReportHotspot")
class HotspotOutput(serializers.Serializer):
    place = serializers.CharField()
    school = serializers.CharField()
    count = CountOutput()


@extend_schema_serializer(component_name="AnnualReportReportsAndIncidents")
class ReportsAndIncidentsOutput(serializers.Serializer):
    reports = CountOutput()
    incidents = CountOutput()
    months = MonthOutput(many=True)
    report_categories = LabelledOutput(many=True)
    incident_categories = LabelledOutput(many=True)
    hotspots = HotspotOutput(many=True, help_text="The places with most incidents")
    elsewhere = CountOutput(
        allow_null=True, help_text="Incidents at the other places, or at none in particular"
    )


@extend_schema_serializer(component_name="AnnualReportCaseworkGroup")
class CaseworkGroupOutput(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    counts = LabelledOutput(many=True)


@extend_schema_serializer(component_name="AnnualReportCasework")
class CaseworkOutput(serializers.Serializer):
    groups = CaseworkGroupOutput(many=True)
    meetings = CountOutput(help_text="Multi-agency meetings held")


@extend_schema_serializer(component_name="AnnualReportTarget")
class TargetOutput(serializers.Serializer):
    description = serializers.CharField()
    outcome = serializers.CharField()
    measure = serializers.CharField()
    indicator = serializers.CharField(allow_null=True)
    baseline = _figure()
    baseline_on = serializers.DateField()
    target = _figure()
    target_on = serializers.DateField()
    status = serializers.CharField(help_text="met, on_track, behind, no_figure or not_shown")
    status_label = serializers.CharField()


@extend_schema_serializer(component_name="AnnualReportWorkplan")
class WorkplanOutput(serializers.Serializer):
    exists = serializers.BooleanField()
    agreed = serializers.BooleanField()
    agreed_on = serializers.DateField(allow_null=True)
    outcomes = serializers.IntegerField()
    actions_done = serializers.IntegerField()
    actions_overdue = serializers.IntegerField()
    actions_open = serializers.IntegerField()
    actions_dropped = serializers.IntegerField()
    targets = TargetOutput(many=True)
    targets_met = serializers.IntegerField()


@extend_schema_serializer(component_name="AnnualReportIndicatorPoint")
class IndicatorPointOutput(serializers.Serializer):
    period = serializers.CharField()
    value = _figure(allow_null=True)
    text = serializers.CharField()


@extend_schema_serializer(component_name="AnnualReportIndicator")
class IndicatorOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    unit_label = serializers.CharField()
    lower_is_better = serializers.BooleanField()
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="imported, surveyed or computed"
    )
    target = serializers.CharField(help_text="The work-plan target measured by it")
    baseline = _figure()
    baseline_on = serializers.DateField()
    target_value = _figure()
    target_on = serializers.DateField()
    status = serializers.CharField(help_text="met, on_track, behind, no_figure or not_shown")
    status_label = serializers.CharField()
    current = IndicatorPointOutput(
        allow_null=True, help_text="The figure the status is judged on; null without one"
    )
    points = IndicatorPointOutput(
        many=True,
        help_text="By school month (computed), published year (imported) or survey term",
    )
    notes = serializers.ListField(child=serializers.CharField())


@extend_schema_serializer(component_name="AnnualReportEvaluation")
class EvaluationOutput(serializers.Serializer):
    id = serializers.UUIDField()
    indicator = serializers.CharField()
    indicator_name = serializers.CharField()
    unit_label = serializers.CharField()
    lower_is_better = serializers.BooleanField()
    estimate = serializers.FloatField()
    std_error = serializers.FloatField()
    ci_low = serializers.FloatField()
    ci_high = serializers.FloatField()
    p_value = serializers.FloatField()
    treated_schools = serializers.IntegerField()
    comparison_schools = serializers.IntegerField()
    periods = serializers.ListField(child=serializers.CharField())
    caveats = serializers.ListField(child=serializers.CharField())
    made_on = serializers.DateField()
    named_by_report = serializers.BooleanField(
        help_text="The report names it; otherwise it is the partnership's latest"
    )
    sentence = serializers.CharField(help_text="What the estimate says, in words")


@extend_schema_serializer(component_name="AnnualReportWritten")
class WrittenOutput(serializers.Serializer):
    summary = serializers.CharField()
    successes = serializers.CharField()
    case_studies = serializers.CharField()
    further_work = serializers.CharField()
    priorities = serializers.CharField(help_text="Next year's priorities (the business plan)")
    resources = serializers.CharField(help_text="Next year's resources (the business plan)")
    version = serializers.IntegerField(help_text="0 until something is written")
    updated_at = serializers.DateTimeField(allow_null=True)


YEAR_PARAMETER = OpenApiParameter(
    "year",
    OpenApiTypes.STR,
    required=True,
    description="The academic year, as 2025 or 2025/26 (2025 is the year from 1 September "
    "2025 to 31 August 2026)",
)
BAD_YEAR = OpenApiResponse(
    ErrorOutput,
    description="year: missing, not an academic year, or one the partnership has no report for",
)
NOT_FOUND = OpenApiResponse(DetailOutput, description="No such partnership, or not one you reach")


def _partnership_and_year(request: Request, partnership_id: str) -> tuple[Partnership, int]:
    """The partnership through the access policy first (outsiders learn nothing more), then the
    year; a 400 naming ``year`` when it is missing, bad, or not one of the partnership's."""
    partnership = access.get_partnership_for_user(request.user, partnership_id)
    try:
        year = report_year_parse(request.query_params.get("year"))
        report_year_check(partnership=partnership, year=year)
    except ReportYearError as error:
        raise exceptions.ValidationError({"year": [str(error)]}) from None
    return partnership, year


class AnnualReportApi(APIView):
    @extend_schema_serializer(component_name="AnnualReportOutput")
    class Output(serializers.Serializer):
        partnership_id = serializers.UUIDField()
        partnership = serializers.CharField()
        area = serializers.CharField()
        year = serializers.IntegerField()
        year_label = serializers.CharField()
        next_year_label = serializers.CharField()
        first_day = serializers.DateField()
        last_day = serializers.DateField(help_text="Today, while the year is not over")
        complete = serializers.BooleanField(help_text="The year is over")
        summary = SummaryOutput()
        governance = GovernanceOutput()
        activity = ActivityOutput()
        reports_and_incidents = ReportsAndIncidentsOutput()
        casework = CaseworkOutput()
        workplan = WorkplanOutput()
        indicators = IndicatorOutput(many=True)
        evaluation = EvaluationOutput(allow_null=True)
        written = WrittenOutput()

    @extend_schema(
        summary="A partnership's annual report and business plan for an academic year: its "
        "figures, read live, and its written sections",
        parameters=[YEAR_PARAMETER],
        responses={200: Output, 400: BAD_YEAR, 404: NOT_FOUND},
    )
    def get(self, request: Request, partnership_id: str) -> Response:
        partnership, year = _partnership_and_year(request, partnership_id)
        figures = annual_report_figures(partnership=partnership, year=year)
        return Response(self.Output(figures).data)


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``application/pdf``; the PDF itself is sent as it is made."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


class AnnualReportPdfApi(APIView):
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        summary="A partnership's annual report and business plan for an academic year, as a PDF",
        parameters=[YEAR_PARAMETER],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF"),
            400: BAD_YEAR,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, partnership_id: str) -> Any:
        partnership, year = _partnership_and_year(request, partnership_id)
        pdf = report_pdf(partnership=partnership, year=year)
        annual_report_exported(
            actor=request.user,
            partnership=partnership,
            year=year,
            source=audit_source(request._request),
        )
        return pdf_response(pdf, filename=pdf_filename(partnership, year))

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # An error is JSON, whatever the client asked for.
        if isinstance(response, Response):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


urlpatterns: list[URLPattern] = [
    path(
        "partnerships/<uuid:partnership_id>/annual-report",
        AnnualReportApi.as_view(),
        name="api-annual-report",
    ),
    path(
        "partnerships/<uuid:partnership_id>/annual-report.pdf",
        AnnualReportPdfApi.as_view(),
        name="api-annual-report-pdf",
    ),
]
