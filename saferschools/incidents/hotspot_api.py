"""Hotspots in the API: a school's incidents counted by place, weekday and time of day.

The same counts as the hotspots page (``hotspots.school_hotspots``), for the same people: the
school's leaders and officers in full, police supervisors, analysts and the steering group with
small counts left out (null). Anyone else gets 404, as for a school that does not exist.
"""

import re
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
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
from saferschools.lib.schooldays import LONDON

from . import hotspots as hs
from .models import LocationKind

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
NULL_NOTE = (
    "Null where the count is left out: for those who do not see the school's incidents, "
    f"counts from 1 to {hs.SUPPRESS_BELOW - 1} and any count that would give one away."
)


def _date(params: Any, name: str, errors: dict[str, str]) -> date | None:
    if name not in params:
        return None
    text = params[name].strip()
    try:
        if ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    errors[name] = "Give a date as YYYY-MM-DD, for example 2026-03-02"
    return None


class HotspotListApi(APIView):
    @extend_schema_serializer(component_name="HotspotOutput")
    class Output(serializers.Serializer):
        place_id = serializers.UUIDField(
            allow_null=True,
            help_text="The school's place; null for incidents at no particular place, which "
            "are counted by where they happened",
        )
        place = serializers.CharField(help_text="The place's name, or where for no place")
        location_kind = serializers.ChoiceField(
            choices=LocationKind.choices, help_text="Where the incidents counted here happened"
        )
        count = serializers.IntegerField(
            allow_null=True, help_text=f"Incidents in the period. {NULL_NOTE}"
        )
        previous_count = serializers.IntegerField(
            allow_null=True,
            help_text="Incidents in the period of the same length just before. " + NULL_NOTE,
        )
        by_weekday = serializers.DictField(
            child=serializers.IntegerField(allow_null=True),
            help_text="Incidents in the period on each day, Monday to Sunday (UK time). "
            + NULL_NOTE,
        )
        by_time_band = serializers.DictField(
            child=serializers.IntegerField(allow_null=True),
            help_text="Incidents in the period in each band of the school day (UK time): "
            + "; ".join(
                f"`{code}` {label.lower()} {times}"
                for (code, _), (label, times) in zip(
                    hs.TIME_BANDS, hs.time_band_definitions(), strict=True
                )
            )
            + ". "
            + NULL_NOTE,
        )

    @extend_schema(
        summary="Where and when a school's incidents happened, busiest place first",
        description=(
            "One entry per place (and, for incidents at no particular place, per kind of "
            "location) with incidents in the period or the one before it; an incident online "
            "at a place counts apart from those on site there. Periods run from `since` up to, "
            "not including, `until`; the previous period has the same number of days and ends "
            "as this one starts. For the school's safeguarding leads, head teacher and SSP "
            "officers in full; for police supervisors, the local authority's analysts and the "
            "steering group with small counts null, those entries last."
        ),
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATE,
                description="The first day counted (YYYY-MM-DD, UK time); four weeks before "
                "`until` if not given",
            ),
            OpenApiParameter(
                "until",
                OpenApiTypes.DATE,
                description="The day after the last day counted (YYYY-MM-DD); tomorrow if not "
                "given, so that the default period is the last four weeks up to and including "
                "today",
            ),
        ],
        responses={
            200: Output(many=True),
            400: OpenApiResponse(ErrorOutput, description="Bad since or until, named"),
            404: OpenApiResponse(
                DetailOutput, description="No such school, or not one whose hotspots you see"
            ),
        },
    )
    def get(self, request: Request, urn: int) -> Response:
        school = hs.get_school_for_hotspots(request.user, urn)
        errors: dict[str, str] = {}
        since = _date(request.query_params, "since", errors)
        until = _date(request.query_params, "until", errors)
        if errors:
            raise exceptions.ValidationError({k: [v] for k, v in errors.items()})
        try:
            since, until = hs.period_clean(
                since=since, until=until, today=datetime.now(LONDON).date()
            )
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        found = hs.school_hotspots(user=request.user, school=school, since=since, until=until)
        return Response(self.Output(found.places, many=True).data)
