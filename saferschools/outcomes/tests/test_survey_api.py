"""The pupil's side of the survey as an API: the open survey's questions, and answering once
with a code; bad input gets a 400 naming the field and changes nothing."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from saferschools.outcomes.models import SurveyAnswer, SurveyCode, SurveyResponse
from saferschools.outcomes.survey_throttle import SURVEY_CODE_ATTEMPTS

from .survey_helpers import close, open_round, print_codes, question_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def survey(world, dsl):
    return open_round(world.school_a, dsl)


@pytest.fixture
def codes(survey, dsl):
    return print_codes(survey, dsl, 3)


def questions_url(school) -> str:
    return reverse("api-school-survey", args=[school.urn])


def responses_url(school) -> str:
    return reverse("api-school-survey-responses", args=[school.urn])


def post(api, school, body):
    return api.post(
        responses_url(school),
        data=body if isinstance(body, str | bytes) else json.dumps(body),
        content_type="application/json",
    )


def test_anyone_reads_the_open_survey_s_questions_and_answers(api, world, survey):
    response = api.get(questions_url(world.school_a))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    data = response.json()
    assert data["period"] == survey.period
    assert data["closes_on"] == survey.closes_on.isoformat()
    first, bullied = data["questions"][0], data["questions"][2]
    safe = question_of(survey, "survey_safe_at_school")
    assert first == {
        "id": str(safe.pk),
        "position": 1,
        "text": "I feel safe at school.",
        "kind": "agree",
        "choices": [
            {"value": 1, "label": "Strongly agree"},
            {"value": 2, "label": "Agree"},
            {"value": 3, "label": "Disagree"},
            {"value": 4, "label": "Strongly disagree"},
        ],
    }
    assert bullied["choices"][-1] == {"value": 9, "label": "I'd rather not say"}


def test_a_school_without_an_open_survey_is_not_found(api, world, survey, codes, dsl):
    assert api.get(questions_url(world.school_b)).status_code == 404
    assert api.get(reverse("api-school-survey", args=[123])).status_code == 404
    close(survey, dsl)
    assert api.get(questions_url(world.school_a)).json() == {"detail": "Not found."}
    assert post(api, world.school_a, {"code": codes[0]}).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_a_pupil_answers_once_and_a_code_used_twice_is_a_400(api, world, survey, codes):
    safe = question_of(survey, "survey_safe_at_school")
    bullied = question_of(survey, "survey_bullied_4_weeks")
    body = {"code": codes[0].lower(), "answers": {str(safe.pk): 1, str(bullied.pk): None}}
    first = post(api, world.school_a, body)
    assert first.status_code == 201
    assert first.json() == {}
    assert first["Cache-Control"] == "no-store"
    assert not first.cookies
    second = post(api, world.school_a, body)
    assert second.status_code == 400
    assert second.json() == {
        "detail": "Invalid input: code.",
        "errors": {"code": ["This code has already been used."]},
    }
    assert SurveyResponse.objects.count() == 1
    assert [(a.question_id, a.value) for a in SurveyAnswer.objects.all()] == [(safe.pk, 1)]


def test_answers_may_be_left_out_altogether(api, world, survey, codes):
    assert post(api, world.school_a, {"code": codes[0]}).status_code == 201
    assert SurveyResponse.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "non_field_errors"),
        ("not json", "detail"),
        ({"answers": {}}, "code"),
        ({"code": None}, "code"),
        ({"code": 1234567890}, "code"),
        ({"code": ["ABCDE23456"]}, "code"),
        ({"code": "1e999999"}, "code"),
        ({"code": "x" * 5000}, "code"),
        ({"code": "ABC\u0000DE23456"}, "code"),
        ({"code": "ABCDE-23456"}, "code"),
        ({"code": "{code}", "answers": []}, "answers"),
        ({"code": "{code}", "answers": "1"}, "answers"),
        ({"code": "{code}", "answers": {"not-a-uuid": 1}}, "answers.not-a-uuid"),
        ({"code": "{code}", "answers": {"{safe}": 7}}, "answers.{safe}"),
        ({"code": "{code}", "answers": {"{safe}": "1"}}, "answers.{safe}"),
        ({"code": "{code}", "answers": {"{safe}": True}}, "answers.{safe}"),
        ({"code": "{code}", "answers": {"{safe}": 1.5}}, "answers.{safe}"),
        ({"code": "{code}", "answers": {"{safe}": 1e300}}, "answers.{safe}"),
        ({"code": "{code}", "answers": {"{safe}": 10**40}}, "answers.{safe}"),
        ({"code": "{code}", "answers": {"{safe}": {"value": 1}}}, "answers.{safe}"),
        ({"code": "{code}", "when": "now"}, "when"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(api, world, survey, codes, body, field):
    safe = str(question_of(survey, "survey_safe_at_school").pk)
    if isinstance(body, dict):
        text = json.dumps(body).replace("{code}", codes[0]).replace("{safe}", safe)
        field = field.replace("{safe}", safe)
    else:
        text = json.dumps(body) if isinstance(body, list) else body
    response = post(api, world.school_a, text)
    assert response.status_code == 400
    data = response.json()
    if field == "detail":
        assert "detail" in data
    else:
        assert field in data["errors"], data
    assert not SurveyResponse.objects.exists()
    assert not SurveyCode.objects.filter(used=True).exists()


def test_wrong_codes_are_throttled(api, world, survey, codes):
    for n in range(SURVEY_CODE_ATTEMPTS):
        wrong = post(
            api, world.school_a, {"code": f"ABCDE{n:05d}".translate(str.maketrans("01", "23"))}
        )
        assert wrong.status_code == 400
    limited = post(api, world.school_a, {"code": codes[0]})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert not SurveyResponse.objects.exists()


def test_the_schema_describes_both_endpoints(api):
    schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    survey = schema["paths"]["/api/v1/schools/{urn}/survey"]["get"]
    answers = schema["paths"]["/api/v1/schools/{urn}/survey-responses"]["post"]
    assert "security" not in survey and "security" not in answers
    assert set(answers["responses"]) == {"201", "400", "404", "429"}
    assert "SurveyResponseInputRequest" in schema["components"]["schemas"]
