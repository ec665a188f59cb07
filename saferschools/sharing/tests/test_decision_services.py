"""Recording and revoking sharing decisions: what a decision must say, the audit events and the
grantees' notifications, and that a refused decision changes nothing."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework.models import PupilTransfer, TransferReason, TransferStatus
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.lib.schooldays import LONDON
from saferschools.sharing import decision_services
from saferschools.sharing.decision_services import SharingDecisionInput, latest_expiry
from saferschools.sharing.models import (
    Consent,
    Decision,
    InformationSharingAgreement,
    LawfulBasis,
    SharedItem,
    SharingDecision,
    SpecialCondition,
)
from saferschools.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db

DECISION_TYPE = "sharing.sharingdecision"


def share_input(agency, **overrides) -> SharingDecisionInput:
    """A complete "share" with ``agency`` for 30 days, with any field overridden."""
    values = {
        "agency_id": str(agency.pk),
        "purpose": "Joint support plan with the youth offending team",
        "information": "Risk assessment and the early-intervention plan",
        "items": [SharedItem.ASSESSMENTS, SharedItem.PLANS],
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "special_condition": SpecialCondition.SAFEGUARDING,
        "consent": Consent.GIVEN,
        "golden_rules_confirmed": True,
        "decision": Decision.SHARE,
        "expires_on": timezone.localdate() + timedelta(days=30),
    }
    values.update(overrides)
    return SharingDecisionInput(**values)


def decide(actor, pupil, agency, **overrides) -> SharingDecision:
    """A decision recorded through the real service."""
    return decision_services.sharing_decision_record(
        actor=actor, pupil=pupil, data=share_input(agency, **overrides), source="test"
    )


def refused(actor, pupil, agency, **overrides) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        decide(actor, pupil, agency, **overrides)
    return caught.value.message_dict


@pytest.fixture
def yot_worker(world, persona):
    return persona(Role.AGENCY_PRACTITIONER, world.yot, full_name="Yusuf Oyelaran")


@pytest.fixture
def yot_colleague(world, persona):
    return persona(Role.AGENCY_PRACTITIONER, world.yot, full_name="Carys Jones")


# Recording a share -----------------------------------------------------------------------------


def test_a_share_is_stored_audited_and_announced_to_the_agency(
    world, dsl, yot_worker, yot_colleague, practitioner
):
    decision = decide(dsl, world.pupil_a, world.yot)

    assert decision.decision == Decision.SHARE
    assert decision.school == world.school_a
    assert decision.decided_by == dsl
    assert decision.items == [SharedItem.ASSESSMENTS, SharedItem.PLANS]
    assert decision.live
    event = AuditEvent.objects.get(object_type=DECISION_TYPE, object_id=str(decision.pk))
    assert event.action == AuditAction.SHARE
    assert event.actor_id == dsl.pk
    assert event.detail["agency"] == str(world.yot.pk)
    assert event.detail["items"] == ["assessments", "plans"]
    assert event.detail["pupil"] == str(world.pupil_a.pk)
    told = Notification.objects.filter(kind="sharing_granted")
    assert {n.user_id for n in told} == {yot_worker.pk, yot_colleague.pk, practitioner.pk}
    for notification in told:
        assert world.pupil_a.given_name not in notification.title
        assert world.pupil_a.family_name not in notification.title
        assert "Oakwood School" in notification.title
        assert notification.url == f"/sharing-decisions/{decision.pk}/"


def test_a_share_naming_a_practitioner_tells_them_alone(world, dsl, yot_worker, yot_colleague):
    decision = decide(dsl, world.pupil_a, world.yot, practitioner_id=str(yot_worker.pk))

    assert decision.practitioner == yot_worker
    told = Notification.objects.filter(kind="sharing_granted")
    assert [n.user_id for n in told] == [yot_worker.pk]


def test_a_decision_not_to_share_is_recorded_opens_nothing_and_tells_nobody(world, dsl, yot_worker):
    decision = decide(
        dsl,
        world.pupil_a,
        world.yot,
        decision=Decision.NOT_SHARE,
        reason="The family is already supported by early help",
    )

    assert decision.decision == Decision.NOT_SHARE
    assert decision.items == []
    assert decision.expires_on is None
    assert not decision.live
    event = AuditEvent.objects.get(object_type=DECISION_TYPE, object_id=str(decision.pk))
    assert event.action == AuditAction.CREATE
    assert not Notification.objects.exists()


def test_items_are_kept_once_in_the_catalogue_order(world, dsl):
    decision = decide(
        dsl,
        world.pupil_a,
        world.yot,
        items=[SharedItem.MEETINGS, SharedItem.ASSESSMENTS, SharedItem.MEETINGS],
    )
    assert decision.items == [SharedItem.ASSESSMENTS, SharedItem.MEETINGS]


# What a decision must say ----------------------------------------------------------------------


def test_a_decision_without_purpose_lawful_basis_or_recipient_is_refused_naming_each(world, dsl):
    errors = refused(dsl, world.pupil_a, world.yot, purpose="  ", lawful_basis="", agency_id=None)

    assert errors["purpose"] == ["Give the purpose: why share"]
    assert errors["lawful_basis"][0].startswith("Give the lawful basis: one of gdpr_6_1_a")
    assert errors["agency_id"][0].startswith("Choose the agency to share with")
    assert not SharingDecision.objects.exists()
    assert not AuditEvent.objects.filter(object_type=DECISION_TYPE).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"information": ""}, "information"),
        ({"consent": "maybe"}, "consent"),
        ({"decision": "perhaps"}, "decision"),
        ({"lawful_basis": "gdpr_6_1_z"}, "lawful_basis"),
        ({"special_condition": "dpa_sch1_99"}, "special_condition"),
        ({"items": ["everything"]}, "items"),
        ({"items": "assessments"}, "items"),
        ({"items": []}, "items"),
        ({"golden_rules_confirmed": False}, "golden_rules_confirmed"),
        ({"golden_rules_confirmed": None}, "golden_rules_confirmed"),
        ({"golden_rules_confirmed": "true"}, "golden_rules_confirmed"),
        ({"expires_on": None}, "expires_on"),
        ({"expires_on": "2027-01-01"}, "expires_on"),
        ({"agency_id": "not-an-id"}, "agency_id"),
        ({"agency_id": 12}, "agency_id"),
        ({"purpose": 12}, "purpose"),
        ({"purpose": "x" * 2001}, "purpose"),
        ({"practitioner_id": "not-an-id"}, "practitioner_id"),
        ({"agreement_id": "not-an-id"}, "agreement_id"),
        (
            {"decision": Decision.NOT_SHARE, "reason": ""},
            "reason",
        ),
    ],
    ids=[
        "no-information",
        "unknown-consent",
        "unknown-decision",
        "unknown-basis",
        "unknown-condition",
        "unknown-item",
        "items-not-a-list",
        "share-opening-nothing",
        "golden-rules-unconfirmed",
        "golden-rules-missing",
        "golden-rules-a-string",
        "share-without-end",
        "end-not-a-date",
        "agency-not-an-id",
        "agency-a-number",
        "purpose-a-number",
        "purpose-too-long",
        "practitioner-not-an-id",
        "agreement-not-an-id",
        "not-share-without-reason",
    ],
)
def test_each_bad_value_is_refused_naming_its_field(world, dsl, overrides, field):
    errors = refused(dsl, world.pupil_a, world.yot, **overrides)
    assert field in errors
    assert not SharingDecision.objects.exists()


def test_consent_not_sought_needs_the_reason_why(world, dsl):
    errors = refused(dsl, world.pupil_a, world.yot, consent=Consent.NOT_SOUGHT)
    assert "would put a child at risk" in errors["consent_reason"][0]

    decision = decide(
        dsl,
        world.pupil_a,
        world.yot,
        consent=Consent.NOT_SOUGHT,
        consent_reason="Seeking consent would alert the person causing harm",
    )
    assert decision.consent == Consent.NOT_SOUGHT


def test_sharing_despite_a_refusal_needs_the_reason_but_not_sharing_does_not(world, dsl):
    errors = refused(dsl, world.pupil_a, world.yot, consent=Consent.REFUSED)
    assert errors["consent_reason"] == ["Say why you share although consent was refused"]

    decision = decide(
        dsl,
        world.pupil_a,
        world.yot,
        consent=Consent.REFUSED,
        decision=Decision.NOT_SHARE,
        reason="The parents refused and there is no risk of significant harm",
    )
    assert decision.decision == Decision.NOT_SHARE


def test_consent_is_a_basis_only_when_it_was_given(world, dsl):
    errors = refused(
        dsl,
        world.pupil_a,
        world.yot,
        consent=Consent.NOT_SOUGHT,
        consent_reason="Urgent",
        lawful_basis=LawfulBasis.CONSENT,
        special_condition=SpecialCondition.EXPLICIT_CONSENT,
    )
    assert "lawful_basis" in errors
    assert "special_condition" in errors
    decide(
        dsl,
        world.pupil_a,
        world.yot,
        lawful_basis=LawfulBasis.CONSENT,
        special_condition=SpecialCondition.EXPLICIT_CONSENT,
    )


def test_the_end_of_a_share_is_after_today_and_within_a_year(world, dsl):
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=LONDON), tick=False):
        assert "expires_on" in refused(dsl, world.pupil_a, world.yot, expires_on=date(2026, 3, 10))
        errors = refused(dsl, world.pupil_a, world.yot, expires_on=date(2027, 3, 11))
        assert errors["expires_on"] == [
            "The date access ends must be within a year: 10 March 2027 at the latest"
        ]
        assert decide(dsl, world.pupil_a, world.yot, expires_on=date(2026, 3, 11)).live
        assert decide(dsl, world.pupil_a, world.yot, expires_on=date(2027, 3, 10)).live


def test_a_year_from_the_29th_of_february_is_the_28th():
    assert latest_expiry(date(2028, 2, 29)) == date(2029, 2, 28)
    assert latest_expiry(date(2026, 11, 28)) == date(2027, 11, 28)


def test_the_agency_is_one_of_the_schools_area(world, dsl):
    errors = refused(dsl, world.pupil_a, world.other_police, agency_id=str(world.other_police.pk))
    assert errors["agency_id"] == ["Choose one of the agencies of the school's area"]


def test_a_named_practitioner_belongs_to_the_agency(world, dsl, persona, yot_worker):
    police_officer = persona(Role.AGENCY_PRACTITIONER, world.police)
    errors = refused(dsl, world.pupil_a, world.yot, practitioner_id=str(police_officer.pk))
    assert errors["practitioner_id"] == [
        "Choose a practitioner of Surrey YOS, or nobody in particular"
    ]
    yot_worker.is_active = False
    yot_worker.save()
    assert "practitioner_id" in refused(
        dsl, world.pupil_a, world.yot, practitioner_id=str(yot_worker.pk)
    )


def test_the_agreement_relied_on_is_the_partnerships_with_the_agency_as_a_party(
    world, dsl, persona
):
    def agreement(partnership, *parties):
        made = InformationSharingAgreement.objects.create(
            partnership=partnership,
            title=f"Agreement of {partnership.name}",
            purpose="Early help",
            data_shared="Names and concerns",
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            frequency="Weekly",
            security="Secure e-mail",
            retention="Two years",
            review_on=timezone.localdate() + timedelta(days=200),
            created_by=dsl,
        )
        made.parties.set(parties)
        return made

    ours = agreement(world.p, world.yot)
    police_only = agreement(world.p, world.police)
    theirs = agreement(world.q, world.yot)

    assert decide(dsl, world.pupil_a, world.yot, agreement_id=str(ours.pk)).agreement == ours
    errors = refused(dsl, world.pupil_a, world.yot, agreement_id=str(police_only.pk))
    assert errors["agreement_id"] == ["Surrey YOS is not a party to that agreement: choose another"]
    errors = refused(dsl, world.pupil_a, world.yot, agreement_id=str(theirs.pk))
    assert errors["agreement_id"] == ["Choose one of the partnership's sharing agreements, or none"]


# Who may decide --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["staff", "outside_officer", "practitioner"], ids=["staff", "outsider", "agency"]
)
def test_only_the_schools_case_workers_decide(world, request, who):
    errors = refused(request.getfixturevalue(who), world.pupil_a, world.yot)
    assert list(errors) == ["pupil_id"]
    assert not SharingDecision.objects.exists()


def test_the_schools_officer_and_head_teacher_decide_too(world, persona):
    for role, scope in ((Role.SSP_OFFICER, world.p), (Role.HEAD_TEACHER, world.school_a)):
        decision = decide(persona(role, scope), world.pupil_a, world.yot)
        assert decision.school == world.school_a


def test_a_record_awaiting_a_receiving_schools_confirmation_is_read_only(world, dsl):
    PupilTransfer.objects.create(
        pupil=world.pupil_a,
        from_school=world.school_a,
        to_school=world.school_b,
        reason=TransferReason.MANAGED_MOVE,
        status=TransferStatus.SENT,
        sent_by=dsl,
        sent_at=timezone.now(),
    )
    assert "pupil" in refused(dsl, world.pupil_a, world.yot)
    assert not SharingDecision.objects.exists()


# Revoking --------------------------------------------------------------------------------------


def test_revoking_ends_the_share_at_once_audited_and_announced(world, dsl, yot_worker):
    decision = decide(dsl, world.pupil_a, world.yot)
    Notification.objects.all().delete()

    revoked = decision_services.sharing_decision_revoke(
        actor=dsl, decision=decision, reason="The plan has closed", source="test"
    )

    assert revoked.revoked_at is not None
    assert revoked.revoked_by == dsl
    assert revoked.revoke_reason == "The plan has closed"
    assert not revoked.live
    event = AuditEvent.objects.filter(object_id=str(decision.pk)).order_by("-seq").first()
    assert event.action == AuditAction.UPDATE
    assert event.detail["revoked"] is True
    (told,) = Notification.objects.all()
    assert told.user == yot_worker
    assert told.kind == "sharing_revoked"
    assert world.pupil_a.family_name not in told.title
    assert told.url == "/shared-with-me/"


def test_only_a_live_share_can_be_revoked(world, dsl):
    not_shared = decide(
        dsl, world.pupil_a, world.yot, decision=Decision.NOT_SHARE, reason="Not needed"
    )
    shared = decide(dsl, world.pupil_a, world.yot)
    decision_services.sharing_decision_revoke(actor=dsl, decision=shared, source="test")
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        expired = decide(
            dsl, world.pupil_a, world.yot, expires_on=timezone.localdate() + timedelta(days=5)
        )

    for decision, message in (
        (not_shared, "This decision was not to share: there is nothing to revoke"),
        (shared, "This share has already been revoked"),
        (expired, "This share has already expired"),
    ):
        with pytest.raises(ValidationError) as caught:
            decision_services.sharing_decision_revoke(actor=dsl, decision=decision, source="test")
        assert caught.value.message_dict == {"decision": [message]}


def test_only_the_schools_case_workers_revoke(world, dsl, staff):
    decision = decide(dsl, world.pupil_a, world.yot)
    with pytest.raises(ValidationError):
        decision_services.sharing_decision_revoke(actor=staff, decision=decision, source="test")
    decision.refresh_from_db()
    assert decision.revoked_at is None


def test_a_new_agency_of_the_area_can_be_shared_with(world, dsl):
    fire = AgencyFactory(area=world.area, name="Surrey Fire and Rescue", kind="fire")
    assert decide(dsl, world.pupil_a, fire, agency_id=str(fire.pk)).agency == fire
