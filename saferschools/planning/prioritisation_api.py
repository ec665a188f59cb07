"""Prioritisation in the API: every open school of an area ranked by need, highest first.

The same ranking as the page (``prioritisation``), for the same people: the area's analysts,
police supervisors and administrators; anyone else gets 404, as for an area that does not exist.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import URLPattern, path
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
from saferschools.lib.suppression import SUPPRESS_BELOW

from . import prioritisation as pr

BOOLEANS = {"true": True, "false": False}
INDICATORS = "; ".join(f"`{measure.code}` {measure.name.lower()}" for measure in pr.MEASURES)
# A filter's value longer than any phase or local authority the register holds is bad input.
FILTER_MAX = 200


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _choice(params: Any, name: str, choices: list[str], errors: dict[str, str]) -> str:
    value = params.get(name, "")
    if value and (len(value) > FILTER_MAX or value not in choices):
        errors[name] = (
            f"Give one of the area's: {', '.join(choices)}" if choices else "The area has none"
        )
        return ""
    return value


class PrioritisationApi(APIView):
    @extend_schema_serializer(component_name="PrioritisedSchoolOutput")
    class Output(serializers.Serializer):
        urn = serializers.IntegerField(source="school.urn")
        name = serializers.CharField(source="school.name")
        phase = serializers.CharField(source="school.phase")
        local_authority = serializers.CharField(source="school.local_authority")
        partnership = serializers.CharField(
            allow_null=True,
            help_text="The partnership the school is in; null for none",
        )
        score = serializers.FloatField(
            allow_null=True,
            help_text="Need, from 0 to 100, to one decimal place; null when the school has no "
            "figure for any indicator with a weight above 0",
        )
        rank = serializers.IntegerField(
            allow_null=True,
            help_text="1 for the highest need; schools with the same score share a rank and "
            "the next rank leaves a gap (1, 2, 2, 4); null without a score",
        )
        indicators_scored = serializers.IntegerField(
            help_text="How many of the indicators with a weight above 0 have a figure for the "
            "school: those its score rests on"
        )
        components = serializers.DictField(
            child=serializers.FloatField(allow_null=True),
            help_text="For each indicator, the points it adds to the score (they add up to the "
            "score, give or take 0.1 from rounding); 0 for an indicator of weight 0, null for "
            "one without a figure. Indicators: " + INDICATORS,
        )
        values = serializers.DictField(
            child=serializers.FloatField(allow_null=True),
            help_text="For each indicator, the school's figure: percentages for absence, per "
            "100 pupils for suspensions, exclusions and reports and incidents, the IMD 2019 "
            "rank of the school's neighbourhood (1 the most deprived), a count of street "
            "crimes; null without a figure (reports and incidents: at a school in no "
            "partnership with none recorded), for a count of reports and incidents from 1 "
            f"to {SUPPRESS_BELOW - 1}, which is not shown (see `small`), and for one that "
            "would give away a small count the school's needs assessment hides, which is "
            "neither shown nor scored",
        )
        small = serializers.ListField(
            child=serializers.CharField(),
            help_text=f"Indicators whose count is from 1 to {SUPPRESS_BELOW - 1}: not shown, "
            f"and scored as if it were {pr.SMALL_COUNT_STAND_IN}",
        )

        def to_representation(self, instance: pr.RankedSchool) -> dict[str, Any]:
            # The fields above describe the answer for the schema; the figures are Decimals
            # and are given as JSON numbers.
            school = instance.school
            return {
                "urn": school.urn,
                "name": school.name,
                "phase": school.phase,
                "local_authority": school.local_authority,
                "partnership": instance.partnership_name or None,
                "score": _number(instance.score),
                "rank": instance.rank,
                "indicators_scored": instance.indicators_scored,
                "components": {part.code: _number(part.points) for part in instance.components},
                "values": {part.code: _number(part.figure.value) for part in instance.components},
                "small": [part.code for part in instance.components if part.figure.small],
            }

    @extend_schema(
        summary="Every open school of an area ranked by need, highest first",
        description=(
            "Each indicator is normalised across all the area's open schools (the most need 1, "
            "the least 0; one half each when all are the same); a school's score is the "
            "weighted mean of its normalised figures over the indicators with a weight above 0 "
            "and a figure for it, out of 100. Filters choose the schools listed after that, so "
            "they never change a score or a rank. Schools without a score come last, by name. "
            "For the area's local authority analysts, police supervisors and administrators."
        ),
        parameters=[
            OpenApiParameter(
                "weights",
                OpenApiTypes.STR,
                description="indicator:weight pairs separated by commas, e.g. "
                "`deprivation:2,crime_nearby:1`; each weight a number from 0 to 100 with at "
                "most 2 decimal places, at least one above 0; an indicator not named has "
                "weight 0. Without it: your saved weights, else 1 for each indicator. "
                "Indicators: " + INDICATORS,
            ),
            OpenApiParameter("phase", OpenApiTypes.STR, description="Only schools of this phase"),
            OpenApiParameter(
                "local_authority",
                OpenApiTypes.STR,
                description="Only schools of this local authority",
            ),
            OpenApiParameter(
                "in_partnership",
                OpenApiTypes.STR,
                enum=["true", "false"],
                description="true: only schools in a partnership; false: only those in none",
            ),
        ],
        responses={
            200: Output(many=True),
            400: OpenApiResponse(
                ErrorOutput, description="Bad weights or filters, each field named"
            ),
            404: OpenApiResponse(
                DetailOutput, description="No such area, or not one whose schools you rank"
            ),
        },
    )
    def get(self, request: Request, area_id: str) -> Response:
        user = request.user
        area = access.get_prioritisation_area_for_user(user, area_id)
        params = request.query_params
        errors: dict[str, Any] = {}
        weights: pr.Weights | None = None
        if "weights" in params:
            try:
                weights = pr.weights_parse(params["weights"])
            except ValidationError as error:
                errors.update(error.message_dict)
        schools = pr.area_schools(area)
        phases, authorities = pr.filter_choices(schools)
        phase = _choice(params, "phase", phases, errors)
        authority = _choice(params, "local_authority", authorities, errors)
        partnered = params.get("in_partnership", "")
        if partnered and partnered not in BOOLEANS:
            errors["in_partnership"] = "Give true or false"
        if errors:
            raise exceptions.ValidationError(errors)
        if weights is None:
            weights = pr.priority_weights_for(user=user, area=area)
        ranked = pr.prioritisation_rank(area=area, weights=weights, schools=schools)
        rows = pr.prioritisation_filter(
            ranked.schools,
            phase=phase,
            local_authority=authority,
            in_partnership=BOOLEANS.get(partnered),
        )
        return Response(self.Output(rows, many=True).data)


urlpatterns: list[URLPattern] = [
    path(
        "areas/<uuid:area_id>/prioritisation",
        PrioritisationApi.as_view(),
        name="api-area-prioritisation",
    ),
]
