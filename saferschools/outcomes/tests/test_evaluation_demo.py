"""The demo's evaluation: persistent absence for the demo partnership, made by the area's
analyst with automatic comparison schools, once however often the demo is loaded."""

import pytest

from saferschools.accounts.models import Role
from saferschools.outcomes.evaluation_demo import ANALYST, demo_evaluation
from saferschools.outcomes.models import Evaluation

from .evaluation_world import evaluation_world

pytestmark = pytest.mark.django_db


def test_the_demo_evaluation(world, persona):
    evaluation_world(world)
    analyst = persona(Role.LA_ANALYST, world.area, email=ANALYST)
    for _ in range(2):
        demo_evaluation(partnership=world.p, secondary=world.school_a, primaries=[world.school_b])
    evaluation = Evaluation.objects.get()
    assert evaluation.indicator_id == "persistent_absence"
    assert evaluation.created_by == analyst
    assert evaluation.comparison_chosen == Evaluation.Chosen.AUTOMATIC
    assert evaluation.estimate < 0
