"""The survey's staff pages: a school's rounds, opening and closing one, code sheets, results,
the partnership's schools together and the area's questions; who may do what, and bad input."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from saferschools.accounts.models import Role
from saferschools.core.models import AuditEvent
from saferschools.outcomes import survey_services as services
from saferschools.outcomes.models import (
    SurveyCode,
    SurveyCodeBatch,
    SurveyQuestion,
    SurveyRound,
)
from saferschools.outcomes.survey_codes import code_digest, code_normalise

from .survey_helpers import (
    answer_many,
    answered,
    close,
    open_round,
    print_codes,
    question_of,
    this_term,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def steering(world, persona):
    return persona(Role.STEERING_MEMBER, world.p)


@pytest.fixture
def admin(world, persona):
    return persona(Role.AREA_ADMIN, world.area)


@pytest.fixture
def survey(world, head):
    return open_round(world.school_a, head)


def signed_in(client, user):
    client.force_login(user)
    return client


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def date_fields(name: str, day) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


# A school's rounds ---------------------------------------------------------------------------------


def test_whoever_sees_the_school_reads_its_surveys(
    client, world, survey, staff, steering, practitioner
):
    for user in (staff, steering, practitioner):
        response = signed_in(client, user).get(
            reverse("outcomes-survey-list", args=[world.school_a.urn])
        )
        assert response.status_code == 200
        assert this_term().capitalize() in text_of(response)
        assert "Set up a survey" not in text_of(response)


def test_outsiders_get_not_found(client, world, survey, outside_officer, persona):
    other_area = persona(Role.AREA_ADMIN, world.other_area)
    for user in (outside_officer, other_area):
        signed_in(client, user)
        for url in (
            reverse("outcomes-survey-list", args=[world.school_a.urn]),
            reverse("outcomes-survey-round", args=[survey.pk]),
            reverse("outcomes-survey-results", args=[survey.pk]),
            reverse("outcomes-survey-partnership", args=[world.p.pk]),
            reverse("outcomes-survey-questions", args=[world.area.pk]),
        ):
            assert client.get(url).status_code == 404, (user, url)


def test_a_malformed_round_id_is_not_found(client, head):
    signed_in(client, head)
    assert client.get("/surveys/not-a-uuid/").status_code == 404
    assert client.get("/surveys/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_signing_in_is_needed(client, world, survey):
    response = client.get(reverse("outcomes-survey-round", args=[survey.pk]))
    assert response.status_code == 302


def test_a_leader_sets_up_a_survey(client, world, head):
    today = timezone.localdate()
    signed_in(client, head)
    url = reverse("outcomes-survey-open", args=[world.school_a.urn])
    assert client.get(url).status_code == 200
    data = {
        "period": this_term(),
        **date_fields("opens_on", today),
        **date_fields("closes_on", today + timedelta(days=10)),
    }
    response = client.post(url, data)
    survey = SurveyRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes-survey-round", args=[survey.pk])
    assert client.post(url, data).status_code == 302
    assert SurveyRound.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"period": "2025/27 autumn"}, "Choose the term the survey is for"),
        ({"opens_on_day": "31", "opens_on_month": "2"}, "must be a real date"),
        ({"closes_on_year": "1e999999"}, "must be a real date"),
        ({"closes_on_day": ""}, "must include a day"),
        ({"opens_on_year": "\x00"}, "must be a real date"),
    ],
)
def test_bad_dates_name_the_field_and_open_nothing(client, world, head, changes, message):
    today = timezone.localdate()
    data = {
        "period": this_term(),
        **date_fields("opens_on", today),
        **date_fields("closes_on", today + timedelta(days=10)),
        **changes,
    }
    response = signed_in(client, head).post(
        reverse("outcomes-survey-open", args=[world.school_a.urn]), data
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert not SurveyRound.objects.exists()


def test_only_leaders_set_up_surveys(client, world, staff, steering):
    for user in (staff, steering):
        response = signed_in(client, user).get(
            reverse("outcomes-survey-open", args=[world.school_a.urn])
        )
        assert response.status_code == 404


# A round: codes, closing -----------------------------------------------------------------------------


def test_the_round_page_shows_counts_and_the_leader_s_tools(client, world, survey, head, staff):
    print_codes(survey, head, 6, "Year 9")
    response = signed_in(client, head).get(reverse("outcomes-survey-round", args=[survey.pk]))
    text = text_of(response)
    assert "6 printed, 0 used" in text
    assert "Print the codes" in text and "Year 9" in text and "Close the survey now" in text
    assert f"/survey/{world.school_a.urn}/" in text
    reader = signed_in(client, staff).get(reverse("outcomes-survey-round", args=[survey.pk]))
    assert "6 printed, 0 used" in text_of(reader)
    assert "Print the codes" not in text_of(reader) and "Year 9" not in text_of(reader)


def test_printing_codes_gives_a_pdf_of_slips_once(client, world, survey, head):
    signed_in(client, head)
    response = client.post(
        reverse("outcomes-survey-codes", args=[survey.pk]), {"count": "5", "label": "Year 9"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    codes = [code_normalise(c) for c in re.findall(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b", text)]
    assert len(set(codes)) == 5
    assert set(SurveyCode.objects.values_list("code_hash", flat=True)) == {
        code_digest(code) for code in codes
    }
    assert f"/survey/{world.school_a.urn}/" in text.replace("\n", "")
    assert "Year 9" in text
    batch = SurveyCodeBatch.objects.get()
    assert AuditEvent.objects.filter(object_id=str(batch.pk), action="create").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"count": "0"}, "from 1 to 1,500"),
        ({"count": "1501"}, "from 1 to 1,500"),
        ({"count": "1e999999"}, "from 1 to 1,500"),
        ({"count": ""}, "Enter how many codes to print"),
        ({"count": "5", "label": "x" * 5000}, "Use 100 characters or fewer"),
    ],
)
def test_a_bad_sheet_names_the_field_and_prints_nothing(client, world, survey, head, data, message):
    response = signed_in(client, head).post(
        reverse("outcomes-survey-codes", args=[survey.pk]), data
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert not SurveyCodeBatch.objects.exists()


def test_only_leaders_print_void_and_close(client, world, survey, head, staff, steering):
    batch = services.survey_batch_print(
        actor=head, survey_round=survey, count=2, label="", source="test"
    ).batch
    for user in (staff, steering):
        signed_in(client, user)
        for url in (
            reverse("outcomes-survey-codes", args=[survey.pk]),
            reverse("outcomes-survey-void", args=[survey.pk, batch.pk]),
            reverse("outcomes-survey-close", args=[survey.pk]),
        ):
            assert client.post(url, {"count": "5"}).status_code == 404
    assert SurveyCodeBatch.objects.count() == 1
    batch.refresh_from_db()
    survey.refresh_from_db()
    assert batch.voided_at is None and survey.closed_at is None


def test_a_leader_voids_a_sheet_and_closes_the_survey(client, world, survey, head):
    batch = services.survey_batch_print(
        actor=head, survey_round=survey, count=2, label="Lost", source="test"
    ).batch
    signed_in(client, head)
    void = reverse("outcomes-survey-void", args=[survey.pk, batch.pk])
    assert client.post(void).status_code == 302
    assert client.post(void).status_code == 302
    batch.refresh_from_db()
    assert batch.voided_at is not None
    assert (
        client.post(reverse("outcomes-survey-void", args=[survey.pk, survey.pk])).status_code == 404
    )
    assert client.post(reverse("outcomes-survey-close", args=[survey.pk])).status_code == 302
    survey.refresh_from_db()
    assert survey.closed_at is not None
    page = text_of(client.get(reverse("outcomes-survey-round", args=[survey.pk])))
    assert "Closed" in page and "Print the codes" not in page and "Results of the" in page


# Results ----------------------------------------------------------------------------------------------


def test_results_wait_for_the_survey_to_close(client, world, survey, head, staff):
    safe = question_of(survey, "survey_safe_at_school")
    answer_many(survey, head, [{safe: 1}] * 12 + [{safe: 2}] * 8 + [{safe: 3}] * 3)
    signed_in(client, staff)
    url = reverse("outcomes-survey-results", args=[survey.pk])
    assert "23 pupils have answered so far" in text_of(client.get(url))
    close(survey, head)
    response = client.get(url)
    text = text_of(response)
    assert "23 pupils answered" in text
    # Disagree (3) is hidden, and so is agree, which would give it away; so is the share
    # counted, which would give away the 3 not counted.
    assert "Strongly agree (counted towards the indicator) * not shown not shown" in text
    assert "Disagree not shown not shown Strongly disagree 0 0%" in text
    assert "All who answered 23 100%" in text
    assert "is not shown , as it could give away a small number" in text
    assert AuditEvent.objects.filter(
        object_id=str(survey.pk), action="view", detail__what="survey results"
    ).exists()


def test_results_show_each_indicator_over_the_terms_as_a_chart_and_a_table(client, world, head):
    from datetime import date

    first = open_round(
        world.school_a,
        head,
        period="2024/25 autumn",
        opens_on=date(2024, 11, 4),
        closes_on=date(2024, 11, 22),
    )
    answered(first, head, question_of(first, "survey_safe_at_school"), {1: 10, 2: 5, 3: 5})
    second = open_round(
        world.school_a,
        head,
        period="2025/26 autumn",
        opens_on=date(2025, 11, 3),
        closes_on=date(2025, 11, 21),
    )
    answered(second, head, question_of(second, "survey_safe_at_school"), {1: 15, 2: 5, 3: 5})
    response = signed_in(client, head).get(reverse("outcomes-survey-results", args=[second.pk]))
    body = response.content.decode()
    text = text_of(response)
    assert "<svg" in body and "Pupils who feel safe at school by term" in body
    assert (
        "Pupils who feel safe at school: 80% of pupils answering at Oakwood School in "
        "2025/26 autumn, up from 75% in 2024/25 autumn (better)."
    ) in text
    assert "2024/25 autumn 75% 75%" in text


def test_the_partnership_s_schools_together(client, world, head, steering, persona):
    head_b = persona(Role.HEAD_TEACHER, world.school_b)
    ours = open_round(world.school_a, head)
    theirs = open_round(world.school_b, head_b)
    answered(ours, head, question_of(ours, "survey_safe_at_school"), {1: 20})
    answered(theirs, head_b, question_of(theirs, "survey_safe_at_school"), {1: 3})
    close(ours, head)
    close(theirs, head_b)
    signed_in(client, steering)
    url = reverse("outcomes-survey-partnership", args=[world.p.pk])
    text = text_of(client.get(url))
    assert "20 pupils' answers are counted together" in text
    assert "Langshott Primary 3 No: fewer than 5 responses" in text
    assert client.get(url, {"period": ours.period}).status_code == 200
    bad = client.get(url, {"period": "2025/27\x00"})
    assert bad.status_code == 400
    assert "Choose a term from the list" in text_of(bad)


def test_a_partnership_with_no_survey_yet(client, world, steering):
    response = signed_in(client, steering).get(
        reverse("outcomes-survey-partnership", args=[world.p.pk])
    )
    assert response.status_code == 200
    assert "No school of the partnership has closed a survey yet" in text_of(response)


# The area's questions ------------------------------------------------------------------------------


def test_the_area_s_questions_are_for_its_administrators_and_analysts(
    client, world, admin, persona, head, steering
):
    analyst = persona(Role.LA_ANALYST, world.area)
    url = reverse("outcomes-survey-questions", args=[world.area.pk])
    for user in (admin, analyst):
        response = signed_in(client, user).get(url)
        assert response.status_code == 200
        assert "I feel safe at school." in text_of(response)
    assert SurveyQuestion.objects.filter(area=world.area).count() == 8
    for user in (head, steering):
        assert signed_in(client, user).get(url).status_code == 404


def test_adding_a_question_asks_how_pupils_answer_first(client, world, admin):
    signed_in(client, admin)
    url = reverse("outcomes-survey-question-add", args=[world.area.pk])
    assert "How do pupils answer?" in text_of(client.get(url))
    assert client.get(url, {"kind": "shouting"}).status_code == 400
    form = client.get(url, {"kind": "yes_no"})
    assert "Answers that count towards the indicator" in text_of(form)
    response = client.post(
        url,
        {
            "kind": "yes_no",
            "text": "Have you seen a weapon at school this term?",
            "text_primary": "",
            "indicator": "",
        },
    )
    assert response.status_code == 302
    assert SurveyQuestion.objects.get(text__startswith="Have you seen a weapon").kind == "yes_no"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Enter the question"),
        ({"text": "x" * 5000}, "Use 300 characters or fewer"),
        ({"text": "Q", "indicator": "pupil_reports"}, "Choose an indicator from the list"),
        (
            {"text": "Q", "indicator": "survey_safe_at_school", "counted_answers": ["1"]},
            "Another question asked now feeds",
        ),
        ({"text": "Q", "counted_answers": ["1"]}, "Choose an indicator for the answers"),
        ({"text": "Q", "counted_answers": ["7"]}, "Choose answers from the list"),
    ],
)
def test_a_bad_question_names_the_field(client, world, admin, data, message):
    signed_in(client, admin)
    client.get(reverse("outcomes-survey-questions", args=[world.area.pk]))
    response = client.post(
        reverse("outcomes-survey-question-add", args=[world.area.pk]), {"kind": "yes_no", **data}
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert SurveyQuestion.objects.count() == 8


def test_changing_moving_retiring_and_asking_again(client, world, admin, survey):
    signed_in(client, admin)
    question = SurveyQuestion.objects.get(indicator_id="survey_trusts_police")
    edit = reverse("outcomes-survey-question", args=[world.area.pk, question.pk])
    page = text_of(client.get(edit))
    assert "A survey has asked this question" in page
    response = client.post(edit, {"text": "I trust the police.", "text_primary": ""})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "I trust the police." and question.counted_answers == [1, 2]

    move = reverse("outcomes-survey-question-move", args=[world.area.pk, question.pk])
    client.post(move, {"direction": "up", "position": str(question.position)})
    client.post(move, {"direction": "up", "position": str(question.position)})
    question.refresh_from_db()
    assert question.position == 7

    retire = reverse("outcomes-survey-question-retire", args=[world.area.pk, question.pk])
    assert client.post(retire).status_code == 302
    question.refresh_from_db()
    assert not question.active
    restore = reverse("outcomes-survey-question-restore", args=[world.area.pk, question.pk])
    assert client.post(restore).status_code == 302
    question.refresh_from_db()
    assert question.active

    added = services.survey_question_add(
        actor=admin,
        area=world.area,
        kind="yes_no",
        data=services.QuestionInput(text="Never asked?"),
        source="test",
    )
    remove = reverse("outcomes-survey-question-retire", args=[world.area.pk, added.pk])
    assert client.post(remove).status_code == 302
    assert client.post(remove).status_code == 302
    assert not SurveyQuestion.objects.filter(pk=added.pk).exists()
    assert client.get(edit.replace(str(question.pk), str(added.pk))).status_code == 404


# Queries stay few as surveys grow ------------------------------------------------------------------


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_pages_cost_the_same_queries_however_many_surveys_and_answers(
    client, world, head, persona
):
    from datetime import date

    head_b = persona(Role.HEAD_TEACHER, world.school_b)

    def autumns(years: range) -> list[SurveyRound]:
        made = []
        for year in years:
            for school, who in ((world.school_a, head), (world.school_b, head_b)):
                one = open_round(
                    school,
                    who,
                    period=f"{year}/{(year + 1) % 100:02d} autumn",
                    opens_on=date(year, 11, 5),
                    closes_on=date(year, 11, 23),
                )
                answered(one, who, question_of(one, "survey_safe_at_school"), {1: 6, 2: 5, 3: 2})
                made.append(one)
        return made

    latest = autumns(range(2022, 2024))[-2]
    signed_in(client, head)
    urls = [
        reverse("outcomes-survey-list", args=[world.school_a.urn]),
        reverse("outcomes-survey-round", args=[latest.pk]),
        reverse("outcomes-survey-results", args=[latest.pk]),
        reverse("outcomes-survey-partnership", args=[world.p.pk]),
    ]
    few = [_queries(client, url) for url in urls]
    autumns(range(2016, 2022))
    assert [_queries(client, url) for url in urls] == few
    assert max(few) <= 30
