"""The partnership API: where a partnership stands and what it needs to move on."""

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.schema import DetailOutput
from saferschools.core import access

from .stage import stage_missing


class PartnershipDetailApi(APIView):
    @extend_schema_serializer(component_name="PartnershipSchoolOutput")
    class SchoolOutput(serializers.Serializer):
        urn = serializers.IntegerField()
        name = serializers.CharField()
        phase = serializers.CharField()

    @extend_schema_serializer(component_name="PartnershipOutput")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()
        name = serializers.CharField()
        stage = serializers.IntegerField(help_text="1 to 4, the guidance's stages (section 3)")
        stage_name = serializers.CharField(source="get_stage_display")
        started_on = serializers.DateField(allow_null=True)
        schools = serializers.SerializerMethodField()
        missing_for_next_stage = serializers.SerializerMethodField(
            help_text="What the present stage still needs before the next; empty when it may "
            "move on, or at the last stage"
        )

        def get_schools(self, partnership) -> list[dict]:
            schools = partnership.schools.order_by("name", "urn")
            return list(PartnershipDetailApi.SchoolOutput(schools, many=True).data)

        def get_missing_for_next_stage(self, partnership) -> list[str]:
            return stage_missing(partnership)

    @extend_schema(
        summary="A partnership: its stage, schools and what the next stage needs",
        responses={200: Output, 404: OpenApiResponse(DetailOutput, description="Not found")},
    )
    def get(self, request: Request, partnership_id: str) -> Response:
        partnership = access.get_partnership_for_user(request.user, partnership_id)
        return Response(self.Output(partnership).data)


urlpatterns: list[URLPattern] = [
    path(
        "partnerships/<uuid:partnership_id>",
        PartnershipDetailApi.as_view(),
        name="api-partnership",
    ),
]
