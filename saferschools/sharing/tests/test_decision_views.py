"""The sharing decision pages: recording one for a pupil, a decision's page, revoking a share, a
practitioner's grants, and the decisions on the pupil's page."""

import html
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework.models import PupilTransfer, TransferReason, TransferStatus
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.sharing.models import Decision, GoldenRule, SharedItem, SharingDecision

from .test_decision_services import decide

pytestmark = pytest.mark.django_db

PUPIL_TYPE = "casework.pupil"
DECISION_TYPE = "sharing.sharingdecision"


def new_url(pupil) -> str:
    return f"/pupils/{pupil.pk}/sharing-decisions/new/"


def decision_url(decision) -> str:
    return f"/sharing-decisions/{decision.pk}/"


def revoke_url(decision) -> str:
    return f"/sharing-decisions/{decision.pk}/revoke/"


def form_data(world, **overrides) -> dict:
    """A complete "share" as the form sends it."""
    end = timezone.localdate() + timedelta(days=60)
    data = {
        "agency": str(world.yot.pk),
        "practitioner": "",
        "agreement": "",
        "purpose": "Joint support plan",
        "information": "The risk assessment and the plan",
        "items": ["assessments", "plans"],
        "lawful_basis": "gdpr_6_1_e",
        "special_condition": "dpa_sch1_18",
        "consent": "given",
        "consent_reason": "",
        "golden_rules": list(GoldenRule.values),
        "decision": "share",
        "reason": "",
        "expires_on_day": str(end.day),
        "expires_on_month": str(end.month),
        "expires_on_year": str(end.year),
    }
    data.update(overrides)
    return data


@pytest.fixture
def worker(world, persona):
    return persona(Role.AGENCY_PRACTITIONER, world.yot, full_name="Yusuf Oyelaran")


def text(response) -> str:
    return html.unescape(response.content.decode())


# Recording a decision ----------------------------------------------------------------------------


def test_the_form_is_for_the_schools_case_workers_and_its_opening_is_audited(client, world, dsl):
    client.force_login(dsl)
    page = client.get(new_url(world.pupil_a))
    assert page.status_code == 200
    body = text(page)
    assert "Record a sharing decision" in body
    assert world.pupil_a.name in body
    assert "Surrey YOS" in body
    assert "Hampshire Police" not in body
    assert "a child is at risk" in body
    for rule in GoldenRule.labels:
        assert rule in body
    assert AuditEvent.objects.filter(
        object_type=PUPIL_TYPE, object_id=str(world.pupil_a.pk), action=AuditAction.VIEW
    ).exists()


@pytest.mark.parametrize(
    "who",
    ["staff", "outside_officer", "practitioner", "la_analyst"],
    ids=["staff", "outsider", "agency", "analyst"],
)
def test_others_get_not_found_for_the_form_and_cannot_post_it(client, world, persona, request, who):
    user = (
        persona(Role.LA_ANALYST, world.area)
        if who == "la_analyst"
        else request.getfixturevalue(who)
    )
    client.force_login(user)
    assert client.get(new_url(world.pupil_a)).status_code == 404
    assert client.post(new_url(world.pupil_a), form_data(world)).status_code == 404
    assert not SharingDecision.objects.exists()


def test_a_case_worker_of_another_school_gets_not_found(client, world, persona):
    client.force_login(persona(Role.SAFEGUARDING_LEAD, world.school_b))
    assert client.get(new_url(world.pupil_a)).status_code == 404


def test_a_share_is_recorded_and_the_agency_told(client, world, dsl, worker):
    client.force_login(dsl)
    response = client.post(new_url(world.pupil_a), form_data(world))
    decision = SharingDecision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == decision_url(decision)
    assert decision.items == ["assessments", "plans"]
    assert decision.decided_by == dsl
    assert decision.expires_on == timezone.localdate() + timedelta(days=60)
    assert Notification.objects.get().user == worker
    page = client.get(decision_url(decision))
    assert "Its practitioners have been told" in text(page)


def test_a_decision_not_to_share_is_recorded(client, world, dsl):
    client.force_login(dsl)
    response = client.post(
        new_url(world.pupil_a),
        form_data(
            world,
            decision="not_share",
            reason="Early help already involved",
            items=[],
            expires_on_day="",
            expires_on_month="",
            expires_on_year="",
        ),
    )
    assert response.status_code == 302
    decision = SharingDecision.objects.get()
    assert decision.decision == Decision.NOT_SHARE
    assert decision.reason == "Early help already involved"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"purpose": ""}, "Give the purpose: why share"),
        ({"lawful_basis": ""}, "Choose the lawful basis for sharing"),
        ({"agency": ""}, "Choose the agency the information would go to"),
        ({"agency": "not-an-agency"}, "Choose an agency from the list"),
        ({"golden_rules": list(GoldenRule.values)[:6]}, "each of the seven golden rules"),
        ({"items": []}, "Choose at least one part of the pupil's record"),
        ({"consent": "not_sought"}, "Say why consent was not sought"),
        (
            {"expires_on_day": "", "expires_on_month": "", "expires_on_year": ""},
            "Enter the date access ends",
        ),
        (
            {"expires_on_day": "31", "expires_on_month": "2"},
            "The date access ends must be a real date",
        ),
        ({"expires_on_day": "9" * 5000}, "The date access ends must be a real date"),
        ({"expires_on_year": "20271"}, "The date access ends must be a real date"),
        ({"decision": "not_share"}, "Say why you decided not to share"),
        ({"purpose": "\x00"}, "Null characters are not allowed"),
        ({"practitioner": "someone"}, "Choose a practitioner from the list"),
    ],
    ids=[
        "no-purpose",
        "no-basis",
        "no-agency",
        "unknown-agency",
        "six-golden-rules",
        "nothing-opened",
        "consent-not-sought-without-reason",
        "no-end",
        "end-not-a-date",
        "end-huge-day",
        "end-five-digit-year",
        "not-share-without-reason",
        "purpose-a-nul",
        "unknown-practitioner",
    ],
)
def test_bad_input_comes_back_with_the_error_and_changes_nothing(
    client, world, dsl, overrides, message
):
    client.force_login(dsl)
    response = client.post(new_url(world.pupil_a), form_data(world, **overrides))
    assert response.status_code == 400
    body = text(response)
    assert "There is a problem" in body
    assert message in body
    assert not SharingDecision.objects.exists()
    assert not Notification.objects.exists()


def test_a_share_further_than_a_year_ahead_is_refused_on_the_field(client, world, dsl):
    client.force_login(dsl)
    with time_machine.travel("2026-11-28 10:00:00+00:00", tick=False):
        response = client.post(
            new_url(world.pupil_a),
            form_data(world, expires_on_day="29", expires_on_month="11", expires_on_year="2027"),
        )
    assert response.status_code == 400
    assert "within a year: 28 November 2027 at the latest" in text(response)
    assert 'id="id_expires_on-error"' in response.content.decode()


def test_a_record_sent_to_another_school_takes_no_decision(client, world, dsl):
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
    assert page.status_code == 200
    assert "read-only until that school confirms receipt" in text(page)
    assert 'action="/pupils/' not in page.content.decode()
    assert client.post(new_url(world.pupil_a), form_data(world)).status_code == 400
    assert not SharingDecision.objects.exists()


# A decision's page --------------------------------------------------------------------------------


def test_the_decision_page_shows_everything_and_is_audited(client, world, dsl):
    decision = decide(dsl, world.pupil_a, world.yot, expires_on=date.today() + timedelta(days=9))
    client.force_login(dsl)
    page = client.get(decision_url(decision))
    assert page.status_code == 200
    body = text(page)
    for expected in (
        "UK GDPR Article 6(1)(e): public task",
        "DPA 2018 Schedule 1, paragraph 18",
        "Sought and given",
        "Risk-factor assessments",
        "Early-intervention plans",
        "Live until",
        "Revoke access",
        "Joint support plan with the youth offending team",
    ):
        assert expected in body
    for rule in GoldenRule.labels:
        assert rule in body
    assert AuditEvent.objects.filter(
        object_type=DECISION_TYPE, object_id=str(decision.pk), action=AuditAction.VIEW
    ).exists()


def test_the_decision_page_says_where_a_decision_stands(client, world, dsl):
    client.force_login(dsl)
    not_shared = decide(dsl, world.pupil_a, world.yot, decision=Decision.NOT_SHARE, reason="No")
    assert "Not shared" in text(client.get(decision_url(not_shared)))
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        expired = decide(
            dsl, world.pupil_a, world.yot, expires_on=timezone.localdate() + timedelta(days=3)
        )
    body = text(client.get(decision_url(expired)))
    assert "Expired: access ended as" in body
    assert "Revoke access" not in body


@pytest.mark.parametrize(
    "who", ["staff", "outside_officer", "practitioner"], ids=["staff", "outsider", "agency"]
)
def test_others_get_not_found_for_a_decision(client, world, dsl, request, who):
    decision = decide(dsl, world.pupil_a, world.police, agency_id=str(world.police.pk))
    client.force_login(request.getfixturevalue(who))
    assert client.get(decision_url(decision)).status_code == 404
    assert client.get(revoke_url(decision)).status_code == 404
    assert client.post(revoke_url(decision), {"reason": "x"}).status_code == 404
    decision.refresh_from_db()
    assert decision.revoked_at is None


def test_the_grantee_reads_the_decision_but_cannot_revoke_it(client, world, dsl, worker):
    decision = decide(dsl, world.pupil_a, world.yot)
    client.force_login(worker)
    page = client.get(decision_url(decision))
    assert page.status_code == 200
    assert "Revoke access" not in text(page)
    event = AuditEvent.objects.filter(actor_id=worker.pk, object_id=str(decision.pk)).get()
    assert event.detail["grant"] == str(decision.pk)
    assert client.get(revoke_url(decision)).status_code == 404
    assert client.post(revoke_url(decision), {"reason": "x"}).status_code == 404


# Revoking -----------------------------------------------------------------------------------------


def test_revoking_needs_a_reason(client, world, dsl):
    decision = decide(dsl, world.pupil_a, world.yot)
    client.force_login(dsl)
    assert client.get(revoke_url(decision)).status_code == 200
    response = client.post(revoke_url(decision), {"reason": " "})
    assert response.status_code == 400
    assert "Say why access ends now" in text(response)
    decision.refresh_from_db()
    assert decision.revoked_at is None


def test_revoking_twice_is_refused_with_a_clear_error(client, world, dsl):
    decision = decide(dsl, world.pupil_a, world.yot)
    client.force_login(dsl)
    assert client.post(revoke_url(decision), {"reason": "Closed"}).status_code == 302
    response = client.post(revoke_url(decision), {"reason": "Again"})
    assert response.status_code == 400
    assert "already been revoked" in text(response)
    decision.refresh_from_db()
    assert decision.revoke_reason == "Closed"
    page = client.get(decision_url(decision))
    assert "Revoked on" in text(page)


# A practitioner's grants ----------------------------------------------------------------------------


def test_shared_with_me_lists_live_grants_and_audits_each_pupil(
    client, world, dsl, worker, persona, django_assert_max_num_queries
):
    lead_b = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    first = decide(dsl, world.pupil_a, world.yot)
    second = decide(lead_b, world.pupil_b, world.yot, items=[SharedItem.MEETINGS])
    revoked = decide(dsl, world.pupil_a, world.yot)
    revoked.revoked_at = timezone.now()
    revoked.save()
    client.force_login(worker)
    with django_assert_max_num_queries(15):
        page = client.get("/shared-with-me/")
    assert page.status_code == 200
    body = text(page)
    assert world.pupil_a.name in body
    assert world.pupil_b.name in body
    assert "Notes from multi-agency meetings" in body
    assert f"/sharing-decisions/{revoked.pk}/" not in body
    events = AuditEvent.objects.filter(actor_id=worker.pk, object_type=PUPIL_TYPE)
    assert {e.object_id for e in events} == {str(world.pupil_a.pk), str(world.pupil_b.pk)}
    # Each pupil's read names the grant it is read through, as every use of a grant does.
    grant_of = {e.object_id: e.detail["grant"] for e in events}
    assert grant_of == {str(world.pupil_a.pk): str(first.pk), str(world.pupil_b.pk): str(second.pk)}


def test_shared_with_me_stays_few_queries_however_many_grants(
    client, world, dsl, worker, django_assert_max_num_queries
):
    for _ in range(15):
        decide(dsl, world.pupil_a, world.yot)
    client.force_login(worker)
    with django_assert_max_num_queries(15):
        assert client.get("/shared-with-me/").status_code == 200


def test_shared_with_me_is_for_practitioners(client, dsl, worker):
    client.force_login(dsl)
    assert client.get("/shared-with-me/").status_code == 404
    client.force_login(worker)
    assert "Nothing is shared with you today" in text(client.get("/shared-with-me/"))


# The pupil's page ---------------------------------------------------------------------------------


def test_the_pupils_page_lists_decisions_for_case_workers(client, world, dsl):
    decision = decide(dsl, world.pupil_a, world.yot)
    client.force_login(dsl)
    body = text(client.get(f"/pupils/{world.pupil_a.pk}/"))
    assert "Sharing decisions" in body
    assert decision_url(decision) in body
    assert "UK GDPR Article 6(1)(e): public task" in body
    assert "Record a sharing decision" in body
    assert new_url(world.pupil_a) in body
    assert AuditEvent.objects.filter(
        object_type=DECISION_TYPE, object_id=str(decision.pk), action=AuditAction.VIEW
    ).exists()


def test_staff_see_no_sharing_decisions_on_the_pupils_page(client, world, dsl, staff):
    decide(dsl, world.pupil_a, world.yot)
    client.force_login(staff)
    page = client.get(f"/pupils/{world.pupil_a.pk}/")
    assert page.status_code == 200
    assert "Sharing decisions" not in text(page)
    assert "Record a sharing decision" not in text(page)
