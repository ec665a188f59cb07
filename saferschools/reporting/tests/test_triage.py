"""Triage: which reports are urgent, and each area's cue words and escalation time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from saferschools.accounts.models import Role
from saferschools.core.models import AuditEvent
from saferschools.reporting.models import ESCALATE_MINUTES_DEFAULT, ReportingSettings
from saferschools.reporting.services import reporting_settings_update
from saferschools.reporting.triage import (
    DEFAULT_CUE_WORDS,
    area_settings,
    due_times,
    matched_cue_words,
    urgent_reasons,
)
from saferschools.testing.factories import submit_report

WORDS = ["knife", "kill myself", "self-harm", "can't go home", "nóż", "c++", "سكين"]


def matches(text: str, words=WORDS) -> list[str]:
    return matched_cue_words(text, list(words))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("he has a knife", ["knife"]),
        ("KNIFE", ["knife"]),
        ("Knife.", ["knife"]),
        ("(knife)", ["knife"]),
        ('"knife"', ["knife"]),
        ("a knife-crime talk", ["knife"]),
        ("knife\nin his bag", ["knife"]),
        ("\uff2b\uff4e\uff49\uff46\uff45", ["knife"]),  # full-width letters
        ("I want to kill myself", ["kill myself"]),
        ("I want to KILL   MYSELF", ["kill myself"]),  # extra spaces
        ("I want to kill\n\tmyself", ["kill myself"]),  # a line break between the words
        ("kill\u00a0myself", ["kill myself"]),  # a no-break space
        ("thoughts of self-harm", ["self-harm"]),
        ("thoughts of self\u2011harm", ["self-harm"]),  # a non-breaking hyphen
        ("I can\u2019t go home tonight", ["can't go home"]),  # a phone's curly apostrophe
        ("kni\u00adfe", ["knife"]),  # a soft hyphen copied with the text
        ("Ma nóż w plecaku", ["nóż"]),
        ("NÓŻ", ["nóż"]),
        ("لديه سكين", ["سكين"]),
        ("learning c++ at school", ["c++"]),
        ("knife and kill myself", ["knife", "kill myself"]),
    ],
)
def test_cue_words_are_found_as_words_in_any_case_and_spacing(text, found):
    assert matches(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "sknife",
        "penknife",
        "knifes",  # whole words only: forms that matter are listed (see DEFAULT_CUE_WORDS)
        "knife1",
        "kill myselfie",
        "skill myself",
        "cpp",
        "c+",
        "nothing to see",
        "",
    ],
)
def test_parts_of_other_words_are_not_cue_words(text):
    assert matches(text) == []


def test_blank_cue_words_match_nothing():
    assert matched_cue_words("anything at all", ["", "   ", "\n"]) == []


def test_cue_words_are_not_patterns():
    assert matched_cue_words("aXb", ["a.b"]) == []
    assert matched_cue_words("a.b", ["a.b"]) == ["a.b"]
    assert matched_cue_words("((", ["(("]) == ["(("]


@pytest.mark.parametrize(
    "text",
    [
        "he had a knife",
        "my friend got stabbed",
        "they were stabbing people",
        "he was knifed",
        "he has guns at home",
        "I want to die",
        "I am suicidal",
        "I'm scared to go home",
        "they make me carry drugs",
        "he touched me",
        "She said she will send my nudes",
    ],
)
def test_default_cue_words_catch_what_pupils_write(text):
    assert matched_cue_words(text, list(DEFAULT_CUE_WORDS))


@pytest.mark.parametrize(
    "text",
    [
        "They keep taking my bag at lunch",
        "Someone wrote mean things about me online",
        "We played a game of knifes and forks",
        "Gunnar was rude to me",
        "I skill-shared at the club",
    ],
)
def test_default_cue_words_leave_everyday_reports_alone(text):
    assert matched_cue_words(text, list(DEFAULT_CUE_WORDS)) == []


def test_default_cue_words_are_distinct_and_short():
    assert len(set(DEFAULT_CUE_WORDS)) == len(DEFAULT_CUE_WORDS)
    assert all(0 < len(word) <= 100 and word == word.strip() for word in DEFAULT_CUE_WORDS)


@pytest.mark.parametrize(
    ("category", "in_danger", "text", "reasons"),
    [
        ("bullying", False, "taking my bag", []),
        ("bullying", True, "taking my bag", ["in_danger"]),
        ("weapons", False, "taking my bag", ["category"]),
        ("bullying", False, "he has a knife", ["cue_words"]),
        ("self_harm", True, "I want to kill myself", ["in_danger", "category", "cue_words"]),
    ],
)
def test_urgent_reasons(category, in_danger, text, reasons):
    assert (
        urgent_reasons(category=category, in_danger=in_danger, texts=[text], cue_words=WORDS)
        == reasons
    )


def test_urgent_reasons_look_at_every_text():
    assert urgent_reasons(
        category="other", in_danger=False, texts=["", "fine", "a knife"], cue_words=WORDS
    ) == ["cue_words"]


def test_due_times_of_an_urgent_report():
    received = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday
    due, outcome_due = due_times(received_at=received, urgent=True, escalate_after_minutes=15)
    assert due == received + timedelta(minutes=15)
    assert outcome_due == datetime(2026, 3, 18, 17, 0, tzinfo=UTC)


def test_due_times_of_another_report():
    received = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    due, outcome_due = due_times(received_at=received, urgent=False, escalate_after_minutes=15)
    assert due == datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
    assert outcome_due == datetime(2026, 3, 18, 17, 0, tzinfo=UTC)


# Each area's settings -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_area_starts_with_the_default_cue_words(world):
    settings_row = area_settings(world.area)
    assert settings_row.cue_word_list == list(DEFAULT_CUE_WORDS)
    assert settings_row.escalate_after_minutes == ESCALATE_MINUTES_DEFAULT == 15
    assert area_settings(world.area).pk == settings_row.pk
    assert area_settings(world.other_area).pk != settings_row.pk
    assert ReportingSettings.objects.count() == 2


@pytest.mark.django_db
def test_an_area_sets_its_own_cue_words_and_escalation_time(world, persona):
    admin = persona(Role.AREA_ADMIN, world.area)
    updated = reporting_settings_update(
        actor=admin,
        area=world.area,
        cue_words="  trapdoor \r\n\nknife\ntrapdoor\n  ",
        escalate_after_minutes=30,
        source="test",
    )
    assert updated.cue_word_list == ["trapdoor", "knife"]
    assert updated.escalate_after_minutes == 30
    assert updated.updated_by == admin
    event = AuditEvent.objects.get(object_type="reporting.reportingsettings")
    assert event.detail == {"cue_words": 2, "escalate_after_minutes": 30}

    report = submit_report(world.school_a, description="Meet me at the trapdoor").report
    assert report.urgent_reasons == ["cue_words"]
    assert report.due_at == report.received_at + timedelta(minutes=30)
    # A word taken off the list no longer makes a report urgent; other areas keep theirs.
    assert not submit_report(world.school_a, description="he has a blade").report.urgent
    assert submit_report(world.school_d, description="he has a blade").report.urgent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cue_words", "minutes", "fields"),
    [
        ("knife", 0, {"escalate_after_minutes"}),
        ("knife", 241, {"escalate_after_minutes"}),
        ("knife", "15", {"escalate_after_minutes"}),
        ("knife", True, {"escalate_after_minutes"}),
        ("knife", 15.0, {"escalate_after_minutes"}),
        ("knife", None, {"escalate_after_minutes"}),
        ("x" * 101, 15, {"cue_words"}),
        (["knife"], 15, {"cue_words"}),
        (5, 0, {"cue_words", "escalate_after_minutes"}),
    ],
)
def test_bad_settings_are_named_and_change_nothing(world, persona, cue_words, minutes, fields):
    admin = persona(Role.AREA_ADMIN, world.area)
    before = area_settings(world.area)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        reporting_settings_update(
            actor=admin,
            area=world.area,
            cue_words=cue_words,
            escalate_after_minutes=minutes,
            source="test",
        )
    assert set(error.value.message_dict) == fields
    after = ReportingSettings.objects.get(pk=before.pk)
    assert (after.cue_words, after.escalate_after_minutes) == (
        before.cue_words,
        before.escalate_after_minutes,
    )
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_an_empty_list_of_cue_words_is_allowed(world, persona):
    admin = persona(Role.AREA_ADMIN, world.area)
    reporting_settings_update(
        actor=admin, area=world.area, cue_words="", escalate_after_minutes=15, source="test"
    )
    assert not submit_report(world.school_a, description="he has a knife").report.urgent
