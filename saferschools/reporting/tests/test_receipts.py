"""Receipt codes, and finding a report again with one."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from saferschools.reporting.models import EntryKind, Report
from saferschools.reporting.receipts import (
    RECEIPT_DIGITS,
    receipt_digest,
    receipt_display,
    receipt_new,
    receipt_normalise,
)
from saferschools.reporting.selectors import followup_find, followup_messages
from saferschools.reporting.services import (
    followup_reply,
    report_add_note,
    report_assign,
    report_close,
    report_link_pupil,
    report_reply,
)
from saferschools.testing.factories import submit_report

pytestmark = pytest.mark.django_db

RECEIPT = "12345678901234567890"


def test_a_receipt_is_twenty_random_digits():
    receipts = {receipt_new() for _ in range(200)}
    assert len(receipts) == 200
    assert all(len(r) == RECEIPT_DIGITS and r.isascii() and r.isdigit() for r in receipts)
    assert RECEIPT_DIGITS >= 16
    # Each position takes every digit over enough receipts: nothing is fixed.
    for position in range(RECEIPT_DIGITS):
        assert len({r[position] for r in receipts}) == 10


def test_display_groups_of_four():
    assert receipt_display(RECEIPT) == "1234 5678 9012 3456 7890"


@pytest.mark.parametrize(
    "typed",
    [
        RECEIPT,
        "1234 5678 9012 3456 7890",
        "1234-5678-9012-3456-7890",
        "  1234 - 5678\t9012\n3456 7890  ",
        "1234\u20135678\u20139012\u20133456\u20137890",  # en dashes from a phone's keyboard
        "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10" * 2,  # full-width digits
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660" * 2,  # Arabic-Indic
    ],
)
def test_receipt_as_typed_is_normalised(typed):
    assert receipt_normalise(typed) == RECEIPT


@pytest.mark.parametrize(
    "typed",
    [
        None,
        12345678901234567890,
        ["12345678901234567890"],
        b"12345678901234567890",
        "",
        "1234567890123456789",  # too short
        "123456789012345678901",  # too long
        "1234 5678 9012 3456 789O",  # a letter O
        "1234567890123456789a",
        "1234.5678.9012.3456.7890",
        "12345678901234567890;",
        "\u00b2" + RECEIPT[1:],  # a superscript two is not a digit one types
        " " * 90 + RECEIPT,  # more than anyone types
    ],
)
def test_what_cannot_be_a_receipt_is_none(typed):
    assert receipt_normalise(typed) is None


def test_digest_is_keyed(settings):
    first = receipt_digest(RECEIPT)
    assert len(first) == 64 and first != RECEIPT and RECEIPT not in first
    assert receipt_digest(RECEIPT) == first
    assert receipt_digest("12345678901234567891") != first
    settings.RECEIPT_KEY = "another key"
    assert receipt_digest(RECEIPT) != first


# Finding a report ---------------------------------------------------------------------------


@pytest.fixture
def submitted(world):
    return submit_report(world.school_a)


def test_the_right_receipt_finds_the_report_however_it_is_typed(submitted):
    receipt = submitted.receipt
    assert followup_find(receipt) == submitted.report
    assert followup_find(receipt_display(receipt)) == submitted.report
    assert followup_find("-".join(receipt_display(receipt).split())) == submitted.report
    assert followup_find(f"  {receipt}\n") == submitted.report


def test_each_receipt_finds_only_its_own_report(world):
    first = submit_report(world.school_a)
    second = submit_report(world.school_c)
    assert followup_find(first.receipt) == first.report
    assert followup_find(second.receipt) == second.report


@pytest.mark.parametrize(
    "typed", [None, 7, "", "abc", "1234", "9" * 21, RECEIPT, {"receipt": RECEIPT}]
)
def test_wrong_and_malformed_receipts_find_nothing(submitted, typed):
    assert followup_find(typed) is None


def test_a_receipt_from_another_key_finds_nothing(submitted, settings):
    settings.RECEIPT_KEY = "a key the report was not made under"
    assert followup_find(submitted.receipt) is None


def test_a_receipt_expires_some_days_after_its_report_closed(submitted, dsl, settings):
    settings.RECEIPT_DAYS_AFTER_CLOSE = 30
    report_close(actor=dsl, report=submitted.report, outcome="advice_given", source="test")
    closed_at = Report.objects.get(pk=submitted.report.pk).closed_at

    with time_machine.travel(closed_at + timedelta(days=30), tick=False):
        assert followup_find(submitted.receipt) == submitted.report
    with time_machine.travel(closed_at + timedelta(days=30, seconds=1), tick=False):
        assert followup_find(submitted.receipt) is None
        # An expired receipt gets the same answer as a wrong one.
        assert followup_find(submitted.receipt) == followup_find(receipt_new())


def test_an_open_report_never_expires(submitted):
    with time_machine.travel(timezone.now() + timedelta(days=3650), tick=False):
        assert followup_find(submitted.receipt) == submitted.report


def test_the_pupil_sees_the_conversation_and_nothing_else(submitted, dsl, staff, world):
    report = submitted.report
    report_add_note(actor=dsl, report=report, body="Internal: spoke to tutor", source="test")
    first = report_reply(actor=dsl, report=report, body="Thank you for telling us", source="test")
    report_assign(actor=dsl, report=report, assignee=staff, source="test")
    report_link_pupil(actor=dsl, report=report, pupil=world.pupil_a, source="test")
    second = followup_reply(report=report, body="It happened again", source="test")
    report_close(
        actor=dsl, report=report, outcome="advice_given", note="Internal ending", source="test"
    )

    messages = list(followup_messages(report=report))

    assert messages == [first, second]
    assert [m.kind for m in messages] == [EntryKind.SCHOOL_MESSAGE, EntryKind.PUPIL_MESSAGE]
    assert report.entries.count() == 8
