"""The sharing decisions API: recording a decision about a pupil, and revoking a share.

Decisions are written only through the services, which check every value as they do for the
web form. This module checks what the JSON itself says (no unknown keys, a string where text,
an id or a code is expected, true for the golden rules, a list of strings for the items, a
date as YYYY-MM-DD) and names every problem at once, with the services' own.
"""

import re
import uuid
from datetime import date
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

from . import decision_services
from .decision_services import DEFAULT_ITEMS, SharingDecisionInput
from .models import Consent, Decision, LawfulBasis, SharedItem, SharingDecision, SpecialCondition

DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
TEXT_FIELDS = (
    "agency_id",
    "practitioner_id",
    "agreement_id",
    "purpose",
    "information",
    "lawful_basis",
    "special_condition",
    "consent",
    "consent_reason",
    "decision",
    "reason",
)
BAD_INPUT = OpenApiResponse(ErrorOutput, description="Bad input: each offending field named")


def _object(data: object, fields: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON object sent, and an error for each key it should not have."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object"]})
    errors = dict.fromkeys(sorted(set(data) - set(fields)), "This field is not expected")
    return data, errors


def _date(value: object, errors: dict[str, str]) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors["expires_on"] = f"Give a date as YYYY-MM-DD, not {json_type(value)}"
        return None
    try:
        if not DATE_SHAPE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        errors["expires_on"] = "Give a real date as YYYY-MM-DD, for example 2027-03-31"
        return None


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise exceptions.ValidationError(
            {k: v if isinstance(v, list) else [v] for k, v in errors.items()}
        )


class SharingDecisionRecordApi(APIView):
    # Describes the body for the schema; the view reads the JSON itself and the service checks
    # every value, as it checks the web form.
    @extend_schema_serializer(component_name="SharingDecisionRecordInput")
    class Input(serializers.Serializer):
        pupil_id = serializers.UUIDField(
            help_text="A pupil whose casework you keep (a case worker of the pupil's school)"
        )
        agency_id = serializers.UUIDField(help_text="An agency of the school's area")
        purpose = serializers.CharField(help_text="Why share")
        information = serializers.CharField(help_text="What would be shared")
        lawful_basis = NamedChoiceField(LawfulBasis.choices, component="LawfulBasisEnum")
        special_condition = NamedChoiceField(
            SpecialCondition.choices,
            component="SpecialConditionEnum",
            required=False,
            help_text="For special-category or criminal-offence data; none unless given",
        )
        consent = NamedChoiceField(Consent.choices, component="SharingConsentEnum")
        consent_reason = serializers.CharField(
            required=False,
            help_text="Required when consent was not sought, and when sharing despite a refusal",
        )
        golden_rules_confirmed = serializers.BooleanField(
            help_text="true: the decider has considered each of the seven golden rules"
        )
        decision = NamedChoiceField(Decision.choices, component="SharingDecisionChoiceEnum")
        reason = serializers.CharField(
            required=False, help_text="The reasons; required for not_share"
        )
        expires_on = serializers.DateField(
            required=False,
            help_text="For a share (required): access ends as this day starts (UK time); "
            "after today and at most a year ahead",
        )
        practitioner_id = serializers.UUIDField(
            required=False,
            allow_null=True,
            help_text="Share with this practitioner of the agency alone; otherwise with all",
        )
        agreement_id = serializers.UUIDField(
            required=False,
            allow_null=True,
            help_text="An agreement of the school's partnership, with the agency as a party",
        )
        items = serializers.ListField(
            child=NamedChoiceField(SharedItem.choices, component="SharedItemEnum"),
            required=False,
            help_text="What a share opens, besides the pupil's page and chronology; for a "
            "share, " + ", ".join(DEFAULT_ITEMS) + " unless given",
        )

    @extend_schema_serializer(component_name="SharingDecisionRecordedOutput")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()
        decision = NamedChoiceField(Decision.choices, component="SharingDecisionChoiceEnum")
        expires_on = serializers.DateField(
            allow_null=True, help_text="For a share: access ends as this day starts"
        )

    @extend_schema(
        summary="Record a decision whether to share a pupil's information with an agency; a "
        "share grants the agency's practitioners access until expires_on",
        request=Input,
        responses={
            201: Output,
            400: BAD_INPUT,
            404: OpenApiResponse(
                DetailOutput,
                description="pupil_id: no such pupil, or not one whose casework you keep",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data, errors = _object(request.data, tuple(self.Input().fields))
        pupil_id = data.get("pupil_id")
        pupil = None
        if pupil_id is None:
            errors["pupil_id"] = "This field is required"
        elif not isinstance(pupil_id, str):
            errors["pupil_id"] = f"Give the id of a pupil as a string, not {json_type(pupil_id)}"
        else:
            try:
                uuid.UUID(pupil_id)
            except ValueError:
                errors["pupil_id"] = "Give the id of a pupil"
            else:
                # Whether the pupil is one whose casework the user keeps comes first: outsiders
                # learn nothing from the rest of what they sent.
                pupil = access.get_casework_pupil_for_user(request.user, pupil_id, write=True)
        values: dict[str, Any] = {}
        for key in TEXT_FIELDS:
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                errors[key] = f"Give a string, not {json_type(value)}"
                value = None
            values[key] = value
        confirmed = data.get("golden_rules_confirmed")
        if confirmed is not None and not isinstance(confirmed, bool):
            errors["golden_rules_confirmed"] = f"Give true, not {json_type(confirmed)}"
            confirmed = None
        items = data.get("items")
        if items is not None and (
            not isinstance(items, list) or not all(isinstance(i, str) for i in items)
        ):
            errors["items"] = "Give a list of strings: " + ", ".join(SharedItem.values)
            items = []
        if items is None:
            items = list(DEFAULT_ITEMS) if values["decision"] == Decision.SHARE else []
        expires_on = _date(data.get("expires_on"), errors)
        if pupil is None:
            _raise(errors)  # errors name pupil_id
        assert pupil is not None
        decision_input = SharingDecisionInput(
            golden_rules_confirmed=confirmed,
            items=items,
            # A date sent that is not one is named above; the service is not told it is missing.
            expires_on=expires_on if "expires_on" not in errors else date.min,
            special_condition=values.pop("special_condition") or SpecialCondition.NONE,
            consent_reason=values.pop("consent_reason") or "",
            reason=values.pop("reason") or "",
            **values,
        )
        problems: dict[str, Any] = dict(errors)
        try:
            decision_services.sharing_decision_validate(pupil=pupil, data=decision_input)
        except DjangoValidationError as error:
            # What the JSON itself got wrong says more than what the service made of it.
            problems = {**error.message_dict, **errors}
        _raise(problems)
        try:
            decision: SharingDecision = decision_services.sharing_decision_record(
                actor=request.user,
                pupil=pupil,
                data=decision_input,
                source=audit_source(request._request),
                # A client sending again after losing the answer gets the same decision.
                ignore_repeat=True,
            )
        except DjangoValidationError as error:
            renamed = {
                ("pupil_id" if key == "pupil" else key): messages
                for key, messages in error.message_dict.items()
            }
            raise exceptions.ValidationError(renamed) from None
        return Response(self.Output(decision).data, status=201)


class SharingDecisionRevokeApi(APIView):
    @extend_schema_serializer(component_name="SharingDecisionRevokeInput")
    class Input(serializers.Serializer):
        reason = serializers.CharField(
            required=False, allow_null=True, help_text="Why access ends now"
        )

    @extend_schema_serializer(component_name="SharingDecisionRevokedOutput")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()
        revoked_at = serializers.DateTimeField()

    @extend_schema(
        summary="Revoke a live share at once (a case worker of the pupil's school); the "
        "agency's practitioners are told that access has ended",
        request=Input,
        responses={
            200: Output,
            400: BAD_INPUT,
            404: OpenApiResponse(
                DetailOutput, description="No such decision, or not one you may revoke"
            ),
        },
    )
    def post(self, request: Request, decision_id: str) -> Response:
        found = access.get_sharing_decision_for_user(request.user, decision_id, write=True)
        # No body at all reads as an empty object.
        data, errors = _object(request.data, tuple(self.Input().fields))
        reason = data.get("reason")
        if reason is not None and not isinstance(reason, str):
            errors["reason"] = f"Give a string, not {json_type(reason)}"
        _raise(errors)
        try:
            decision = decision_services.sharing_decision_revoke(
                actor=request.user,
                decision=found,
                reason=reason or "",
                source=audit_source(request._request),
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        return Response(self.Output(decision).data)


urlpatterns: list[URLPattern] = [
    path("sharing-decisions", SharingDecisionRecordApi.as_view(), name="api-sharing-decisions"),
    path(
        "sharing-decisions/<uuid:decision_id>/revoke",
        SharingDecisionRevokeApi.as_view(),
        name="api-sharing-decision-revoke",
    ),
]
