"""Evaluations in the API: making one for a partnership and an indicator, and reading one.

The body is checked for its shape here (a JSON object, no unknown keys, a UUID, a string, a
list); whether the partnership is within reach comes next, so that an outsider gets 404 whatever
else they sent, as does a reader who may not make evaluations (``access.can_evaluate``); the
service checks the rest, naming each field, and records nothing on a problem.
"""

import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import URLPattern, path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.parsers import json_type
from saferschools.api.schema import DetailOutput, ErrorOutput, NamedChoiceField
from saferschools.core import access
from saferschools.core.audit import audit_source

from . import evaluation_services as services
from .models import Evaluation, PeriodKind

KEYS = ("partnership_id", "indicator", "comparison_urns")


@extend_schema_serializer(component_name="EvaluationInput")
class EvaluationBody(serializers.Serializer):
    partnership_id = serializers.UUIDField(help_text="A partnership with a start date")
    indicator = serializers.CharField(
        help_text="An indicator's code from the catalogue, measured per school and imported "
        "or surveyed (the comparison schools have no records in SaferSchools)"
    )
    comparison_urns = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        max_length=services.MAX_COMPARISON_URNS,
        help_text="The comparison schools: open schools of the area in no partnership. Left "
        "out, they are chosen automatically: each partnership school's nearest matches on "
        "phase, size, deprivation and the indicator before the partnership began",
    )


@extend_schema_serializer(component_name="EvaluationOutput")
class EvaluationOutput(serializers.Serializer):
    id = serializers.UUIDField()
    partnership_id = serializers.UUIDField()
    indicator = serializers.CharField()
    period_kind = NamedChoiceField(PeriodKind.choices, component="EvaluationPeriodKindEnum")
    started_on = serializers.DateField(help_text="When the partnership began, as used")
    estimate = serializers.FloatField(
        help_text="The difference-in-differences estimate of the partnership's effect, in the "
        "indicator's unit (percentage points for a percentage)"
    )
    std_error = serializers.FloatField(help_text="Clustered by school")
    ci_low = serializers.FloatField(help_text="The 95% confidence interval's lower end")
    ci_high = serializers.FloatField(help_text="The 95% confidence interval's upper end")
    p_value = serializers.FloatField()
    treated_urns = serializers.ListField(child=serializers.IntegerField())
    comparison_urns = serializers.ListField(child=serializers.IntegerField())
    comparison_chosen = NamedChoiceField(
        Evaluation.Chosen.choices, component="EvaluationComparisonChosenEnum"
    )
    periods = serializers.ListField(
        child=serializers.CharField(), help_text="Academic years as 2024/25, or terms"
    )
    n_units = serializers.IntegerField(help_text="Schools with figures")
    n_periods = serializers.IntegerField()
    n_observations = serializers.IntegerField(help_text="School-periods with a figure")
    caveats = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()


def evaluation_data(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "id": evaluation.pk,
        "partnership_id": evaluation.partnership_id,
        "indicator": evaluation.indicator_id,
        "period_kind": evaluation.period_kind,
        "started_on": evaluation.started_on,
        "estimate": evaluation.estimate,
        "std_error": evaluation.std_error,
        "ci_low": evaluation.ci_low,
        "ci_high": evaluation.ci_high,
        "p_value": evaluation.p_value,
        "treated_urns": evaluation.treated_urns,
        "comparison_urns": evaluation.comparison_urns,
        "comparison_chosen": evaluation.comparison_chosen,
        "periods": evaluation.periods,
        "n_units": evaluation.n_units,
        "n_periods": evaluation.n_periods,
        "n_observations": evaluation.n_observations,
        "caveats": evaluation.caveats,
        "created_at": evaluation.created_at,
    }


def _body(data: object) -> dict[str, Any]:
    """The body's fields, each of the right JSON type; a 400 naming every one that is not."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError(
            {"non_field_errors": [f"Send a JSON object, not {json_type(data)}"]}
        )
    errors: dict[str, list[str]] = {
        str(key)[:60]: ["This field is not expected"] for key in sorted(set(data) - set(KEYS))
    }
    for key in ("partnership_id", "indicator"):
        value = data.get(key)
        if value is None:
            errors[key] = ["This field is required"]
        elif not isinstance(value, str):
            errors[key] = [f"Give a string, not {json_type(value)}"]
    partnership_id = data.get("partnership_id")
    if isinstance(partnership_id, str) and "partnership_id" not in errors:
        try:
            uuid.UUID(partnership_id)
        except ValueError:
            errors["partnership_id"] = ["Give the partnership's id, a UUID"]
    urns = data.get("comparison_urns")
    if urns is not None and not isinstance(urns, list):
        errors["comparison_urns"] = [f"Give a list of URNs, not {json_type(urns)}"]
    if errors:
        raise exceptions.ValidationError(errors)
    return data


class EvaluationCreateApi(APIView):
    @extend_schema(
        summary="Evaluate a partnership's effect on an indicator against comparison schools, "
        "by difference-in-differences with school and period fixed effects and standard errors "
        "clustered by school (the area's analysts, police supervisors and administrators, and "
        "the partnership's governors)",
        request=EvaluationBody,
        responses={
            201: EvaluationOutput,
            400: OpenApiResponse(
                ErrorOutput,
                description="Bad input, each field named: an unknown indicator or one without "
                "figures before the start; a comparison school in the partnership, unknown or "
                "outside the area; too few schools; a partnership without a start date",
            ),
            404: OpenApiResponse(
                DetailOutput,
                description="No such partnership, or not one you may evaluate",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        user = request.user
        data = _body(request.data)
        partnership = access.get_partnership_for_user(user, data["partnership_id"])
        if not access.can_evaluate(user, partnership):
            raise Http404("No partnership found.")
        try:
            evaluation = services.evaluation_create(
                actor=user,
                partnership=partnership,
                indicator=data["indicator"],
                comparison_urns=data.get("comparison_urns"),
                source=audit_source(request._request),
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        location = reverse("outcomes-evaluation-detail", args=[evaluation.pk])
        return Response(
            EvaluationOutput(evaluation_data(evaluation)).data,
            status=201,
            headers={"Location": location},
        )


class EvaluationApi(APIView):
    @extend_schema(
        summary="An evaluation of a partnership the user reaches",
        responses={
            200: EvaluationOutput,
            404: OpenApiResponse(DetailOutput, description="No such evaluation within reach"),
        },
    )
    def get(self, request: Request, evaluation_id: uuid.UUID) -> Response:
        evaluation = access.get_evaluation_for_user(request.user, evaluation_id)
        return Response(EvaluationOutput(evaluation_data(evaluation)).data)


urlpatterns: list[URLPattern] = [
    path("evaluations", EvaluationCreateApi.as_view(), name="api-evaluations"),
    path("evaluations/<uuid:evaluation_id>", EvaluationApi.as_view(), name="api-evaluation"),
]
