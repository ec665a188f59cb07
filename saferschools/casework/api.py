from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.core import access
from saferschools.core.audit import audit_source

from . import selectors


class PupilListApi(APIView):
    class Filter(serializers.Serializer):
        school = serializers.IntegerField(required=False, min_value=1, help_text="The school's URN")

    @extend_schema_serializer(component_name="PupilOutput")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()
        school_urn = serializers.IntegerField(source="school.urn")
        name = serializers.CharField()
        year_group = serializers.IntegerField()
        upn = serializers.CharField()

    @extend_schema(
        summary="The pupils the user may see (each listing is audited)",
        parameters=[
            OpenApiParameter("school", OpenApiTypes.INT, description="Only this school (URN)")
        ],
        responses={200: Output(many=True)},
    )
    def get(self, request: Request) -> Response:
        filters = self.Filter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        school = None
        if "school" in filters.validated_data:
            school = access.get_school_for_pupils(request.user, filters.validated_data["school"])
        pupils = selectors.audit_listing(
            user=request.user,
            pupils=selectors.pupil_list(user=request.user, school=school),
            source=audit_source(request._request),
        )
        return Response(self.Output(pupils, many=True).data)
