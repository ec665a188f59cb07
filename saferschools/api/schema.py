"""How the OpenAPI schema describes the API's authentication and its errors."""

from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import ResolvedComponent
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


class NamedChoiceField(serializers.ChoiceField):
    """A choice of codes that the schema describes as one component named ``component``.

    Fields of the same name elsewhere (a report's ``category``, an activity's ``kind``) hold
    other codes; naming each set keeps them apart in the schema and in generated clients.
    """

    def __init__(self, choices: Any, *, component: str, **kwargs: Any) -> None:
        self.component = component
        super().__init__(choices=choices, **kwargs)


class NamedChoiceScheme(OpenApiSerializerFieldExtension):
    target_class = "saferschools.api.schema.NamedChoiceField"

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        codes = "\n".join(f"* `{code}` - {label}" for code, label in field.choices.items())
        component = ResolvedComponent(
            name=field.component,
            type=ResolvedComponent.SCHEMA,
            object=field.component,
            schema={"type": "string", "enum": list(field.choices), "description": codes},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
