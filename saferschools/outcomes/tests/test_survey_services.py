"""The survey's services: the area's questions, rounds, code sheets and the pupils' answers."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.core.models import AuditEvent
from saferschools.outcomes import survey_services as services
from saferschools.outcomes.models import (
    AnswerKind,
    SurveyAnswer,
    SurveyCode,
    SurveyCodeBatch,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    SurveyRoundQuestion,
)
from saferschools.outcomes.survey_codes import (
    CODE_ALPHABET,
    code_digest,
    code_display,
    code_normalise,
)

from .survey_helpers import SOURCE, answer, close, open_round, print_codes, question_of, this_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world, persona):
    return persona(Role.AREA_ADMIN, world.area)


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# Codes -------------------------------------------------------------------------------------------


def test_codes_are_ten_unambiguous_characters_read_in_two_groups():
    code = services.code_new()
    assert len(code) == 10
    assert set(code) <= set(CODE_ALPHABET)
    assert not set("01ILO") & set(CODE_ALPHABET)
    assert code_display("ABCDE23456") == "ABCDE-23456"


@pytest.mark.parametrize(
    "typed",
    [
        "abcde-23456",
        " ABCDE 23456 ",
        "ABCDE\u201323456",
        "\uff21\uff22\uff23\uff24\uff25\uff12\uff13\uff14\uff15\uff16",
        "abcde23456",
    ],
)
def test_a_code_may_be_typed_in_any_case_with_spaces_or_dashes(typed):
    assert code_normalise(typed) == "ABCDE23456"


@pytest.mark.parametrize(
    "typed",
    ["", "ABCDE2345", "ABCDE234567", "ABCDE-2345O", "ABCDE\x002345", 12345, None, "x" * 5000],
)
def test_what_cannot_be_a_code_is_none(typed):
    assert code_normalise(typed) is None


def test_a_code_s_digest_is_keyed_and_differs_from_a_receipt_s(settings):
    from saferschools.reporting.receipts import receipt_digest

    first = code_digest("ABCDE23456")
    settings.RECEIPT_KEY = "another key"
    assert code_digest("ABCDE23456") != first
    assert code_digest("ABCDE23456") != receipt_digest("ABCDE23456")


# Questions ---------------------------------------------------------------------------------------


def test_an_area_is_given_the_default_questions_once(world, admin):
    assert services.survey_questions_ensure(area=world.area, actor=admin, source=SOURCE)
    assert not services.survey_questions_ensure(area=world.area, actor=admin, source=SOURCE)
    questions = list(SurveyQuestion.objects.filter(area=world.area).order_by("position"))
    assert [q.indicator_id for q in questions] == [
        one.indicator for one in services.DEFAULT_QUESTIONS
    ]
    assert all(q.counted_answers for q in questions)
    substance = next(q for q in questions if q.indicator_id == "survey_substance_misuse")
    assert "seen" in substance.text_primary and "you drunk" in substance.text
    assert AuditEvent.objects.filter(object_id=str(world.area.pk), action="create").count() == 1


def test_an_administrator_adds_a_question_at_the_end(world, admin):
    services.survey_questions_ensure(area=world.area, actor=admin, source=SOURCE)
    question = services.survey_question_add(
        actor=admin,
        area=world.area,
        kind=AnswerKind.YES_NO,
        data=services.QuestionInput(text="Do you use the school's bike racks?"),
        source=SOURCE,
    )
    assert question.position == len(services.DEFAULT_QUESTIONS) + 1
    assert question.indicator is None
    assert question.counted_answers == []
    assert AuditEvent.objects.filter(object_id=str(question.pk), action="create").exists()


def test_adding_the_same_question_twice_at_once_adds_it_once(world, analyst):
    data = services.QuestionInput(text="Do you feel safe in the toilets?")
    first = services.survey_question_add(
        actor=analyst, area=world.area, kind=AnswerKind.AGREE, data=data, source=SOURCE
    )
    second = services.survey_question_add(
        actor=analyst, area=world.area, kind=AnswerKind.AGREE, data=data, source=SOURCE
    )
    assert first == second
    assert SurveyQuestion.objects.filter(area=world.area).count() == 1


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("shouting", services.QuestionInput(text="Why?"), "kind"),
        (AnswerKind.AGREE, services.QuestionInput(text=""), "text"),
        (AnswerKind.AGREE, services.QuestionInput(text="x" * 301), "text"),
        (AnswerKind.AGREE, services.QuestionInput(text=["a list"]), "text"),
        (
            AnswerKind.AGREE,
            services.QuestionInput(text="Q", text_primary="y" * 301),
            "text_primary",
        ),
        (
            AnswerKind.AGREE,
            services.QuestionInput(text="Q", indicator="pupil_reports"),
            "indicator",
        ),
        (AnswerKind.AGREE, services.QuestionInput(text="Q", indicator="nonsense"), "indicator"),
        (
            AnswerKind.AGREE,
            services.QuestionInput(text="Q", counted_answers=[1]),
            "counted_answers",
        ),
        (
            AnswerKind.AGREE,
            services.QuestionInput(text="Q", indicator="survey_safe_at_school"),
            "counted_answers",
        ),
        (
            AnswerKind.AGREE,
            services.QuestionInput(
                text="Q", indicator="survey_safe_at_school", counted_answers=[1, 2, 3, 4]
            ),
            "counted_answers",
        ),
        (
            AnswerKind.YES_NO,
            services.QuestionInput(
                text="Q", indicator="survey_safe_at_school", counted_answers=[3]
            ),
            "counted_answers",
        ),
        (
            AnswerKind.YES_NO,
            services.QuestionInput(
                text="Q", indicator="survey_safe_at_school", counted_answers=[True]
            ),
            "counted_answers",
        ),
        (
            AnswerKind.YES_NO,
            services.QuestionInput(
                text="Q", indicator="survey_safe_at_school", counted_answers="1"
            ),
            "counted_answers",
        ),
    ],
)
def test_a_bad_question_names_the_field_and_adds_nothing(world, admin, kind, data, field):
    with pytest.raises(ValidationError) as excinfo:
        services.survey_question_add(
            actor=admin, area=world.area, kind=kind, data=data, source=SOURCE
        )
    assert field in errors_of(excinfo)
    assert not SurveyQuestion.objects.exists()


def test_one_question_asked_at_a_time_feeds_an_indicator(world, admin):
    services.survey_questions_ensure(area=world.area, actor=admin, source=SOURCE)
    data = services.QuestionInput(
        text="I feel safe in lessons.", indicator="survey_safe_at_school", counted_answers=[1, 2]
    )
    with pytest.raises(ValidationError) as excinfo:
        services.survey_question_add(
            actor=admin, area=world.area, kind=AnswerKind.AGREE, data=data, source=SOURCE
        )
    assert "indicator" in errors_of(excinfo)
    old = SurveyQuestion.objects.get(area=world.area, indicator_id="survey_safe_at_school")
    assert services.survey_question_retire(actor=admin, question=old, source=SOURCE) == "removed"
    services.survey_question_add(
        actor=admin, area=world.area, kind=AnswerKind.AGREE, data=data, source=SOURCE
    )


def test_only_the_area_s_administrators_and_analysts_word_its_questions(world, persona, dsl):
    for outsider in (dsl, persona(Role.AREA_ADMIN, world.other_area)):
        with pytest.raises(ValidationError):
            services.survey_question_add(
                actor=outsider,
                area=world.area,
                kind=AnswerKind.YES_NO,
                data=services.QuestionInput(text="Q?"),
                source=SOURCE,
            )
    assert not SurveyQuestion.objects.exists()


def test_changing_a_question_never_changes_a_past_round(world, admin, dsl):
    survey_round = open_round(world.school_a, dsl)
    question = SurveyQuestion.objects.get(area=world.area, indicator_id="survey_safe_at_school")
    services.survey_question_update(
        actor=admin,
        question=question,
        data=services.QuestionInput(
            text="I feel safe at school most of the time.",
            indicator="survey_safe_at_school",
            counted_answers=[1, 2],
        ),
        source=SOURCE,
    )
    asked = SurveyRoundQuestion.objects.get(round=survey_round, question=question)
    assert asked.text == "I feel safe at school."
    question.refresh_from_db()
    assert question.text == "I feel safe at school most of the time."
    event = AuditEvent.objects.filter(object_id=str(question.pk), action="update").get()
    assert event.detail == {"fields": ["text"]}


def test_what_an_asked_question_feeds_cannot_change(world, admin, dsl):
    open_round(world.school_a, dsl)
    question = SurveyQuestion.objects.get(area=world.area, indicator_id="survey_safe_at_school")
    for data, field in [
        (services.QuestionInput(text="Q", indicator="", counted_answers=[]), "indicator"),
        (
            services.QuestionInput(
                text="Q", indicator="survey_safe_at_school", counted_answers=[1]
            ),
            "counted_answers",
        ),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            services.survey_question_update(
                actor=admin, question=question, data=data, source=SOURCE
            )
        assert field in errors_of(excinfo)
    question.refresh_from_db()
    assert question.text == "I feel safe at school."
    assert question.counted_answers == [1, 2]


def test_a_question_never_asked_may_change_what_it_feeds(world, admin):
    services.survey_questions_ensure(area=world.area, actor=admin, source=SOURCE)
    question = SurveyQuestion.objects.get(area=world.area, indicator_id="survey_safe_at_school")
    services.survey_question_update(
        actor=admin,
        question=question,
        data=services.QuestionInput(
            text="I feel safe at school.", indicator="", counted_answers=[]
        ),
        source=SOURCE,
    )
    question.refresh_from_db()
    assert question.indicator is None and question.counted_answers == []


def test_an_asked_question_is_retired_and_can_be_asked_again(world, admin, dsl):
    open_round(world.school_a, dsl)
    question = SurveyQuestion.objects.get(area=world.area, indicator_id="survey_safe_at_school")
    assert (
        services.survey_question_retire(actor=admin, question=question, source=SOURCE) == "retired"
    )
    assert (
        services.survey_question_retire(actor=admin, question=question, source=SOURCE) == "retired"
    )
    question.refresh_from_db()
    assert not question.active
    services.survey_question_restore(actor=admin, question=question, source=SOURCE)
    question.refresh_from_db()
    assert question.active
    assert question.position == len(services.DEFAULT_QUESTIONS) + 1


def test_a_retired_question_is_not_asked_again_while_another_feeds_its_indicator(world, admin, dsl):
    open_round(world.school_a, dsl)
    old = SurveyQuestion.objects.get(area=world.area, indicator_id="survey_trusts_police")
    services.survey_question_retire(actor=admin, question=old, source=SOURCE)
    services.survey_question_add(
        actor=admin,
        area=world.area,
        kind=AnswerKind.AGREE,
        data=services.QuestionInput(
            text="The police in our area listen to young people.",
            indicator="survey_trusts_police",
            counted_answers=[1, 2],
        ),
        source=SOURCE,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.survey_question_restore(actor=admin, question=old, source=SOURCE)
    assert "indicator" in errors_of(excinfo)
    # Its words may still change while it is retired, keeping what it fed.
    services.survey_question_update(
        actor=admin,
        question=old,
        data=services.QuestionInput(
            text="I trust the police.", indicator="survey_trusts_police", counted_answers=[1, 2]
        ),
        source=SOURCE,
    )


def test_questions_move_up_and_down_among_those_asked(world, admin):
    services.survey_questions_ensure(area=world.area, actor=admin, source=SOURCE)
    ordered = list(SurveyQuestion.objects.filter(area=world.area).order_by("position"))
    services.survey_question_move(actor=admin, question=ordered[2], direction="up", source=SOURCE)
    services.survey_question_move(actor=admin, question=ordered[0], direction="up", source=SOURCE)
    last = ordered[-1]
    services.survey_question_move(actor=admin, question=last, direction="down", source=SOURCE)
    now = list(SurveyQuestion.objects.filter(area=world.area).order_by("position"))
    assert now[:3] == [ordered[0], ordered[2], ordered[1]]
    assert now[-1] == last
    with pytest.raises(ValidationError):
        services.survey_question_move(
            actor=admin, question=ordered[1], direction="sideways", source=SOURCE
        )


# Rounds ---------------------------------------------------------------------------------------------


def test_a_school_leader_opens_a_round_asking_the_area_s_questions(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    assert survey_round.period == this_term()
    asked = list(survey_round.questions.order_by("position"))
    assert [a.question.indicator_id for a in asked] == [
        one.indicator for one in services.DEFAULT_QUESTIONS
    ]
    assert asked[0].text == "I feel safe at school."
    event = AuditEvent.objects.get(object_id=str(survey_round.pk), action="create")
    assert event.detail == {"period": this_term(), "questions": 8}


def test_a_primary_school_s_round_asks_the_primary_words(world, persona):
    head = persona(Role.HEAD_TEACHER, world.school_b)
    survey_round = open_round(world.school_b, head)
    substance = question_of(survey_round, "survey_substance_misuse")
    assert substance.text.startswith("In the last four weeks, how often have you seen")
    safe = question_of(survey_round, "survey_safe_at_school")
    assert safe.text == "I feel safe at school."


def test_a_retired_question_is_not_asked(world, dsl, persona):
    admin = persona(Role.AREA_ADMIN, world.area)
    open_round(world.school_a, dsl)
    question = SurveyQuestion.objects.get(area=world.area, indicator_id="survey_trusts_police")
    services.survey_question_retire(actor=admin, question=question, source=SOURCE)
    survey_round = open_round(world.school_c, persona(Role.HEAD_TEACHER, world.school_c))
    assert not survey_round.questions.filter(question=question).exists()


def test_only_the_school_s_leaders_open_its_rounds(world, staff, outside_officer, persona):
    for who in (staff, outside_officer, persona(Role.HEAD_TEACHER, world.school_c)):
        with pytest.raises(ValidationError):
            open_round(world.school_a, who)
    assert not SurveyRound.objects.exists()


def today():
    return timezone.localdate()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period": "2025/27 autumn"}, "period"),
        ({"period": "2025/26"}, "period"),
        ({"period": "nonsense"}, "period"),
        ({"period": None}, "period"),
        ({"period": "\x00" * 10}, "period"),
        ({"opens_on": None}, "opens_on"),
        ({"opens_on": "2026-01-01"}, "opens_on"),
        ({"closes_on": None}, "closes_on"),
        ({"opens_on": "tomorrow-ish"}, "opens_on"),
    ],
)
def test_bad_round_input_names_the_field_and_opens_nothing(world, dsl, changes, field):
    values = {
        "period": this_term(),
        "opens_on": today(),
        "closes_on": today() + timedelta(days=7),
        **changes,
    }
    with pytest.raises(ValidationError) as excinfo:
        services.survey_round_open(actor=dsl, school=world.school_a, source=SOURCE, **values)
    assert field in errors_of(excinfo)
    assert not SurveyRound.objects.exists()


def test_a_round_opens_within_its_term_closes_after_it_opens_and_lasts_13_weeks_at_most(world, dsl):
    term = this_term()
    cases = [
        ({"opens_on": date(2000, 1, 3)}, "opens_on"),
        ({"closes_on": today() - timedelta(days=1)}, "closes_on"),
        ({"closes_on": today() + timedelta(days=92)}, "closes_on"),
    ]
    for changes, field in cases:
        values = {"opens_on": today(), "closes_on": today() + timedelta(days=7), **changes}
        with pytest.raises(ValidationError) as excinfo:
            services.survey_round_open(
                actor=dsl, school=world.school_a, period=term, source=SOURCE, **values
            )
        assert field in errors_of(excinfo)
    assert not SurveyRound.objects.exists()


def test_one_round_a_term_and_a_second_press_is_the_same_round(world, dsl, persona):
    first = open_round(world.school_a, dsl)
    assert open_round(world.school_a, dsl) == first
    other_lead = persona(Role.HEAD_TEACHER, world.school_a)
    with pytest.raises(ValidationError) as excinfo:
        open_round(world.school_a, other_lead)
    assert errors_of(excinfo) == {"period": [f"The school already has a survey for {this_term()}"]}
    assert SurveyRound.objects.count() == 1


def test_rounds_of_one_school_never_meet(world, dsl):
    spring = date(2031, 1, 5)
    services.survey_round_open(
        actor=dsl,
        school=world.school_a,
        period="2030/31 autumn",
        opens_on=date(2030, 12, 15),
        closes_on=date(2031, 1, 10),
        source=SOURCE,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.survey_round_open(
            actor=dsl,
            school=world.school_a,
            period="2030/31 spring",
            opens_on=spring,
            closes_on=date(2031, 2, 1),
            source=SOURCE,
        )
    assert "opens_on" in errors_of(excinfo)
    assert SurveyRound.objects.count() == 1


def test_closing_a_round_early_stops_its_codes_and_can_be_done_once(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    codes = print_codes(survey_round, dsl, 3)
    close(survey_round, dsl)
    close(survey_round, dsl)
    assert AuditEvent.objects.filter(object_id=str(survey_round.pk), action="update").count() == 1
    with pytest.raises(services.SurveyNotOpen):
        answer(survey_round, codes[0])
    assert not SurveyResponse.objects.exists()


# Code sheets ------------------------------------------------------------------------------------------


def test_a_sheet_of_codes_is_kept_only_as_keyed_hashes(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    printed = services.survey_batch_print(
        actor=dsl, survey_round=survey_round, count=40, label="Year 9", source=SOURCE
    )
    assert len(printed.codes) == len(set(printed.codes)) == 40
    hashes = set(SurveyCode.objects.values_list("code_hash", flat=True))
    assert hashes == {code_digest(code) for code in printed.codes}
    assert not hashes & set(printed.codes)
    event = AuditEvent.objects.get(object_id=str(printed.batch.pk))
    assert event.detail == {"what": "survey codes", "count": 40, "round": str(survey_round.pk)}


@pytest.mark.parametrize("count", [0, -1, 1501, "1e999999", "ten", True, None, 2.5, "", "1" * 5000])
def test_a_bad_number_of_codes_is_refused(world, dsl, count):
    survey_round = open_round(world.school_a, dsl)
    with pytest.raises(ValidationError) as excinfo:
        services.survey_batch_print(
            actor=dsl, survey_round=survey_round, count=count, label="", source=SOURCE
        )
    assert "count" in errors_of(excinfo)
    assert not SurveyCodeBatch.objects.exists()


def test_fifteen_hundred_codes_can_be_printed_at_once(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    printed = services.survey_batch_print(
        actor=dsl, survey_round=survey_round, count="1,500", label="Whole school", source=SOURCE
    )
    assert len(set(printed.codes)) == 1500
    assert SurveyCode.objects.count() == 1500


def test_the_same_sheet_asked_for_twice_at_once_is_refused(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    print_codes(survey_round, dsl, 30, "Year 9")
    with pytest.raises(ValidationError) as excinfo:
        print_codes(survey_round, dsl, 30, "Year 9")
    assert "void it" in errors_of(excinfo)["count"][0]
    print_codes(survey_round, dsl, 30, "Year 10")
    assert SurveyCodeBatch.objects.count() == 2


def test_no_codes_are_printed_for_a_closed_round(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    close(survey_round, dsl)
    with pytest.raises(ValidationError):
        services.survey_batch_print(
            actor=dsl, survey_round=survey_round, count=5, label="", source=SOURCE
        )


def test_only_the_school_s_leaders_print_and_void(world, dsl, staff):
    survey_round = open_round(world.school_a, dsl)
    with pytest.raises(ValidationError):
        services.survey_batch_print(
            actor=staff, survey_round=survey_round, count=5, label="", source=SOURCE
        )
    batch = services.survey_batch_print(
        actor=dsl, survey_round=survey_round, count=5, label="", source=SOURCE
    ).batch
    with pytest.raises(ValidationError):
        services.survey_batch_void(actor=staff, batch=batch, source=SOURCE)
    batch.refresh_from_db()
    assert batch.voided_at is None


# The pupils' answers ----------------------------------------------------------------------------


def test_a_pupil_answers_once_with_a_code(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    (code,) = print_codes(survey_round, dsl, 1)
    safe = question_of(survey_round, "survey_safe_at_school")
    bullied = question_of(survey_round, "survey_bullied_4_weeks")
    answer(survey_round, code_display(code).lower(), {str(safe.pk): 2, str(bullied.pk): 9})

    response = SurveyResponse.objects.get()
    assert response.round == survey_round
    assert response.phase == "secondary"
    assert {(a.question_id, a.value) for a in SurveyAnswer.objects.all()} == {
        (safe.pk, 2),
        (bullied.pk, 9),
    }
    assert SurveyCode.objects.get().used
    # No event records when a pupil answered.
    assert not AuditEvent.objects.filter(object_type="outcomes.surveyround", actor_id=None)

    with pytest.raises(ValidationError) as excinfo:
        answer(survey_round, code, {str(safe.pk): 1})
    assert errors_of(excinfo) == {"code": ["This code has already been used."]}
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.count() == 2


def test_every_answer_may_be_left_out(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    (code,) = print_codes(survey_round, dsl, 1)
    safe = question_of(survey_round, "survey_safe_at_school")
    answer(survey_round, code, {str(safe.pk): None})
    assert SurveyResponse.objects.count() == 1
    assert not SurveyAnswer.objects.exists()


def test_a_voided_sheet_s_unused_codes_stop_working(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    printed = services.survey_batch_print(
        actor=dsl, survey_round=survey_round, count=2, label="", source=SOURCE
    )
    answer(survey_round, printed.codes[0])
    services.survey_batch_void(actor=dsl, batch=printed.batch, source=SOURCE)
    services.survey_batch_void(actor=dsl, batch=printed.batch, source=SOURCE)
    with pytest.raises(ValidationError) as excinfo:
        answer(survey_round, printed.codes[1])
    assert errors_of(excinfo) == {"code": [services.CODE_VOIDED]}
    assert SurveyResponse.objects.count() == 1
    event = AuditEvent.objects.get(object_id=str(printed.batch.pk), action="update")
    assert event.detail == {"fields": ["voided_at"], "unused_codes": 1}


def test_a_code_of_another_school_or_term_is_not_found(world, dsl, persona):
    head_c = persona(Role.HEAD_TEACHER, world.school_c)
    ours = open_round(world.school_a, dsl)
    theirs = open_round(world.school_c, head_c)
    (their_code,) = print_codes(theirs, head_c, 1)
    past = open_round(
        world.school_a,
        dsl,
        period="2024/25 autumn",
        opens_on=date(2024, 11, 4),
        closes_on=date(2024, 11, 22),
    )
    (old_code,) = print_codes(past, dsl, 1)
    for code in (their_code, old_code, "ABCDE-23456"):
        with pytest.raises(ValidationError) as excinfo:
            answer(ours, code)
        (error,) = excinfo.value.error_dict["code"]
        assert error.code == services.WRONG_CODE
        assert error.message == services.CODE_NOT_FOUND
    assert not SurveyResponse.objects.exists()
    assert not SurveyCode.objects.filter(used=True).exists()


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ("not an object", "answers"),
        ([1, 2], "answers"),
        ({"not-a-uuid": 1}, "answers.not-a-uuid"),
        (
            {"00000000-0000-0000-0000-000000000000": 1},
            "answers.00000000-0000-0000-0000-000000000000",
        ),
    ],
)
def test_answers_that_are_not_this_survey_s_are_refused(world, dsl, answers, field):
    survey_round = open_round(world.school_a, dsl)
    (code,) = print_codes(survey_round, dsl, 1)
    with pytest.raises(ValidationError) as excinfo:
        answer(survey_round, code, answers)
    assert field in errors_of(excinfo)
    assert not SurveyResponse.objects.exists()
    assert not SurveyCode.objects.get().used


@pytest.mark.parametrize("value", [0, 5, 9, -1, True, "1", 1.0, 10**100, [1], {"a": 1}])
def test_an_answer_not_among_the_question_s_is_refused(world, dsl, value):
    survey_round = open_round(world.school_a, dsl)
    (code,) = print_codes(survey_round, dsl, 1)
    safe = question_of(survey_round, "survey_safe_at_school")  # agree: 1 to 4, no 9
    with pytest.raises(ValidationError) as excinfo:
        answer(survey_round, code, {str(safe.pk): value})
    assert f"answers.{safe.pk}" in errors_of(excinfo)
    assert not SurveyResponse.objects.exists()
    assert not SurveyCode.objects.get().used


def test_a_malformed_code_is_named_with_the_bad_answers(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    safe = question_of(survey_round, "survey_safe_at_school")
    with pytest.raises(ValidationError) as excinfo:
        answer(survey_round, "0000", {str(safe.pk): 7})
    assert set(errors_of(excinfo)) == {"code", f"answers.{safe.pk}"}
    assert errors_of(excinfo)["code"] == [services.CODE_MALFORMED]


def test_no_answer_is_taken_before_a_round_opens(world, dsl):
    survey_round = services.survey_round_open(
        actor=dsl,
        school=world.school_a,
        period="2099/00 autumn",
        opens_on=date(2099, 10, 1),
        closes_on=date(2099, 10, 20),
        source=SOURCE,
    )
    (code,) = print_codes(survey_round, dsl, 1)
    with pytest.raises(services.SurveyNotOpen):
        services.survey_response_submit(school=world.school_a, code=code, answers={}, source=SOURCE)
