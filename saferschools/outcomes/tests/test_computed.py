"""Indicators the product computes from its own records, split by a field of the records."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saferschools.outcomes.computed import computed_by_school_and, computed_total
from saferschools.reporting.models import Report
from saferschools.testing.factories import submit_report

pytestmark = pytest.mark.django_db


def test_a_count_split_by_category_adds_up_to_the_count_per_school(world):
    for category in ("weapons", "weapons", "bullying"):
        submit_report(world.school_a, category=category)
    old = submit_report(world.school_a, category="gangs").report
    Report.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=400))
    submit_report(world.school_b, category="weapons")
    schools = [world.school_a, world.school_b, world.school_c]
    today = timezone.localdate()
    since = today - timedelta(days=364)

    split = computed_by_school_and(
        code="pupil_reports", field="category", schools=schools, since=since, until=today
    )

    assert split == {
        world.school_a.pk: {"weapons": Decimal(2), "bullying": Decimal(1)},
        world.school_b.pk: {"weapons": Decimal(1)},
        world.school_c.pk: {},
    }
    whole = {
        school.pk: computed_total(code="pupil_reports", schools=[school], since=since, until=today)
        for school in schools
    }
    assert {pk: sum(parts.values(), Decimal(0)) for pk, parts in split.items()} == whole
    assert computed_by_school_and(
        code="pupil_reports", field="category", schools=schools, since=today, until=since
    ) == {school.pk: {} for school in schools}
