"""How the OpenAPI schema describes the API's authentication and its errors."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "saferschools.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "'Token <key>' with a key from `manage.py create_api_token EMAIL`.",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "saferschools.api.authentication.VerifiedSessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A signed-in browser session that has given its second factor.",
        }


@extend_schema_serializer(component_name="ErrorOutput")
class ErrorOutput(serializers.Serializer):
    """The answer to bad input: every offending field named with its messages."""

    detail = serializers.CharField()

    def get_fields(self) -> dict[str, Any]:
        # "errors" would hide the serializer's own ``errors``: it is added here, not declared.
        messages = serializers.ListField(child=serializers.CharField())
        return {**super().get_fields(), "errors": serializers.DictField(child=messages)}


@extend_schema_serializer(component_name="DetailOutput")
class DetailOutput(serializers.Serializer):
    """Any other error: not found, not signed in, too many attempts."""

    detail = serializers.CharField()
