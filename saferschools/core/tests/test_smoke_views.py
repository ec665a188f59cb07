import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_dsl_reaches_landing_school_and_pupils(client, dsl, world, password):
    assert client.login(email=dsl.email, password=password)
    assert client.get(reverse("core-home")).status_code == 200
    assert client.get(reverse("core-school", args=[world.school_a.urn])).status_code == 200
    page = client.get(reverse("casework-pupils", args=[world.school_a.urn]))
    assert page.status_code == 200
    assert world.pupil_a.family_name in page.content.decode()
    assert client.get(reverse("casework-pupil", args=[world.pupil_a.pk])).status_code == 200
    assert client.get(reverse("casework-pupil", args=[world.pupil_c.pk])).status_code == 404
