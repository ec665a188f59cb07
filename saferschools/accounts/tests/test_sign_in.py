from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from saferschools.accounts.models import User
from saferschools.accounts.services import sign_in_failed_message
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts-sign-in")
SIGN_OUT = reverse("accounts-sign-out")
HOME = reverse("core-home")
WAIVER = "Two-factor sign-in is switched off in this demo"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def user(dsl):
    return dsl


def sign_in(client, email, password, **extra):
    return client.post(SIGN_IN, {"email": email, "password": password, **extra})


def failed_sign_ins():
    return AuditEvent.objects.filter(action=AuditAction.FAILED_SIGN_IN)


def test_sign_in_page_shows_demo_waiver_when_two_factor_is_off(client, settings):
    settings.REQUIRE_TWO_FACTOR = False
    page = client.get(SIGN_IN)
    assert page.status_code == 200
    assert WAIVER in page.content.decode()


def test_sign_in_page_hides_demo_waiver_when_two_factor_is_on(client, settings):
    settings.REQUIRE_TWO_FACTOR = True
    page = client.get(SIGN_IN)
    assert page.status_code == 200
    assert WAIVER not in page.content.decode()


def test_good_credentials_sign_in_and_go_home(client, user, password):
    response = sign_in(client, user.email, password)
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert event.actor_id == user.pk
    assert event.detail == {"two_factor": False}


def test_email_is_matched_without_regard_to_case(client, user, password):
    response = sign_in(client, user.email.upper(), password)
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_sign_in_goes_to_a_safe_local_next(client, user, world, password):
    target = reverse("core-school", args=[world.school_a.urn])
    response = sign_in(client, user.email, password, next=target)
    assert response.status_code == 302
    assert response["Location"] == target


def test_sign_in_reads_next_from_the_query_string(client, user, world, password):
    target = reverse("core-school", args=[world.school_a.urn])
    response = client.post(f"{SIGN_IN}?next={target}", {"email": user.email, "password": password})
    assert response["Location"] == target


@pytest.mark.parametrize(
    "target", ["https://evil.example", "//evil.example/", "https://evil.example/schools/"]
)
def test_sign_in_ignores_an_external_next(client, user, password, target):
    response = sign_in(client, user.email, password, next=target)
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_sign_in_page_does_not_echo_an_external_next(client):
    page = client.get(SIGN_IN, {"next": "https://evil.example"})
    assert "evil.example" not in page.content.decode()


def test_wrong_password_and_unknown_email_get_the_same_error(client, user):
    wrong = sign_in(client, user.email, "not-the-password")
    unknown = sign_in(client, "nobody@school.example", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.context["form"].non_field_errors() == [sign_in_failed_message()]
    assert unknown.context["form"].non_field_errors() == [sign_in_failed_message()]
    assert sign_in_failed_message() in wrong.content.decode()
    assert sign_in_failed_message() in unknown.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_writes_a_failed_sign_in_event(client, user):
    sign_in(client, user.email, "not-the-password")
    event = failed_sign_ins().get()
    assert event.object_id == str(user.pk)
    assert event.actor_id is None
    assert event.detail == {"reason": "bad_password"}
    user.refresh_from_db()
    assert user.failed_sign_ins == 1


def test_unknown_email_writes_a_failed_sign_in_event(client, db):
    sign_in(client, "nobody@school.example", "not-the-password")
    event = failed_sign_ins().get()
    assert event.object_id == ""
    assert event.detail == {"reason": "unknown_account"}
    # The address someone tried is not written down: it may be a mistyped real one.
    assert "nobody@school.example" not in str(event.detail)


def test_blank_email_and_password_are_field_errors(client, db):
    response = sign_in(client, "", "")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["email"] == ["Enter your e-mail address"]
    assert errors["password"] == ["Enter your password"]
    assert not failed_sign_ins().exists()


def test_malformed_email_is_a_field_error(client, db, password):
    response = sign_in(client, "not-an-address", password)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["email"]
    assert "Enter an e-mail address in the correct format" in errors["email"][0]
    assert 'href="#id_email"' in response.content.decode()


def test_account_locks_after_too_many_wrong_passwords(client, user, password, time_machine):
    time_machine.move_to(START, tick=False)
    for _ in range(settings.LOCKOUT_FAILURES - 1):
        assert sign_in_failed_message() in sign_in(client, user.email, "wrong").content.decode()
    last = sign_in(client, user.email, "wrong")
    # A locked account answers exactly as any failure, so the answer reveals no account.
    assert sign_in_failed_message() in last.content.decode()
    user.refresh_from_db()
    assert user.is_locked()

    refused = sign_in(client, user.email, password)
    assert refused.status_code == 400
    assert sign_in_failed_message() in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert failed_sign_ins().filter(detail__reason="locked").count() == 1
    assert failed_sign_ins().filter(detail__locked=True).count() == 1


def test_locked_and_unknown_accounts_answer_alike(client, user, password, time_machine):
    time_machine.move_to(START, tick=False)
    for _ in range(settings.LOCKOUT_FAILURES):
        sign_in(client, user.email, "wrong")
    locked = sign_in(client, user.email, password)
    unknown = sign_in(client, "nobody@school.example", password)
    assert locked.status_code == unknown.status_code == 400
    assert locked.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_lock_lifts_after_lockout_minutes(client, user, password, time_machine):
    time_machine.move_to(START, tick=False)
    for _ in range(settings.LOCKOUT_FAILURES):
        sign_in(client, user.email, "wrong")

    time_machine.move_to(START + timedelta(minutes=settings.LOCKOUT_MINUTES - 1), tick=False)
    assert sign_in(client, user.email, password).status_code == 400

    time_machine.move_to(START + timedelta(minutes=settings.LOCKOUT_MINUTES, seconds=1), tick=False)
    response = sign_in(client, user.email, password)
    assert response.status_code == 302
    assert response["Location"] == HOME
    user.refresh_from_db()
    assert user.locked_until is None
    assert user.failed_sign_ins == 0


def test_successful_sign_in_resets_the_failure_count(client, user, password):
    for _ in range(settings.LOCKOUT_FAILURES - 1):
        sign_in(client, user.email, "wrong")
    assert sign_in(client, user.email, password).status_code == 302
    user.refresh_from_db()
    assert user.failed_sign_ins == 0

    client.post(SIGN_OUT)
    for _ in range(settings.LOCKOUT_FAILURES - 1):
        sign_in(client, user.email, "wrong")
    assert sign_in(client, user.email, password).status_code == 302


def test_sign_out_is_post_only(client, user, password):
    client.login(email=user.email, password=password)
    assert client.get(SIGN_OUT).status_code == 405
    assert client.get(HOME).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_OUT).exists()


def test_sign_out_ends_the_session_and_is_audited(client, user, password):
    client.login(email=user.email, password=password)
    response = client.post(SIGN_OUT)
    assert response.status_code == 302
    assert response["Location"] == SIGN_IN
    event = AuditEvent.objects.get(action=AuditAction.SIGN_OUT)
    assert event.actor_id == user.pk
    home = client.get(HOME)
    assert home.status_code == 302
    assert home["Location"].startswith(SIGN_IN)


def test_session_survives_activity_within_the_idle_limit(client, user, password, time_machine):
    time_machine.move_to(START, tick=False)
    client.login(email=user.email, password=password)
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    time_machine.move_to(START + idle, tick=False)
    assert client.get(HOME).status_code == 200
    time_machine.move_to(START + 2 * idle, tick=False)
    assert client.get(HOME).status_code == 200


def test_session_expires_when_idle(client, user, password, time_machine):
    time_machine.move_to(START, tick=False)
    client.login(email=user.email, password=password)
    assert client.get(HOME).status_code == 200
    time_machine.move_to(START + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1), tick=False)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next={HOME}"


def test_inactive_user_cannot_sign_in(client, password):
    user = UserFactory(is_active=False)
    response = sign_in(client, user.email, password)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [sign_in_failed_message()]
    assert "_auth_user_id" not in client.session
    assert failed_sign_ins().get().object_id == str(user.pk)
    assert User.objects.get(pk=user.pk).failed_sign_ins == 1
