"""The pupil's side of the survey as an API, for a school's own app or kiosk: the questions of
the school's open survey, and sending one pupil's answers with the code from their slip.

Both endpoints take no credentials and keep nothing of who calls them: no session, no network
address, no user agent, and their answers are never cached. Answers go through the same service
as the web page, which checks everything and keeps neither the code nor the time. Wrong codes
count against the caller's allowance as on the web page.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saferschools.api.parsers import json_type
from saferschools.api.schema import DetailOutput, ErrorOutput, NamedChoiceField
from saferschools.core.audit import audit_source

from . import survey_selectors as selectors
from . import survey_services as services
from .models import AnswerKind
from .survey_answers import answer_choices
from .survey_throttle import survey_code_failed, survey_code_throttle

NOT_OPEN = OpenApiResponse(DetailOutput, description="No survey open at a school with this URN")
BAD_INPUT = OpenApiResponse(ErrorOutput, description="Bad input: each offending field named")
THROTTLED = OpenApiResponse(DetailOutput, description="Too many wrong codes: see Retry-After")
BODY_KEYS = ("code", "answers")


class SurveyPublicApi(APIView):
    """Open to anyone: no credentials are read, so no session is opened; nothing of the caller
    is kept, and no answer may be cached or tell another site where it came from."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response


def _open(urn: int) -> tuple[Any, Any]:
    found = selectors.school_for_survey(urn=urn, today=timezone.localdate())
    if found is None:
        raise Http404
    return found


@extend_schema_serializer(component_name="SurveyChoiceOutput")
class ChoiceOutput(serializers.Serializer):
    value = serializers.IntegerField(help_text="The number to send as the answer")

    def get_fields(self) -> dict[str, Any]:
        # "label" would hide the serializer's own ``label``: it is added here, not declared.
        return {**super().get_fields(), "label": serializers.CharField()}


@extend_schema_serializer(component_name="SurveyQuestionOutput")
class QuestionOutput(serializers.Serializer):
    id = serializers.UUIDField(help_text="The key of its answer in `answers`")
    position = serializers.IntegerField()
    text = serializers.CharField(help_text="The words this school's pupils are asked")
    kind = NamedChoiceField(AnswerKind.choices, component="SurveyAnswerKindEnum")
    choices = ChoiceOutput(many=True)


class SchoolSurveyApi(SurveyPublicApi):
    @extend_schema_serializer(component_name="SchoolSurveyOutput")
    class Output(serializers.Serializer):
        period = serializers.CharField(help_text="The term, as 2026/27 autumn")
        closes_on = serializers.DateField(help_text="The last day answers are taken")
        questions = QuestionOutput(many=True)

    @extend_schema(
        summary="The questions of the school's open pupil survey, with their answers",
        auth=[],
        responses={200: Output, 404: NOT_OPEN},
    )
    def get(self, request: Request, urn: int) -> Response:
        _, survey_round = _open(urn)
        questions = [
            {
                "id": question.pk,
                "position": question.position,
                "text": question.text,
                "kind": question.kind,
                "choices": [
                    {"value": value, "label": label}
                    for value, label in answer_choices(question.kind)
                ],
            }
            for question in selectors.round_questions(survey_round)
        ]
        output = {
            "period": survey_round.period,
            "closes_on": survey_round.closes_on,
            "questions": questions,
        }
        return Response(self.Output(output).data)


class SurveyResponseCreateApi(SurveyPublicApi):
    # Describes the body for the schema; the service checks it, as it checks the web form.
    @extend_schema_serializer(component_name="SurveyResponseInput")
    class Input(serializers.Serializer):
        code = serializers.CharField(
            help_text="The code from the pupil's slip; any case, spaces and dashes allowed"
        )
        answers = serializers.DictField(
            child=serializers.IntegerField(allow_null=True),
            required=False,
            help_text="An answer's value by question id; a question left out, or null, is "
            "unanswered",
        )

    @extend_schema_serializer(component_name="SurveyResponseOutput")
    class Output(serializers.Serializer):
        """Nothing: the answers are recorded and nothing about them is given back."""

    @extend_schema(
        summary="Send one pupil's answers, with the single-use code from their slip",
        auth=[],
        request=Input,
        responses={201: Output, 400: BAD_INPUT, 404: NOT_OPEN, 429: THROTTLED},
    )
    def post(self, request: Request, urn: int) -> Response:
        school, _ = _open(urn)
        throttle = survey_code_throttle(request._request)
        if throttle.limited:
            raise exceptions.Throttled(
                wait=throttle.retry_after, detail="Too many wrong codes. Wait and try again."
            )
        data = request.data
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object"]})
        unknown = sorted(set(data) - set(BODY_KEYS))
        if unknown:
            raise exceptions.ValidationError(
                {key: ["This field is not expected"] for key in unknown}
            )
        code = data.get("code")
        if not isinstance(code, str):
            raise exceptions.ValidationError(
                {"code": [f"Send the code as a string, not {json_type(code)}"]}
            )
        try:
            services.survey_response_submit(
                school=school,
                code=code,
                answers=data.get("answers"),
                source=audit_source(request._request),
            )
        except services.SurveyNotOpen:
            raise Http404 from None
        except ValidationError as error:
            if any(one.code == services.WRONG_CODE for one in error.error_dict.get("code", [])):
                survey_code_failed(request._request)
            raise
        return Response({}, status=201)


urlpatterns: list[URLPattern] = [
    path("schools/<int:urn>/survey", SchoolSurveyApi.as_view(), name="api-school-survey"),
    path(
        "schools/<int:urn>/survey-responses",
        SurveyResponseCreateApi.as_view(),
        name="api-school-survey-responses",
    ),
]
