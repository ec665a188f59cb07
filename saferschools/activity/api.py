"""The activity API: an officer logs time, and officers and their supervisors read a summary.

Entries are made through the same service as the week view, which checks every field, so that
the page and the API accept and refuse alike. A school the officer is not deployed to is bad
input (400 naming ``school_urn``), whether or not it exists.
"""

from datetime import timedelta
from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.schema import DetailOutput, ErrorOutput
from saferschools.core import access
from saferschools.core.audit import audit_source

from . import selectors, services
from .models import MINUTES_MAX, MINUTES_MIN, NOTE_MAX, ActivityDetail, ActivityKind

BAD_INPUT = OpenApiResponse(ErrorOutput, description="Bad input: each offending field named")
YEARS = (2000, 2999)


def _body(request: Request, fields: Any) -> dict[str, Any]:
    """The JSON object sent, which may hold only ``fields``; else a 400 naming what is wrong."""
    data = request.data
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object"]})
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise exceptions.ValidationError({key: ["This field is not expected"] for key in unknown})
    return data


class ActivityCreateApi(APIView):
    # Describes the body for the schema; the service checks it, as it checks the web form.
    @extend_schema_serializer(component_name="ActivityInput")
    class Input(serializers.Serializer):
        school_urn = serializers.IntegerField(help_text="A school you are deployed to, by its URN")
        kind = serializers.ChoiceField(choices=ActivityKind.choices)
        detail = serializers.ChoiceField(
            choices=ActivityDetail.choices,
            required=False,
            allow_blank=True,
            help_text="Only for a patrol (start_of_day, end_of_day, truancy, travel_routes), a "
            "lesson (pshe, citizenship) or a meeting (school_management, multi_agency, "
            "neighbourhood_team)",
        )
        started_at = serializers.DateTimeField(
            help_text="When it began, with its offset from UTC (ISO 8601); not in the future"
        )
        minutes = serializers.IntegerField(min_value=MINUTES_MIN, max_value=MINUTES_MAX)
        place_id = serializers.UUIDField(
            required=False, allow_null=True, help_text="One of the school's places"
        )
        note = serializers.CharField(
            required=False, allow_blank=True, max_length=NOTE_MAX, help_text="Seen by you only"
        )

    @extend_schema_serializer(component_name="ActivityCreatedOutput")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()

    @extend_schema(
        summary="Log time you, an SSP officer, spent at a school you are deployed to",
        request=Input,
        responses={201: Output, 400: BAD_INPUT},
    )
    def post(self, request: Request) -> Response:
        data = _body(request, self.Input().fields)
        activity = services.activity_log(
            actor=request.user,
            data=services.ActivityInput(
                school_urn=data.get("school_urn"),
                kind=data.get("kind"),
                detail=data.get("detail", ""),
                started_at=data.get("started_at"),
                minutes=data.get("minutes"),
                place_id=data.get("place_id"),
                note=data.get("note", ""),
            ),
            source=audit_source(request._request),
        )
        return Response(self.Output({"id": activity.pk}).data, status=201)


@extend_schema_serializer(component_name="MinutesByKindOutput")
class MinutesByKindOutput(serializers.Serializer):
    def get_fields(self) -> dict[str, Any]:
        return {
            kind: serializers.IntegerField(help_text=f"Minutes: {label}")
            for kind, label in ActivityKind.choices
        }


class ActivitySummaryApi(APIView):
    class Filter(serializers.Serializer):
        since = serializers.DateField(required=False)
        until = serializers.DateField(required=False)
        officer = serializers.UUIDField(required=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            errors = {}
            for name in ("since", "until"):
                day = attrs.get(name)
                if day is not None and not YEARS[0] <= day.year <= YEARS[1]:
                    errors[name] = [f"Give a date from the years {YEARS[0]} to {YEARS[1]}"]
            since, until = attrs.get("since"), attrs.get("until")
            if not errors and since and until and until < since:
                errors["until"] = ["The last day cannot be before the first"]
            if errors:
                raise serializers.ValidationError(errors)
            return attrs

    @extend_schema_serializer(component_name="ActivitySummaryOutput")
    class Output(serializers.Serializer):
        by_kind = MinutesByKindOutput(help_text="Minutes logged by kind, every kind present")
        by_school = serializers.DictField(
            child=serializers.IntegerField(), help_text="Minutes logged by school URN"
        )

    @extend_schema(
        summary="Minutes logged by kind and by school: your own, or the officers you oversee",
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.DATE, description="From this day (UK), included"
            ),
            OpenApiParameter(
                "until", OpenApiTypes.DATE, description="Up to this day (UK), included"
            ),
            OpenApiParameter(
                "officer",
                OpenApiTypes.UUID,
                description="Only this officer (their user id): yourself, or an officer you "
                "oversee as a police supervisor",
            ),
        ],
        responses={
            200: Output,
            400: BAD_INPUT,
            404: OpenApiResponse(
                DetailOutput,
                description="Not an officer nor a police supervisor, or an officer you do not "
                "oversee",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        user = request.user
        if not access.can_see_time_use(user):
            raise Http404
        filters = self.Filter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        officer = None
        if "officer" in values:
            officer = access.get_officer_for_user(user, values["officer"])
        since, until = values.get("since"), values.get("until")
        summary = selectors.activity_summary(
            user=user,
            officer=officer,
            since=selectors.london_midnight(since) if since else None,
            until=selectors.london_midnight(until + timedelta(days=1)) if until else None,
        )
        return Response(
            self.Output({"by_kind": summary.by_kind, "by_school": summary.by_school}).data
        )
