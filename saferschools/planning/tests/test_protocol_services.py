"""Writing the protocol (each change a new version, unsigned) and signing it for a partner: who
may, what is refused, when it is in force, and who is told."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.planning import protocol_selectors, protocol_services
from saferschools.planning.models import Protocol, ProtocolPartner
from saferschools.planning.protocol_services import PartnerInput, ProtocolInput
from saferschools.sharing import agreement_services
from saferschools.sharing.agreement_services import AgreementInput

pytestmark = pytest.mark.django_db

PROTOCOL_TYPE = "planning.protocol"


def protocol_input(world, *, agencies=("police", "yot"), **changes) -> ProtocolInput:
    """A complete protocol for partnership P: its two schools and the named agencies."""
    partners = [
        PartnerInput(
            school_id=school.pk,
            brings=f"{school.name} gives the officer a room and a timetable slot",
            responsibilities="Sets the officer's objectives with the sergeant",
        )
        for school in (world.school_a, world.school_b)
    ]
    partners += [
        PartnerInput(
            agency_id=getattr(world, name).pk,
            brings=f"{getattr(world, name).name} brings an officer two days a week",
            responsibilities="Patrols, lessons and advice",
        )
        for name in agencies
    ]
    values = {
        "purpose": "Keep pupils safe on the way to and from school",
        "line_management": "The neighbourhood sergeant; the head teachers set objectives",
        "deployment": "part_time",
        "days_per_school": "Monday at Oakwood, Thursday at Langshott",
        "room_and_equipment": "A room beside reception",
        "resources_and_funding": "The force pays the officer; the schools the room",
        "communication": "A letter to parents each September",
        "governance": "A steering group each term, reporting to the governors",
        "review_on": timezone.localdate() + timedelta(days=365),
        "change_note": "",
        "partners": partners,
    }
    values.update(changes)
    return ProtocolInput(**values)


def save(world, actor, *, based_on=None, partnership=None, **changes) -> Protocol:
    return protocol_services.protocol_save(
        actor=actor,
        partnership=partnership or world.p,
        data=protocol_input(world, **changes),
        based_on_version=based_on,
        source="test",
    )


def sign(protocol, actor, *, agency=None, school=None):
    return protocol_services.protocol_sign(
        actor=actor, protocol=protocol, agency=agency, school=school, source="test"
    )


@pytest.fixture
def head(world, persona):
    """The head teacher of school A: keeps the partnership's governance and signs for A."""
    return persona(Role.HEAD_TEACHER, world.school_a, full_name="Hana Head")


@pytest.fixture
def head_b(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_b, full_name="Bea Brown")


@pytest.fixture
def sergeant(world, persona):
    """A police supervisor of the area's force: signs for the police."""
    return persona(Role.POLICE_SUPERVISOR, world.police, full_name="Sam Sergeant")


# Writing a version -----------------------------------------------------------------------------


def test_the_first_version_names_its_partners_unsigned_and_is_audited(world, head):
    protocol = save(world, head)
    assert protocol.version == 1
    partners = list(protocol.partners.order_by("school__name", "agency__name"))
    assert {p.name for p in partners} == {
        "Oakwood School",
        "Langshott Primary",
        "Surrey Police",
        "Surrey YOS",
    }
    assert all(p.signed_at is None and p.signed_by is None for p in partners)
    event = AuditEvent.objects.get(object_type=PROTOCOL_TYPE, object_id=str(protocol.pk))
    assert event.action == AuditAction.CREATE
    assert event.detail == {"version": 1, "based_on": 0, "partners": 4}


def test_each_change_is_a_new_version_that_nobody_has_signed(world, head, sergeant):
    first = save(world, head)
    sign(first, sergeant, agency=world.police)
    second = save(world, head, based_on=1, purpose="A new purpose", change_note="New purpose")
    assert second.version == 2
    assert second.change_note == "New purpose"
    assert not second.partners.filter(signed_at__isnull=False).exists()
    # The signed version is kept as it was.
    first.refresh_from_db()
    assert first.purpose == "Keep pupils safe on the way to and from school"
    assert first.partners.get(agency=world.police).signed_by == sergeant
    assert Protocol.objects.filter(partnership=world.p).count() == 2


def test_a_change_to_a_version_since_replaced_is_refused(world, head, persona):
    save(world, head)
    save(world, persona(Role.STEERING_MEMBER, world.p), based_on=1)
    with pytest.raises(ValidationError) as refused:
        save(world, head, based_on=1, purpose="Mine")
    assert "Someone saved version 2" in refused.value.message_dict["version"][0]
    with pytest.raises(ValidationError) as first_again:
        save(world, head, based_on=None)
    assert "version" in first_again.value.message_dict
    assert Protocol.objects.filter(partnership=world.p).count() == 2


def test_a_version_written_by_another_at_the_same_moment_is_refused(world, head, monkeypatch):
    first = save(world, head)
    stale = protocol_services._stale

    def another_writes_meanwhile(based_on, latest):
        # As where the database takes no row lock: another version lands after the read.
        Protocol.objects.create(
            partnership=world.p,
            version=2,
            purpose="Theirs",
            line_management="x",
            deployment="full_time",
            resources_and_funding="x",
            communication="x",
            governance="x",
            review_on=first.review_on,
            created_by=head,
        )
        return stale(based_on, latest)

    monkeypatch.setattr(protocol_services, "_stale", another_writes_meanwhile)
    with pytest.raises(ValidationError) as refused:
        save(world, head, based_on=1)
    assert "at the same moment" in refused.value.message_dict["version"][0]


def test_a_stale_change_with_other_errors_names_them_all(world, head):
    save(world, head)
    with pytest.raises(ValidationError) as refused:
        save(world, head, based_on=None, purpose="")
    assert set(refused.value.message_dict) == {"version", "purpose"}


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.HEAD_TEACHER, "school_a"),
        (Role.STEERING_MEMBER, "p"),
        (Role.AREA_ADMIN, "area"),
    ],
    ids=["head", "steering", "admin"],
)
def test_governors_write_the_protocol(world, persona, role, scope):
    assert save(world, persona(role, getattr(world, scope))).version == 1


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SCHOOL_STAFF, "school_a"),
        (Role.SSP_OFFICER, "p"),
        (Role.LA_ANALYST, "area"),
        (Role.AGENCY_PRACTITIONER, "yot"),
        (Role.HEAD_TEACHER, "school_c"),
    ],
    ids=["staff", "officer", "analyst", "practitioner", "other-head"],
)
def test_others_may_not_write_it(world, persona, role, scope):
    with pytest.raises(ValidationError) as refused:
        save(world, persona(role, getattr(world, scope)))
    assert "partnership" in refused.value.message_dict
    assert not Protocol.objects.exists()


def agreement(world, actor, partnership):
    return agreement_services.agreement_create(
        actor=actor,
        partnership=partnership,
        data=AgreementInput(
            title="Routine sharing",
            party_ids=[str(world.police.pk)],
            purpose="Early help",
            data_shared="Names",
            lawful_basis="gdpr_6_1_e",
            frequency="Monthly",
            security="Within the product",
            retention="Two years",
            review_on=timezone.localdate() + timedelta(days=200),
        ),
        source="test",
    )


def test_the_sharing_agreement_is_one_of_the_partnerships(world, head, persona):
    own = agreement(world, head, world.p)
    assert save(world, head, sharing_agreement_id=str(own.pk)).sharing_agreement == own
    other = agreement(world, persona(Role.AREA_ADMIN, world.area), world.q)
    with pytest.raises(ValidationError) as refused:
        save(world, head, based_on=1, sharing_agreement_id=str(other.pk))
    assert refused.value.message_dict == {
        "sharing_agreement_id": ["Choose one of the partnership's sharing agreements"]
    }


def school_partner(school, **changes):
    values = {"school_id": school.pk, "brings": "A room", "responsibilities": "Objectives"}
    values.update(changes)
    return PartnerInput(**values)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purpose": ""}, "purpose"),
        ({"purpose": "x" * 5001}, "purpose"),
        ({"line_management": None}, "line_management"),
        ({"deployment": "weekends"}, "deployment"),
        ({"resources_and_funding": " "}, "resources_and_funding"),
        ({"communication": 5}, "communication"),
        ({"governance": ""}, "governance"),
        ({"review_on": "2030-01-01"}, "review_on"),
        ({"review_on": timezone.localdate()}, "review_on"),
        ({"review_on": timezone.localdate() + timedelta(days=4 * 365)}, "review_on"),
        ({"sharing_agreement_id": "not-an-id"}, "sharing_agreement_id"),
        ({"change_note": "x" * 501}, "change_note"),
        ({"days_per_school": "x" * 2001}, "days_per_school"),
        ({"partners": "police"}, "partners"),
    ],
)
def test_bad_values_are_named_and_nothing_is_written(world, head, changes, field):
    with pytest.raises(ValidationError) as refused:
        save(world, head, **changes)
    assert field in refused.value.message_dict
    assert not Protocol.objects.exists()
    assert not AuditEvent.objects.filter(object_type=PROTOCOL_TYPE).exists()


def test_every_school_of_the_partnership_is_a_partner(world, head):
    data = protocol_input(world)
    data.partners = [p for p in data.partners if p.school_id != world.school_b.pk]
    with pytest.raises(ValidationError) as refused:
        protocol_services.protocol_save(
            actor=head, partnership=world.p, data=data, based_on_version=None, source="test"
        )
    assert refused.value.message_dict == {
        "partners": ["Name every school of the partnership as a partner: Langshott Primary"]
    }


@pytest.mark.parametrize(
    "partner",
    [
        lambda world: PartnerInput(
            agency_id=world.other_police.pk, brings="x", responsibilities="y"
        ),
        lambda world: school_partner(world.school_c),
        lambda world: PartnerInput(agency_id="nonsense", brings="x", responsibilities="y"),
        lambda world: PartnerInput(
            agency_id=world.police.pk, school_id=world.school_a.pk, brings="x", responsibilities="y"
        ),
        lambda world: PartnerInput(brings="x", responsibilities="y"),
        lambda world: "Surrey Police",
    ],
    ids=["other-area-agency", "other-partnership-school", "bad-id", "both", "neither", "text"],
)
def test_partners_come_from_the_partnership_and_its_area(world, head, partner):
    data = protocol_input(world)
    data.partners.append(partner(world))
    with pytest.raises(ValidationError) as refused:
        protocol_services.protocol_save(
            actor=head, partnership=world.p, data=data, based_on_version=None, source="test"
        )
    assert "partners" in refused.value.message_dict
    assert not Protocol.objects.exists()


def test_each_partner_says_what_it_brings_under_its_own_name(world, head):
    data = protocol_input(world)
    data.partners[0] = school_partner(world.school_a, brings="")
    data.partners[-1].responsibilities = "x" * 5001
    with pytest.raises(ValidationError) as refused:
        protocol_services.protocol_save(
            actor=head, partnership=world.p, data=data, based_on_version=None, source="test"
        )
    assert set(refused.value.message_dict) == {
        f"school_{world.school_a.pk.hex}_brings",
        f"agency_{world.yot.pk.hex}_responsibilities",
    }


def test_a_new_version_keeps_a_past_review_date_unchanged(world, head):
    first = save(world, head)
    past = timezone.localdate() - timedelta(days=3)
    Protocol.objects.filter(pk=first.pk).update(review_on=past)
    assert save(world, head, based_on=1, review_on=past).review_on == past


def test_the_people_who_sign_are_told_a_version_awaits_them(
    world, head, head_b, sergeant, practitioner, persona
):
    analyst = persona(Role.LA_ANALYST, world.area)
    other_force = persona(Role.POLICE_SUPERVISOR, world.other_police)
    protocol = save(world, head)
    told = set(
        Notification.objects.filter(kind="protocol_sign_off").values_list("user_id", flat=True)
    )
    # The author (who signs for school A) is not told of what they have just written.
    assert told == {head_b.pk, sergeant.pk, practitioner.pk}
    assert analyst.pk not in told and other_force.pk not in told
    note = Notification.objects.get(user=sergeant)
    assert note.title == "Version 1 of the Horley SSP protocol awaits your sign-off"
    assert note.url == f"/partnerships/{world.p.pk}/protocol/"
    assert note.object_id == str(protocol.pk)


# Signing -----------------------------------------------------------------------------------------


def test_a_yot_practitioner_signs_for_the_yot_but_not_for_the_police(world, head, practitioner):
    protocol = save(world, head)
    partner = sign(protocol, practitioner, agency=world.yot)
    assert partner.signed_by == practitioner and partner.signed_at is not None
    with pytest.raises(ValidationError) as refused:
        sign(protocol, practitioner, agency=world.police)
    assert refused.value.message_dict == {
        "agency_id": ["You cannot sign for Surrey Police: sign only for a partner you work for"]
    }
    assert protocol.partners.get(agency=world.police).signed_at is None
    event = AuditEvent.objects.filter(object_id=str(protocol.pk)).latest("seq")
    assert event.action == AuditAction.UPDATE
    assert event.detail == {"version": 1, "signed_for": "agency", "partner": str(world.yot.pk)}


def test_a_head_teacher_signs_only_for_their_school(world, head):
    protocol = save(world, head)
    sign(protocol, head, school=world.school_a)
    with pytest.raises(ValidationError) as refused:
        sign(protocol, head, school=world.school_b)
    assert list(refused.value.message_dict) == ["school_urn"]
    assert "cannot sign for Langshott Primary" in refused.value.message_dict["school_urn"][0]
    with pytest.raises(ValidationError):
        sign(protocol, head, agency=world.police)


def test_a_staff_member_signs_for_nobody(world, head, staff):
    protocol = save(world, head)
    with pytest.raises(ValidationError):
        sign(protocol, staff, school=world.school_a)
    assert not ProtocolPartner.objects.filter(signed_at__isnull=False).exists()


def test_signing_again_is_refused(world, head, practitioner, persona):
    protocol = save(world, head)
    sign(protocol, practitioner, agency=world.yot)
    colleague = persona(Role.AGENCY_PRACTITIONER, world.yot)
    with pytest.raises(ValidationError) as refused:
        sign(protocol, colleague, agency=world.yot)
    assert "Surrey YOS signed version 1 already" in refused.value.message_dict["agency_id"][0]
    assert protocol.partners.get(agency=world.yot).signed_by == practitioner


def test_only_the_latest_version_is_signed(world, head, practitioner):
    first = save(world, head)
    save(world, head, based_on=1)
    with pytest.raises(ValidationError) as refused:
        sign(first, practitioner, agency=world.yot)
    assert refused.value.message_dict == {
        "protocol": [
            "Version 1 of the protocol has been replaced by version 2: read version 2, then sign it"
        ]
    }
    assert not ProtocolPartner.objects.filter(signed_at__isnull=False).exists()


def test_an_agency_the_version_does_not_name_is_not_signed_for(world, head, practitioner):
    protocol = save(world, head, agencies=("police",))
    with pytest.raises(ValidationError) as refused:
        sign(protocol, practitioner, agency=world.yot)
    assert refused.value.message_dict == {
        "agency_id": ["Surrey YOS is not a partner in version 1 of the protocol"]
    }


def test_one_partner_at_a_time(world, head):
    protocol = save(world, head)
    with pytest.raises(ValidationError):
        sign(protocol, head)
    with pytest.raises(ValidationError):
        sign(protocol, head, agency=world.police, school=world.school_a)


def sign_all(world, protocol, *, head, head_b, sergeant, practitioner):
    sign(protocol, head, school=world.school_a)
    sign(protocol, head_b, school=world.school_b)
    sign(protocol, sergeant, agency=world.police)
    sign(protocol, practitioner, agency=world.yot)


def test_in_force_when_every_partner_signed_and_governors_are_told(
    world, head, head_b, sergeant, practitioner, persona
):
    steering = persona(Role.STEERING_MEMBER, world.p)
    admin = persona(Role.AREA_ADMIN, world.area)
    other_head = persona(Role.HEAD_TEACHER, world.school_c)
    protocol = save(world, head)
    status = protocol_selectors.protocol_status(
        partnership=world.p, protocol=protocol, latest_version=1
    )
    assert not status.in_force
    assert "Surrey YOS to sign version 1 of the protocol" in status.missing
    sign(protocol, head, school=world.school_a)
    sign(protocol, head_b, school=world.school_b)
    sign(protocol, sergeant, agency=world.police)
    assert not Notification.objects.filter(kind="protocol_in_force").exists()
    sign(protocol, practitioner, agency=world.yot)
    fresh = protocol_selectors.protocol_latest(user=head, partnership=world.p)
    status = protocol_selectors.protocol_status(
        partnership=world.p, protocol=fresh, latest_version=1
    )
    assert status.in_force and status.missing == []
    told = set(
        Notification.objects.filter(kind="protocol_in_force").values_list("user_id", flat=True)
    )
    assert told == {head.pk, head_b.pk, steering.pk, admin.pk}
    assert other_head.pk not in told
    assert Notification.objects.filter(kind="protocol_in_force").first().title == (
        "The Horley SSP protocol is in force: every partner signed version 1"
    )


def test_signed_by_all_but_without_the_police_it_is_not_in_force(world, head, head_b, practitioner):
    protocol = save(world, head, agencies=("yot",))
    sign(protocol, head, school=world.school_a)
    sign(protocol, head_b, school=world.school_b)
    sign(protocol, practitioner, agency=world.yot)
    fresh = protocol_selectors.protocol_latest(user=head, partnership=world.p)
    status = protocol_selectors.protocol_status(
        partnership=world.p, protocol=fresh, latest_version=1
    )
    assert status.missing == ["Name the police force as a partner in the protocol"]
    assert not Notification.objects.filter(kind="protocol_in_force").exists()
    note = Notification.objects.filter(kind="protocol_signed", user=head).get()
    assert "not yet in force" in note.title


def test_a_new_version_is_not_in_force_until_signed_again(
    world, head, head_b, sergeant, practitioner
):
    first = save(world, head)
    sign_all(world, first, head=head, head_b=head_b, sergeant=sergeant, practitioner=practitioner)
    second = save(world, head, based_on=1)
    latest = protocol_selectors.protocol_latest(user=head, partnership=world.p)
    assert latest.pk == second.pk
    assert not protocol_selectors.protocol_status(
        partnership=world.p, protocol=latest, latest_version=2
    ).in_force
    old = protocol_selectors.protocol_get(user=head, partnership=world.p, version=1)
    assert protocol_selectors.protocol_status(
        partnership=world.p, protocol=old, latest_version=2
    ) == protocol_selectors.ProtocolStatus(latest=False, in_force=False, missing=[])


def test_the_landing_list_holds_the_latest_versions_awaiting_the_user(world, head, practitioner):
    first = save(world, head)
    assert [p.protocol_id for p in protocol_selectors.protocols_to_sign(user=practitioner)] == [
        first.pk
    ]
    second = save(world, head, based_on=1)
    assert [p.protocol_id for p in protocol_selectors.protocols_to_sign(user=practitioner)] == [
        second.pk
    ]
    sign(second, practitioner, agency=world.yot)
    assert protocol_selectors.protocols_to_sign(user=practitioner) == []
    assert [p.school_id for p in protocol_selectors.protocols_to_sign(user=head)] == [
        world.school_a.pk
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need a database that takes them"
)
def test_two_partners_signing_at_once_both_land(world, head, sergeant, practitioner):
    protocol = save(world, head, agencies=("police", "yot"))
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def sign_in_thread(user, agency) -> None:
        try:
            start.wait()
            sign(Protocol.objects.get(pk=protocol.pk), user, agency=agency)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=sign_in_thread, args=(sergeant, world.police)),
        threading.Thread(target=sign_in_thread, args=(practitioner, world.yot)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert protocol.partners.filter(signed_at__isnull=False).count() == 2
