"""The risk-factor catalogue and pupils' risk assessments over the API.

Assessments are recorded only through the service, which checks every value as it does for the
web form. This module checks what the JSON itself says: no unknown keys, each value of the JSON
type its field takes, so that nothing sent is guessed at. A pupil out of reach answers 404 as a
pupil who does not exist; a practitioner whose grant names assessments reads them but does not
record one (404, as for any change out of scope). Every assessment listed is audited.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.dateparse import parse_date
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.parsers import json_type
from saferschools.api.schema import DetailOutput, ErrorOutput, NamedChoiceField
from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.reporting.api import PersonOutput

from . import assessment_selectors as selectors
from . import assessment_services as services
from .models import RiskAssessment, RiskDomain, RiskLevel

BODY_FIELDS = ("factors", "notes", "review_on")
FACTOR_FIELDS = ("code", "evidence", "source")

NOT_FOUND = OpenApiResponse(
    DetailOutput, description="No such pupil, or not one whose assessments you see"
)
BAD_INPUT = OpenApiResponse(ErrorOutput, description="Bad input: each offending field named")


def _domain(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(RiskDomain.choices, component="RiskDomainEnum", **kwargs)


def _level() -> NamedChoiceField:
    return NamedChoiceField(RiskLevel.choices, component="RiskLevelEnum")


class _Reader:
    """Reads the JSON object sent, keeping each problem under the field's name as sent
    (``factors[1].evidence``) so that they are all raised together."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def unknown(self, data: dict[str, Any], fields: tuple[str, ...], prefix: str = "") -> None:
        for key in sorted(set(data) - set(fields), key=str):
            self.errors[f"{prefix}{key}"] = "This field is not expected"

    def text(self, data: dict[str, Any], key: str, field: str) -> str | None:
        value = data.get(key)
        if value is None or isinstance(value, str):
            return value
        self.errors[field] = f"Give a string, not {json_type(value)}"
        return None

    def factors(self, value: object) -> list[services.FactorInput]:
        if value is None:
            self.errors["factors"] = (
                "This field is required: give the factors present (an empty list for none)"
            )
            return []
        if not isinstance(value, list):
            self.errors["factors"] = f"Give a list, not {json_type(value)}"
            return []
        factors = []
        for index, item in enumerate(value):
            field = f"factors[{index}]"
            if not isinstance(item, dict):
                self.errors[field] = (
                    f"Give an object with code, evidence and source, not {json_type(item)}"
                )
                continue
            self.unknown(item, FACTOR_FIELDS, prefix=f"{field}.")
            values = {key: self.text(item, key, f"{field}.{key}") for key in FACTOR_FIELDS}
            if "code" not in item:
                self.errors[f"{field}.code"] = "This field is required"
            factors.append(services.FactorInput(**{k: v or "" for k, v in values.items()}))
        return factors

    def review_on(self, value: object) -> date | None:
        if value is None:
            return None
        parsed = None
        if isinstance(value, str) and len(value) == 10:
            try:
                parsed = parse_date(value)
            except ValueError:
                parsed = None
        if parsed is None:
            self.errors["review_on"] = "Give a date such as 2026-03-27"
        return parsed

    def check(self) -> None:
        if self.errors:
            raise exceptions.ValidationError({k: [v] for k, v in self.errors.items()})


class RiskFactorListApi(APIView):
    @extend_schema_serializer(component_name="RiskFactorOutput")
    class Output(serializers.Serializer):
        code = serializers.CharField(help_text="What an assessment's factors[].code takes")
        domain = _domain()
        name = serializers.CharField()

    @extend_schema(
        summary="The risk-factor catalogue: the guidance's factors (section 4.17) and those the "
        "areas you belong to add, in domain order",
        responses={200: Output(many=True)},
    )
    def get(self, request: Request) -> Response:
        factors = selectors.risk_factors_for_user(user=request.user)
        return Response(self.Output(factors, many=True).data)


@extend_schema_serializer(component_name="RiskAssessmentFactorOutput")
class RiskAssessmentFactorOutput(serializers.Serializer):
    code = serializers.CharField(source="factor.code")
    domain = _domain(source="factor.domain")
    name = serializers.CharField(source="factor.name")
    evidence = serializers.CharField()
    # The API's name for where the evidence came from; DRF takes declared fields off the class,
    # so the serializer's own ``source`` attribute is untouched.
    source = serializers.CharField()  # type: ignore[assignment]


@extend_schema_serializer(component_name="RiskAssessmentFactorInput")
class RiskAssessmentFactorInput(serializers.Serializer):
    code = serializers.CharField(help_text="A code from GET /api/v1/risk-factors, once each")
    evidence = serializers.CharField(max_length=services.EVIDENCE_MAX)
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=services.SOURCE_MAX,
        help_text="Where the evidence came from, such as attendance records",
    )


class RiskAssessmentListRecordApi(APIView):
    # Describes the body for the schema; the view reads the JSON itself (see _Reader) and the
    # service checks every value, as it checks the web form.
    @extend_schema_serializer(component_name="RiskAssessmentRecordInput")
    class Input(serializers.Serializer):
        factors = serializers.ListField(
            child=RiskAssessmentFactorInput(),
            help_text="The factors present; an empty list records that none is",
        )
        notes = serializers.CharField(
            required=False, allow_null=True, max_length=services.NOTES_MAX
        )
        review_on = serializers.DateField(
            required=False, allow_null=True, help_text="Today or later, within three years"
        )

    @extend_schema_serializer(component_name="RiskAssessmentRecordedOutput")
    class Recorded(serializers.Serializer):
        id = serializers.UUIDField()
        level = _level()

    @extend_schema_serializer(component_name="RiskAssessmentOutput")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()
        level = _level()
        level_reason = serializers.CharField(help_text="Why the level is what it is, in words")
        assessed_at = serializers.DateTimeField()
        assessed_by = PersonOutput()
        review_on = serializers.DateField(allow_null=True)
        notes = serializers.CharField()
        factors = RiskAssessmentFactorOutput(many=True, source="factors.all")

    @extend_schema(
        summary="The pupil's risk assessments, newest first (each one listed is audited)",
        responses={200: Output(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, pupil_id: str) -> Response:
        source = audit_source(request._request)
        pupil = selectors.get_assessable_pupil(user=request.user, pupil_id=pupil_id, source=source)
        assessments = selectors.assessment_history(user=request.user, pupil=pupil, source=source)
        return Response(self.Output(assessments, many=True).data)

    @extend_schema(
        summary="Record a risk assessment of a pupil of your school: the level follows from "
        "the factors present by the published rule",
        request=Input,
        responses={201: Recorded, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, pupil_id: str) -> Response:
        # Whether the user keeps the pupil's casework comes first: outsiders learn nothing from
        # the rest of what they sent.
        pupil = access.get_casework_pupil_for_user(request.user, pupil_id, write=True)
        data = request.data
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object"]})
        reader = _Reader()
        reader.unknown(data, BODY_FIELDS)
        factors = reader.factors(data.get("factors"))
        notes = reader.text(data, "notes", "notes")
        review_on = reader.review_on(data.get("review_on"))
        reader.check()
        try:
            assessment: RiskAssessment = services.assessment_record(
                actor=request.user,
                pupil=pupil,
                factors=factors,
                notes=notes or "",
                review_on=review_on,
                source=audit_source(request._request),
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        return Response(self.Recorded(assessment).data, status=201)


urlpatterns = [
    path("risk-factors", RiskFactorListApi.as_view(), name="api-risk-factors"),
    path(
        "pupils/<uuid:pupil_id>/risk-assessments",
        RiskAssessmentListRecordApi.as_view(),
        name="api-pupil-risk-assessments",
    ),
]
