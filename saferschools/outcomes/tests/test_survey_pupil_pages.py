"""The pupil's survey page: answering with a code, the errors a pupil can meet, and what is kept
(nothing of the pupil, the code nowhere)."""

import logging
import re
from datetime import date

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saferschools.core.models import AuditEvent
from saferschools.outcomes import survey_services as services
from saferschools.outcomes.models import SurveyAnswer, SurveyCode, SurveyResponse
from saferschools.outcomes.survey_codes import code_display
from saferschools.outcomes.survey_forms import answer_field_name
from saferschools.outcomes.survey_throttle import SURVEY_CODE_ATTEMPTS

from .survey_helpers import close, open_round, print_codes, question_of, stored_anywhere

pytestmark = pytest.mark.django_db


def take_url(school) -> str:
    return reverse("outcomes-survey-take", args=[school.urn])


@pytest.fixture
def survey(world, dsl):
    return open_round(world.school_a, dsl)


@pytest.fixture
def codes(survey, dsl):
    return print_codes(survey, dsl, 5)


def form_data(survey, code: str, **answers) -> dict[str, str]:
    data = {"code": code}
    for indicator, value in answers.items():
        data[answer_field_name(question_of(survey, indicator))] = str(value)
    return data


def assert_private(response) -> None:
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies, f"cookies set: {list(response.cookies)}"


def text_of(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_asks_for_the_code_then_every_question_with_exit_and_privacy(
    client, world, survey
):
    response = client.get(take_url(world.school_a))
    assert response.status_code == 200
    assert_private(response)
    body = response.content.decode()
    text = text_of(response)
    assert "Exit this page" in text
    assert "Keeping your visit private" in text
    assert body.index('name="code"') < body.index(answer_field_name(survey.questions.first()))
    for asked in survey.questions.all():
        assert asked.text.replace("'", "&#x27;") in body
    assert "I&#x27;d rather not say" in body
    assert 'action="/survey/' in body and "sign-out" not in body
    # Nothing the pupil types or chooses goes into an address.
    for address in re.findall(r'(?:href|action)="(/[^"]*)"', body):
        assert "?" not in address


def test_a_pupil_answers_and_is_thanked(client, world, survey, codes):
    response = client.post(
        take_url(world.school_a),
        form_data(survey, code_display(codes[0]).lower(), survey_safe_at_school=2),
    )
    assert response.status_code == 200
    assert_private(response)
    assert "Your answers have been sent" in text_of(response)
    answer = SurveyAnswer.objects.get()
    assert (answer.question, answer.value) == (question_of(survey, "survey_safe_at_school"), 2)
    assert not AuditEvent.objects.filter(source="web:outcomes-survey-take").exists()


def test_a_used_code_says_so_and_a_second_press_records_once(client, world, survey, codes):
    data = form_data(survey, codes[0], survey_safe_at_school=1)
    client.post(take_url(world.school_a), data)
    again = client.post(take_url(world.school_a), data)
    assert again.status_code == 400
    assert "This code has already been used." in text_of(again)
    assert SurveyResponse.objects.count() == 1


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the code from your slip"),
        ("1234", services.CODE_MALFORMED),
        ("ABCDE-23456", services.CODE_NOT_FOUND),
        ("x" * 5000, "Enter the code from your slip: 10 letters and numbers"),
        ("ABC\x00DE23456", "Null characters are not allowed."),
    ],
)
def test_a_wrong_code_names_the_field_keeps_the_answers_and_stores_nothing(
    client, world, survey, codes, code, message
):
    response = client.post(
        take_url(world.school_a), form_data(survey, code, survey_bullied_4_weeks=9)
    )
    assert response.status_code == 400
    assert_private(response)
    body = response.content.decode()
    assert message.replace("'", "&#x27;") in body
    assert '<a href="#id_code">' in body
    field = answer_field_name(question_of(survey, "survey_bullied_4_weeks"))
    assert re.search(rf'name="{field}" type="radio" value="9"[^>]*checked', body)
    assert not SurveyResponse.objects.exists()
    assert not SurveyCode.objects.filter(used=True).exists()


def test_a_tampered_answer_is_refused(client, world, survey, codes):
    field = answer_field_name(question_of(survey, "survey_safe_at_school"))
    for value in ("7", "9", "1e999999", "\x00", "x" * 5000):
        response = client.post(take_url(world.school_a), {"code": codes[0], field: value})
        assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_a_voided_code_says_to_ask_for_another(client, world, survey, dsl):
    printed = services.survey_batch_print(
        actor=dsl, survey_round=survey, count=1, label="Lost", source="test"
    )
    services.survey_batch_void(actor=dsl, batch=printed.batch, source="test")
    response = client.post(take_url(world.school_a), {"code": printed.codes[0]})
    assert response.status_code == 400
    assert "Ask the teacher who gave it to you for a new one" in text_of(response)


def test_no_page_for_a_school_without_an_open_survey(client, world, survey, codes, dsl):
    for urn in (world.school_b.urn, 1, 99999999999):
        response = client.get(reverse("outcomes-survey-take", args=[urn]))
        assert response.status_code == 404
        assert_private(response)
        assert "There is no survey here just now" in text_of(response)
    close(survey, dsl)
    for response in (
        client.get(take_url(world.school_a)),
        client.post(take_url(world.school_a), {"code": codes[0]}),
    ):
        assert response.status_code == 404
    assert not SurveyResponse.objects.exists()


def test_the_page_refuses_other_methods(client, world, survey):
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)(take_url(world.school_a)).status_code == 405


def test_wrong_codes_are_throttled_for_that_address_only(client, world, survey, codes):
    guesser = {"REMOTE_ADDR": "203.0.113.7"}
    for n in range(SURVEY_CODE_ATTEMPTS):
        wrong = client.post(
            take_url(world.school_a),
            {"code": f"ABCDE{n:05d}".replace("0", "2").replace("1", "3")},
            **guesser,
        )
        assert wrong.status_code == 400
    limited = client.post(take_url(world.school_a), {"code": codes[0]}, **guesser)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "Too many tries" in text_of(limited)
    assert_private(limited)
    other = client.post(take_url(world.school_a), {"code": codes[0]}, REMOTE_ADDR="198.51.100.20")
    assert other.status_code == 200
    assert SurveyResponse.objects.count() == 1


def test_used_and_malformed_codes_do_not_count_towards_the_throttle(client, world, survey, codes):
    client.post(take_url(world.school_a), {"code": codes[0]})
    for _ in range(SURVEY_CODE_ATTEMPTS + 1):
        assert client.post(take_url(world.school_a), {"code": codes[0]}).status_code == 400
        assert client.post(take_url(world.school_a), {"code": "12"}).status_code == 400
    assert client.post(take_url(world.school_a), {"code": codes[1]}).status_code == 200


def test_nothing_of_the_code_or_the_pupil_is_kept_anywhere(client, world, survey, codes, caplog):
    caplog.set_level(logging.DEBUG)
    code = codes[0]
    with CaptureQueriesContext(connection) as queries:
        responses = [
            client.get(take_url(world.school_a)),
            client.post(take_url(world.school_a), form_data(survey, "ABCDE-23456")),
            client.post(
                take_url(world.school_a),
                form_data(survey, code_display(code), survey_safe_at_school=1),
                HTTP_USER_AGENT="PupilPhone/1.0",
                REMOTE_ADDR="192.0.2.44",
            ),
            client.post(take_url(world.school_a), form_data(survey, code)),
        ]
    assert [r.status_code for r in responses] == [200, 400, 200, 400]
    for response in responses:
        assert_private(response)
    assert not client.cookies
    assert not Session.objects.exists()
    for form in (code, code_display(code), code.lower()):
        assert stored_anywhere(form) == [], form
        assert form not in caplog.text
        assert not [q for q in queries.captured_queries if form in q["sql"]]
    for trace in ("PupilPhone", "192.0.2.44"):
        assert stored_anywhere(trace) == []
    # The response holds the round, the wording answered and the answers: no time, no code.
    response_fields = {field.name for field in SurveyResponse._meta.concrete_fields}
    assert response_fields == {"id", "round", "phase"}
    answer_fields = {field.name for field in SurveyAnswer._meta.concrete_fields}
    assert answer_fields == {"id", "response", "question", "value"}
    code_fields = {field.name for field in SurveyCode._meta.concrete_fields}
    assert code_fields == {"id", "batch", "code_hash", "used"}
    # Nor does the audit log say when anyone answered.
    assert not AuditEvent.objects.filter(source="web:outcomes-survey-take").exists()
    response_id = str(SurveyResponse.objects.get().pk)
    assert stored_anywhere(response_id) == [
        "outcomes_surveyresponse.id",
        "outcomes_surveyanswer.response_id",
    ]


def test_a_primary_school_s_pupils_read_the_primary_words(client, world, persona):
    from saferschools.accounts.models import Role

    head = persona(Role.HEAD_TEACHER, world.school_b)
    survey = open_round(world.school_b, head)
    (code,) = print_codes(survey, head, 1)
    response = client.get(take_url(world.school_b))
    assert "how often have you seen people smoking" in response.content.decode()
    client.post(take_url(world.school_b), {"code": code})
    assert SurveyResponse.objects.get().phase == "primary"


def test_a_pupil_answering_the_day_it_opens_and_the_day_it_closes(client, world, dsl):
    import time_machine

    survey = services.survey_round_open(
        actor=dsl,
        school=world.school_a,
        period="2030/31 autumn",
        opens_on=date(2030, 11, 4),
        closes_on=date(2030, 11, 22),
        source="test",
    )
    first, last, late = print_codes(survey, dsl, 3)
    with time_machine.travel("2030-11-03 23:30 +00:00"):
        assert client.get(take_url(world.school_a)).status_code == 404
    with time_machine.travel("2030-11-04 00:10 +00:00"):
        assert client.post(take_url(world.school_a), {"code": first}).status_code == 200
    with time_machine.travel("2030-11-22 23:50 +00:00"):
        assert client.post(take_url(world.school_a), {"code": last}).status_code == 200
    with time_machine.travel("2030-11-23 00:10 +00:00"):
        assert client.post(take_url(world.school_a), {"code": late}).status_code == 404
    assert SurveyResponse.objects.count() == 2
