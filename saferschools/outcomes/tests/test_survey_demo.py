"""The demo's surveys: two autumns at the secondary school and the largest primary, made through
the services with real codes, the second year better than the first; loading again changes
nothing."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from saferschools.accounts.models import Role
from saferschools.outcomes import survey_results as results
from saferschools.outcomes.models import (
    Indicator,
    SurveyCode,
    SurveyCodeBatch,
    SurveyResponse,
    SurveyRound,
)
from saferschools.outcomes.periods import periods_between
from saferschools.outcomes.survey_demo import demo_surveys
from saferschools.outcomes.survey_selectors import RoundState, round_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaders(world, persona):
    persona(Role.HEAD_TEACHER, world.school_a)
    persona(Role.SAFEGUARDING_LEAD, world.school_b)


@time_machine.travel("2026-11-28 12:00 +00:00")
def test_the_demo_surveys_show_results_and_an_improvement(world, leaders):
    demo_surveys(partnership=world.p, secondary=world.school_a, primaries=[world.school_b])
    rounds = {(r.school_id, r.period): r for r in SurveyRound.objects.all()}
    assert len(rounds) == 4
    counts = {key: r.responses.count() for key, r in rounds.items()}
    assert counts == {
        (world.school_a.pk, "2025/26 autumn"): 120,
        (world.school_b.pk, "2025/26 autumn"): 30,
        (world.school_a.pk, "2026/27 autumn"): 131,
        (world.school_b.pk, "2026/27 autumn"): 27,
    }
    today = date(2026, 11, 28)
    assert round_state(rounds[(world.school_a.pk, "2026/27 autumn")], today) == RoundState.CLOSED
    assert round_state(rounds[(world.school_b.pk, "2026/27 autumn")], today) == RoundState.OPEN
    assert SurveyCodeBatch.objects.filter(voided_at__isnull=False).count() == 1
    assert SurveyCode.objects.filter(used=True).count() == SurveyResponse.objects.count()
    assert set(SurveyResponse.objects.values_list("phase", flat=True)) == {"primary", "secondary"}

    periods = periods_between("term", date(2025, 9, 1), date(2026, 12, 31))
    for code, better in (("survey_safe_at_school", 1), ("survey_bullied_4_weeks", -1)):
        values = results.survey_values(
            indicator=Indicator.objects.get(code=code), schools=[world.school_a], periods=periods
        )[world.school_a.pk]
        first, second = values["2025/26 autumn"].value, values["2026/27 autumn"].value
        assert (second - first) * better > Decimal(0), (code, first, second)
    shown = results.round_results(rounds[(world.school_a.pk, "2026/27 autumn")])
    assert shown.shown and len(shown.questions) == 8
    assert not results.round_results(rounds[(world.school_b.pk, "2026/27 autumn")]).shown

    demo_surveys(partnership=world.p, secondary=world.school_a, primaries=[world.school_b])
    assert SurveyRound.objects.count() == 4
    assert SurveyResponse.objects.count() == 308
