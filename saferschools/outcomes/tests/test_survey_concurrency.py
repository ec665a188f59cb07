"""Two answers sent with one code at the same moment: exactly one is kept. PostgreSQL locks the
code's row; SQLite, which locks the whole database for a write, is not the database for many
pupils answering at once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from saferschools.accounts.models import Role
from saferschools.outcomes import survey_services as services
from saferschools.outcomes.models import SurveyCode, SurveyResponse

from .survey_helpers import open_round, print_codes

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

SENDERS = 6


def test_a_code_sent_by_several_at_once_is_used_once(world, persona):
    head = persona(Role.HEAD_TEACHER, world.school_a)
    survey = open_round(world.school_a, head)
    (code,) = print_codes(survey, head, 1)
    start = threading.Barrier(SENDERS)
    outcomes: list[str] = []

    def send() -> None:
        try:
            start.wait()
            services.survey_response_submit(
                school=world.school_a, code=code, answers={}, source="test"
            )
            outcomes.append("kept")
        except ValidationError as error:
            outcomes.append(error.message_dict["code"][0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == sorted(["kept"] + [services.CODE_USED] * (SENDERS - 1))
    assert SurveyResponse.objects.count() == 1
    assert SurveyCode.objects.get().used
