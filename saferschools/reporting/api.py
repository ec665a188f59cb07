"""The reporting API: the pupil's side, which needs no account, and the staff's inbox.

The pupil's endpoints take no credentials and keep nothing of who calls them: no session, no
network address, no user agent, and their answers are never cached. The staff's endpoints go
through the access policy like the inbox pages. Both sides change reports only through the
services, which check every field, so that the pages and the API accept and refuse alike.
"""

from collections.abc import Iterable
from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.schema import DetailOutput, ErrorOutput
from saferschools.casework.models import YEAR_GROUP_MAX, YEAR_GROUP_MIN
from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import School

from . import selectors, services
from .models import (
    DESCRIPTION_MAX,
    MESSAGE_MAX,
    NAME_MAX,
    OCCURRED_MAX,
    PUPIL_STATUS,
    PUPIL_VISIBLE_KINDS,
    URGENT_CATEGORIES,
    About,
    Category,
    EntryKind,
    Location,
    Outcome,
    Report,
    ReportEntry,
    Status,
    UrgentReason,
)
from .throttle import receipt_failed, receipt_throttle

SENDERS = ("pupil", "school")
PUPIL_STATUS_CODES = ", ".join(code for code, _ in PUPIL_STATUS.values())
NOT_FOUND = OpenApiResponse(DetailOutput, description="No such report, or not yours to see")
BAD_INPUT = OpenApiResponse(ErrorOutput, description="Bad input: each offending field named")
NO_RECEIPT = OpenApiResponse(DetailOutput, description="Wrong, malformed or expired receipt")
THROTTLED = OpenApiResponse(DetailOutput, description="Too many wrong receipts: see Retry-After")


def _body(request: Request, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON object sent, which may hold only ``fields``; else a 400 naming what is wrong."""
    data = request.data
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object"]})
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise exceptions.ValidationError({key: ["This field is not expected"] for key in unknown})
    return data


def _message(entry: ReportEntry, *, staff: bool = False) -> dict[str, Any]:
    """One message of the conversation; staff also see who wrote the school's side."""
    message: dict[str, Any] = {
        "from": "pupil" if entry.kind == EntryKind.PUPIL_MESSAGE else "school",
        "body": entry.body,
        "sent_at": entry.at,
    }
    if staff:
        message["author"] = entry.actor
    return message


def _note(entry: ReportEntry) -> dict[str, Any]:
    return {"body": entry.body, "written_at": entry.at, "author": entry.actor}


def _with_from(fields: dict[str, Any]) -> dict[str, Any]:
    # "from" is the field's name in the contract, and a Python keyword: it cannot be declared.
    return {"from": serializers.ChoiceField(choices=SENDERS), **fields}


class PersonOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return user.full_name or user.email


@extend_schema_serializer(component_name="FollowupMessageOutput")
class FollowupMessageOutput(serializers.Serializer):
    body = serializers.CharField()
    sent_at = serializers.DateTimeField()

    def get_fields(self) -> dict[str, Any]:
        return _with_from(super().get_fields())


@extend_schema_serializer(component_name="ReportMessageOutput")
class ReportMessageOutput(serializers.Serializer):
    body = serializers.CharField()
    sent_at = serializers.DateTimeField()
    author = PersonOutput(allow_null=True, help_text="Who wrote it; null for the pupil")

    def get_fields(self) -> dict[str, Any]:
        return _with_from(super().get_fields())


@extend_schema_serializer(component_name="ReportNoteOutput")
class ReportNoteOutput(serializers.Serializer):
    body = serializers.CharField()
    written_at = serializers.DateTimeField()
    author = PersonOutput(allow_null=True)


@extend_schema_serializer(component_name="ReportOutput")
class ReportOutput(serializers.Serializer):
    id = serializers.UUIDField()
    school_urn = serializers.IntegerField(source="school.urn")
    category = serializers.ChoiceField(choices=Category.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    urgent = serializers.BooleanField()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(help_text="When the school must acknowledge it")


@extend_schema_serializer(component_name="ReportStateOutput")
class ReportStateOutput(ReportOutput):
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, allow_null=True, help_text="Null until it is closed"
    )
    closed_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["outcome"] = data["outcome"] or None
        return data


# The pupil's side -----------------------------------------------------------------------------


class PublicApi(APIView):
    """Open to anyone: no credentials are read, so no session is opened."""

    authentication_classes = []
    permission_classes = [AllowAny]


class AnonymousPupilApi(PublicApi):
    """A pupil's call: nothing of the caller is kept, and the answer is never cached."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Receipts and messages are the pupil's secrets: no browser or proxy may keep them.
        response["Cache-Control"] = "no-store"
        return response


class ReportCategoryListApi(PublicApi):
    @extend_schema_serializer(component_name="ReportCategoryOutput")
    class Output(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        urgent = serializers.BooleanField(
            help_text="Always urgent: the pupil is shown emergency help before sending"
        )

    @extend_schema(
        summary="What a pupil can report about",
        auth=[],
        responses={200: Output(many=True)},
    )
    def get(self, request: Request) -> Response:
        categories = [
            {"code": code, "name": name, "urgent": code in URGENT_CATEGORIES}
            for code, name in Category.choices
        ]
        return Response(self.Output(categories, many=True).data)


class ReportSubmitApi(AnonymousPupilApi):
    # Describes the body for the schema; the service checks it, as it checks the web form.
    @extend_schema_serializer(component_name="ReportSubmitInput")
    class Input(serializers.Serializer):
        category = serializers.ChoiceField(choices=Category.choices)
        description = serializers.CharField(max_length=DESCRIPTION_MAX, help_text="What happened")
        location = serializers.ChoiceField(choices=Location.choices)
        occurred = serializers.CharField(
            max_length=OCCURRED_MAX, help_text="When it happened: free text or a date"
        )
        about = serializers.ChoiceField(choices=About.choices)
        in_danger = serializers.BooleanField(help_text="Whether anyone is in danger right now")
        anonymous = serializers.BooleanField()
        name = serializers.CharField(
            required=False, allow_null=True, max_length=NAME_MAX, help_text="Only when named"
        )
        year_group = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=YEAR_GROUP_MIN,
            max_value=YEAR_GROUP_MAX,
            help_text="Only when named; 0 for reception",
        )

    @extend_schema_serializer(component_name="ReportReceiptOutput")
    class Output(serializers.Serializer):
        receipt = serializers.CharField(
            help_text="The receipt code, shown once: the only way back to the report"
        )

    @extend_schema(
        summary="A pupil reports to their school, named or anonymous",
        auth=[],
        request=Input,
        responses={
            201: Output,
            400: BAD_INPUT,
            404: OpenApiResponse(DetailOutput, description="No school taking reports here"),
        },
    )
    def post(self, request: Request, urn: int) -> Response:
        try:
            school = services.school_for_reports(urn)
        except School.DoesNotExist:
            raise Http404 from None
        data = _body(request, self.Input().fields)
        submitted = services.report_submit(
            school=school,
            category=data.get("category"),
            description=data.get("description"),
            location=data.get("location"),
            occurred=data.get("occurred"),
            about=data.get("about"),
            in_danger=data.get("in_danger"),
            anonymous=data.get("anonymous"),
            name=data.get("name"),
            year_group=data.get("year_group"),
            source=audit_source(request._request),
        )
        return Response(self.Output({"receipt": submitted.receipt}).data, status=201)


def _report_for_receipt(request: Request, fields: Iterable[str]) -> tuple[Report, dict[str, Any]]:
    """The report whose receipt was sent, and the body sent; a wrong receipt is counted.

    The throttle is asked first, so that a client over the limit learns nothing more, even of a
    right receipt. Wrong, malformed and expired receipts answer alike.
    """
    throttle = receipt_throttle(request._request)
    if throttle.limited:
        raise exceptions.Throttled(
            wait=throttle.retry_after, detail="Too many wrong receipts. Wait and try again."
        )
    data = _body(request, fields)
    report = selectors.followup_find(data.get("receipt"))
    if report is None:
        receipt_failed(request._request)
        raise Http404
    return report, data


class FollowupApi(AnonymousPupilApi):
    @extend_schema_serializer(component_name="FollowupInput")
    class Input(serializers.Serializer):
        receipt = serializers.CharField(help_text="The receipt code; spaces and dashes allowed")

    @extend_schema_serializer(component_name="FollowupOutput")
    class Output(serializers.Serializer):
        status = serializers.CharField(help_text=f"One of: {PUPIL_STATUS_CODES}")
        category = serializers.ChoiceField(choices=Category.choices)
        messages = FollowupMessageOutput(many=True)

    @extend_schema(
        summary="The pupil reads the status of their report and the school's replies",
        auth=[],
        request=Input,
        responses={200: Output, 400: BAD_INPUT, 404: NO_RECEIPT, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        report, _ = _report_for_receipt(request, self.Input().fields)
        messages = [_message(entry) for entry in selectors.followup_messages(report=report)]
        output = {
            "status": report.pupil_status[0],
            "category": report.category,
            "messages": messages,
        }
        return Response(self.Output(output).data)


class FollowupMessageApi(AnonymousPupilApi):
    @extend_schema_serializer(component_name="FollowupMessageInput")
    class Input(serializers.Serializer):
        receipt = serializers.CharField()
        body = serializers.CharField(max_length=MESSAGE_MAX)

    @extend_schema(
        summary="The pupil writes back to the school",
        auth=[],
        request=Input,
        responses={201: FollowupMessageOutput, 400: BAD_INPUT, 404: NO_RECEIPT, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        report, data = _report_for_receipt(request, self.Input().fields)
        entry = services.followup_reply(
            report=report, body=data.get("body"), source=audit_source(request._request)
        )
        return Response(FollowupMessageOutput(_message(entry)).data, status=201)


# The staff's side ----------------------------------------------------------------------------


class ReportListApi(APIView):
    class Filter(serializers.Serializer):
        status = serializers.ChoiceField(choices=[*Status.values, "open"], required=False)
        school = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(
        summary="The reports the user handles, open urgent ones first, then newest first",
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=[*Status.values, "open"],
                description="Only reports with this status ('open': not closed)",
            ),
            OpenApiParameter("school", OpenApiTypes.INT, description="Only this school (URN)"),
        ],
        responses={200: ReportOutput(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        filters = self.Filter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        school = None
        if "school" in filters.validated_data:
            school = access.get_school_for_user(request.user, filters.validated_data["school"])
        reports = selectors.report_inbox(
            user=request.user, status=filters.validated_data.get("status", ""), school=school
        )
        return Response(ReportOutput(reports, many=True).data)


class ReportDetailApi(APIView):
    @extend_schema_serializer(component_name="ReportDetailOutput")
    class Output(ReportStateOutput):
        description = serializers.CharField()
        location = serializers.ChoiceField(choices=Location.choices)
        occurred = serializers.CharField()
        about = serializers.ChoiceField(choices=About.choices)
        in_danger = serializers.BooleanField()
        anonymous = serializers.BooleanField()
        name = serializers.CharField(source="pupil_name", allow_null=True)
        year_group = serializers.IntegerField(allow_null=True)
        urgent_reasons = serializers.ListField(
            child=serializers.ChoiceField(choices=UrgentReason.choices)
        )
        assigned_to = PersonOutput(allow_null=True)
        pupil = serializers.UUIDField(
            source="pupil_id", allow_null=True, help_text="The linked pupil's record, if any"
        )
        messages = serializers.SerializerMethodField(help_text="The conversation with the pupil")
        notes = serializers.SerializerMethodField(help_text="Internal notes the pupil never sees")

        def to_representation(self, instance: Any) -> dict[str, Any]:
            data = super().to_representation(instance)
            data["name"] = data["name"] or None
            return data

        @extend_schema_field(ReportMessageOutput(many=True))
        def get_messages(self, report: Report) -> Any:
            entries = self.context["entries"]
            messages = [_message(e, staff=True) for e in entries if e.kind in PUPIL_VISIBLE_KINDS]
            return ReportMessageOutput(messages, many=True).data

        @extend_schema_field(ReportNoteOutput(many=True))
        def get_notes(self, report: Report) -> Any:
            # A closing note is an internal note too: it says how the report ended.
            notes = [
                _note(e)
                for e in self.context["entries"]
                if e.kind == EntryKind.NOTE or (e.kind == EntryKind.CLOSED and e.body)
            ]
            return ReportNoteOutput(notes, many=True).data

    @extend_schema(
        summary="One report with its conversation and notes (each read is audited)",
        responses={200: Output, 404: NOT_FOUND},
    )
    def get(self, request: Request, report_id: str) -> Response:
        report = selectors.report_get(
            user=request.user, report_id=report_id, source=audit_source(request._request)
        )
        entries = list(selectors.report_timeline(report=report))
        return Response(self.Output(report, context={"entries": entries}).data)


def _report_to_change(request: Request, report_id: str) -> Report:
    return access.get_report_for_user(request.user, report_id, write=True)


class ReportAcknowledgeApi(APIView):
    @extend_schema(
        summary="Acknowledge a report (again changes nothing); stops an urgent one escalating",
        request=None,
        responses={200: ReportStateOutput, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, report_id: str) -> Response:
        report = _report_to_change(request, report_id)
        _body(request, ())
        report = services.report_acknowledge(
            actor=request.user, report=report, source=audit_source(request._request)
        )
        return Response(ReportStateOutput(report).data)


class ReportMessageApi(APIView):
    @extend_schema_serializer(component_name="ReportMessageInput")
    class Input(serializers.Serializer):
        body = serializers.CharField(max_length=MESSAGE_MAX)

    @extend_schema(
        summary="Reply to the pupil, who reads it with their receipt",
        request=Input,
        responses={201: ReportMessageOutput, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, report_id: str) -> Response:
        report = _report_to_change(request, report_id)
        data = _body(request, self.Input().fields)
        entry = services.report_reply(
            actor=request.user,
            report=report,
            body=data.get("body"),
            source=audit_source(request._request),
        )
        return Response(ReportMessageOutput(_message(entry, staff=True)).data, status=201)


class ReportNoteApi(APIView):
    @extend_schema_serializer(component_name="ReportNoteInput")
    class Input(serializers.Serializer):
        body = serializers.CharField(max_length=DESCRIPTION_MAX)

    @extend_schema(
        summary="Add an internal note, which the pupil never sees",
        request=Input,
        responses={201: ReportNoteOutput, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, report_id: str) -> Response:
        report = _report_to_change(request, report_id)
        data = _body(request, self.Input().fields)
        entry = services.report_add_note(
            actor=request.user,
            report=report,
            body=data.get("body"),
            source=audit_source(request._request),
        )
        return Response(ReportNoteOutput(_note(entry)).data, status=201)


class ReportCloseApi(APIView):
    @extend_schema_serializer(component_name="ReportCloseInput")
    class Input(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=Outcome.choices)
        note = serializers.CharField(
            required=False, max_length=DESCRIPTION_MAX, help_text="How it ended (internal)"
        )

    @extend_schema(
        summary="Close a report with its outcome",
        request=Input,
        responses={200: ReportStateOutput, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, report_id: str) -> Response:
        report = _report_to_change(request, report_id)
        data = _body(request, self.Input().fields)
        report = services.report_close(
            actor=request.user,
            report=report,
            outcome=data.get("outcome"),
            note=data.get("note", ""),
            source=audit_source(request._request),
        )
        return Response(ReportStateOutput(report).data)
