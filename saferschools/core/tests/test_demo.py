"""``manage.py demo``: the demo area loads once, whatever the number of runs, never in production."""

import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from saferschools.accounts.models import Membership, Role, User
from saferschools.casework.models import Pupil
from saferschools.core.demo import DEMO_DATA, DEMO_USERS
from saferschools.core.models import Agency, Partnership, School

pytestmark = pytest.mark.django_db


def _demo() -> str:
    out = io.StringIO()
    call_command("demo", "--quiet-sign-ins", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (School, User, Membership, Pupil, Partnership, Agency)
    }


def test_second_run_adds_nothing():
    assert "Demo area loaded" in _demo()
    first = _counts()

    assert "Demo area loaded" in _demo()

    assert _counts() == first
    assert all(first.values()), first


def test_every_role_has_a_demo_user():
    _demo()

    held = set(Membership.objects.values_list("user__email", "role"))
    assert held == {(u.email, u.role) for u in DEMO_USERS}
    assert {role for _, role in held} == set(Role.values)


def test_cluster_schools_are_in_one_partnership():
    _demo()
    cluster = json.loads((DEMO_DATA / "cluster.json").read_text(encoding="utf-8"))
    urns = [cluster["secondary_urn"], *cluster["primary_urns"]]

    partnership = Partnership.objects.get(name=cluster["partnership_name"])

    assert set(partnership.schools.values_list("urn", flat=True)) == set(urns)
    assert Partnership.objects.count() == 1


def test_demo_users_sign_in_with_demo_password(settings):
    _demo()

    for demo_user in DEMO_USERS:
        user = authenticate(None, email=demo_user.email, password=settings.DEMO_PASSWORD)
        assert user is not None, demo_user.email
        assert user.email == demo_user.email
    assert authenticate(None, email=DEMO_USERS[0].email, password="not-the-password") is None


def test_demo_refuses_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="not loaded in production"):
        _demo()

    assert not School.objects.exists()
    assert not User.objects.exists()
