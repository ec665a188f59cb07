from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.core import access


class MembershipOutput(serializers.Serializer):
    role = serializers.CharField()
    scope_type = serializers.CharField()
    scope_id = serializers.CharField()
    scope_name = serializers.CharField()


class MeApi(APIView):
    @extend_schema_serializer(component_name="MeOutput")
    class Output(serializers.Serializer):
        email = serializers.EmailField()
        memberships = MembershipOutput(many=True)

    @extend_schema(
        summary="The signed-in user and their memberships",
        responses={200: Output},
    )
    def get(self, request: Request) -> Response:
        memberships = MembershipOutput(access.memberships_of(request.user), many=True).data
        return Response({"email": getattr(request.user, "email", ""), "memberships": memberships})
