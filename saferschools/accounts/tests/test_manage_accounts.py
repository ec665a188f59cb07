import re

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.urls import reverse

from saferschools.accounts.models import Membership, Role, User
from saferschools.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world, persona):
    return persona(Role.AREA_ADMIN, world.area)


@pytest.fixture
def admin_client(client, admin, password):
    assert client.login(email=admin.email, password=password)
    return client


def invite(client, world, **fields):
    data = {
        "email": "new.lead@school.example",
        "full_name": "New Lead",
        "role": Role.SAFEGUARDING_LEAD,
        "scope": f"school:{world.school_a.pk}",
        **fields,
    }
    return client.post(reverse("accounts-invite", args=[world.area.pk]), data)


def test_invited_person_gets_a_link_sets_a_password_and_signs_in(
    admin_client, client, world, django_capture_on_commit_callbacks, run_worker
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client, world)
    assert response.status_code == 302
    user = User.objects.get(email="new.lead@school.example")
    assert not user.has_usable_password()
    assert Membership.objects.filter(
        user=user, role=Role.SAFEGUARDING_LEAD, school=world.school_a
    ).exists()
    assert AuditEvent.objects.filter(object_id=str(user.pk), action=AuditAction.CREATE).exists()

    run_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.lead@school.example"]
    assert "Safeguarding lead, Oakwood School" in message.body
    path = re.search(r"https?://[^/\s]+(/account/set-password/\S+)", message.body).group(1)

    client.logout()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    short = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert short.status_code == 400
    assert "new_password2" in short.context["form"].errors
    done = client.post(
        set_url,
        {"new_password1": "a-long-pass-phrase-42", "new_password2": "a-long-pass-phrase-42"},
    )
    assert done.status_code == 302
    assert authenticate(email="new.lead@school.example", password="a-long-pass-phrase-42")
    assert AuditEvent.objects.filter(object_id=str(user.pk), detail__change="password_set").exists()
    # The link works once.
    assert "This link has expired" in client.get(path, follow=True).content.decode()


def test_existing_account_gets_the_role_and_no_email(
    admin_client, world, staff, django_capture_on_commit_callbacks, run_worker
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(
            admin_client,
            world,
            email=staff.email.upper(),
            full_name="Another Name",
            role=Role.HEAD_TEACHER,
        )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.full_name != "Another Name"
    assert set(staff.memberships.values_list("role", flat=True)) == {
        Role.SCHOOL_STAFF,
        Role.HEAD_TEACHER,
    }
    run_worker()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"role": Role.LA_ANALYST}, "scope"),  # an analyst is held over an area, not a school
        ({"email": "not-an-email"}, "email"),
        ({"full_name": ""}, "full_name"),
        ({"scope": "school:00000000-0000-0000-0000-000000000000"}, "scope"),
        ({"role": "emperor"}, "role"),
    ],
)
def test_bad_invitation_names_the_field_and_changes_nothing(admin_client, world, fields, field):
    users, memberships = User.objects.count(), Membership.objects.count()
    response = invite(admin_client, world, **fields)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)


def test_school_in_another_area_is_not_offered(admin_client, world):
    response = invite(admin_client, world, scope=f"school:{world.school_d.pk}")
    assert response.status_code == 400
    assert "scope" in response.context["form"].errors


def test_only_the_areas_administrator_manages_its_accounts(client, world, persona, dsl, password):
    other_admin = persona(Role.AREA_ADMIN, world.other_area)
    membership = dsl.memberships.get()
    for user in (dsl, other_admin):
        client.force_login(user)
        assert client.get(reverse("accounts-invite", args=[world.area.pk])).status_code == 404
        remove = reverse("accounts-remove-membership", args=[membership.pk])
        assert client.post(remove).status_code == 404
        assert client.post(reverse("accounts-unlock", args=[dsl.pk])).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_removes_a_role_after_confirming(admin_client, world, dsl):
    membership = dsl.memberships.get()
    url = reverse("accounts-remove-membership", args=[membership.pk])
    assert "Remove this role?" in admin_client.get(url).content.decode()
    assert admin_client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(pk=dsl.pk).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.DELETE, object_id=str(membership.pk)
    ).exists()


def test_admin_unlocks_a_locked_account(admin_client, world, dsl, settings):
    from django.utils import timezone

    User.objects.filter(pk=dsl.pk).update(
        locked_until=timezone.now() + timezone.timedelta(minutes=10), failed_sign_ins=3
    )
    area_page = admin_client.get(reverse("core-area", args=[world.area.pk])).content.decode()
    assert "Locked" in area_page
    response = admin_client.post(reverse("accounts-unlock", args=[dsl.pk]))
    assert response.status_code == 302
    dsl.refresh_from_db()
    assert dsl.locked_until is None and dsl.failed_sign_ins == 0


def test_admin_sends_a_fresh_password_link(
    admin_client, world, dsl, django_capture_on_commit_callbacks, run_worker
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("accounts-send-password-link", args=[dsl.pk]))
    assert response.status_code == 302
    run_worker()
    assert [m.to for m in mail.outbox] == [[dsl.email]]
    assert "/account/set-password/" in mail.outbox[0].body


def test_a_forged_set_password_link_is_refused(client, dsl):
    page = client.get("/account/set-password/Zm9v/not-a-token/", follow=True)
    assert "This link has expired" in page.content.decode()


def test_administrator_cannot_give_themselves_a_role(admin_client, admin, world):
    response = invite(admin_client, world, email=admin.email, full_name=admin.full_name)
    assert response.status_code == 400
    assert "yourself" in response.context["form"].errors["email"][0]
    assert list(admin.memberships.values_list("role", flat=True)) == [Role.AREA_ADMIN]


def test_full_name_is_asked_for_whether_or_not_the_account_exists(admin_client, world, dsl):
    # The same answer either way: the form does not tell who already has an account.
    for email in (dsl.email, "nobody@school.example"):
        response = invite(admin_client, world, email=email, full_name="")
        assert response.status_code == 400
        assert "full_name" in response.context["form"].errors


def test_the_areas_last_administrator_cannot_be_removed(admin_client, admin, world, persona):
    own = admin.memberships.get()
    url = reverse("accounts-remove-membership", args=[own.pk])
    response = admin_client.post(url, follow=True)
    assert "only administrator" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()
    persona(Role.AREA_ADMIN, world.area)
    admin_client.post(url)
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_showing_the_areas_accounts_is_audited(admin_client, admin, world, dsl):
    page = admin_client.get(reverse("core-area", args=[world.area.pk]))
    assert dsl.email in page.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(world.area.pk))
    assert event.actor_id == admin.pk
    assert event.detail == {"shown": "accounts", "count": 2}
