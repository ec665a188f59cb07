"""The protocol API: a partnership's latest protocol, and a partner's sign-off of it.

Sign-offs are written only through ``protocol_services.protocol_sign``, which checks, as for
the web page, that the version is the latest, that the partner is named in it, that the user
may sign for it and that it has not signed yet. This module checks what the JSON itself says
(no unknown keys, exactly one of ``agency_id`` and ``school_urn``, each of the right type) and
names every problem by field.
"""

import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.parsers import json_type
from saferschools.api.schema import DetailOutput, ErrorOutput, NamedChoiceField
from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import Agency, Partnership, School

from . import protocol_selectors as selectors
from . import protocol_services
from .models import Protocol, ProtocolPartner

NOT_FOUND = OpenApiResponse(DetailOutput, description="No such partnership, or not one you reach")


@extend_schema_serializer(component_name="ProtocolPartnerOutput")
class PartnerOutput(serializers.Serializer):
    agency_id = serializers.UUIDField(
        required=False, help_text="For an agency partner (absent for a school)"
    )
    school_urn = serializers.IntegerField(
        required=False, help_text="For a school partner (absent for an agency)"
    )
    name = serializers.CharField()
    brings = serializers.CharField(help_text="What the partner brings")
    responsibilities = serializers.CharField(help_text="Its roles and responsibilities")
    signed_by = serializers.CharField(
        allow_null=True, help_text="The name of who signed for it; null until signed"
    )
    signed_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, partner: ProtocolPartner) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if partner.agency_id is not None:
            data["agency_id"] = str(partner.agency_id)
        else:
            data["school_urn"] = partner.school.urn  # type: ignore[union-attr]
        signer = partner.signed_by
        data.update(
            name=partner.name,
            brings=partner.brings,
            responsibilities=partner.responsibilities,
            signed_by=(signer.full_name or signer.email) if signer else None,
            signed_at=serializers.DateTimeField().to_representation(partner.signed_at)
            if partner.signed_at
            else None,
        )
        return data


def _status(partnership: Partnership, protocol: Protocol) -> selectors.ProtocolStatus:
    return selectors.protocol_status(
        partnership=partnership, protocol=protocol, latest_version=protocol.version
    )


class ProtocolDetailApi(APIView):
    @extend_schema_serializer(component_name="ProtocolOutput")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()
        version = serializers.IntegerField()
        purpose = serializers.CharField()
        line_management = serializers.CharField()
        deployment = NamedChoiceField(
            Protocol.Deployment.choices, component="ProtocolDeploymentEnum"
        )
        days_per_school = serializers.CharField()
        room_and_equipment = serializers.CharField()
        resources_and_funding = serializers.CharField()
        communication = serializers.CharField()
        governance = serializers.CharField()
        sharing_agreement_id = serializers.UUIDField(allow_null=True)
        review_on = serializers.DateField()
        change_note = serializers.CharField()
        created_at = serializers.DateTimeField()
        partners = PartnerOutput(many=True)
        in_force = serializers.BooleanField(
            help_text="Every partner has signed, and the police force and every school of "
            "the partnership are named"
        )
        missing = serializers.ListField(
            child=serializers.CharField(), help_text="What keeps it from being in force"
        )

    @extend_schema(
        summary="The partnership's latest protocol, with each partner's sign-off",
        responses={
            200: Output,
            404: OpenApiResponse(
                DetailOutput,
                description="No such partnership, not one you reach, or no protocol yet",
            ),
        },
    )
    def get(self, request: Request, partnership_id: str) -> Response:
        partnership = access.get_governed_partnership_for_user(request.user, partnership_id)
        protocol = selectors.protocol_latest(user=request.user, partnership=partnership)
        if protocol is None:
            raise exceptions.NotFound()
        status = _status(partnership, protocol)
        protocol.in_force = status.in_force  # type: ignore[attr-defined]
        protocol.missing = status.missing  # type: ignore[attr-defined]
        return Response(self.Output(protocol).data)


class ProtocolSignOffApi(APIView):
    @extend_schema_serializer(component_name="ProtocolSignOffInput")
    class Input(serializers.Serializer):
        agency_id = serializers.UUIDField(
            required=False, help_text="The agency you sign for (one you hold a role over)"
        )
        school_urn = serializers.IntegerField(
            required=False, help_text="Instead of agency_id: the school you lead as head teacher"
        )

    @extend_schema_serializer(component_name="ProtocolSignOffOutput")
    class Output(serializers.Serializer):
        version = serializers.IntegerField()
        partners = PartnerOutput(many=True)
        in_force = serializers.BooleanField()

    @extend_schema(
        summary="Sign the partnership's latest protocol for one partner: an agency you hold a "
        "role over, or the school you lead (give exactly one of agency_id and school_urn)",
        request=Input,
        responses={
            200: Output,
            400: OpenApiResponse(
                ErrorOutput,
                description="Bad input, each offending field named: agency_id or school_urn "
                "missing, malformed, not a partner of the latest version, not one you may "
                "sign for, or signed already; protocol: no protocol yet",
            ),
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, partnership_id: str) -> Response:
        user = request.user
        # Whether the user reaches the partnership comes first: outsiders learn nothing more.
        partnership = access.get_governed_partnership_for_user(user, partnership_id)
        data = request.data
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object"]})
        errors: dict[str, str] = dict.fromkeys(
            sorted(set(data) - {"agency_id", "school_urn"}), "This field is not expected"
        )
        agency_id: Any = data.get("agency_id")
        school_urn: Any = data.get("school_urn")
        if agency_id is None and school_urn is None:
            errors["agency_id"] = (
                "This field is required: the agency you sign for (or school_urn for a school)"
            )
        elif agency_id is not None and school_urn is not None:
            errors["school_urn"] = "Give agency_id or school_urn, not both"
        elif agency_id is not None:
            if not isinstance(agency_id, str):
                errors["agency_id"] = (
                    f"Give the id of an agency as a string, not {json_type(agency_id)}"
                )
            else:
                try:
                    uuid.UUID(agency_id)
                except ValueError:
                    errors["agency_id"] = "Give the id of an agency"
        elif isinstance(school_urn, float):
            errors["school_urn"] = "Give a school's URN as a whole number, without a decimal point"
        elif isinstance(school_urn, bool) or not isinstance(school_urn, int):
            errors["school_urn"] = (
                f"Give a school's URN as a whole number, not {json_type(school_urn)}"
            )
        if errors:
            raise exceptions.ValidationError({key: [text] for key, text in errors.items()})
        protocol = selectors.protocol_latest(user=user, partnership=partnership)
        if protocol is None:
            raise exceptions.ValidationError(
                {"protocol": ["The partnership has no protocol yet: there is nothing to sign"]}
            )
        agency: Agency | None = None
        school: School | None = None
        if agency_id is not None:
            agency = Agency.objects.filter(pk=agency_id, area_id=partnership.area_id).first()
            missing_key = "agency_id"
        else:
            school = School.objects.filter(urn=school_urn, area_id=partnership.area_id).first()
            missing_key = "school_urn"
        if agency is None and school is None:
            raise exceptions.ValidationError(
                {
                    missing_key: [
                        f"No partner with this {'id' if agency_id else 'URN'} is named in "
                        f"version {protocol.version} of the protocol"
                    ]
                }
            )
        try:
            protocol_services.protocol_sign(
                actor=user,
                protocol=protocol,
                agency=agency,
                school=school,
                source=audit_source(request._request),
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        signed = selectors.protocol_latest(user=user, partnership=partnership)
        assert signed is not None
        return Response(
            self.Output(
                {
                    "version": signed.version,
                    "partners": list(signed.partners.all()),
                    "in_force": _status(partnership, signed).in_force,
                }
            ).data
        )


urlpatterns: list[URLPattern] = [
    path(
        "partnerships/<uuid:partnership_id>/protocol",
        ProtocolDetailApi.as_view(),
        name="api-protocol",
    ),
    path(
        "partnerships/<uuid:partnership_id>/protocol/sign-off",
        ProtocolSignOffApi.as_view(),
        name="api-protocol-sign-off",
    ),
]
