"""The assessment pages: the form, one assessment, the pupil's panel, and the area's factors."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework import assessment_views
from saferschools.casework.models import (
    PupilTransfer,
    RiskAssessment,
    RiskFactor,
    TransferReason,
    TransferStatus,
)
from saferschools.casework.tests.test_assessment_helpers import assess, make_grant
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.sharing.models import SharedItem

pytestmark = pytest.mark.django_db

FROZEN = "2026-03-04 10:00:00+00:00"


def new_url(pupil):
    return reverse("casework-assessment-new", args=[pupil.pk])


def detail_url(assessment):
    return reverse("casework-assessment", args=[assessment.pk])


def pupil_url(pupil):
    return reverse("casework-pupil", args=[pupil.pk])


def factors_url(area):
    return reverse("casework-risk-factors", args=[area.pk])


def ticked(*codes, **extra):
    """A form POST with these factors ticked, each with evidence and a source."""
    data = {"notes": "", "review_on_day": "", "review_on_month": "", "review_on_year": ""}
    for code in codes:
        data[f"factor-{code}"] = "yes"
        data[f"evidence-{code}"] = f"Evidence of {code}"
        data[f"source-{code}"] = "Attendance records"
    data.update(extra)
    return data


@pytest.fixture
def officer(world, persona):
    """The SSP officer deployed to partnership P (schools A and B)."""
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def admin(world, persona):
    return persona(Role.AREA_ADMIN, world.area)


# The form


@pytest.mark.parametrize("who", ["dsl", "officer"])
def test_case_workers_get_the_form_with_the_catalogue_by_domain(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(new_url(world.pupil_a))
    assert page.status_code == 200
    body = page.content.decode()
    for legend in ("Community", "Family", "Individual", "School", "Other"):
        assert f'<h2 class="govuk-fieldset__heading">{legend}</h2>' in body
    assert 'name="factor-gang_member"' in body
    assert 'data-aria-controls="conditional-id_factor-gang_member"' in body
    assert 'name="evidence-gang_member"' in body
    assert "Serious: the level is high whenever it is present." in body
    assert "6 or more factors, or factors in 4 or more domains" in body
    # Opening the form is a read of the pupil.
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(world.pupil_a.pk)
    ).exists()


@pytest.mark.parametrize("who", ["staff", "outside_officer", "practitioner"])
def test_others_get_404_for_the_form_and_nothing_is_stored(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(new_url(world.pupil_a)).status_code == 404
    assert client.post(new_url(world.pupil_a), ticked("low_income")).status_code == 404
    assert not RiskAssessment.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_practitioner_with_a_grant_reads_but_does_not_record(client, dsl, practitioner, world):
    make_grant(world.pupil_a, world.yot, by=dsl)
    client.force_login(practitioner)
    assert client.get(new_url(world.pupil_a)).status_code == 404
    assert client.post(new_url(world.pupil_a), ticked("low_income")).status_code == 404
    assert not RiskAssessment.objects.exists()


def test_a_malformed_or_unknown_pupil_is_404(client, dsl):
    client.force_login(dsl)
    assert client.get("/pupils/not-a-uuid/assessments/new/").status_code == 404
    assert (
        client.get("/pupils/00000000-0000-0000-0000-000000000000/assessments/new/").status_code
        == 404
    )


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(new_url(world.pupil_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-sign-in"))


@time_machine.travel(FROZEN, tick=False)
def test_recording_redirects_to_the_assessment_with_its_level(client, dsl, world):
    client.force_login(dsl)
    response = client.post(
        new_url(world.pupil_a),
        ticked(
            "family_conflict",
            "lack_of_commitment",
            notes="Mentor offered",
            review_on_day="1",
            review_on_month="4",
            review_on_year="2026",
        )
        | {"evidence-low_income": "Typed, then unticked"},
    )
    assessment = RiskAssessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(assessment)
    assert assessment.level == "medium"
    assert assessment.review_on == date(2026, 4, 1)
    assert assessment.notes == "Mentor offered"
    assert sorted(assessment.factors.values_list("factor__code", flat=True)) == [
        "family_conflict",
        "lack_of_commitment",
    ]
    page = client.get(response["Location"])
    assert "Assessment recorded. The level is medium: Medium: 2 factors in 2 domains." in (
        page.content.decode()
    )


def test_nothing_ticked_records_a_low(client, dsl, world):
    client.force_login(dsl)
    response = client.post(new_url(world.pupil_a), ticked())
    assert response.status_code == 302
    assert RiskAssessment.objects.get().level_reason == "Low: no factors present."


@time_machine.travel(FROZEN, tick=False)
def test_bad_input_names_the_field_and_stores_nothing(client, dsl, world):
    client.force_login(dsl)
    response = client.post(
        new_url(world.pupil_a),
        ticked("gang_member")
        | {
            "evidence-gang_member": "  ",
            "source-gang_member": "",
            "review_on_day": "3",
            "review_on_month": "3",
            "review_on_year": "2026",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {
        "evidence-gang_member": ["Enter the evidence for “Known gang member”"],
        "source-gang_member": ["Enter where the evidence for “Known gang member” came from"],
        "review_on": ["The review date must be today or in the future"],
    }
    body = response.content.decode()
    assert 'href="#id_evidence-gang_member"' in body
    # The ticked factor's fields stay revealed, with what was sent.
    assert (
        'id="id_factor-gang_member" name="factor-gang_member" type="checkbox" value="yes" ' in body
    )
    assert not RiskAssessment.objects.exists()


def test_too_long_evidence_is_named(client, dsl, world):
    client.force_login(dsl)
    response = client.post(
        new_url(world.pupil_a), ticked("low_income") | {"evidence-low_income": "x" * 2001}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["evidence-low_income"]
    assert not RiskAssessment.objects.exists()


def test_a_factor_retired_while_the_form_was_open_is_named(client, dsl, world):
    carer = RiskFactor.objects.create(
        area=world.area, code="young_carer", domain="family", name="Young carer"
    )
    client.force_login(dsl)
    assert 'name="factor-young_carer"' in client.get(new_url(world.pupil_a)).content.decode()
    carer.active = False
    carer.save()
    response = client.post(new_url(world.pupil_a), ticked("young_carer"))
    # A retired factor is no longer on the form: what was sent for it is not kept.
    assert response.status_code == 302
    assert not RiskAssessment.objects.get().factors.exists()
    assert 'name="factor-young_carer"' not in client.get(new_url(world.pupil_a)).content.decode()


def test_a_record_awaiting_another_school_cannot_be_assessed(client, dsl, world):
    PupilTransfer.objects.create(
        pupil=world.pupil_a,
        from_school=world.school_a,
        to_school=world.school_b,
        reason=TransferReason.MANAGED_MOVE,
        status=TransferStatus.SENT,
        sent_by=dsl,
        sent_at=timezone.now(),
    )
    client.force_login(dsl)
    page = client.get(new_url(world.pupil_a))
    assert "It is read-only until the receiving school confirms receipt." in page.content.decode()
    response = client.post(new_url(world.pupil_a), ticked("low_income"))
    assert response.status_code == 400
    assert "read-only" in response.context["form"].non_field_errors()[0]
    assert not RiskAssessment.objects.exists()


# One assessment


def test_the_assessment_page_shows_factors_level_and_changes(client, dsl, world):
    with time_machine.travel("2026-01-05 09:00:00+00:00", tick=False):
        first = assess(world.pupil_a, dsl, "low_income", "alienation")
    with time_machine.travel("2026-02-05 09:00:00+00:00", tick=False):
        second = assess(world.pupil_a, dsl, "alienation", "gang_member", review_on=date(2026, 3, 1))
    client.force_login(dsl)
    with time_machine.travel("2026-03-04 10:00:00+00:00", tick=False):
        page = client.get(detail_url(second))
    assert page.status_code == 200
    body = page.content.decode()
    assert "High: a serious factor is present (Known gang member)." in body
    assert "Known gang member" in body
    assert "Evidence of gang_member" not in body  # the helper's evidence is its own
    assert "Seen by staff" in body and "Source: School records" in body
    assert "the level is up from medium" in body
    assert "Factors now present:" in body and "Factors no longer present:" in body
    assert "Review overdue" in body
    assert detail_url(first) in body
    assert reverse("casework-assessment-new", args=[world.pupil_a.pk]) in body
    events = AuditEvent.objects.filter(action=AuditAction.VIEW).order_by("seq")
    assert {event.object_id for event in events} == {str(first.pk), str(second.pk)}


def test_an_older_assessment_links_to_the_latest_and_its_review_is_not_overdue(client, dsl, world):
    with time_machine.travel("2026-01-05 09:00:00+00:00", tick=False):
        first = assess(world.pupil_a, dsl, review_on=date(2026, 2, 1))
    with time_machine.travel("2026-01-06 09:00:00+00:00", tick=False):
        latest = assess(world.pupil_a, dsl, "low_income")
    client.force_login(dsl)
    with time_machine.travel(FROZEN, tick=False):
        body = client.get(detail_url(first)).content.decode()
    assert "A later assessment replaces this one" in body
    assert detail_url(latest) in body
    assert "Review overdue" not in body
    assert "This is the pupil's first assessment." in body


@pytest.mark.parametrize("who", ["staff", "outside_officer", "practitioner"])
def test_others_get_404_for_an_assessment(client, dsl, world, request, who):
    assessment = assess(world.pupil_a, dsl, "low_income")
    client.force_login(request.getfixturevalue(who))
    assert client.get(detail_url(assessment)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_practitioner_reads_through_a_grant_and_the_audit_names_it(
    client, dsl, practitioner, world
):
    assessment = assess(world.pupil_a, dsl, "low_income")
    grant = make_grant(world.pupil_a, world.yot, by=dsl)
    client.force_login(practitioner)
    page = client.get(detail_url(assessment))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Low income" in body
    # No link to reassess for a reader.
    assert new_url(world.pupil_a) not in body
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(assessment.pk))
    assert event.actor_id == practitioner.pk
    assert event.detail == {"grant": str(grant.pk)}


@time_machine.travel(FROZEN, tick=False)
def test_a_grant_not_naming_assessments_or_expired_opens_nothing(client, dsl, practitioner, world):
    assessment = assess(world.pupil_a, dsl, "low_income")
    make_grant(world.pupil_a, world.yot, by=dsl, items=[SharedItem.PLANS])
    client.force_login(practitioner)
    assert client.get(detail_url(assessment)).status_code == 404
    make_grant(world.pupil_a, world.yot, by=dsl, days=3)
    assert client.get(detail_url(assessment)).status_code == 200
    # The grant ends at the start of its expiry date (7 March), in England.
    with time_machine.travel("2026-03-06 23:59:00+00:00", tick=False):
        client.force_login(practitioner)
        assert client.get(detail_url(assessment)).status_code == 200
    with time_machine.travel("2026-03-07 00:00:01+00:00", tick=False):
        client.force_login(practitioner)
        assert client.get(detail_url(assessment)).status_code == 404


def test_a_grant_for_another_pupil_opens_nothing_of_this_one(client, dsl, practitioner, world):
    assessment = assess(world.pupil_a, dsl, "low_income")
    other = world.pupil_a.__class__.objects.create(
        school=world.school_a,
        school_pupil_id="X1",
        given_name="Other",
        family_name="Pupil",
        date_of_birth=date(2012, 1, 1),
        year_group=8,
    )
    make_grant(other, world.yot, by=dsl)
    client.force_login(practitioner)
    assert client.get(detail_url(assessment)).status_code == 404


def test_a_malformed_assessment_id_is_404(client, dsl):
    client.force_login(dsl)
    assert client.get("/assessments/12345/").status_code == 404


# On the pupil's page


@time_machine.travel(FROZEN, tick=False)
def test_the_pupil_page_shows_the_latest_level_and_the_trend(client, dsl, world):
    with time_machine.travel("2026-01-05 09:00:00+00:00", tick=False):
        first = assess(world.pupil_a, dsl, "low_income")
    with time_machine.travel("2026-02-05 09:00:00+00:00", tick=False):
        second = assess(world.pupil_a, dsl, "low_income", "alienation", review_on=date(2026, 3, 1))
    client.force_login(dsl)
    body = client.get(pupil_url(world.pupil_a)).content.decode()
    assert "Risk-factor assessments" in body
    assert "Medium: 2 factors in 2 domains." in body
    assert "Review overdue" in body
    assert "Up from low" in body and "First assessment" in body
    assert body.index(detail_url(second)) < body.index(detail_url(first))
    assert "Reassess risk factors" in body
    listed = AuditEvent.objects.filter(action=AuditAction.VIEW, detail__listing=True)
    assert {event.object_id for event in listed} >= {str(first.pk), str(second.pk)}


def test_the_pupil_page_offers_the_first_assessment(client, dsl, world):
    client.force_login(dsl)
    body = client.get(pupil_url(world.pupil_a)).content.decode()
    assert "No risk-factor assessment has been recorded." in body
    assert "Assess risk factors" in body


def test_staff_see_no_assessments_on_the_pupil_page(client, dsl, staff, world):
    assess(world.pupil_a, dsl, "low_income")
    client.force_login(staff)
    page = client.get(pupil_url(world.pupil_a))
    assert page.status_code == 200
    assert "Risk-factor assessments" not in page.content.decode()


def test_a_practitioner_sees_the_panel_through_a_grant_without_the_record_link(
    client, dsl, practitioner, world
):
    assessment = assess(world.pupil_a, dsl, "low_income")
    grant = make_grant(world.pupil_a, world.yot, by=dsl)
    client.force_login(practitioner)
    body = client.get(pupil_url(world.pupil_a)).content.decode()
    assert detail_url(assessment) in body
    assert new_url(world.pupil_a) not in body
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(assessment.pk))
    assert event.detail == {"listing": True, "grant": str(grant.pk)}


def test_the_panel_is_none_for_a_grant_without_assessments(dsl, practitioner, world):
    make_grant(world.pupil_a, world.yot, by=dsl, items=[SharedItem.PLANS])
    request = RequestFactory().get(pupil_url(world.pupil_a))
    request.user = practitioner
    assert assessment_views.pupil_panel(request, world.pupil_a) is None


def _panel_queries(user, pupil) -> int:
    request = RequestFactory().get(pupil_url(pupil))
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        panel = assessment_views.pupil_panel(request, pupil)
        render_to_string("casework/_pupil_assessments.html", {"panel": panel}, request=request)
    return len(queries)


def test_the_panel_reads_in_the_same_queries_however_many_assessments(dsl, world):
    for _ in range(2):
        assess(world.pupil_a, dsl, "low_income", "alienation")
    few = _panel_queries(dsl, world.pupil_a)
    for _ in range(12):
        assess(world.pupil_a, dsl, "low_income", "gang_member", "poor_housing")
    assert _panel_queries(dsl, world.pupil_a) == few
    assert few <= 12


# The area's own factors


def test_the_admin_sees_every_factor_and_adds_one(client, admin, world):
    client.force_login(admin)
    page = client.get(factors_url(world.area))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Known gang member" in body and "The guidance" in body
    response = client.post(
        factors_url(world.area), {"domain": "family", "name": "Young carer", "serious": "on"}
    )
    assert response.status_code == 302
    carer = RiskFactor.objects.get(area=world.area)
    assert (carer.code, carer.domain, carer.serious) == ("young_carer", "family", True)
    body = client.get(factors_url(world.area)).content.decode()
    assert "“Young carer” added to the catalogue." in body
    assert reverse("casework-risk-factor", args=[world.area.pk, carer.pk]) in body


def test_a_clashing_or_missing_name_is_refused_with_the_field_named(client, admin, world):
    client.force_login(admin)
    response = client.post(factors_url(world.area), {"domain": "family", "name": "Low  income"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["name"]
    response = client.post(factors_url(world.area), {"domain": "", "name": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "domain": ["Choose the domain the factor belongs to"],
        "name": ["Enter the name of the factor"],
    }
    assert not RiskFactor.objects.filter(area=world.area).exists()


@pytest.mark.parametrize("who", ["dsl", "officer", "other_admin"])
def test_others_get_404_for_the_areas_factors(client, world, persona, request, who):
    user = (
        persona(Role.AREA_ADMIN, world.other_area)
        if who == "other_admin"
        else request.getfixturevalue(who)
    )
    carer = RiskFactor.objects.create(
        area=world.area, code="young_carer", domain="family", name="Young carer"
    )
    client.force_login(user)
    assert client.get(factors_url(world.area)).status_code == 404
    assert (
        client.post(factors_url(world.area), {"domain": "family", "name": "X"}).status_code == 404
    )
    change = reverse("casework-risk-factor", args=[world.area.pk, carer.pk])
    assert client.post(change, {"name": "Renamed"}).status_code == 404
    active = reverse("casework-risk-factor-active", args=[world.area.pk, carer.pk])
    assert client.post(active, {"active": "no"}).status_code == 404
    carer.refresh_from_db()
    assert (carer.name, carer.active) == ("Young carer", True)
    assert RiskFactor.objects.filter(area=world.area).count() == 1


def test_the_admin_renames_retires_and_restores_a_factor(client, admin, dsl, world):
    carer = RiskFactor.objects.create(
        area=world.area, code="young_carer", domain="family", name="Young carer"
    )
    client.force_login(admin)
    change = reverse("casework-risk-factor", args=[world.area.pk, carer.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"name": ""}).status_code == 400
    assert client.post(change, {"name": "Young carer for a parent"}).status_code == 302
    active = reverse("casework-risk-factor-active", args=[world.area.pk, carer.pk])
    assert client.post(active, {"active": "maybe"}).status_code == 400
    assert client.get(active).status_code == 405
    assert client.post(active, {"active": "no"}).status_code == 302
    carer.refresh_from_db()
    assert (carer.code, carer.name, carer.active) == (
        "young_carer",
        "Young carer for a parent",
        False,
    )
    client.force_login(dsl)
    assert 'name="factor-young_carer"' not in client.get(new_url(world.pupil_a)).content.decode()
    client.force_login(admin)
    assert client.post(active, {"active": "yes"}).status_code == 302
    carer.refresh_from_db()
    assert carer.active


def test_a_guidance_factor_has_no_change_page(client, admin, world):
    guidance = RiskFactor.objects.get(code="low_income", area__isnull=True)
    client.force_login(admin)
    assert (
        client.get(reverse("casework-risk-factor", args=[world.area.pk, guidance.pk])).status_code
        == 404
    )
