"""Neighbourhood crime in the API: the published crimes counted around a school.

Street-level crime is public aggregate data, so anyone who can see the school may ask; the
school itself is fetched through the access policy, and an outsider gets 404 as for a school that
does not exist.
"""

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.schema import ErrorOutput
from saferschools.core import access
from saferschools.lib.police import month_parse

from .crime import crime_latest_month, crime_month_imported, crime_nearby, school_located
from .models.crime import RADIUS_MAX_M, RADIUS_MIN_M


class CrimeNearbyApi(APIView):
    class Filter(serializers.Serializer):
        month = serializers.CharField(required=False)
        radius_m = serializers.IntegerField(
            required=False, min_value=RADIUS_MIN_M, max_value=RADIUS_MAX_M
        )

        def validate_month(self, value: str) -> date:
            month = month_parse(value)
            if month is None:
                raise serializers.ValidationError("Give a month as YYYY-MM, e.g. 2023-09")
            return month

    @extend_schema_serializer(component_name="CrimeNearbyOutput")
    class Output(serializers.Serializer):
        month = serializers.CharField(help_text="YYYY-MM")
        radius_m = serializers.IntegerField(help_text="Metres around the school")
        total = serializers.IntegerField(help_text="Crimes recorded within the radius")
        by_type = serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Crimes by data.police.uk crime type, most frequent first",
        )

    @extend_schema(
        summary="Crimes published by data.police.uk within a radius of the school, in a month",
        description=(
            "Counts every imported force's street-level crimes of the month whose published "
            "point lies within `radius_m` metres of the school's grid reference. Without "
            "`month`, the newest month imported for the school's police force area."
        ),
        parameters=[
            OpenApiParameter(
                "month",
                OpenApiTypes.STR,
                pattern=r"^[0-9]{4}-[0-9]{2}$",
                description="YYYY-MM; the newest imported month if not given",
            ),
            OpenApiParameter(
                "radius_m",
                OpenApiTypes.INT,
                description=(
                    f"Metres, {RADIUS_MIN_M} to {RADIUS_MAX_M}; the area's radius (500 unless "
                    "the area set another) if not given"
                ),
            ),
        ],
        responses={
            200: Output,
            400: OpenApiResponse(ErrorOutput, description="Bad month or radius_m, named"),
            404: OpenApiResponse(
                ErrorOutput,
                description="No such school or not yours to see; or no crime data for the "
                "month (the month is named); or no location for the school",
            ),
        },
    )
    def get(self, request: Request, urn: int) -> Response:
        school = access.get_school_for_user(request.user, urn)
        filters = self.Filter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        if not school_located(school):
            return Response(
                {"detail": "The school register gives no location for this school."},
                status=status.HTTP_404_NOT_FOUND,
            )
        month = filters.validated_data.get("month")
        if month is None:
            month = crime_latest_month(school=school)
            if month is None:
                return _no_month(
                    "No crime data has been imported for this school's police force area."
                )
        elif not crime_month_imported(school=school, month=month):
            return _no_month(
                f"No crime data for {month:%Y-%m} has been imported for this school's police "
                "force area."
            )
        nearby = crime_nearby(
            school=school, month=month, radius_m=filters.validated_data.get("radius_m")
        )
        return Response(self.Output(nearby.as_dict()).data)


def _no_month(message: str) -> Response:
    return Response(
        {"detail": message, "errors": {"month": [message]}}, status=status.HTTP_404_NOT_FOUND
    )
