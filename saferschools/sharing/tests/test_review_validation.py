"""What a sharing decision and an agreement must say, at the edges: a lawful basis and a
condition of the same data protection regime, an end date that is a day (not a moment) counted
in UK time, and a year's limit across a leap day."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from saferschools.sharing import agreement_services
from saferschools.sharing.models import LawfulBasis, SharingDecision, SpecialCondition

from .test_agreement_views import make_agreement
from .test_decision_services import decide, refused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("basis", "condition"),
    [
        (LawfulBasis.PUBLIC_TASK, SpecialCondition.LAW_ENFORCEMENT_SAFEGUARDING),
        (LawfulBasis.LEGAL_OBLIGATION, SpecialCondition.LAW_ENFORCEMENT_SAFEGUARDING),
        (LawfulBasis.LAW_ENFORCEMENT_TASK, SpecialCondition.SAFEGUARDING),
        (LawfulBasis.LAW_ENFORCEMENT_TASK, SpecialCondition.PREVENTING_CRIME),
        (LawfulBasis.LAW_ENFORCEMENT_TASK, SpecialCondition.VITAL_INTERESTS),
    ],
    ids=[
        "public-task-with-schedule-8",
        "legal-obligation-with-schedule-8",
        "part-3-with-schedule-1-safeguarding",
        "part-3-with-schedule-1-crime",
        "part-3-with-article-9",
    ],
)
def test_a_condition_of_the_other_regime_than_the_basis_is_refused(world, dsl, basis, condition):
    errors = refused(dsl, world.pupil_a, world.yot, lawful_basis=basis, special_condition=condition)
    assert list(errors) == ["special_condition"]
    assert not SharingDecision.objects.exists()
    with pytest.raises(ValidationError) as caught:
        make_agreement_with(world, dsl, basis, condition)
    assert "special_condition" in caught.value.message_dict


@pytest.mark.parametrize(
    ("basis", "condition"),
    [
        (LawfulBasis.PUBLIC_TASK, SpecialCondition.SAFEGUARDING),
        (LawfulBasis.PUBLIC_TASK, SpecialCondition.NONE),
        (LawfulBasis.LAW_ENFORCEMENT_TASK, SpecialCondition.LAW_ENFORCEMENT_SAFEGUARDING),
        (LawfulBasis.LAW_ENFORCEMENT_TASK, SpecialCondition.NONE),
    ],
    ids=["gdpr-schedule-1", "gdpr-none", "part-3-schedule-8", "part-3-none"],
)
def test_a_condition_of_the_same_regime_is_accepted(world, dsl, basis, condition):
    assert decide(dsl, world.pupil_a, world.yot, lawful_basis=basis, special_condition=condition)
    assert make_agreement_with(world, dsl, basis, condition)


def make_agreement_with(world, dsl, basis, condition):
    agreement = make_agreement(world, dsl)
    return agreement_services.agreement_update(
        actor=dsl,
        agreement=agreement,
        data=agreement_services.AgreementInput(
            title=agreement.title,
            party_ids=[str(world.yot.pk)],
            purpose="Early help",
            data_shared="Names and concerns",
            lawful_basis=basis,
            special_condition=condition,
            frequency="Monthly",
            security="Within the product",
            retention="Two years",
            review_on=agreement.review_on,
        ),
        source="test",
    )


def test_an_end_that_is_a_moment_not_a_day_is_refused_not_a_crash(world, dsl):
    errors = refused(dsl, world.pupil_a, world.yot, expires_on=datetime(2099, 1, 1, tzinfo=UTC))
    assert errors["expires_on"] == ["Enter the date access ends as a date"]


def test_today_and_a_years_limit_are_counted_in_uk_time(world, dsl):
    # 23:30 in UTC on 30 June is already 1 July in summer time: a share may run until
    # 1 July next year, and may not end on 1 July this year.
    with time_machine.travel(datetime(2027, 6, 30, 23, 30, tzinfo=UTC), tick=False):
        assert "expires_on" in refused(dsl, world.pupil_a, world.yot, expires_on=date(2027, 7, 1))
        assert decide(dsl, world.pupil_a, world.yot, expires_on=date(2028, 7, 1)).live
        assert "expires_on" in refused(dsl, world.pupil_a, world.yot, expires_on=date(2028, 7, 2))


@pytest.mark.parametrize(
    ("today", "latest"),
    [
        (datetime(2027, 3, 1, 9, 0), date(2028, 3, 1)),
        (datetime(2028, 2, 28, 9, 0), date(2029, 2, 28)),
        (datetime(2028, 2, 29, 9, 0), date(2029, 2, 28)),
        (datetime(2027, 2, 28, 9, 0), date(2028, 2, 28)),
    ],
    ids=["over-a-leap-day", "day-before-a-leap-day", "on-a-leap-day", "to-a-leap-year"],
)
def test_a_year_across_a_leap_day(world, dsl, today, latest):
    with time_machine.travel(today.replace(tzinfo=UTC), tick=False):
        assert decide(dsl, world.pupil_a, world.yot, expires_on=latest).expires_on == latest
        errors = refused(
            dsl, world.pupil_a, world.yot, expires_on=date.fromordinal(latest.toordinal() + 1)
        )
        assert errors["expires_on"] == [
            f"The date access ends must be within a year: {latest.day} {latest:%B %Y} at the latest"
        ]
