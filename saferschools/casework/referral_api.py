"""The referrals API: making a referral and recording the agency's answer.

Referrals are written only through the services, which check every value as they do for the
web forms. This module checks what the JSON itself says: an object, no unknown keys, each value
a string (or null where optional) and ids that are ids, so that nothing sent is guessed at.
Whether the pupil or referral is within reach comes first: outsiders get 404 whatever else they
sent.
"""

import uuid
from typing import Any

from django.http import Http404
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.parsers import json_type
from saferschools.api.schema import DetailOutput, ErrorOutput, NamedChoiceField
from saferschools.core import access
from saferschools.core.audit import audit_source

from . import referral_services
from .models import Referral, ReferralService, ReferralStatus
from .referral_services import TEXT_MAX, ReferralInput

BAD_INPUT = OpenApiResponse(ErrorOutput, description="Bad input: each offending field named")
ANSWERS = [
    (status.value, status.label)
    for status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.COMPLETED)
]


def _service_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(ReferralService.choices, component="ReferralServiceEnum", **kwargs)


def _status_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(ReferralStatus.choices, component="ReferralStatusEnum", **kwargs)


class _Body:
    """The JSON object sent, each field a string or left out (or null, where optional); every
    problem is kept under the field's name and raised together."""

    def __init__(self, data: object, fields: tuple[str, ...]) -> None:
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object"]})
        self.data = data
        self.errors: dict[str, str] = dict.fromkeys(
            sorted(set(data) - set(fields)), "This field is not expected"
        )

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.errors[key] = "This field is required"
            return None
        if not isinstance(value, str):
            self.errors[key] = f"Give a string, not {json_type(value)}"
            return None
        return value

    def identifier(self, key: str, what: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            return str(uuid.UUID(value))
        except ValueError:
            self.errors[key] = f"Give the id of {what}"
            return None

    def check(self) -> None:
        if self.errors:
            raise exceptions.ValidationError({k: [v] for k, v in self.errors.items()})


class ReferralCreateApi(APIView):
    # Describes the body for the schema; the view reads the JSON itself (see _Body) and the
    # service checks every value, as it checks the web form.
    @extend_schema_serializer(component_name="ReferralCreateInput")
    class Input(serializers.Serializer):
        pupil_id = serializers.UUIDField(help_text="A pupil whose casework you keep")
        agency_id = serializers.UUIDField(help_text="An agency of the school's area")
        reason = serializers.CharField(max_length=TEXT_MAX)
        service = _service_field(
            required=False,
            allow_null=True,
            help_text="Left out, the service the agency's kind suggests",
        )
        sharing_decision_id = serializers.UUIDField(
            required=False,
            allow_null=True,
            help_text="A live decision to share this pupil's information with this agency; "
            "its practitioners are told of the referral",
        )
        plan_id = serializers.UUIDField(
            required=False, allow_null=True, help_text="One of the pupil's plans"
        )

    @extend_schema_serializer(component_name="ReferralCreatedOutput")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()
        status = _status_field()
        service = _service_field()

    @extend_schema(
        summary="Refer a pupil to an agency (the school's case workers); the school is reminded "
        "if no answer comes within five school days",
        request=Input,
        responses={
            201: Output,
            400: BAD_INPUT,
            404: OpenApiResponse(
                DetailOutput, description="pupil_id: no such pupil, or not one whose cases you keep"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = _Body(request.data, tuple(self.Input().fields))
        pupil_id = body.identifier("pupil_id", "a pupil", required=True)
        pupil = (
            access.get_casework_pupil_for_user(request.user, pupil_id, write=True)
            if pupil_id is not None
            else None
        )
        data = ReferralInput(
            agency_id=body.identifier("agency_id", "an agency", required=True),
            reason=body.text("reason", required=True),
            service=body.text("service"),
            sharing_decision_id=body.identifier("sharing_decision_id", "a sharing decision"),
            plan_id=body.identifier("plan_id", "one of the pupil's plans"),
        )
        body.check()
        assert pupil is not None  # the body's errors name pupil_id otherwise
        referral: Referral = referral_services.referral_create(
            actor=request.user, pupil=pupil, data=data, source=audit_source(request._request)
        )
        location = reverse("casework-referral", args=[referral.pk])
        return Response(self.Output(referral).data, status=201, headers={"Location": location})


class ReferralStatusApi(APIView):
    @extend_schema_serializer(component_name="ReferralStatusInput")
    class Input(serializers.Serializer):
        status = NamedChoiceField(
            ANSWERS,
            component="ReferralAnswerEnum",
            help_text="From sent: accepted or declined; from accepted: completed or declined",
        )
        outcome = serializers.CharField(
            required=False,
            allow_null=True,
            max_length=TEXT_MAX,
            help_text="Required when declined (why) or completed (what came of it)",
        )

    @extend_schema_serializer(component_name="ReferralStatusOutput")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()
        status = _status_field()
        outcome = serializers.CharField()

    @extend_schema(
        summary="Record the agency's answer to a referral (the school's case workers, or the "
        "agency's practitioners whose live grant covers the pupil)",
        request=Input,
        responses={
            200: Output,
            400: BAD_INPUT,
            404: OpenApiResponse(
                DetailOutput, description="No such referral, or not one you may answer"
            ),
        },
    )
    def post(self, request: Request, referral_id: uuid.UUID) -> Response:
        referral = access.get_referral_for_user(request.user, referral_id)
        if not access.can_answer_referral(request.user, referral):
            raise Http404
        body = _Body(request.data, tuple(self.Input().fields))
        status = body.text("status", required=True)
        outcome = body.text("outcome")
        body.check()
        # The service's errors name the fields; the API's handler shapes them.
        changed = referral_services.referral_update_status(
            actor=request.user,
            referral=referral,
            status=status,
            outcome=outcome or "",
            source=audit_source(request._request),
        )
        return Response(self.Output(changed).data)


urlpatterns = [
    path("referrals", ReferralCreateApi.as_view(), name="api-referrals"),
    path(
        "referrals/<uuid:referral_id>/status",
        ReferralStatusApi.as_view(),
        name="api-referral-status",
    ),
]
