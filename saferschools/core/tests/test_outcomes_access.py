"""The access policy for stage 4, written out by hand: who runs a school's survey and reads its
results, who words an area's questions, who makes and reads evaluations, who writes and reads the
annual report, and whose role opens an area's dashboard."""

from datetime import date

import pytest
from django.http import Http404

from saferschools.accounts.models import Role
from saferschools.core import access
from saferschools.outcomes.models import AnnualReport, Evaluation, SurveyRound

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round(world):
    return SurveyRound.objects.create(
        school=world.school_a,
        period="2026/27 autumn",
        period_start=date(2026, 9, 1),
        opens_on=date(2026, 11, 2),
        closes_on=date(2026, 12, 11),
    )


# (role, scope attribute of the world) → reads school A's survey results, runs its rounds.
SURVEYS = [
    (Role.HEAD_TEACHER, "school_a", True, True),
    (Role.SAFEGUARDING_LEAD, "school_a", True, True),
    (Role.SAFEGUARDING_LEAD, "school_b", True, False),
    (Role.SAFEGUARDING_LEAD, "school_c", False, False),
    (Role.SCHOOL_STAFF, "school_a", True, False),
    (Role.SSP_OFFICER, "p", True, False),
    (Role.SSP_OFFICER, "q", False, False),
    (Role.STEERING_MEMBER, "p", True, False),
    (Role.POLICE_SUPERVISOR, "police", True, False),
    (Role.POLICE_SUPERVISOR, "other_police", False, False),
    (Role.LA_ANALYST, "area", True, False),
    (Role.AREA_ADMIN, "area", True, False),
    (Role.AREA_ADMIN, "other_area", False, False),
]


@pytest.mark.parametrize("role,scope,reads,runs", SURVEYS)
def test_a_schools_survey_rounds(world, persona, survey_round, role, scope, reads, runs):
    user = persona(role, getattr(world, scope))

    assert access.scope(user, SurveyRound).filter(pk=survey_round.pk).exists() is reads
    assert access.scope(user, SurveyRound, write=True).filter(pk=survey_round.pk).exists() is runs
    assert access.can_run_surveys(user, world.school_a) is runs
    if runs:
        assert access.get_survey_round_for_user(user, survey_round.pk, write=True) == survey_round
    else:
        with pytest.raises(Http404):
            access.get_survey_round_for_user(user, survey_round.pk, write=True)
    if not reads:
        with pytest.raises(Http404):
            access.get_survey_round_for_user(user, survey_round.pk)


@pytest.mark.parametrize(
    "role,scope,words",
    [
        (Role.AREA_ADMIN, "area", True),
        (Role.LA_ANALYST, "area", True),
        (Role.LA_ANALYST, "other_area", False),
        (Role.HEAD_TEACHER, "school_a", False),
        (Role.STEERING_MEMBER, "p", False),
        (Role.POLICE_SUPERVISOR, "police", False),
    ],
)
def test_who_words_an_areas_survey_questions(world, persona, role, scope, words):
    user = persona(role, getattr(world, scope))

    assert (world.area in access.survey_question_areas(user)) is words
    if words:
        assert access.get_survey_question_area_for_user(user, world.area.pk) == world.area
    else:
        with pytest.raises(Http404):
            access.get_survey_question_area_for_user(user, world.area.pk)


# (role, scope) → reads P's evaluations and annual report, evaluates P, writes P's report,
# opens the area's dashboard.
STAGE_FOUR = [
    (Role.HEAD_TEACHER, "school_a", True, True, True, False),
    (Role.HEAD_TEACHER, "school_c", False, False, False, False),
    (Role.STEERING_MEMBER, "p", True, True, True, False),
    (Role.STEERING_MEMBER, "q", False, False, False, False),
    (Role.SAFEGUARDING_LEAD, "school_a", True, False, False, False),
    (Role.SCHOOL_STAFF, "school_b", True, False, False, False),
    (Role.SSP_OFFICER, "p", True, False, False, False),
    (Role.POLICE_SUPERVISOR, "police", True, True, False, True),
    (Role.POLICE_SUPERVISOR, "other_police", False, False, False, False),
    (Role.AGENCY_PRACTITIONER, "yot", True, False, False, False),
    (Role.LA_ANALYST, "area", True, True, False, True),
    (Role.LA_ANALYST, "other_area", False, False, False, False),
    (Role.AREA_ADMIN, "area", True, True, True, True),
]


@pytest.fixture
def evaluation(world):
    return Evaluation.objects.create(
        partnership=world.p,
        indicator_id="persistent_absence",
        started_on=date(2025, 9, 1),
        comparison_chosen=Evaluation.Chosen.AUTOMATIC,
        estimate=-1.5,
        std_error=0.5,
        ci_low=-2.5,
        ci_high=-0.5,
        p_value=0.01,
        n_units=8,
        n_periods=5,
        n_observations=40,
    )


@pytest.mark.parametrize("role,scope,reads,evaluates,writes,area_dashboard", STAGE_FOUR)
def test_evaluations_reports_and_dashboards(
    world, persona, evaluation, role, scope, reads, evaluates, writes, area_dashboard
):
    user = persona(role, getattr(world, scope))
    report = AnnualReport.objects.create(partnership=world.p, year=2025)

    assert access.scope(user, Evaluation).filter(pk=evaluation.pk).exists() is reads
    assert access.can_evaluate(user, world.p) is evaluates
    assert access.scope(user, AnnualReport).filter(pk=report.pk).exists() is reads
    assert access.scope(user, AnnualReport, write=True).filter(pk=report.pk).exists() is writes
    assert (world.area in access.dashboard_areas(user)) is area_dashboard
    if reads:
        assert access.get_evaluation_for_user(user, evaluation.pk) == evaluation
    else:
        with pytest.raises(Http404):
            access.get_evaluation_for_user(user, evaluation.pk)
    if not area_dashboard:
        with pytest.raises(Http404):
            access.get_dashboard_area_for_user(user, world.area.pk)


def test_a_malformed_id_is_not_found_alike(world, persona):
    user = persona(Role.LA_ANALYST, world.area)
    for bad in ("not-a-uuid", "", "0" * 5000):
        with pytest.raises(Http404):
            access.get_evaluation_for_user(user, bad)
        with pytest.raises(Http404):
            access.get_survey_round_for_user(user, bad)
        with pytest.raises(Http404):
            access.get_dashboard_area_for_user(user, bad)
