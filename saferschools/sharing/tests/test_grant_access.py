"""The grant a "share" decision gives: an agency's practitioner sees the pupil's record (the
pupil's page, the chronology and the items named) from the decision until the start of its
expiry date in UK time, or until it is revoked; only that pupil; only that agency (or the one
practitioner named); and everyone else gets exactly the 404 of a pupil who does not exist.
The decision, every use of the grant and its revocation are in the audit log."""

import re
import uuid
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import Resolver404, resolve

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON
from saferschools.sharing import decision_services
from saferschools.sharing.models import Decision, SharedItem

from .test_decision_services import decide

pytestmark = pytest.mark.django_db

PUPIL_TYPE = "casework.pupil"


def pupil_page(pupil) -> str:
    return f"/pupils/{pupil.pk}/"


def chronology_page(pupil) -> str:
    return f"/pupils/{pupil.pk}/chronology/"


def chronology_api(pupil) -> str:
    return f"/api/v1/pupils/{pupil.pk}/chronology"


def assessments_api(pupil) -> str:
    return f"/api/v1/pupils/{pupil.pk}/risk-assessments"


def routed(path: str) -> bool:
    """Whether the product serves this address (another part of it may not be built yet)."""
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


SAMPLE = uuid.UUID(int=1)
needs_chronology = pytest.mark.skipif(
    not (routed(f"/pupils/{SAMPLE}/chronology/") and routed(f"/api/v1/pupils/{SAMPLE}/chronology")),
    reason="the pupil's chronology (page and API) is not served yet",
)
needs_assessments_api = pytest.mark.skipif(
    not routed(f"/api/v1/pupils/{SAMPLE}/risk-assessments"),
    reason="the risk assessments API is not served yet",
)


def at(*moment: int) -> time_machine.travel:
    """Time stood still at this moment in UK time."""
    return time_machine.travel(datetime(*moment, tzinfo=LONDON), tick=False)


@pytest.fixture
def worker(world, persona):
    """A practitioner of the youth offending team (Surrey YOS)."""
    return persona(Role.AGENCY_PRACTITIONER, world.yot, full_name="Yusuf Oyelaran")


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def unmasked(body: bytes) -> bytes:
    """A page without its sign-out form's CSRF token, which is masked anew on every page."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def grant_uses(user, decision):
    """The audit events of reads the user made through this grant."""
    return [
        event
        for event in AuditEvent.objects.filter(actor_id=user.pk, action=AuditAction.VIEW)
        if event.detail.get("grant") == str(decision.pk)
    ]


# Between the share and its expiry --------------------------------------------------------------


def test_a_practitioner_sees_the_pupil_only_from_the_share_until_its_expiry(
    world, dsl, worker, as_user
):
    pupil = world.pupil_a
    with at(2026, 3, 2, 9, 0):
        assert as_user(worker).get(pupil_page(pupil)).status_code == 404
        decision = decide(dsl, pupil, world.yot, expires_on=date(2026, 3, 10))
        page = as_user(worker).get(pupil_page(pupil))
        assert page.status_code == 200
        assert pupil.family_name in page.content.decode()
    with at(2026, 3, 9, 23, 59, 59):
        assert as_user(worker).get(pupil_page(pupil)).status_code == 200
        assert as_user(worker).get(f"/sharing-decisions/{decision.pk}/").status_code == 200
    with at(2026, 3, 10, 0, 0):
        assert as_user(worker).get(pupil_page(pupil)).status_code == 404
        assert as_user(worker).get(f"/sharing-decisions/{decision.pk}/").status_code == 404
    with at(2026, 6, 1, 12, 0):
        assert as_user(worker).get(pupil_page(pupil)).status_code == 404

    share = AuditEvent.objects.get(object_id=str(decision.pk), action=AuditAction.SHARE)
    assert share.actor_id == dsl.pk
    # Each of the three uses, and only those, is in the log naming the grant.
    uses = grant_uses(worker, decision)
    assert len([e for e in uses if e.object_type == PUPIL_TYPE]) == 2
    assert all(e.object_id in (str(pupil.pk), str(decision.pk)) for e in uses)


def test_the_grant_ends_as_the_expiry_date_begins_in_summer_time_too(world, dsl, worker, as_user):
    pupil = world.pupil_a
    with at(2026, 6, 1, 9, 0):
        decide(dsl, pupil, world.yot, expires_on=date(2026, 6, 10))
    # 22:59 UTC on the 9th is 23:59 in London: the last minute of access.
    with time_machine.travel(datetime(2026, 6, 9, 22, 59, tzinfo=UTC), tick=False):
        assert as_user(worker).get(pupil_page(pupil)).status_code == 200
    # 23:30 UTC on the 9th is already the 10th in London.
    with time_machine.travel(datetime(2026, 6, 9, 23, 30, tzinfo=UTC), tick=False):
        assert as_user(worker).get(pupil_page(pupil)).status_code == 404


def test_revoking_ends_the_grant_at_once_and_is_in_the_audit_log(world, dsl, worker, as_user):
    pupil = world.pupil_a
    decision = decide(dsl, pupil, world.yot)
    assert as_user(worker).get(pupil_page(pupil)).status_code == 200

    response = as_user(dsl).post(
        f"/sharing-decisions/{decision.pk}/revoke/", {"reason": "The case has closed"}
    )
    assert response.status_code == 302

    assert as_user(worker).get(pupil_page(pupil)).status_code == 404
    assert as_user(worker).get(f"/sharing-decisions/{decision.pk}/").status_code == 404
    revocation = AuditEvent.objects.filter(
        object_id=str(decision.pk), action=AuditAction.UPDATE
    ).get()
    assert revocation.actor_id == dsl.pk
    assert revocation.detail["revoked"] is True
    assert len([e for e in grant_uses(worker, decision) if e.object_type == PUPIL_TYPE]) == 1


def test_a_decision_not_to_share_grants_nothing(world, dsl, worker, as_user):
    decide(dsl, world.pupil_a, world.yot, decision=Decision.NOT_SHARE, reason="Not needed")
    assert as_user(worker).get(pupil_page(world.pupil_a)).status_code == 404


# Only that pupil, only that agency -------------------------------------------------------------


def test_the_grant_opens_that_pupil_alone(world, dsl, worker, as_user):
    classmate = world.pupil_a.__class__.objects.create(
        school=world.school_a,
        school_pupil_id="CLASS1",
        given_name="Priya",
        family_name="Shah",
        date_of_birth=date(2012, 5, 1),
        year_group=9,
    )
    decide(dsl, world.pupil_a, world.yot)
    client = as_user(worker)
    assert client.get(pupil_page(world.pupil_a)).status_code == 200
    for other in (classmate, world.pupil_b, world.pupil_c, world.pupil_d):
        assert client.get(pupil_page(other)).status_code == 404
    assert client.get(f"/schools/{world.school_a.urn}/pupils/").status_code == 404


def test_a_practitioner_of_another_agency_sees_nothing(world, dsl, persona, as_user):
    police_analyst = persona(Role.AGENCY_PRACTITIONER, world.police)
    other_area = persona(Role.AGENCY_PRACTITIONER, world.other_police)
    decide(dsl, world.pupil_a, world.yot)
    for user in (police_analyst, other_area):
        assert as_user(user).get(pupil_page(world.pupil_a)).status_code == 404


def test_a_named_practitioner_excludes_their_colleagues(world, dsl, worker, persona, as_user):
    colleague = persona(Role.AGENCY_PRACTITIONER, world.yot)
    decide(dsl, world.pupil_a, world.yot, practitioner_id=str(worker.pk))
    assert as_user(worker).get(pupil_page(world.pupil_a)).status_code == 200
    assert as_user(colleague).get(pupil_page(world.pupil_a)).status_code == 404


def test_other_roles_of_the_agency_get_nothing_from_a_grant(world, dsl, persona, as_user):
    supervisor = persona(Role.POLICE_SUPERVISOR, world.police)
    decide(dsl, world.pupil_a, world.police, agency_id=str(world.police.pk))
    assert as_user(supervisor).get(pupil_page(world.pupil_a)).status_code == 404


def test_a_practitioner_who_is_no_longer_active_loses_access(world, dsl, worker, as_user):
    decide(dsl, world.pupil_a, world.yot)
    client = as_user(worker)
    worker.is_active = False
    worker.save()
    assert client.get(pupil_page(world.pupil_a)).status_code in (302, 404)


def test_out_of_grant_is_exactly_the_404_of_a_pupil_that_does_not_exist(
    world, persona, worker, as_user
):
    lead_b = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    decide(lead_b, world.pupil_b, world.yot, decision=Decision.NOT_SHARE, reason="Not needed")
    client = as_user(worker)
    missing = client.get(f"/pupils/{uuid.uuid4()}/")
    hidden = client.get(pupil_page(world.pupil_a))
    refused = client.get(pupil_page(world.pupil_b))
    assert missing.status_code == hidden.status_code == refused.status_code == 404
    assert unmasked(hidden.content) == unmasked(missing.content)
    assert unmasked(refused.content) == unmasked(missing.content)
    assert world.pupil_a.family_name.encode() not in hidden.content


# What the grant opens ----------------------------------------------------------------------------


def test_the_grantee_cannot_change_the_pupils_casework(world, dsl, worker, as_user):
    decide(dsl, world.pupil_a, world.yot)
    client = as_user(worker)
    assert client.get(f"/pupils/{world.pupil_a.pk}/sharing-decisions/new/").status_code == 404


def test_the_pupils_page_shows_the_grantee_their_grant(world, dsl, worker, as_user):
    decision = decide(dsl, world.pupil_a, world.yot)
    other = decide(
        dsl, world.pupil_a, world.police, agency_id=str(world.police.pk)
    )  # another agency's grant stays out of sight
    body = as_user(worker).get(pupil_page(world.pupil_a)).content.decode()
    assert "Shared with you" in body
    assert f"/sharing-decisions/{decision.pk}/" in body
    assert f"/sharing-decisions/{other.pk}/" not in body
    assert "Record a sharing decision" not in body


@needs_chronology
def test_the_chronology_is_open_only_during_the_grant_and_only_for_that_pupil(
    world, dsl, worker, as_user
):
    pupil = world.pupil_a
    with at(2026, 3, 2, 9, 0):
        assert as_user(worker).get(chronology_page(pupil)).status_code == 404
        assert as_user(worker).get(chronology_api(pupil)).status_code == 404
        decision = decide(dsl, pupil, world.yot, expires_on=date(2026, 3, 10))
        assert as_user(worker).get(chronology_page(pupil)).status_code == 200
        entries = as_user(worker).get(chronology_api(pupil))
        assert entries.status_code == 200
        assert isinstance(entries.json(), list)
        assert as_user(worker).get(chronology_page(world.pupil_b)).status_code == 404
        hidden = as_user(worker).get(chronology_api(world.pupil_b))
        missing = as_user(worker).get(f"/api/v1/pupils/{uuid.uuid4()}/chronology")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.content == missing.content
    with at(2026, 3, 10, 0, 0):
        assert as_user(worker).get(chronology_page(pupil)).status_code == 404
        assert as_user(worker).get(chronology_api(pupil)).status_code == 404
    assert len(grant_uses(worker, decision)) >= 2


@needs_chronology
def test_revoking_closes_the_chronology_at_once(world, dsl, worker, as_user):
    decision = decide(dsl, world.pupil_a, world.yot)
    assert as_user(worker).get(chronology_api(world.pupil_a)).status_code == 200
    decision_services.sharing_decision_revoke(actor=dsl, decision=decision, source="test")
    assert as_user(worker).get(chronology_api(world.pupil_a)).status_code == 404
    assert as_user(worker).get(chronology_page(world.pupil_a)).status_code == 404


@needs_assessments_api
def test_the_assessments_open_only_during_a_grant_that_names_them(world, dsl, worker, as_user):
    pupil = world.pupil_a
    with at(2026, 3, 2, 9, 0):
        assert as_user(worker).get(assessments_api(pupil)).status_code == 404
        decide(dsl, pupil, world.yot, items=[SharedItem.ASSESSMENTS], expires_on=date(2026, 3, 10))
        listed = as_user(worker).get(assessments_api(pupil))
        assert listed.status_code == 200
        assert listed.json() == []
        assert as_user(worker).get(assessments_api(world.pupil_b)).status_code == 404
    with at(2026, 3, 10, 0, 0):
        assert as_user(worker).get(assessments_api(pupil)).status_code == 404
