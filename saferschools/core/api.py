from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors


class SchoolListApi(APIView):
    @extend_schema_serializer(component_name="SchoolOutput")
    class Output(serializers.Serializer):
        urn = serializers.IntegerField()
        name = serializers.CharField()
        phase = serializers.CharField()
        local_authority = serializers.CharField()
        postcode = serializers.CharField()
        partnership = serializers.SerializerMethodField()

        def get_partnership(self, school) -> dict | None:
            partnership = school.partnership
            if partnership is None:
                return None
            return {"id": str(partnership.pk), "name": partnership.name}

    @extend_schema(summary="The schools the user can see", responses={200: Output(many=True)})
    def get(self, request: Request) -> Response:
        schools = selectors.school_list(user=request.user)
        return Response(self.Output(schools, many=True).data)
