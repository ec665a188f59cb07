"""The partnership's aims and desired outcomes: the page everyone reaching the partnership reads,
and the form its governors keep, with the guidance's menu of outcomes (section 1.11)."""

import html

import pytest
from django.core.exceptions import ValidationError

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.planning import protocol_services
from saferschools.planning.aims import OUTCOME_MENU
from saferschools.planning.models import (
    CoreAim,
    DesiredOutcome,
    PartnershipAim,
    Workplan,
    WorkplanOutcome,
)

pytestmark = pytest.mark.django_db

SAFETY_MENU = OUTCOME_MENU[CoreAim.SAFETY]
ABSENCE = OUTCOME_MENU[CoreAim.BEHAVIOUR_ATTENDANCE][0]


def aims_url(partnership, suffix: str = "") -> str:
    return f"/partnerships/{partnership.pk}/aims/{suffix}"


def text(response) -> str:
    return html.unescape(response.content.decode())


def save(world, actor, aims):
    return protocol_services.partnership_aims_save(
        actor=actor, partnership=world.p, aims=aims, source="test"
    )


def chosen(partnership) -> dict[str, set[tuple[str, bool]]]:
    return {
        aim.aim: {(o.text, o.from_guidance) for o in aim.outcomes.all()}
        for aim in PartnershipAim.objects.filter(partnership=partnership)
    }


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


# The service ---------------------------------------------------------------------------------------


def test_aims_are_saved_with_the_guidances_outcomes_marked(world, head):
    saved = save(
        world,
        head,
        {
            CoreAim.SAFETY: [SAFETY_MENU[0], "Fewer fights at the bus station"],
            CoreAim.BEHAVIOUR_ATTENDANCE: [],
        },
    )
    assert saved.aims_added == ["safety", "behaviour_attendance"]
    assert chosen(world.p) == {
        "safety": {(SAFETY_MENU[0], True), ("Fewer fights at the bus station", False)},
        "behaviour_attendance": set(),
    }
    assert PartnershipAim.objects.get(aim="safety").chosen_by == head
    event = AuditEvent.objects.get(object_id=str(world.p.pk))
    assert event.action == AuditAction.UPDATE
    assert event.detail == {
        "aims": "saved",
        "aims_added": ["safety", "behaviour_attendance"],
        "aims_removed": [],
        "outcomes_added": 2,
        "outcomes_removed": 0,
    }


def test_saving_replaces_the_set(world, head):
    save(world, head, {CoreAim.SAFETY: list(SAFETY_MENU), CoreAim.RELATIONS: ["Own outcome"]})
    kept = PartnershipAim.objects.get(aim="safety")
    saved = save(
        world,
        head,
        {CoreAim.SAFETY: [SAFETY_MENU[1], "  New one  "], CoreAim.ENFORCEMENT: []},
    )
    assert (saved.aims_added, saved.aims_removed) == (["enforcement"], ["relations"])
    assert (saved.outcomes_added, saved.outcomes_removed) == (1, 2)
    assert chosen(world.p) == {
        "safety": {(SAFETY_MENU[1], True), ("New one", False)},
        "enforcement": set(),
    }
    # An aim kept is the same row: it was chosen when it was first chosen.
    assert PartnershipAim.objects.get(aim="safety").pk == kept.pk


def test_saving_the_same_again_changes_and_audits_nothing(world, head):
    save(world, head, {CoreAim.SAFETY: [SAFETY_MENU[0]]})
    events = AuditEvent.objects.count()
    assert not save(world, head, {CoreAim.SAFETY: [SAFETY_MENU[0], SAFETY_MENU[0]]}).changed
    assert AuditEvent.objects.count() == events


def test_an_aim_a_work_plan_uses_may_be_removed(world, head):
    save(world, head, {CoreAim.SAFETY: [SAFETY_MENU[0]]})
    workplan = Workplan.objects.create(partnership=world.p, year=2026, created_by=head)
    outcome = WorkplanOutcome.objects.create(workplan=workplan, aim="safety", text="Safer")
    save(world, head, {})
    assert not PartnershipAim.objects.exists()
    outcome.refresh_from_db()
    assert outcome.aim == "safety"


@pytest.mark.parametrize(
    ("aims", "field"),
    [
        ({"world_peace": []}, "aims"),
        ({5: []}, "aims"),
        ({CoreAim.SAFETY: "one outcome"}, "outcomes_safety"),
        ({CoreAim.SAFETY: [5]}, "outcomes_safety"),
        ({CoreAim.SAFETY: ["x" * 501]}, "outcomes_safety"),
        (["safety"], "aims"),
    ],
)
def test_bad_aims_are_named_and_nothing_changes(world, head, aims, field):
    save(world, head, {CoreAim.RELATIONS: ["Kept"]})
    with pytest.raises(ValidationError) as refused:
        save(world, head, aims)
    assert field in refused.value.message_dict
    assert chosen(world.p) == {"relations": {("Kept", False)}}


def test_only_governors_save_aims(world, staff):
    with pytest.raises(ValidationError) as refused:
        save(world, staff, {CoreAim.SAFETY: []})
    assert "partnership" in refused.value.message_dict
    assert not PartnershipAim.objects.exists()


# The pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SCHOOL_STAFF, "school_a"),
        (Role.SSP_OFFICER, "p"),
        (Role.LA_ANALYST, "area"),
        (Role.AGENCY_PRACTITIONER, "yot"),
        (Role.POLICE_SUPERVISOR, "police"),
    ],
    ids=["staff", "officer", "analyst", "practitioner", "supervisor"],
)
def test_partners_read_the_aims_but_do_not_change_them(client, world, head, persona, role, scope):
    save(world, head, {CoreAim.SAFETY: [SAFETY_MENU[0], "Our own outcome"]})
    client.force_login(persona(role, getattr(world, scope)))
    page = client.get(aims_url(world.p))
    assert page.status_code == 200
    body = text(page)
    assert "Safety in and around the school" in body
    assert SAFETY_MENU[0] in body
    assert "Our own outcome" in body
    assert aims_url(world.p, "edit/") not in body
    assert client.get(aims_url(world.p, "edit/")).status_code == 404
    refused = client.post(aims_url(world.p, "edit/"), {"aim_relations": "on"})
    assert refused.status_code == 404
    assert set(chosen(world.p)) == {"safety"}


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.HEAD_TEACHER, "school_d"), (Role.SSP_OFFICER, "q"), (Role.AREA_ADMIN, "other_area")],
    ids=["other-area-head", "other-partnership-officer", "other-area-admin"],
)
def test_outsiders_get_not_found(client, world, persona, role, scope):
    client.force_login(persona(role, getattr(world, scope)))
    assert client.get(aims_url(world.p)).status_code == 404
    assert client.get(aims_url(world.p, "edit/")).status_code == 404
    assert client.post(aims_url(world.p, "edit/"), {"aim_safety": "on"}).status_code == 404
    assert not PartnershipAim.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    assert client.get(aims_url(world.p)).status_code == 302


def test_with_no_aims_the_page_says_so(client, world, head, staff):
    client.force_login(staff)
    body = text(client.get(aims_url(world.p)))
    assert "The partnership has not chosen its aims yet." in body
    client.force_login(head)
    assert "Choose the aims and outcomes" in text(client.get(aims_url(world.p)))


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.HEAD_TEACHER, "school_a"), (Role.STEERING_MEMBER, "p"), (Role.AREA_ADMIN, "area")],
    ids=["head", "steering", "admin"],
)
def test_governors_choose_aims_and_outcomes(client, world, persona, role, scope):
    client.force_login(persona(role, getattr(world, scope)))
    form = client.get(aims_url(world.p, "edit/"))
    assert form.status_code == 200
    body = text(form)
    for _code, label in CoreAim.choices:
        assert label in body
    assert SAFETY_MENU[1] in body
    response = client.post(
        aims_url(world.p, "edit/"),
        {
            "aim_safety": "on",
            "outcomes_safety": [SAFETY_MENU[1]],
            "other_safety_0": "Fewer fights at the bus station",
            "other_safety_1": "",
            "aim_behaviour_attendance": "on",
            "outcomes_behaviour_attendance": [ABSENCE],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == aims_url(world.p)
    assert chosen(world.p) == {
        "safety": {(SAFETY_MENU[1], True), ("Fewer fights at the bus station", False)},
        "behaviour_attendance": {(ABSENCE, True)},
    }
    page = client.get(response["Location"])
    assert "The partnership&#x27;s aims and outcomes are saved." in page.content.decode()


def test_the_form_starts_from_the_aims_chosen(client, world, head):
    save(world, head, {CoreAim.SAFETY: [SAFETY_MENU[0], "First own", "Second own"]})
    client.force_login(head)
    form = client.get(aims_url(world.p, "edit/")).context["form"]
    assert form["aim_safety"].value() is True
    assert form["outcomes_safety"].value() == [SAFETY_MENU[0]]
    assert form["other_safety_0"].value() == "First own"
    assert form["other_safety_1"].value() == "Second own"
    # One empty box beyond the partnership's own outcomes, two at the least.
    assert form["other_safety_2"].value() in (None, "")
    assert "other_safety_3" not in form.fields
    assert "other_relations_1" in form.fields and "other_relations_2" not in form.fields


def test_a_sent_form_keeps_as_many_boxes_as_it_had(client, world, head):
    client.force_login(head)
    data = {"aim_relations": "on", "other_relations_4": "Fifth", "other_relations_40": "No"}
    response = client.post(aims_url(world.p, "edit/"), data)
    assert response.status_code == 302
    # A box beyond the most any aim is given is not read.
    assert chosen(world.p) == {"relations": {("Fifth", False)}}


def test_saving_nothing_new_says_so(client, world, head):
    save(world, head, {CoreAim.SAFETY: []})
    client.force_login(head)
    response = client.post(aims_url(world.p, "edit/"), {"aim_safety": "on"}, follow=True)
    assert "Nothing was changed." in text(response)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"outcomes_safety": [SAFETY_MENU[0]]},
            "aim_safety",
            "Tick “Safety in and around the school” to keep the outcomes chosen under it, or "
            "clear them",
        ),
        (
            {"other_victims_0": "Own outcome"},
            "aim_victims",
            "Tick “Help for victims and those at risk” to keep the outcomes chosen under it, "
            "or clear them",
        ),
        (
            {"aim_safety": "on", "outcomes_safety": ["Something not on the menu"]},
            "outcomes_safety",
            "Choose outcomes from the list",
        ),
        (
            {"aim_safety": "on", "other_safety_0": "x" * 501},
            "other_safety_0",
            "Use 500 characters or fewer for an outcome",
        ),
    ],
    ids=["menu-outcome-without-aim", "own-outcome-without-aim", "not-on-menu", "too-long"],
)
def test_bad_input_is_named_and_changes_nothing(client, world, head, data, field, message):
    save(world, head, {CoreAim.RELATIONS: []})
    client.force_login(head)
    response = client.post(aims_url(world.p, "edit/"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    body = text(response)
    assert "There is a problem" in body
    assert f'href="#id_{field}' in body
    assert set(chosen(world.p)) == {"relations"}
    assert not DesiredOutcome.objects.exists()


def test_the_page_costs_the_same_queries_however_many_aims(
    client, world, head, django_assert_max_num_queries
):
    save(world, head, {code: list(OUTCOME_MENU[code]) for code in CoreAim.values})
    client.force_login(head)
    with django_assert_max_num_queries(12):
        assert client.get(aims_url(world.p)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(aims_url(world.p, "edit/")).status_code == 200
