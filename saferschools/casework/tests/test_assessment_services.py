"""Recording risk assessments and keeping an area's own factors: the services."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework import assessment_services as services
from saferschools.casework.assessment_selectors import (
    assessment_get,
    assessment_history,
    risk_factor_catalogue,
    risk_factors_for_user,
)
from saferschools.casework.models import (
    PupilTransfer,
    RiskAssessment,
    RiskAssessmentFactor,
    RiskFactor,
    TransferReason,
    TransferStatus,
)
from saferschools.casework.tests.test_assessment_helpers import assess, factor
from saferschools.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

FROZEN = "2026-03-04 10:00:00+00:00"


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def record(dsl, pupil, factors, **options):
    return services.assessment_record(
        actor=dsl,
        pupil=pupil,
        factors=factors,
        notes=options.get("notes", ""),
        review_on=options.get("review_on"),
        source="test",
    )


@pytest.fixture
def admin(world, persona):
    return persona(Role.AREA_ADMIN, world.area)


# Recording an assessment


@time_machine.travel(FROZEN, tick=False)
def test_an_assessment_stores_factors_level_reason_and_audit(dsl, world):
    assessment = record(
        dsl,
        world.pupil_a,
        [
            factor("family_conflict", "Parents separated; police called twice", "Police"),
            factor("lack_of_commitment", "Attendance 78% this term", "Attendance records"),
        ],
        notes="  Mentor offered.\r\n",
        review_on=date(2026, 4, 1),
    )
    assessment.refresh_from_db()
    assert (assessment.level, assessment.level_reason) == (
        "medium",
        "Medium: 2 factors in 2 domains.",
    )
    assert assessment.notes == "Mentor offered."
    assert assessment.review_on == date(2026, 4, 1)
    assert assessment.assessed_by == dsl
    assert assessment.school == world.school_a
    assert assessment.assessed_at == timezone.now()
    rows = {row.factor.code: row for row in assessment.factors.select_related("factor")}
    assert rows["lack_of_commitment"].evidence == "Attendance 78% this term"
    assert rows["lack_of_commitment"].source == "Attendance records"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(assessment.pk))
    assert event.detail == {"pupil": str(world.pupil_a.pk), "level": "medium", "factors": 2}


def test_no_factor_ticked_is_a_recorded_low(dsl, world):
    assessment = record(dsl, world.pupil_a, [])
    assert (assessment.level, assessment.level_reason) == ("low", "Low: no factors present.")
    assert not assessment.factors.exists()


def test_a_serious_factor_makes_it_high(dsl, world):
    assert assess(world.pupil_a, dsl, "gang_member").level == "high"


def test_factors_in_four_domains_make_it_high(dsl, world):
    assessment = assess(
        world.pupil_a, dsl, "low_income", "drugs_available", "alienation", "low_achievement"
    )
    assert (assessment.level, assessment.level_reason) == ("high", "High: 4 factors in 4 domains.")


def test_an_officer_of_the_partnership_records_one(world, persona):
    officer = persona(Role.SSP_OFFICER, world.p)
    assert assess(world.pupil_b, officer, "low_income").school == world.school_b


@pytest.mark.parametrize("who", ["staff", "outside_officer", "practitioner"])
def test_those_who_do_not_keep_the_casework_cannot_record(world, request, who):
    user = request.getfixturevalue(who)
    errors = errors_of(lambda: assess(world.pupil_a, user, "low_income"))
    assert list(errors) == ["pupil"]
    assert not RiskAssessment.objects.exists()


def test_a_record_awaiting_another_school_is_read_only(dsl, world):
    PupilTransfer.objects.create(
        pupil=world.pupil_a,
        from_school=world.school_a,
        to_school=world.school_b,
        reason=TransferReason.MANAGED_MOVE,
        status=TransferStatus.SENT,
        sent_by=dsl,
        sent_at=timezone.now(),
    )
    errors = errors_of(lambda: assess(world.pupil_a, dsl, "low_income"))
    assert "read-only" in errors["pupil"][0]
    assert not RiskAssessment.objects.exists()


def test_each_bad_factor_is_named_by_its_place_in_the_list(dsl, world):
    retired = RiskFactor.objects.create(
        area=world.area, code="young_carer", domain="family", name="Young carer", active=False
    )
    errors = errors_of(
        lambda: record(
            dsl,
            world.pupil_a,
            [
                factor("low_income"),
                factor("no_such_code"),
                factor(retired.code),
                factor("low_income"),
                factor("poor_housing", evidence="  ", source=""),
                factor("alienation", evidence="x" * 2001),
                "not a factor",
            ],
        )
    )
    assert errors == {
        "factors[1].code": ["Choose a factor from the catalogue (GET /api/v1/risk-factors)"],
        "factors[2].code": ["“Young carer” is no longer used: choose another factor"],
        "factors[3].code": ["“Low income” is given more than once"],
        "factors[4].evidence": ["Enter the evidence for “Poor housing”"],
        "factors[4].source": ["Enter where the evidence for “Poor housing” came from"],
        "factors[5].evidence": ["Use 2,000 characters or fewer (this has 2,001)"],
        "factors[6]": ["Give a factor's code, the evidence and its source"],
    }
    assert not RiskAssessment.objects.exists()
    assert not RiskAssessmentFactor.objects.exists()


def test_another_areas_factor_is_not_in_this_pupils_catalogue(dsl, world):
    RiskFactor.objects.create(
        area=world.other_area, code="ferry_port", domain="community", name="Near the ferry port"
    )
    errors = errors_of(lambda: assess(world.pupil_a, dsl, "ferry_port"))
    assert list(errors) == ["factors[0].code"]


def test_the_areas_own_active_factor_counts(dsl, world):
    RiskFactor.objects.create(
        area=world.area, code="young_carer", domain="family", name="Young carer", serious=True
    )
    assessment = assess(world.pupil_a, dsl, "young_carer")
    assert (assessment.level, assessment.level_reason) == (
        "high",
        "High: a serious factor is present (Young carer).",
    )


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize(
    ("review_on", "message"),
    [
        (date(2026, 3, 3), "The review date must be today or in the future"),
        (date(2029, 4, 1), "The review date must be within the next three years"),
        ("2026-04-01", "Give the review date as a date"),
    ],
)
def test_a_review_date_in_the_past_or_far_off_is_refused(dsl, world, review_on, message):
    errors = errors_of(lambda: record(dsl, world.pupil_a, [], review_on=review_on))
    assert errors == {"review_on": [message]}


@time_machine.travel(FROZEN, tick=False)
def test_a_review_today_is_allowed(dsl, world):
    assert record(dsl, world.pupil_a, [], review_on=date(2026, 3, 4)).review_on == date(2026, 3, 4)


def test_notes_are_cleaned_and_bounded_and_factors_must_be_a_list(dsl, world):
    assessment = record(dsl, world.pupil_a, [], notes="Line\x00 one")
    assert assessment.notes == "Line one"
    errors = errors_of(lambda: record(dsl, world.pupil_a, [], notes="x" * 5001))
    assert list(errors) == ["notes"]
    errors = errors_of(lambda: record(dsl, world.pupil_a, "low_income"))
    assert list(errors) == ["factors"]


# Reassessment: history and what changed


def test_history_is_newest_first_and_each_read_audited(dsl, world):
    with time_machine.travel("2026-01-05 09:00:00+00:00", tick=False):
        first = assess(world.pupil_a, dsl, "low_income")
    with time_machine.travel("2026-02-05 09:00:00+00:00", tick=False):
        second = assess(world.pupil_a, dsl, "low_income", "alienation", "gang_member")
    with time_machine.travel("2026-03-05 09:00:00+00:00", tick=False):
        third = assess(world.pupil_a, dsl, "alienation")

    history = assessment_history(user=dsl, pupil=world.pupil_a, source="test")
    assert history == [third, second, first]
    views = AuditEvent.objects.filter(action=AuditAction.VIEW)
    assert sorted(views.values_list("object_id", flat=True)) == sorted(str(a.pk) for a in history)
    assert all(event.detail == {"listing": True} for event in views)

    read = assessment_get(user=dsl, assessment_id=third.pk, source="test")
    assert read.later is None
    assert read.changes is not None
    assert read.changes.previous == second
    assert read.changes.trend == "down from high"
    assert [f.code for f in read.changes.added] == []
    assert [f.code for f in read.changes.removed] == ["low_income", "gang_member"]

    read = assessment_get(user=dsl, assessment_id=first.pk, source="test")
    assert read.changes is None
    # The newest replaces it.
    assert read.later == third


# The area's own factors


def test_an_admin_adds_a_factor_with_a_code_from_its_name(admin, world):
    made = services.risk_factor_add(
        actor=admin,
        area=world.area,
        domain="family",
        name="Young carer (caring for a parent)",
        serious=False,
        source="test",
    )
    assert made.code == "young_carer_caring_for_a_parent"
    assert (made.area, made.domain, made.active) == (world.area, "family", True)
    assert made.position >= services.AREA_POSITION_START
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(made.pk)).exists()
    offered = [f.code for f in risk_factor_catalogue(area=world.area)]
    # After the guidance's family factors, before the individual domain.
    assert offered.index(made.code) == offered.index("domestic_violence") + 1
    assert made.code not in [f.code for f in risk_factor_catalogue(area=world.other_area)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("Low income", "The catalogue already has a factor with this name", id="name"),
        pytest.param(
            "Low-income",
            "This name gives the code “low_income”, which another factor has: choose another name",
            id="guidance-code",
        ),
        pytest.param("!!!", "Use letters or numbers in the name", id="no-letters"),
        pytest.param("", "This cannot be empty", id="empty"),
    ],
)
def test_a_name_that_clashes_is_refused(admin, world, name, message):
    errors = errors_of(
        lambda: services.risk_factor_add(
            actor=admin, area=world.area, domain="family", name=name, serious=False, source="t"
        )
    )
    assert errors == {"name": [message]}
    assert not RiskFactor.objects.filter(area=world.area).exists()


def test_a_code_the_area_already_has_is_refused_even_when_retired(admin, world):
    RiskFactor.objects.create(
        area=world.area, code="young_carer", domain="family", name="Carer", active=False
    )
    errors = errors_of(
        lambda: services.risk_factor_add(
            actor=admin,
            area=world.area,
            domain="family",
            name="Young carer",
            serious=True,
            source="t",
        )
    )
    assert list(errors) == ["name"]


def test_another_area_may_use_the_same_code(admin, world, persona):
    RiskFactor.objects.create(
        area=world.other_area, code="young_carer", domain="family", name="Young carer"
    )
    made = services.risk_factor_add(
        actor=admin, area=world.area, domain="family", name="Young carer", serious=False, source="t"
    )
    assert made.code == "young_carer"


def test_bad_domain_and_serious_are_named(admin, world):
    errors = errors_of(
        lambda: services.risk_factor_add(
            actor=admin, area=world.area, domain="weather", name="Rain", serious="yes", source="t"
        )
    )
    assert set(errors) == {"domain", "serious"}


@pytest.mark.parametrize("who", ["dsl", "outsider"])
def test_only_the_areas_admins_keep_its_factors(world, persona, request, who):
    user = (
        persona(Role.AREA_ADMIN, world.other_area)
        if who == "outsider"
        else request.getfixturevalue(who)
    )
    errors = errors_of(
        lambda: services.risk_factor_add(
            actor=user,
            area=world.area,
            domain="family",
            name="Young carer",
            serious=False,
            source="t",
        )
    )
    assert list(errors) == ["area"]


def test_rename_keeps_the_code_and_old_assessments_keep_their_level(admin, dsl, world):
    carer = services.risk_factor_add(
        actor=admin, area=world.area, domain="family", name="Young carer", serious=False, source="t"
    )
    before = assess(world.pupil_a, dsl, carer.code)
    services.risk_factor_update(
        actor=admin, factor=carer, name="Young carer (adult)", serious=True, source="t"
    )
    carer.refresh_from_db()
    assert (carer.code, carer.name, carer.serious) == ("young_carer", "Young carer (adult)", True)
    before.refresh_from_db()
    assert before.level == "low"
    assert assess(world.pupil_a, dsl, carer.code).level == "high"


def test_the_guidance_factors_cannot_be_changed_or_retired(admin, world):
    guidance = RiskFactor.objects.get(code="low_income", area__isnull=True)
    errors = errors_of(
        lambda: services.risk_factor_update(
            actor=admin, factor=guidance, name="Poverty", serious=False, source="t"
        )
    )
    assert list(errors) == ["factor"]
    errors = errors_of(
        lambda: services.risk_factor_set_active(
            actor=admin, factor=guidance, active=False, source="t"
        )
    )
    assert list(errors) == ["factor"]


def test_retired_factors_are_not_offered_but_old_assessments_keep_them(admin, dsl, world):
    carer = services.risk_factor_add(
        actor=admin, area=world.area, domain="family", name="Young carer", serious=False, source="t"
    )
    old = assess(world.pupil_a, dsl, carer.code)
    services.risk_factor_set_active(actor=admin, factor=carer, active=False, source="t")
    assert carer.code not in [f.code for f in risk_factor_catalogue(area=world.area)]
    assert carer.code not in [f.code for f in risk_factors_for_user(user=dsl)]
    assert [row.factor for row in old.factors.all()] == [carer]
    assert list(errors_of(lambda: assess(world.pupil_a, dsl, carer.code))) == ["factors[0].code"]
    services.risk_factor_set_active(actor=admin, factor=carer, active=True, source="t")
    assert assess(world.pupil_a, dsl, carer.code).factors.count() == 1
    changes = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(carer.pk))
    assert [event.detail for event in changes.order_by("seq")] == [
        {"active": False},
        {"active": True},
    ]


def test_the_catalogue_for_a_user_is_the_guidance_and_their_areas(dsl, world, persona):
    RiskFactor.objects.create(area=world.area, code="young_carer", domain="family", name="Carer")
    RiskFactor.objects.create(
        area=world.other_area, code="ferry_port", domain="community", name="Ferry"
    )
    codes = [f.code for f in risk_factors_for_user(user=dsl)]
    assert "young_carer" in codes
    assert "ferry_port" not in codes
    assert len(codes) == 22
