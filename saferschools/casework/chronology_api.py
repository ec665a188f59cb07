"""The pupil's chronology over the API: the same entries the page shows, newest first, with the
same visibility (the school's case workers; practitioners with a live grant, for the kinds it
names), audited as one read of the pupil naming the grant used."""

import re
from datetime import date
from typing import Any

from django.urls import path
from django.utils.dateparse import parse_date
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

from saferschools.api.schema import DetailOutput, ErrorOutput, NamedChoiceField
from saferschools.core import access
from saferschools.core.audit import audit_source

from .chronology import Kind, chronology_audit, chronology_entries, chronology_viewer

DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def _day(params: Any, name: str, errors: dict[str, list[str]]) -> date | None:
    if name not in params:
        return None
    text = params[name].strip()
    day = None
    if DATE_SHAPE.fullmatch(text):
        try:
            day = parse_date(text)
        except ValueError:
            day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        errors[name] = ["Give a date from 2000 to 2100 as YYYY-MM-DD, for example 2026-03-02"]
        return None
    return day


def _kinds(params: Any, errors: dict[str, list[str]]) -> list[str] | None:
    if "kind" not in params:
        return None
    kinds = [k.strip() for value in params.getlist("kind") for k in value.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in Kind.values]
    if unknown or not kinds:
        errors["kind"] = ["Choose one or more of: " + ", ".join(Kind.values)]
        return None
    return kinds


class PupilChronologyApi(APIView):
    @extend_schema_serializer(component_name="ChronologyEntryOutput")
    class Output(serializers.Serializer):
        at = serializers.DateTimeField(
            help_text="When it happened; an event known by its day alone is at the day's start "
            "in UK time"
        )
        kind = NamedChoiceField(Kind.choices, component="ChronologyKindEnum")
        summary = serializers.CharField(help_text="What happened, in words")
        id = serializers.UUIDField(
            help_text="The record the entry belongs to (the plan, for a plan's review)"
        )

    @extend_schema(
        summary="A pupil's chronology, newest first: everything about the pupil you may see "
        "(the read is audited)",
        parameters=[
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                many=True,
                enum=Kind.values,
                description="Only these kinds (repeat the parameter, or separate with commas)",
            ),
            OpenApiParameter(
                "since", OpenApiTypes.DATE, description="Only entries from this day (UK time)"
            ),
            OpenApiParameter(
                "until",
                OpenApiTypes.DATE,
                description="Only entries up to this day, the whole day included (UK time)",
            ),
        ],
        responses={
            200: Output(many=True),
            400: OpenApiResponse(ErrorOutput, description="Bad filters: each named"),
            404: OpenApiResponse(
                DetailOutput, description="No such pupil, or not one whose casework you may see"
            ),
        },
    )
    def get(self, request: Request, pupil_id: str) -> Response:
        pupil = access.get_casework_pupil_for_user(request.user, pupil_id)
        params = request.query_params
        errors: dict[str, list[str]] = {}
        kinds = _kinds(params, errors)
        since = _day(params, "since", errors)
        until = _day(params, "until", errors)
        if since and until and until < since:
            errors["until"] = ["Give a day the same as or after since"]
        if errors:
            raise exceptions.ValidationError(errors)
        viewer = chronology_viewer(user=request.user, pupil=pupil)
        entries = chronology_entries(
            user=request.user, pupil=pupil, viewer=viewer, kinds=kinds, since=since, until=until
        )
        chronology_audit(user=request.user, pupil=pupil, source=audit_source(request._request))
        return Response(self.Output(entries, many=True).data)


urlpatterns = [
    path(
        "pupils/<uuid:pupil_id>/chronology",
        PupilChronologyApi.as_view(),
        name="api-pupil-chronology",
    ),
]
