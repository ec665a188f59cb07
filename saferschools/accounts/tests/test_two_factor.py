from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts-sign-in")
TWO_FACTOR = reverse("accounts-two-factor")
HOME = reverse("core-home")
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.REQUIRE_TWO_FACTOR = True


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def sign_in(client, user, password, **extra):
    return client.post(SIGN_IN, {"email": user.email, "password": password, **extra})


def code_for(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key):06d}"


def wrong_code_for(user) -> str:
    return f"{(int(code_for(user)) + 1) % 1_000_000:06d}"


def enrol(client, user, password, clock):
    """Sign in and give the first code, leaving the user fully signed in."""
    sign_in(client, user, password)
    client.get(TWO_FACTOR)
    response = client.post(TWO_FACTOR, {"code": code_for(user)})
    assert response.status_code == 302
    return response


def test_safeguarding_lead_is_sent_to_the_two_factor_step(client, dsl, password):
    response = sign_in(client, dsl, password)
    assert response.status_code == 302
    assert response["Location"] == f"{TWO_FACTOR}?{urlencode({'next': HOME})}"
    # Not signed in yet: the completed sign-in is audited only after the second factor.
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN).exists()


def test_every_page_redirects_to_the_two_factor_step_until_done(client, dsl, world, password):
    sign_in(client, dsl, password)
    school = reverse("core-school", args=[world.school_a.urn])
    pupils = reverse("casework-pupils", args=[world.school_a.urn])
    for path in (HOME, school, pupils):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{TWO_FACTOR}?{urlencode({'next': path})}"
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_the_page_asked_for_keeps_its_query_after_the_code(client, dsl, world, password, clock):
    sign_in(client, dsl, password)
    wanted = reverse("casework-pupils", args=[world.school_a.urn]) + "?q=Archer&x=1"
    response = client.get(wanted)
    assert response["Location"] == f"{TWO_FACTOR}?{urlencode({'next': wanted})}"
    client.get(response["Location"])
    done = client.post(response["Location"], {"code": code_for(dsl), "next": wanted})
    assert done["Location"] == wanted


def test_enrolment_page_shows_a_qr_code_and_key(client, dsl, password):
    sign_in(client, dsl, password)
    page = client.get(TWO_FACTOR)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Set up two-factor sign-in" in body
    assert '<div class="app-qr"><svg' in body
    assert "QR code for your authenticator app" in body
    secret = page.context["secret"]
    assert len(secret.replace(" ", "")) == 32
    assert secret in body
    device = TOTPDevice.objects.get(user=dsl)
    assert not device.confirmed


def test_enrolment_reuses_one_pending_device(client, dsl, password):
    sign_in(client, dsl, password)
    first = client.get(TWO_FACTOR).context["secret"]
    second = client.get(TWO_FACTOR).context["secret"]
    assert first == second
    assert TOTPDevice.objects.filter(user=dsl).count() == 1


def test_wrong_code_is_an_error_on_the_code_field(client, dsl, password, clock):
    sign_in(client, dsl, password)
    client.get(TWO_FACTOR)
    response = client.post(TWO_FACTOR, {"code": wrong_code_for(dsl)})
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [
        "Enter the 6-digit code shown in your authenticator app."
    ]
    event = AuditEvent.objects.get(action=AuditAction.FAILED_SIGN_IN)
    assert event.object_id == str(dsl.pk)
    assert event.detail == {"reason": "bad_code"}
    dsl.refresh_from_db()
    assert dsl.failed_sign_ins == 1
    assert not TOTPDevice.objects.get(user=dsl).confirmed
    assert client.get(HOME)["Location"] == f"{TWO_FACTOR}?{urlencode({'next': HOME})}"


def test_malformed_code_is_an_error_on_the_code_field(client, dsl, password):
    sign_in(client, dsl, password)
    client.get(TWO_FACTOR)
    response = client.post(TWO_FACTOR, {"code": "abc"})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    blank = client.post(TWO_FACTOR, {"code": ""})
    assert blank.context["form"].errors["code"] == [
        "Enter the 6-digit code from your authenticator app"
    ]


def test_wrong_codes_count_towards_lock_out(client, dsl, password, clock):
    sign_in(client, dsl, password)
    client.get(TWO_FACTOR)
    for _ in range(settings.LOCKOUT_FAILURES - 1):
        assert client.post(TWO_FACTOR, {"code": wrong_code_for(dsl)}).status_code == 400
    response = client.post(TWO_FACTOR, {"code": wrong_code_for(dsl)}, follow=True)
    # The person knows the password, so the sign-in page may tell them they are locked out.
    assert "Sign in to SaferSchools" in response.content.decode()
    assert "This account is locked" in response.content.decode()
    dsl.refresh_from_db()
    assert dsl.is_locked()
    # The half-signed-in session is ended and the right password no longer helps.
    assert "_auth_user_id" not in client.session
    assert sign_in(client, dsl, password).status_code == 400


def test_right_code_confirms_the_device_and_signs_in(client, dsl, world, password, clock):
    target = reverse("core-school", args=[world.school_a.urn])
    sign_in(client, dsl, password, next=target)
    client.get(TWO_FACTOR)
    response = client.post(TWO_FACTOR, {"code": code_for(dsl), "next": target})
    assert response.status_code == 302
    assert response["Location"] == target
    assert TOTPDevice.objects.get(user=dsl).confirmed
    assert client.get(HOME).status_code == 200
    assert client.get(target).status_code == 200
    sign_in_event = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert sign_in_event.detail == {"two_factor": True}
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, detail__change="two_factor_enrolled"
    ).exists()


def test_right_code_after_a_wrong_one_signs_in(client, dsl, password, clock):
    sign_in(client, dsl, password)
    client.get(TWO_FACTOR)
    client.post(TWO_FACTOR, {"code": wrong_code_for(dsl)})
    clock.shift(timedelta(seconds=5))
    assert client.post(TWO_FACTOR, {"code": code_for(dsl)}).status_code == 302
    assert client.get(HOME).status_code == 200
    dsl.refresh_from_db()
    assert dsl.failed_sign_ins == 0


def test_code_with_spaces_is_accepted(client, dsl, password, clock):
    sign_in(client, dsl, password)
    client.get(TWO_FACTOR)
    code = code_for(dsl)
    response = client.post(TWO_FACTOR, {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302
    assert client.get(HOME).status_code == 200


def test_next_sign_in_asks_for_the_code_without_enrolling_again(client, dsl, password, clock):
    enrol(client, dsl, password, clock)
    client.post(reverse("accounts-sign-out"))
    clock.move_to(START + timedelta(minutes=1), tick=False)

    response = sign_in(client, dsl, password)
    assert response["Location"] == f"{TWO_FACTOR}?{urlencode({'next': HOME})}"
    page = client.get(TWO_FACTOR)
    body = page.content.decode()
    assert "Enter your code" in body
    assert "app-qr" not in body
    assert "QR code for your authenticator app" not in body
    assert "secret" not in page.context
    assert client.get(HOME).status_code == 302

    assert client.post(TWO_FACTOR, {"code": code_for(dsl)}).status_code == 302
    assert client.get(HOME).status_code == 200
    assert TOTPDevice.objects.filter(user=dsl).count() == 1


def test_a_used_code_cannot_be_replayed(client, dsl, password, clock):
    enrol(client, dsl, password, clock)
    used = code_for(dsl)
    client.post(reverse("accounts-sign-out"))
    sign_in(client, dsl, password)
    response = client.post(TWO_FACTOR, {"code": used})
    assert response.status_code == 400
    assert client.get(HOME).status_code == 302


def test_steering_member_is_not_asked_for_a_second_factor(client, persona, world, password):
    member = persona(Role.STEERING_MEMBER, world.p)
    response = sign_in(client, member, password)
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert client.get(reverse("core-partnership", args=[world.p.pk])).status_code == 200
    assert client.get(TWO_FACTOR)["Location"] == HOME
    assert not TOTPDevice.objects.filter(user=member).exists()


def test_area_administrator_is_asked_for_a_second_factor(client, persona, world, password):
    admin = persona(Role.AREA_ADMIN, world.area)
    response = sign_in(client, admin, password)
    assert response["Location"].startswith(TWO_FACTOR)


def test_api_treats_an_unverified_session_as_unauthenticated(client, dsl, password):
    sign_in(client, dsl, password)
    response = client.get(reverse("api-me"))
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_api_accepts_a_verified_session(client, dsl, password, clock):
    enrol(client, dsl, password, clock)
    response = client.get(reverse("api-me"))
    assert response.status_code == 200
    assert response.json()["email"] == dsl.email
